package mapping

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
)

// ModelPrice is a model's price in USD per one million tokens.
type ModelPrice struct {
	InputPerMillion  float64 `json:"input_per_million" mapstructure:"input_per_million"`
	OutputPerMillion float64 `json:"output_per_million" mapstructure:"output_per_million"`
}

// PriceTable maps a model name (lower case) to its price. Lookup tries the exact name, then the
// longest table entry the name starts with, so "gpt-4o-2024-08-06" costs as "gpt-4o" and
// "gpt-4o-mini-2024-07-18" as "gpt-4o-mini". A nil PriceTable in Options means the default table.
type PriceTable map[string]ModelPrice

// priceFile is the layout of prices.json and of files given to LoadPriceTable.
type priceFile struct {
	Description string                `json:"description,omitempty"`
	AsOf        string                `json:"as_of,omitempty"`
	Sources     []string              `json:"sources,omitempty"`
	Models      map[string]ModelPrice `json:"models"`
}

//go:embed prices.json
var defaultPricesJSON []byte

// DefaultPriceTable returns a copy of the shipped table (see prices.json for its date and sources).
func DefaultPriceTable() PriceTable {
	t, err := parsePrices(defaultPricesJSON, "prices.json")
	if err != nil {
		panic(err) // the embedded file is checked by TestDefaultPriceTable
	}
	return t
}

// LoadPriceTable reads a price file ({"models": {"name": {"input_per_million": …,
// "output_per_million": …}}}) and returns it merged over the default table.
func LoadPriceTable(path string) (PriceTable, error) {
	raw, err := os.ReadFile(path) //nolint:gosec // G304: the operator names this file (the exporter's pricing.file)
	if err != nil {
		return nil, fmt.Errorf("price table: %w", err)
	}
	t, err := parsePrices(raw, path)
	if err != nil {
		return nil, err
	}
	return DefaultPriceTable().Merge(t), nil
}

// Merge returns a new table holding t's entries overridden by over's.
func (t PriceTable) Merge(over map[string]ModelPrice) PriceTable {
	out := make(PriceTable, len(t)+len(over))
	for k, v := range t {
		out[k] = v
	}
	for k, v := range over {
		out[strings.ToLower(strings.TrimSpace(k))] = v
	}
	return out
}

// Validate reports a negative, NaN or infinite price: the check for a price file and for a
// component's configured per-model prices.
func (p ModelPrice) Validate() error {
	for _, f := range []float64{p.InputPerMillion, p.OutputPerMillion} {
		if f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("prices must be finite and not negative, got %v", f)
		}
	}
	return nil
}

func parsePrices(raw []byte, name string) (PriceTable, error) {
	var f priceFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("price table %s: %w", name, err)
	}
	if len(f.Models) == 0 {
		return nil, fmt.Errorf("price table %s: no models", name)
	}
	t := make(PriceTable, len(f.Models))
	for k, v := range f.Models {
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("price table %s: model %q: %w", name, k, err)
		}
		t[strings.ToLower(strings.TrimSpace(k))] = v
	}
	return t, nil
}

// Lookup finds a model's price: exact name, then longest prefix. Provider prefixes such as
// "openai/" or "models/" are ignored.
func (t PriceTable) Lookup(model string) (ModelPrice, bool) {
	return newPriceIndex(t).lookup(model)
}

// Cost prices a call; ok is false when the model is not in the table.
func (t PriceTable) Cost(model string, inputTokens, outputTokens int64) (float64, bool) {
	return newPriceIndex(t).cost(model, inputTokens, outputTokens)
}

// priceIndex is a PriceTable with its names longest first, built once per Mapper: the longest
// prefix is then the first that matches, where a lookup otherwise ranges over the whole map for
// every model call.
type priceIndex struct {
	table        PriceTable
	longestFirst []string
}

func newPriceIndex(t PriceTable) priceIndex {
	x := priceIndex{table: t, longestFirst: make([]string, 0, len(t))}
	for k := range t {
		x.longestFirst = append(x.longestFirst, k)
	}
	// Two names of one length cannot both prefix a model, so the order among them is immaterial;
	// sorting them too keeps it fixed.
	slices.SortFunc(x.longestFirst, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return x
}

func (x priceIndex) lookup(model string) (ModelPrice, bool) {
	name := strings.ToLower(strings.TrimSpace(model))
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if name == "" {
		return ModelPrice{}, false
	}
	if p, ok := x.table[name]; ok {
		return p, true
	}
	for _, k := range x.longestFirst {
		if k != "" && strings.HasPrefix(name, k) {
			return x.table[k], true
		}
	}
	return ModelPrice{}, false
}

func (x priceIndex) cost(model string, inputTokens, outputTokens int64) (float64, bool) {
	p, ok := x.lookup(model)
	if !ok {
		return 0, false
	}
	c := (float64(inputTokens)*p.InputPerMillion + float64(outputTokens)*p.OutputPerMillion) / 1e6
	// Round to 1e-10 USD to drop float noise (12 × 0.15 is not exactly 1.8), far below any real price.
	return math.Round(c*1e10) / 1e10, true
}
