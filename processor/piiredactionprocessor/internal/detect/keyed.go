package detect

import (
	"math"
	"strings"
)

// Secrets found by their key: "password: x", "api_key=...", and the generic "key-like name +
// high-entropy value" rule.

// secretKeywords, by their first letter, are the key-name fragments that suggest a secret value.
var secretKeywords = [256][]string{
	's': {"secret", "signature"},
	't': {"token"},
	'p': {"password", "passwd", "private_key", "privatekey"},
	'a': {"apikey", "api_key", "api-key", "accesskey", "access_key", "auth"},
	'c': {"credential"},
}

// hasSecretKeyword reports whether a key name contains a fragment that suggests a secret value.
func hasSecretKeyword(name string) bool { return containsFragment(name, &secretKeywords) }

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
	if t == TypeStreetAddress {
		sc := scanner{Engine: e, text: s}
		j = sc.addressTail(s, j) // the block goes on over its next lines: city, region, postcode
		sc.release()
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
	return e.KeyedSecretInfo(e.Key("", key), key, value)
}

// KeyedSecretInfo is KeyedSecret for a key already classified by Key.
func (e *Engine) KeyedSecretInfo(info KeyInfo, key, value string) (Type, bool) {
	if len(value) < 16 || info&keySecretWord == 0 || e.placeholderLen(value) > 0 || !looksRandom(value) {
		return 0, false
	}
	if f, ok := e.classifyKeyedValue(value, key, 0, len(value), false, false); ok && f.Start == 0 && f.End == len(value) {
		return f.Type, true
	}
	return 0, false
}
