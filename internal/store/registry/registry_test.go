package registry

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

func openers(t *testing.T) Openers {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return Flags(fs)
}

// Every kind is reachable by its exporter name and by each of its URL schemes, and no scheme is
// claimed twice.
func TestEveryKindHasANameAndSchemes(t *testing.T) {
	seen := map[string]string{}
	for _, k := range Kinds() {
		if got, ok := ByName(k.Name); !ok || got.Name != k.Name {
			t.Errorf("ByName(%q) does not find it", k.Name)
		}
		if k.NewStore == nil || k.Flags == nil || len(k.Schemes) == 0 || k.URLForms == "" {
			t.Errorf("kind %q is incomplete", k.Name)
		}
		for _, s := range k.Schemes {
			if other, dup := seen[s]; dup {
				t.Errorf("scheme %q claimed by %s and %s", s, other, k.Name)
			}
			seen[s] = k.Name
		}
	}
	if _, ok := ByName("tape"); ok {
		t.Error("ByName found an unknown kind")
	}
	if got := strings.Join(Names(), ","); got != "file,s3,elasticsearch,postgres" {
		t.Errorf("Names() = %s", got)
	}
}

// Opening contacts nothing, so each kind's capabilities are known before any network I/O; the
// capabilities are what auditctl's commands ask for.
func TestCapabilitiesByKind(t *testing.T) {
	o := openers(t)
	for url, want := range map[string]string{
		"file:///var/lib/agentaudit":                  "erase expire verify",
		"s3://bucket/audit":                           "erase expire verify",
		"https://127.0.0.1:1/agentaudit":              "erase expire refresh",
		"postgres://u@127.0.0.1:1/db?sslmode=disable": "erase expire verify",
	} {
		h, err := o.Open(url, OpenOptions{InstanceID: "test"})
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		var got []string
		if _, ok := h.(Eraser); ok {
			got = append(got, "erase")
		}
		if _, ok := h.(Expirer); ok {
			got = append(got, "expire")
		}
		if _, ok := h.(Refresher); ok {
			got = append(got, "refresh")
		}
		if _, ok := h.(Verifier); ok {
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

func TestBadURLsAreUsageErrors(t *testing.T) {
	o := openers(t)
	for raw, want := range map[string]string{
		"ftp://host/x":                    `unknown scheme "ftp"`,
		"/var/lib/agentaudit":             "missing scheme",
		"file://host/x":                   "file URLs take no host",
		"s3:///prefix":                    "missing bucket",
		"https:///no-host":                "want http(s)://host:port",
		"postgres://u@h:x/db":             "invalid port",
		"postgres://u@h/db?sslmode=bogus": "dsn:",
	} {
		_, err := o.Open(raw, OpenOptions{})
		if err == nil || !errors.Is(err, ErrBadURL) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want a bad URL error containing %q", raw, err, want)
		}
	}
}

func TestPostgresLocationHidesThePassword(t *testing.T) {
	h, err := openers(t).Open("postgres://collector:secret@127.0.0.1:5432/audit?sslmode=disable", OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h.Location(), "secret") || !strings.Contains(h.Location(), "collector") {
		t.Errorf("location %q", h.Location())
	}
}
