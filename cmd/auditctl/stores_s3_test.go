package main

import (
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/fixturestores"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/s3server"
)

// fixtureS3Store is the fixture on srv's bucket as the flags that select it.
func fixtureS3Store(t *testing.T, srv *s3server.Server, bucket string, signer *objectstore.Signer) []string {
	url, o := fixturestores.S3(t, srv, bucket, signer)
	return []string{url, "--s3-endpoint", o.S3.Endpoint, "--s3-region", o.S3.Region, "--s3-path-style"}
}

func TestCommandsOnS3(t *testing.T) {
	srv := s3server.Start(t)

	t.Run("queries", func(t *testing.T) {
		st := fixtureS3Store(t, srv, "queries", nil)
		queryCommandsTest(t, st[0], st[1:]...)
	})
	t.Run("forget then verify", func(t *testing.T) {
		signer, privFile, pubFile := signingKeys(t)
		st := fixtureS3Store(t, srv, "forget", signer)
		forgetThenVerifyTest(t, st[0], privFile, pubFile, st[1:]...)
	})
	t.Run("retention", func(t *testing.T) {
		st := fixtureS3Store(t, srv, "retention", nil)
		out := expectRun(t, exitOK, append([]string{"retention", "--older-than", "1h", "--store"}, st...)...)
		if !strings.Contains(out, "deleted 3 partitions") {
			t.Fatalf("retention on S3:\n%s", out)
		}
		expectRun(t, exitFindings, append([]string{"sessions", "--store"}, st...)...)
	})
	t.Run("unreachable", func(t *testing.T) {
		st := fixtureS3Store(t, srv, "unreachable", nil)
		srv.Stop()
		code, _, errOut := runCLI(append([]string{"sessions", "--store"}, st...)...)
		if code != exitUnreachable {
			t.Fatalf("stopped S3: exit %d, %s", code, errOut)
		}
	})
}
