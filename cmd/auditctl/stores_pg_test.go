package main

import (
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/fixturestores"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/postgres"
)

func TestCommandsOnPostgres(t *testing.T) {
	srv := postgres.Start(t)

	t.Run("queries", func(t *testing.T) {
		queryCommandsTest(t, fixturestores.Postgres(t, srv, "queries"))
	})
	t.Run("forget then verify", func(t *testing.T) {
		url := fixturestores.Postgres(t, srv, "forget")
		with := func(args ...string) []string { return append(args, "--store", url, "--as", "dpo@example.com") }
		dry := expectRun(t, exitOK, with("forget", "--user", "u-alice", "--dry-run")...)
		if !strings.HasPrefix(dry, "dry run: would replace 14 records of user u-alice in 1 objects by tombstones:\n") ||
			!strings.Contains(dry, "agentaudit.records stream gw-1-traces  14 records (seqs 1-10,16-19)") {
			t.Fatalf("dry run output:\n%s", dry)
		}
		expectRun(t, exitOK, with("user", "u-alice")...) // the dry run changed nothing
		out := expectRun(t, exitOK, with("forget", "--user", "u-alice")...)
		if !strings.Contains(out, "replaced 14 records of user u-alice") || !strings.Contains(out, "requester dpo@example.com") {
			t.Fatalf("forget output:\n%s", out)
		}
		rep := expectRun(t, exitOK, "verify", "--store", url)
		if !strings.Contains(rep, "info erased") || !strings.Contains(rep, "seq=1..19") || !strings.Contains(rep, "result:  OK") {
			t.Fatalf("verify after forget:\n%s", rep)
		}
		expectRun(t, exitFindings, "verify", "--store", url, "--require-signature") // rows are not signed
		expectRun(t, exitFindings, with("user", "u-alice")...)
		expectRun(t, exitFindings, with("forget", "--user", "u-alice")...)
		if tl := expectRun(t, exitOK, with("timeline", "s-beta")...); strings.Count(tl, "\n") != 6 {
			t.Fatalf("bob's session changed:\n%s", tl)
		}
		// A row changed behind the store's back is caught.
		seq := srv.Psql(t, "forget", `SELECT min(seq) FROM agentaudit.records WHERE session_id = 's-beta' AND type = 'tool_call'`)
		srv.Psql(t, "forget", `SET agentaudit.maintenance = 'on'; UPDATE agentaudit.records SET record = jsonb_set(record, '{tool_call,status}', '"error"') WHERE stream = 'gw-1-traces' AND seq = `+seq)
		if rep := expectRun(t, exitFindings, "verify", "--store", url); !strings.Contains(rep, "FAIL modified_record") || !strings.Contains(rep, "seq="+seq+":") {
			t.Fatalf("verify after tampering:\n%s", rep)
		}
	})
	t.Run("retention", func(t *testing.T) {
		url := fixturestores.Postgres(t, srv, "retention")
		out := expectRun(t, exitOK, "retention", "--older-than", "1h", "--store", url)
		if !strings.HasPrefix(out, "deleted 1 partitions older than") || !strings.Contains(out, ": 19 records") ||
			!strings.Contains(out, "agentaudit.records/records_2026_11") {
			t.Fatalf("retention on postgres:\n%s", out)
		}
		expectRun(t, exitFindings, "sessions", "--store", url)
		rep := expectRun(t, exitOK, "verify", "--store", url)
		if !strings.Contains(rep, "info expired             stream=gw-1-traces seq=1..19") || !strings.Contains(rep, "result:  OK") {
			t.Fatalf("verify after retention:\n%s", rep)
		}
	})
	t.Run("only agentaudit_admin may erase", func(t *testing.T) {
		fixturestores.Postgres(t, srv, "roles")
		srv.Psql(t, "roles", `CREATE ROLE auditor LOGIN IN ROLE agentaudit_reader`)
		url := srv.DSN("roles", "auditor")
		expectRun(t, exitOK, "sessions", "--store", url) // the reader reads (and its read is logged)
		code, _, errOut := runCLI("forget", "--user", "u-alice", "--store", url)
		if code == exitOK || !strings.Contains(errOut, "agentaudit_admin") {
			t.Fatalf("forget as a reader: exit %d, %s", code, errOut)
		}
		expectRun(t, exitOK, "user", "u-alice", "--store", url)
	})
	t.Run("unreachable", func(t *testing.T) {
		code, _, errOut := runCLI("sessions", "--store", "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
		if code != exitUnreachable {
			t.Fatalf("no server: exit %d, %s", code, errOut)
		}
	})
}
