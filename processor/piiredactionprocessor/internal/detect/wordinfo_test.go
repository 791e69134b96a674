package detect

import (
	"strings"
	"testing"
)

// TestWordInfoMatchesTheReaders: a classified word (one pass for ASCII, memoised per text) must
// say what readWord, lookup, classOf and asciiWordEnd say about the same offset, memo hit or
// not, for every offset of the test sets and of awkward shapes (O'Brien, Jean-Luc, GitHub,
// McDowell, Łódź, words past the lexicon's length limit), and across texts sharing a pooled memo.
func TestWordInfoMatchesTheReaders(t *testing.T) {
	e := newTestEngine(t, Options{})
	texts := []string{
		"O'Brien met Jean-Luc at GitHub; McDowell and DeAndre said ŁÓDŹ Łódź straße Ärger.",
		"Paris-based, Tokyo’s office, ALLCAPS Word's end- x", strings.Repeat("Abcdefghij", 6) + " ok",
		"São Paulo, İstanbul, K-pop, ſtraße, Kelvin",
	}
	for _, f := range []string{"testdata/agent_negatives.tsv", "testdata/negatives.txt", "testdata/positives.txt"} {
		texts = append(texts, readLines(t, f)...)
	}
	checked := 0
	for _, s := range texts {
		sc := scanner{Engine: e, text: s}
		for pass := range 2 { // the second pass reads from the memo
			for i := range len(s) {
				w := *sc.wordClassed(s, i)
				end, firstUpper, allUpper, camel := readWord(s, i)
				if w.end != end || w.firstUpper() != firstUpper || (end > i && w.shape&shapeAllUpper != 0 != allUpper) ||
					w.shape&shapeCamel != 0 != camel {
					t.Fatalf("pass %d %q at %d: word %+v, readWord %d %v %v %v", pass, s, i, w, end, firstUpper, allUpper, camel)
				}
				if end > i && (w.fl != e.lex.lookup(s[i:end]) || w.cls != classOf(s[i:end])) {
					t.Fatalf("pass %d %q at %d: flags %b/%b, lookup %b/%b", pass, s, i, w.fl, w.cls, e.lex.lookup(s[i:end]), classOf(s[i:end]))
				}
				ae, aok := asciiWordEnd(s, i)
				if ge, gok := w.asciiEnd(s, i); gok != aok || gok && ge != ae {
					t.Fatalf("pass %d %q at %d: asciiEnd %d %v, asciiWordEnd %d %v", pass, s, i, ge, gok, ae, aok)
				}
				checked++
			}
		}
		sc.release() // the next text's scanner takes the same memo: no entry of this one may pass
	}
	if checked < 10000 {
		t.Fatalf("only %d offsets checked", checked)
	}
}

// TestClassifyWordOnCacheMiss classifies mixed-case words against a lexicon with a cold cache,
// so that every word takes the miss path (the word lower-cased after the hashing loop), and
// checks the flags against the warm lexicon's lookup, twice (the second time from the cache).
func TestClassifyWordOnCacheMiss(t *testing.T) {
	warm := loadLexicon()
	cold := buildLexicon(warm.text)
	text := "Berlin PARIS mcdonald Golden tHe Monday march Garcia SMITH abcdefghijklmnopqrstuvwxyzabcdefghijklmnop"
	known := 0
	for pass := range 2 {
		for i := range len(text) {
			if i > 0 && text[i-1] != ' ' || text[i] == ' ' {
				continue
			}
			var w wordInfo
			classifyWord(cold, text, i, &w)
			want := warm.lookup(text[i:w.end])
			if w.fl != want {
				t.Fatalf("pass %d %q: flags %b, lookup %b", pass, text[i:w.end], w.fl, want)
			}
			if want != 0 {
				known++
			}
		}
	}
	if known < 16 {
		t.Fatalf("only %d known words classified: the test checks nothing", known)
	}
}
