package mapping

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestDefaultPriceTable(t *testing.T) {
	table := DefaultPriceTable()
	for _, model := range []string{"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "o3", "o4-mini", "claude-sonnet-4", "claude-opus-4", "claude-3-5-haiku", "gemini-2.5-pro", "gemini-2.5-flash"} {
		p, ok := table[model]
		if !ok || p.InputPerMillion <= 0 || p.OutputPerMillion < p.InputPerMillion {
			t.Errorf("%s: %+v %v", model, p, ok)
		}
	}
}

func TestPriceLookup(t *testing.T) {
	table := DefaultPriceTable()
	cases := map[string]string{
		"gpt-4o":                   "gpt-4o",
		"GPT-4o-2024-08-06":        "gpt-4o",
		"gpt-4o-mini-2024-07-18":   "gpt-4o-mini", // longest prefix, not gpt-4o
		"gpt-4.1-mini-2025-04-14":  "gpt-4.1-mini",
		"openai/gpt-4.1":           "gpt-4.1",
		"models/gemini-2.5-flash":  "gemini-2.5-flash",
		"claude-3-5-haiku-latest":  "claude-3-5-haiku",
		"claude-sonnet-4-20250514": "claude-sonnet-4",
		"o3-2025-04-16":            "o3",
	}
	for model, want := range cases {
		got, ok := table.Lookup(model)
		if !ok || got != table[want] {
			t.Errorf("%s: got %+v, want %s", model, got, want)
		}
	}
	for _, model := range []string{"", "llama-3", "gpt-4", "o1"} {
		if _, ok := table.Lookup(model); ok {
			t.Errorf("%q should not be priced", model)
		}
	}
	if c, ok := table.Cost("gpt-4o", 1_000_000, 1_000_000); !ok || c != 12.5 {
		t.Errorf("cost %v", c)
	}
}

func TestLoadPriceTableMergesOverDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prices.json")
	if err := os.WriteFile(path, []byte(`{"as_of":"2026-01","models":{"gpt-4o":{"input_per_million":1,"output_per_million":2},"my-llm":{"input_per_million":0.1,"output_per_million":0.2}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	table, err := LoadPriceTable(path)
	if err != nil {
		t.Fatal(err)
	}
	if table["gpt-4o"].InputPerMillion != 1 || table["my-llm"].OutputPerMillion != 0.2 || table["o3"] != DefaultPriceTable()["o3"] {
		t.Errorf("merged table %v", table)
	}
	if err := os.WriteFile(path, []byte(`{"models":{"x":{"input_per_million":-1}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPriceTable(path); err == nil {
		t.Error("negative price accepted")
	}
	if _, err := LoadPriceTable(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("missing file accepted")
	}
	over := DefaultPriceTable().Merge(map[string]ModelPrice{"My-Model": {InputPerMillion: 5, OutputPerMillion: 6}})
	if over["my-model"].OutputPerMillion != 6 || len(over) != len(DefaultPriceTable())+1 {
		t.Errorf("overrides %v", over)
	}
	for _, bad := range []ModelPrice{{InputPerMillion: -1}, {OutputPerMillion: math.NaN()}, {InputPerMillion: math.Inf(1)}} {
		if err := bad.Validate(); err == nil {
			t.Errorf("price %+v accepted", bad)
		}
	}
	if err := (ModelPrice{InputPerMillion: 5, OutputPerMillion: 0}).Validate(); err != nil {
		t.Errorf("a valid price rejected: %v", err)
	}
	// A custom table flows into records.
	m := New(Options{Prices: over})
	recs, _ := mapTraces(t, m, buildTraces(t, resourceSpec{spans: []spanSpec{chatSpan(map[string]any{
		"gen_ai.request.model": "my-model-v2", "gen_ai.usage.input_tokens": int64(1_000_000), "gen_ai.usage.output_tokens": int64(0),
	})}}))
	if c := recs[0].LLMCall.Cost; c == nil || *c != 5 {
		t.Errorf("cost %v", c)
	}
}
