package main

import (
	"context"
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/s3server"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/sessionfixture"
)

// fixtureS3Store creates bucket on srv holding the session fixture, sets the AWS environment the
// in-process CLI reads its credentials from, and returns the flags that select the store.
func fixtureS3Store(t *testing.T, srv *s3server.Server, bucket string, signer *objectstore.Signer) []string {
	t.Helper()
	ctx := context.Background()
	b := s3Bucket(t, srv, bucket)
	if err := sessionfixture.Write(ctx, b, signer); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": srv.AccessKey, "AWS_SECRET_ACCESS_KEY": srv.SecretKey,
		"AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
	return []string{"s3://" + bucket + "/audit", "--s3-endpoint", srv.Endpoint, "--s3-region", srv.Region, "--s3-path-style"}
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
