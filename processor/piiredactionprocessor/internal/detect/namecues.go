package detect

// Context around a PERSON candidate: cue words before it ("my name is", "spoke with"), words
// after it ("said"), organisation and suffix words, speaker labels and lists of names.

import (
	"strings"
)

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
	"father", "son", "daughter", "kid", "child", "colleague", "friend", "boss", "according to", "including", "ex-", "songwriter", "singer",
	"actor", "actress", "writer", "author", "poet", "president", "minister", "coach", "player",
}

// Cues after a name.
var nameFollowers = []string{
	"said", "says", "wrote", "writes", "replied", "asked", "told", "mentioned", "thinks", "agreed", "confirmed",
	"explained", "added", "noted", "suggested", "reported", "had given", "will be talking", "was born", "lives",
	"works", "is my", "was my", "spent", "began", "shouted", "whispered", "smiled", "laughed", "cried", "is from",
	"married", "died", "joined", "founded", "graduated", "resigned", "signed",
}

// followersByFirst indexes nameFollowers by their first byte: followerAfter compares only the
// followers that can start the word after a name. (The followers are ASCII, so strings.EqualFold
// can only match a window whose first byte folds the same way.)
var followersByFirst = func() (idx [256][]string) {
	for _, c := range nameFollowers {
		idx[c[0]|0x20] = append(idx[c[0]|0x20], c)
	}
	return idx
}()

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
	for _, c := range followersByFirst[rest[0]|0x20] {
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

// scanNameCue is called at a word starting with "na": after "name is", "name:", "named" the next
// words are a name even in lower case ("my name is lena andersson").
func (e *scanner) scanNameCue(s string, i int) (Finding, bool) {
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
		wi := e.wordClassed(s, j)
		end, firstUpper := wi.end, wi.firstUpper()
		if end == j || wi.shape&shapeCamel != 0 || !wordEndOK(s, end) {
			break
		}
		initial := end-j == 1
		if !initial {
			fl := wi.fl
			t := nameTok{start: j, end: end, fl: fl}
			t.barrier = wi.cls&(sentenceWords|nameBarrierWords) != 0
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

// mayEndNameCue is a quick test before nameCueBefore: every name cue ends with one of these
// pairs of bytes (the word before a capital is "the", "for", "and" far more often).
func mayEndNameCue(s string, pos int) bool {
	j := pos - 1 // the common case, one space after a word, without the loop
	if pos < 2 || s[j] != ' ' || s[j-1] == ' ' || s[j-1] == '\t' || s[j-1] == '"' {
		j = pos
		for j > 0 && pos-j < 64 && (s[j-1] == ' ' || s[j-1] == '\t' || s[j-1] == '"') {
			j--
		}
	}
	if j < 2 {
		return false
	}
	// The last two bytes of every cue in nameCues, folded the way endsWithWord compares ASCII:
	// "is", "'s", "e:", "re", "me", "ed", "im", "er".
	p := s[j-2] | 0x20
	switch s[j-1] | 0x20 {
	case 's':
		return p == 'i' || p == '\''
	case ':', 'd', 'r':
		return p == 'e'
	case 'e':
		return p == 'r' || p == 'm'
	case 'm':
		return p == 'i'
	}
	return false
}

// nameCues introduce a name for certain: everything capitalised after them is the name.
var nameCues = []string{
	"my name is", "name is", "name:", "name's", "names are", "call me", "named", "surname:", "surname is",
	"named him", "named her", "called him", "called her", "calls me",
}

// nameCuesByLast indexes nameCues by their last byte (lower case), as cuesByLast does the cues.
var nameCuesByLast = func() (idx [256][]string) {
	for _, c := range nameCues {
		idx[c[len(c)-1]|0x20] = append(idx[c[len(c)-1]|0x20], c)
	}
	return idx
}()

func nameCueBefore(s string, pos int) bool {
	j := pos
	for j > 0 && pos-j < 64 && (s[j-1] == ' ' || s[j-1] == '\t' || s[j-1] == '"') {
		j--
	}
	win := s[max(0, j-16):j]
	if win == "" {
		return false
	}
	for _, c := range nameCuesByLast[win[len(win)-1]|0x20] {
		if endsWithWord(win, c) {
			return true
		}
	}
	return false
}

// nameFollows reports whether a list continues with a known name after en ("Monjeau, Graves and
// Reed": Graves is a name, so Monjeau is one too).
func (e *scanner) nameFollows(s string, en int) bool {
	rest := s[en:]
	for _, sep := range [...]string{", ", " and ", " & ", " und ", " et ", " y ", " e ", " or "} {
		if !strings.HasPrefix(rest, sep) {
			continue
		}
		i := en + len(sep)
		w := e.wordClassed(s, i)
		end := w.end
		if end == i || !w.firstUpper() || w.shape&shapeCamel != 0 || !wordEndOK(s, end) {
			return false
		}
		t := nameTok{start: i, end: end, fl: w.fl}
		t.barrier = w.cls&sentenceWords != 0
		c := t.category()
		return c == catStrong || c == catWeak && t.fl&lexPlace == 0
	}
	return false
}
