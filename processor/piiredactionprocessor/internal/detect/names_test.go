package detect

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// readLines returns the non-empty, non-comment lines of a testdata file.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, strings.ReplaceAll(l, `\n`, "\n"))
		}
	}
	return lines
}

// TestNegativeSetKept: agent text full of capitalised words that are not people or addresses
// (testdata/negatives.txt) must pass untouched by PERSON and STREET_ADDRESS, at least 97% of lines.
func TestNegativeSetKept(t *testing.T) {
	e := newTestEngine(t, Options{ScanJSON: true})
	lines := readLines(t, "testdata/negatives.txt")
	if len(lines) < 300 {
		t.Fatalf("negative set has %d lines, want 300+", len(lines))
	}
	kept := 0
	for _, l := range lines {
		hit := false
		for _, f := range e.Scan(l, nil) {
			if f.Type == TypePerson || f.Type == TypeStreetAddress {
				hit = true
				t.Logf("%s %q in %q", e.Name(f.Type), l[f.Start:f.End], l)
			}
		}
		if !hit {
			kept++
		}
	}
	ratio := float64(kept) / float64(len(lines))
	t.Logf("negative set: %d/%d lines kept (%.3f)", kept, len(lines), ratio)
	if ratio < 0.97 {
		t.Errorf("negative set kept %.3f < 0.97", ratio)
	}
}
