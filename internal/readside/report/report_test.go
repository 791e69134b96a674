package report_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/report"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/sessionfixture"
)

// ChromiumInstallHint tells a developer (and CI) how to get the browser the rendering test needs.
const ChromiumInstallHint = "chromium not installed: apt-get install -y chromium"

func renderAlpha(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	err := report.Render(&buf, sessionfixture.Sessions()[sessionfixture.Alpha], report.Options{
		SessionID: sessionfixture.Alpha, GeneratedAt: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
		GeneratedBy: "auditor@example.com", Store: "file:///var/lib/audit",
	})
	if err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestReportIsSelfContainedAndComplete(t *testing.T) {
	doc := renderAlpha(t)
	// Nothing is fetched: no scripts, stylesheets, images, fonts or links to anywhere.
	for _, external := range []string{"<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import", "http://", "https://"} {
		if strings.Contains(doc, external) {
			t.Errorf("report contains %q; it must be self-contained", external)
		}
	}
	for _, want := range []string{
		`<tr class="tool"><td>09:00:05.000</td><td><code>lookup_order</code></td><td class="status">success</td><td>1.5s</td>`,
		`<tr class="tool failed"><td>09:00:08.000</td><td><code>send_email</code></td><td class="status">error</td><td>800ms</td>`,
		`<span class="muted">tokens total</span><b>400</b>`,
		`<span class="muted">tokens in / out</span><b>320 / 80</b>`,
		`<span class="muted">cost (USD)</span><b>$0.0033</b>`,
		`<span class="muted">redaction markers</span><b>2</b>`,
		`Mail me at <mark class="redaction" title="redacted before storage">[REDACTED:EMAIL]</mark>`,
		`<rect class="span tool failed"`,
		`<path class="error-mark"`,
		`<title>error ToolError: SMTP relay refused</title>`,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("report lacks %s", want)
		}
	}
	if n := strings.Count(doc, `<div class="entry `); n != 10 {
		t.Errorf("transcript has %d entries, want the session's 10 records", n)
	}
	if n := strings.Count(doc, `<rect class="span `); n != 5 {
		t.Errorf("chart has %d span bars, want 5 (agent run, 2 model calls, 2 tool calls)", n)
	}
}

func TestReportEscapesContent(t *testing.T) {
	recs := []*auditrecord.Record{{
		SchemaVersion: "1.0", RecordID: "x", Type: auditrecord.TypeInput, Timestamp: time.Unix(0, 0),
		SessionID: "s", Input: &auditrecord.Input{Content: `<script>alert(1)</script> [REDACTED:PHONE]`},
	}}
	var buf bytes.Buffer
	if err := report.Render(&buf, recs, report.Options{SessionID: `s"><script>`}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<script") {
		t.Fatal("record content reached the page unescaped")
	}
}

// TestReportRendersInChromium opens the report in a real headless browser: the DOM it builds shows
// every tool call, and the screenshot it paints has the tool bars in green and the failure in red.
func TestReportRendersInChromium(t *testing.T) {
	browser, err := exec.LookPath("chromium")
	if err != nil {
		if _, statErr := os.Stat("/usr/bin/chromium"); statErr == nil {
			browser, err = "/usr/bin/chromium", nil
		}
	}
	peers.Require(t, err == nil, ChromiumInstallHint)

	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, []byte(renderAlpha(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	chromium := func(args ...string) []byte {
		t.Helper()
		base := []string{
			"--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + filepath.Join(dir, "profile"),
			"--no-first-run", "--disable-extensions", "--window-size=1280,1800",
		}
		cmd := exec.CommandContext(ctx, browser, append(base, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+dir)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
		}
		return out
	}

	dom := string(chromium("--dump-dom", "file://"+file))
	rows := regexp.MustCompile(`<tr class="tool[^"]*"><td>[^<]*</td><td><code>([a-z_]+)</code></td><td class="status">([a-z]+)</td>`).FindAllStringSubmatch(dom, -1)
	var got []string
	for _, r := range rows {
		got = append(got, r[1]+"="+r[2])
	}
	if strings.Join(got, ",") != "lookup_order=success,send_email=error" {
		t.Fatalf("tool calls in the rendered DOM: %v", got)
	}
	if !strings.Contains(dom, `<svg class="chart"`) || !strings.Contains(dom, "tool send_email") {
		t.Fatal("the rendered DOM has no timeline chart with the tool rows")
	}

	shot := filepath.Join(dir, "shot.png")
	chromium("--screenshot="+shot, "--hide-scrollbars", "file://"+file)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		t.Fatal(err)
	}
	near := func(r, g, b uint32, want [3]uint32) bool {
		d := func(a, b uint32) uint32 {
			if a > b {
				return a - b
			}
			return b - a
		}
		return d(r>>8, want[0]) < 12 && d(g>>8, want[1]) < 12 && d(b>>8, want[2]) < 12
	}
	var red, green, blue int
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			switch {
			case near(r, g, b, [3]uint32{0xd6, 0x28, 0x28}):
				red++
			case near(r, g, b, [3]uint32{0x12, 0xa3, 0x7a}):
				green++
			case near(r, g, b, [3]uint32{0x4f, 0x6e, 0xf7}):
				blue++
			}
		}
	}
	// A bar is several hundred pixels; text and legend swatches alone stay far below that.
	if red < 300 || green < 300 || blue < 300 {
		t.Fatalf("screenshot shows %d red (failed tool, error), %d green (tool calls), %d blue (model calls) pixels; the chart did not paint", red, green, blue)
	}
	t.Logf("screenshot %dx%d: %d red, %d green, %d blue pixels", bounds.Dx(), bounds.Dy(), red, green, blue)
}

func TestReportMarksRedactionsInToolParameters(t *testing.T) {
	if doc := renderAlpha(t); !strings.Contains(doc, `&#34;to&#34;: &#34;<mark class="redaction" title="redacted before storage">[REDACTED:EMAIL]</mark>&#34;`) {
		t.Fatal("redaction marker in a tool parameter is not highlighted")
	}
}
