package query

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
)

// detailWidth bounds the DETAIL column of a timeline table; --json gives the full records.
const detailWidth = 80

// Records returns the records matching q in time order. Records with the same timestamp are ordered
// the way a step unfolds — envelope, inputs, reasoning, tool call, output, error — and then by chain
// position or id, so every store (whatever order it scans in) gives the same timeline.
func Records(ctx context.Context, r store.Reader, q store.Query, p *Progress) ([]*auditrecord.Record, error) {
	var out []*auditrecord.Record
	err := ScanJoined(ctx, r, q, p, func(rec *auditrecord.Record) error {
		out = append(out, rec)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return before(out[i], out[j]) })
	return out, nil
}

// stepOrder ranks record types that share a timestamp.
var stepOrder = map[auditrecord.Type]int{
	auditrecord.TypeAgentRun: 1, auditrecord.TypeLLMCall: 2, auditrecord.TypeInput: 3, auditrecord.TypeReasoning: 4,
	auditrecord.TypeToolCall: 5, auditrecord.TypeOutput: 6, auditrecord.TypeError: 7,
}

func before(a, b *auditrecord.Record) bool {
	if !a.Timestamp.Equal(b.Timestamp) {
		return a.Timestamp.Before(b.Timestamp)
	}
	if ra, rb := stepOrder[a.Type], stepOrder[b.Type]; ra != rb {
		return ra < rb
	}
	if a.Integrity != nil && b.Integrity != nil && a.Integrity.Stream == b.Integrity.Stream {
		return a.Integrity.Seq < b.Integrity.Seq
	}
	return false // keep scan order
}

// WriteRecordsJSONL writes records as canonical JSON Lines, the form the stores keep.
func WriteRecordsJSONL(w io.Writer, recs []*auditrecord.Record) error {
	for _, r := range recs {
		b, err := auditrecord.MarshalRecord(r)
		if err != nil {
			return err
		}
		if _, err := w.Write(append(b, '\n')); err != nil {
			return err
		}
	}
	return nil
}

// TimelineRow is one record as a timeline shows it.
type TimelineRow struct {
	Record     *auditrecord.Record
	Name       string // tool, model, role, error type, …
	Status     string
	DurationMS *float64
	Tokens     *int64
	Cost       *float64
	Detail     string // content, parameters → result, message; not truncated
}

// Row describes a record for a timeline.
func Row(r *auditrecord.Record) TimelineRow {
	row := TimelineRow{Record: r}
	tokens := func(t *auditrecord.Tokens) {
		if t != nil {
			n := tokenTotal(t)
			row.Tokens = &n
		}
	}
	switch {
	case r.Input != nil:
		row.Name, row.Detail = r.Input.Role, r.Input.Content
	case r.Reasoning != nil:
		row.Detail = r.Reasoning.Thought
		if len(r.Reasoning.Plan) > 0 {
			row.Detail = strings.TrimSpace(row.Detail + " plan: " + strings.Join(r.Reasoning.Plan, "; "))
		}
	case r.ToolCall != nil:
		tc := r.ToolCall
		row.Name, row.Status, row.DurationMS = tc.ToolName, tc.Status, tc.DurationMS
		row.Detail = compactJSON(tc.Parameters)
		if res := compactJSON(tc.Result); res != "" {
			row.Detail += " → " + res
		}
	case r.Output != nil:
		row.Name, row.Cost, row.Detail = r.Output.Model, r.Output.Cost, r.Output.Content
		tokens(r.Output.Tokens)
	case r.Error != nil:
		row.Name, row.Status, row.Detail = r.Error.Type, "error", r.Error.Message
		if r.Error.ToolName != "" {
			row.Detail = r.Error.ToolName + ": " + row.Detail
		}
	case r.AgentRun != nil:
		row.Name, row.Status, row.DurationMS = dash(r.AgentRun.Operation), r.AgentRun.Status, r.AgentRun.DurationMS
		if r.Agent != nil {
			row.Detail = r.Agent.Name
		}
	case r.LLMCall != nil:
		row.Name, row.Status, row.DurationMS, row.Cost = r.LLMCall.Model, r.LLMCall.Status, r.LLMCall.DurationMS, r.LLMCall.Cost
		tokens(r.LLMCall.Tokens)
	case r.Access != nil:
		row.Name = r.Access.Command
		row.Detail = fmt.Sprintf("%s read %s (%d records)", r.Access.Viewer, dash(r.Access.Target), r.Access.Records)
	case r.Erasure != nil:
		row.Name = r.Erasure.Requester
		row.Detail = fmt.Sprintf("erased %d records of %s in %d objects", r.Erasure.Records, r.Erasure.Subject, len(r.Erasure.Objects))
	case r.Tombstone != nil:
		row.Name = string(r.Tombstone.OriginalType)
		row.Detail = fmt.Sprintf("[erased %s, erasure %s]", fmtTime(r.Tombstone.ErasedAt), dash(r.Tombstone.ErasureID))
	}
	return row
}

// TimelineTable renders records in the given order; withSession adds a SESSION column (for queries
// that span sessions).
func TimelineTable(recs []*auditrecord.Record, withSession bool) Table {
	t := Table{Header: []string{"TIME", "TYPE", "NAME", "STATUS", "DURATION", "TOKENS", "COST", "DETAIL"}}
	if withSession {
		t.Header = append([]string{"SESSION"}, t.Header...)
		t.Header[1] = "TIMESTAMP"
	}
	for _, r := range recs {
		row := Row(r)
		toks := "-"
		if row.Tokens != nil {
			toks = strconv.FormatInt(*row.Tokens, 10)
		}
		cells := []string{
			fmtClock(r.Timestamp), string(r.Type), dash(row.Name), dash(row.Status), fmtOptMS(row.DurationMS),
			toks, fmtOptCost(row.Cost), dash(oneLine(row.Detail, detailWidth)),
		}
		if withSession {
			cells[0] = fmtTime(r.Timestamp)
			cells = append([]string{dash(r.SessionID)}, cells...)
		}
		t.Rows = append(t.Rows, cells)
	}
	return t
}
