package mapping

// Identity through span links. Some frameworks start a new trace for every agent turn and tie the
// turns together only with span links; session and user are set on the first trace. A trace that
// carries no identity of its own takes the one its links name (session.id / user.id attributes of
// the link), else the one of the trace a link points to, when that trace is in the batch. Traces
// linked across batches are resolved by the exporter's identity hold (TraceIdentity.Links).

// spanLink is one link of a span: the trace it points to and the identity its attributes carry.
type spanLink struct {
	traceID string
	id      identity
}

// linkIdentities fills, per trace, what its own spans left empty from its links: the link's
// attributes, else the trace it points to (among traces, or the batch's others).
func linkIdentities(units []*unit, traces map[string]*traceState, others map[string]identity) {
	for _, u := range units {
		ts := traces[u.traceID]
		if ts == nil {
			continue
		}
		for _, l := range u.links {
			ts.id.fill(l.id)
		}
	}
	for _, u := range units {
		ts := traces[u.traceID]
		if ts == nil {
			continue
		}
		for _, l := range u.links {
			if other := traces[l.traceID]; other != nil {
				ts.id.fill(other.id)
			}
			ts.id.fill(others[l.traceID])
		}
	}
}
