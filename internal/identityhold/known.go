package identityhold

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
}

func newKnownTraces(size int) *knownTraces {
	return &knownTraces{byID: map[string]*knownTrace{}, order: make([]string, 0, min(size, 1024)), size: size}
}

func (k *knownTraces) get(id string) *knownTrace { return k.byID[id] }

// learn merges what is now known of a trace and reports whether it added anything.
func (k *knownTraces) learn(id, session, user string, root bool) bool {
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
