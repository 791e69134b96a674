package service_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/accesslog"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/trailstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/fixturestores"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

// openVerifier opens url as a face would, signing what it writes with signer (nil: unsigned).
func openVerifier(t *testing.T, url string, signer *objectstore.Signer) (registry.Handle, trail.Verifier) {
	t.Helper()
	h, err := trailstore.Open(url, registry.OpenOptions{InstanceID: "verify-test", Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	v, ok := h.(trail.Verifier)
	if !ok {
		t.Fatal("the file store verifies")
	}
	return h, v
}

// Verifying a signed store writes a signed access record, so the next verification that requires
// signatures is still clean; a service that would write it unsigned is refused before it logs
// anything, and so leaves the store as clean as it found it.
func TestVerifyOfASignedStoreLogsSigned(t *testing.T) {
	ctx := context.Background()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer := objectstore.NewSigner(priv)
	url := fixturestores.File(t, signer)
	a := service.Actor{Viewer: "auditor@example.com", Role: "auditor", Command: "test verify"}
	strict := trail.VerifyOptions{RequireSignature: true}

	h, v := openVerifier(t, url, nil)
	unsigned := service.New(h, nil)
	if rep, err := unsigned.Verify(ctx, a, v, strict); !errors.Is(err, service.ErrSigningKeyRequired) || rep.Counts.Records != 0 {
		t.Fatalf("unsigned access record on a signed store: %+v, %v; want ErrSigningKeyRequired and no report", rep.Counts, err)
	}
	if recs, err := accesslog.List(ctx, h, store.Query{}, nil); err != nil || len(recs) != 0 {
		t.Fatalf("the refused verify left %d access records, %v", len(recs), err)
	}

	hs, vs := openVerifier(t, url, signer)
	signed := service.New(hs, nil)
	signed.SignsAccess(true)
	for i := range 2 { // the second run checks the access record the first one wrote
		rep, err := signed.Verify(ctx, a, vs, strict)
		if err != nil || !rep.OK {
			t.Fatalf("run %d: %v, findings %+v", i+1, err, rep.Findings)
		}
	}
	e := lastAccess(t, hs)
	if e.Target != "verify: 0 findings, 0 failures" || e.Records == 0 {
		t.Errorf("access record of verify: %+v", e)
	}
}
