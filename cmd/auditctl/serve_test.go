package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/trailstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/fixturestores"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/sessionfixture"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/syncbuf"
)

// testPassword is every test account's password.
const testPassword = "correct horse battery staple"

// Hostile session: agent text carrying HTML and script, which must render as text.
const (
	hostileSession = "s-hostile"
	scriptPayload  = `<script>document.title="pwned-script"</script>`
	imgPayload     = `<img src=x onerror="document.title='pwned-img'">`
)

// consoleFixture is a running `auditctl serve` over the session fixture plus the hostile session.
type consoleFixture struct {
	base, store, users string
	log                *syncbuf.Buffer
}

// writeHostileSession appends a session whose input, output, tool parameters and error message are
// script and HTML payloads.
func writeHostileSession(t *testing.T, storeURL string) {
	t.Helper()
	ctx := context.Background()
	h, err := trailstore.Open(storeURL, registry.OpenOptions{InstanceID: "gw-2"})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	rec := func(i int, typ auditrecord.Type, fill func(*auditrecord.Record)) *auditrecord.Record {
		r := &auditrecord.Record{
			SchemaVersion: auditrecord.SchemaVersion, RecordID: auditrecord.NewRecordID(hostileSession, string(rune('a'+i))),
			Type: typ, Timestamp: at.Add(time.Duration(i) * time.Second), ObservedTimestamp: at.Add(time.Duration(i) * time.Second),
			SessionID: hostileSession, UserID: "u-mallory", Agent: &auditrecord.Agent{Name: "web-agent " + imgPayload},
			Source: &auditrecord.Source{Signal: "traces", Convention: "gen_ai"},
		}
		fill(r)
		return r
	}
	dur := 12.0
	recs := []*auditrecord.Record{
		rec(0, auditrecord.TypeInput, func(r *auditrecord.Record) {
			r.Input = &auditrecord.Input{Role: "user", Content: "summarise " + scriptPayload}
		}),
		rec(1, auditrecord.TypeToolCall, func(r *auditrecord.Record) {
			r.ToolCall = &auditrecord.ToolCall{
				ToolName: "fetch_page", Status: auditrecord.ToolStatusError, DurationMS: &dur,
				Parameters: map[string]any{"url": "https://evil.example/" + imgPayload}, Result: scriptPayload,
			}
		}),
		rec(2, auditrecord.TypeError, func(r *auditrecord.Record) {
			r.Error = &auditrecord.Error{Type: "ToolError", Message: "page said " + imgPayload, ToolName: "fetch_page"}
		}),
		rec(3, auditrecord.TypeOutput, func(r *auditrecord.Record) {
			r.Output = &auditrecord.Output{Model: "gpt-4o", Content: "Done. " + scriptPayload + imgPayload}
		}),
	}
	if err := h.Write(ctx, store.Batch{Signal: "traces", Records: recs}); err != nil {
		t.Fatal(err)
	}
}

// addTestUsers writes the accounts alice (auditor), victor (viewer) and adam (admin).
func addTestUsers(t *testing.T) string {
	t.Helper()
	users := filepath.Join(t.TempDir(), "users")
	saved := passwordInput
	passwordInput = func(io.Writer) ([]byte, error) { return []byte(testPassword), nil }
	defer func() { passwordInput = saved }()
	for _, u := range [][2]string{{"alice", "auditor"}, {"victor", "viewer"}, {"adam", "admin"}} {
		expectRun(t, exitOK, "users", "add", u[0], "--role", u[1], "--users", users)
	}
	return users
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// startConsole runs `auditctl serve` in process until the test ends.
func startConsole(t *testing.T, storeURL string) consoleFixture {
	t.Helper()
	f := consoleFixture{store: storeURL, users: addTestUsers(t), log: &syncbuf.Buffer{}}
	addr := freeAddr(t)
	f.base = "http://" + addr
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--store", storeURL, "--users", f.users, "--addr", addr}, io.Discard, f.log)
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("serve exited %d:\n%s", code, f.log.String())
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err := http.Get(f.base + "/login")
		if err == nil {
			_ = resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("console did not start: %v\n%s", err, f.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return f
}

// apiGet fetches an API path as user (none when user is "").
func (f consoleFixture) apiGet(t *testing.T, user, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, testPassword)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// The API answers 401 without credentials, 403 to a role below the route's, and for the same store
// and query exactly what the CLI prints with --json.
func TestConsoleAPI(t *testing.T) {
	f := startConsole(t, fixturestores.File(t, nil))
	if code, body := f.apiGet(t, "", "/api/v1/sessions"); code != http.StatusUnauthorized || !strings.Contains(body, "authentication required") {
		t.Errorf("no credentials: %d %s", code, body)
	}
	req, _ := http.NewRequest(http.MethodGet, f.base+"/api/v1/sessions", nil)
	req.SetBasicAuth("alice", "wrong password")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: %v %v", resp, err)
	} else {
		_ = resp.Body.Close()
	}
	for _, path := range []string{"/api/v1/sessions/" + sessionfixture.Beta, "/api/v1/users/" + sessionfixture.Bob, "/api/v1/verify", "/api/v1/access-log"} {
		if code, _ := f.apiGet(t, "victor", path); code != http.StatusForbidden {
			t.Errorf("viewer on %s: %d, want 403", path, code)
		}
	}
	verifySameAsCLI(t, f)
	// The CLI's answer is taken first: the API read after it logs an access the next verify counts.
	same := []struct {
		path, user string
		cli        []string
	}{
		{"/api/v1/sessions", "victor", []string{"sessions", "--json"}},
		{"/api/v1/sessions?user=" + sessionfixture.Alice, "alice", []string{"sessions", "--user", sessionfixture.Alice, "--json"}},
		{"/api/v1/sessions/" + sessionfixture.Alpha, "alice", []string{"timeline", sessionfixture.Alpha, "--json"}},
		{"/api/v1/users/" + sessionfixture.Bob + "?from=2026-11-21&to=2026-11-22", "adam", []string{"user", sessionfixture.Bob, "--from", "2026-11-21", "--to", "2026-11-22", "--json"}},
		{"/api/v1/stats?kind=tools", "victor", []string{"stats", "tools", "--json"}},
		{"/api/v1/stats?kind=errors&by=day", "alice", []string{"stats", "errors", "--by", "day", "--json"}},
		{"/api/v1/stats?kind=volume", "alice", []string{"stats", "volume", "--json"}},
	}
	for _, c := range same {
		want := expectRun(t, exitOK, append(c.cli, "--store", f.store)...)
		code, body := f.apiGet(t, c.user, c.path)
		if code != http.StatusOK || body != want || body == "" {
			t.Errorf("%s: %d\n%s\nwant (auditctl %s):\n%s", c.path, code, body, strings.Join(c.cli, " "), want)
		}
	}
	// Every API read is in the access log, with the account and its role.
	code, log := f.apiGet(t, "alice", "/api/v1/access-log")
	for _, want := range []string{
		`"viewer":"alice","role":"auditor","command":"console api verify","target":"verify: 1 findings, 0 failures","records":19`,
		`"viewer":"victor","role":"viewer","command":"console api sessions","target":"sessions","records":19`,
		`"viewer":"adam","role":"admin","command":"console api user","target":"user u-bob 2026-11-21T00:00:00Z..2026-11-22T00:00:00Z","records":5`,
	} {
		if code != http.StatusOK || !strings.Contains(log, want) {
			t.Errorf("access log lacks %s:\n%s", want, log)
		}
	}
	if strings.Contains(f.log.String(), sessionfixture.Alpha) || strings.Contains(f.log.String(), sessionfixture.Bob) {
		t.Errorf("the server log names record ids or users:\n%s", f.log.String())
	}
}

// verifySameAsCLI checks that /api/v1/verify answers what `auditctl verify --json` prints for the
// same store. Each verification appends its access record, which the next one checks, so the CLI
// verifies a copy of the store taken before the API call: both see the same trail, and the reports
// may differ only in the location they name.
func verifySameAsCLI(t *testing.T, f consoleFixture) {
	t.Helper()
	dir := strings.TrimPrefix(f.store, "file://")
	copyDir := t.TempDir()
	if err := os.CopyFS(copyDir, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	code, body := f.apiGet(t, "alice", "/api/v1/verify")
	cli := expectRun(t, exitOK, "verify", "--json", "--store", "file://"+copyDir)
	if want := strings.ReplaceAll(cli, copyDir, dir); code != http.StatusOK || body != want || !strings.Contains(body, `"records": 19`) {
		t.Errorf("/api/v1/verify: %d\n%s\nwant (auditctl verify --json):\n%s", code, body, want)
	}
}

// A browser without a session is sent to the login page; a wrong CSRF token or password is refused;
// too many failures are rate limited.
func TestConsoleLoginGuards(t *testing.T) {
	f := startConsole(t, fixturestores.File(t, nil))
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(f.base + "/sessions/" + sessionfixture.Alpha)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
		t.Errorf("no session: %d %s", resp.StatusCode, loc)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP %q", csp)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: noFollow.CheckRedirect}
	post := func(form url.Values) int {
		if form.Get("csrf") == "" && form.Get("name") != "alice" {
			form.Set("csrf", loginToken(t, browser, f.base))
		}
		resp, err := browser.PostForm(f.base+"/login", form)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(url.Values{"name": {"alice"}, "password": {testPassword}}); code != http.StatusForbidden {
		t.Errorf("login without the form's CSRF token: %d, want 403", code)
	}
	if code := post(url.Values{"name": {"adam"}, "password": {"guess"}}); code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", code)
	}
	for range 4 {
		post(url.Values{"name": {"adam"}, "password": {"guess"}})
	}
	if code := post(url.Values{"name": {"adam"}, "password": {"guess"}}); code != http.StatusTooManyRequests {
		t.Errorf("sixth failed login within a minute: %d, want 429", code)
	}
	if code, _ := f.apiGet(t, "alice", "/api/v1/sessions"); code != http.StatusUnauthorized {
		t.Errorf("Basic auth from a rate-limited address: %d, want 401", code)
	}
}

// loginToken opens the login form in browser (a client with a cookie jar) and returns its CSRF token.
func loginToken(t *testing.T, browser *http.Client, base string) string {
	t.Helper()
	resp, err := browser.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	const marker = `name="csrf" value="`
	i := strings.Index(string(b), marker)
	if i < 0 {
		t.Fatalf("login form without a CSRF field:\n%s", b)
	}
	rest := string(b[i+len(marker):])
	return rest[:strings.IndexByte(rest, '"')]
}

// users add reads the password from standard input when it is not a terminal; list and remove work
// on the file a running console rereads.
func TestUsersCommands(t *testing.T) {
	users := addTestUsers(t)
	if out := expectRun(t, exitOK, "users", "list", "--users", users); out != "adam\tadmin\nalice\tauditor\nvictor\tviewer\n" {
		t.Errorf("list:\n%s", out)
	}
	expectRun(t, exitOK, "users", "remove", "victor", "--users", users)
	expectRun(t, exitUsage, "users", "remove", "victor", "--users", users)
	expectRun(t, exitUsage, "users", "add", "eve", "--role", "root", "--users", users)
	b, err := os.ReadFile(users)
	if err != nil || strings.Contains(string(b), testPassword) || !strings.Contains(string(b), "alice auditor $2") {
		t.Errorf("users file: %v\n%s", err, b)
	}
	if st, err := os.Stat(users); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("users file mode: %v %v", st.Mode(), err)
	}
}
