package pgstore

import (
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// rowValues are a record's COPY values in recordColumns order: the typed columns queries filter
// and group on, its chain position and its stored line (canonical, with integrity).
func rowValues(r *auditrecord.Record, stream string, seq uint64, prevHash, hash, line string) []any {
	c := typedColumns(r)
	return []any{
		r.RecordID, r.Timestamp.UTC(), optTime(r.ObservedTimestamp), string(r.Type), opt(r.SessionID), opt(r.UserID),
		opt(c.agent), opt(r.TraceID), opt(r.SpanID), opt(c.toolName), opt(c.toolStatus), c.durationMS, opt(c.model),
		c.inputTokens, c.outputTokens, c.cost, stream, int64(seq), prevHash, hash, line,
	}
}

type columns struct {
	agent, toolName, toolStatus, model string
	durationMS, cost                   *float64
	inputTokens, outputTokens          *int64
}

func typedColumns(r *auditrecord.Record) columns {
	var c columns
	if r.Agent != nil {
		c.agent = r.Agent.Name
		if c.agent == "" {
			c.agent = r.Agent.ID
		}
	}
	tokens := func(t *auditrecord.Tokens) {
		if t != nil {
			c.inputTokens, c.outputTokens = t.Input, t.Output
		}
	}
	switch {
	case r.ToolCall != nil:
		c.toolName, c.toolStatus, c.durationMS = r.ToolCall.ToolName, r.ToolCall.Status, r.ToolCall.DurationMS
	case r.Output != nil:
		c.model, c.cost = r.Output.Model, r.Output.Cost
		tokens(r.Output.Tokens)
	case r.LLMCall != nil:
		c.model, c.cost, c.durationMS = r.LLMCall.Model, r.LLMCall.Cost, r.LLMCall.DurationMS
		tokens(r.LLMCall.Tokens)
	case r.AgentRun != nil:
		c.durationMS = r.AgentRun.DurationMS
	case r.Error != nil:
		c.toolName = r.Error.ToolName
	}
	return c
}

// opt stores an empty string as NULL.
func opt(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func optTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}
