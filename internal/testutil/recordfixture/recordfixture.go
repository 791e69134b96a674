// Package recordfixture builds small, valid audit records for store and verification tests.
package recordfixture

import (
	"fmt"
	"strconv"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// Base is the timestamp of the first fixture record.
var Base = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// Records returns n tool-call records whose ids are derived from tag and their index, so two calls
// with different tags never collide.
func Records(tag string, n int) []*auditrecord.Record {
	out := make([]*auditrecord.Record, n)
	for i := range out {
		ts := Base.Add(time.Duration(i) * time.Second)
		out[i] = &auditrecord.Record{
			SchemaVersion:     auditrecord.SchemaVersion,
			RecordID:          auditrecord.NewRecordID(tag, strconv.Itoa(i)),
			Type:              auditrecord.TypeToolCall,
			Timestamp:         ts,
			ObservedTimestamp: ts.Add(time.Millisecond),
			SessionID:         "session-" + tag,
			UserID:            "user-1",
			Agent:             &auditrecord.Agent{Name: "fixture-agent"},
			Source:            &auditrecord.Source{Signal: "traces", Convention: "gen_ai", Name: "execute_tool lookup"},
			ToolCall: &auditrecord.ToolCall{
				ToolName:   "lookup",
				CallID:     fmt.Sprintf("call-%s-%d", tag, i),
				Parameters: map[string]any{"query": fmt.Sprintf("q%d", i)},
				Result:     map[string]any{"hits": i},
				Status:     auditrecord.ToolStatusSuccess,
			},
		}
	}
	return out
}

// IDs lists the record ids of recs in order.
func IDs(recs []*auditrecord.Record) []string {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.RecordID
	}
	return ids
}

// TraceJoin is the fixture of a store's trace join (docs/audit-record.md, "Identity"): five records
// of session "session-join" and user "user-1" spread over two traces, alternately. Records 2 and 3
// carry no identity, so a reader must join them to their trace's; record 4 has an identity of its
// own (session "other-session", user "user-2") that wins over the join.
func TraceJoin() (recs []*auditrecord.Record, traces [2]string) {
	traces = [2]string{"bbbb0000000000000000000000000001", "bbbb0000000000000000000000000002"}
	recs = Records("join", 5)
	for i, r := range recs {
		r.TraceID = traces[i%2]
		if i >= 2 {
			r.SessionID, r.UserID = "", ""
		}
	}
	recs[4].SessionID, recs[4].UserID = "other-session", "user-2"
	return recs, traces
}
