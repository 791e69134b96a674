package detect

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// PERSON detection: a run of capitalised words is cut at words that cannot be part of a name
// (common English words, places, products, months: see lexicon/stop.txt) and each remaining
// segment is scored from the lexicon (given and family names of many cultures) and from cues
// around it ("my name is", "Dr.", "Dear", "spoke with", "-- ", "X said"). Names the lexicon does
// not know are found through cues, initials ("Faina D. Yefremova") and neighbouring names.

const maxNameTokens = 6

type tokKind uint8

const (
	tokCap      tokKind = iota // Capitalised word
	tokUpper                   // ALL-CAPS word
	tokInitial                 // single capital letter, optionally with a dot
	tokParticle                // van, de, bin... (only between capitalised words)
	tokTitle                   // Mr, Dr, Prof...
)

type nameTok struct {
	start, end int // the word, without a possessive 's or a trailing dot
	next       int // where the separator after the token starts
	kind       tokKind
	fl         lexFlags
	cls        wordClass // the grammar word lists the word is in (classOf)
	barrier    bool      // a function word, or part of a multi-word place ("Los Angeles")
}

// Token categories for scoring.
const (
	catBarrier = iota // not part of a name
	catStrong         // a given or family name that is nothing else
	catWeak           // a name that is also a common word or a place
	catUnknown        // a capitalised word the lexicon does not know
	catInitial
	catParticle
)

func (t *nameTok) category() int {
	if t.barrier {
		return catBarrier
	}
	switch t.kind {
	case tokInitial:
		return catInitial
	case tokParticle:
		return catParticle
	case tokTitle:
		return catBarrier
	}
	fl := t.fl
	switch {
	case fl&lexStop != 0, fl&(lexMonth|lexWeekday) != 0 && fl&(lexGiven|lexFamily) == 0:
		return catBarrier
	case fl&(lexGiven|lexFamily) != 0:
		if fl&(lexWord|lexPlace|lexMonth|lexWeekday) != 0 {
			return catWeak
		}
		if t.kind == tokUpper && t.end-t.start < 3 {
			return catBarrier
		}
		return catStrong
	case fl&(lexWord|lexPlace) != 0, t.kind == tokUpper:
		return catBarrier
	}
	return catUnknown
}

var nameParticles = [...]string{
	"van", "von", "de", "der", "den", "del", "della", "di", "da", "das", "dos", "du", "la", "le",
	"ten", "ter", "te", "bin", "binti", "ibn", "al", "el", "y", "zu", "af", "av",
}

var nameTitles = [...]string{
	"mr", "mrs", "ms", "mx", "dr", "prof", "sr", "sra", "srta", "mme", "mlle", "herr", "frau",
	"sir", "dame", "madam", "miss", "dott", "ing", "rev", "capt", "lt", "gen", "col", "sgt", "hon", "pan", "pani",
}

// particleStart has a bit per first letter of nameParticles.
var particleStart = func() (m uint32) {
	for _, p := range nameParticles {
		m |= 1 << (p[0] - 'a')
	}
	return m
}()

// isParticleFold is isParticle for a capitalised ASCII word ("De", "Van").
func isParticleFold(w string) bool {
	var buf [maxLexWord]byte
	n := lowerInto(&buf, w)
	return n > 0 && n <= 5 && isParticle(string(buf[:n]))
}

func isParticle(w string) bool {
	if len(w) > 5 {
		return false
	}
	for _, p := range nameParticles {
		if w == p {
			return true
		}
	}
	return false
}

// camelPrefixes may be followed by a capital inside a name (McDowell, DeAndre, LaToya).
var camelPrefixes = [...]string{"Mc", "Mac", "De", "Di", "Da", "Du", "La", "Le", "Van", "Von", "Fitz", "Al", "El", "Ben", "Abu"}

// readWord reads letters from i (with inner apostrophes and hyphens followed by a letter). It
// reports the end, whether the first letter is upper case, whether every letter is, and whether
// an upper-case letter follows a lower-case one outside a name prefix (GitHub, OpenAI).
func readWord(s string, i int) (end int, firstUpper, allUpper, camel bool) {
	j := i
	allUpper = true
	prevLower := false
	for j < len(s) {
		c := s[j]
		if c < utf8.RuneSelf {
			// ASCII fast path.
			lower, upper := c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z'
			if !lower && !upper {
				if (c == '\'' || c == '-') && j > i && j+1 < len(s) && isLetterStart(s, j+1) {
					j++
					prevLower = false
					continue
				}
				break
			}
			if j == i {
				firstUpper = upper
			} else if upper && prevLower && !camel {
				camel = !camelPrefix(s[i:j])
			}
			allUpper = allUpper && upper
			prevLower = lower
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		if !unicode.IsLetter(r) {
			if r == '’' && j > i && j+size < len(s) && isLetterStart(s, j+size) {
				j += size
				prevLower = false
				continue
			}
			break
		}
		up := unicode.IsUpper(r)
		if j == i {
			firstUpper = up
		} else if up && prevLower && !camel {
			camel = !camelPrefix(s[i:j])
		}
		if unicode.IsLower(r) {
			allUpper = false
			prevLower = true
		} else {
			prevLower = false
		}
		j += size
	}
	countWork(j - i + 1)
	return j, firstUpper, allUpper, camel
}

// contraction reports whether w is a contraction (I'm, We're, Don't), not a name like O'Brien.
func contraction(w string) bool {
	a := strings.IndexByte(w, '\'')
	n := 1
	if a < 0 {
		if isASCII(w) {
			return false
		}
		a, n = strings.Index(w, "’"), len("’")
	}
	if a < 0 {
		return false
	}
	switch strings.ToLower(w[a+n:]) {
	case "m", "re", "ve", "ll", "d", "t":
		return true
	}
	return false
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func camelPrefix(p string) bool {
	for _, c := range camelPrefixes {
		if p == c {
			return true
		}
	}
	return false
}

func isLetterStart(s string, i int) bool {
	c := s[i]
	if c < utf8.RuneSelf {
		return isAlpha(c)
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r)
}

// wordStartOK reports whether a word may start at i: not inside a word, a path, an identifier,
// a handle or a domain.
// It is small enough to be inlined; a quote, a dash or a non-ASCII byte before i takes
// wordStartAfterByte.
func wordStartOK(s string, i int) bool {
	if i > 0 && wordStartAfter[s[i-1]] != startAfterOther {
		return wordStartAfter[s[i-1]] == startAfterAlways
	}
	return wordStartAfterByte(s, i)
}

// wordStartAfterByte is wordStartOK at the start of s and after a quote, a dash or a
// non-ASCII byte.
func wordStartAfterByte(s string, i int) bool {
	if i == 0 {
		return true
	}
	if c := s[i-1]; c < utf8.RuneSelf {
		return i < 2 || !isAlpha(s[i-2]) // a quote or dash, not O'Brien or Jean-Luc
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '’'
}

// wordStartAfter classes the bytes a word may start after: space and punctuation
// (startAfterAlways), a quote, a dash or a non-ASCII byte, which need a second look
// (startAfterOther), and the rest (0), after which no word starts.
var wordStartAfter = func() (t [256]uint8) {
	for _, c := range []byte(" \t\n\r([{\"<>*:;,!?|=") {
		t[c] = startAfterAlways
	}
	t['\''], t['-'] = startAfterOther, startAfterOther
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = startAfterOther
	}
	return t
}()

const (
	startAfterAlways = 1
	startAfterOther  = 2
)

// wordEndOK reports whether the word ending at j stands alone: followed by space or punctuation,
// not by digits, '@', '_', '/', or a dot that continues an identifier.
func wordEndOK(s string, j int) bool {
	if j >= len(s) {
		return true
	}
	c := s[j]
	if c >= utf8.RuneSelf {
		r, _ := utf8.DecodeRuneInString(s[j:])
		return !unicode.IsDigit(r)
	}
	switch c {
	case ' ', '\t', '\n', '\r', ',', ';', ':', '!', '?', ')', ']', '}', '"', '\'', '>', '*', '|':
		return true
	case '.':
		return j+1 >= len(s) || s[j+1] <= ' ' || s[j+1] == '"' || s[j+1] == ')' || s[j+1] == '\''
	}
	return false
}

// readNameRun collects up to maxNameTokens name-shaped tokens from i, separated by single spaces.
func (e *scanner) readNameRun(s string, i int, toks *[maxNameTokens]nameTok) int {
	n := 0
	for n < maxNameTokens && i < len(s) {
		t, ok := e.readNameTok(s, i, n > 0)
		if !ok {
			break
		}
		j := t.next
		toks[n] = t
		n++
		if j+1 < len(s) && s[j] == ' ' && s[j+1] == ' ' {
			j++ // "Lara  Fiorentino"
		}
		if j+1 >= len(s) || s[j] != ' ' || !wordStartOK(s, j+1) {
			break
		}
		i = j + 1
	}
	return markRunBarriers(e.lex, s, toks, n)
}

// readNameTok reads one token of a name run at i; ok is false where the run ends.
func (e *scanner) readNameTok(s string, i int, inRun bool) (nameTok, bool) {
	if c := s[i]; c >= 'a' && c <= 'z' && particleStart&(1<<(c-'a')) == 0 {
		return nameTok{}, false // a lower-case word that is not a particle ends the run
	}
	lx := e.lex
	wi := e.wordClassed(s, i)
	end, firstUpper, allUpper, camel := wi.end, wi.firstUpper(), wi.shape&shapeAllUpper != 0, wi.shape&shapeCamel != 0
	if end == i {
		return nameTok{}, false
	}
	if camel || identifierGlue(s, end) || identifierWord(lx, s, i, end) {
		kept(keepIdentifier, i, end)
		return nameTok{}, false
	}
	if !wordEndOK(s, end) {
		return nameTok{}, false
	}
	t := nameTok{start: i, end: end}
	w := s[i:end]
	switch {
	case !firstUpper:
		if !isParticle(w) {
			return nameTok{}, false
		}
		t.kind = tokParticle
	case end-i == 1 || (end-i == 2 && allUpper && end < len(s) && s[end] == '.'):
		t.kind = tokInitial
	case allUpper:
		t.kind = tokUpper
	}
	// A possessive 's is not part of the name.
	if t.end-t.start > 3 {
		if strings.HasSuffix(w, "'s") {
			t.end -= 2
		} else if strings.HasSuffix(w, "’s") {
			t.end -= len("’s")
		}
	}
	t.cls = wi.cls
	if t.end != end {
		t.cls = classOf(s[t.start:t.end])
	}
	if t.kind != tokParticle && t.kind != tokInitial {
		t.fl = wi.fl
		if t.end != end {
			t.fl = lx.lookup(s[t.start:t.end])
		}
		if inRun && t.fl&(lexMonth|lexWeekday) != 0 && lx.dateAt(s, i) > 0 {
			return nameTok{}, false // "Field Sun, 06 Dec 2026": the date is not part of the run
		}
		t.barrier = t.fl&lexBarrier != 0 || contraction(s[t.start:t.end])
		if t.fl&lexTitle != 0 && t.kind == tokCap {
			t.kind = tokTitle
		}
	}
	t.next = end
	if end < len(s) && s[end] == '.' && (t.kind == tokInitial || t.kind == tokTitle) {
		t.next++
	}
	return t, true
}

// markRunBarriers trims and marks the run's tokens that cannot be part of a name: trailing
// particles, a lone capitalised article, saints' names and multi-word places. It returns the
// run's new length.
func markRunBarriers(lx *lexiconTable, s string, toks *[maxNameTokens]nameTok, n int) int {
	// Particles only join capitalised words.
	for n > 0 && toks[n-1].kind == tokParticle {
		n--
	}
	// A capitalised particle alone opens a sentence as an article: "Le livrable", "De levering".
	if n == 1 && toks[0].kind == tokCap && toks[0].end-toks[0].start <= 3 && isParticleFold(s[toks[0].start:toks[0].end]) {
		toks[0].barrier = true
	}
	// "St Mary's", "Saint Jude": a saint's name is a place or an institution.
	for a := 0; a+1 < n; a++ {
		if toks[a].fl&lexBarrier != 0 && toks[a].kind != tokParticle && toks[a].cls&nameBarrierWords != 0 {
			toks[a+1].barrier = true
		}
	}
	// Multi-word places ("Los Angeles", "Rio de Janeiro") are not names.
	for a := 0; a+1 < n; a++ {
		if toks[a].fl&lexPhrase == 0 {
			continue
		}
		for b := min(n-1, a+3); b > a; b-- {
			if lx.lookup(s[toks[a].start:toks[b].end])&lexPlace != 0 {
				for k := a; k <= b; k++ {
					toks[k].barrier = true
				}
				break
			}
		}
	}
	return n
}

// identifierGlue reports whether the word ending at end continues as an identifier: snake_case,
// dotted (crm.lookup, os.path) or a path.
func identifierGlue(s string, end int) bool {
	if end+1 >= len(s) {
		return false
	}
	switch s[end] {
	case '_', '/':
		return isAlnum(s[end+1])
	case '.':
		return isAlpha(s[end+1])
	}
	return false
}
