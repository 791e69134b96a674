package identityhold

import "github.com/agentaudit/otelcol-agentaudit/internal/mapping"

// Identity through span links. A framework that starts a trace per agent turn sets session and
// user on the first trace only and ties the others to it with span links. A trace without an
// identity of its own takes the identity of a trace it links to: at once when that is known, else
// when it arrives (its records wait in the hold meanwhile, even once their root span came).

// maxLinkedFrom bounds the traces waiting for a linked trace's identity.
const maxLinkedFrom = 50_000

// followLinks gives traces without an identity the identity of a known trace they link to; those
// whose linked traces are not known yet are noted to wait for them, and are not complete yet.
func (h *Hold) followLinks(traces []mapping.TraceIdentity) []mapping.TraceIdentity {
	for i := range traces {
		t := &traces[i]
		if len(t.Links) == 0 || t.SessionID != "" || t.UserID != "" {
			continue
		}
		if k := h.known.get(t.TraceID); k != nil && (k.session != "" || k.user != "") {
			continue
		}
		for _, l := range t.Links {
			if k := h.known.get(l); k != nil && (k.session != "" || k.user != "") {
				t.SessionID, t.UserID = k.session, k.user
				break
			}
		}
		if t.SessionID != "" || t.UserID != "" {
			continue
		}
		for _, l := range t.Links {
			if len(h.linkedFrom) < maxLinkedFrom {
				h.linkedFrom[l] = append(h.linkedFrom[l], t.TraceID)
			}
		}
		// Not complete while a linked trace may still bring the identity: the window bounds the wait.
		t.Root = false
	}
	return traces
}

// learnLinked passes the identity of each trace in learned on to the traces waiting for it through
// their links, and returns learned with the traces that got an identity so.
func (h *Hold) learnLinked(learned []string) []string {
	for i := 0; i < len(learned); i++ {
		id := learned[i]
		waiting := h.linkedFrom[id]
		if len(waiting) == 0 {
			continue
		}
		k := h.known.get(id)
		if k == nil || (k.session == "" && k.user == "") {
			continue
		}
		delete(h.linkedFrom, id)
		for _, b := range waiting {
			if h.known.learn(b, k.session, k.user, false) {
				learned = append(learned, b)
			}
		}
	}
	return learned
}
