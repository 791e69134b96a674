package piiredactionprocessor

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The benchmark corpus: deterministic, realistic GenAI agent spans of about 9 KB (OpenTelemetry
// GenAI semantic conventions: input/output messages as JSON, tool call arguments and results,
// events), one in ten carrying PII or a credential.

var corpusWords = strings.Fields(`the a to of and in for on with that this is are was be by as at from it
report revenue quarter region customer order shipment invoice account balance summary analysis forecast
weather city tomorrow forecast temperature search result document page section table figure chart model
agent tool call response request retry latency error timeout cache token budget plan step goal task user
assistant system context window memory note draft review approve reject schedule meeting calendar team
project milestone deadline risk issue ticket priority status update release version build deploy service
database query index record field value schema table column row metric alert threshold dashboard log trace
span event link attribute resource scope pipeline processor exporter receiver collector audit policy rule`)

// capitalisedWords are what real agent text is full of and what a name or address detector must
// leave alone: cities and countries, weekdays and months, companies, products, models, tools,
// landmarks, dates (an HTTP date among them) and quantities with units. The capitalised corpus
// puts one of them in about every fourth word position, never two in a row.
var capitalisedWords = []string{
	"Paris", "Berlin", "Tokyo", "New York", "San Francisco", "London", "Frankfurt", "Singapore", "Germany",
	"Brazil", "India", "Canada", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
	"January", "March", "June", "September", "December", "Monday 12 March", "Friday, 3 May 2026",
	"Sun, 06 Dec 2026 18:58:38 GMT", "2026-12-06", "Q3 2026", "Google", "Microsoft", "Amazon", "Salesforce",
	"Stripe", "Shopify", "Zendesk", "Slack", "Jira", "Confluence", "GitHub", "Kubernetes", "Postgres",
	"Claude", "Gemini", "Llama", "Mistral", "GPT-4o", "Claude Sonnet", "Copilot", "Eiffel Tower",
	"Golden Gate Bridge", "Central Park", "Heathrow", "Terminal 5", "Gate 12", "Platform 9", "EMEA",
	"Black Friday", "Christmas", "Excel", "PowerPoint", "Google Drive", "search_documents", "getWeather",
	"send-email", "crm.lookup", "42 GB", "15 kg", "300 ms", "12 km", "8 vCPU", "500 MB", "Finance", "Legal",
}

func styledSentence(r *rand.Rand, words int, capitalised bool) string {
	var b strings.Builder
	for i := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		w := corpusWords[r.IntN(len(corpusWords))]
		if capitalised && i%2 == 1 && r.IntN(2) == 0 { // never two in a row, as in real prose
			w = capitalisedWords[r.IntN(len(capitalisedWords))]
		}
		if i == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
		if r.IntN(12) == 0 {
			fmt.Fprintf(&b, " %d", r.IntN(500))
		}
	}
	b.WriteByte('.')
	return b.String()
}

func styledParagraph(r *rand.Rand, sentences int, capitalised bool) string {
	parts := make([]string, sentences)
	for i := range parts {
		parts[i] = styledSentence(r, 8+r.IntN(12), capitalised)
	}
	return strings.Join(parts, " ")
}

// piiSnippets are what a tenth of the spans leak; the key-like ones are assembled at run time.
var piiSnippets = []string{
	"Please email me at maria.garcia@example.org about it.",
	"My card is 4111 1111 1111 1111, expiry 04/27.",
	"Call me on +44 20 7946 0958 tomorrow.",
	"Use key sk-proj-" + strings.Repeat("Ab1Cd2Ef3G", 4) + " for the API.",
	"My SSN is 123-45-6789.",
	"Wire it to GB82WEST12345698765432 please.",
	"The server is at 203.0.113.42.",
	"token ghp_" + strings.Repeat("a1B2c3D4e5", 4),
}

type message struct {
	Role  string `json:"role"`
	Parts []part `json:"parts"`
}

type part struct {
	Type      string `json:"type"`
	Content   string `json:"content,omitempty"`
	ID        string `json:"id,omitempty"`
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments,omitempty"`
	Result    string `json:"result,omitempty"`
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// benchCorpus builds n spans in one ptrace.Traces and returns it with the bytes of text it holds.
func benchCorpus(n int) (ptrace.Traces, int64) { return styledBenchCorpus(n, false) }

// styledBenchCorpus is benchCorpus; capitalised puts capitalisedWords into the prose.
func styledBenchCorpus(n int, capitalised bool) (ptrace.Traces, int64) {
	return seededBenchCorpus(n, capitalised, 2026)
}

// seededBenchCorpus is styledBenchCorpus drawn from seed: another seed, other texts.
func seededBenchCorpus(n int, capitalised bool, seed uint64) (ptrace.Traces, int64) {
	r := rand.New(rand.NewPCG(42, seed))
	sentence := func(r *rand.Rand, words int) string { return styledSentence(r, words, capitalised) }
	paragraph := func(r *rand.Rand, sentences int) string { return styledParagraph(r, sentences, capitalised) }
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "support-agent")
	rs.Resource().Attributes().PutStr("deployment.environment", "prod")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("agent.instrumentation")
	for i := range n {
		leak := ""
		if i%10 == 3 {
			leak = " " + piiSnippets[(i/10)%len(piiSnippets)]
		}
		span := ss.Spans().AppendEmpty()
		span.SetName("chat gpt-4o")
		span.SetKind(ptrace.SpanKindClient)
		span.SetTraceID(pcommon.TraceID([16]byte{byte(i), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}))
		span.SetSpanID(pcommon.SpanID([8]byte{byte(i), 1, 2, 3, 4, 5, 6, 7}))
		a := span.Attributes()
		a.PutStr("gen_ai.operation.name", "chat")
		a.PutStr("gen_ai.provider.name", "openai")
		a.PutStr("gen_ai.request.model", "gpt-4o")
		a.PutStr("gen_ai.response.model", "gpt-4o-2024-08-06")
		a.PutStr("gen_ai.conversation.id", fmt.Sprintf("conv_%08x", r.Uint32()))
		a.PutInt("gen_ai.usage.input_tokens", int64(800+r.IntN(2000)))
		a.PutInt("gen_ai.usage.output_tokens", int64(50+r.IntN(600)))
		a.PutStr("user.id", fmt.Sprintf("u-%06d", r.IntN(1000000)))
		callID := fmt.Sprintf("call_%012x", r.Uint64()&0xffffffffffff)
		args := mustJSON(map[string]any{"query": sentence(r, 6), "limit": 10, "filters": map[string]string{"region": "emea", "quarter": "Q3"}})
		result := mustJSON(map[string]any{"hits": []string{paragraph(r, 3), paragraph(r, 3), paragraph(r, 3)}, "took_ms": r.IntN(900)})
		input := []message{
			{Role: "system", Parts: []part{{Type: "text", Content: paragraph(r, 14)}}},
			{Role: "user", Parts: []part{{Type: "text", Content: paragraph(r, 16) + leak}}},
			{Role: "assistant", Parts: []part{{Type: "tool_call", ID: callID, Name: "search_documents", Arguments: args}}},
			{Role: "tool", Parts: []part{{Type: "tool_call_response", ID: callID, Result: result}}},
			{Role: "user", Parts: []part{{Type: "text", Content: paragraph(r, 8)}}},
		}
		a.PutStr("gen_ai.input.messages", mustJSON(input))
		a.PutStr("gen_ai.output.messages", mustJSON([]message{{Role: "assistant", Parts: []part{{Type: "text", Content: paragraph(r, 20)}}}}))
		a.PutStr("gen_ai.tool.name", "search_documents")
		a.PutStr("gen_ai.tool.call.id", callID)
		a.PutStr("gen_ai.tool.call.arguments", args)
		a.PutStr("gen_ai.tool.call.result", result)
		ev := span.Events().AppendEmpty()
		ev.SetName("gen_ai.choice")
		ev.Attributes().PutStr("finish_reason", "stop")
		ev.Attributes().PutStr("message", paragraph(r, 2))
		ev = span.Events().AppendEmpty()
		ev.SetName("agent.step")
		ev.Attributes().PutStr("thought", paragraph(r, 6))
		span.Status().SetCode(ptrace.StatusCodeOk)
	}
	return td, textBytes(td)
}

// seededConversationCorpus builds n spans of LLM calls from sessions of ten calls each, as agent
// frameworks record a multi-turn conversation: every call's gen_ai.input.messages carries the
// whole conversation so far (system prompt, each earlier user turn and answer) and its new user
// turn, so call k repeats the k-1 turns the calls before it sent. Prose is capitalised; one user
// turn in ten leaks PII.
func seededConversationCorpus(n int, seed uint64) (ptrace.Traces, int64) {
	r := rand.New(rand.NewPCG(43, seed))
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "support-agent")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("agent.instrumentation")
	var history []message
	var convID string
	for i := range n {
		if i%10 == 0 {
			convID = fmt.Sprintf("conv_%08x", r.Uint32())
			history = []message{{Role: "system", Parts: []part{{Type: "text", Content: styledParagraph(r, 8, true)}}}}
		}
		ask := styledParagraph(r, 3, true)
		if r.IntN(10) == 0 {
			ask += " " + piiSnippets[r.IntN(len(piiSnippets))]
		}
		history = append(history, message{Role: "user", Parts: []part{{Type: "text", Content: ask}}})
		answer := []message{{Role: "assistant", Parts: []part{{Type: "text", Content: styledParagraph(r, 5, true)}}}}
		span := ss.Spans().AppendEmpty()
		span.SetName("chat gpt-4o")
		span.SetTraceID(pcommon.TraceID([16]byte{byte(i / 10), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}))
		span.SetSpanID(pcommon.SpanID([8]byte{byte(i), 1, 2, 3, 4, 5, 6, 7}))
		a := span.Attributes()
		a.PutStr("gen_ai.operation.name", "chat")
		a.PutStr("gen_ai.request.model", "gpt-4o")
		a.PutStr("gen_ai.conversation.id", convID)
		a.PutStr("gen_ai.input.messages", mustJSON(history))
		a.PutStr("gen_ai.output.messages", mustJSON(answer))
		history = append(history, answer...)
	}
	return td, textBytes(td)
}

// textBytes counts the string bytes a redactor may have to read: names, messages and string
// attribute values (nested ones included).
func textBytes(td ptrace.Traces) int64 {
	var n int64
	var value func(v pcommon.Value)
	value = func(v pcommon.Value) {
		switch v.Type() {
		case pcommon.ValueTypeStr:
			n += int64(len(v.Str()))
		case pcommon.ValueTypeMap:
			for _, c := range v.Map().All() {
				value(c)
			}
		case pcommon.ValueTypeSlice:
			for _, c := range v.Slice().All() {
				value(c)
			}
		}
	}
	attrs := func(m pcommon.Map) {
		for _, v := range m.All() {
			value(v)
		}
	}
	for _, rs := range td.ResourceSpans().All() {
		attrs(rs.Resource().Attributes())
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				n += int64(len(s.Name()) + len(s.Status().Message()))
				attrs(s.Attributes())
				for _, e := range s.Events().All() {
					n += int64(len(e.Name()))
					attrs(e.Attributes())
				}
			}
		}
	}
	return n
}
