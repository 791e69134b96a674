package detect

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"math"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// The lexicon behind the PERSON and STREET_ADDRESS detectors: given and family names of every
// Faker locale, places, street names, common English words and a hand-written list of capitalised
// words that are not people. lexicon/gen.py regenerates it; the README lists sources and licences.
//
//go:embed lexicon/words.tsv.gz
var lexiconGz []byte

type lexFlags uint8

const (
	lexGiven  lexFlags = 1 << iota // a given name
	lexFamily                      // a family name
	lexWord                        // a common English word
	lexPlace                       // a city, country or region
	lexStop                        // a capitalised word that is not a person (stop.txt)
	lexStreet                      // a street name
)

// maxLexWord bounds looked-up words, in bytes after lower-casing.
const maxLexWord = 48

// lexiconTable is an open-addressing hash set over the decompressed word list: slots hold the
// offset of a word in text plus one (0 = empty), built once and read without locks.
type lexiconTable struct {
	text  string
	slots []uint32
	flags []lexFlags
	mask  uint32
	// llr is a character trigram model learnt from the lexicon itself at load time: per hashed
	// trigram, log P(trigram | name) - log P(trigram | other word), names being the given and
	// family names and other words the English words, places and stop words.
	llr [1 << trigramBits]float32
}

const trigramBits = 16

var (
	lexOnce sync.Once
	lex     *lexiconTable
)

// loadLexicon decompresses and indexes the embedded lexicon on first use.
func loadLexicon() *lexiconTable {
	lexOnce.Do(func() {
		zr, err := gzip.NewReader(bytes.NewReader(lexiconGz))
		if err != nil {
			panic("detect: embedded lexicon: " + err.Error())
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			panic("detect: embedded lexicon: " + err.Error())
		}
		lex = buildLexicon(string(raw))
	})
	return lex
}

func buildLexicon(text string) *lexiconTable {
	n := strings.Count(text, "\n")
	size := uint32(1)
	for size < uint32(n)*2 {
		size <<= 1
	}
	t := &lexiconTable{text: text, slots: make([]uint32, size), flags: make([]lexFlags, size), mask: size - 1}
	for off := 0; off < len(text); {
		nl := strings.IndexByte(text[off:], '\n')
		if nl < 0 {
			break
		}
		line := text[off : off+nl]
		tab := strings.IndexByte(line, '\t')
		if tab > 0 && tab <= maxLexWord {
			var fl lexFlags
			for _, c := range line[tab+1:] {
				switch c {
				case 'g':
					fl |= lexGiven
				case 'f':
					fl |= lexFamily
				case 'w':
					fl |= lexWord
				case 'p':
					fl |= lexPlace
				case 's':
					fl |= lexStop
				case 'n':
					fl |= lexStreet
				}
			}
			h := fnv32(line[:tab]) & t.mask
			for t.slots[h] != 0 {
				h = (h + 1) & t.mask
			}
			t.slots[h] = uint32(off) + 1
			t.flags[h] = fl
		}
		off += nl + 1
	}
	t.trainTrigrams()
	return t
}

// trainTrigrams counts the trigrams of "^word$" for names and for other words.
func (t *lexiconTable) trainTrigrams() {
	var names, others [1 << trigramBits]uint32
	var totalNames, totalOthers float64
	for h, off := range t.slots {
		if off == 0 {
			continue
		}
		fl := t.flags[h]
		o := int(off - 1)
		w := t.text[o : o+strings.IndexByte(t.text[o:], '\t')]
		if strings.IndexByte(w, ' ') >= 0 {
			continue
		}
		var counts *[1 << trigramBits]uint32
		switch {
		case fl&(lexGiven|lexFamily) != 0 && fl&(lexWord|lexStop) == 0:
			counts, totalNames = &names, totalNames+float64(len(w))
		case fl&(lexWord|lexStop) != 0 && fl&(lexGiven|lexFamily) == 0:
			counts, totalOthers = &others, totalOthers+float64(len(w))
		default:
			continue
		}
		forTrigrams(w, func(h uint32) { counts[h]++ })
	}
	const alpha = 0.5
	for h := range t.llr {
		pn := (float64(names[h]) + alpha) / (totalNames + alpha*(1<<trigramBits))
		po := (float64(others[h]) + alpha) / (totalOthers + alpha*(1<<trigramBits))
		t.llr[h] = float32(math.Log(pn / po))
	}
}

// forTrigrams calls fn with the hashed trigrams of "^w$" (w lower-case).
func forTrigrams(w string, fn func(uint32)) {
	a, b := byte('^'), w[0]
	for i := 1; i <= len(w); i++ {
		c := byte('$')
		if i < len(w) {
			c = w[i]
		}
		fn((uint32(a)*0x9E3779B1 ^ uint32(b)*0x85EBCA77 ^ uint32(c)*0xC2B2AE3D) >> (32 - trigramBits))
		a, b = b, c
	}
}

// nameLikeness scores how much w (any case) looks like a personal name rather than an English
// word, a product or a place: the mean trigram log-likelihood ratio. Positive means name-like.
func (t *lexiconTable) nameLikeness(w string) float32 {
	var buf [maxLexWord]byte
	n := lowerInto(&buf, w)
	if n < 2 {
		return 0
	}
	var sum float32
	k := 0
	forTrigrams(unsafe.String(&buf[0], n), func(h uint32) { sum += t.llr[h]; k++ })
	return sum / float32(k)
}

func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// lookupLower returns the flags of an already lower-cased word.
func (t *lexiconTable) lookupLower(w string) lexFlags {
	if len(w) == 0 || len(w) > maxLexWord {
		return 0
	}
	h := fnv32(w) & t.mask
	for {
		off := t.slots[h]
		if off == 0 {
			return 0
		}
		o := int(off - 1)
		if o+len(w) < len(t.text) && t.text[o+len(w)] == '\t' && t.text[o:o+len(w)] == w {
			return t.flags[h]
		}
		h = (h + 1) & t.mask
	}
}

// lookup lower-cases w into a stack buffer and looks it up; it does not allocate.
func (t *lexiconTable) lookup(w string) lexFlags {
	var buf [maxLexWord]byte
	n := lowerInto(&buf, w)
	if n <= 0 {
		return 0
	}
	return t.lookupLower(unsafe.String(&buf[0], n))
}

// lowerInto writes w lower-cased into buf and returns its length, or -1 when it does not fit.
func lowerInto(buf *[maxLexWord]byte, w string) int {
	n := 0
	for i := 0; i < len(w); {
		c := w[i]
		if c < utf8.RuneSelf {
			if n >= len(buf) {
				return -1
			}
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[n] = c
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(w[i:])
		r = unicode.ToLower(r)
		if n+utf8.RuneLen(r) > len(buf) {
			return -1
		}
		n += utf8.EncodeRune(buf[n:], r)
		i += size
	}
	return n
}
