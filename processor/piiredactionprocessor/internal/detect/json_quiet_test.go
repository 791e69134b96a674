package detect

import (
	"os"
	"strings"
	"testing"
)

// TestQuietFindsNothing: a literal quiet lets pass unscanned is one the scan finds nothing in,
// over every line of the testdata and all its suffixes, with and without the name grammars.
func TestQuietFindsNothing(t *testing.T) {
	e := newTestEngine(t, Options{ScanJSON: true})
	var texts []string
	for _, f := range []string{"positives.txt", "negatives.txt", "agent_negatives.tsv"} {
		b, err := os.ReadFile("testdata/" + f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, strings.Split(string(b), "\n")...)
	}
	texts = append(texts, "user", "assistant", "tool_call_response", "call me ana", "hi ana lee", "camelCase", "x")
	quiet := 0
	for _, line := range texts {
		for i := range len(line) {
			s := line[i:]
			for _, names := range []bool{true, false} {
				if e.quiet(s, names) {
					quiet++
					if fs := e.scan(s, nil, names); len(fs) > 0 {
						t.Errorf("quiet(%q, %v) but scan finds %v", s, names, fs)
					}
				}
			}
		}
	}
	if quiet == 0 {
		t.Fatal("no text was quiet")
	}
}
