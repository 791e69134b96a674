package trailstore

import (
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

// Opening contacts nothing, so each kind's capabilities are known before any network I/O; the
// capabilities are what auditctl's commands and the console ask for.
func TestCapabilitiesByKind(t *testing.T) {
	for url, want := range map[string]string{
		"file:///var/lib/agentaudit":                  "erase expire verify",
		"s3://bucket/audit":                           "erase expire verify",
		"https://127.0.0.1:1/agentaudit":              "erase expire refresh verify",
		"postgres://u@127.0.0.1:1/db?sslmode=disable": "erase expire verify",
	} {
		h, err := Open(url, registry.OpenOptions{InstanceID: "test"})
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		var got []string
		if _, ok := h.(trail.Eraser); ok {
			got = append(got, "erase")
		}
		if _, ok := h.(trail.Expirer); ok {
			got = append(got, "expire")
		}
		if _, ok := h.(trail.Refresher); ok {
			got = append(got, "refresh")
		}
		if _, ok := h.(trail.Verifier); ok {
			got = append(got, "verify")
		}
		if strings.Join(got, " ") != sortedWant(want) {
			t.Errorf("%s: capabilities %v, want %s", url, got, want)
		}
		if strings.Contains(h.Location(), "secret") {
			t.Errorf("%s: location %q shows a password", url, h.Location())
		}
	}
}

// sortedWant puts the capability names in the order the test checks them.
func sortedWant(s string) string {
	var out []string
	for _, c := range []string{"erase", "expire", "refresh", "verify"} {
		if strings.Contains(s, c) {
			out = append(out, c)
		}
	}
	return strings.Join(out, " ")
}
