// Package e2e drives the real built collector (bin/otelcol-agentaudit with config/local.yaml) over
// real OTLP and asserts the audit records it stores.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/agentaudit/otelcol-agentaudit/internal/agentsim"
	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/verify"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/collectortest"
)

// expectedCounts is what the mapping rules (docs/audit-record.md) make of one agentsim session.
func expectedCounts(s agentsim.Session, logs bool) map[auditrecord.Type]int {
	want := map[auditrecord.Type]int{
		auditrecord.TypeAgentRun: 1,
		auditrecord.TypeInput:    1 + len(s.Turns), // the system prompt once, each user message once
	}
	for _, turn := range s.Turns {
		// One thought, one record: the chat's reasoning part and the agent.reasoning log of the
		// same thought are one reasoning record.
		thoughts := map[string]bool{}
		if logs {
			thoughts[turn.Reasoning.Thought] = true
		}
		for _, c := range turn.Chats {
			want[auditrecord.TypeLLMCall]++
			if answers(c) {
				want[auditrecord.TypeOutput]++ // a chat that only asks for tools is no output
			}
			for _, m := range c.Output {
				for _, p := range m.Parts {
					if p.Type == "reasoning" && p.Content != "" {
						thoughts[p.Content] = true
					}
				}
			}
		}
		want[auditrecord.TypeReasoning] += len(thoughts)
		for _, tc := range turn.ToolCalls {
			want[auditrecord.TypeToolCall]++
			if tc.Error != "" {
				want[auditrecord.TypeError]++
			}
		}
	}
	return want
}

// answers says whether a chat's output has text, i.e. is more than a request for tools.
func answers(c agentsim.Chat) bool {
	for _, m := range c.Output {
		for _, p := range m.Parts {
			if p.Type == "text" && p.Content != "" {
				return true
			}
		}
	}
	return false
}

func total(m map[auditrecord.Type]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func TestAgentsimSessionsBecomeExactAuditRecords(t *testing.T) {
	c := collectortest.Start(t, collectortest.Options{})
	ctx := context.Background()
	runs := []agentsim.Config{
		{Endpoint: c.GRPCEndpoint, Protocol: "grpc", Sessions: 6, Users: 3, Seed: 42, Insecure: true, Logs: true},
		{Endpoint: c.HTTPEndpoint, Protocol: "http", Sessions: 4, Users: 2, Seed: 4242, Insecure: true, Logs: true},
	}
	sessions := map[string]agentsim.Session{}
	wantTotal := 0
	for _, cfg := range runs {
		_, err := agentsim.Run(ctx, cfg)
		require.NoError(t, err, "agentsim over %s", cfg.Protocol)
		for _, s := range agentsim.Plan(cfg) {
			require.NotContains(t, sessions, s.ID, "session ids of the two runs collide")
			sessions[s.ID] = s
			wantTotal += total(expectedCounts(s, cfg.Logs))
		}
	}

	c.WaitForRecords(60*time.Second, collectortest.AtLeast(wantTotal))
	time.Sleep(2 * time.Second) // anything beyond the expected count would be a duplicate
	recs := c.Records()
	require.Len(t, recs, wantTotal, "exactly the expected records, no duplicates")

	bySession := map[string][]*auditrecord.Record{}
	ids := map[string]bool{}
	for _, r := range recs {
		require.False(t, ids[r.RecordID], "duplicate record_id %s", r.RecordID)
		ids[r.RecordID] = true
		bySession[r.SessionID] = append(bySession[r.SessionID], r)
	}
	for id, s := range sessions {
		t.Run(id, func(t *testing.T) { assertSession(t, s, bySession[id]) })
	}

	// The stored trail verifies: chains unbroken, every object manifested.
	rep, err := verify.Verify(ctx, c.Store().Backend(), "audit", verify.Options{})
	require.NoError(t, err)
	assert.Zero(t, rep.Failures(), "verify findings: %+v", rep.Findings)
}

func assertSession(t *testing.T, s agentsim.Session, recs []*auditrecord.Record) {
	got := map[auditrecord.Type]int{}
	for _, r := range recs {
		got[r.Type]++
		assert.Equal(t, s.UserID, r.UserID, "%s record user", r.Type)
		assert.Equal(t, s.Agent.Name, r.Agent.Name, "%s record agent", r.Type)
	}
	assert.Equal(t, expectedCounts(s, true), got)

	// User messages: recorded once each, in order, PII redacted, everything else intact.
	var userInputs []string
	for _, r := range recs {
		if r.Type == auditrecord.TypeInput && r.Input.Role == "user" {
			userInputs = append(userInputs, r.Input.Content)
		}
	}
	require.Len(t, userInputs, len(s.Turns))
	for i, turn := range s.Turns {
		assertRedactedCopy(t, turn.UserMessage, userInputs[i])
	}

	// Tool calls: name, id, parameters, status, duration; failures linked to their error record.
	tools := map[string]*auditrecord.Record{}
	for _, r := range recs {
		if r.Type == auditrecord.TypeToolCall {
			tools[r.ToolCall.CallID] = r
		}
	}
	for _, turn := range s.Turns {
		for _, tc := range turn.ToolCalls {
			r := tools[tc.CallID]
			require.NotNil(t, r, "tool call %s (%s) missing", tc.CallID, tc.Name)
			assert.Equal(t, tc.Name, r.ToolCall.ToolName)
			require.NotNil(t, r.ToolCall.DurationMS)
			assert.InDelta(t, float64(tc.Duration)/float64(time.Millisecond), *r.ToolCall.DurationMS, 0.001)
			params, _ := json.Marshal(r.ToolCall.Parameters)
			wantParams, _ := json.Marshal(tc.Arguments)
			assertRedactedCopy(t, string(wantParams), string(params))
			if tc.Error == "" {
				assert.Equal(t, auditrecord.ToolStatusSuccess, r.ToolCall.Status)
				continue
			}
			assert.Equal(t, auditrecord.ToolStatusError, r.ToolCall.Status)
			var linked *auditrecord.Record
			for _, e := range recs {
				if e.Type == auditrecord.TypeError && e.Error.RelatedRecordID == r.RecordID {
					linked = e
				}
			}
			require.NotNil(t, linked, "no error record linked to failed %s", tc.Name)
			assert.Equal(t, tc.ErrorType, linked.Error.Type)
			assert.Equal(t, tc.Name, linked.Error.ToolName)
			assert.Contains(t, linked.Error.Message, "timeout")
		}
	}

	// Outputs: the model, tokens and finish reason of every chat; the final answer's text.
	var outputs []*auditrecord.Record
	for _, r := range recs {
		if r.Type == auditrecord.TypeOutput {
			outputs = append(outputs, r)
		}
	}
	i := 0
	for _, turn := range s.Turns {
		for _, chat := range turn.Chats {
			if !answers(chat) {
				continue
			}
			require.Less(t, i, len(outputs))
			out := outputs[i].Output
			i++
			assert.Equal(t, chat.ResponseModel, out.Model)
			require.NotNil(t, out.Tokens)
			assert.Equal(t, int64(chat.InputTokens), *out.Tokens.Input)
			assert.Equal(t, int64(chat.OutputTokens), *out.Tokens.Output)
			assert.Equal(t, int64(chat.InputTokens+chat.OutputTokens), *out.Tokens.Total)
			if chat.FinishReason == "stop" {
				assertRedactedCopy(t, turn.Answer, out.Content)
			}
		}
	}
}

var placeholder = regexp.MustCompile(`\[REDACTED:[A-Z_]+\]`)

// assertRedactedCopy checks that got is want with PII replaced by typed placeholders: the text
// between placeholders survives verbatim, and no digit run of a card or phone, email or key remains.
func assertRedactedCopy(t *testing.T, want, got string) {
	t.Helper()
	parts := placeholder.Split(got, -1)
	rest := want
	for _, p := range parts {
		idx := strings.Index(rest, p)
		if !assert.GreaterOrEqual(t, idx, 0, "redacted text %q is not a redaction of %q (part %q)", got, want, p) {
			return
		}
		rest = rest[idx+len(p):]
	}
}

func TestPlantedPIINeverReachesTheStore(t *testing.T) {
	c := collectortest.Start(t, collectortest.Options{})
	cfg := agentsim.Config{Endpoint: c.GRPCEndpoint, Protocol: "grpc", Sessions: 12, Users: 4, Seed: 7, Insecure: true, Logs: true}
	_, err := agentsim.Run(context.Background(), cfg)
	require.NoError(t, err)
	plan := agentsim.Plan(cfg)
	want := 0
	var pii, benign []string
	kinds := map[string]bool{}
	for _, s := range plan {
		want += total(expectedCounts(s, true))
		pii = append(pii, s.PII.Emails...)
		pii = append(pii, s.PII.Phones...)
		pii = append(pii, s.PII.Cards...)
		pii = append(pii, s.PII.APIKeys...)
		benign = append(benign, s.Benign...)
		for k, v := range map[string][]string{"email": s.PII.Emails, "card": s.PII.Cards, "key": s.PII.APIKeys} {
			if len(v) > 0 {
				kinds[k] = true
			}
		}
	}
	require.True(t, kinds["email"] && kinds["card"] && kinds["key"], "the plan must plant an email, a card and an API key: %v", kinds)
	c.WaitForRecords(60*time.Second, collectortest.AtLeast(want))

	var stored bytes.Buffer
	for _, r := range c.Records() {
		b, _ := json.Marshal(r)
		stored.Write(b)
		stored.WriteByte('\n')
	}
	all := stored.String()
	for _, v := range pii {
		assert.False(t, strings.Contains(all, v), "raw PII %q reached the store", v)
		if digits := onlyDigits(v); len(digits) >= 12 {
			assert.False(t, strings.Contains(onlyDigitsKeepingBreaks(all), digits), "card digits %s reached the store", digits)
		}
	}
	for _, typ := range []string{"[REDACTED:EMAIL]", "[REDACTED:CREDIT_CARD]"} {
		assert.True(t, strings.Contains(all, typ), "no %s in the store", typ)
	}
	assert.True(t, regexp.MustCompile(`\[REDACTED:(OPENAI_KEY|GITHUB_TOKEN|SECRET_KEY)\]`).MatchString(all),
		"no redacted API key in the store; placeholders seen: %v", placeholder.FindAllString(all, -1))
	for _, v := range benign {
		assert.True(t, strings.Contains(all, v), "the look-alike %q, not PII, was redacted", v)
	}
	assert.NotContains(t, c.Logs(), "@example", "collector logs must not carry record contents")
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// onlyDigitsKeepingBreaks removes spaces and dashes inside digit runs, so "4111 1111" is found as
// "41111111" but digits of unrelated numbers are not glued together across other characters.
func onlyDigitsKeepingBreaks(s string) string {
	return strings.NewReplacer(" ", "", "-", "").Replace(s)
}

// acceptedDepth is as deep as maps nest in a request the OTLP receiver still accepts: since
// collector v0.165 it decodes with protobuf's recursion limit (100 messages, three per map level).
const acceptedDepth = 30

// malformedTraces carries what a broken or hostile agent could send that the receiver accepts:
// wrong types, bad JSON, invalid UTF-8, a 1 MB attribute and maps nested acceptedDepth deep.
func malformedTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetName("chat gpt-4o")
	span.SetTraceID(pcommon.TraceID([16]byte{9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}))
	span.SetSpanID(pcommon.SpanID([8]byte{9, 9}))
	span.SetStartTimestamp(pcommon.NewTimestampFromTime(time.Now().Add(-time.Second)))
	span.SetEndTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	a := span.Attributes()
	a.PutStr("gen_ai.operation.name", "chat")
	a.PutStr("session.id", "sess_malformed")
	a.PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"unterminated`)
	a.PutEmptyMap("gen_ai.usage.input_tokens").PutStr("not", "a number")
	a.PutDouble("gen_ai.usage.output_tokens", math.NaN())
	a.PutStr("invalid_utf8", "caf\xc3\x28 \xff")
	a.PutStr("huge", strings.Repeat("x", 1<<20))
	deep := a.PutEmptyMap("deep")
	for i := range acceptedDepth {
		deep = deep.PutEmptyMap(fmt.Sprintf("level%d", i))
	}
	deep.PutStr("bottom", "reached")
	return td
}

func TestMalformedTelemetryIsCountedAndTheCollectorSurvives(t *testing.T) {
	c := collectortest.Start(t, collectortest.Options{})
	// Maps nested 100 deep exceed protobuf's recursion limit: since collector v0.165 the OTLP
	// receiver refuses such a request with a 400, so the agent is told and nothing is acknowledged
	// that could not be stored.
	for name, spoil := range map[string]func(pcommon.Map){
		"100-deep maps": func(a pcommon.Map) {
			deep := a.PutEmptyMap("deeper")
			for i := range 100 {
				deep = deep.PutEmptyMap(fmt.Sprintf("level%d", i))
			}
		},
	} {
		bad := malformedTraces()
		spoil(bad.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes())
		badBody, err := ptraceotlp.NewExportRequestFromTraces(bad).MarshalProto()
		require.NoError(t, err)
		resp, err := http.Post("http://"+c.HTTPEndpoint+"/v1/traces", "application/x-protobuf", bytes.NewReader(badBody))
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s is refused at the receiver", name)
	}
	var resp *http.Response
	body, err := ptraceotlp.NewExportRequestFromTraces(malformedTraces()).MarshalProto()
	require.NoError(t, err)
	for range 3 {
		resp, err = http.Post("http://"+c.HTTPEndpoint+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
		require.NoError(t, err)
		msg, _ := io.ReadAll(resp.Body)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", msg)
	}
	recs := c.WaitForRecords(30*time.Second, func(r []*auditrecord.Record) bool {
		for _, x := range r {
			if x.SessionID == "sess_malformed" {
				return true
			}
		}
		return false
	})
	for _, r := range recs {
		if s, ok := r.Attributes["huge"].(string); ok {
			assert.Less(t, len(s), 1<<20, "the 1 MB attribute is truncated")
		}
	}
	require.Eventually(t, func() bool {
		return strings.Contains(c.Metrics(), "otelcol_exporter_agentaudit_malformed_items")
	}, 20*time.Second, 250*time.Millisecond, "malformed input is counted on the metrics endpoint")
	resp, err = http.Get(c.HealthURL)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusOK, resp.StatusCode, "collector still healthy")
}
