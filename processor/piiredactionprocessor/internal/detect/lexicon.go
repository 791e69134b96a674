package detect

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"math"
	"strings"
	"sync"
	"sync/atomic"
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

type lexFlags uint16

const (
	lexGiven   lexFlags = 1 << iota // a given name
	lexFamily                       // a family name
	lexWord                         // a common English word
	lexPlace                        // a city, country or region
	lexStop                         // a capitalised word that is not a person (stop.txt)
	lexStreet                       // a street name
	lexPhrase                       // the first word of a multi-word place ("Los" of "Los Angeles")
	lexBarrier                      // never part of a name: function words, street types, "St"
	lexTitle                        // Mr, Dr, Prof...
	lexAddress                      // a unit, street type or street prefix word (Apt, Road, Rue, utca)
	lexMonth                        // a month name or abbreviation (calendarWords)
	lexWeekday                      // a weekday name or abbreviation (calendarWords)
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
	// cache remembers recent lookups: the table is megabytes and its probes miss the CPU cache,
	// while agent text repeats its words. An entry packs a valid bit, the flags, the word length
	// and the word's 32-bit hash; a different word with the same hash and length (about one in
	// four billion) would read the other's flags, which only shifts a heuristic.
	cache [1 << 12]atomic.Uint64
	// phrases is a one-hash filter (phraseBits bits) over the entries holding a space: the
	// callers look up word pairs and triples ("Black Friday forecast") at every phrase word, and
	// nearly all are no entry. Without it each such miss probes the table and evicts a cached
	// word. nil lets every phrase through to the table.
	phrases []uint64
	// wordPhrases is the same kind of filter keyed by the entries' word hashes combined
	// (phraseOfWords), for entries of two or three words: a caller holding the words' hashes
	// (wordInfo.h) asks without hashing the phrase again. nil lets every phrase through.
	wordPhrases []uint64
	// triplePrefixes is wordPhrases for the first two words of the three-word entries: a caller
	// that finds neither a pair nor the start of a triple need not read a third word.
	triplePrefixes []uint64
}

const phraseBits = 17 // ~10,000 multi-word entries: about one unknown pair in thirteen passes

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
		// The detectors' own word lists join the lexicon, so that one lookup per word answers
		// every question the name grammar asks.
		var extra strings.Builder
		for _, w := range wordsOf(sentenceWords | nameBarrierWords | streetTypeWords) {
			extra.WriteString(w + "\tx\n")
		}
		for _, w := range nameTitles {
			extra.WriteString(w + "\tt\n")
		}
		for _, w := range wordsOf(unitWords | streetTypeWords | weakStreetTypeWords | streetPrefixWords | lowerStreetTypes) {
			extra.WriteString(w + "\ta\n")
		}
		calendarLexicon(&extra)
		lex = buildLexicon(string(raw) + extra.String())
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
				case 'q':
					fl |= lexPhrase
				case 'x':
					fl |= lexBarrier
				case 't':
					fl |= lexTitle
				case 'a':
					fl |= lexAddress
				case 'm':
					fl |= lexMonth
				case 'd':
					fl |= lexWeekday
				}
			}
			key := line[:tab]
			h := fnv32(key) & t.mask
			for t.slots[h] != 0 {
				if o := int(t.slots[h] - 1); strings.HasPrefix(t.text[o:], key+"\t") {
					break // the same word again: merge its flags
				}
				h = (h + 1) & t.mask
			}
			if t.slots[h] == 0 {
				t.slots[h] = uint32(off) + 1
			}
			t.flags[h] |= fl
			if strings.IndexByte(key, ' ') >= 0 {
				t.addPhrase(fnv32(key))
				t.addWordPhrase(key)
			}
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
	// Zero copy over a stack buffer that outlives the call; nothing keeps the string.
	forTrigrams(unsafe.String(&buf[0], n), func(h uint32) { sum += t.llr[h]; k++ }) //nolint:gosec // G103: audited, see above
	return sum / float32(k)
}

func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := range len(s) {
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
	return t.lookupHashed(w, fnv32(w))
}

// cached returns the flags of a word of length n whose lower-case FNV hash is full, if cached.
func (t *lexiconTable) cached(n int, full uint32) (lexFlags, bool) {
	key := uint64(1)<<63 | uint64(n)<<32 | uint64(full)
	if v := t.cache[full&(uint32(len(t.cache))-1)].Load(); v&^(0xFFFF<<40) == key {
		return lexFlags(v >> 40), true
	}
	return 0, false
}

// lookupHashed is lookupLower with the hash already computed.
func (t *lexiconTable) lookupHashed(w string, full uint32) lexFlags {
	key := uint64(1)<<63 | uint64(len(w))<<32 | uint64(full)
	c := &t.cache[full&(uint32(len(t.cache))-1)]
	if v := c.Load(); v&^(0xFFFF<<40) == key {
		return lexFlags(v >> 40)
	}
	fl := lexFlags(0)
	for h := full & t.mask; ; h = (h + 1) & t.mask {
		off := t.slots[h]
		if off == 0 {
			break
		}
		o := int(off - 1)
		if o+len(w) < len(t.text) && t.text[o+len(w)] == '\t' && t.text[o:o+len(w)] == w {
			fl = t.flags[h]
			break
		}
	}
	c.Store(key | uint64(fl)<<40)
	return fl
}

func (t *lexiconTable) addPhrase(full uint32) {
	if t.phrases == nil {
		t.phrases = make([]uint64, 1<<phraseBits/64)
	}
	h := full >> (32 - phraseBits)
	t.phrases[h>>6] |= 1 << (h & 63)
}

// phraseOfWords combines the FNV hashes of a phrase's lower-cased words (hs[0] the first) into
// the bit wordPhrases holds for it.
func phraseOfWords(hs []uint32) uint32 {
	m := hs[0]
	for _, h := range hs[1:] {
		m = (m^0x5bd1e995)*0x9E3779B1 ^ h
	}
	return (m * 0x85EBCA77) >> (32 - phraseBits)
}

// addWordPhrase adds an entry of two or three words to wordPhrases.
func (t *lexiconTable) addWordPhrase(key string) {
	parts := strings.Split(key, " ")
	if len(parts) > 3 {
		return
	}
	var hs [3]uint32
	for k, p := range parts {
		hs[k] = fnv32(p)
	}
	if t.wordPhrases == nil {
		t.wordPhrases = make([]uint64, 1<<phraseBits/64)
		t.triplePrefixes = make([]uint64, 1<<phraseBits/64)
	}
	h := phraseOfWords(hs[:len(parts)])
	t.wordPhrases[h>>6] |= 1 << (h & 63)
	if len(parts) == 3 {
		h = phraseOfWords(hs[:2])
		t.triplePrefixes[h>>6] |= 1 << (h & 63)
	}
}

// mayOpenTriple reports whether an entry of three words may start with the two words with these
// lower-case FNV hashes.
func (t *lexiconTable) mayOpenTriple(hs []uint32) bool {
	if t.triplePrefixes == nil {
		return true
	}
	h := phraseOfWords(hs)
	return t.triplePrefixes[h>>6]&(1<<(h&63)) != 0
}

// mayBeWordPhrase reports whether an entry made of the words with these lower-case FNV hashes
// (two or three, joined by single spaces) may exist.
func (t *lexiconTable) mayBeWordPhrase(hs []uint32) bool {
	if t.wordPhrases == nil {
		return true
	}
	h := phraseOfWords(hs)
	return t.wordPhrases[h>>6]&(1<<(h&63)) != 0
}

// mayBePhrase reports whether a lower-cased entry with a space and this FNV hash may exist.
func (t *lexiconTable) mayBePhrase(full uint32) bool {
	if t.phrases == nil {
		return true
	}
	h := full >> (32 - phraseBits)
	return t.phrases[h>>6]&(1<<(h&63)) != 0
}

// lookup lower-cases w into a stack buffer and looks it up; it does not allocate.
func (t *lexiconTable) lookup(w string) lexFlags {
	countWork(1)
	if len(w) == 0 || len(w) > maxLexWord {
		return 0
	}
	// ASCII words: hash while lower-casing and answer from the cache when possible.
	h := uint32(2166136261)
	space := false
	for i := range len(w) {
		c := w[i]
		if c >= utf8.RuneSelf {
			h = 0
			break
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		space = space || c == ' '
		h ^= uint32(c)
		h *= 16777619
	}
	if h != 0 {
		if space && !t.mayBePhrase(h) {
			return 0
		}
		if fl, ok := t.cached(len(w), h); ok {
			return fl
		}
	}
	var buf [maxLexWord]byte
	n := lowerInto(&buf, w)
	if n <= 0 {
		return 0
	}
	// Zero copy over a stack buffer; lookupLower keeps no reference to the string.
	return t.lookupLower(unsafe.String(&buf[0], n)) //nolint:gosec // G103: audited, see above
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
