package detect

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
)

// presidioEntities maps the presidio-research entity labels to our detector types.
var presidioEntities = map[string]Type{
	"EMAIL_ADDRESS":  TypeEmail,
	"PHONE_NUMBER":   TypePhone,
	"CREDIT_CARD":    TypeCreditCard,
	"IBAN_CODE":      TypeIBAN,
	"US_SSN":         TypeUSSSN,
	"IP_ADDRESS":     TypeIPAddress,
	"PERSON":         TypePerson,
	"STREET_ADDRESS": TypeStreetAddress,
}

// corpusFloors are the minimum recall and precision per entity. PERSON and STREET_ADDRESS recall
// is counted strictly: a labelled entity counts only when none of its tokens of 3+ characters
// survives redaction and a finding of its type overlaps it.
var corpusFloors = map[string]struct{ recall, precision float64 }{
	"EMAIL_ADDRESS":  {0.98, 0.95},
	"PHONE_NUMBER":   {0.98, 0.95},
	"CREDIT_CARD":    {0.98, 0.95},
	"IBAN_CODE":      {0.98, 0.95},
	"US_SSN":         {0.98, 0.95},
	"IP_ADDRESS":     {0.98, 0.95},
	"PERSON":         {0.90, 0.80},
	"STREET_ADDRESS": {0.90, 0.80},
}

// strictEntity reports whether every token of 3+ characters of s[start:end] is covered by a finding.
func strictEntity(s string, start, end int, found []Finding) bool {
	i := start
	for i < end {
		for i < end && !tokenRune(s, i) {
			i++
		}
		j := i
		for j < end && tokenRune(s, j) {
			j++
		}
		if utf8.RuneCountInString(s[i:j]) >= 3 {
			covered := false
			for _, f := range found {
				if f.Start <= i && j <= f.End {
					covered = true
				}
			}
			if !covered {
				return false
			}
		}
		i = j
	}
	return true
}

func tokenRune(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '-'
}

type presidioRecord struct {
	FullText string `json:"full_text"`
	Spans    []struct {
		EntityType string `json:"entity_type"`
		Start      int    `json:"start_position"`
		End        int    `json:"end_position"`
	} `json:"spans"`
}

type prScore struct{ tp, fp, goldHit, gold int }

func (s prScore) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

func (s prScore) recall() float64 {
	if s.gold == 0 {
		return 1
	}
	return float64(s.goldHit) / float64(s.gold)
}

// TestPresidioCorpus measures span-level precision and recall on the presidio-research synthetic
// dataset: a detection is a true positive when it overlaps a labelled span of the same entity.
func TestPresidioCorpus(t *testing.T) {
	records := loadPresidio(t)
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	scores := map[string]*prScore{}
	for name := range presidioEntities {
		scores[name] = &prScore{}
	}
	for _, r := range records {
		found := e.Scan(r.FullText, nil)
		for _, sp := range r.Spans {
			typ, ok := presidioEntities[sp.EntityType]
			if !ok {
				continue
			}
			sc := scores[sp.EntityType]
			sc.gold++
			hit := false
			for _, f := range found {
				if f.Type == typ && f.Start < sp.End && sp.Start < f.End {
					hit = true
				}
			}
			if typ == TypePerson || typ == TypeStreetAddress {
				hit = hit && strictEntity(r.FullText, sp.Start, sp.End, found)
			}
			if hit {
				sc.goldHit++
			} else {
				t.Logf("missed %s: %q", sp.EntityType, r.FullText[sp.Start:sp.End])
			}
		}
		for _, f := range found {
			for name, typ := range presidioEntities {
				if f.Type != typ {
					continue
				}
				hit := false
				for _, sp := range r.Spans {
					if sp.EntityType == name && f.Start < sp.End && sp.Start < f.End {
						hit = true
					}
				}
				if hit {
					scores[name].tp++
				} else {
					scores[name].fp++
					t.Logf("false %s: %q in %q", name, r.FullText[f.Start:f.End], r.FullText)
				}
			}
		}
	}
	names := make([]string, 0, len(scores))
	for n := range scores {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		sc := scores[n]
		t.Logf("%-14s gold=%3d recall=%.3f precision=%.3f (tp=%d fp=%d)", n, sc.gold, sc.recall(), sc.precision(), sc.tp, sc.fp)
		floor := corpusFloors[n]
		if sc.recall() < floor.recall {
			t.Errorf("%s recall %.3f < %.2f", n, sc.recall(), floor.recall)
		}
		if sc.precision() < floor.precision {
			t.Errorf("%s precision %.3f < %.2f", n, sc.precision(), floor.precision)
		}
	}
}

// loadPresidio reads the corpus with span offsets converted from characters to bytes.
func loadPresidio(t *testing.T) []presidioRecord {
	t.Helper()
	path := filepath.Join(peers.SharedDir(t), "corpora", "presidio-research", "synth_dataset_v2.json")
	raw, err := os.ReadFile(path)
	peers.Require(t, err == nil, "presidio-research corpus not found at "+path)
	var records []presidioRecord
	if err := json.Unmarshal(raw, &records); err != nil {
		t.Fatalf("parse corpus: %v", err)
	}
	for _, r := range records {
		byteAt := make([]int, 0, len(r.FullText)+1)
		for i := range r.FullText {
			byteAt = append(byteAt, i)
		}
		byteAt = append(byteAt, len(r.FullText))
		for k := range r.Spans {
			r.Spans[k].Start, r.Spans[k].End = byteAt[r.Spans[k].Start], byteAt[r.Spans[k].End]
		}
	}
	return records
}

// withoutNameLists returns a copy of the lexicon without the given and family names, and
// without the trigram model learnt from them unless keepModel.
func withoutNameLists(lx *lexiconTable, keepModel bool) *lexiconTable {
	c := &lexiconTable{text: lx.text, slots: lx.slots, mask: lx.mask, flags: make([]lexFlags, len(lx.flags))}
	for i, f := range lx.flags {
		c.flags[i] = f &^ (lexGiven | lexFamily)
	}
	if keepModel {
		c.llr = lx.llr
	}
	return c
}

// TestPresidioPersonHeldOut measures PERSON recall where the name lists cannot help, because the
// synth corpus was generated from Faker-like name lists that overlap the lexicon: on the entities
// none of whose words is in the lexicon as a name, and on the whole corpus with the name lists
// removed (with and without the trigram model learnt from them).
func TestPresidioPersonHeldOut(t *testing.T) {
	records := loadPresidio(t)
	full := newTestEngine(t, Options{})
	strict := func(e *Engine, unknownOnly bool) (hit, gold int) {
		for _, r := range records {
			found := e.Scan(r.FullText, nil)
			for _, sp := range r.Spans {
				if sp.EntityType != "PERSON" {
					continue
				}
				if unknownOnly && !unknownName(full.lex, r.FullText[sp.Start:sp.End]) {
					continue
				}
				gold++
				ok := false
				for _, f := range found {
					ok = ok || f.Type == TypePerson && f.Start < sp.End && sp.Start < f.End
				}
				if ok && strictEntity(r.FullText, sp.Start, sp.End, found) {
					hit++
				}
			}
		}
		return hit, gold
	}
	h, g := strict(full, true)
	t.Logf("PERSON, names not in the lexicon: %d/%d = %.3f", h, g, float64(h)/float64(g))
	if float64(h)/float64(g) < 0.80 {
		t.Errorf("recall on names outside the lexicon %.3f < 0.80", float64(h)/float64(g))
	}
	model := newTestEngine(t, Options{})
	model.lex = withoutNameLists(full.lex, true)
	h, g = strict(model, false)
	t.Logf("PERSON, no name lists, trigram model kept: %d/%d = %.3f", h, g, float64(h)/float64(g))
	cues := newTestEngine(t, Options{})
	cues.lex = withoutNameLists(full.lex, false)
	h, g = strict(cues, false)
	t.Logf("PERSON, cues and structure only: %d/%d = %.3f", h, g, float64(h)/float64(g))
}

// unknownName reports whether no word of 3+ characters in v is a given or family name.
func unknownName(lx *lexiconTable, v string) bool {
	for _, w := range strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if utf8.RuneCountInString(w) >= 3 && lx.lookup(w)&(lexGiven|lexFamily) != 0 {
			return false
		}
	}
	return true
}
