package query

import "github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"

// usageTally sums tokens and cost without counting a model call twice: the mapping puts the usage of
// one model span on its llm_call envelope and again on its first output, so per span the envelope wins
// and an output counts only when its span has no envelope.
type usageTally struct {
	spans map[string]*spanUsage
	order []string
}

type spanUsage struct {
	envelope, output *usage
}

type usage struct {
	tokens int64
	cost   float64
}

func newUsageTally() *usageTally { return &usageTally{spans: map[string]*spanUsage{}} }

func (t *usageTally) add(r *auditrecord.Record) {
	var u *usage
	envelope := false
	switch {
	case r.Type == auditrecord.TypeLLMCall && r.LLMCall != nil:
		u, envelope = usageOf(r.LLMCall.Tokens, r.LLMCall.Cost), true
	case r.Type == auditrecord.TypeOutput && r.Output != nil:
		u = usageOf(r.Output.Tokens, r.Output.Cost)
	}
	if u == nil {
		return
	}
	key := r.TraceID + "/" + r.SpanID
	if r.SpanID == "" {
		key = "record/" + r.RecordID
	}
	s, ok := t.spans[key]
	if !ok {
		s = &spanUsage{}
		t.spans[key] = s
		t.order = append(t.order, key)
	}
	switch {
	case envelope:
		s.envelope = u
	case s.output == nil:
		s.output = u
	}
}

func usageOf(tokens *auditrecord.Tokens, cost *float64) *usage {
	if tokens == nil && cost == nil {
		return nil
	}
	u := &usage{}
	if tokens != nil {
		u.tokens = tokenTotal(tokens)
	}
	if cost != nil {
		u.cost = *cost
	}
	return u
}

func tokenTotal(t *auditrecord.Tokens) int64 {
	if t == nil {
		return 0
	}
	if t.Total != nil {
		return *t.Total
	}
	var n int64
	if t.Input != nil {
		n += *t.Input
	}
	if t.Output != nil {
		n += *t.Output
	}
	return n
}

// totals returns the summed tokens and cost.
func (t *usageTally) totals() (tokens int64, cost float64) {
	for _, k := range t.order {
		s := t.spans[k]
		u := s.envelope
		if u == nil {
			u = s.output
		}
		tokens += u.tokens
		cost += u.cost
	}
	return tokens, cost
}
