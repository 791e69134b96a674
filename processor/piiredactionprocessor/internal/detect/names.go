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
	barrier    bool // a function word, or part of a multi-word place ("Los Angeles")
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
func wordStartOK(s string, i int) bool {
	if i == 0 {
		return true
	}
	c := s[i-1]
	if c >= utf8.RuneSelf {
		r, _ := utf8.DecodeLastRuneInString(s[:i])
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '’'
	}
	switch c {
	case ' ', '\t', '\n', '\r', '(', '[', '{', '"', '<', '>', '*', ':', ';', ',', '!', '?', '|', '=':
		return true
	case '\'', '-':
		return i < 2 || !isAlpha(s[i-2]) // a quote or dash, not O'Brien or Jean-Luc
	}
	return false
}

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
func readNameRun(lx *lexiconTable, s string, i int, toks *[maxNameTokens]nameTok) int {
	n := 0
	for n < maxNameTokens && i < len(s) {
		t, ok := readNameTok(lx, s, i, n > 0)
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
	return markRunBarriers(lx, s, toks, n)
}

// readNameTok reads one token of a name run at i; ok is false where the run ends.
func readNameTok(lx *lexiconTable, s string, i int, inRun bool) (nameTok, bool) {
	if c := s[i]; c >= 'a' && c <= 'z' && particleStart&(1<<(c-'a')) == 0 {
		return nameTok{}, false // a lower-case word that is not a particle ends the run
	}
	end, firstUpper, allUpper, camel := readWord(s, i)
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
	if t.kind != tokParticle && t.kind != tokInitial {
		t.fl = lx.lookup(s[t.start:t.end])
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
		if toks[a].fl&lexBarrier != 0 && toks[a].kind != tokParticle && inSet(nameBarrierWords, s[toks[a].start:toks[a].end]) {
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

// nameSuffixes follow a name and belong to it.
var nameSuffixes = wordSet(`jr sr ii iii iv md phd dds dvm esq mba cpa`)

// nameBarrierWords never belong to a name ("London St Pancras").
var nameBarrierWords = wordSet(`st saint ste mt null nil none undefined unknown empty invalid true false`)

// companyWords end an organisation's name: "Smith Ltd", "Conway Inc" are not people.
var companyWords = wordSet(`inc ltd llc llp plc gmbh corp corporation co company ag sa sas sarl bv nv oy ab asa spa srl
kk group holdings partners associates bank insurance agency foundation university institute labs systems
technologies solutions services software media studios markets capital ventures`)

// Cues before a name. Strong cues make any unknown capitalised word a name; weak cues do so
// for words the lexicon does not know as something else.
var strongNameCues = []string{
	"my name is", "name is", "name's", "name:", "name -", "names are", "name?", "named", "i'm", "i am", "im",
	"this is", "call me", "dear", "hi", "hello", "hey", "thanks", "thanks,", "thank you", "thank you,",
	"regards,", "regards", "cheers,", "sincerely,", "best,", "--", "—", "–", "customer:", "customer", "client:",
	"contact:", "attn:", "attn", "attention:", "signed", "signed,", "from:", "to:", "cc:", "bcc:", "assignee:",
	"owner:", "requester:", "reporter:", "patient:", "passenger:", "guest:", "user:", "author:", "by:",
	"holder:", "cardholder:", "employee:", "manager:", "agent:", "surname", "surname:", "under",
	"directed by", "written by", "starring", "née", "nee", "son of", "daughter of", "wife", "husband",
}

var weakNameCues = []string{
	"spoke with", "spoke to", "talked to", "talked with", "met with", "meeting with", "met", "told", "tell",
	"said", "says", "asked", "ask", "ping", "email", "emailed", "call", "called", "forward it to",
	"forward this to", "forwarded it to", "forwarded to", "send it to", "sent it to", "reply to", "assigned to",
	"assign it to", "cc", "thank", "invite", "invited", "hired", "married", "brother", "sister", "mother",
	"father", "colleague", "friend", "boss", "according to", "including", "ex-", "songwriter", "singer",
	"actor", "actress", "writer", "author", "poet", "president", "minister", "coach", "player",
}

// Cues after a name.
var nameFollowers = []string{
	"said", "says", "wrote", "writes", "replied", "asked", "told", "mentioned", "thinks", "agreed", "confirmed",
	"explained", "added", "noted", "suggested", "reported", "had given", "will be talking", "was born", "lives",
	"works", "is my", "was my", "spent", "began", "shouted", "whispered", "smiled", "laughed", "cried", "is from",
	"married", "died", "joined", "founded", "graduated", "resigned", "signed",
}

const (
	cueNone = iota
	cueWeak
	cueStrong
)

// cuesByLast indexes the cues by their last byte (lower case): cueBefore compares only the
// cues that can end where the window ends.
var cuesByLast = func() (idx [256][]cueEntry) {
	for _, c := range strongNameCues {
		idx[c[len(c)-1]|0x20] = append(idx[c[len(c)-1]|0x20], cueEntry{c, cueStrong})
	}
	for _, c := range weakNameCues {
		idx[c[len(c)-1]|0x20] = append(idx[c[len(c)-1]|0x20], cueEntry{c, cueWeak})
	}
	return idx
}()

type cueEntry struct {
	text     string
	strength int
}

// cueBefore returns the strength of a cue that ends right before pos (spaces between allowed).
func cueBefore(s string, pos int) int {
	j := pos
	for j > 0 && pos-j < 64 && (s[j-1] == ' ' || s[j-1] == '\t' || s[j-1] == '\n' || s[j-1] == '"') {
		j--
	}
	lo := j - 24
	if lo < 0 {
		lo = 0
	}
	win := s[lo:j]
	if win == "" {
		return cueNone
	}
	best := cueNone
	for _, c := range cuesByLast[win[len(win)-1]|0x20] {
		if c.strength > best && endsWithWord(win, c.text) {
			best = c.strength
		}
	}
	return best
}

// endsWithWord reports whether win ends with cue (case-insensitively) at a word boundary.
func endsWithWord(win, cue string) bool {
	if len(win) < len(cue) || win[len(win)-1]|0x20 != cue[len(cue)-1]|0x20 || !strings.EqualFold(win[len(win)-len(cue):], cue) {
		return false
	}
	k := len(win) - len(cue)
	return k == 0 || !isAlnum(win[k-1]) || !isAlnum(cue[0])
}

// vocatives follow a name that addresses someone: "Warrane, can I speak to your manager?"
var vocatives = []string{
	", can ", ", could ", ", would ", ", will ", ", please", ", thanks", ", thank ", ", did ", ", do you",
	", are you", ", have you", ", I ", ", you ",
}

// followerAfter reports whether a cue such as "said" follows the name ending at pos.
func followerAfter(s string, pos int) bool {
	if pos < len(s) && s[pos] == ',' {
		for _, v := range vocatives {
			if hasPrefixFold(s[pos:], v) {
				return true
			}
		}
		return false
	}
	if pos+1 >= len(s) || s[pos] != ' ' {
		return false
	}
	rest := s[pos+1:]
	for _, c := range nameFollowers {
		if len(rest) >= len(c) && strings.EqualFold(rest[:len(c)], c) && (len(rest) == len(c) || !isAlnum(rest[len(c)])) {
			return true
		}
	}
	return false
}

// nameJoinBefore reports whether the text before pos joins this segment to a person found just
// before ("Alice and Bob", "said Željko to Teresa").
func nameJoinBefore(s string, pos, lastPerson int) bool {
	if lastPerson < 0 || pos-lastPerson > 6 || pos <= lastPerson {
		return false
	}
	switch strings.TrimSpace(s[lastPerson:pos]) {
	case "and", "&", ",", "or", "to", "with", "und", "et", "y", "e":
		return true
	}
	return false
}

// scanCapital is called at a word that starts with a capital letter (ASCII or UTF-8). It returns a
// PERSON or STREET_ADDRESS finding, or where scanning should continue; a date it keeps moves
// *last past it, so that no look-back enters it.
func (e *Engine) scanCapital(s string, i, lastPerson int, last *int) (Finding, bool, int) {
	if !wordStartOK(s, i) {
		return Finding{}, false, i + 1
	}
	if e.enabled[TypeStreetAddress] {
		if f, ok := e.scanAddressWord(s, i); ok {
			return f, true, f.End
		}
	}
	// Fast path for the common case, a capitalised ordinary word opening a sentence ("Report
	// revenue..."): one cached lookup decides, without building the run.
	if end, ok := asciiWordEnd(s, i); ok && end-i > 1 {
		fl := e.lex.lookup(s[i:end])
		if fl&(lexMonth|lexWeekday) != 0 {
			if d := e.lex.dateAt(s, i); d > 0 {
				kept(keepDate, i, d)
				*last = d
				return Finding{}, false, d
			}
		}
		if !e.enabled[TypePerson] {
			return Finding{}, false, end
		}
		// A word that is only a product, a place or a plain word ("Google", "Tokyo", "Report")
		// is a barrier whatever follows; the words after it are read on their own.
		if fl&(lexStop|lexBarrier|lexWord|lexPlace) != 0 && fl&(lexGiven|lexFamily|lexTitle|lexPhrase) == 0 && !mayEndNameCue(s, i) {
			return Finding{}, false, end
		}
		if plainWordEnd(s, end) && !mayEndNameCue(s, i) && fl&lexTitle == 0 &&
			(fl&(lexStop|lexBarrier) != 0 || fl&(lexWord|lexPlace) != 0 && fl&(lexGiven|lexFamily) == 0 ||
				// A name that is also a common word or a place ("Page", "Austin") needs a cue.
				fl&(lexWord|lexPlace) != 0 && cueBefore(s, i) == cueNone && !followerAfter(s, end) &&
					!nameJoinBefore(s, i, lastPerson) && !speakerLabel(s, i, end) && !e.nameFollows(s, end)) {
			return Finding{}, false, end
		}
	}
	if !e.enabled[TypePerson] {
		return Finding{}, false, i + 1
	}
	var toks [maxNameTokens]nameTok
	n := readNameRun(e.lex, s, i, &toks)
	if n == 0 {
		return Finding{}, false, i + 1
	}
	runEnd := toks[n-1].next //nolint:gosec // G602: 0 < n <= len(toks), readNameRun fills no more
	candidate := false
	for k := range n {
		if toks[k].category() != catBarrier || toks[k].kind == tokTitle {
			candidate = true
		}
	}
	if !candidate && (!mayEndNameCue(s, toks[0].start) || !nameCueBefore(s, toks[0].start)) {
		return Finding{}, false, runEnd
	}
	limit := runEnd
	// A run followed by a number may be a street ("Pivovarská 276"): leave the street to the
	// address detector, which runs at the number.
	if e.enabled[TypeStreetAddress] {
		if num := numberAfterWords(s, runEnd); num > 0 {
			if st, ok := e.streetBeforeNumber(s, num, 0); ok && st < runEnd {
				limit = max(st, i)
			}
		}
	}
	// After "my name is", "Name:" every capitalised word of the run is part of the name.
	named := nameCueBefore(s, toks[0].start)
	for a := 0; a < n; {
		if toks[a].start >= limit {
			break
		}
		// A given name that is also a product or a place ("Julia", "Victoria") is a name when a
		// family name follows it ("Julia Silva").
		givenThenFamily := toks[a].fl&lexGiven != 0 && !toks[a].barrier && toks[a].kind == tokCap && a+1 < n &&
			toks[a+1].category() == catStrong && toks[a+1].fl&lexFamily != 0 //nolint:gosec // G602: a+1 < n <= len(toks), checked first
		if toks[a].kind == tokParticle || toks[a].category() == catBarrier && !givenThenFamily &&
			(!named || toks[a].barrier || toks[a].kind == tokTitle) {
			a++
			continue
		}
		b := a
		var strong, weak, weakPlace, unk, ini int
		var like, maxLike float32
		upperOnly, particle := true, false
		for b < n && toks[b].end <= limit {
			c := toks[b].category()
			if c == catBarrier && b == a && givenThenFamily {
				c = catWeak
			}
			if c == catBarrier {
				prev := catBarrier
				if b > a {
					prev = toks[b-1].category()
				}
				// A plain word after "ten", an initial or a given name is a family name:
				// "Willemine ten Pas", "Ella H. Snider", "Rebecca Hides".
				surname := b > a && !toks[b].barrier && toks[b].kind == tokCap && toks[b].fl&lexStop == 0 &&
					(prev == catParticle || prev == catInitial || prev == catStrong && toks[b-1].fl&lexGiven != 0 ||
						prev == catWeak && toks[b-1].fl&lexGiven != 0 && toks[b].fl&lexWord == 0)
				if !surname && (!named || toks[b].barrier || toks[b].kind == tokTitle) {
					break
				}
				c = catWeak
			}
			if toks[b].kind != tokUpper {
				upperOnly = false
			}
			switch c {
			case catStrong:
				strong++
			case catWeak:
				weak++
				if toks[b].fl&lexPlace != 0 {
					weakPlace++
				}
			case catUnknown:
				unk++
				l := e.lex.nameLikeness(s[toks[b].start:toks[b].end])
				like += l
				maxLike = max(maxLike, l)
			case catInitial:
				ini++
			case catParticle:
				particle = true
			}
			b++
		}
		for b > a && toks[b-1].kind == tokParticle {
			b--
		}
		if b < n && inSet(companyWords, s[toks[b].start:toks[b].end]) {
			a = b + 1
			continue
		}
		if b > a && upperOnly && b-a == 1 {
			a = b // a single ALL-CAPS word is an acronym more often than a name
			continue
		}
		if b > a {
			st, en := toks[a].start, toks[b-1].end
			titled := a > 0 && toks[a-1].kind == tokTitle //nolint:gosec // G602: a > 0 checked first
			if unk > 0 {
				like /= float32(unk)
			}
			if unk >= 2 && maxLike >= minLikenessSingle {
				like = max(like, minLikenessPair) // one clearly name-like word carries a pair
			}
			words := strong + weak + unk
			firstPlain := toks[a].fl&lexGiven == 0 || toks[a].fl&lexWord != 0 && sentenceStart(s, st) // "Page Germany"
			if !named && !titled && firstPlain && placesOnly(words, strong, weakPlace, unk, like) && cueBefore(s, st) != cueStrong {
				kept(keepPlace, st, en) // "Paris London", "Timeout Berlin": places, not a name
				a = b
				continue
			}
			possessive := words >= 2 && en+1 < len(s) && (s[en] == '\'' || strings.HasPrefix(s[en:], "’"))
			if named && words > 0 || particle && words >= 2 || possessive && (unk > 0 || weak > 0) && like >= 0 ||
				nameScore(s, st, en, lastPerson, strong, weak, unk, ini, titled, toks[a].fl&lexGiven != 0, toks[a].fl&lexPlace != 0, like) ||
				(unk > 0 || weak > 0) && e.nameFollows(s, en) {
				if titled {
					st = toks[a-1].start //nolint:gosec // G602: titled implies a > 0 ("Mrs. Kathrine Filemonsen": the title goes too)
				}
				if b < n && inSet(nameSuffixes, s[toks[b].start:toks[b].end]) {
					en = toks[b].end // "... DDS", "... Jr"
				}
				return Finding{Start: st, End: en, Type: TypePerson}, true, en
			}
			a = b
		} else {
			a++
		}
	}
	if limit < runEnd {
		return Finding{}, false, limit
	}
	return Finding{}, false, runEnd
}

// placesOnly reports whether a segment of two or more words holds no name evidence beyond
// words that are also places: no strong name, at most one word that is not a place (the caller
// checks it is not a given name, or an English word opening a sentence), and an unknown word
// not name-like.
func placesOnly(words, strong, weakPlace, unk int, like float32) bool {
	return words >= 2 && strong == 0 && weakPlace >= 1 && words-weakPlace <= 1 && (unk == 0 || unk == 1 && like < minLikenessSingle)
}

// placeCueWords are cues that are as often followed by a place as by a person when written
// without a colon: "call London", "customer Berlin", "meeting with Paris".
var placeCueWords = wordSet(`customer client call called email emailed ping contact user owner agent including under
invite invited with`)

// placeCueBefore reports whether the word right before st (one space between) is a placeCueWord.
func placeCueBefore(s string, st int) bool {
	if st < 2 || s[st-1] != ' ' {
		return false
	}
	k := st - 1
	for k > 0 && isAlpha(s[k-1]) && st-1-k < 12 {
		k--
	}
	return k < st-1 && (k == 0 || !isAlnum(s[k-1])) && inSet(placeCueWords, s[k:st-1])
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

// Thresholds on the trigram name-likeness of words the lexicon does not know, chosen on the
// negative set and on names outside the lexicon (see the README's Quality section).
const (
	minLikenessPair          = 0.3
	minLikenessSingle        = 0.6
	minLikenessSentenceStart = 1.0
)

// sentenceStart reports whether st opens a sentence, a line or the text.
func sentenceStart(s string, st int) bool {
	j := st
	for j > 0 && st-j < 64 && (s[j-1] == ' ' || s[j-1] == '"' || s[j-1] == '\'' || s[j-1] == '(' || s[j-1] == '*' || s[j-1] == '>') {
		j--
	}
	return j == 0 || s[j-1] == '.' || s[j-1] == '!' || s[j-1] == '?' || s[j-1] == '\n' || s[j-1] == ':' || s[j-1] == '\t'
}

// scanNameCue is called at a word starting with "na": after "name is", "name:", "named" the next
// words are a name even in lower case ("my name is lena andersson").
func (e *Engine) scanNameCue(s string, i int) (Finding, bool) {
	if i > 0 && (s[i-1] == '_' || s[i-1] == '-' || s[i-1] == '.') {
		return Finding{}, false // first_name: is a key, handled with the other keys
	}
	rest := s[i:]
	k := 0
	for _, c := range [...]string{"name is ", "name: ", "name's ", "named ", "name is: ", "name - ", "call me ", "calls me ", "called me "} {
		if hasPrefixFold(rest, c) {
			k = len(c)
			break
		}
	}
	if k == 0 {
		return Finding{}, false
	}
	j := i + k
	for j < len(s) && s[j] == ' ' && j-i < k+8 {
		j++
	}
	st, en := j, 0
	for w := 0; w < 4 && j < len(s); w++ {
		end, firstUpper, _, camel := readWord(s, j)
		if end == j || camel || !wordEndOK(s, end) {
			break
		}
		word := s[j:end]
		initial := end-j == 1
		if !initial {
			fl := e.lex.lookup(word)
			t := nameTok{start: j, end: end, fl: fl}
			t.barrier = inSet(sentenceWords, word) || inSet(nameBarrierWords, word)
			c := t.category()
			ok := c == catStrong || c == catWeak && fl&lexGiven != 0 ||
				c == catUnknown ||
				firstUpper && !t.barrier && fl&lexStop == 0 && w > 0
			if !ok {
				break
			}
			en = end
		}
		if end < len(s) && s[end] == '.' && initial {
			end++
		}
		if end+1 >= len(s) || s[end] != ' ' {
			break
		}
		j = end + 1
	}
	if en == 0 {
		return Finding{}, false
	}
	return Finding{Start: st, End: en, Type: TypePerson}, true
}

// wholeLine reports whether s[st:en] is alone on its line (after list or quote markers).
func wholeLine(s string, st, en int) bool {
	j := st
	for j > 0 && st-j < 64 && strings.IndexByte(" \t>-*?", s[j-1]) >= 0 {
		j--
	}
	if j > 0 && s[j-1] != '\n' {
		return false
	}
	k := en
	for k < len(s) && k-en < 64 && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r') {
		k++
	}
	return k == len(s) || s[k] == '\n'
}

// speakerLabel reports whether s[st:en] opens a line as "Name: text" in a transcript.
func speakerLabel(s string, st, en int) bool {
	if en+2 >= len(s) || s[en] != ':' || (s[en+1] != ' ' && s[en+1] != '"') || isDigit(s[en+2]) {
		return false
	}
	return st == 0 || s[st-1] == '\n' || (st > 1 && s[st-1] == '>' && s[st-2] == '\n')
}

// asciiWordEnd reads a capitalised ASCII word at i (lower-case letters after the first) and
// returns its end; ok is false for anything else.
func asciiWordEnd(s string, i int) (int, bool) {
	j := i
	for ; j < len(s); j++ {
		c := s[j]
		switch {
		case c >= 'a' && c <= 'z':
		case c >= 'A' && c <= 'Z' && j == i:
		case c >= 0x80 || c == '\'' || c == '-' || c >= 'A' && c <= 'Z':
			return 0, false
		default:
			countWork(j - i + 1)
			return j, j > i
		}
	}
	countWork(j - i + 1)
	return j, j > i
}

// plainWordEnd reports whether the word ending at end is followed by punctuation or by a
// lower-case word that cannot be a name particle: the word stands alone.
func plainWordEnd(s string, end int) bool {
	if end >= len(s) {
		return true
	}
	switch s[end] {
	case ',', ';', '!', '?', ')', '"':
		return true
	case '.':
		return end+1 >= len(s) || s[end+1] == ' ' || s[end+1] == '\n'
	case ' ':
		c := byte(0)
		if end+1 < len(s) {
			c = s[end+1]
		}
		if isDigit(c) || c >= 'a' && c <= 'z' && particleStart&(1<<(c-'a')) == 0 {
			return true
		}
		if c < 'a' || c > 'z' {
			return false
		}
		k := end + 1
		for k < len(s) && s[k] >= 'a' && s[k] <= 'z' && k-end <= 6 {
			k++
		}
		return !isParticle(s[end+1 : k])
	}
	return false
}

// mayEndNameCue is a quick test before nameCueBefore: every name cue ends with one of these bytes.
func mayEndNameCue(s string, pos int) bool {
	j := pos
	for j > 0 && pos-j < 64 && (s[j-1] == ' ' || s[j-1] == '\t' || s[j-1] == '"') {
		j--
	}
	if j == 0 {
		return false
	}
	switch s[j-1] | 0x20 {
	case ':', 's', 'e', 'd', 'm', 'r':
		return true
	}
	return false
}

// nameCues introduce a name for certain: everything capitalised after them is the name.
var nameCues = []string{
	"my name is", "name is", "name:", "name's", "names are", "call me", "named", "surname:", "surname is",
	"named him", "named her", "called him", "called her",
}

func nameCueBefore(s string, pos int) bool {
	j := pos
	for j > 0 && pos-j < 64 && (s[j-1] == ' ' || s[j-1] == '\t' || s[j-1] == '"') {
		j--
	}
	win := s[max(0, j-16):j]
	for _, c := range nameCues {
		if endsWithWord(win, c) {
			return true
		}
	}
	return false
}

// nameFollows reports whether a list continues with a known name after en ("Monjeau, Graves and
// Reed": Graves is a name, so Monjeau is one too).
func (e *Engine) nameFollows(s string, en int) bool {
	rest := s[en:]
	for _, sep := range [...]string{", ", " and ", " & ", " und ", " et ", " y ", " e ", " or "} {
		if !strings.HasPrefix(rest, sep) {
			continue
		}
		i := en + len(sep)
		end, firstUpper, _, camel := readWord(s, i)
		if end == i || !firstUpper || camel || !wordEndOK(s, end) {
			return false
		}
		t := nameTok{start: i, end: end, fl: e.lex.lookup(s[i:end])}
		t.barrier = inSet(sentenceWords, s[i:end])
		c := t.category()
		return c == catStrong || c == catWeak && t.fl&lexPlace == 0
	}
	return false
}

// numberAfterWords returns the start of a number that follows p after a space and at most two
// short words ("Király u. 15", "Erzsébet tér 19"), or 0.
func numberAfterWords(s string, p int) int {
	for w := range 3 {
		if p+1 >= len(s) || s[p] != ' ' {
			return 0
		}
		p++
		if isDigit(s[p]) {
			return p
		}
		if w == 2 {
			return 0
		}
		end, _, _, _ := readWord(s, p)
		if end == p || end-p > 12 {
			return 0
		}
		if end < len(s) && s[end] == '.' {
			end++
		}
		p = end
	}
	return 0
}

// nameScore decides whether the segment s[st:en] with the given token counts is a name.
func nameScore(s string, st, en, lastPerson, strong, weak, unk, ini int, titled, givenName, place bool, like float32) bool {
	words := strong + weak + unk
	if words == 0 {
		return false
	}
	switch {
	case strong >= 1:
		return true
	case weak >= 1 && words >= 2:
		return true
	case unk >= 1 && ini >= 1 && words >= 2:
		return true
	case unk >= 2 && like >= minLikenessPair:
		return true
	case words >= 2 && wholeLine(s, st, en) && like >= 0:
		return true // a name alone on its line: a signature, a letterhead, an address block
	case unk == 1 && words == 1 && st >= 2 && s[st-1] == ' ' && isDigit(s[st-2]):
		return false // "um 18 Uhr", "Gate 4 Nord": a word after a number is a unit or a label
	case unk == 1 && words == 1 && like >= minLikenessSingle && !sentenceStart(s, st):
		return true
	case unk == 1 && words == 1 && like >= minLikenessSentenceStart:
		return true
	}
	cue := cueBefore(s, st)
	if words == 1 && weak == 1 && place && placeCueBefore(s, st) {
		kept(keepPlace, st, en) // "call London", "customer Berlin": a place after a bare cue word
		return false
	}
	if cue == cueStrong {
		return true
	}
	if titled {
		return true
	}
	if cue == cueWeak || nameJoinBefore(s, st, lastPerson) || followerAfter(s, en) || speakerLabel(s, st, en) {
		return unk >= 1 || words >= 2 || givenName || weak >= 1 && !place
	}
	return false
}
