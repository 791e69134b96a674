package detect

import (
	"strings"
	"testing"
)

// TestLowerCasedNegativesKept: the kept lines of both negative sets, lower-cased, must stay free
// of PERSON findings (at least 99%): without capitals the lower-case grammar is the only one
// that can fire, and places, products and plain words must not look like names to it.
func TestLowerCasedNegativesKept(t *testing.T) {
	e := newTestEngine(t, Options{ScanJSON: true})
	kept, n := 0, 0
	for _, file := range []string{"testdata/agent_negatives.tsv", "testdata/negatives.txt"} {
		for _, l := range readLines(t, file) {
			if _, text, ok := strings.Cut(l, "\t"); ok {
				l = text
			}
			if len(e.Scan(l, nil)) > 0 {
				continue // a line the capitalised grammar does not keep is no negative here
			}
			l = strings.ToLower(l)
			n++
			hit := false
			for _, f := range e.Scan(l, nil) {
				if f.Type == TypePerson {
					hit = true
					t.Logf("PERSON %q in %q", l[f.Start:f.End], l)
				}
			}
			if !hit {
				kept++
			}
		}
	}
	ratio := float64(kept) / float64(n)
	t.Logf("lower-cased negatives: %d/%d lines kept (%.3f)", kept, n, ratio)
	if n < 300 || ratio < 0.99 {
		t.Errorf("lower-cased negatives kept %d/%d (%.3f), want 300+ lines and 0.99", kept, n, ratio)
	}
}

// TestLowerCaseNames pins the lower-case grammar: what it finds (the exact findings) and keeps.
func TestLowerCaseNames(t *testing.T) {
	e := newTestEngine(t, Options{ScanJSON: true})
	for _, tc := range []struct{ text, want string }{
		{"please follow up with patricia desrosiers next week", "patricia desrosiers"},
		{"the verses from eric g. samoylova's tales", "eric g. samoylova"},
		{"mr. elliott flew to oslo on friday", "elliott"},
		{"sometimes people call me višeslav", "višeslav"},
		{"my name is borna jerković but everyone calls me borna", "borna jerković|borna"},
		{"they had 3: silvana, adam and caleb.", "silvana|adam|caleb"},
		{"selma is from the oslo office", "selma"},
		{"leidy t muris\nlabor relations director", "leidy t muris"},
		{"the los angeles and san francisco offices share one vpn.", ""},
		{"customer berlin office asked for the report.", ""},
		{"air france a annulé le vol pour marseille.", ""},
		{"secret_name: db, tool_name: search", ""},
		{"run kubectl get pods in the default namespace", ""},
		// With a capital anywhere the capitalised grammar alone decides.
		{"Please follow up with patricia desrosiers next week", ""},
	} {
		var got []string
		for _, f := range e.Scan(tc.text, nil) {
			if f.Type == TypePerson {
				got = append(got, tc.text[f.Start:f.End])
			}
		}
		want := tc.want
		if strings.Join(got, "|") != want {
			t.Errorf("%q: got %q, want %q", tc.text, got, want)
		}
	}
}
