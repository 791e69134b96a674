package main

import (
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/fixturestores"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/searchengine"
)

// fixtureSearchStore is the fixture under prefix on the engine at url, as the flags that select it.
func fixtureSearchStore(t *testing.T, url, prefix string) []string {
	u, o := fixturestores.Search(t, url, prefix)
	return []string{u, "--es-flavor", o.Search.Flavor}
}

func TestCommandsOnSearchEngine(t *testing.T) {
	url, _, _ := searchengine.Start(t)

	t.Run("queries", func(t *testing.T) {
		st := fixtureSearchStore(t, url, "auditctl-queries")
		queryCommandsTest(t, st[0], st[1:]...)
	})
	t.Run("forget", func(t *testing.T) {
		st := fixtureSearchStore(t, url, "auditctl-forget")
		with := func(args ...string) []string { return append(append(args, "--store"), st...) }
		dry := expectRun(t, exitOK, with("forget", "--user", "u-alice", "--dry-run", "--as", "dpo@example.com")...)
		if !strings.HasPrefix(dry, "dry run: would replace 14 records of user u-alice in 1 objects by tombstones:") {
			t.Fatalf("dry run:\n%s", dry)
		}
		out := expectRun(t, exitOK, with("forget", "--user", "u-alice", "--as", "dpo@example.com")...)
		if !strings.Contains(out, "replaced 14 records of user u-alice") || !strings.Contains(out, "requester dpo@example.com") {
			t.Fatalf("forget:\n%s", out)
		}
		if rep := expectRun(t, exitOK, with("verify")...); !strings.Contains(rep, "info erased") || !strings.Contains(rep, "14 records replaced by tombstones") {
			t.Fatalf("verify after forget:\n%s", rep)
		}
		sessions := expectRun(t, exitOK, with("sessions")...)
		if strings.Contains(sessions, "u-alice") || !strings.Contains(sessions, "s-beta") {
			t.Fatalf("sessions after forget:\n%s", sessions)
		}
		expectRun(t, exitFindings, with("user", "u-alice")...)
		expectRun(t, exitFindings, with("forget", "--user", "u-alice")...)
	})
	t.Run("retention", func(t *testing.T) {
		st := fixtureSearchStore(t, url, "auditctl-retention")
		with := func(args ...string) []string { return append(append(args, "--store"), st...) }
		out := expectRun(t, exitOK, with("retention", "--older-than", "1h", "--dry-run")...)
		if !strings.HasPrefix(out, "dry run: would delete 3 indices") || !strings.Contains(out, "auditctl-retention-2026.11.20") {
			t.Fatalf("retention dry run:\n%s", out)
		}
		expectRun(t, exitOK, with("sessions")...)
		expectRun(t, exitOK, with("retention", "--older-than", "1h")...)
		expectRun(t, exitFindings, with("sessions")...)
		// Today's index with the access record of the `sessions` read survives.
		if n := strings.Count(expectRun(t, exitOK, with("access-log")...), "\n"); n != 3 {
			t.Fatalf("access log after retention: %d lines, want header + 2 reads", n)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		code, _, errOut := runCLI("sessions", "--store", "http://127.0.0.1:1/agentaudit")
		if code != exitUnreachable {
			t.Fatalf("unreachable engine: exit %d, %s", code, errOut)
		}
	})
}
