package detect

import (
	"sync"
	"unsafe"
)

// The grammars' view of a word. The name and address grammars both read the words around a
// capital or a house number ("Terminal 5", "12 March", "42 Rowan Close"), often the same words:
// the capital word is read by the name grammar, then again by the address grammar looking back
// from the number, then by the date reader. Each read used to re-scan the letters, lower-case
// them and hash them twice (the lexicon and the grammar's word lists). wordInfo is that work
// done once: the word's extent, its case shape, its lexicon flags and its word-list classes,
// remembered per text in the scanner's memo so that a second reader gets it for a compare.

// wordShape is the case shape of a word as readWord reads it.
type wordShape uint8

const (
	shapeFirstUpper  wordShape = 1 << iota // the first letter is upper case
	shapeAllUpper                          // every letter is
	shapeCamel                             // an upper-case letter follows a lower-case one (GitHub)
	shapeSimpleASCII                       // ASCII letters only, none upper case after the first
)

// wordInfo is one classified word: s[start:end] as readWord reads it from start.
type wordInfo struct {
	key   int // start+1 in the memo; 0 is an empty slot
	end   int
	shape wordShape
	fl    lexFlags  // the lexicon's flags for s[start:end]
	cls   wordClass // the grammar word lists s[start:end] is in, once shapeClassed is set
	h     uint32    // FNV-1a of the lower-cased word, for ASCII words read in one pass (else 0)
	gen   uint32    // the memo generation the entry belongs to
}

// shapeClassed marks a wordInfo whose cls is computed: the name grammar's fast path decides
// most capitalised words from the lexicon alone and never asks for the word lists.
const shapeClassed wordShape = 1 << 7

// shapeHashed marks an ASCII word read in one pass: h is its lower-case hash.
const shapeHashed wordShape = 1 << 6

func (w *wordInfo) firstUpper() bool { return w.shape&shapeFirstUpper != 0 }

// memoSlots is the memo's size: the grammars look at most a few words around a position, and
// the scan moves forward; a direct-mapped table by offset keeps them at one compare per hit.
const memoSlots = 32

// scanner is one scan of one text by an Engine: the Engine's configuration plus the per-call
// memo of classified words. It lives on the caller's stack; the memo is taken from a pool at
// the first word read (most values, JSON keys and lower-case prose, never read one) and given
// back by release. It is only trusted for the text the scanner was made for.
type scanner struct {
	*Engine
	text  string
	spare wordInfo // the answer for a text other than the memo's
	memo  *wordMemo
}

// wordMemo is the direct-mapped memo of classified words by offset. Entries carry the
// generation they were written in, and each scan takes a new generation, so that a pooled memo
// needs no clearing between texts.
type wordMemo struct {
	gen   uint32
	slots [memoSlots]wordInfo
}

var memoPool = sync.Pool{New: func() any { return new(wordMemo) }}

// release gives the memo back to the pool; the scanner must not be used afterwards.
func (sc *scanner) release() {
	if sc.memo != nil {
		memoPool.Put(sc.memo)
		sc.memo = nil
	}
}

func (sc *scanner) takeMemo() *wordMemo {
	m := memoPool.Get().(*wordMemo)
	if m.gen++; m.gen == 0 { // after 2^32 scans: old entries could pass for new ones
		*m = wordMemo{gen: 1}
	}
	sc.memo = m
	return m
}

// word returns the classified word that starts at i in s (end == i when no letter starts
// there). The pointer is valid until the next call.
func (sc *scanner) word(s string, i int) *wordInfo {
	// Comparing the data pointers tells the scanned text from a substring or another string.
	if len(s) != len(sc.text) || unsafe.StringData(s) != unsafe.StringData(sc.text) { //nolint:gosec // G103: compares pointers, reads nothing
		classifyWord(sc.lex, s, i, &sc.spare)
		return &sc.spare
	}
	memo := sc.memo
	if memo == nil {
		memo = sc.takeMemo()
	}
	m := &memo.slots[i&(memoSlots-1)]
	if m.key != i+1 || m.gen != memo.gen {
		classifyWord(sc.lex, s, i, m)
		m.gen = memo.gen
	}
	return m
}

// wordClassed is word with its word lists (cls) computed.
func (sc *scanner) wordClassed(s string, i int) *wordInfo {
	w := sc.word(s, i)
	if w.shape&shapeClassed == 0 {
		if w.shape&shapeHashed != 0 {
			w.cls = grammar.classOfASCII(s[i:w.end], w.h)
		} else {
			w.cls = classOf(s[i:w.end])
		}
		w.shape |= shapeClassed
	}
	return w
}

// asciiLetter classes the bytes of an ASCII word: letterLower, letterUpper, 0 for the rest.
var asciiLetter = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = letterLower, letterUpper
	}
	return t
}()

const (
	letterLower = 1
	letterUpper = 2
)

// classifyWord reads and classifies the word at i into w. ASCII words, nearly all of them, are
// read, lower-cased and hashed in one pass and answered from the lexicon's cache; other words
// go through readWord and lookup. The lower-cased word is only written out on a cache miss (a
// few words in a hundred): copying every byte into a buffer cost a sixth of the loop. The pass
// only collects which kinds of letters follow the first; the case shape is worked out after
// it, and only a word with a capital after its first letter (GitHub, EMEA) is read again.
func classifyWord(lx *lexiconTable, s string, i int, w *wordInfo) {
	*w = wordInfo{key: i + 1}
	j := i
	if j < len(s) && asciiLetter[s[j]] == 0 {
		if c := s[j]; c >= 0x80 || c == '\'' || c == '-' {
			classifySlow(lx, s, i, w)
			return
		}
		countWork(1)
		w.end, w.shape = j, shapeAllUpper
		return
	}
	h := uint32(2166136261)
	rest := uint8(0) // the letter classes after the first
	if j < len(s) {
		h = (h ^ uint32(s[j]|0x20)) * 16777619 // an ASCII letter: |0x20 lower-cases it
		j++
	}
	for ; j < len(s); j++ {
		c := s[j]
		k := asciiLetter[c]
		if k == 0 {
			break
		}
		rest |= k
		h = (h ^ uint32(c|0x20)) * 16777619
	}
	if j < len(s) && (s[j] >= 0x80 || s[j] == '\'' || s[j] == '-') {
		classifySlow(lx, s, i, w) // letters of other scripts, O'Brien, Jean-Luc
		return
	}
	w.end = j
	if j == i {
		countWork(1)
		w.shape = shapeAllUpper
		return
	}
	switch { // the case shape; only a capital after the first letter (GitHub, EMEA) needs a second look
	case rest&letterUpper != 0:
		w.shape = camelShape(s[i:j], rest) | shapeHashed
	case s[i] > 'Z':
		w.shape = shapeSimpleASCII | shapeHashed
	case rest == 0:
		w.shape = shapeFirstUpper | shapeAllUpper | shapeSimpleASCII | shapeHashed // "A", "I"
	default:
		w.shape = shapeFirstUpper | shapeSimpleASCII | shapeHashed
	}
	w.h = h
	if lx == nil {
		countWork(j - i + 1)
		return
	}
	countWork(j - i + 2) // the bytes read and one lookup
	if n := j - i; n <= maxLexWord {
		if fl, ok := lx.cached(n, h); ok {
			w.fl = fl
		} else {
			var buf [maxLexWord]byte
			w.fl = lx.lookupHashed(stackString(&buf, lowerInto(&buf, s[i:j])), h)
		}
	}
}

// camelShape is the case shape of an ASCII word w (letters only) with a capital after its
// first letter, whose letters after the first have the classes rest: camel case unless
// the capital follows a name prefix (McDowell), all upper case when no letter is lower case.
func camelShape(w string, rest uint8) wordShape {
	shape := wordShape(0)
	first := asciiLetter[w[0]]
	if first == letterUpper {
		shape |= shapeFirstUpper
	}
	if (first|rest)&letterLower == 0 {
		shape |= shapeAllUpper
	}
	for j := 1; j < len(w); j++ {
		if asciiLetter[w[j]] == letterUpper && asciiLetter[w[j-1]] == letterLower && !camelPrefix(w[:j]) {
			return shape | shapeCamel
		}
	}
	return shape
}

// classifySlow is classifyWord through readWord and lookup.
func classifySlow(lx *lexiconTable, s string, i int, w *wordInfo) {
	end, firstUpper, allUpper, camel := readWord(s, i)
	w.end = end
	if firstUpper {
		w.shape |= shapeFirstUpper
	}
	if allUpper {
		w.shape |= shapeAllUpper
	}
	if camel {
		w.shape |= shapeCamel
	}
	if end > i {
		if simpleASCII(s[i:end]) {
			w.shape |= shapeSimpleASCII
		}
		if lx != nil {
			w.fl = lx.lookup(s[i:end])
		}
	}
}

// simpleASCII reports whether w is ASCII letters with no capital after the first.
func simpleASCII(w string) bool {
	for k := range len(w) {
		c := w[k]
		if c >= 'a' && c <= 'z' || k == 0 && c >= 'A' && c <= 'Z' {
			continue
		}
		return false
	}
	return true
}

// asciiEnd is asciiWordEnd for a classified word starting at i: the end of a capitalised ASCII
// word, or ok false when the word has other letters or continues with an apostrophe, a hyphen, a
// non-ASCII byte or a capital.
func (w *wordInfo) asciiEnd(s string, i int) (int, bool) {
	end := w.end
	if end == i || w.shape&shapeSimpleASCII == 0 {
		return 0, false
	}
	if end < len(s) {
		if c := s[end]; c >= 0x80 || c == '\'' || c == '-' || c >= 'A' && c <= 'Z' {
			return 0, false
		}
	}
	return end, true
}

// classOfASCII is classOf for an ASCII word (any case, no trailing dot) whose lower-case FNV
// hash is h: the keys are compared case-insensitively instead of lower-casing the word again.
func (t *wordTable) classOfASCII(w string, h uint32) wordClass {
	if len(w) == 0 || len(w) > maxLexWord {
		return 0
	}
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		k := t.keys[i]
		if k == "" {
			return 0
		}
		if len(k) == len(w) && equalLowerASCII(k, w) {
			return t.classes[i]
		}
	}
}

// equalLowerASCII reports whether w (ASCII letters, any case) lower-cased equals lower.
func equalLowerASCII(lower, w string) bool {
	for i := range len(w) {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
