package detect

import (
	"math/bits"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Byte classes. Only bytes with a non-zero trigger ever leave the tight skip loop.
const (
	trigNone = iota
	trigDigit
	trigLetter
	trigNumPrefix // '+' or '(' that may open a phone number
	trigAt
	trigColon
	trigEquals
	trigDash
	trigBracket
	trigUpperUTF8 // lead byte of a letter outside ASCII that may be upper case (Ä, Ł, Σ, Д...)
)

var (
	trigger   [256]uint8
	alnum     [256]bool
	tokenChar [256]bool // [A-Za-z0-9_-]
	b64url    [256]bool // [A-Za-z0-9_-] (JWT segments)
	localChar [256]bool // email local part
	domChar   [256]bool // email domain
	keyChar   [256]bool // identifier of a key=value pair
	ipv6Char  [256]bool
	bearerTok [256]bool
	valueStop [256]bool
)

func init() {
	for c := range 256 {
		b := byte(c)
		lower, upper, digit := b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9'
		alnum[c] = lower || upper || digit
		tokenChar[c] = alnum[c] || b == '_' || b == '-'
		b64url[c] = tokenChar[c]
		localChar[c] = alnum[c] || strings.IndexByte("._%+-", b) >= 0
		domChar[c] = alnum[c] || b == '.' || b == '-'
		keyChar[c] = alnum[c] || b == '_' || b == '-' || b == '.'
		ipv6Char[c] = digit || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F') || b == ':' || b == '.'
		bearerTok[c] = alnum[c] || strings.IndexByte("-._~+/=", b) >= 0
		valueStop[c] = b <= ' ' || strings.IndexByte(",;&\"'}){]<>\\", b) >= 0
		switch {
		case digit:
			trigger[c] = trigDigit
		case lower || upper:
			trigger[c] = trigLetter
		}
	}
	trigger['+'] = trigNumPrefix
	trigger['('] = trigNumPrefix
	trigger['@'] = trigAt
	trigger[':'] = trigColon
	trigger['='] = trigEquals
	trigger['-'] = trigDash
	trigger['['] = trigBracket
	for c := 0xC3; c <= 0xD4; c++ {
		trigger[c] = trigUpperUTF8
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }
func isAlnum(c byte) bool { return alnum[c] }

func skipAlnum(s string, i int) int {
	for i+4 <= len(s) && alnum[s[i]] && alnum[s[i+1]] && alnum[s[i+2]] && alnum[s[i+3]] {
		i += 4
	}
	for i < len(s) && alnum[s[i]] {
		i++
	}
	return i
}

// runEnd returns the end of the run of class chars starting at i.
func runEnd(s string, i int, class *[256]bool) int {
	for i < len(s) && class[s[i]] {
		i++
	}
	return i
}

func boundaryAfter(s string, i int) bool { return i >= len(s) || !alnum[s[i]] }

// byteClass packs the per-byte prefilter into one table: bit 0 letter or digit, bit 1 always
// wakes the scanner (digits, '@', ':', '=', '-', '+', '(', '['), bit 2 wakes it only at a word start
// (the first letters of the secretRules formats, of "name is", and capitals).
var byteClass [256]uint8

const (
	clsAlnum  = 1
	clsAlways = 2
	clsStart  = 4
)

func init() {
	for c := range 256 {
		if alnum[c] {
			byteClass[c] |= clsAlnum
		}
		if isDigit(byte(c)) || strings.IndexByte("@:=-+([", byte(c)) >= 0 {
			byteClass[c] |= clsAlways
		}
	}
	// The first letters of the secret formats (secretRules) and of "name is".
	for c := range 256 {
		if len(rulesByFirst[c]) > 0 || c == 'n' {
			byteClass[c] |= clsStart
		}
	}
	// Capitalised words may start a name or a street; so may letters of other scripts whose
	// UTF-8 lead bytes lie in 0xC3-0xD4 (Latin supplements, Greek, Cyrillic).
	for c := 'A'; c <= 'Z'; c++ {
		byteClass[c] |= clsStart
	}
	for c := 0xC3; c <= 0xD4; c++ {
		byteClass[c] |= clsStart
	}
}

// scanBuiltin is the single pass over s. A branch-light loop reads each byte once and wakes up
// only on digits, '@', ':', '=', '-', '+', '(' and at words that start like a vendor secret;
// ordinary text never leaves the loop. capital reports that a word starting with a capital was
// seen (not seeing one does not prove there is none: findings are skipped whole).
func (e *scanner) scanBuiltin(s string, dst []Finding, names bool) (_ []Finding, capital bool) {
	n := len(s)
	last := 0 // look-backs never cross the end of the previous finding
	lastPerson := -1
	words := names && e.lex != nil
	i := 0
	for i < n {
		c := s[i]
		prevAlnum := uint8(0) // clsAlnum when the previous byte is a letter or digit
		if i > 0 {
			// skipQuiet returns only bytes that wake the scanner.
			if i = skipQuiet(s, i); i >= n {
				break
			}
			c, prevAlnum = s[i], byteClass[s[i-1]]&clsAlnum
		} else if byteClass[c]&(clsAlways|clsStart) == 0 {
			i++
			continue
		}
		var f Finding
		ok := false
		next := i + 1
		switch trigger[c] {
		case trigDigit:
			f, ok, next = e.atDigit(s, i, prevAlnum != 0, words, &last)
		case trigLetter:
			// Words that open like a vendor secret, a JWT, "bearer" or a Slack webhook.
			// Otherwise the loop goes on byte by byte: digits inside the word may still open an IBAN.
			if i+1 < n && opensWord(c, s[i+1]) {
				if c == 'n' || c == 'N' {
					if words && e.enabled[TypePerson] {
						f, ok = e.scanNameCue(s, i)
					}
				} else {
					f, ok = e.scanWord(s, i)
				}
			}
			if !ok && words && c <= 'Z' && prevAlnum == 0 {
				capital = true
				f, ok, next = e.scanCapital(s, i, lastPerson, &last)
			}
		case trigUpperUTF8:
			if words && prevAlnum == 0 {
				if r, _ := utf8.DecodeRuneInString(s[i:]); unicode.IsUpper(r) {
					capital = true
					f, ok, next = e.scanCapital(s, i, lastPerson, &last)
				}
			}
		default:
			f, ok, next = e.atPunct(s, i, prevAlnum != 0, &last)
		}
		if ok {
			dst = append(dst, f)
			last = f.End
			next = f.End
			if f.Type == TypePerson {
				lastPerson = f.End
			}
		}
		if next <= i {
			next = i + 1
		}
		i = next
	}
	return dst, capital
}

// atPunct handles the bytes other than letters and digits that wake the scanner: a '+' or '('
// before a number, '@', ':', '=', a PEM line's '-' and a placeholder's '['. They are rare in
// prose; kept out of scanBuiltin, they leave its loop fewer values to keep across calls.
func (e *scanner) atPunct(s string, i int, inWord bool, last *int) (f Finding, ok bool, next int) {
	next = i + 1
	switch trigger[s[i]] {
	case trigNumPrefix:
		if i+1 < len(s) && isDigit(s[i+1]) && !inWord {
			f, ok, _ = e.scanNumeric(s, i)
		}
	case trigAt:
		if e.enabled[TypeEmail] {
			f, ok = scanEmail(s, i, *last)
		}
	case trigColon:
		f, ok = e.scanColon(s, i, *last)
	case trigEquals:
		f, ok = e.scanKeyValue(s, i, *last)
	case trigDash:
		if e.enabled[TypePrivateKey] {
			f, ok = scanPEM(s, i)
		}
	case trigBracket:
		// Skip placeholders written by an earlier pass, and keep look-backs out of them.
		if p := e.placeholderLen(s[i:]); p > 0 {
			next = i + p
			*last = next
		}
	}
	return f, ok, next
}

// atDigit handles a digit: a date, a street address or a number (card, phone, SSN, IP) where a
// number starts, an IBAN where the digit is the third character of a word ("GB82..."). It may
// move *last past a kept date so that no look-back enters it.
func (e *scanner) atDigit(s string, i int, inWord, words bool, last *int) (Finding, bool, int) {
	if !inWord {
		if words {
			if end := e.lex.dateAt(s, i); end > 0 {
				kept(keepDate, i, end)
				*last = end
				return Finding{}, false, end
			}
			if e.enabled[TypeStreetAddress] {
				if f, ok := e.scanAddressNumber(s, i, *last); ok {
					return f, true, f.End
				}
			}
		}
		if loneShortNumber(s, i) {
			return Finding{}, false, skipAlnum(s, i) // what scanNumeric answers, without its frame
		}
		return e.scanNumeric(s, i)
	}
	if i >= *last+2 && e.enabled[TypeIBAN] && i+1 < len(s) && isDigit(s[i+1]) && isAlpha(s[i-1]) && isAlpha(s[i-2]) &&
		(i == 2 || !alnum[s[i-3]]) {
		if end, found := scanIBAN(s, i-2); found {
			return Finding{Start: i - 2, End: end, Type: TypeIBAN}, true, end
		}
	}
	return Finding{}, false, skipAlnum(s, i)
}

// skipQuiet returns the first index >= i (i > 0) whose byte wakes the scanner, examining eight
// bytes per step. A byte's wake test depends only on itself and its predecessor, so the eight
// tests are independent: the eight byte classes are packed into the lanes of one word, the
// predecessors' classes are the same word shifted by one lane, and one expression tests all
// eight lanes; the lowest set lane is the answer unless idleWake passes over it. Fewer than
// eight remaining bytes are tested one by one; len(s) means none wakes it.
func skipQuiet(s string, i int) int {
	const lanes = 0x0101010101010101
	prev := uint64(byteClass[s[i-1]])
	for i+8 <= len(s) {
		b := s[i : i+8]
		x := uint64(byteClass[b[0]]) | uint64(byteClass[b[1]])<<8 | uint64(byteClass[b[2]])<<16 |
			uint64(byteClass[b[3]])<<24 | uint64(byteClass[b[4]])<<32 | uint64(byteClass[b[5]])<<40 |
			uint64(byteClass[b[6]])<<48 | uint64(byteClass[b[7]])<<56
		// Lane k: clsAlways, or clsStart when the byte before is not clsAlnum.
		for w := (x>>1 | (x>>2)&^(x<<8|prev)) & lanes; w != 0; w &= w - 1 {
			if p := i + bits.TrailingZeros64(w)>>3; !idleWake(s, p) {
				return p
			}
		}
		prev = x >> 56
		i += 8
	}
	for ; i < len(s); i++ {
		if c := byteClass[s[i]]; (c&clsAlways != 0 || c&clsStart != 0 && byteClass[s[i-1]]&clsAlnum == 0) && !idleWake(s, i) {
			return i
		}
	}
	return i
}

// idleWake reports that the scanner, woken at p, would do nothing there: the first test of
// scanBuiltin's case for the byte fails (a lower-case word that opens no secret or "name is", a
// '-' that opens no PEM line, a '+' or '(' before no digit). skipQuiet passes over such bytes
// without leaving its loop: in prose, about one word in four starts with such a letter. The
// test is two table reads, small enough to be inlined into skipQuiet's loop (a call there made
// the loop keep its state on the stack).
func idleWake(s string, p int) bool {
	k := idleKind[s[p]]
	if k == 0 {
		return false
	}
	if p+1 >= len(s) {
		return true
	}
	c1 := s[p+1]
	return wakesBefore[k][c1>>6]&(1<<(c1&63)) == 0
}

// idleKind numbers the bytes whose wake depends on the next byte: the lower-case letters, '-',
// '+' and '(' (0 for every other byte). wakesBefore[k] is the set of next bytes at which a byte
// of kind k does wake the scanner: the second letters opensWord accepts, a second '-', a digit.
var idleKind, wakesBefore = func() (kind [256]uint8, wakes [30][4]uint64) {
	n := uint8(0)
	add := func(c byte, wakesAt func(c1 byte) bool) {
		n++
		kind[c] = n
		for c1 := range 256 {
			if wakesAt(byte(c1)) {
				wakes[n][c1>>6] |= 1 << (c1 & 63)
			}
		}
	}
	for c := byte('a'); c <= 'z'; c++ {
		add(c, func(c1 byte) bool { return opensWord(c, c1) })
	}
	add('-', func(c1 byte) bool { return c1 == '-' })
	add('+', isDigit)
	add('(', isDigit)
	return kind, wakes
}()

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func containsFold(s, sub string) bool {
	if len(sub) == 0 {
		return true
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		if (s[i]|0x20) == sub[0] && strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

func scanEmail(s string, at, last int) (Finding, bool) {
	st := at
	for st > last && at-st < 64 && localChar[s[st-1]] {
		st--
	}
	for st < at && s[st] == '.' {
		st++
	}
	if st == at {
		return Finding{}, false
	}
	j := at + 1
	for j < len(s) && domChar[s[j]] && j-at < 255 {
		j++
	}
	for j > at+1 && (s[j-1] == '.' || s[j-1] == '-') {
		j--
	}
	dom := s[at+1 : j]
	dot := strings.LastIndexByte(dom, '.')
	if dot <= 0 || strings.Contains(dom, "..") || dom[0] == '-' || dom[0] == '.' {
		return Finding{}, false
	}
	tld := dom[dot+1:]
	if len(tld) < 2 {
		return Finding{}, false
	}
	for k := range len(tld) {
		if !isAlpha(tld[k]) {
			return Finding{}, false
		}
	}
	return Finding{Start: st, End: j, Type: TypeEmail}, true
}

func scanPEM(s string, i int) (Finding, bool) {
	const begin = "-----BEGIN "
	if !strings.HasPrefix(s[i:], begin) {
		return Finding{}, false
	}
	hdr := s[i+len(begin):]
	if len(hdr) > 64 {
		hdr = hdr[:64]
	}
	hdrEnd := strings.Index(hdr, "-----")
	if hdrEnd < 0 || !strings.HasSuffix(hdr[:hdrEnd], "PRIVATE KEY") {
		return Finding{}, false
	}
	body := i + len(begin) + hdrEnd + 5
	end := len(s) // no END line: conservatively redact to the end
	if e := strings.Index(s[body:], "-----END "); e >= 0 {
		tail := body + e + len("-----END ")
		if c := strings.Index(s[tail:], "-----"); c >= 0 && c < 64 {
			end = tail + c + 5
		}
	}
	return Finding{Start: i, End: end, Type: TypePrivateKey}, true
}

// scanColon handles "scheme://user:pass@", IPv6 addresses and "key: value" pairs.
func (e *Engine) scanColon(s string, i, last int) (Finding, bool) {
	n := len(s)
	if i+2 < n && s[i+1] == '/' && s[i+2] == '/' {
		if e.enabled[TypeURLPassword] {
			return e.scanURLPassword(s, i+3)
		}
		return Finding{}, false
	}
	if e.enabled[TypeIPAddress] && ((i > last && ipv6Char[s[i-1]] && s[i-1] != '.') || (i+1 < n && ipv6Char[s[i+1]] && s[i+1] != '.')) {
		if f, ok := scanIPv6(s, i, last); ok {
			return f, true
		}
	}
	return e.scanKeyValue(s, i, last)
}

func (e *Engine) scanURLPassword(s string, j int) (Finding, bool) {
	colon := -1
	for k := j; k < len(s) && k-j < 256; k++ {
		switch c := s[k]; {
		case c == ':' && colon < 0:
			colon = k
		case c == '@':
			if colon >= 0 && k > colon+1 && e.placeholderLen(s[colon+1:k]) == 0 && k+1 < len(s) && alnum[s[k+1]] {
				return Finding{Start: colon + 1, End: k, Type: TypeURLPassword}, true
			}
			return Finding{}, false
		case c <= ' ' || strings.IndexByte("/?#\"'<>\\", c) >= 0:
			return Finding{}, false
		}
	}
	return Finding{}, false
}

func scanIPv6(s string, i, last int) (Finding, bool) {
	st := i
	for st > last && i-st < 45 && ipv6Char[s[st-1]] {
		st--
	}
	if st > 0 && alnum[s[st-1]] {
		return Finding{}, false
	}
	en := i
	for en < len(s) && en-st < 45 && ipv6Char[s[en]] {
		en++
	}
	if en < len(s) && alnum[s[en]] {
		return Finding{}, false
	}
	for en > i+1 && s[en-1] == '.' {
		en--
	}
	cand := s[st:en]
	if strings.Count(cand, ":") < 2 || cand == "::" {
		return Finding{}, false
	}
	addr, err := netip.ParseAddr(cand)
	if err != nil || !addr.Is6() {
		return Finding{}, false
	}
	return Finding{Start: st, End: en, Type: TypeIPAddress}, true
}
