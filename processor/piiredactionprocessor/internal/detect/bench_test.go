package detect

import (
	"strings"
	"testing"
)

// BenchmarkDetectNoPII measures the engine on clean agent text and JSON: it must not allocate.
func BenchmarkDetectNoPII(b *testing.B) {
	e := newTestEngine(b, Options{ScanJSON: true})
	for _, tc := range []struct{ name, text string }{
		{"text", strings.Repeat(agentText+" ", 16)},
		{"json", "[" + strings.Repeat(agentJSON[1:len(agentJSON)-1]+",", 16) + `{"role":"user"}]`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.text)))
			b.ReportAllocs()
			for range b.N {
				if _, _, changed := e.Redact(tc.text); changed {
					b.Fatal("clean text changed")
				}
			}
		})
	}
}

// BenchmarkDetectWithPII measures a value that holds an email, a card and an API key.
func BenchmarkDetectWithPII(b *testing.B) {
	e := newTestEngine(b, Options{ScanJSON: true})
	text := agentText + " Reach me at jane@example.com, card 4111 1111 1111 1111, key sk-proj-" + strings.Repeat("Ab1Cd2Ef3G", 4)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for range b.N {
		e.Redact(text)
	}
}

// BenchmarkDetectCapitalisedNoPII measures the engine on clean agent text full of capitalised
// words that are not people or addresses (the kept lines of testdata/agent_negatives.tsv and
// testdata/negatives.txt: cities, companies, models, tools, weekdays, dates, quantities), with
// names and addresses on: it must not allocate either.
func BenchmarkDetectCapitalisedNoPII(b *testing.B) {
	e := newTestEngine(b, Options{ScanJSON: true})
	var parts []string
	for _, file := range []string{"testdata/agent_negatives.tsv", "testdata/negatives.txt"} {
		for _, l := range readLines(b, file) {
			if _, text, ok := strings.Cut(l, "\t"); ok {
				l = text
			}
			if len(e.Scan(l, nil)) == 0 {
				parts = append(parts, l)
			}
		}
	}
	text := strings.Join(parts, " ")
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for range b.N {
		if _, _, changed := e.Redact(text); changed {
			b.Fatal("clean text changed")
		}
	}
}
