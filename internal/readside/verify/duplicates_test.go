package verify

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

// TestRetriedBatchesAreCleanAndCounted writes batches again as at-least-once delivery does: after a
// restart of the same writer (the batch replayed from its queue) and through a second instance (a
// resend that landed on another gateway). The copies are honest, so verify stays clean, and it says
// how many it saw.
func TestRetriedBatchesAreCleanAndCounted(t *testing.T) {
	f := writeStore(t, fileBackend(t), newSigner(t))
	ctx := context.Background()
	for _, instance := range []string{"gw-1", "gw-2"} {
		s := objectstore.New(f.backend, objectstore.Options{Gzip: true, Signer: f.signer}, store.Settings{InstanceID: instance})
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		// batch1 holds 2 records, batch2 4.
		for i, n := range map[string]int{"batch1": 2, "batch2": 4} {
			if err := s.Write(ctx, store.Batch{Signal: "traces", Records: recordfixture.Records(i, n)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	rep := f.verify(t, f.trusted())
	assertFindings(t, rep, true)
	if !rep.OK {
		t.Fatalf("a store with honest copies fails verification: %+v", rep.Findings)
	}
	if rep.Counts.Records != 11+2*6 || rep.Counts.DuplicateRecords != 2*6 {
		t.Fatalf("counts %+v, want 23 records of which 12 are copies", rep.Counts)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "copies:  12 records are further copies") || !strings.Contains(text.String(), "result:  OK") {
		t.Errorf("text report does not state the copies:\n%s", text.String())
	}

	clean := writeStore(t, fileBackend(t), nil).verify(t, Options{})
	var cleanText bytes.Buffer
	_ = clean.WriteText(&cleanText)
	if clean.Counts.DuplicateRecords != 0 || strings.Contains(cleanText.String(), "copies:") {
		t.Errorf("a store without copies reports some: %+v\n%s", clean.Counts, cleanText.String())
	}
}
