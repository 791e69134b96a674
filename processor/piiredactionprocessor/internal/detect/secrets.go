package detect

import "strings"

// Credentials found at the start of a word are data: one secretRule per format. The scanner's
// prefilter comes from this table too: rulesByFirst (which words are tried), the byte-class bit
// that wakes the scanner at a word start, and openers (the first two letters a rule can start
// with), so that a new format is one entry here and one case in detect_test.go.

// secretRule is one credential format that starts a word.
type secretRule struct {
	typ      Type
	prefixes []string   // literal openings (ASCII case-insensitive when fold)
	fold     bool       // match prefixes ignoring ASCII case
	body     *[256]bool // the characters after the prefix
	min      int        // at least this many body characters
	exact    int        // exactly this many body characters (0: any number from min)
	boundary bool       // the token must not be followed by a letter or digit
	valid    func(body string) bool
	// scan, when set, matches a format the fields above cannot describe (JWT, bearer token);
	// prefixes then only select where it runs.
	scan func(s string, i int) (Finding, bool)
}

// secretRules are tried in order: a more specific prefix ("sk-ant-") before a general one ("sk-").
var secretRules = []secretRule{
	{typ: TypeAWSAccessKey, prefixes: []string{"AKIA", "ASIA", "ABIA", "ACCA"}, body: &upperDigit, exact: 16, boundary: true},
	{typ: TypeGoogleAPIKey, prefixes: []string{"AIza"}, body: &tokenChar, exact: 35},
	{typ: TypeGitHubToken, prefixes: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}, body: &alnum, min: 30},
	{typ: TypeGitHubToken, prefixes: []string{"github_pat_"}, body: &tokenChar, min: 22},
	{typ: TypeGitLabToken, prefixes: []string{"glpat-", "glptt-", "gldt-", "glrt-", "glsoat-", "glcbt-", "gloas-"}, body: &tokenChar, min: 20},
	{typ: TypeSlackToken, prefixes: []string{"xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-", "xoxe-", "xapp-"}, body: &tokenChar, min: 10},
	{typ: TypeSlackWebhook, prefixes: []string{"https://hooks.slack.com/", "hooks.slack.com/"}, body: &webhookChar, min: 20},
	{typ: TypeStripeKey, prefixes: []string{"sk_live_", "sk_test_", "rk_live_", "rk_test_"}, body: &alnum, min: 10},
	{typ: TypeStripeKey, prefixes: []string{"whsec_"}, body: &alnum, min: 20},
	{typ: TypeAnthropicKey, prefixes: []string{"sk-ant-"}, body: &tokenChar, min: 20},
	{typ: TypeOpenAIKey, prefixes: []string{"sk-"}, body: &tokenChar, min: 20, valid: openAIBody},
	{typ: TypeJWT, prefixes: []string{"eyJ"}, scan: scanJWTAt},
	{typ: TypeBearerToken, prefixes: []string{"bearer "}, fold: true, scan: scanBearer},
}

var (
	upperDigit  = byteSet(func(c byte) bool { return c >= 'A' && c <= 'Z' || isDigit(c) })                           // [A-Z0-9]
	webhookChar = byteSet(func(c byte) bool { return isAlpha(c) || isDigit(c) || c == '_' || c == '-' || c == '/' }) // [A-Za-z0-9_/-]
	// rulesByFirst indexes secretRules by the first byte of their prefixes (both cases when fold);
	// openers maps the first letter of a word to the set of second letters (folded to lower
	// case, as a bit mask) that can start a secretRule, or "name is".
	rulesByFirst, openers = indexRules()
)

func byteSet(in func(byte) bool) (t [256]bool) {
	for c := range 256 {
		t[c] = in(byte(c))
	}
	return t
}

func indexRules() (byFirst [256][]*secretRule, open [256]uint32) {
	opens := func(c0, c1 byte) { open[c0] |= 1 << ((c1 | 0x20) - 'a') }
	for k := range secretRules {
		r := &secretRules[k]
		seen := [256]bool{}
		for _, p := range r.prefixes {
			firsts := []byte{p[0]}
			if r.fold {
				firsts = []byte{p[0] &^ 0x20, p[0] | 0x20}
			}
			for _, c := range firsts {
				opens(c, p[1])
				if !seen[c] {
					seen[c] = true
					byFirst[c] = append(byFirst[c], r)
				}
			}
		}
	}
	opens('n', 'a') // "name is", "name:" (scanNameCue)
	return byFirst, open
}

func opensWord(c0, c1 byte) bool {
	l := c1 | 0x20
	return l >= 'a' && l <= 'z' && openers[c0]&(1<<(l-'a')) != 0
}

// match reports the finding of r at i, if any.
func (r *secretRule) match(s string, i int) (Finding, bool) {
	rest := s[i:]
	for _, p := range r.prefixes {
		if r.fold && !hasPrefixFold(rest, p) || !r.fold && !strings.HasPrefix(rest, p) {
			continue
		}
		if r.scan != nil {
			return r.scan(s, i)
		}
		st := i + len(p)
		end := runEnd(s, st, r.body)
		n := end - st
		if n < r.min || r.exact > 0 && n != r.exact || r.boundary && !boundaryAfter(s, end) || r.valid != nil && !r.valid(s[st:end]) {
			continue
		}
		return Finding{Start: i, End: end, Type: r.typ}, true
	}
	return Finding{}, false
}

// scanWord tries the detectors that start at the beginning of a word: the secretRules formats,
// then IBANs.
func (e *Engine) scanWord(s string, i int) (Finding, bool) {
	for _, r := range rulesByFirst[s[i]] {
		if !e.enabled[r.typ] {
			continue
		}
		if f, ok := r.match(s, i); ok {
			return f, true
		}
	}
	rest := s[i:]
	if e.enabled[TypeIBAN] && len(rest) >= 15 && isAlpha(rest[1]) && isDigit(rest[2]) && isDigit(rest[3]) {
		if end, ok := scanIBAN(s, i); ok {
			return Finding{Start: i, End: end, Type: TypeIBAN}, true
		}
	}
	return Finding{}, false
}

// openAIBody: an OpenAI key mixes letters and digits, and "sk-ant-" is Anthropic's.
func openAIBody(body string) bool { return mixedAlnum(body) && !strings.HasPrefix(body, "ant-") }

func scanJWTAt(s string, i int) (Finding, bool) {
	if end, ok := scanJWT(s, i); ok {
		return Finding{Start: i, End: end, Type: TypeJWT}, true
	}
	return Finding{}, false
}

// scanBearer finds the token after "Bearer ": at least 8 characters with a digit or mixed case.
func scanBearer(s string, i int) (Finding, bool) {
	st := i + len("bearer ")
	for st < len(s) && s[st] == ' ' && st-i < 10 {
		st++
	}
	end := runEnd(s, st, &bearerTok)
	if tok := s[st:end]; len(tok) >= 8 && (hasDigit(tok) || mixedCase(tok)) {
		return Finding{Start: st, End: end, Type: TypeBearerToken}, true
	}
	return Finding{}, false
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
