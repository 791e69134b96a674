package mapping

import (
	"cmp"
	"slices"
	"strings"
)

// One failure, one error record. A tool that raises marks its own span as failed, and frameworks
// then mark the spans the exception passes through too: the agent span, the workflow span, a
// model call ended by the same exception. Each of those is the same failure seen again. foldErrors
// decides, before any unit of the trace emits, which failures are the same failure: the deepest
// failed span records it, with error.propagated_to naming the spans it reached; the others record
// nothing. A parent that fails with an exception of its own (another type, another message) is an
// independent failure and keeps its record.

// failuresOf is what emitErrors records for a unit: its exception events, else one failure from the
// span status or error attributes.
func (u *unit) failuresOf() []exceptionFact {
	if len(u.exceptions) > 0 {
		return u.exceptions
	}
	if u.failed() {
		return []exceptionFact{{typ: u.facts.errorType, message: u.statusMessage, at: u.endTime()}}
	}
	return nil
}

// recordsErrors says whether the unit's failures become error records at all (see emitErrors).
func (u *unit) recordsErrors() bool { return u.facts.recognised && u.failed() }

// foldErrors sets foldedInto on units whose failure is a failure another unit of the batch records,
// and propagatedTo on the units that record them. bySpan finds a unit's parent.
func foldErrors(units []*unit, bySpan map[spanKey]*unit) {
	var failed []*unit
	depth := map[*unit]int{}
	for _, u := range units {
		if u.signal == signalTraces && u.recordsErrors() {
			failed = append(failed, u)
			depth[u] = ancestorCount(u, bySpan)
		}
	}
	if len(failed) < 2 {
		return
	}
	// Deepest first: a failure starts at the bottom of the span tree and travels up. Tools go first
	// among equals, as they emit first.
	slices.SortStableFunc(failed, func(a, b *unit) int {
		if c := cmp.Compare(depth[b], depth[a]); c != 0 {
			return c
		}
		return cmp.Compare(emitOrder(a.facts.kind), emitOrder(b.facts.kind))
	})
	var origins []*unit
	for _, u := range failed {
		if u.foldedInto != nil {
			continue
		}
		// A model call or step that ends with the very exception an earlier origin raised (a sibling
		// of the tool, not its ancestor) is that failure too. Tool spans always record their own.
		if u.facts.kind != kindTool {
			if o := sameAs(u, origins); o != nil {
				fold(u, o)
				continue
			}
		}
		origins = append(origins, u)
		seen := 0
		for p := bySpan[spanKey{u.traceID, u.parentID}]; p != nil && seen < 64; p = bySpan[spanKey{p.traceID, p.parentID}] {
			seen++
			if p.foldedInto != nil || !p.recordsErrors() {
				continue
			}
			if !propagates(p, u) {
				break // an independent failure: what is above it propagated from it, not from u
			}
			fold(p, u)
		}
	}
}

func fold(u, into *unit) {
	u.foldedInto = into
	into.propagatedTo = append(into.propagatedTo, u.spanID)
}

func sameAs(u *unit, origins []*unit) *unit {
	for _, o := range origins {
		if o.traceID == u.traceID && o != u && sameSibling(u.failuresOf(), o.failuresOf()) {
			return o
		}
	}
	return nil
}

// propagates reports whether the ancestor p's failure is the one its descendant d raised: p fails by
// status alone (no exception event of its own), or with an exception of d's type or message.
func propagates(p, d *unit) bool {
	if len(p.exceptions) == 0 {
		return p.facts.errorType == "" || sameFailure(p.failuresOf(), d.failuresOf())
	}
	return sameFailure(p.exceptions, d.failuresOf())
}

// sameFailure: every failure of a is one of b's: the same type, or a message that contains the
// other's (frameworks wrap the message: "Tool deleteFile failed: permission denied").
func sameFailure(a, b []exceptionFact) bool {
	for _, x := range a {
		found := false
		for _, y := range b {
			if sameException(x, y) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return len(a) > 0
}

// sameSibling is stricter than sameFailure, as the spans are not on one path of the tree: every
// failure of a has a message one of b's contains (or the reverse), and no other type.
func sameSibling(a, b []exceptionFact) bool {
	for _, x := range a {
		found := false
		for _, y := range b {
			if (x.typ == "" || y.typ == "" || x.typ == y.typ) && sameMessage(x.message, y.message) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return len(a) > 0
}

func sameMessage(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	return a != "" && b != "" && (strings.Contains(a, b) || strings.Contains(b, a))
}

func sameException(x, y exceptionFact) bool {
	return (x.typ != "" && x.typ == y.typ) || sameMessage(x.message, y.message)
}

func ancestorCount(u *unit, bySpan map[spanKey]*unit) int {
	n := 0
	for p := bySpan[spanKey{u.traceID, u.parentID}]; p != nil && n < 64; p = bySpan[spanKey{p.traceID, p.parentID}] {
		n++
	}
	return n
}
