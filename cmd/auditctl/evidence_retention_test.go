package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// TestVerifyCheckpointsAfterRetention: retention that cuts a checkpointed stream's oldest object
// leaves the stream verifiable from the signed frontier in its retention marker (no
// checkpoints_unverifiable); a head truncated after the cut is still truncated_head; a marker
// frontier edited without the key is bad_frontier, one re-signed with the key but wrong disagrees
// with the witnessed checkpoints.
func TestVerifyCheckpointsAfterRetention(t *testing.T) {
	signer, privFile, pubFile := signingKeys(t)
	t.Setenv(signingKeyEnv, privFile) // verify signs its access record, as on a signed store it must
	const stream = "gw-1-traces"
	// The stream is cut after its first object (records 1..3): a hold keeps session b onwards.
	setup := func() (url, witnessURL string, s *objectstore.Store) {
		dir, wdir := t.TempDir(), t.TempDir()
		s = writeCheckpointed(t, dir, wdir, signer, "a", "b", "c")
		url, witnessURL = "file://"+filepath.ToSlash(dir), "file://"+filepath.ToSlash(wdir)
		with := func(args ...string) []string { return append(args, "--store", url, "--signing-key", privFile) }
		expectRun(t, exitOK, with("hold", "add", "--session", "session-b", "--reason", "keep", "--as", "legal@example.com")...)
		if out := expectRun(t, exitOK, with("retention", "--older-than", "1h")...); !strings.Contains(out, "1 objects") {
			t.Fatalf("retention:\n%s", out)
		}
		return url, witnessURL, s
	}
	verifyCheckpoints := func(code int, url, witnessURL string) string {
		return expectRun(t, code, "verify", "--store", url, "--pubkey", pubFile, "--checkpoints", witnessURL)
	}

	url, witnessURL, s := setup()
	if out := verifyCheckpoints(exitOK, url, witnessURL); strings.Contains(out, "checkpoints_unverifiable") {
		t.Fatalf("after retention the stream should verify from the cut's frontier:\n%s", out)
	}

	// Head truncation after the cut.
	ctx := context.Background()
	keys, ms, _ := objectstore.ObjectManifests(ctx, s.Backend(), s.Layout(), stream)
	for _, k := range []string{ms[len(ms)-1].ObjectKey, keys[len(keys)-1]} {
		if err := s.Backend().Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	removeNewest(t, s.Backend(), s.Layout().CheckpointPrefix(stream))
	if out := verifyCheckpoints(exitFindings, url, witnessURL); !strings.Contains(out, "FAIL truncated_head") || !strings.Contains(out, "seq=7..9") {
		t.Fatalf("truncation after retention:\n%s", out)
	}

	// The marker's frontier edited without the key.
	url, witnessURL, s = setup()
	marker := s.Layout().RetentionMarkerKey(stream)
	m := readMarker(t, s, marker)
	m.TreeFrontier[0] = strings.Repeat("0", 64)
	writeMarker(t, s, marker, m)
	if out := verifyCheckpoints(exitFindings, url, witnessURL); !strings.Contains(out, "FAIL bad_frontier") {
		t.Fatalf("edited frontier:\n%s", out)
	}

	// A wrong frontier re-signed with the key (its root made to match): the witnessed checkpoints
	// of 3 (derivable from it) and 6, 9 (consistency from it) disagree.
	url, witnessURL, s = setup()
	m = readMarker(t, s, marker)
	f := evidence.Frontier{}
	f.Append(evidence.Hash{1})
	f.Append(evidence.Hash{2})
	f.Append(evidence.Hash{3})
	m.TreeFrontier, m.TreeRoot = f.Encode(), evidence.Hex(f.Root())
	if err := signer.Sign(&m); err != nil {
		t.Fatal(err)
	}
	writeMarker(t, s, marker, m)
	out := verifyCheckpoints(exitFindings, url, witnessURL)
	if !strings.Contains(out, "FAIL rewritten_history") || strings.Contains(out, "bad_frontier") {
		t.Fatalf("re-signed wrong frontier:\n%s", out)
	}
}

func readMarker(t *testing.T, s *objectstore.Store, key string) objectstore.Manifest {
	t.Helper()
	raw, err := s.Backend().Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	m, err := objectstore.DecodeManifest(raw)
	if err != nil || len(m.TreeFrontier) == 0 || m.TreeSize != 3 {
		t.Fatalf("retention marker carries no frontier at 3: %+v %v", m, err)
	}
	return m
}

func writeMarker(t *testing.T, s *objectstore.Store, key string, m objectstore.Manifest) {
	t.Helper()
	enc, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Backend().Put(context.Background(), key, enc); err != nil {
		t.Fatal(err)
	}
}
