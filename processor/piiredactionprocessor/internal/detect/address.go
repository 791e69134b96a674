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

// streetTypeWords are street types written as a separate word after the name: the usual ones
// take any capitalised name ("12 Main Street"); the rest (Faker's English-speaking locales' list
// of suffixes, many of them ordinary words) only names that are not common words ("Gairbekov
// Rapids", but not "3 Key Points").
var streetTypeWords = wordSet(`street st road rd avenue ave av lane ln drive dr close crescent cres way court ct
place pl boulevard blvd bvd terrace ter tce gardens gdns square sq parkway pkwy highway hwy mews grove trail trl
circle cir plaza alley row walk rise str utca út u körút tér köz sétány ulica ul cesta tee tänav iela gatvė
straße strasse gasse weg platz allee ring damm gate gata vej gade laan straat terrasse kapu útja rkp`)

// lowerOnlyStreetTypes are street types only in lower case ("Trenerys gate 232"); capitalised they
// are ordinary words before a number ("Gate 12", "Ring 3").
var lowerOnlyStreetTypes = wordSet(`gate gata vej gade ring rise row walk way`)

// lowerStreetTypes are written in lower case after the name ("Király u. 15", "Erzsébet tér 19").
var lowerStreetTypes = wordSet(`u utca út tér köz körút str ulica ul gate gata vej gade terrasse kapu útja rkp cesta tee
tänav iela gatvė straße strasse gasse weg platz allee ring`)

var weakStreetTypeWords = wordSet(`alleyway amble anchorage approach arcade basin beach brae bridge broadway brook brooks
brow burg burgs bypass byway canyon cape causeway chase circles circlet circuit circus cliff cliffs club colonnade common
concourse copse corner corners corso court courts courtyard cove coves creek crest crossing crossroad crossway
cul-de-sac curve dale dam dell drives driveway esplanade estate estates expressway extension extensions fairway
ferry firetrail flat flats footway ford fords foreshore forest forge forges fork forks fort freeway gardens gateway
glade glen glens grange green greens groves gully harbor harbors harbour haven heights highroad hill hills hollow
inlet interchange island islands isle junction junctions knoll knolls lake lakes landing laneway lees lodge lookout
loop mall manor manors meadow meadows meander mew mill mills mission motorway mount mountain mountains neck nook
orchard outlook oval overpass parade park parklands parks parkways pass passage path pathway piazza pike pine pines
plateau prairie promenade quadrangle quadrant quay quays radial ramble ranch rapids retreat ridge ridges ridgeway
riverway riviera roads roadside roadway ronde shoal shoals shore shores siding skyway slope square squares stravenue
stream streets summit tarn thoroughfare throughway tollway tor towers trafficway trailer trunkway tunnel turnpike
tpke underpass union unions vale valley valleys viaduct view views village villages villas ville vista walks
walkway ways wharf wynd embankment route`)

// streetPrefixWords are street types written before the name.
var streetPrefixWords = wordSet(`rue avenue av avenida avda boulevard bd bvd chemin allée allee impasse place quai route
cours via viale piazza piazzale piazzetta corso vicolo largo strada calle carrer paseo plaza camino carretera ronda
travesía travesia rua rúa travessa praça praca estrada alameda ladeira ul ulica al aleja pl plac os osiedle str
bulevardul aleea calea soseaua jalan jl jln lorong rambla trg leoforos odos λ λεωφ λεωφόρος οδός`)

// streetParticles join the words of a street name ("Rua do Arenque", "Via dei Fiorentini").
var streetParticles = wordSet(`de del della delle dei degli di da do dos das du des la le les los las el al von van der
den am an im zum zur auf na nad pod of the and y e i à`)

func isStreetType(w string) bool { return inSet(streetTypeWords, w) || inSet(weakStreetTypeWords, w) }

// streetSuffixes end compound street names ("Hauptstraße", "Nybyvägen", "Harjukuja").
var streetSuffixes = []string{
	"straße", "strasse", "str.", "gasse", "weg", "platz", "allee", "ring", "damm", "ufer",
	"steig", "pfad", "chaussee", "gade", "vej", "vænget", "stræde", "gatan", "vägen", "gata", "gränd", "stigen",
	"torget", "backen", "laan", "straat", "dreef", "singel", "steeg", "gracht", "plein", "kade", "kuja", "katu",
	"tie", "polku", "kaari", "rinne", "veien", "vegen", "veg", "gate", "braut", "vegur", "stígur", "stræti",
	"vollen", "bakken", "haugen", "utca", "ulice", "iela", "tänav", "gatvė", "street", "road", "brücke", "baan", "graben",
	"markt", "berg", "hof", "feld", "park", "dijk", "kai", "gränd", "väg", "vägen", "torg",
}

// unitWords introduce a unit or box number ("Apt. 5", "Suite 838", "P.O. Box 242", "PSC 0729").
var unitWords = wordSet(`apt apartment suite ste flat box postbox psc piso dpto depto appartamento`)

// addressCues precede a street written without a known street type ("lives at Coronilla 3599").
var addressCues = []string{
	"address:", "address is", "address", "lives at", "lives on", "lives in", "live at",
	"located at", "located on", "located in", "is at", "are at", "me at", "meet at", "ship to", "ship it to", "deliver to",
	"deliver it to", "delivered to", "moved to", "send it to", "mail it to", "corner of", "side of", "is on",
	"adresse:", "anschrift:", "dirección:", "indirizzo:", "endereço:",
}

// sentenceWords end an address tail: capitalised words that start a new sentence, not a city.
var sentenceWords = wordSet(`i it its the this that then there these those please thanks thank and but also so we you
he she they my our your his her their if when can could would will should is are was were be been let call meet see
send ship tell ask what where who how why hello hi dear regards best cheers ok okay yes no not a an in on at for of
to from by with as or all some any each every one after before during while since until about into over under
just only even still here now today tomorrow yesterday`)

func allUpperASCII(w string) bool {
	for i := range len(w) {
		if w[i] < 'A' || w[i] > 'Z' {
			return false
		}
	}
	return true
}

// suffixesByLast indexes streetSuffixes by their last byte (lower case) for a quick reject.
var suffixesByLast = func() (idx [256][]string) {
	for _, suf := range streetSuffixes {
		c := suf[len(suf)-1]
		idx[c] = append(idx[c], suf)
		if c >= 'a' && c <= 'z' {
			idx[c-'a'+'A'] = append(idx[c-'a'+'A'], suf)
		}
	}
	return idx
}()

func hasStreetSuffix(w string) bool {
	if len(w) < 5 {
		return false
	}
	for _, suf := range suffixesByLast[w[len(w)-1]] {
		if len(w) > len(suf)+2 && hasSuffixFold(w, suf) {
			return true
		}
	}
	return false
}

// addressContext is the quick test before the address grammar runs at a house number: the word
// before or after the number must be capitalised, a number, or a street word ("revenue 42
// quarter" is not an address).
func addressContext(s string, i, ne int) bool {
	// Forward first: a capital, a digit or a non-ASCII letter after the number is enough.
	j := ne
	if j < len(s) && s[j] == ',' {
		j++
	}
	fwd := j+1 < len(s) && s[j] == ' '
	if fwd {
		j++
		if c := s[j]; isDigit(c) || c >= 0x80 || c >= 'A' && c <= 'Z' {
			return true
		}
	}
	if i >= 2 && s[i-1] == ' ' {
		k := i - 1
		for k > 0 && addrWordByte[s[k-1]] && i-1-k < 40 {
			k--
		}
		if k < i-1 {
			c := s[k]
			if c >= 0x80 || c >= 'A' && c <= 'Z' {
				return true
			}
			if w := s[k : i-1]; mayBeAddressWord(w) && (lowerAddressWord(w) || hasStreetSuffix(w)) {
				return true
			}
		}
	}
	if !fwd {
		return false
	}
	k := j
	for k < len(s) && addrWordByte[s[k]] && s[k] != '\'' && k-j < 40 {
		k++
	}
	w := s[j:k]
	return mayBeAddressWord(w) && (lowerAddressWord(w) || hasStreetSuffix(strings.TrimSuffix(w, ".")))
}

// addrWordByte: letters (any script, as UTF-8 bytes), '.' and the apostrophe.
var addrWordByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = isAlpha(byte(c)) || c >= 0x80 || c == '.' || c == '\''
	}
	return t
}()

// addressTails is a 4096-bit filter over the last three bytes (lower case) of the street words,
// units and street suffixes: most ordinary words fail it at the cost of one hash.
var addressTails = func() (f [64]uint64) {
	add := func(w string) {
		if h, ok := tailHash(w); ok {
			f[h>>6] |= 1 << (h & 63)
		}
	}
	for _, w := range wordsOf(lowerAddressWords) {
		add(w)
	}
	for _, w := range streetSuffixes {
		add(w)
	}
	return f
}()

func tailHash(w string) (uint32, bool) {
	w = strings.TrimSuffix(w, ".")
	if len(w) < 3 {
		return 0, false
	}
	a, b, c := uint32(w[len(w)-3]|0x20), uint32(w[len(w)-2]|0x20), uint32(w[len(w)-1]|0x20)
	return (a*0x9E3779B1 ^ b*0x85EBCA77 ^ c*0xC2B2AE3D) >> 20, true
}

// mayBeAddressWord is the quick filter before lowerAddressWord and hasStreetSuffix.
func mayBeAddressWord(w string) bool {
	h, ok := tailHash(w)
	if !ok {
		return true // short words ("u.", "ul") go to the exact test
	}
	return addressTails[h>>6]&(1<<(h&63)) != 0
}

// lowerAddressWord tests membership in lowerAddressWords, rejecting most words by their first
// letter and length before the map lookup.
func lowerAddressWord(w string) bool {
	w = strings.TrimSuffix(w, ".")
	if len(w) == 0 || len(w) > 31 || w[0] < 'a' || w[0] > 'z' || lowerAddressShape[w[0]-'a']&(1<<len(w)) == 0 {
		return len(w) > 0 && w[0] >= 0x80 && inSet(lowerAddressWords, w)
	}
	return inSet(lowerAddressWords, w)
}

var lowerAddressShape = func() (m [26]uint32) {
	for _, w := range wordsOf(lowerAddressWords) {
		if w[0] >= 'a' && w[0] <= 'z' && len(w) < 32 {
			m[w[0]-'a'] |= 1 << len(w)
		}
	}
	return m
}()

// lowerAddressWords may stand in lower case right before a house number.
var lowerAddressWords = unitWords | lowerStreetTypes | streetPrefixWords | unitWord

var unitWord = wordSet(`unit`)

func hasSuffixFold(s, suf string) bool {
	return len(s) >= len(suf) && strings.EqualFold(s[len(s)-len(suf):], suf)
}

// addrTok is a word of a street name: letters, possibly ending with an abbreviation dot.
type addrTok struct {
	start, end int // end includes an abbreviation dot
	word       string
	upper      bool // starts with an upper-case letter
	fl         lexFlags
}

// readAddrWord reads a word at i (letters; a trailing dot is kept for abbreviations).
func (e *Engine) readAddrWord(s string, i int) (addrTok, bool) {
	end, firstUpper, _, _ := readWord(s, i)
	if end == i {
		return addrTok{}, false
	}
	t := addrTok{start: i, end: end, word: s[i:end], upper: firstUpper}
	if end < len(s) && s[end] == '.' {
		t.end++
	}
	if t.end < len(s) && s[t.end] != ' ' && s[t.end] != ',' && s[t.end] != '\n' && s[t.end] != '\r' && s[t.end] != '\t' {
		if c := s[t.end]; c != '?' && c != '!' && c != ')' && c != ';' && c != '"' {
			return addrTok{}, false
		}
	}
	t.fl = e.lex.lookup(t.word)
	return t, true
}

// readAddrWordBack reads the word that ends at end (exclusive), allowing a trailing dot.
func (e *Engine) readAddrWordBack(s string, end, floor int) (addrTok, bool) {
	j := end
	if j > floor && s[j-1] == '.' {
		j--
	}
	k := j
	for k > floor && isAlpha(s[k-1]) && j-k <= 40 {
		k-- // ASCII fast path; the loop below takes over at other bytes
	}
	for k > floor {
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
		return inSet(streetParticles, t.word) || hasStreetSuffix(t.word) || inSet(streetPrefixWords, t.word) || inSet(streetTypeWords, t.word)
	}
	return !inSet(sentenceWords, t.word)
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
func (e *Engine) streetBeforeNumber(s string, num, floor int) (int, bool) {
	if num < 2 || s[num-1] != ' ' {
		return 0, false
	}
	var toks [5]addrTok
	n := 0
	end := num - 1
	// Quick reject: a plain English word right before the number ("Report 42") is not a street
	// unless it is a street word itself.
	first, ok := e.readAddrWordBack(s, end, floor)
	if !ok || first.fl&(lexWord|lexStop) != 0 && first.fl&(lexPlace|lexStreet|lexGiven|lexFamily|lexAddress) == 0 &&
		(!mayBeAddressWord(first.word) || !hasStreetSuffix(first.word)) && !strings.EqualFold(first.word, "unit") {
		return 0, false
	}
	for n < len(toks) {
		t := first
		if n > 0 {
			if t, ok = e.readAddrWordBack(s, end, floor); !ok {
				break
			}
		}
		toks[n] = t
		n++
		if t.start < 1 || s[t.start-1] != ' ' {
			break
		}
		end = t.start - 1
	}
	if n == 0 {
		return 0, false
	}
	t0 := toks[0]
	if inSet(unitWords, t0.word) {
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
		if !inSet(streetPrefixWords, toks[k].word) {
			continue
		}
		ok := true
		for m := k - 1; m >= 0; m-- {
			if !isBodyWord(toks[m]) && !isStreetType(toks[m].word) {
				ok = false
			}
		}
		if ok {
			return toks[k].start, true
		}
	}
	plainWord := func(t addrTok) bool {
		return t.fl&(lexWord|lexStop) != 0 && t.fl&(lexPlace|lexStreet|lexGiven|lexFamily) == 0
	}
	capName := func(t addrTok) bool { return t.upper && isBodyWord(t) && !inSet(streetParticles, t.word) }
	known := false
	switch {
	case hasStreetSuffix(t0.word) && !plainWord(t0) && (t0.upper || t0.fl&(lexWord|lexStop) == 0):
		known = true // "Hauptstraße 5", "Nybyvägen 65"
	case n > 1 && capName(toks[1]) && inSet(streetTypeWords, t0.word) &&
		(t0.upper && !plainWord(toks[1]) && !inSet(lowerOnlyStreetTypes, t0.word) || !t0.upper && inSet(lowerStreetTypes, t0.word)):
		known = true // "Villacher Strasse 89", "Király u. 15", "Trenerys gate 232"
	case n > 2 && !t0.upper && !toks[1].upper && !inSet(sentenceWords, toks[1].word) && capName(toks[2]) && inSet(lowerStreetTypes, t0.word):
		toks[1] = toks[2] // "Árpád fejedelem útja 62": one lower-case word inside the name
		n = 2
		known = true
	case n > 1 && capName(toks[1]) && t0.upper && inSet(weakStreetTypeWords, t0.word) && !plainWord(toks[1]):
		known = true
	case t0.upper && t0.fl&lexStreet != 0 && t0.fl&(lexWord|lexStop|lexPlace) == 0:
		known = true // a street name from the lexicon: "Tylova 285"
	}
	if n > 1 && toks[1].upper && toks[1].fl&lexPhrase != 0 && e.lex.lookup(s[toks[1].start:t0.end])&lexPlace != 0 {
		kept(keepPlace, toks[1].start, t0.end) // "New York 345"
		return 0, false
	}
	if !known && t0.fl&(lexPlace|lexMonth|lexWeekday) != 0 {
		kept(keepPlace, t0.start, t0.end) // "London 248", "India 466": a place and a number
		return 0, false
	}
	if !known && !capName(t0) {
		return 0, false
	}
	// Extend over capitalised words of the same name ("Brucker Bundesstrasse 31").
	st := t0.start
	for m := 1; m < n && m < 4; m++ {
		if !capName(toks[m]) || plainWord(toks[m]) || inSet(measureUnits, toks[m].word) ||
			s[toks[m].end-1] == '.' && toks[m].fl&lexAddress == 0 && len(toks[m].word) > 2 { // "EMEA. Link 226": a sentence ends
			break
		}
		st = toks[m].start
	}
	if known {
		return st, true
	}
	if plainWord(t0) {
		return 0, false
	}
	// An unknown capitalised name before a number: a street when an address cue or another
	// house number comes first ("lives at Coronilla 3599", "72134 Coronilla 3599").
	if st >= 2 && isDigit(s[st-2]) && s[st-1] == ' ' && t0.fl&lexStop == 0 && !inSet(measureUnits, t0.word) && !allUpperASCII(t0.word) {
		return st, true
	}
	if addressCueBefore(s, st, floor) {
		return st, true
	}
	return 0, false
}

func addressCueBefore(s string, st, floor int) bool {
	win := strings.TrimRight(s[max(floor, st-24):st], " \n")
	for _, c := range addressCues {
		if endsWithWord(win, c) {
			return true
		}
	}
	return false
}

func afterNumber(s string, i int) string {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[i:]
}

var directionWords = wordSet(`north south east west n s e w ne nw se sw`)

// streetAfterNumber matches the street that follows the house number ending at ne
// ("12 Rowan Close", "12 rue de la Paix", "3654 Brixtonlaan 380"). It returns the end of the street.
func (e *Engine) streetAfterNumber(s string, i, ne, floor int) (int, bool) {
	j := ne
	if j < len(s) && s[j] == ',' {
		j++
	}
	if j+1 >= len(s) || s[j] != ' ' {
		return 0, false
	}
	j++
	// A second number: "6400 12 Timms Drive".
	if isDigit(s[j]) {
		k, ok := readHouseNumber(s, j)
		if !ok || k+1 >= len(s) || s[k] != ' ' || quantityAt(s, k) {
			return 0, false
		}
		j = k + 1
	}
	// Quick reject: the street starts with a capital or a street word ("42 quarter" does not).
	if c := s[j]; c >= 'a' && c <= 'z' {
		k := j
		for k < len(s) && (isAlpha(s[k]) || s[k] >= 0x80 || s[k] == '.') && k-j < 40 {
			k++
		}
		if w := s[j:k]; !mayBeAddressWord(w) || !lowerAddressWord(w) && !hasStreetSuffix(strings.TrimSuffix(w, ".")) {
			return 0, false
		}
	}
	plainWord := func(t addrTok) bool {
		return t.fl&(lexWord|lexStop) != 0 && t.fl&(lexPlace|lexStreet|lexGiven|lexFamily) == 0
	}
	var toks [6]addrTok
	n := 0
	for n < len(toks) && j < len(s) {
		t, ok := e.readAddrWord(s, j)
		if !ok {
			break
		}
		// The first word decides most rejections: read no further when it fails them.
		if n == 0 && !inSet(streetPrefixWords, t.word) && (!t.upper || !isBodyWord(t)) && (!hasStreetSuffix(t.word) || plainWord(t)) {
			return 0, false
		}
		toks[n] = t
		n++
		if t.end+1 >= len(s) || s[t.end] != ' ' {
			break
		}
		j = t.end + 1
	}
	if n == 0 {
		return 0, false
	}
	withNumber := func(end int) (int, bool) {
		if end+1 < len(s) && s[end] == ' ' && isDigit(s[end+1]) {
			if k, ok := readHouseNumber(s, end+1); ok {
				return k, true
			}
		}
		return end, true
	}
	if inSet(streetPrefixWords, toks[0].word) {
		// "12 rue de la Paix", "106 Rue Ettatawer", "688 rue du centre 320"; a lower-case
		// street type with lower-case words needs a house number after them ("3 via the portal").
		end, capital := 0, toks[0].upper
		for k := 1; k < n; k++ {
			t := toks[k]
			if inSet(sentenceWords, t.word) && !inSet(streetParticles, t.word) || t.fl&lexStop != 0 && !t.upper {
				break
			}
			capital = capital || t.upper
			if !inSet(streetParticles, t.word) || t.upper {
				end = t.end
			}
		}
		if end == 0 {
			return 0, false
		}
		if en, _ := withNumber(end); en > end || capital {
			return en, true
		}
		return 0, false
	}
	if (!toks[0].upper || !isBodyWord(toks[0])) && (!hasStreetSuffix(toks[0].word) || plainWord(toks[0])) {
		return 0, false
	}
	if toks[0].fl&lexPhrase != 0 {
		for k := min(n-1, 3); k >= 1; k-- {
			if e.lex.lookup(s[toks[0].start:toks[k].end])&lexPlace != 0 {
				kept(keepPlace, toks[0].start, toks[k].end) // "43 Golden Gate Bridge": a landmark
				return 0, false
			}
		}
	}
	allNames := true // no body word so far is a plain English word
	products := true // every body word so far is a product or company word (stop.txt)
	for k := range n {
		t := toks[k]
		if k > 0 && (t.upper && inSet(streetTypeWords, t.word) && !inSet(lowerOnlyStreetTypes, t.word) ||
			!t.upper && inSet(lowerStreetTypes, t.word) || t.upper && allNames && inSet(weakStreetTypeWords, t.word)) {
			if products && t.fl&lexStop != 0 {
				kept(keepProduct, toks[0].start, t.end) // "492 Shopify Drive": a product, not a street
				return 0, false
			}
			end := t.end
			if k+1 < n && inSet(directionWords, toks[k+1].word) && toks[k+1].upper {
				end = toks[k+1].end
			}
			return end, true
		}
		if hasStreetSuffix(t.word) && !plainWord(t) {
			return withNumber(t.end)
		}
		if !isBodyWord(t) || !t.upper && !inSet(streetParticles, t.word) {
			break
		}
		if t.upper && t.fl&(lexMonth|lexWeekday) != 0 && t.fl&lexStreet == 0 {
			kept(keepDate, t.start, t.end) // "12 March Golden Gate": a date, then a landmark
			return 0, false
		}
		if plainWord(t) {
			allNames = false
		}
		if t.upper {
			products = products && t.fl&lexStop != 0 && t.fl&(lexStreet|lexFamily|lexGiven) == 0
		}
	}
	// Capitalised words then a house number: "Rua Cyro Schmutzer Franco 1213", "Atamaria 55";
	// or after an address cue: "lives at 214 Pavlou Drandaki".
	last := 0
	for k := 0; k < n && k < 4; k++ {
		t := toks[k]
		if !t.upper || !isBodyWord(t) || plainWord(t) || t.fl&(lexStop|lexPlace) != 0 || inSet(measureUnits, t.word) ||
			len(t.word) > 1 && allUpperASCII(t.word) && t.fl&lexStreet == 0 { // "107 EMEA 491": an acronym
			break
		}
		last = t.end
		if t.end+1 < len(s) && s[t.end] == ' ' && isDigit(s[t.end+1]) {
			return withNumber(t.end)
		}
	}
	if last > 0 && addressCueBefore(s, i, floor) {
		return last, true
	}
	return 0, false
}

// scanAddressNumber is called at a number that starts a word.
func (e *Engine) scanAddressNumber(s string, i, last int) (Finding, bool) {
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
			if start < 2 || s[start-1] != ' ' || !ok || !t.upper || inSet(sentenceWords, t.word) {
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
func (e *Engine) scanAddressWord(s string, i int) (Finding, bool) {
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

// addressTail extends an address over what follows on its lines: units, postcodes, cities,
// regions and countries, and a second street after "and" ("the corner of X and Y").
func (e *Engine) addressTail(s string, p int) int {
	limit := min(len(s), p+200)
	lines := 0
	for range 10 {
		countWork(1)
		q := p
		for q < limit && (s[q] == ' ' || s[q] == ',' || s[q] == '\n' || s[q] == '\r' || s[q] == '\t' || s[q] == '>' || s[q] == '(' || s[q] == ')' ||
			s[q] == '?' && q > 0 && (s[q-1] == '\n' || s[q-1] == '?')) { // "??? " line markers
			if s[q] == '\n' {
				lines++
			}
			q++
		}
		if q >= limit || lines > 5 {
			break
		}
		if q == p && (p <= 0 || s[p-1] != '.') {
			break
		}
		if isDigit(s[q]) {
			if s[q-1] == '(' {
				break // "(37) 788-063": a phone number
			}
			// A postcode: 2-6 digits, or a ZIP+4; a phone number on the next line is not.
			k := q
			for k < limit && isDigit(s[k]) {
				k++
			}
			if k-q > 6 {
				break
			}
			if k+4 < len(s) && s[k] == '-' && isDigit(s[k+1]) && isDigit(s[k+4]) {
				k += 5
			}
			if k < len(s) && (isAlnum(s[k]) || s[k] == '-' || s[k] == '.' && k+1 < len(s) && isDigit(s[k+1])) ||
				k+1 < len(s) && s[k] == ' ' && isDigit(s[k+1]) {
				break
			}
			p = k
			continue
		}
		if up := ukPostcode(s, q); up > 0 {
			p = up
			continue
		}
		t, ok := e.readAddrWord(s, q)
		if !ok {
			break
		}
		if inSet(unitWords, t.word) || strings.EqualFold(t.word, "unit") {
			if t.end+1 < len(s) && s[t.end] == ' ' && isDigit(s[t.end+1]) {
				k, ok := readHouseNumber(s, t.end+1)
				if !ok {
					break
				}
				p = k
				continue
			}
			break
		}
		if (strings.EqualFold(t.word, "apo") || strings.EqualFold(t.word, "fpo") || strings.EqualFold(t.word, "dpo")) && t.end+3 < len(s) && s[t.end] == ' ' && isAlpha(s[t.end+1]) && isAlpha(s[t.end+2]) {
			p = t.end + 3
			continue
		}
		if t.word == "and" && s[q-1] == ' ' && t.end+1 < len(s) {
			if en, ok := e.secondStreet(s, t.end+1); ok {
				p = en
				continue
			}
			break
		}
		if !t.upper {
			if t.word == "nan" {
				p = t.end
				continue
			}
			// "Torroella de Montgrí": a particle inside a place name.
			if inSet(streetParticles, t.word) && t.end+1 < len(s) && s[t.end] == ' ' {
				if u, ok := e.readAddrWord(s, t.end+1); ok && u.upper && !inSet(sentenceWords, u.word) {
					p = u.end
					continue
				}
			}
			break
		}
		if inSet(sentenceWords, t.word) && (t.end-t.start > 3 || !allUpperASCII(t.word)) {
			break // "ON", "AT" are provinces and regions here
		}
		p = t.end
		if s[p-1] == '.' && p-t.start > 4 && t.fl&lexPlace == 0 {
			p-- // a sentence end, not an abbreviation
			break
		}
	}
	for p > 0 && (s[p-1] == ' ' || s[p-1] == ',') {
		p--
	}
	return p
}

// secondStreet matches the street after "and" in "the corner of X and Y".
func (e *Engine) secondStreet(s string, i int) (int, bool) {
	if i < len(s) && isDigit(s[i]) {
		if ne, ok := readHouseNumber(s, i); ok {
			return e.streetAfterNumber(s, i, ne, i)
		}
		return 0, false
	}
	j := i
	for n := 0; n < 4 && j < len(s); n++ {
		t, ok := e.readAddrWord(s, j)
		if !ok || !t.upper && !inSet(streetPrefixWords, t.word) {
			return 0, false
		}
		if n > 0 && isStreetType(t.word) {
			return t.end, true
		}
		if hasStreetSuffix(t.word) {
			end := t.end
			if end+1 < len(s) && s[end] == ' ' && isDigit(s[end+1]) {
				if k, ok := readHouseNumber(s, end+1); ok {
					end = k
				}
			}
			return end, true
		}
		if t.end+1 >= len(s) || s[t.end] != ' ' {
			return 0, false
		}
		j = t.end + 1
	}
	return 0, false
}

// ukPostcode matches a UK postcode ("SW1A 1AA", "S1 2HE", "M60 1NW") at i and returns its end.
func ukPostcode(s string, i int) int {
	j := i
	letters := 0
	for j < len(s) && s[j] >= 'A' && s[j] <= 'Z' && letters < 2 {
		j++
		letters++
	}
	if letters == 0 || j >= len(s) || !isDigit(s[j]) {
		return 0
	}
	j++
	if j < len(s) && (isDigit(s[j]) || s[j] >= 'A' && s[j] <= 'Z') {
		j++
	}
	if j+4 > len(s) || s[j] != ' ' || !isDigit(s[j+1]) || s[j+2] < 'A' || s[j+2] > 'Z' || s[j+3] < 'A' || s[j+3] > 'Z' {
		return 0
	}
	if j+4 < len(s) && isAlnum(s[j+4]) {
		return 0
	}
	return j + 4
}
