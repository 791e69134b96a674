package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/fixturestores"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/s3server"
)

// TestCheckpointsAndBundlesOnS3: on a real S3 API (versitygw), with the witness in a second bucket,
// a truncated head passes a plain verify and fails verify --checkpoints, and a session's bundle
// exported from S3 verifies offline; after retention cut the oldest object the stream still
// verifies from the retention marker's frontier and the truncation is caught after the cut.
func TestCheckpointsAndBundlesOnS3(t *testing.T) {
	srv := s3server.Start(t)
	fixtureS3Store(t, srv, "env-only", nil) // sets the AWS environment the in-process CLI reads
	signer, privFile, pubFile := signingKeys(t)
	t.Setenv(signingKeyEnv, privFile) // verify signs its access record, as on a signed store it must
	b, w := fixturestores.S3Bucket(t, srv, "trail"), fixturestores.S3Bucket(t, srv, "witness")
	s := writeCheckpointedOn(t, b, w, signer, "a", "b", "c")
	storeArgs := []string{"--store", "s3://trail/audit", "--s3-endpoint", srv.Endpoint, "--s3-region", srv.Region, "--s3-path-style"}
	witnessArgs := []string{
		"--checkpoints", "s3://witness/audit", "--checkpoints-s3-endpoint", srv.Endpoint,
		"--checkpoints-s3-region", srv.Region, "--checkpoints-s3-path-style",
	}
	verifyArgs := append(append([]string{"verify", "--pubkey", pubFile}, storeArgs...), witnessArgs...)
	expectRun(t, exitOK, verifyArgs...)

	file := filepath.Join(t.TempDir(), "b.zip")
	expectRun(t, exitOK, append([]string{"export", "--session", "session-c", "-o", file}, storeArgs...)...)
	if out := expectRun(t, exitOK, "verify", "--bundle", file, "--pubkey", pubFile); !strings.Contains(out, "3 proven") {
		t.Fatalf("bundle from S3:\n%s", out)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatal(err)
	}

	// Retention cuts the first object (a hold keeps session b on): the rest still verifies from the
	// marker's signed frontier, and the truncation below is still caught after the cut.
	signed := append([]string{"--signing-key", privFile}, storeArgs...)
	expectRun(t, exitOK, append([]string{"hold", "add", "--session", "session-b", "--reason", "keep", "--as", "legal@example.com"}, signed...)...)
	if out := expectRun(t, exitOK, append([]string{"retention", "--older-than", "1h"}, signed...)...); !strings.Contains(out, "1 objects") {
		t.Fatalf("retention on S3:\n%s", out)
	}
	if out := expectRun(t, exitOK, verifyArgs...); strings.Contains(out, "checkpoints_unverifiable") {
		t.Fatalf("after retention on S3:\n%s", out)
	}

	ctx := context.Background()
	keys, ms, err := objectstore.ObjectManifests(ctx, b, s.Layout(), "gw-1-traces")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{ms[len(ms)-1].ObjectKey, keys[len(keys)-1], s.Layout().CheckpointKey("gw-1-traces", 9)} {
		if err := b.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	expectRun(t, exitOK, append([]string{"verify", "--pubkey", pubFile}, storeArgs...)...)
	if out := expectRun(t, exitFindings, verifyArgs...); !strings.Contains(out, "FAIL truncated_head") {
		t.Fatalf("truncation on S3:\n%s", out)
	}
}
