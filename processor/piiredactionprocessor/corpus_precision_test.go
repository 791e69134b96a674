package piiredactionprocessor

import (
	"context"
	"testing"
)

// TestBenchCorpusFindsOnlyPlantedPII checks precision on realistic agent spans, both benchmark
// corpora (the capitalised one full of cities, dates, companies, models and tools): only the
// spans that carry a planted value get a summary, and each of those gets exactly the planted type.
func TestBenchCorpusFindsOnlyPlantedPII(t *testing.T) {
	for _, capitalised := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "capitalised"}[capitalised], func(t *testing.T) {
			benchCorpusFindsOnlyPlantedPII(t, capitalised)
		})
	}
}

func benchCorpusFindsOnlyPlantedPII(t *testing.T, capitalised bool) {
	r, _ := newTestRedactor(t, nil)
	td, _ := styledBenchCorpus(400, capitalised)
	if _, err := r.processTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	wantType := []string{"EMAIL", "CREDIT_CARD", "PHONE", "OPENAI_KEY", "US_SSN", "IBAN", "IP_ADDRESS", "GITHUB_TOKEN"}
	for i, span := range td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
		n, types := summaryOf(t, span.Attributes())
		if i%10 != 3 {
			if n != 0 {
				t.Errorf("span %d: false positives %v", i, types)
			}
			continue
		}
		if want := wantType[(i/10)%len(wantType)]; n != 1 || len(types) != 1 || types[0] != want {
			t.Errorf("span %d: got %d %v, want one %s", i, n, types, want)
		}
	}
}
