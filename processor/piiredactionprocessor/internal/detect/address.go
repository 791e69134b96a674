package detect

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// STREET_ADDRESS detection, anchored at house numbers: a street before the number ("Hauptstraße 5",
// "Rua Diadema 1903", "ul. Cicha 86") or after it ("12 Rowan Close", "12 rue de la Paix",
// "3654 Brixtonlaan 380"), unit lines ("Apt. 5", "Suite 838", "PSC 0729, Box 5797"), and what
// follows on the same lines: unit, postcode (US ZIP, UK, German, French...), city, region and
// country. Military ship addresses ("USNS Bergman\nFPO AP 93757") are anchored at their prefix.

// addrTok is a word of a street name: letters, possibly ending with an abbreviation dot.
type addrTok struct {
	start, end int // end includes an abbreviation dot
	word       string
	upper      bool // starts with an upper-case letter
	fl         lexFlags
	cls        wordClass // the grammar word lists word is in (classOf)
}

// in reports whether the token's word is in one of the word lists in c: inSet without a lookup.
func (t addrTok) in(c wordClass) bool { return t.cls&c != 0 }

// readAddrWord reads a word at i (letters; a trailing dot is kept for abbreviations).
func (e *scanner) readAddrWord(s string, i int) (addrTok, bool) {
	w := e.wordClassed(s, i)
	end := w.end
	if end == i {
		return addrTok{}, false
	}
	t := addrTok{start: i, end: end, word: s[i:end], upper: w.firstUpper(), fl: w.fl, cls: w.cls}
	if end < len(s) && s[end] == '.' {
		t.end++
	}
	if t.end < len(s) && s[t.end] != ' ' && s[t.end] != ',' && s[t.end] != '\n' && s[t.end] != '\r' && s[t.end] != '\t' {
		if c := s[t.end]; c != '?' && c != '!' && c != ')' && c != ';' && c != '"' {
			return addrTok{}, false
		}
	}
	return t, true
}

// readAddrWordBack reads the word that ends at end (exclusive), allowing a trailing dot.
func (e *scanner) readAddrWordBack(s string, end, floor int) (addrTok, bool) {
	j := end
	if j > floor && s[j-1] == '.' {
		j--
	}
	k, lo := j, max(floor, j-41) // at most 41 letters back; the loop below checks the length
	for k > lo && isAlpha(s[k-1]) {
		k-- // ASCII fast path; the loop below takes over at other bytes
	}
	for k > floor {
		if c := s[k-1]; c < utf8.RuneSelf && c != '\'' && c != '-' && !isAlpha(c) {
			break // the common end of the word, a space: what the decode below ends at too
		}
		r, size := utf8.DecodeLastRuneInString(s[:k])
		if r < utf8.RuneSelf && !isAlpha(byte(r)) {
			if (r == '\'' || r == '-') && k-1 > floor && k < j {
				k -= size
				continue
			}
			break
		}
		if r >= utf8.RuneSelf && !unicode.IsLetter(r) {
			break
		}
		k -= size
		if j-k > 40 {
			return addrTok{}, false
		}
	}
	if k == j || (k > floor && s[k-1] != ' ' && s[k-1] != '\n' && s[k-1] != '\t' && s[k-1] != '>' && s[k-1] != ',' && s[k-1] != '(' && s[k-1] != ':' && s[k-1] != '"') {
		return addrTok{}, false
	}
	t, ok := e.readAddrWord(s, k)
	if !ok || t.end != end {
		return addrTok{}, false
	}
	return t, true
}

// isBodyWord: a word that can be part of a street name.
func isBodyWord(t addrTok) bool {
	if !t.upper {
		if len(t.word) > 3 && (t.word[1] == '\'' || strings.HasPrefix(t.word[1:], "’")) {
			return true // d'Ouchy, l'Église
		}
		return t.in(streetParticles) || hasStreetSuffix(t.word) || t.in(streetPrefixWords) || t.in(streetTypeWords)
	}
	return !t.in(sentenceWords)
}

// readHouseNumber reads 1-6 digits with an optional letter or /n, -n part; it returns the end.
func readHouseNumber(s string, i int) (int, bool) {
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	countWork(j - i + 1)
	if j-i == 0 || j-i > 6 {
		return 0, false
	}
	if j+1 < len(s) && (s[j] == '/' || s[j] == '-') && isDigit(s[j+1]) {
		k := j + 1
		for k < len(s) && isDigit(s[k]) && k-j <= 4 {
			k++
		}
		j = k
	} else if j < len(s) && isAlpha(s[j]) && (j+1 == len(s) || !isAlnum(s[j+1])) {
		j++
	}
	if j < len(s) && isAlnum(s[j]) {
		return 0, false
	}
	return j, true
}

// streetBeforeNumber returns where the street that ends right before the house number at num
// starts, not before min.
func (e *scanner) streetBeforeNumber(s string, num, floor int) (int, bool) {
	var toks [5]addrTok
	n := e.readStreetBack(s, num, floor, &toks)
	if n == 0 {
		return 0, false
	}
	t0 := toks[0]
	if t0.in(unitWords) {
		st := t0.start
		for _, po := range [...]string{"P.O. ", "PO ", "P. O. ", "p.o. "} {
			if st-len(po) >= floor && s[st-len(po):st] == po {
				st -= len(po)
			}
		}
		return st, true
	}
	if strings.EqualFold(t0.word, "unit") && strings.HasPrefix(strings.ToLower(afterNumber(s, num)), " box ") {
		return t0.start, true
	}
	// A street type before the name: the farthest one within reach wins ("Rue de la Paix 5").
	for k := n - 1; k >= 1; k-- {
		if !toks[k].in(streetPrefixWords) {
			continue
		}
		ok := true
		for m := k - 1; m >= 0; m-- {
			if !isBodyWord(toks[m]) && !toks[m].in(streetTypeWords|weakStreetTypeWords) {
				ok = false
			}
		}
		if ok {
			return toks[k].start, true
		}
	}
	known := knownStreetBefore(&toks, &n)
	if n > 1 && toks[1].upper && toks[1].fl&lexPhrase != 0 && e.lex.lookup(s[toks[1].start:t0.end])&lexPlace != 0 {
		kept(keepPlace, toks[1].start, t0.end) // "New York 345"
		return 0, false
	}
	if !known && t0.fl&(lexPlace|lexMonth|lexWeekday) != 0 {
		kept(keepPlace, t0.start, t0.end) // "London 248", "India 466": a place and a number
		return 0, false
	}
	if !known && !capAddrName(t0) {
		return 0, false
	}
	// Extend over capitalised words of the same name ("Brucker Bundesstrasse 31").
	st := t0.start
	for m := 1; m < n && m < 4; m++ {
		if !capAddrName(toks[m]) || plainAddrWord(toks[m]) || toks[m].in(measureUnits) ||
			s[toks[m].end-1] == '.' && toks[m].fl&lexAddress == 0 && len(toks[m].word) > 2 { // "EMEA. Link 226": a sentence ends
			break
		}
		st = toks[m].start
	}
	if known {
		return st, true
	}
	if plainAddrWord(t0) {
		return 0, false
	}
	// An unknown capitalised name before a number: a street when an address cue or another
	// house number comes first ("lives at Coronilla 3599", "72134 Coronilla 3599").
	if st >= 2 && isDigit(s[st-2]) && s[st-1] == ' ' && t0.fl&lexStop == 0 && !t0.in(measureUnits) && !allUpperASCII(t0.word) {
		return st, true
	}
	return st, addressCueBefore(s, st, floor)
}

// readStreetBack reads up to len(toks) words backwards from the house number at num, nearest
// first; none when the nearest is a plain English word that is no street word ("Report 42").
func (e *scanner) readStreetBack(s string, num, floor int, toks *[5]addrTok) int {
	if num < 2 || s[num-1] != ' ' {
		return 0
	}
	end := num - 1
	first, ok := e.readAddrWordBack(s, end, floor)
	if !ok || first.fl&(lexWord|lexStop) != 0 && first.fl&(lexPlace|lexStreet|lexGiven|lexFamily|lexAddress) == 0 &&
		(!mayBeAddressWord(first.word) || !hasStreetSuffix(first.word)) && !strings.EqualFold(first.word, "unit") {
		return 0
	}
	n := 0
	for n < len(toks) {
		t := first
		if n > 0 {
			if t, ok = e.readAddrWordBack(s, end, floor); !ok {
				break
			}
		}
		toks[n] = t
		n++
		if t.start < 1 || s[t.start-1] != ' ' || n >= 2 && !isBodyWord(t) && !t.in(streetTypeWords|weakStreetTypeWords) && backEnds(toks, n) {
			break
		}
		end = t.start - 1
	}
	return n
}

// backEnds reports that streetBeforeNumber needs no word beyond the n read (nearest first) when
// the last one is neither a body word nor a street type: a street type before the name must
// be reached over body words, and the extension over the name stops at that word. Only
// knownStreetBefore looks past one such word, the second, after a lower-case street type
// ("Árpád fejedelem útja 62"); "Paris 42", after "to Paris", reads no third word.
func backEnds(toks *[5]addrTok, n int) bool {
	return n >= 3 || toks[0].upper || !toks[0].in(lowerStreetTypes)
}

// capAddrName: a capitalised word that can be part of a street's name.
func capAddrName(t addrTok) bool { return t.upper && isBodyWord(t) && !t.in(streetParticles) }

// knownStreetBefore reports whether the words before a house number (nearest first) end with
// a street type or are a known street; it may drop a lower-case word inside the name.
func knownStreetBefore(toks *[5]addrTok, n *int) bool {
	t0 := toks[0]
	switch {
	case hasStreetSuffix(t0.word) && !plainAddrWord(t0) && (t0.upper || t0.fl&(lexWord|lexStop) == 0):
		return true // "Hauptstraße 5", "Nybyvägen 65"
	case *n > 1 && capAddrName(toks[1]) && t0.in(streetTypeWords) &&
		(t0.upper && !plainAddrWord(toks[1]) && !t0.in(lowerOnlyStreetTypes) || !t0.upper && t0.in(lowerStreetTypes)):
		return true // "Villacher Strasse 89", "Király u. 15", "Trenerys gate 232"
	case *n > 2 && !t0.upper && !toks[1].upper && !toks[1].in(sentenceWords) && capAddrName(toks[2]) && t0.in(lowerStreetTypes):
		toks[1] = toks[2] // "Árpád fejedelem útja 62": one lower-case word inside the name
		*n = 2
		return true
	case *n > 1 && capAddrName(toks[1]) && t0.upper && t0.in(weakStreetTypeWords) && !plainAddrWord(toks[1]):
		return true
	case t0.upper && t0.fl&lexStreet != 0 && t0.fl&(lexWord|lexStop|lexPlace) == 0:
		return true // a street name from the lexicon: "Tylova 285"
	}
	return false
}

// streetAfterNumber matches the street that follows the house number ending at ne
// ("12 Rowan Close", "12 rue de la Paix", "3654 Brixtonlaan 380"). It returns the end of the street.
func (e *scanner) streetAfterNumber(s string, i, ne, floor int) (int, bool) {
	j, ok := streetStart(s, ne)
	if !ok {
		return 0, false
	}
	var toks [6]addrTok
	n := 0
	stop := false // the word before was the last one the grammar looks past
	for n < len(toks) && j < len(s) {
		t, ok := e.readAddrWord(s, j)
		if !ok {
			break
		}
		// The first word decides most rejections: read no further when it fails them.
		if n == 0 && !t.in(streetPrefixWords) && (!t.upper || !isBodyWord(t)) && (!hasStreetSuffix(t.word) || plainAddrWord(t)) {
			return 0, false
		}
		toks[n] = t
		n++
		if t.end+1 >= len(s) || s[t.end] != ' ' || stop {
			break
		}
		stop = endsStreetAfter(&toks[0], &t)
		if stop && n > 1 && !t.upper && !t.in(lowerStreetTypes) {
			// Nor the one word further: that is only a direction after a street type, and
			// typedStreet and namedStreet decide at a lower-case word that is neither.
			break
		}
		j = t.end + 1
	}
	if n == 0 {
		return 0, false
	}
	if toks[0].in(streetPrefixWords) {
		return prefixedStreet(s, toks[:n])
	}
	return e.namedStreet(s, toks[:n], i, floor)
}

// endsStreetAfter reports that the words read after a house number need not go on past the one
// after prev: namedStreet and typedStreet stop at a lower-case word that is no particle or at a
// sentence word, and look at most one word further (a direction after a street type). A street
// led by its type (prefixedStreet) or a place phrase ("Golden Gate Bridge") reads on.
func endsStreetAfter(first, prev *addrTok) bool {
	if first.fl&lexPhrase != 0 || first.in(streetPrefixWords) {
		return false
	}
	if prev.upper {
		return prev.in(sentenceWords)
	}
	return !prev.in(streetParticles)
}

// streetStart returns where the street after the house number ending at ne starts, past a second
// number ("6400 12 Timms Drive"); ok is false when no street can start there ("42 quarter").
func streetStart(s string, ne int) (int, bool) {
	j := ne
	if j < len(s) && s[j] == ',' {
		j++
	}
	if j+1 >= len(s) || s[j] != ' ' {
		return 0, false
	}
	j++
	if isDigit(s[j]) {
		k, ok := readHouseNumber(s, j)
		if !ok || k+1 >= len(s) || s[k] != ' ' || quantityAt(s, k) {
			return 0, false
		}
		j = k + 1
	}
	// Quick reject: the street starts with a capital or a street word.
	if c := s[j]; c >= 'a' && c <= 'z' {
		k := j
		for k < len(s) && (isAlpha(s[k]) || s[k] >= 0x80 || s[k] == '.') && k-j < 40 {
			k++
		}
		if w := s[j:k]; !mayBeAddressWord(w) || !lowerAddressWord(w) && !hasStreetSuffix(strings.TrimSuffix(w, ".")) {
			return 0, false
		}
	}
	return j, true
}

// plainAddrWord: a common English or stop word that is not also a place, street or name.
func plainAddrWord(t addrTok) bool {
	return t.fl&(lexWord|lexStop) != 0 && t.fl&(lexPlace|lexStreet|lexGiven|lexFamily) == 0
}

// withHouseNumber extends a street ending at end over a house number that follows it.
func withHouseNumber(s string, end int) int {
	if end+1 < len(s) && s[end] == ' ' && isDigit(s[end+1]) {
		if k, ok := readHouseNumber(s, end+1); ok {
			return k
		}
	}
	return end
}

// prefixedStreet matches a street whose type comes first: "12 rue de la Paix", "106 Rue
// Ettatawer", "688 rue du centre 320"; a lower-case street type with lower-case words needs a
// house number after them ("3 via the portal" is not a street).
func prefixedStreet(s string, toks []addrTok) (int, bool) {
	end, capital := 0, toks[0].upper
	for _, t := range toks[1:] {
		if t.in(sentenceWords) && !t.in(streetParticles) || t.fl&lexStop != 0 && !t.upper {
			break
		}
		capital = capital || t.upper
		if !t.in(streetParticles) || t.upper {
			end = t.end
		}
	}
	if end == 0 {
		return 0, false
	}
	if en := withHouseNumber(s, end); en > end || capital {
		return en, true
	}
	return 0, false
}

// namedStreet matches a street name followed by its type ("Rowan Close"), a compound street
// ("Brixtonlaan 380"), or capitalised words then a house number or after an address cue.
func (e *scanner) namedStreet(s string, toks []addrTok, i, floor int) (int, bool) {
	if (!toks[0].upper || !isBodyWord(toks[0])) && (!hasStreetSuffix(toks[0].word) || plainAddrWord(toks[0])) {
		return 0, false
	}
	if toks[0].fl&lexPhrase != 0 {
		for k := min(len(toks)-1, 3); k >= 1; k-- {
			// "43 Golden Gate Bridge" is a landmark; "10 Downing Street" is still a street.
			if !toks[k].in(streetTypeWords) && e.lex.lookup(s[toks[0].start:toks[k].end])&lexPlace != 0 {
				kept(keepPlace, toks[0].start, toks[k].end)
				return 0, false
			}
		}
	}
	if end, ok, decided := typedStreet(s, toks); decided {
		return end, ok
	}
	// Capitalised words then a house number: "Rua Cyro Schmutzer Franco 1213", "Atamaria 55";
	// or after an address cue: "lives at 214 Pavlou Drandaki".
	last := 0
	for k := 0; k < len(toks) && k < 4; k++ {
		t := toks[k]
		if k > 0 && !t.upper && t.in(streetParticles) && k+1 < len(toks) && toks[k+1].upper {
			continue // "Jiřího z Poděbrad 1874", "Rua do Arenque 12"
		}
		if !t.upper || !isBodyWord(t) || plainAddrWord(t) || t.fl&(lexStop|lexPlace) != 0 || t.in(measureUnits) ||
			len(t.word) > 1 && allUpperASCII(t.word) && t.fl&lexStreet == 0 { // "107 EMEA 491": an acronym
			break
		}
		last = t.end
		if t.end+1 < len(s) && s[t.end] == ' ' && isDigit(s[t.end+1]) {
			return withHouseNumber(s, t.end), true
		}
	}
	if last > 0 && addressCueBefore(s, i, floor) {
		return last, true
	}
	return 0, false
}

// typedStreet looks for the street type or compound street word that ends the name; decided
// reports that it settled the question either way.
func typedStreet(s string, toks []addrTok) (end int, ok, decided bool) {
	allNames := true // no body word so far is a plain English word
	products := true // every body word so far is a product or company word (stop.txt)
	for k, t := range toks {
		if k > 0 && (t.upper && t.in(streetTypeWords) && !t.in(lowerOnlyStreetTypes) ||
			!t.upper && t.in(lowerStreetTypes) || t.upper && allNames && t.in(weakStreetTypeWords)) {
			if products && t.fl&lexStop != 0 {
				kept(keepProduct, toks[0].start, t.end) // "492 Shopify Drive": a product, not a street
				return 0, false, true
			}
			end := t.end
			if k+1 < len(toks) && toks[k+1].in(directionWords) && toks[k+1].upper {
				end = toks[k+1].end
			}
			return end, true, true
		}
		if hasStreetSuffix(t.word) && !plainAddrWord(t) {
			return withHouseNumber(s, t.end), true, true
		}
		if !isBodyWord(t) || !t.upper && !t.in(streetParticles) {
			return 0, false, false
		}
		if t.upper && t.fl&(lexMonth|lexWeekday) != 0 && t.fl&lexStreet == 0 {
			kept(keepDate, t.start, t.end) // "12 March Golden Gate": a date, then a landmark
			return 0, false, true
		}
		if plainAddrWord(t) {
			allNames = false
		}
		if t.upper {
			products = products && t.fl&lexStop != 0 && t.fl&(lexStreet|lexFamily|lexGiven) == 0
		}
	}
	return 0, false, false
}

// scanAddressNumber is called at a number that starts a word.
func (e *scanner) scanAddressNumber(s string, i, last int) (Finding, bool) {
	ne, ok := readHouseNumber(s, i)
	if !ok || !addressContext(s, i, ne) {
		return Finding{}, false
	}
	if quantityAt(s, ne) {
		kept(keepQuantity, i, ne)
		return Finding{}, false
	}
	start, end := -1, 0
	if st, ok := e.streetBeforeNumber(s, i, last); ok {
		start, end = st, ne
		if end < len(s) && s[end] == '.' {
			end++
		}
		// A number before the street ("5366 Pivovarská 276").
		if start-2 >= last && s[start-1] == ' ' && isDigit(s[start-2]) {
			k := start - 2
			for k > last && isDigit(s[k-1]) {
				k--
			}
			if k == 0 || !isAlnum(s[k-1]) {
				start = k
			}
		}
	} else if en, ok := e.streetAfterNumber(s, i, ne, last); ok {
		start, end = i, en
		// Words of the same address before the number ("Fuglie 41 Popović Dam").
		for range 3 {
			t, ok := e.readAddrWordBack(s, start-1, last)
			if start < 2 || s[start-1] != ' ' || !ok || !t.upper || t.in(sentenceWords) {
				break
			}
			start = t.start
		}
	}
	if start < 0 {
		return Finding{}, false
	}
	// "the corner of X and Y" is one address; so is "X and Y" after it.
	if c := strings.LastIndex(s[max(last, start-48):start], "corner of "); c >= 0 {
		if c = max(last, start-48) + c; s[c:start] == "corner of " || strings.HasSuffix(s[c:start], " and ") {
			start = c
			if start-4 >= last && s[start-4:start] == "the " {
				start -= 4
			}
		}
	}
	core := end
	if end = e.addressTail(s, end); end == core && s[end-1] == '.' {
		end-- // "lives at Coronilla 3599." ends a sentence; the dot is not the address's
	}
	return Finding{Start: start, End: end, Type: TypeStreetAddress}, true
}

// scanAddressWord is called at a capitalised word: military addresses ("USNS Bergman\nFPO AP 93757").
func (e *scanner) scanAddressWord(s string, i int) (Finding, bool) {
	if s[i] != 'U' || len(s)-i < 8 {
		return Finding{}, false
	}
	for _, p := range [...]string{"USNS ", "USNV ", "USS ", "USCGC "} {
		if strings.HasPrefix(s[i:], p) {
			t, ok := e.readAddrWord(s, i+len(p))
			if !ok || !t.upper {
				return Finding{}, false
			}
			end := e.addressTail(s, t.end)
			if !strings.Contains(s[t.end:end], "PO ") {
				return Finding{}, false
			}
			return Finding{Start: i, End: end, Type: TypeStreetAddress}, true
		}
	}
	return Finding{}, false
}
