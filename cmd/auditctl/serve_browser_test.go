package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/fixturestores"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/sessionfixture"
)

// artifactsEnv names a directory the browser test saves its screenshots in (CI keeps it; `make
// console-screenshots` points it at docs/console); unset, they go to the test's temp directory.
const artifactsEnv = "AGENTAUDIT_ARTIFACTS"

func chromiumPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("chromium")
	if err != nil {
		if _, statErr := os.Stat("/usr/bin/chromium"); statErr == nil {
			p, err = "/usr/bin/chromium", nil
		}
	}
	peers.Require(t, err == nil, "chromium not installed: apt-get install -y chromium")
	return p
}

// browserSession drives one headless Chromium through the console.
type browserSession struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
}

func (b browserSession) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

func (b browserSession) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func evalJS[T any](b browserSession, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return v
}

func (b browserSession) screenshot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o600); err != nil {
		b.t.Fatal(err)
	}
}

// status navigates to path and returns the HTTP status of the page.
func (b browserSession) status(path string) int {
	b.t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatal(err)
	}
	return int(resp.Status)
}

func (b browserSession) open(path string) { b.do(chromedp.Navigate(b.base + path)) }

func (b browserSession) login(name string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base+"/sessions"), chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), name), chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin")), chromedp.WaitVisible(chromedp.CSS("#sessions")))
	if who := b.text("#whoami"); !strings.HasPrefix(who, name+" (") {
		b.t.Fatalf("signed in as %q, want %s", who, name)
	}
}

func (b browserSession) logout() {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#signin")))
	if code := b.status("/sessions"); code != http.StatusOK || !strings.Contains(b.text("h1"), "Sign in") {
		b.t.Fatalf("after sign-out /sessions answered %d with %q, want the login page", code, b.text("h1"))
	}
}

// A real headless Chromium signs in, opens sessions and sees tool calls and the error, sees hostile
// agent text as text with no script run, switches to a viewer who sees content hidden and gets 403
// on an auditor's page, and signs out; the screenshots are kept.
func TestConsoleInChromium(t *testing.T) {
	browser := chromiumPath(t)
	storeURL := fixturestores.File(t, nil)
	writeHostileSession(t, storeURL)
	f := startConsole(t, storeURL)
	dir := os.Getenv(artifactsEnv)
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	b := browserSession{t: t, ctx: bctx, base: f.base, dir: dir}

	b.login("alice")
	if n := b.text("#count"); !strings.HasPrefix(n, "4 of 4 sessions") {
		t.Errorf("sessions page: %q", n)
	}
	b.screenshot("sessions")

	b.open("/sessions/" + sessionfixture.Alpha)
	tl := b.text("#timeline")
	for _, want := range []string{"tool_call", "lookup_order", "send_email", "ToolError", "send_email: SMTP relay refused", `{"order_id":"1234"}`} {
		if !strings.Contains(tl, want) {
			t.Errorf("auditor's timeline lacks %q:\n%s", want, tl)
		}
	}
	if strings.Contains(tl, "hidden") || b.text("#errors") != "1" {
		t.Errorf("auditor's timeline hides content or miscounts errors (%s):\n%s", b.text("#errors"), tl)
	}
	b.screenshot("session")

	hostileRendersAsText(b)
	b.open("/stats")
	b.screenshot("stats")
	b.open("/integrity")
	if v := b.text("#verdict"); !strings.HasPrefix(v, "OK") {
		t.Errorf("integrity verdict %q", v)
	}
	b.screenshot("integrity")
	b.open("/access-log")
	if log := b.text("#access"); !strings.Contains(log, "console session") || !strings.Contains(log, "session "+hostileSession) {
		t.Errorf("access log lacks alice's page views:\n%s", log)
	}
	b.screenshot("access-log")
	b.logout()

	b.login("victor")
	b.open("/sessions/" + sessionfixture.Alpha)
	tl = b.text("#timeline")
	if !strings.Contains(tl, "send_email") || strings.Contains(tl, "SMTP relay") || strings.Contains(tl, "order_id") || !strings.Contains(tl, "hidden") || !strings.Contains(b.text("#content-hidden"), "hidden") {
		t.Errorf("viewer's timeline should show tools and hide content:\n%s", tl)
	}
	b.screenshot("viewer-session")
	if code := b.status("/access-log"); code != http.StatusForbidden || b.text("#error-title") != "Forbidden" {
		t.Errorf("viewer on the access log: %d %q, want 403", code, b.text("#error-title"))
	}
	b.screenshot("forbidden")
	b.logout()
}

// hostileRendersAsText opens the session whose agent text carries <script> and <img onerror>: the
// payloads are on the page as text, the DOM holds no script or img element, and none ran.
func hostileRendersAsText(b browserSession) {
	b.t.Helper()
	b.open("/sessions/" + hostileSession)
	title := evalJS[string](b, `document.title`)
	scripts := evalJS[int](b, `document.querySelectorAll("script").length`)
	imgs := evalJS[int](b, `document.querySelectorAll("img, [onerror]").length`)
	if strings.Contains(title, "pwned") || scripts != 0 || imgs != 0 {
		b.t.Errorf("hostile session: title %q, %d script and %d img/onerror elements", title, scripts, imgs)
	}
	tl := b.text("#timeline")
	for _, p := range []string{scriptPayload, "onerror=", "page said <img"} {
		if !strings.Contains(tl, p) {
			b.t.Errorf("payload %q not shown as text:\n%s", p, tl)
		}
	}
	b.screenshot("hostile-session")
}
