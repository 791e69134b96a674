package identityhold

import (
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/mapping"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

const traceB = "1af7651916cd43dd8448eb211c80319c"

// A framework that starts a trace per turn links the later turns to the first, which alone carries
// session and user: a later turn's records get them whichever trace arrives first.
func TestLinkedTracesTakeTheIdentityOfTheTraceTheyLinkTo(t *testing.T) {
	first := mapping.TraceIdentity{TraceID: traceA, SessionID: "s-1", UserID: "u-1", Root: true}
	second := mapping.TraceIdentity{TraceID: traceB, Root: true, Links: []string{traceA}}
	check := func(t *testing.T, where string, recsOf func() int, session, user string) {
		t.Helper()
		if recsOf() == 0 || session != "s-1" || user != "u-1" {
			t.Errorf("%s: session %q user %q, want the linked trace's s-1/u-1", where, session, user)
		}
	}
	t.Run("linked trace known first", func(t *testing.T) {
		h := openHold(t, t.TempDir(), &clock{recordfixture.Base})
		admit(t, h, nil, first)
		turn := anonymous("turn", traceB, 2)
		a := admit(t, h, turn, second)
		if len(a.Write) != 2 || a.Held != 0 {
			t.Fatalf("the turn's records are not written at once: %+v", a)
		}
		check(t, "written", func() int { return len(a.Write) }, a.Write[0].SessionID, a.Write[1].UserID)
	})
	t.Run("linking turn first", func(t *testing.T) {
		h := openHold(t, t.TempDir(), &clock{recordfixture.Base})
		turn := anonymous("turn", traceB, 2)
		// Its root span came, but without identity: it waits for the trace it links to.
		if a := admit(t, h, turn, second); a.Held != 2 || len(a.Write) != 0 {
			t.Fatalf("the linking turn is not held: %+v", a)
		}
		a := admit(t, h, nil, first)
		if a.Release == nil || a.Release.ByOutcome[Identified] != 2 {
			t.Fatalf("release = %+v", a.Release)
		}
		check(t, "released", func() int { return len(a.Release.Records) }, a.Release.Records[0].SessionID, a.Release.Records[1].UserID)
		later := admit(t, h, anonymous("late", traceB, 1))
		check(t, "a later record of the turn", func() int { return len(later.Write) }, later.Write[0].SessionID, later.Write[0].UserID)
	})
	t.Run("linked trace without identity", func(t *testing.T) {
		h := openHold(t, t.TempDir(), &clock{recordfixture.Base})
		if a := admit(t, h, anonymous("turn", traceB, 1), second); a.Held != 1 {
			t.Fatalf("held %d", a.Held)
		}
		if rel := h.Due(); rel != nil {
			t.Fatalf("released before the window passed: %+v", rel)
		}
	})
}
