package clients

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"testing"
)

// The fake model's script, as lib/scenario.mjs has it for the Node clients (whose scripts start
// their own copy, lib/fake-openai.mjs): the first turn asks for both tools, a request that carries
// tool results gets the final answer.
var (
	scenarioToolCalls = []struct {
		id, name string
		args     map[string]any
	}{
		{"call_weather_1", "getWeather", map[string]any{"city": "Paris"}},
		{"call_delete_1", "deleteFile", map[string]any{"path": "/tmp/report.txt"}},
	}
	scenarioUsage = [2][2]int{{52, 24}, {finalInputTokens, finalOutTokens}}
)

// startFakeOpenAI serves the OpenAI Chat Completions API on a free loopback port for the Python and
// Go clients (a fake model: no real one is reachable from tests) and returns its base URL (…/v1).
func startFakeOpenAI(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, req *http.Request) {
		var request struct {
			Stream   bool `json:"stream"`
			Messages []struct {
				Role    string          `json:"role"`
				Content json.RawMessage `json:"content"`
			} `json:"messages"`
			Tools []struct {
				Function struct {
					Name string `json:"name"`
				} `json:"function"`
			} `json:"tools"`
		}
		if err := json.NewDecoder(req.Body).Decode(&request); err != nil || request.Stream {
			http.Error(w, `{"error":{"message":"not a non-streaming chat completion request"}}`, http.StatusBadRequest)
			return
		}
		// A request after the first turn carries tool results: as tool messages, or (smolagents,
		// whose step fails as a whole when one parallel call fails) as the failure's text appended
		// to the user message.
		turn := 0
		for _, m := range request.Messages {
			if m.Role == "tool" || (m.Role == "user" && bytes.Contains(m.Content, []byte(permissionDenied))) {
				turn = 1
			}
		}
		message := map[string]any{"role": "assistant", "content": finalAnswer}
		finish := "stop"
		if turn == 1 && offersTool(request.Tools, finalAnswerTool) {
			// A framework that ends a run only through its own answer tool (smolagents) gets the
			// answer as that tool's call.
			args, _ := json.Marshal(map[string]any{"answer": finalAnswer})
			message = map[string]any{"role": "assistant", "content": nil, "tool_calls": []map[string]any{{
				"id": "call_final_1", "type": "function", "function": map[string]any{"name": finalAnswerTool, "arguments": string(args)},
			}}}
			finish = "tool_calls"
		}
		if turn == 0 {
			var calls []map[string]any
			for _, c := range scenarioToolCalls {
				args, _ := json.Marshal(c.args)
				calls = append(calls, map[string]any{"id": c.id, "type": "function", "function": map[string]any{"name": c.name, "arguments": string(args)}})
			}
			message = map[string]any{"role": "assistant", "content": nil, "tool_calls": calls}
			finish = "tool_calls"
		}
		in, out := scenarioUsage[turn][0], scenarioUsage[turn][1]
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": fmt.Sprintf("chatcmpl-%d", turn+1), "object": "chat.completion", "created": 1767225600, "model": modelID,
			"choices": []any{map[string]any{"index": 0, "message": message, "finish_reason": finish, "logprobs": nil}},
			"usage":   map[string]any{"prompt_tokens": in, "completion_tokens": out, "total_tokens": in + out},
		})
	})
	serveFakeGemini(mux)
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + l.Addr().String() + "/v1"
}

// finalAnswerTool is smolagents' tool for ending a run.
const finalAnswerTool = "final_answer"

func offersTool(tools []struct {
	Function struct {
		Name string `json:"name"`
	} `json:"function"`
}, name string,
) bool {
	for _, tl := range tools {
		if tl.Function.Name == name {
			return true
		}
	}
	return false
}
