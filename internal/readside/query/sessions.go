package query

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
)

// Session summarises one agent session.
type Session struct {
	SessionID  string    `json:"session_id"`
	UserID     string    `json:"user_id,omitempty"`
	Agent      string    `json:"agent,omitempty"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	DurationMS float64   `json:"duration_ms"`
	Records    int       `json:"records"`
	ToolCalls  int       `json:"tool_calls"`
	LLMCalls   int       `json:"llm_calls"`
	Errors     int       `json:"errors"`
	Tokens     int64     `json:"tokens"`
	CostUSD    float64   `json:"cost_usd"`
	// Models are the models the session's model calls and outputs name; Tools the tools it called.
	// Both distinct and sorted; absent when there are none (fields added after the first release).
	Models []string `json:"models,omitempty"`
	Tools  []string `json:"tools,omitempty"`

	usage *usageTally
}

// UsedTool reports whether the session called tool.
func (s *Session) UsedTool(tool string) bool {
	i := sort.SearchStrings(s.Tools, tool)
	return i < len(s.Tools) && s.Tools[i] == tool
}

// Sessions lists the sessions with records matching q (its SessionID is ignored), oldest first.
// Records without a session id (e.g. auditctl's own access records) belong to no session.
func Sessions(ctx context.Context, r store.Reader, q store.Query, p *Progress) ([]Session, error) {
	q.SessionID = ""
	byID := map[string]*Session{}
	err := scanJoined(ctx, r, q, p, true, func(rec *auditrecord.Record) error {
		if rec.SessionID == "" || notAgentActivity(rec) {
			return nil
		}
		s, ok := byID[rec.SessionID]
		if !ok {
			s = &Session{SessionID: rec.SessionID, Start: rec.Timestamp, usage: newUsageTally()}
			byID[rec.SessionID] = s
		}
		s.add(rec)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Session, 0, len(byID))
	for _, s := range byID {
		s.finish()
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].SessionID < out[j].SessionID
	})
	return out, nil
}

// SummariseSession summarises records of one session; nil when there are none.
func SummariseSession(recs []*auditrecord.Record) *Session {
	if len(recs) == 0 {
		return nil
	}
	s := &Session{SessionID: recs[0].SessionID, Start: recs[0].Timestamp, usage: newUsageTally()}
	for _, r := range recs {
		s.add(r)
	}
	s.finish()
	return s
}

func (s *Session) finish() {
	s.Tokens, s.CostUSD = s.usage.totals()
	sort.Strings(s.Models)
	sort.Strings(s.Tools)
	s.DurationMS = float64(s.End.Sub(s.Start).Microseconds()) / 1000
}

func (s *Session) add(r *auditrecord.Record) {
	s.Records++
	if s.UserID == "" {
		s.UserID = r.UserID
	}
	if s.Agent == "" && r.Agent != nil {
		s.Agent = r.Agent.Name
	}
	start, end := TimeRange(r)
	if start.Before(s.Start) {
		s.Start = start
	}
	if end.After(s.End) {
		s.End = end
	}
	switch r.Type {
	case auditrecord.TypeToolCall:
		s.ToolCalls++
	case auditrecord.TypeLLMCall:
		s.LLMCalls++
	case auditrecord.TypeError:
		s.Errors++
	}
	switch {
	case r.ToolCall != nil:
		s.Tools = note(s.Tools, r.ToolCall.ToolName)
	case r.LLMCall != nil:
		s.Models = note(s.Models, r.LLMCall.Model)
	case r.Output != nil:
		s.Models = note(s.Models, r.Output.Model)
	}
	s.usage.add(r)
}

// note appends name to list unless it is empty or already there (a session names a few models and
// tools, so a linear look beats a set per session).
func note(list []string, name string) []string {
	if name == "" || slices.Contains(list, name) {
		return list
	}
	return append(list, name)
}

// TimeRange is the time a record covers: tool calls are stamped when they end, envelopes when they start;
// everything else is an instant.
func TimeRange(r *auditrecord.Record) (start, end time.Time) {
	dur := func(ms *float64) time.Duration {
		if ms == nil {
			return 0
		}
		return time.Duration(*ms * float64(time.Millisecond))
	}
	switch {
	case r.ToolCall != nil:
		return r.Timestamp.Add(-dur(r.ToolCall.DurationMS)), r.Timestamp
	case r.LLMCall != nil:
		return r.Timestamp, r.Timestamp.Add(dur(r.LLMCall.DurationMS))
	case r.AgentRun != nil:
		return r.Timestamp, r.Timestamp.Add(dur(r.AgentRun.DurationMS))
	}
	return r.Timestamp, r.Timestamp
}

// SessionsTable renders sessions for a terminal.
func SessionsTable(ss []Session) Table {
	t := Table{Header: []string{"SESSION", "USER", "AGENT", "MODEL", "START", "DURATION", "RECORDS", "TOOLS", "LLM", "ERRORS", "TOKENS", "COST"}}
	for _, s := range ss {
		t.Rows = append(t.Rows, []string{
			s.SessionID, dash(s.UserID), dash(s.Agent), dash(strings.Join(s.Models, ",")), fmtTime(s.Start), fmtMS(s.DurationMS),
			strconv.Itoa(s.Records), strconv.Itoa(s.ToolCalls), strconv.Itoa(s.LLMCalls), strconv.Itoa(s.Errors),
			strconv.FormatInt(s.Tokens, 10), fmtCost(s.CostUSD),
		})
	}
	return t
}
