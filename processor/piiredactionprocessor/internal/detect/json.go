package detect

import (
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// JSON-aware redaction: string values that hold a JSON document (gen_ai.input.messages, tool call
// arguments, ...) are redacted inside their string literals, so the value stays valid JSON. Only
// literal contents and number tokens are ever replaced, and replacements are re-encoded as JSON.

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func looksLikeJSON(s string) bool {
	i, j := 0, len(s)-1
	for i <= j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j]) {
		j--
	}
	if i >= j {
		return false
	}
	return (s[i] == '{' && s[j] == '}') || (s[i] == '[' && s[j] == ']')
}

const maxKeyStack = 64

// jsonKey is an object key with its secret classification, computed once per key.
type jsonKey struct {
	name  string
	class uint8
}

const (
	keyPlain     = iota
	keySecret    // values are always secret
	keySecretish // values are secret when they look random
	keyPerson    // values are a person's name (customer_name, contact.name)
	keyAddress   // values are a postal address (billing_address, street)
	keyIdent     // values name a tool, function or model (IdentifierKey)
)

func (e *Engine) classifyKey(name, parent string) jsonKey {
	info := e.Key(parent, name)
	switch {
	case info&keySecretName != 0:
		return jsonKey{name, keySecret}
	case info&keySecretWord != 0:
		return jsonKey{name, keySecretish}
	case info&keyPersonType != 0:
		return jsonKey{name, keyPerson}
	case info&keyAddressType != 0:
		return jsonKey{name, keyAddress}
	case info&keyIdentName != 0:
		return jsonKey{name, keyIdent}
	}
	return jsonKey{name, keyPlain}
}

type jsonRedactor struct {
	e *Engine
	s string
	// out is the redacted document, empty until the first change (started). A strings.Builder
	// grows without zeroing and hands its bytes over as the result without a final copy.
	out     strings.Builder
	started bool
	copied  int // s[copied:] is not yet in out
	f       Findings
	depth   int
	names   bool       // false inside an identifier value: no name and address grammars
	fs      [8]Finding // a literal's findings, zeroed once per document instead of per literal
}

// quiet reports that e.scan(s, .., names) finds nothing, without running it: the tests its
// passes start with fail. No byte of s wakes scanBuiltin (byte 0 by its class, the others by
// skipQuiet, the tests scanBuiltin makes), so it finds nothing and sees no capital; then the
// lower-case name grammar would not run either, and no custom detector is configured. Most
// literals of an agent conversation ("user", "text", "tool_call_response", plain prose without a
// digit or capital) are quiet, and the test spares them the scanner's set-up.
func (e *Engine) quiet(s string, names bool) bool {
	if len(e.custom) > 0 || byteClass[s[0]]&(clsAlways|clsStart) != 0 || (len(s) > 1 && skipQuiet(s, 1) < len(s)) {
		return false
	}
	return !names || !e.lowerTextMayName(s)
}

var decodePool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// redactJSON returns ok=false when s is not JSON the redactor understands; the caller then falls
// back to plain scanning.
func (e *Engine) redactJSON(s string, depth int, f *Findings, names bool) (string, bool, bool) {
	r := jsonRedactor{e: e, s: s, depth: depth, names: names}
	var keys [maxKeyStack]jsonKey
	nest := 0
	var curKey jsonKey
	n := len(s)
	for i := 0; i < n; {
		c := s[i]
		switch {
		case c == '"':
			end, hasEsc, ok := stringEnd(s, i+1)
			if !ok {
				return s, false, false
			}
			k := end + 1
			for k < n && isSpace(s[k]) {
				k++
			}
			if k < n && s[k] == ':' {
				if !r.redactLiteral(i+1, end, hasEsc, jsonKey{}) {
					return s, false, false
				}
				parent := ""
				if nest > 0 && nest <= maxKeyStack {
					parent = keys[nest-1].name //nolint:gosec // G602: 0 < nest <= maxKeyStack = len(keys), checked above
				}
				curKey = e.classifyKey(s[i+1:end], parent)
			} else if !r.redactLiteral(i+1, end, hasEsc, curKey) {
				return s, false, false
			}
			i = end + 1
		case c == '-' || isDigit(c):
			j := i + 1
			for j < n && (isDigit(s[j]) || s[j] == '.' || s[j] == 'e' || s[j] == 'E' || s[j] == '+' || s[j] == '-') {
				j++
			}
			r.redactNumber(i, j)
			i = j
		case c == '{' || c == '[':
			if nest < len(keys) {
				keys[nest] = curKey //nolint:gosec // G602: nest < len(keys), checked above
			}
			nest++
			if c == '{' {
				curKey = jsonKey{}
			}
			i++
		case c == '}' || c == ']':
			if nest == 0 {
				return s, false, false
			}
			nest--
			curKey = jsonKey{}
			if nest < len(keys) {
				curKey = keys[nest] //nolint:gosec // G602: nest < len(keys), checked above
			}
			i++
		case c == ',' || c == ':' || isSpace(c):
			i++
		case strings.HasPrefix(s[i:], "true") || strings.HasPrefix(s[i:], "null"):
			i += 4
		case strings.HasPrefix(s[i:], "false"):
			i += 5
		default:
			return s, false, false
		}
	}
	// Inside a JSON document the drop action redacts in place: dropping the whole attribute
	// would throw away the rest of the document (a whole conversation) for one value.
	r.f.Drop = false
	f.Merge(&r.f)
	if !r.started {
		return s, false, true
	}
	r.out.WriteString(s[r.copied:])
	return r.out.String(), true, true
}

// stringEnd finds the closing quote of the literal whose content starts at from.
func stringEnd(s string, from int) (int, bool, bool) {
	hasEsc := false
	j := from
	for {
		k := strings.IndexByte(s[j:], '"')
		if k < 0 {
			return 0, false, false
		}
		q := j + k
		b := strings.IndexByte(s[j:q], '\\')
		if b < 0 {
			return q, hasEsc, true
		}
		hasEsc = true
		p := j + b
		for p < q {
			if s[p] == '\\' {
				p += 2
			} else {
				p++
			}
		}
		if p == q {
			return q, true, true
		}
		j = p // the quote at q was escaped
	}
}

// replace puts the JSON text repl in place of s[start:end].
func (r *jsonRedactor) begin(start int) {
	if !r.started {
		r.started = true
		r.out.Grow(len(r.s) + 64)
	}
	r.out.WriteString(r.s[r.copied:start])
}

// redactLiteral redacts the content s[start:end] of a string literal whose key is key ("" for
// keys themselves and for array elements outside any object). It reports false on a malformed
// escape.
func (r *jsonRedactor) redactLiteral(start, end int, hasEsc bool, key jsonKey) bool {
	if start == end {
		return true
	}
	e := r.e
	text := r.s[start:end]
	var bufp *[]byte
	if hasEsc {
		bufp = decodePool.Get().(*[]byte)
		defer decodePool.Put(bufp)
		var ok bool
		*bufp, ok = decodeJSONString((*bufp)[:0], text)
		if !ok {
			return false
		}
		// Zero copy: text aliases the pooled buffer only until this function returns, and all
		// that outlives it (the escaped output) is copied first.
		text = unsafe.String(unsafe.SliceData(*bufp), len(*bufp)) //nolint:gosec // G103: audited, see above
		if len(*bufp) == 0 {
			return true
		}
	}
	switch key.class {
	case keySecret:
		if e.placeholderLen(text) == 0 {
			r.replaceWhole(start, end, TypeSecretKey, text)
			return true
		}
	case keyPerson, keyAddress:
		t := TypePerson
		if key.class == keyAddress {
			t = TypeStreetAddress
		}
		if e.KeyedValue(t, text) {
			r.replaceWhole(start, end, t, text)
			return true
		}
	case keySecretish:
		if len(text) >= 16 && looksRandom(text) {
			if fd, ok := e.classifyKeyedValue(text, key.name, 0, len(text), false, false); ok && fd.Start == 0 && fd.End == len(text) {
				r.replaceWhole(start, end, fd.Type, text)
				return true
			}
		}
	}
	names := r.names && key.class != keyIdent
	if !names && r.names {
		kept(keepIdentifierKey, start, end)
	}
	if c := text[0]; e.scanJSON && (c == '{' || c == '[' || isSpace(c)) && looksLikeJSON(text) {
		// A JSON document inside the literal: redactInto recurses (or counts the depth limit).
		if red, changed := e.redactInto(text, r.depth+1, &r.f, names); changed {
			r.begin(start)
			writeJSONEscaped(&r.out, red)
			r.copied = end
		}
		return true
	}
	// What redactInto does with other text (redactPlain), written straight into the document.
	if e.quiet(text, names) {
		return true
	}
	if fs := e.scan(text, r.fs[:0], names); len(fs) > 0 {
		r.begin(start)
		e.writeRedacted(&r.out, text, fs, &r.f, true)
		r.copied = end
	}
	return true
}

func (r *jsonRedactor) replaceWhole(start, end int, t Type, value string) {
	r.begin(start)
	r.e.writeJSONReplacement(&r.out, t, value)
	r.copied = end
	r.f.Add(t, r.e.actions[t])
}

// redactNumber replaces a bare number token that is a valid payment card with a string placeholder.
func (r *jsonRedactor) redactNumber(start, end int) {
	tok := r.s[start:end]
	if len(tok) < 12 || len(tok) > 19 || !r.e.enabled[TypeCreditCard] {
		return
	}
	var d [19]byte
	for i := range len(tok) {
		if !isDigit(tok[i]) {
			return
		}
		d[i] = tok[i]
	}
	if !isCard(d[:len(tok)]) {
		return
	}
	r.begin(start)
	r.out.WriteByte('"')
	r.e.writeJSONReplacement(&r.out, TypeCreditCard, tok)
	r.out.WriteByte('"')
	r.copied = end
	r.f.Add(TypeCreditCard, r.e.actions[TypeCreditCard])
}

func hexVal(c byte) rune {
	switch {
	case isDigit(c):
		return rune(c - '0')
	case c >= 'a' && c <= 'f':
		return rune(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return rune(c-'A') + 10
	}
	return -1
}

func hex4(s string) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for i := range 4 {
		v := hexVal(s[i])
		if v < 0 {
			return -1
		}
		r = r<<4 | v
	}
	return r
}

// decodeJSONString appends the decoded content of a JSON string literal (without quotes) to dst.
func decodeJSONString(dst []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); {
		b := strings.IndexByte(s[i:], '\\')
		if b < 0 {
			return append(dst, s[i:]...), true
		}
		dst = append(dst, s[i:i+b]...)
		i += b
		if i+1 >= len(s) {
			return dst, false
		}
		switch c := s[i+1]; c {
		case '"', '\\', '/':
			dst = append(dst, c)
			i += 2
		case 'b':
			dst = append(dst, '\b')
			i += 2
		case 'f':
			dst = append(dst, '\f')
			i += 2
		case 'n':
			dst = append(dst, '\n')
			i += 2
		case 'r':
			dst = append(dst, '\r')
			i += 2
		case 't':
			dst = append(dst, '\t')
			i += 2
		case 'u':
			r := hex4(s[i+2:])
			if r < 0 {
				return dst, false
			}
			i += 6
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					r2 = hex4(s[i+2:])
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return dst, false
		}
	}
	return dst, true
}

const hexDigits = "0123456789abcdef"

// writeJSONEscaped writes s as JSON string content (without quotes), copying the runs between
// characters that need an escape whole.
func writeJSONEscaped(b *strings.Builder, s string) {
	run := 0
	for i := range len(s) {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b.WriteString(s[run:i])
		run = i + 1
		switch c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteString(`\u00`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xF])
		}
	}
	b.WriteString(s[run:])
}
