package detect

// What follows a street on its lines: units, postcodes, cities, regions, countries, and a second
// street after "and".

import (
	"strings"
)

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

// addressTail extends an address over what follows on its lines: units, postcodes, cities,
// regions and countries, and a second street after "and" ("the corner of X and Y").
func (e *scanner) addressTail(s string, p int) int {
	limit := min(len(s), p+200)
	lines := 0
	for range 12 {
		countWork(1)
		q := p
		for q < limit && (s[q] == ' ' || s[q] == ',' || s[q] == '\n' || s[q] == '\r' || s[q] == '\t' || s[q] == '>' || s[q] == '(' || s[q] == ')' ||
			s[q] == '?' && q > 0 && (s[q-1] == '\n' || s[q-1] == '?') || // "??? " line markers
			s[q] == '.' && q > 0 && isDigit(s[q-1]) && q+1 < limit && s[q+1] == '\n') { // "Piroska u. 97.\nPorto Alegre"
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
		if t.in(unitWords) || strings.EqualFold(t.word, "unit") {
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
			en := e.lowerTailWord(s, q, t)
			if en == 0 {
				break
			}
			p = en
			continue
		}
		if t.in(sentenceWords) && (t.end-t.start > 3 || !allUpperASCII(t.word)) {
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
func (e *scanner) secondStreet(s string, i int) (int, bool) {
	if i < len(s) && isDigit(s[i]) {
		if ne, ok := readHouseNumber(s, i); ok {
			return e.streetAfterNumber(s, i, ne, i)
		}
		return 0, false
	}
	j := i
	for n := 0; n < 4 && j < len(s); n++ {
		t, ok := e.readAddrWord(s, j)
		if !ok || !t.upper && !t.in(streetPrefixWords) {
			return 0, false
		}
		if n > 0 && t.in(streetTypeWords|weakStreetTypeWords) {
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

// cityBeforePlace reports whether the word s[q:end], after a comma, is followed by ", " and a
// place the lexicon knows: "sé, portugal" is a city then its country.
func (e *scanner) cityBeforePlace(s string, q, end int) bool {
	if q < 2 || s[q-2] != ',' || end+2 >= len(s) || s[end] != ',' || s[end+1] != ' ' {
		return false
	}
	u, ok := e.readAddrWord(s, end+2)
	return ok && u.fl&lexPlace != 0 && u.fl&(lexWord|lexStop) == 0
}

// placePhraseAfter returns the end of a two-word place the lexicon knows that starts with t
// ("south africa", "new zealand"), or 0.
func (e *scanner) placePhraseAfter(s string, t addrTok) int {
	if t.fl&lexPhrase == 0 || t.end+1 >= len(s) || s[t.end] != ' ' {
		return 0
	}
	u, ok := e.readAddrWord(s, t.end+1)
	end := u.start + len(u.word) // without a sentence's dot
	if !ok || e.lex.lookup(s[t.start:end])&lexPlace == 0 {
		return 0
	}
	return end
}

// lowerTailWord returns the end of the tail's lower-case word t at q and what it carries, or 0
// where the tail ends: "nan" (an empty field), a place the lexicon knows or the city before one
// ("6, sé, portugal", "44, belfast, south africa"), a particle inside a place name
// ("Torroella de Montgrí").
func (e *scanner) lowerTailWord(s string, q int, t addrTok) int {
	if t.word == "nan" || t.fl&(lexWord|lexStop) == 0 && (t.fl&lexPlace != 0 || e.cityBeforePlace(s, q, t.end)) {
		return t.end
	}
	if en := e.placePhraseAfter(s, t); en > 0 {
		return en
	}
	if t.in(streetParticles) && t.end+1 < len(s) && s[t.end] == ' ' {
		if u, ok := e.readAddrWord(s, t.end+1); ok && u.upper && !u.in(sentenceWords) {
			return u.end
		}
	}
	return 0
}
