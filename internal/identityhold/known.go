package identityhold

import "github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"

// knownTraces remembers the identity of recent traces (and whether their root span was seen), so
// records arriving after it get it at once. It is bounded: the oldest entries go first.
type knownTraces struct {
	byID  map[string]*knownTrace
	order []string
	next  int
	size  int
}

type knownTrace struct {
	session, user string
	root          bool
	// agent is the one agent the trace's records name; manyAgents when they name several.
	agent      *auditrecord.Agent
	manyAgents bool
}

// soleAgent is the trace's agent when its records name exactly one.
func (t *knownTrace) soleAgent() *auditrecord.Agent {
	if t == nil || t.manyAgents {
		return nil
	}
	return t.agent
}

func newKnownTraces(size int) *knownTraces {
	return &knownTraces{byID: map[string]*knownTrace{}, order: make([]string, 0, min(size, 1024)), size: size}
}

func (k *knownTraces) get(id string) *knownTrace { return k.byID[id] }

// learnAgent notes an agent a record of the trace names.
func (k *knownTraces) learnAgent(id string, a *auditrecord.Agent) {
	t := k.entry(id)
	switch {
	case t.agent == nil:
		t.agent = a
	case *t.agent != *a:
		t.manyAgents = true
	}
}

// entry returns the trace's entry, making room for it when new.
func (k *knownTraces) entry(id string) *knownTrace {
	t := k.byID[id]
	if t == nil {
		if len(k.order) < k.size {
			k.order = append(k.order, id)
		} else {
			delete(k.byID, k.order[k.next])
			k.order[k.next] = id
			k.next = (k.next + 1) % len(k.order)
		}
		t = &knownTrace{}
		k.byID[id] = t
	}
	return t
}

// learn merges what is now known of a trace and reports whether it added anything.
func (k *knownTraces) learn(id, session, user string, root bool) bool {
	t := k.entry(id)
	changed := false
	if t.session == "" && session != "" {
		t.session, changed = session, true
	}
	if t.user == "" && user != "" {
		t.user, changed = user, true
	}
	if root && !t.root {
		t.root, changed = true, true
	}
	return changed
}
