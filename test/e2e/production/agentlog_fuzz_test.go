package production

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// agentLogKeys are members the structured agent log convention reads; the fuzz input decides which
// carries the planted PII.
var agentLogKeys = []string{
	"message", "content", "response", "answer", "parameters", "result", "thought", "error", "error_message",
	"stack_trace", "recovery_action", "tool_name", "model", "plan", "input", "output", "body", "metadata",
}

// FuzzAgentLogBodies sends arbitrary log bodies (JSON lines, maps, anything) through piiredaction and
// the mapping, as the gateway runs them: nothing may panic, every record must be valid, and PII
// planted in any member the agent log convention reads, in whatever event the body names, must not
// reach a record raw.
func FuzzAgentLogBodies(f *testing.F) {
	for _, s := range []string{
		`{"type":"input","session_id":"s","user_id":"u","message":"hi"}`,
		`{"event":"tool_call","session_id":"s","tool_name":"t","parameters":{"a":1},"result":"ok","duration_ms":3}`,
		`{"session_id":"s","error":{"type":"E","message":"m","stack_trace":"x"}}`,
		`{"session_id":"s","output":{"content":"c","metadata":{"tokens_used":1,"model":"m"}}}`,
		`{"kind":"Final Answer","sessionId":"s","usage":{"prompt_tokens":"7"},"timestamp":1e12}`,
		`tool_call`, `[1,2]`, `{"type":"reasoning","plan":[[[[[[]]]]]],"confidence":7}`,
	} {
		f.Add([]byte(s), uint8(0), uint8(0))
	}
	path := newOTLPPath(f)
	observed := time.Unix(1_700_000_000, 0)
	planted := "mail jane.doe@example.com, card " + plantedPII[0]
	f.Fuzz(func(t *testing.T, body []byte, key, shape uint8) {
		ld := plog.NewLogs()
		lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		lr.SetTimestamp(1)
		if shape&4 != 0 {
			lr.SetSeverityNumber(plog.SeverityNumberError)
			lr.Attributes().PutStr("exception.type", "E")
		}
		lr.Attributes().PutStr("session_id", "s-fuzz")
		var doc map[string]any
		if json.Unmarshal(body, &doc) == nil && doc != nil {
			doc[agentLogKeys[int(key)%len(agentLogKeys)]] = planted
			if shape&1 != 0 {
				if lr.Body().SetEmptyMap().FromRaw(doc) != nil {
					return
				}
			} else {
				b, _ := json.Marshal(doc)
				lr.Body().SetStr(string(b))
			}
		} else {
			lr.Body().SetStr(string(body))
			if shape&2 != 0 {
				lr.Attributes().PutStr(agentLogKeys[int(key)%len(agentLogKeys)], planted)
			}
		}
		path.sinkL.Reset()
		if err := path.logs.ConsumeLogs(context.Background(), ld); err != nil {
			return
		}
		for _, out := range path.sinkL.AllLogs() {
			recs, _ := path.mapper.MapLogs(out, observed)
			checkRecords(t, recs)
			for _, r := range recs {
				line, _ := auditrecord.MarshalRecord(r)
				for _, raw := range []string{"jane.doe@example.com", plantedPII[0]} {
					if bytes.Contains(line, []byte(raw)) {
						t.Fatalf("record stores %q raw:\n%s", raw, line)
					}
				}
			}
		}
	})
}
