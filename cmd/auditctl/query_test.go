package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/fixturestores"
)

func expectRun(t *testing.T, wantCode int, args ...string) string {
	t.Helper()
	code, out, errOut := runCLI(args...)
	if code != wantCode {
		t.Fatalf("auditctl %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, wantCode, out, errOut)
	}
	return out
}

func sameText(t *testing.T, got, want string) {
	t.Helper()
	if want = strings.TrimPrefix(want, "\n"); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// queryCommandsTest runs every read command against a store holding the session fixture; the rows
// are exact, and every read leaves an access record that access-log lists.
func queryCommandsTest(t *testing.T, url string, storeArgs ...string) {
	st := append([]string{"--store", url, "--as", "auditor@example.com"}, storeArgs...)
	withStore := func(args ...string) []string { return append(args, st...) }

	sameText(t, expectRun(t, exitOK, withStore("sessions", "--user", "u-alice")...), `
SESSION  USER     AGENT        MODEL        START                 DURATION  RECORDS  TOOLS  LLM  ERRORS  TOKENS  COST
s-alpha  u-alice  support-bot  gpt-4o       2026-11-20T09:00:00Z  12.0s     10       2      2    1       400     $0.0033
s-gamma  u-alice  support-bot  gpt-4o-mini  2026-11-22T10:00:00Z  5.0s      4        1      0    1       0       $0.0000
`)
	sameText(t, expectRun(t, exitOK, withStore("timeline", "s-gamma")...), `
TIME          TYPE       NAME         STATUS  DURATION  TOKENS  COST  DETAIL
10:00:00.000  input      user         -       -         -       -     What is the weather in Oslo?
10:00:04.000  tool_call  web_search   error   3.0s      -       -     {"q":"Oslo weather"}
10:00:04.000  error      ToolError    error   -         -       -     web_search: HTTP 503 from search backend
10:00:05.000  output     gpt-4o-mini  -       -         -       -     Sorry, search is unavailable.
`)
	jsonl := expectRun(t, exitOK, withStore("timeline", "s-beta", "--json")...)
	if lines := strings.Split(strings.TrimSpace(jsonl), "\n"); len(lines) != 5 || !strings.Contains(lines[0], `"session_id":"s-beta"`) {
		t.Errorf("timeline --json: %d lines:\n%s", len(lines), jsonl)
	}
	sameText(t, expectRun(t, exitOK, withStore("user", "u-bob", "--from", "2026-11-21", "--to", "2026-11-22")...), `
SESSION  TIMESTAMP             TYPE       NAME          STATUS   DURATION  TOKENS  COST     DETAIL
s-beta   2026-11-21T14:30:00Z  input      user          -        -         -       -        Find two flights to Lisbon
s-beta   2026-11-21T14:30:00Z  llm_call   gpt-4o        ok       1.0s      100     $0.0008  -
s-beta   2026-11-21T14:30:01Z  output     gpt-4o        -        -         100     $0.0008  Searching flights.
s-beta   2026-11-21T14:30:03Z  tool_call  lookup_order  success  900ms     -       -        {"order_id":"77"} → {"status":"open"}
s-beta   2026-11-21T14:30:06Z  tool_call  lookup_order  success  2.1s      -       -        {"order_id":"78"} → {"status":"open"}
`)
	sameText(t, expectRun(t, exitOK, withStore("stats", "tools")...), `
TOOL          CALLS  ERRORS  ERROR_RATE  AVG    P95    REQUESTED
lookup_order  3      0       0.0%        1.5s   2.1s   0
send_email    1      1       100.0%      800ms  800ms  0
web_search    1      1       100.0%      3.0s   3.0s   0
`)
	sameText(t, expectRun(t, exitOK, withStore("stats", "errors", "--by", "day")...), `
BUCKET      ERRORS  RECORDS  RATE
2026-11-20  1       10       10.0%
2026-11-21  0       5        0.0%
2026-11-22  1       4        25.0%
`)
	sameText(t, expectRun(t, exitOK, withStore("stats", "volume", "--by", "day", "--json")...), `
{"bucket":"2026-11-20T00:00:00Z","records":10,"spike":false}
{"bucket":"2026-11-21T00:00:00Z","records":5,"spike":false}
{"bucket":"2026-11-22T00:00:00Z","records":4,"spike":false}
`)
	// Access records are not agent activity: the volume above stays 10/5/4 although reads were logged.

	log := expectRun(t, exitOK, withStore("access-log", "--json")...)
	lines := strings.Split(strings.TrimSpace(log), "\n")
	wantTargets := []string{
		`"command":"sessions","target":"sessions of user u-alice","records":14`,
		`"command":"timeline","target":"session s-gamma","records":4`,
		`"command":"timeline","target":"session s-beta","records":5`,
		`"command":"user","target":"user u-bob 2026-11-21T00:00:00Z..2026-11-22T00:00:00Z","records":5`,
		`"command":"stats","target":"stats tools","records":5`,
		`"command":"stats","target":"stats errors by day","records":19`,
		`"command":"stats","target":"stats volume by day","records":19`,
	}
	if len(lines) != len(wantTargets) {
		t.Fatalf("access log has %d entries, want %d:\n%s", len(lines), len(wantTargets), log)
	}
	for i, w := range wantTargets {
		if !strings.Contains(lines[i], `"viewer":"auditor@example.com"`) || !strings.Contains(lines[i], w) {
			t.Errorf("access entry %d: %s\nwant %s", i, lines[i], w)
		}
	}
	// The access-log read itself is logged too.
	if n := strings.Count(expectRun(t, exitOK, withStore("access-log", "--json")...), "\n"); n != len(wantTargets)+1 {
		t.Errorf("second access-log read lists %d entries, want %d", n, len(wantTargets)+1)
	}
}

func TestQueryCommandsOnFileStore(t *testing.T) {
	url := fixturestores.File(t, nil)
	queryCommandsTest(t, url)
}

func TestQueryExitCodes(t *testing.T) {
	url := fixturestores.File(t, nil)
	for _, tc := range []struct {
		code int
		args []string
		msg  string
	}{
		{exitFindings, []string{"timeline", "no-such-session", "--store", url}, "no records matched session no-such-session"},
		{exitFindings, []string{"user", "nobody", "--store", url}, "no records matched user nobody"},
		{exitUsage, []string{"timeline", "--store", url}, "want <session>"},
		{exitUsage, []string{"sessions", "--from", "yesterday", "--store", url}, "--from"},
		{exitUsage, []string{"sessions", "--from", "2026-11-22", "--to", "2026-11-21", "--store", url}, "is not before --to"},
		{exitUsage, []string{"stats", "latency", "--store", url}, "unknown statistic"},
		{exitUsage, []string{"stats", "volume", "--by", "week", "--store", url}, "use hour or day"},
		{exitUsage, []string{"sessions"}, "--store is required"},
		{exitUsage, []string{"sessions", "--store", "ftp://x"}, "unknown scheme"},
		{exitUnreachable, []string{"sessions", "--store", "file:///does/not/exist"}, "store directory"},
	} {
		code, _, errOut := runCLI(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.msg) {
			t.Errorf("auditctl %s: exit %d, stderr %q; want exit %d mentioning %q", strings.Join(tc.args, " "), code, errOut, tc.code, tc.msg)
		}
	}
}

func TestReportCommand(t *testing.T) {
	url := fixturestores.File(t, nil)
	out := filepath.Join(t.TempDir(), "report.html")
	expectRun(t, exitOK, "report", "s-alpha", "-o", out, "--store", url)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<code>lookup_order</code>", "<code>send_email</code>", "Agent session <code>s-alpha</code>"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report lacks %s", want)
		}
	}
	expectRun(t, exitFindings, "report", "nope", "-o", out, "--store", url)
	if code, _, errOut := runCLI("report", "s-alpha", "--store", url); code != exitUsage || !strings.Contains(errOut, "-o FILE is required") {
		t.Fatalf("report without -o: exit %d %s", code, errOut)
	}
}
