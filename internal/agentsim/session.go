package agentsim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// sessionBuilder lays one session out on a timeline: scripts state what the user says and which tools
// the agent calls; the builder adds model calls, token counts, ids, durations and failures.
type sessionBuilder struct {
	rng   *rand.Rand
	user  user
	agent Agent
	s     Session
	clock time.Duration // offset from the session start of the next thing to happen
}

// toolRequest is a tool call as a script states it: what the agent asks for and what it gets back.
type toolRequest struct {
	name   string
	args   map[string]any
	result map[string]any
}

// toolLatency is the [min, max) duration of a successful call, per tool.
var toolLatency = map[string][2]time.Duration{
	"search_flights":  {800 * time.Millisecond, 2500 * time.Millisecond},
	"book_flight":     {1000 * time.Millisecond, 3000 * time.Millisecond},
	"get_weather":     {150 * time.Millisecond, 600 * time.Millisecond},
	"lookup_customer": {80 * time.Millisecond, 400 * time.Millisecond},
	"send_email":      {200 * time.Millisecond, 900 * time.Millisecond},
}

func (b *sessionBuilder) turn(userMessage string, reasoning Reasoning, tools []toolRequest, answer string) {
	if len(b.s.Turns) > 0 {
		b.clock += b.between(2*time.Second, 15*time.Second) // the user reads and types
	}
	t := Turn{UserMessage: userMessage, Answer: answer}
	asked := Message{Role: "user", Parts: []Part{{Type: "text", Content: userMessage}}}
	thought := Part{Type: "reasoning", Content: reasoning.Thought}
	finalAnswer := Part{Type: "text", Content: answer}
	b.clock += b.between(5*time.Millisecond, 30*time.Millisecond)

	if len(tools) == 0 {
		t.Chats = []Chat{b.chat([]Message{asked}, []Part{thought, finalAnswer}, "stop")}
		reasoning.At = b.clock
		t.Reasoning = reasoning
		b.s.Turns = append(b.s.Turns, t)
		return
	}

	requests := make([]Part, len(tools))
	for i, tool := range tools {
		requests[i] = Part{Type: "tool_call", ID: b.callID(), Name: tool.name, Arguments: tool.args}
	}
	t.Chats = append(t.Chats, b.chat([]Message{asked}, append([]Part{thought}, requests...), "tool_call"))
	reasoning.At = b.clock
	t.Reasoning = reasoning

	responses := make([]Part, len(tools))
	for i, tool := range tools {
		callID := requests[i].ID
		attempt := 0
		if b.rng.Float64() < toolFailureRate {
			t.ToolCalls = append(t.ToolCalls, b.timedOut(tool, callID))
			callID, attempt = b.callID(), 1
		}
		t.ToolCalls = append(t.ToolCalls, b.execute(tool, callID, attempt))
		// The model only knows the id it asked for; the agent's retry is invisible to it.
		responses[i] = Part{Type: "tool_call_response", ID: requests[i].ID, Response: tool.result}
	}
	history := []Message{asked, {Role: "assistant", Parts: requests}, {Role: "tool", Parts: responses}}
	t.Chats = append(t.Chats, b.chat(history, []Part{finalAnswer}, "stop"))
	b.s.Turns = append(b.s.Turns, t)
}

func (b *sessionBuilder) chat(input []Message, output []Part, finishReason string) Chat {
	instructions := []Part{{Type: "text", Content: b.agent.SystemPrompt}}
	outputs := []Message{{Role: "assistant", Parts: output, FinishReason: finishReason}}
	c := Chat{
		Model:         b.agent.Model,
		ResponseModel: b.agent.ResponseModel,
		ResponseID:    b.responseID(),
		InputTokens:   approxTokens(instructions) + approxTokens(input) + b.rng.IntN(40),
		OutputTokens:  approxTokens(outputs) + b.rng.IntN(30),
		FinishReason:  finishReason,
		Instructions:  instructions,
		Input:         input,
		Output:        outputs,
		Start:         b.clock,
	}
	// Generation time grows with the output, on top of a fixed time to first token.
	c.Duration = 300*time.Millisecond + time.Duration(c.OutputTokens)*12*time.Millisecond + b.between(0, 400*time.Millisecond)
	b.clock += c.Duration + b.between(2*time.Millisecond, 20*time.Millisecond)
	return c
}

func (b *sessionBuilder) timedOut(tool toolRequest, callID string) ToolCall {
	c := ToolCall{
		Name: tool.name, CallID: callID, Arguments: tool.args,
		Error:      fmt.Sprintf("timeout after %dms", toolTimeout.Milliseconds()),
		ErrorType:  "TimeoutError",
		Stacktrace: timeoutStacktrace(tool.name),
		Start:      b.clock, Duration: toolTimeout,
	}
	// Back off a little before retrying.
	b.clock += c.Duration + b.between(100*time.Millisecond, 300*time.Millisecond)
	return c
}

func (b *sessionBuilder) execute(tool toolRequest, callID string, attempt int) ToolCall {
	latency := toolLatency[tool.name]
	c := ToolCall{
		Name: tool.name, CallID: callID, Arguments: tool.args, Result: tool.result, RetryAttempt: attempt,
		Start: b.clock, Duration: b.between(latency[0], latency[1]),
	}
	b.clock += c.Duration + b.between(2*time.Millisecond, 20*time.Millisecond)
	return c
}

func timeoutStacktrace(tool string) string {
	return fmt.Sprintf(`Traceback (most recent call last):
  File "/app/agent/tools/runner.py", line 88, in execute
    result = await asyncio.wait_for(tool.invoke(arguments), timeout=5.0)
  File "/usr/lib/python3.12/asyncio/tasks.py", line 520, in wait_for
    raise exceptions.TimeoutError() from exc
TimeoutError: tool %s did not respond within 5000ms`, tool)
}

// between returns a duration in [lo, hi), whole milliseconds so the spans read naturally.
func (b *sessionBuilder) between(lo, hi time.Duration) time.Duration {
	span := (hi - lo).Milliseconds()
	if span <= 0 {
		return lo
	}
	return lo + time.Duration(b.rng.Int64N(span))*time.Millisecond
}

func (b *sessionBuilder) responseID() string {
	if b.agent.Provider == "anthropic" {
		return "msg_01" + randomString(b.rng, alphanumerics, 22)
	}
	return "chatcmpl-" + randomString(b.rng, alphanumerics, 29)
}

func (b *sessionBuilder) callID() string {
	if b.agent.Provider == "anthropic" {
		return "toolu_01" + randomString(b.rng, alphanumerics, 22)
	}
	return "call_" + randomString(b.rng, alphanumerics, 24)
}

func (b *sessionBuilder) confidence(lo, hi float64) float64 {
	return math.Round((lo+b.rng.Float64()*(hi-lo))*100) / 100
}

// date returns an ISO date in 2026, a benign look-alike of numeric PII.
func (b *sessionBuilder) date() string {
	return b.benign(fmt.Sprintf("2026-%02d-%02d", 1+b.rng.IntN(12), 1+b.rng.IntN(28)))
}

func (b *sessionBuilder) orderNumber() string {
	return b.benign(fmt.Sprintf("ORD-%d-%06d", 2024+b.rng.IntN(3), 100000+b.rng.IntN(900000)))
}

func (b *sessionBuilder) benign(v string) string {
	b.s.Benign = appendNew(b.s.Benign, v)
	return v
}

// approxTokens estimates tokens as one per four characters of JSON, like the usual rule of thumb.
func approxTokens(v any) int { return 1 + len(mustJSON(v))/4 }
