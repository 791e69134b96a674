package query

import (
	"cmp"
	"slices"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// Which copy of an event is kept, and what it gains from the others (fold.go). The choice depends
// on the records only, so every reader, whatever order its store scans in, shows the same record.

// preferred orders two copies of one event, the one to keep first: by the type's rank (rank), then
// the earliest, then the smallest record id.
func preferred(a, b *auditrecord.Record) int {
	if c := cmp.Compare(rank(a), rank(b)); c != 0 {
		return c
	}
	if c := a.Timestamp.Compare(b.Timestamp); c != 0 {
		return c
	}
	return cmp.Compare(a.RecordID, b.RecordID)
}

// rank is how good a copy is to keep, lower better:
//   - reasoning: the report with plan or confidence, then the log's (the agent's own report);
//   - output: the model call's, which carries the usage (a session's tokens count it once);
//   - tool_call: an execution over a request, then the copy that gives parameters and result;
//   - error: the span's (its related record is a record of the trace's spans).
func rank(r *auditrecord.Record) int {
	n := 0
	switch {
	case r.Reasoning != nil:
		if !rich(r) {
			n += 2
		}
		if signal(r) != "logs" {
			n++
		}
	case r.Output != nil:
		if r.Output.Tokens == nil {
			n++
		}
	case r.ToolCall != nil:
		if r.ToolCall.Status == auditrecord.ToolStatusRequested {
			n += 4
		}
		if r.ToolCall.Parameters == nil {
			n += 2
		}
		if r.ToolCall.Result == nil {
			n++
		}
	case r.Error != nil:
		if signal(r) != "traces" {
			n++
		}
	}
	return n
}

// merged returns a copy of keep with the fields only the copies others (indexes into buf, in
// preference order) carry; the stored records are not changed.
func merged(keep *auditrecord.Record, others []int, buf []*auditrecord.Record) *auditrecord.Record {
	out := *keep
	switch {
	case keep.Reasoning != nil:
		v := *keep.Reasoning
		for _, i := range others {
			if o := buf[i].Reasoning; o != nil {
				if len(v.Plan) == 0 {
					v.Plan = o.Plan
				}
				if v.Confidence == nil {
					v.Confidence = o.Confidence
				}
			}
		}
		out.Reasoning = &v
	case keep.Output != nil:
		v := *keep.Output
		for _, i := range others {
			if o := buf[i].Output; o != nil {
				v.FillFrom(o)
			}
		}
		out.Output = &v
	case keep.ToolCall != nil:
		out.ToolCall = mergedToolCall(keep.ToolCall, others, buf)
	case keep.Error != nil:
		out.Error = mergedError(keep, others, buf)
	}
	for _, i := range others {
		fillIdentity(&out, buf[i])
	}
	return &out
}

func mergedToolCall(keep *auditrecord.ToolCall, others []int, buf []*auditrecord.Record) *auditrecord.ToolCall {
	v := *keep
	for _, i := range others {
		o := buf[i].ToolCall
		if o == nil {
			continue
		}
		fill(&v.CallID, o.CallID)
		if v.DurationMS == nil {
			v.DurationMS = o.DurationMS
		}
		if v.Parameters == nil {
			v.Parameters = o.Parameters
		}
		if v.Result == nil {
			v.Result = o.Result
		}
		if o.Status == auditrecord.ToolStatusError && v.Status == auditrecord.ToolStatusSuccess {
			v.Status = o.Status // one report saw the failure
		}
	}
	return &v
}

func mergedError(keep *auditrecord.Record, others []int, buf []*auditrecord.Record) *auditrecord.Error {
	v := *keep.Error
	v.PropagatedTo = slices.Clone(v.PropagatedTo)
	for _, i := range others {
		o := buf[i].Error
		if o == nil {
			continue
		}
		fill(&v.StackTrace, o.StackTrace)
		fill(&v.RecoveryAction, o.RecoveryAction)
		fill(&v.ToolName, o.ToolName)
		fill(&v.RelatedRecordID, o.RelatedRecordID)
		// The failure travelled up to the copy's span too (a failed ancestor written in another batch).
		if sp := buf[i].SpanID; sp != "" && sp != keep.SpanID && !slices.Contains(keep.Error.PropagatedTo, sp) && signal(buf[i]) == "traces" {
			v.PropagatedTo = appendNew(v.PropagatedTo, sp)
		}
		for _, sp := range o.PropagatedTo {
			v.PropagatedTo = appendNew(v.PropagatedTo, sp)
		}
	}
	return &v
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// fillIdentity gives dst the session, user and agent a copy names and dst does not.
func fillIdentity(dst, src *auditrecord.Record) {
	fill(&dst.SessionID, src.SessionID)
	fill(&dst.UserID, src.UserID)
	fill(&dst.ConversationID, src.ConversationID)
	if dst.Agent == nil {
		dst.Agent = src.Agent
	}
}

func fill(dst *string, src string) {
	if *dst == "" {
		*dst = src
	}
}
