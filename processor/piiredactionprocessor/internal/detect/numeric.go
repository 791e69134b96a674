package detect

import (
	"strconv"
	"strings"
)

// Number-shaped detectors: IPv4, US SSN, payment cards and phone numbers share one parse of a run
// of digit groups separated by single spaces, dashes, dots or parentheses.

const maxGroups = 10

type numGroup struct {
	dstart, dend int  // the digits
	end          int  // after a closing parenthesis
	sep          byte // separator before this group (0 for the first)
	paren        bool
}

// scanNumeric parses the number run at i and classifies its longest plausible prefix of groups.
func (e *Engine) scanNumeric(s string, i int) (Finding, bool, int) {
	next := skipAlnum(s, i)
	// Inside a larger token such as ORD-2024-5551234 or v1.2.3: not a standalone number.
	if i >= 2 && (s[i-1] == '-' || s[i-1] == '.' || s[i-1] == '/' || s[i-1] == '_') && alnum[s[i-2]] {
		return Finding{}, false, next
	}
	if isDigit(s[i]) && loneShortNumber(s, i) {
		return Finding{}, false, next
	}
	var gs [maxGroups]numGroup
	ng, plus := parseNumberRun(s, i, &gs)
	if ng == 0 {
		return Finding{}, false, next
	}
	runEnd := gs[ng-1].end
	ext := runEnd
	if runEnd+1 < len(s) && s[runEnd] == 'x' && isDigit(s[runEnd+1]) {
		ext = skipAlnum(s, runEnd+1)
	}
	// The whole run counts only when it ends cleanly (not glued to a word or to more digits);
	// windows that end at a space separator are still candidates.
	fullOK := ng < maxGroups && !gluedAt(s, ext)
	windowEnds := func(e2 int) bool {
		if e2 == ng {
			return fullOK
		}
		return gs[e2].sep == ' '
	}
	// Validated types (IPv4, SSN, card) may sit anywhere in a space-separated run ("in 2024 4111
	// 1111 1111 1111"); phones must start the run. Windows never split a '-' or '.' token.
	limit := ng
	for g := 0; g < ng && limit == ng; g++ {
		if g > 0 && gs[g].sep != ' ' {
			continue
		}
		for e2 := ng; e2 > g; e2-- {
			if !windowEnds(e2) {
				continue
			}
			if t, ok := e.classifyValidated(gs[g:e2], g == 0 && plus, s); ok {
				if g == 0 {
					return Finding{Start: i, End: gs[e2-1].end, Type: t}, true, gs[e2-1].end
				}
				limit = g
				break
			}
		}
	}
	if e.enabled[TypePhone] {
		var digits [maxGroups * 20]byte
		for e2 := limit; e2 >= 1; e2-- {
			if !windowEnds(e2) {
				continue
			}
			nd := 0
			for _, g := range gs[:e2] {
				nd += copy(digits[nd:], s[g.dstart:g.dend])
			}
			if !plausiblePhone(gs[:e2], digits[:nd], plus) {
				continue
			}
			if e2 == 2 && !plus && gs[1].sep == ' ' && !gs[0].paren && !gs[1].paren && nd < 10 && followedByWord(s, gs[1].end) {
				continue // "224 4966 Bond Street": a building and street number, not a phone
			}
			end := gs[e2-1].end
			if e2 == ng {
				end = ext
			}
			return Finding{Start: i, End: end, Type: TypePhone}, true, end
		}
	}
	if limit < ng {
		return Finding{}, false, gs[limit].dstart
	}
	// Every window of the run was tried: resume after it (or, when the run was cut at maxGroups,
	// at its last group), so long runs such as "1 2 3 4 ..." are not re-parsed at every digit.
	if ng == maxGroups {
		return Finding{}, false, max(next, gs[ng-1].dstart)
	}
	return Finding{}, false, max(next, gs[ng-1].end)
}

func parseNumberRun(s string, i int, gs *[maxGroups]numGroup) (int, bool) {
	n := len(s)
	j := i
	plus := false
	if s[j] == '+' {
		plus = true
		j++
	}
	ng := 0
	var sep byte
	for ng < maxGroups {
		k := j
		paren := k < n && s[k] == '('
		if paren {
			k++
		}
		ds := k
		for k < n && isDigit(s[k]) {
			k++
			if k-ds > 19 {
				return 0, false
			}
		}
		de := k
		if de == ds {
			break
		}
		if paren {
			if k >= n || s[k] != ')' {
				break
			}
			k++
		}
		gs[ng] = numGroup{dstart: ds, dend: de, end: k, sep: sep, paren: paren}
		ng++
		j = k
		if j+1 < n && (s[j] == ' ' || s[j] == '-' || s[j] == '.') && (isDigit(s[j+1]) || s[j+1] == '(') {
			sep = s[j]
			j++
			continue
		}
		if paren && j < n && isDigit(s[j]) {
			sep = ')'
			continue
		}
		break
	}
	if ng > 0 && plus && gs[0].paren {
		return 0, false
	}
	return ng, plus
}

func commonSep(gs []numGroup) (byte, bool) {
	var sep byte // the common separator, or '?' when mixed
	anyParen := false
	for k, g := range gs {
		anyParen = anyParen || g.paren
		if k == 1 {
			sep = g.sep
		} else if k > 1 && g.sep != sep {
			sep = '?'
		}
	}
	return sep, anyParen
}

// classifyValidated recognises the number types that carry a check: IPv4 ranges, SSN area
// rules, card IIN ranges with Luhn.
func (e *Engine) classifyValidated(gs []numGroup, plus bool, s string) (Type, bool) {
	if plus {
		return 0, false
	}
	sep, anyParen := commonSep(gs)
	if anyParen {
		return 0, false
	}
	ng := len(gs)
	glen := func(k int) int { return gs[k].dend - gs[k].dstart }
	if ng == 4 && sep == '.' && e.enabled[TypeIPAddress] && validIPv4(gs, s) {
		return TypeIPAddress, true
	}
	var d [maxGroups * 20]byte
	nd := 0
	for _, g := range gs {
		nd += copy(d[nd:], s[g.dstart:g.dend])
	}
	if ng == 3 && (sep == '-' || sep == ' ') && glen(0) == 3 && glen(1) == 2 && glen(2) == 4 &&
		e.enabled[TypeUSSSN] && validSSN(d[:nd]) {
		return TypeUSSSN, true
	}
	if nd >= 12 && nd <= 19 && (ng == 1 || (sep == ' ' || sep == '-') && ng <= 5) &&
		e.enabled[TypeCreditCard] && validCardIIN(d[:nd]) && luhn(d[:nd]) {
		for k := range ng {
			if glen(k) < 3 && ng > 1 {
				return 0, false
			}
		}
		return TypeCreditCard, true
	}
	return 0, false
}

func validIPv4(gs []numGroup, s string) bool {
	for _, g := range gs {
		l := g.dend - g.dstart
		if l > 3 || (l > 1 && s[g.dstart] == '0') {
			return false
		}
		v := 0
		for k := g.dstart; k < g.dend; k++ {
			v = v*10 + int(s[k]-'0')
		}
		if v > 255 {
			return false
		}
	}
	return true
}

func isYear(d []byte) bool {
	return len(d) == 4 && (d[0] == '1' && d[1] == '9' || d[0] == '2' && d[1] == '0')
}

func plausiblePhone(gs []numGroup, d []byte, plus bool) bool {
	sep, _ := commonSep(gs)
	ng := len(gs)
	nd := len(d)
	if nd < 7 || nd > 15 || ng > 6 {
		return false
	}
	glen := func(k int) int { return gs[k].dend - gs[k].dstart }
	if plus {
		return nd >= 8
	}
	if ng == 1 {
		// A bare 10-digit run: NANP area codes never start with 0 or 1 (which also rules out Unix
		// timestamps in seconds).
		return nd == 10 && d[0] >= '2'
	}
	for k := range ng {
		if glen(k) < 2 && (k != 0 || ng < 4 || d[0] != '1') && !gs[k].paren {
			return false
		}
	}
	if ng == 2 && sep == '-' && nd < 10 && !gs[0].paren && (glen(0) != 3 || glen(1) != 4) {
		return false // postal codes: 75534-030, 3610-114, ZIP+4 (but 555-1234 is a local number)
	}
	if ng == 3 && glen(1) == 2 && glen(2) == 4 && (glen(0) == 4 || glen(0) == 3) {
		return false // 3-2-4 is the SSN layout, 4-2-4 a licence or account layout: not dialling plans
	}
	g0 := d[:glen(0)]
	switch {
	case sep == '.' && ng < 3:
		return false // decimals such as 1234.5678
	case sep == '.' && ng == 4 && glen(0) <= 3 && glen(1) <= 3 && glen(2) <= 3 && glen(3) <= 3:
		return false // an out-of-range dotted quad
	case isYear(g0) && ng >= 2 && glen(1) <= 2:
		return false // 2024-11-26, 2024 11
	case isYear(g0) && ng == 2:
		return false
	case ng == 3 && glen(0) <= 2 && glen(1) <= 2 && glen(2) == 4 && isYear(d[nd-4:]) && sep != ' ':
		return false // 26.11.2024
	}
	// An ISO date inside the run ("96 2026-12-06"): a number and a date, not a phone.
	for k, off := 1, glen(0); k+1 < ng; k++ {
		if glen(k) == 4 && isYear(d[off:off+4]) && gs[k+1].sep == '-' && glen(k+1) <= 2 {
			return false
		}
		off += glen(k)
	}
	return true
}

// validSSN rejects the area numbers 000, 666 and 900-999, group 00 and serial 0000.
func validSSN(d []byte) bool {
	if len(d) != 9 {
		return false
	}
	area := string(d[:3])
	if area == "000" || area == "666" || d[0] == '9' || string(d[3:5]) == "00" || string(d[5:]) == "0000" {
		return false
	}
	return true
}

// validCardIIN checks the issuer prefix and length of the major card networks.
func validCardIIN(d []byte) bool {
	n := len(d)
	if n < 12 {
		return false
	}
	p2 := int(d[0]-'0')*10 + int(d[1]-'0')
	p3 := p2*10 + int(d[2]-'0')
	p4 := p3*10 + int(d[3]-'0')
	// Every network below allows up to 19 digits.
	atLeast := func(lo int) bool { return n >= lo && n <= 19 }
	switch {
	case d[0] == '4': // Visa
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
		return n == 16
	case p2 == 34 || p2 == 37: // American Express
		return n == 15
	case p4 == 6011 || (p3 >= 644 && p3 <= 649) || p2 == 65: // Discover
		return atLeast(16)
	case p3 >= 300 && p3 <= 305, p2 == 36, p2 == 38, p2 == 39: // Diners Club
		return atLeast(14)
	case p2 == 35: // JCB (3528-3589, and generators use the whole 35 range)
		return atLeast(16)
	case p4 == 2131 || p4 == 1800: // JCB 15
		return n == 15
	case p2 == 62: // UnionPay
		return atLeast(16)
	case p4 == 5018 || p4 == 5020 || p4 == 5038 || p4 == 5893 || p4 == 6304 || p4 == 6759 ||
		(p4 >= 6761 && p4 <= 6763) || p4 == 604 || p4 == 6390 || (p2 >= 56 && p2 <= 58): // Maestro
		return atLeast(12)
	}
	return false
}

func luhn(d []byte) bool {
	sum := 0
	double := false
	for k := len(d) - 1; k >= 0; k-- {
		v := int(d[k] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// ibanLengths is the IBAN length per country (SWIFT IBAN registry).
var ibanLengths = map[[2]byte]int{}

func init() {
	const table = "AD24AE23AL28AT20AZ28BA20BE16BG22BH22BI27BR29BY28CH21CR22CY28CZ24DE22DJ27DK18DO28EE20EG29ES24" +
		"FI18FK18FO18FR27GB22GE22GI23GL18GR27GT28HR21HU28IE22IL23IQ23IS26IT27JO30KW30KZ20LB28LC32LI21LT20" +
		"LU20LV21LY25MC27MD24ME22MK19MN20MR27MT31MU30NI28NL18NO15OM23PK24PL28PS29PT25QA29RO24RS22RU33SA24" +
		"SC31SD18SE24SI19SK24SM27SO23ST25SV28TL23TN24TR26UA29VA22VG24XK20YE30"
	for k := 0; k+4 <= len(table); k += 4 {
		ibanLengths[[2]byte{table[k], table[k+1]}] = int(table[k+2]-'0')*10 + int(table[k+3]-'0')
	}
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 32
	}
	return c
}

// scanIBAN matches a country-length IBAN at i, optionally in space-separated groups of four.
func scanIBAN(s string, i int) (int, bool) {
	want := ibanLengths[[2]byte{upper(s[i]), upper(s[i+1])}]
	if want == 0 {
		return 0, false
	}
	var buf [34]byte
	nb := 0
	j := i
	for j < len(s) && nb < want {
		c := s[j]
		if alnum[c] {
			buf[nb] = upper(c)
			nb++
			j++
			continue
		}
		if c == ' ' && nb%4 == 0 && j+1 < len(s) && alnum[s[j+1]] {
			j++
			continue
		}
		break
	}
	if nb != want || !boundaryAfter(s, j) {
		return 0, false
	}
	return j, ibanMod97Bytes(buf[:nb])
}

func ibanMod97(s string) bool {
	var buf [34]byte
	nb := 0
	for i := range len(s) {
		if alnum[s[i]] {
			if nb == len(buf) {
				return false
			}
			buf[nb] = upper(s[i])
			nb++
		}
	}
	return nb >= 15 && ibanMod97Bytes(buf[:nb])
}

// ibanMod97Bytes moves the first four characters to the end, maps letters to 10..35 and checks
// that the number is 1 mod 97.
func ibanMod97Bytes(b []byte) bool {
	if len(b) < 5 || !isAlpha(b[0]) || !isAlpha(b[1]) || !isDigit(b[2]) || !isDigit(b[3]) {
		return false
	}
	rem := 0
	step := func(c byte) bool {
		switch {
		case isDigit(c):
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A') + 10) % 97
		default:
			return false
		}
		return true
	}
	for _, c := range b[4:] {
		if !step(c) {
			return false
		}
	}
	for _, c := range b[:4] {
		if !step(c) {
			return false
		}
	}
	return rem == 1
}

// phoneWords may follow a phone number on the same line ("781 1704 office").
var phoneWords = [...]string{"office", "fax", "mobile", "desk", "home", "work", "cell", "tel", "phone", "ext"}

// followedByWord reports whether the text at i continues with spaces and a word that is not a
// phone label, as in a street address.
func followedByWord(s string, i int) bool {
	j := i
	for j < len(s) && s[j] == ' ' {
		j++
	}
	if j == i || j >= len(s) || !isAlpha(s[j]) {
		return false
	}
	w := s[j:skipAlnum(s, j)]
	for _, p := range phoneWords {
		if strings.EqualFold(w, p) {
			return false
		}
	}
	return true
}

func isCard(d []byte) bool { return validCardIIN(d) && luhn(d) }

// IsCardNumber reports whether an integer is a valid payment card number (IIN range and Luhn).
func (e *Engine) IsCardNumber(n int64) bool {
	if !e.enabled[TypeCreditCard] || n <= 0 {
		return false
	}
	var buf [20]byte
	d := strconv.AppendInt(buf[:0], n, 10)
	return isCard(d)
}

// groupFollows reports whether s[j] is a separator (space, '-' or '.') followed by another group
// (a digit or '(').
// loneShortNumber is scanNumeric's fast reject for the common short number ("12 results",
// "14%", "2.3") starting with a digit at i: a lone group of fewer than 7 digits is nothing unless
// a separator and another group follow.
func loneShortNumber(s string, i int) bool {
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	return j-i < 7 && !groupFollows(s, j)
}

func groupFollows(s string, j int) bool {
	return j+1 < len(s) && (s[j] == ' ' || s[j] == '-' || s[j] == '.') && (isDigit(s[j+1]) || s[j+1] == '(')
}

// gluedAt reports whether a number run ending at ext is glued to what follows: a letter or digit,
// or punctuation (".-/+(") directly followed by a digit.
func gluedAt(s string, ext int) bool {
	return ext < len(s) && (alnum[s[ext]] || strings.IndexByte(".-/+(", s[ext]) >= 0 && ext+1 < len(s) && isDigit(s[ext+1]))
}
