package registry

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

// Every kind's flags register on one flag set without clashing, and fill the options Open takes.
func TestFlagsFillOpenOptions(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := AddFlags(fs)
	if err := fs.Parse([]string{"--s3-endpoint", "http://127.0.0.1:7070", "--s3-path-style", "--es-flavor", "opensearch", "--postgres-password-file", "/run/pw"}); err != nil {
		t.Fatal(err)
	}
	if o.S3.Endpoint != "http://127.0.0.1:7070" || !o.S3.PathStyle || o.Search.Flavor != "opensearch" || o.Search.IndexPeriod != "day" || o.Postgres.PasswordFile != "/run/pw" {
		t.Errorf("options %+v", *o)
	}
}

// Every kind is reachable by its exporter name and by each of its URL schemes, and no scheme is
// claimed twice.
func TestEveryKindHasANameAndSchemes(t *testing.T) {
	seen := map[string]string{}
	for _, k := range Kinds() {
		if got, ok := ByName(k.Name); !ok || got.Name != k.Name {
			t.Errorf("ByName(%q) does not find it", k.Name)
		}
		if k.NewStore == nil || k.Open == nil || k.Flags == nil || len(k.Schemes) == 0 || k.URLForms == "" {
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

func TestBadURLsAreUsageErrors(t *testing.T) {
	for raw, want := range map[string]string{
		"ftp://host/x":                    `unknown scheme "ftp"`,
		"/var/lib/agentaudit":             "missing scheme",
		"file://host/x":                   "file URLs take no host",
		"s3:///prefix":                    "missing bucket",
		"https:///no-host":                "want http(s)://host:port",
		"postgres://u@h:x/db":             "invalid port",
		"postgres://u@h/db?sslmode=bogus": "dsn:",
	} {
		_, err := Open(raw, OpenOptions{})
		if err == nil || !errors.Is(err, ErrBadURL) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want a bad URL error containing %q", raw, err, want)
		}
	}
}

func TestPostgresLocationHidesThePassword(t *testing.T) {
	h, err := Open("postgres://collector:secret@127.0.0.1:5432/audit?sslmode=disable", OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h.Location(), "secret") || !strings.Contains(h.Location(), "collector") {
		t.Errorf("location %q", h.Location())
	}
}
