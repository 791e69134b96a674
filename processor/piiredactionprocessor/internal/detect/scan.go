package detect

import (
	"math"
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

// openers maps the first letter of a word to the set of second letters (folded to lower case, as
// a bit mask) that can start a scanWord match: AKIA/ASIA/ABIA/ACCA/AIza, gh/gl, xox/xapp,
// hooks/https, sk, rk, whsec, eyJ, bearer.
var openers [256]uint32

func init() {
	for _, p := range []string{"Ak", "As", "Ab", "Ac", "Ai", "gh", "gl", "gi", "xo", "xa", "ho", "ht", "sk", "rk", "wh", "ey", "Be", "be", "na"} {
		openers[p[0]] |= 1 << (p[1] - 'a')
	}
}

func opensWord(c0, c1 byte) bool {
	l := c1 | 0x20
	return l >= 'a' && l <= 'z' && openers[c0]&(1<<(l-'a')) != 0
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
// (the first letters of vendor secrets, JWTs and "bearer").
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
	for _, c := range []byte("AgxhsrweBbn") {
		byteClass[c] |= clsStart
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
// ordinary text never leaves the loop.
func (e *Engine) scanBuiltin(s string, dst []Finding, names bool) []Finding {
	n := len(s)
	last := 0 // look-backs never cross the end of the previous finding
	lastPerson := -1
	words := names && e.lex != nil
	addresses := words && e.enabled[TypeStreetAddress]
	i := 0
	for i < n {
		if i > 0 {
			if i = skipQuiet(s, i); i >= n {
				break
			}
		}
		c := s[i]
		cls := byteClass[c]
		prevAlnum := uint8(0) // clsAlnum when the previous byte is a letter or digit
		if i > 0 {
			prevAlnum = byteClass[s[i-1]] & clsAlnum
		}
		// Wake on clsAlways, or on clsStart when the previous byte is not alphanumeric.
		if cls&clsAlways|(cls>>2)&^prevAlnum == 0 {
			i++
			continue
		}
		var f Finding
		ok := false
		next := i + 1
		switch trigger[c] {
		case trigDigit:
			if prevAlnum == 0 {
				if words {
					if end := e.lex.dateAt(s, i); end > 0 {
						kept(keepDate, i, end)
						next, last = end, end // and look-backs stay out of it
						break
					}
				}
				if addresses {
					if f, ok = e.scanAddressNumber(s, i, last); ok {
						break
					}
				}
				f, ok, next = e.scanNumeric(s, i)
				break
			}
			// A digit inside a word: the third character of an IBAN ("GB82...")?
			if i >= last+2 && e.enabled[TypeIBAN] && i+1 < n && isDigit(s[i+1]) && isAlpha(s[i-1]) && isAlpha(s[i-2]) &&
				(i == 2 || !alnum[s[i-3]]) {
				if end, found := scanIBAN(s, i-2); found {
					f, ok = Finding{Start: i - 2, End: end, Type: TypeIBAN}, true
					break
				}
			}
			next = skipAlnum(s, i)
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
				f, ok, next = e.scanCapital(s, i, lastPerson, &last)
			}
		case trigUpperUTF8:
			if words && prevAlnum == 0 {
				if r, _ := utf8.DecodeRuneInString(s[i:]); unicode.IsUpper(r) {
					f, ok, next = e.scanCapital(s, i, lastPerson, &last)
				}
			}
		case trigNumPrefix:
			if i+1 < n && isDigit(s[i+1]) && prevAlnum == 0 {
				f, ok, _ = e.scanNumeric(s, i)
			}
		case trigAt:
			if e.enabled[TypeEmail] {
				f, ok = scanEmail(s, i, last)
			}
		case trigColon:
			f, ok = e.scanColon(s, i, last)
		case trigEquals:
			f, ok = e.scanKeyValue(s, i, last)
		case trigDash:
			if e.enabled[TypePrivateKey] {
				f, ok = scanPEM(s, i)
			}
		case trigBracket:
			// Skip placeholders written by an earlier pass, and keep look-backs out of them.
			if p := e.placeholderLen(s[i:]); p > 0 {
				next = i + p
				last = next
			}
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
	return dst
}

// skipQuiet returns the first index >= i (i > 0) whose byte wakes the scanner, examining eight
// bytes per step. A byte's wake test depends only on itself and its predecessor, so the eight
// tests are independent; their bits combine into one mask whose lowest set bit is the answer.
// Fewer than eight remaining bytes are left to the caller's byte-wise test.
func skipQuiet(s string, i int) int {
	for i+8 <= len(s) {
		b := s[i-1 : i+8]
		c0, c1, c2, c3 := byteClass[b[0]], byteClass[b[1]], byteClass[b[2]], byteClass[b[3]]
		c4, c5, c6, c7, c8 := byteClass[b[4]], byteClass[b[5]], byteClass[b[6]], byteClass[b[7]], byteClass[b[8]]
		w := uint(c1>>1|(c1>>2)&^c0)&1 |
			uint(c2>>1|(c2>>2)&^c1)&1<<1 |
			uint(c3>>1|(c3>>2)&^c2)&1<<2 |
			uint(c4>>1|(c4>>2)&^c3)&1<<3 |
			uint(c5>>1|(c5>>2)&^c4)&1<<4 |
			uint(c6>>1|(c6>>2)&^c5)&1<<5 |
			uint(c7>>1|(c7>>2)&^c6)&1<<6 |
			uint(c8>>1|(c8>>2)&^c7)&1<<7
		if w != 0 {
			return i + bits.TrailingZeros(w)
		}
		i += 8
	}
	return i
}

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

// prefixedRun matches prefix at i followed by at least minLen class chars; it returns the end.
func prefixedRun(s string, i int, prefix string, class *[256]bool, minLen int) (int, bool) {
	if !strings.HasPrefix(s[i:], prefix) {
		return 0, false
	}
	st := i + len(prefix)
	end := runEnd(s, st, class)
	return end, end-st >= minLen
}

// scanWord tries the detectors that start at the beginning of a word: vendor secret formats,
// JWTs, bearer tokens, Slack webhooks and IBANs.
func (e *Engine) scanWord(s string, i int) (Finding, bool) {
	rest := s[i:]
	found := func(end int, t Type) (Finding, bool) { return Finding{Start: i, End: end, Type: t}, e.enabled[t] }
	switch s[i] {
	case 'A':
		if len(rest) >= 20 && (strings.HasPrefix(rest, "AKIA") || strings.HasPrefix(rest, "ASIA") ||
			strings.HasPrefix(rest, "ABIA") || strings.HasPrefix(rest, "ACCA")) && upperDigits(rest[4:20]) && boundaryAfter(s, i+20) {
			if f, ok := found(i+20, TypeAWSAccessKey); ok {
				return f, true
			}
		}
		if end, ok := prefixedRun(s, i, "AIza", &tokenChar, 35); ok && end-i == 39 {
			if f, ok := found(end, TypeGoogleAPIKey); ok {
				return f, true
			}
		}
	case 'g':
		if len(rest) > 4 && rest[1] == 'h' && strings.IndexByte("pousr", rest[2]) >= 0 && rest[3] == '_' {
			if end, ok := prefixedRun(s, i, rest[:4], &alnum, 30); ok {
				if f, ok := found(end, TypeGitHubToken); ok {
					return f, true
				}
			}
		}
		if end, ok := prefixedRun(s, i, "github_pat_", &tokenChar, 22); ok {
			if f, ok := found(end, TypeGitHubToken); ok {
				return f, true
			}
		}
		for _, p := range [...]string{"glpat-", "glptt-", "gldt-", "glrt-", "glsoat-", "glcbt-", "gloas-"} {
			if end, ok := prefixedRun(s, i, p, &tokenChar, 20); ok {
				if f, ok := found(end, TypeGitLabToken); ok {
					return f, true
				}
			}
		}
	case 'x':
		if len(rest) > 5 && strings.HasPrefix(rest, "xox") && strings.IndexByte("baprse", rest[3]) >= 0 && rest[4] == '-' {
			if end, ok := prefixedRun(s, i, rest[:5], &tokenChar, 10); ok {
				if f, ok := found(end, TypeSlackToken); ok {
					return f, true
				}
			}
		}
		if end, ok := prefixedRun(s, i, "xapp-", &tokenChar, 10); ok {
			if f, ok := found(end, TypeSlackToken); ok {
				return f, true
			}
		}
	case 'h':
		for _, p := range [...]string{"https://hooks.slack.com/", "hooks.slack.com/"} {
			if strings.HasPrefix(rest, p) {
				st := i + len(p)
				end := st
				for end < len(s) && (tokenChar[s[end]] || s[end] == '/') {
					end++
				}
				if end-st >= 20 {
					if f, ok := found(end, TypeSlackWebhook); ok {
						return f, true
					}
				}
			}
		}
	case 's', 'r':
		for _, p := range [...]string{"sk_live_", "sk_test_", "rk_live_", "rk_test_"} {
			if end, ok := prefixedRun(s, i, p, &alnum, 10); ok {
				if f, ok := found(end, TypeStripeKey); ok {
					return f, true
				}
			}
		}
		if end, ok := prefixedRun(s, i, "sk-ant-", &tokenChar, 20); ok {
			if f, ok := found(end, TypeAnthropicKey); ok {
				return f, true
			}
		}
		if end, ok := prefixedRun(s, i, "sk-", &tokenChar, 20); ok && mixedAlnum(s[i+3:end]) && !strings.HasPrefix(rest, "sk-ant-") {
			if f, ok := found(end, TypeOpenAIKey); ok {
				return f, true
			}
		}
	case 'w':
		if end, ok := prefixedRun(s, i, "whsec_", &alnum, 20); ok {
			if f, ok := found(end, TypeStripeKey); ok {
				return f, true
			}
		}
	case 'e':
		if end, ok := scanJWT(s, i); ok {
			if f, ok := found(end, TypeJWT); ok {
				return f, true
			}
		}
	case 'B', 'b':
		if e.enabled[TypeBearerToken] && hasPrefixFold(rest, "bearer ") {
			st := i + len("bearer ")
			for st < len(s) && s[st] == ' ' && st-i < 10 {
				st++
			}
			end := runEnd(s, st, &bearerTok)
			if tok := s[st:end]; len(tok) >= 8 && (hasDigit(tok) || mixedCase(tok)) {
				return Finding{Start: st, End: end, Type: TypeBearerToken}, true
			}
		}
	}
	if e.enabled[TypeIBAN] && len(rest) >= 15 && isAlpha(rest[1]) && isDigit(rest[2]) && isDigit(rest[3]) {
		if end, ok := scanIBAN(s, i); ok {
			return Finding{Start: i, End: end, Type: TypeIBAN}, true
		}
	}
	return Finding{}, false
}

func upperDigits(s string) bool {
	for i := range len(s) {
		if c := s[i]; (c < 'A' || c > 'Z') && !isDigit(c) {
			return false
		}
	}
	return true
}

func hasDigit(s string) bool {
	for i := range len(s) {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

func mixedCase(s string) bool {
	up, lo := false, false
	for i := range len(s) {
		up = up || (s[i] >= 'A' && s[i] <= 'Z')
		lo = lo || (s[i] >= 'a' && s[i] <= 'z')
	}
	return up && lo
}

func mixedAlnum(s string) bool {
	return hasDigit(s) && (mixedCase(s) || strings.ContainsAny(strings.ToLower(s), "abcdefghijklmnopqrstuvwxyz"))
}

// scanJWT matches header.payload.signature where header and payload are base64url JSON objects.
func scanJWT(s string, i int) (int, bool) {
	if !strings.HasPrefix(s[i:], "eyJ") {
		return 0, false
	}
	h := runEnd(s, i, &b64url)
	if h-i < 10 || h+3 >= len(s) || s[h] != '.' || s[h+1] != 'e' || s[h+2] != 'y' {
		return 0, false
	}
	p := runEnd(s, h+1, &b64url)
	if p-h-1 < 10 {
		return 0, false
	}
	if p < len(s) && s[p] == '.' {
		return runEnd(s, p+1, &b64url), true
	}
	return 0, false
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

// secretKeywords, by their first letter, are the key-name fragments that suggest a secret value.
var secretKeywords = [256][]string{
	's': {"secret", "signature"},
	't': {"token"},
	'p': {"password", "passwd", "private_key", "privatekey"},
	'a': {"apikey", "api_key", "api-key", "accesskey", "access_key", "auth"},
	'c': {"credential"},
}

// hasSecretKeyword reports whether a key name contains a fragment that suggests a secret value.
func hasSecretKeyword(name string) bool {
	for i := range len(name) {
		for _, k := range secretKeywords[name[i]|0x20] {
			if len(name)-i >= len(k) && equalFoldASCII(name[i:i+len(k)], k) {
				return true
			}
		}
	}
	return false
}

// scanKeyValue handles "name: value" and "name=value" where the name is a secret key (value always
// redacted) or contains a secret keyword (value redacted when it looks random).
func (e *Engine) scanKeyValue(s string, i, last int) (Finding, bool) {
	n := len(s)
	k := i
	for sp := 0; k > last && s[k-1] == ' ' && sp < 2; sp++ {
		k--
	}
	if k > last && (s[k-1] == '"' || s[k-1] == '\'') {
		k--
	}
	ke := k
	for k > last && ke-k < 64 && keyChar[s[k-1]] {
		k--
	}
	name := s[k:ke]
	if len(name) < 3 {
		return Finding{}, false
	}
	secretKey := e.IsSecretKey(name)
	if !secretKey && (!e.enabled[TypeSecret] || !hasSecretKeyword(name)) {
		if t, ok := e.KeyType("", name); ok {
			return e.keyedText(s, i, t)
		}
		return Finding{}, false
	}
	j := i + 1
	for sp := 0; j < n && s[j] == ' ' && sp < 2; sp++ {
		j++
	}
	var quote byte
	if j < n && (s[j] == '"' || s[j] == '\'') {
		quote = s[j]
		j++
	}
	vs := j
	if quote != 0 {
		for j < n && s[j] != quote && s[j] != '\n' && s[j] != '\\' && j-vs < 512 {
			j++
		}
	} else {
		for j < n && !valueStop[s[j]] && j-vs < 512 {
			j++
		}
	}
	return e.classifyKeyedValue(s, name, vs, j, secretKey, quote == 0)
}

// keyedText finds the value after "customer_name: " or "billing_address=" in free text: to the end
// of the line, or for a name also to a comma or semicolon.
func (e *Engine) keyedText(s string, i int, t Type) (Finding, bool) {
	j := i + 1
	for j < len(s) && (s[j] == ' ' || s[j] == '"' || s[j] == '\'') && j-i < 4 {
		j++
	}
	vs := j
	for j < len(s) && j-vs < 256 {
		c := s[j]
		if c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '}' || c == ']' || c == '\\' || t == TypePerson && (c == ',' || c == ';' || c == '&') {
			break
		}
		j++
	}
	for j > vs && (s[j-1] == ' ' || s[j-1] == '.' || s[j-1] == ',') {
		j--
	}
	if j == vs || !e.KeyedValue(t, s[vs:j]) || t == TypeStreetAddress && !hasDigit(s[vs:j]) {
		return Finding{}, false // "Billing address: Sara Schwarz" opens a block whose first line is a name
	}
	return Finding{Start: vs, End: j, Type: t}, true
}

// classifyKeyedValue decides what the value s[vs:ve] under key name is.
func (e *Engine) classifyKeyedValue(s, name string, vs, ve int, secretKey, extendScheme bool) (Finding, bool) {
	value := s[vs:ve]
	if len(value) == 0 || e.placeholderLen(s[vs:]) > 0 {
		return Finding{}, false
	}
	if f, ok := e.scanWord(s, vs); ok && f.Start >= vs {
		return f, true
	}
	if len(value) == 40 && looksRandom(value) && (containsFold(name, "aws") || containsFold(name, "secret_access")) && e.enabled[TypeAWSSecretKey] {
		return Finding{Start: vs, End: ve, Type: TypeAWSSecretKey}, true
	}
	if secretKey {
		if isAuthScheme(value) {
			// "Authorization: Bearer <token>": the scheme alone is not secret, the token is.
			if !extendScheme || ve+1 >= len(s) || s[ve] != ' ' {
				return Finding{}, false
			}
			if ve = runEnd(s, ve+1, &bearerTok); ve == vs+len(value)+1 {
				return Finding{}, false
			}
		}
		return Finding{Start: vs, End: ve, Type: TypeSecretKey}, true
	}
	if looksRandom(value) {
		if e.enabled[TypeSecret] {
			return Finding{Start: vs, End: ve, Type: TypeSecret}, true
		}
	}
	return Finding{}, false
}

func isAuthScheme(v string) bool {
	return strings.EqualFold(v, "bearer") || strings.EqualFold(v, "basic") || strings.EqualFold(v, "token") ||
		strings.EqualFold(v, "digest") || strings.EqualFold(v, "apikey")
}

// looksRandom is the generic secret test: long, no spaces or URLs, letters and digits, and a
// Shannon entropy of at least 3 bits per character.
func looksRandom(v string) bool {
	if len(v) < 16 || len(v) > 512 || strings.Contains(v, "://") {
		return false
	}
	var counts [256]uint16
	letters, digits := 0, 0
	for i := range len(v) {
		c := v[i]
		if c <= ' ' {
			return false
		}
		counts[c]++
		if isDigit(c) {
			digits++
		} else if isAlpha(c) {
			letters++
		}
	}
	if letters == 0 || digits == 0 {
		return false
	}
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / float64(len(v))
			h -= p * math.Log2(p)
		}
	}
	return h >= 3.0
}

// KeyedSecret classifies a whole value held under key by the generic "key-like name + high
// entropy value" rule: a vendor format found at its start wins, else SECRET (or AWS_SECRET_KEY).
func (e *Engine) KeyedSecret(key, value string) (Type, bool) {
	if len(value) < 16 || !e.enabled[TypeSecret] || e.placeholderLen(value) > 0 || !hasSecretKeyword(key) || !looksRandom(value) {
		return 0, false
	}
	if f, ok := e.classifyKeyedValue(value, key, 0, len(value), false, false); ok && f.Start == 0 && f.End == len(value) {
		return f.Type, true
	}
	return 0, false
}
