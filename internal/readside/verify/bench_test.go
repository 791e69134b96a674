package verify

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

// BenchmarkVerifyFileStore verifies a signed file store of 100 objects × 100 records.
func BenchmarkVerifyFileStore(b *testing.B) {
	const objects, perObject = 100, 100
	backend := fileBackend(b)
	signer := newSigner(b)
	s := objectstore.New(backend, objectstore.Options{Gzip: true, Signer: signer, Now: func() time.Time { return writtenAt }},
		store.Settings{InstanceID: "bench"})
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		b.Fatal(err)
	}
	for i := range objects {
		if err := s.Write(ctx, store.Batch{Signal: "traces", Records: recordfixture.Records(strconv.Itoa(i), perObject)}); err != nil {
			b.Fatal(err)
		}
	}
	opts := Options{PublicKeys: []PublicKey{publicKey(signer)}}
	b.ResetTimer()
	for b.Loop() {
		rep, err := Verify(ctx, backend, "audit", opts)
		if err != nil || !rep.OK || rep.Counts.Records != objects*perObject {
			b.Fatalf("verify: %v ok=%v records=%d", err, rep.OK, rep.Counts.Records)
		}
	}
	b.ReportMetric(float64(objects*perObject)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
