package detect

// Names in text written all in lower case (chat typed on a phone, lower-cased transcripts,
// normalised logs): the capital letter that the main grammar keys on is gone, so a word is a
// name only on the lexicon's word and strong evidence: a given or family name that is nothing
// else, followed by another name ("naomi ryan", "codey m ross"), or a single one after a cue
// ("follow up with", "mr.", "i'm", "tracy:"), before a follower ("selma is from") or in a list
// of names ("silvana, adam, christopher and caleb").

import (
	"strings"
	"unicode"
)

// maxLowerNameWords bounds a lower-case name: given, initial, family, family.
const maxLowerNameWords = 4

// hasUpper reports whether s holds an upper-case letter; the first one ends the search, so text
// with capitals (nearly all of it) costs a few bytes.
func hasUpper(s string) bool {
	for _, r := range s {
		if r < 0x80 {
			if r >= 'A' && r <= 'Z' {
				return true
			}
			continue
		}
		if unicode.IsUpper(r) {
			return true
		}
	}
	return false
}

// lowerNameKind classifies a lower-case word: 2 a given or family name that is nothing else,
// 1 a given name that is also a word or a place ("frank", "chad"), 0 anything else.
func (e *Engine) lowerNameKind(w string) int {
	if len(w) < 3 {
		return 0
	}
	fl := e.lex.lookup(w)
	switch {
	case fl&(lexStop|lexBarrier|lexTitle|lexMonth|lexWeekday) != 0 || fl&(lexGiven|lexFamily) == 0:
		return 0
	case fl&(lexWord|lexPlace) == 0:
		return 2
	case fl&lexGiven != 0:
		return 1
	}
	return 0
}

// scanLowerText runs the lower-case name grammar when s has no capitals. Every rule of it needs
// a second word (a cue, a family name, a list), so short values and single tokens ("user",
// "tool_call") skip it.
func (e *Engine) scanLowerText(s string, dst []Finding) []Finding {
	if !e.lowerTextMayName(s) {
		return dst
	}
	return e.scanLowerNames(s, dst)
}

// lowerTextMayName reports whether scanLowerText runs its grammar on s.
func (e *Engine) lowerTextMayName(s string) bool {
	return len(s) >= len("hi ana") && e.lex != nil && e.enabled[TypePerson] && strings.IndexByte(s, ' ') >= 0 && !hasUpper(s)
}

// scanLowerNames appends the names found in s, a text without capitals, to dst (sorted,
// non-overlapping with what dst holds).
func (e *Engine) scanLowerNames(s string, dst []Finding) []Finding {
	found := len(dst)
	lastPerson, next := -1, 0 // next: the first finding of dst not yet behind i
	for i := 0; i < len(s); {
		for next < found && dst[next].End <= i {
			if dst[next].Type == TypePerson {
				lastPerson = dst[next].End
			}
			next++
		}
		if next < found && dst[next].Start <= i {
			i = dst[next].End
			continue
		}
		if !isLetterStart(s, i) || !wordStartOK(s, i) {
			i++
			continue
		}
		end, _, _, _ := readWord(s, i)
		// A multi-word place ("new york", "los angeles") is skipped whole.
		if e.lex.lookup(s[i:end])&lexPhrase != 0 {
			if p := e.placePhraseEnd(s, i, end); p > 0 {
				i = p
				continue
			}
		}
		if en, ok := e.lowerNameAt(s, i, end, lastPerson, dst); ok && (next >= found || en <= dst[next].Start) {
			dst = append(dst, Finding{Start: i, End: en, Type: TypePerson})
			lastPerson = en
			end = en
		}
		i = end
	}
	if len(dst) > found {
		sortFindings(dst)
	}
	return dst
}

// lowerNameAt decides whether a name starts with the word s[i:end] and returns its end.
func (e *Engine) lowerNameAt(s string, i, end, lastPerson int, found []Finding) (int, bool) {
	if !wordEndOK(s, end) {
		return 0, false
	}
	// After "my name is", "call me" a word that is not a common one is the name ("call me višeslav").
	named := mayEndNameCue(s, i) && nameCueBefore(s, i) && !keyCueBefore(s, i)
	first := e.lowerNameKind(trimPossessive(s[i:end]))
	if first == 0 && named && e.lex.lookup(trimPossessive(s[i:end]))&(lexWord|lexStop|lexBarrier) == 0 {
		first = 2
	}
	if first == 0 {
		return 0, false
	}
	// The words after it: initials ("m", "g.") and further names; a possessive ends the name.
	w0 := trimPossessive(s[i:end])
	en, strong, words, open := i+len(w0), first == 2, 1, len(w0) == end-i
	for j := end; open && words < maxLowerNameWords && j+1 < len(s) && s[j] == ' '; {
		k, _, _, _ := readWord(s, j+1)
		if k == j+1 {
			break
		}
		if k-(j+1) == 1 { // an initial
			if k < len(s) && s[k] == '.' {
				k++
			}
			j = k
			continue
		}
		if !wordEndOK(s, k) {
			break
		}
		w := trimPossessive(s[j+1 : k])
		kind := e.lowerNameKind(w)
		if kind == 0 && j > en && first == 2 && len(w) >= 3 && e.lex.lookup(w)&(lexWord|lexStop|lexBarrier) == 0 {
			kind = 2 // after an initial, a word that is not a common one is the family name: "leidy t muris"
		}
		if kind == 0 && (named && e.lex.lookup(w)&(lexWord|lexStop|lexBarrier) == 0 || words == 1 && first == 2 && e.lowerFamily(w)) {
			kind = 2 // "monika žilková", "nijito asano": an unknown, name-like word after a given name
		}
		if kind == 0 || e.lex.lookup(w)&lexFamily == 0 && kind != 2 {
			break
		}
		strong = strong || kind == 2
		en, words, j, open = j+1+len(w), words+1, k, len(w) == k-(j+1)
	}
	if words >= 2 && strong {
		return en, true // "naomi ryan", "frank freud", "eric g. samoylova"
	}
	if words >= 2 {
		return 0, false
	}
	place := e.lex.lookup(s[i:en])&lexPlace != 0
	return en, named || e.lowerNameEvidence(s, i, en, lastPerson, first == 2, place) || foundBefore(s, i, en, found)
}

// lowerFamily reports whether w, a word the lexicon does not know at all, looks like a name.
func (e *Engine) lowerFamily(w string) bool {
	return len(w) >= 3 && e.lex.lookup(w) == 0 && e.lex.nameLikeness(w) >= minLikenessPair
}

// foundBefore reports whether the word s[st:en] is a word of a name already found in s:
// "cormac had given cormac his address", "my name is borna jerković but everyone calls me borna".
func foundBefore(s string, st, en int, found []Finding) bool {
	w := s[st:en]
	for _, f := range found {
		if f.Type != TypePerson || f.End > st {
			continue
		}
		name := s[f.Start:f.End]
		for k := strings.Index(name, w); k >= 0; {
			if (k == 0 || name[k-1] == ' ') && (k+len(w) == len(name) || name[k+len(w)] == ' ') {
				return true
			}
			n := strings.Index(name[k+1:], w)
			if n < 0 {
				break
			}
			k += 1 + n
		}
	}
	return false
}

// trimPossessive drops an 's that readWord keeps as part of the word ("roberto's").
func trimPossessive(w string) string {
	if len(w) > 3 && w[len(w)-2] == '\'' && w[len(w)-1] == 's' {
		return w[:len(w)-2]
	}
	return w
}

// lowerNameEvidence reports whether the context of the single name word s[st:en] makes it a
// name: a title, a speaker label, a name it is listed with, or, when it is no place, a strong
// cue; for a word that is only a name, also a weak cue or a follower ("said", "is from").
func (e *Engine) lowerNameEvidence(s string, st, en, lastPerson int, strong, place bool) bool {
	if titleBefore(s, st) || speakerLabel(s, st, en) || nameJoinBefore(s, st, lastPerson) {
		return true
	}
	cue := cueBefore(s, st)
	if place {
		return false // "customer berlin", "meet in london": a place after a cue is a place
	}
	if cue == cueStrong {
		return true
	}
	if !strong {
		return false
	}
	return cue == cueWeak || followerAfter(s, en) || e.lowerNameFollows(s, en)
}

// lowerNameFollows reports whether a list goes on with another name after en ("silvana, adam").
func (e *Engine) lowerNameFollows(s string, en int) bool {
	for _, sep := range [...]string{", ", " and ", " & ", " or "} {
		if len(s)-en > len(sep) && s[en:en+len(sep)] == sep {
			i := en + len(sep)
			k, _, _, _ := readWord(s, i)
			return k > i && wordEndOK(s, k) && e.lowerNameKind(trimPossessive(s[i:k])) > 0
		}
	}
	return false
}

// titleBefore reports whether a title ("mr.", "dr ") is the word right before st.
func titleBefore(s string, st int) bool {
	k := st
	if k < 2 || s[k-1] != ' ' {
		return false
	}
	k--
	if s[k-1] == '.' {
		k--
	}
	j := k
	for j > 0 && isAlpha(s[j-1]) && k-j < 6 {
		j--
	}
	if j == k || j > 0 && isAlnum(s[j-1]) {
		return false
	}
	for _, t := range nameTitles {
		if s[j:k] == t {
			return true
		}
	}
	return false
}

// keyCueBefore reports whether the word before i ends a key ("secret_name: db", "tool-name: x"):
// a key's value is the key scanner's to judge.
func keyCueBefore(s string, i int) bool {
	j := i
	for j > 0 && i-j < 8 && (s[j-1] == ' ' || s[j-1] == ':' || s[j-1] == '"') {
		j--
	}
	for j > 0 && i-j < 32 && isAlpha(s[j-1]) {
		j--
	}
	return j > 0 && (s[j-1] == '_' || s[j-1] == '-' || s[j-1] == '.')
}
