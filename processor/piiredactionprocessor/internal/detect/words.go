package detect

import (
	"strings"
	"unicode/utf8"
	"unsafe"
)

// The grammars' own word lists (street types, particles, units, cue words, key names...) live in
// one compact immutable table built once at start-up: an open-addressing hash set over the
// lower-cased words whose slots carry a bit mask of the lists a word belongs to. A list is one
// bit (wordClass); asking whether a word is in any number of lists is one hash and one probe,
// without a map and without allocating.

// wordClass is a set of word lists, one bit per list declared with wordSet.
type wordClass uint32

type wordTable struct {
	keys    []string
	classes []wordClass
	mask    uint32
}

var (
	pendingWords []pendingList // the lists declared by wordSet, in declaration order
	grammar      wordTable     // built by init from pendingWords
)

type pendingList struct {
	class wordClass
	words []string
}

// wordSet declares a word list (lower-case words separated by white space) and returns its bit.
// It runs during package initialisation; init builds the table once every list is declared.
func wordSet(words string) wordClass {
	if len(pendingWords) == 32 {
		panic("detect: more than 32 word lists")
	}
	c := wordClass(1) << len(pendingWords)
	pendingWords = append(pendingWords, pendingList{c, strings.Fields(words)})
	return c
}

// wordsOf lists the words of the lists in c.
func wordsOf(c wordClass) []string {
	var out []string
	for _, l := range pendingWords {
		if l.class&c != 0 {
			out = append(out, l.words...)
		}
	}
	return out
}

func init() {
	n := 0
	for _, l := range pendingWords {
		n += len(l.words)
	}
	size := uint32(1)
	for size < uint32(n)*2 {
		size <<= 1
	}
	grammar = wordTable{keys: make([]string, size), classes: make([]wordClass, size), mask: size - 1}
	for _, l := range pendingWords {
		for _, w := range l.words {
			h := fnv32(w) & grammar.mask
			for grammar.keys[h] != "" && grammar.keys[h] != w {
				h = (h + 1) & grammar.mask
			}
			grammar.keys[h] = w
			grammar.classes[h] |= l.class
		}
	}
}

// classOfLower returns the lists that w, already lower-case, belongs to.
func (t *wordTable) classOfLower(w string, h uint32) wordClass {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		k := t.keys[i]
		if k == "" {
			return 0
		}
		if k == w {
			return t.classes[i]
		}
	}
}

// classOf returns the lists that w (any case, a trailing dot ignored) belongs to.
func classOf(w string) wordClass {
	w = strings.TrimSuffix(w, ".")
	if len(w) == 0 || len(w) > maxLexWord {
		return 0
	}
	var buf [maxLexWord]byte
	h := uint32(2166136261)
	for i := range len(w) {
		c := w[i]
		if c >= utf8.RuneSelf {
			n := lowerInto(&buf, w)
			if n <= 0 {
				return 0
			}
			lw := stackString(&buf, n)
			return grammar.classOfLower(lw, fnv32(lw))
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
		h ^= uint32(c)
		h *= 16777619
	}
	return grammar.classOfLower(stackString(&buf, len(w)), h)
}

// stackString views buf[:n] as a string without copying. The callers' buffers live on their
// stacks and outlive every use; nothing keeps the string.
func stackString(buf *[maxLexWord]byte, n int) string {
	return unsafe.String(&buf[0], n) //nolint:gosec // G103: audited, see above
}

// inSet reports whether w (any case, a trailing dot ignored) is in one of the lists in set.
func inSet(set wordClass, w string) bool { return classOf(w)&set != 0 }
