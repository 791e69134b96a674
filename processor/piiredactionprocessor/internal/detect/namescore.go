package detect

// Deciding whether a run of capitalised words holds a name: the fast path for ordinary words,
// segments of a run and their scores.

import (
	"strings"
)

// scanCapital is called at a word that starts with a capital letter (ASCII or UTF-8). It returns a
// PERSON or STREET_ADDRESS finding, or where scanning should continue; a date it keeps moves
// *last past it, so that no look-back enters it.
func (e *scanner) scanCapital(s string, i, lastPerson int, last *int) (Finding, bool, int) {
	if !wordStartOK(s, i) {
		return Finding{}, false, i + 1
	}
	if s[i] == 'U' && e.enabled[TypeStreetAddress] { // scanAddressWord's first test, without the call
		if f, ok := e.scanAddressWord(s, i); ok {
			return f, true, f.End
		}
	}
	if next, done := e.capitalFastPath(s, i, lastPerson, last); done {
		return Finding{}, false, next
	}
	if !e.enabled[TypePerson] {
		return Finding{}, false, i + 1
	}
	var toks [maxNameTokens]nameTok
	n := e.readNameRun(s, i, &toks)
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
	if f, ok := e.personInRun(s, &toks, n, limit, lastPerson); ok {
		return f, true, f.End
	}
	return Finding{}, false, limit
}

// capitalFastPath decides the common case, a capitalised ordinary word ("Report revenue...",
// "Tokyo"), or a date, with one cached lookup and without building the run. done reports that
// scanning continues at next.
func (e *scanner) capitalFastPath(s string, i, lastPerson int, last *int) (next int, done bool) {
	w := e.word(s, i)
	end, ok := w.asciiEnd(s, i)
	if !ok || end-i <= 1 {
		return 0, false
	}
	fl := w.fl
	if fl&(lexMonth|lexWeekday) != 0 {
		if d := e.lex.dateAfterWord(s, i, end, fl); d > 0 {
			kept(keepDate, i, d)
			*last = d // look-backs stay out of the date
			return d, true
		}
	}
	if !e.enabled[TypePerson] {
		return end, true
	}
	// After "my name is" every capitalised word may be the name: only the full run decides.
	// (mayEndNameCue is the one-byte test that rules out most text before the exact one.)
	if mayEndNameCue(s, i) && nameCueBefore(s, i) {
		return 0, false
	}
	// A word that is only a product, a place, a plain word or a weekday or month ("Google",
	// "Tokyo", "Report", "Monday") is a barrier whatever follows (names.go, category); the words
	// after it are read on their own.
	if fl&(lexStop|lexBarrier|lexWord|lexPlace|lexMonth|lexWeekday) != 0 && fl&(lexGiven|lexFamily|lexTitle|lexPhrase) == 0 {
		return end, true
	}
	// A multi-word place, landmark or product ("Golden Gate Bridge", "Black Friday") is one
	// barrier even when its first word is also a name (markRunBarriers): skip it whole.
	if fl&lexPhrase != 0 && fl&lexTitle == 0 {
		if p := e.phraseEnd(s, i, end, w.h); p > 0 {
			return p, true
		}
	}
	if plainWordEnd(s, end) && fl&lexTitle == 0 &&
		(fl&(lexStop|lexBarrier) != 0 || fl&(lexWord|lexPlace) != 0 && fl&(lexGiven|lexFamily) == 0 ||
			// A name that is also a common word or a place ("Page", "Austin") needs a cue.
			fl&(lexWord|lexPlace) != 0 && cueBefore(s, i) == cueNone && !followerAfter(s, end) &&
				!nameJoinBefore(s, i, lastPerson) && !speakerLabel(s, i, end) && !e.nameFollows(s, end)) {
		return end, true
	}
	return 0, false
}

// placePhraseEnd returns the end of the longest place phrase of two or three words that starts
// with the word s[i:end], or 0.
func (e *Engine) placePhraseEnd(s string, i, end int) int {
	var ends [2]int
	p, k := end, 0
	for ; k < len(ends) && p+1 < len(s) && s[p] == ' '; k++ {
		q, ok := asciiWordEnd(s, p+1)
		if !ok || q == p+1 {
			break
		}
		ends[k], p = q, q
	}
	for k--; k >= 0; k-- {
		if e.lex.lookup(s[i:ends[k]])&lexPlace != 0 {
			kept(keepPlace, i, ends[k])
			return ends[k]
		}
	}
	return 0
}

// phraseEnd is placePhraseEnd for the scanner: the following words come from the memo (the
// scan reads them next anyway) and a phrase is looked up only when the lexicon's filter over
// word hashes lets it through. h0 is the first word's hash (wordInfo.h).
func (e *scanner) phraseEnd(s string, i, end int, h0 uint32) int {
	var ends [2]int
	hs := [3]uint32{h0}
	p, k := end, 0
	for ; k < len(ends) && p+1 < len(s) && s[p] == ' '; k++ {
		w := e.word(s, p+1)
		q, ok := w.asciiEnd(s, p+1)
		if !ok {
			break
		}
		ends[k], hs[k+1], p = q, w.h, q
		if k == 0 && !e.lex.mayBeWordPhrase(hs[:2]) && !e.lex.mayOpenTriple(hs[:2]) {
			return 0 // neither a pair nor the start of a triple: no third word to read
		}
	}
	for k--; k >= 0; k-- {
		if e.lex.mayBeWordPhrase(hs[:k+2]) && e.lex.lookup(s[i:ends[k]])&lexPlace != 0 {
			kept(keepPlace, i, ends[k])
			return ends[k]
		}
	}
	return 0
}

// segment counts the kinds of words in toks[a:b], a stretch of a run that may be one name.
type segment struct {
	strong, weak, weakPlace, unk, ini int
	like, maxLike                     float32
	upperOnly, particle               bool
}

func (g *segment) words() int { return g.strong + g.weak + g.unk }

// personInRun looks for a name among the n tokens of a run, before limit.
func (e *scanner) personInRun(s string, toks *[maxNameTokens]nameTok, n, limit, lastPerson int) (Finding, bool) {
	// After "my name is", "Name:" every capitalised word of the run is part of the name.
	named := nameCueBefore(s, toks[0].start)
	for a := 0; a < n && toks[a].start < limit; {
		// A given name that is also a product or a place ("Julia", "Victoria") is a name when a
		// family name follows it ("Julia Silva").
		givenThenFamily := toks[a].fl&lexGiven != 0 && !toks[a].barrier && toks[a].kind == tokCap && a+1 < n &&
			toks[a+1].category() == catStrong && toks[a+1].fl&lexFamily != 0
		if toks[a].kind == tokParticle || toks[a].category() == catBarrier && !givenThenFamily &&
			(!named || toks[a].barrier || toks[a].kind == tokTitle) {
			a++
			continue
		}
		b, g := e.readSegment(s, toks, n, a, limit, named, givenThenFamily)
		switch {
		case b < n && toks[b].cls&companyWords != 0:
			a = b + 1 // "Smith Ltd" is a company
		case b > a && g.upperOnly && b-a == 1:
			a = b // a single ALL-CAPS word is an acronym more often than a name
		case b > a:
			if f, ok := e.judgeSegment(s, toks, n, a, b, &g, named, lastPerson); ok {
				return f, true
			}
			a = b
		default:
			a++
		}
	}
	return Finding{}, false
}

// readSegment extends a segment from toks[a] over the words that may belong to one name and
// returns its end b (trailing particles dropped) with its counts.
func (e *scanner) readSegment(s string, toks *[maxNameTokens]nameTok, n, a, limit int, named, givenThenFamily bool) (int, segment) {
	g := segment{upperOnly: true}
	b := a
	for ; b < n && toks[b].end <= limit; b++ {
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
		g.upperOnly = g.upperOnly && toks[b].kind == tokUpper
		switch c {
		case catStrong:
			g.strong++
		case catWeak:
			g.weak++
			if toks[b].fl&lexPlace != 0 {
				g.weakPlace++
			}
		case catUnknown:
			g.unk++
			l := e.lex.nameLikeness(s[toks[b].start:toks[b].end])
			g.like += l
			g.maxLike = max(g.maxLike, l)
		case catInitial:
			g.ini++
		case catParticle:
			g.particle = true
		}
	}
	for b > a && toks[b-1].kind == tokParticle {
		b--
	}
	return b, g
}

// judgeSegment decides whether toks[a:b] is a name and returns its finding (with a title before
// it and a suffix after it).
func (e *scanner) judgeSegment(s string, toks *[maxNameTokens]nameTok, n, a, b int, g *segment, named bool, lastPerson int) (Finding, bool) {
	st, en := toks[a].start, toks[b-1].end
	titled := a > 0 && toks[a-1].kind == tokTitle
	if g.unk > 0 {
		g.like /= float32(g.unk)
	}
	if g.unk >= 2 && g.maxLike >= minLikenessSingle {
		g.like = max(g.like, minLikenessPair) // one clearly name-like word carries a pair
	}
	words := g.words()
	firstPlain := toks[a].fl&lexGiven == 0 || toks[a].fl&lexWord != 0 && sentenceStart(s, st) // "Page Germany"
	if !named && !titled && firstPlain && placesOnly(words, g.strong, g.weakPlace, g.unk, g.like) && cueBefore(s, st) != cueStrong {
		kept(keepPlace, st, en) // "Paris London", "Timeout Berlin": places, not a name
		return Finding{}, false
	}
	possessive := words >= 2 && en+1 < len(s) && (s[en] == '\'' || strings.HasPrefix(s[en:], "’"))
	if !(named && words > 0 || g.particle && words >= 2 || possessive && (g.unk > 0 || g.weak > 0) && g.like >= 0 ||
		nameScore(s, st, en, lastPerson, g.strong, g.weak, g.unk, g.ini, titled, toks[a].fl&lexGiven != 0, toks[a].fl&lexPlace != 0, g.like) ||
		(g.unk > 0 || g.weak > 0) && e.nameFollows(s, en)) {
		return Finding{}, false
	}
	if titled {
		st = toks[a-1].start // "Mrs. Kathrine Filemonsen": the title goes too
	}
	if b < n && toks[b].cls&nameSuffixes != 0 {
		en = toks[b].end // "... DDS", "... Jr"
	}
	return Finding{Start: st, End: en, Type: TypePerson}, true
}

// placesOnly reports whether a segment of two or more words holds no name evidence beyond
// words that are also places: no strong name, at most one word that is not a place (the caller
// checks it is not a given name, or an English word opening a sentence), and an unknown word
// not name-like.
func placesOnly(words, strong, weakPlace, unk int, like float32) bool {
	return words >= 2 && strong == 0 && weakPlace >= 1 && words-weakPlace <= 1 && (unk == 0 || unk == 1 && like < minLikenessSingle)
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
