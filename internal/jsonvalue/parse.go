// Package jsonvalue parses JSON documents into plain Go values quickly: the mapping reads every
// chat span's conversation with it, and verify every stored record.
package jsonvalue

import (
	"encoding/json"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// Parse parses s, which must hold exactly one JSON value (white space around it allowed), into
// the values encoding/json's Decoder gives with UseNumber: map[string]any, []any, string,
// json.Number, bool and nil. It accepts and rejects what encoding/json does and yields equal
// values (FuzzParseMatchesEncodingJSON guards both), but strings without escapes are slices of s
// rather than copies, at about twice encoding/json's speed.
func Parse(s string) (any, bool) {
	stack := stackPool.Get().(*[]any)
	p := jsonParser{s: s, stack: (*stack)[:0]}
	defer func() {
		// Every array has cleared its elements off the stack by now, so a pooled stack holds no
		// values; one grown by a huge array is left to the garbage collector.
		if cap(p.stack) <= maxPooledStack {
			*stack = p.stack[:0]
			stackPool.Put(stack)
		}
	}()
	p.skipSpace()
	v, ok := p.value()
	if !ok {
		return nil, false
	}
	p.skipSpace()
	if p.i != len(p.s) {
		return nil, false
	}
	return v, true
}

// stackPool keeps the parsers' element stacks between documents: the mapping parses several per
// span, and each would otherwise grow a stack from nothing.
var stackPool = sync.Pool{New: func() any { return new([]any) }}

// maxPooledStack bounds the stacks kept in stackPool (elements).
const maxPooledStack = 4096

// maxJSONNesting is encoding/json's limit on nested arrays and objects.
const maxJSONNesting = 10000

type jsonParser struct {
	s     string
	i     int
	depth int
	// stack holds the elements of the arrays being parsed, so each array is allocated once at its
	// final length instead of growing.
	stack []any
}

func (p *jsonParser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value() (any, bool) {
	if p.i >= len(p.s) {
		return nil, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, ok := p.string()
		return s, ok
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, false
}

func (p *jsonParser) literal(word string) bool {
	if len(p.s)-p.i < len(word) || p.s[p.i:p.i+len(word)] != word {
		return false
	}
	p.i += len(word)
	return true
}

func (p *jsonParser) object() (any, bool) {
	if p.depth++; p.depth > maxJSONNesting {
		return nil, false
	}
	defer func() { p.depth-- }()
	p.i++ // '{'
	m := make(map[string]any)
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return m, true
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, false
		}
		k, ok := p.string() // a string, not an any: keys are never boxed
		if !ok {
			return nil, false
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, false
		}
		p.i++
		p.skipSpace()
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		m[k] = v
		if more, ok := p.separator('}'); !ok {
			return nil, false
		} else if !more {
			return m, true
		}
	}
}

func (p *jsonParser) array() (any, bool) {
	if p.depth++; p.depth > maxJSONNesting {
		return nil, false
	}
	defer func() { p.depth-- }()
	p.i++ // '['
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return make([]any, 0), true
	}
	base := len(p.stack)
	defer func() {
		clear(p.stack[base:])
		p.stack = p.stack[:base]
	}()
	for {
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		p.stack = append(p.stack, v)
		if more, ok := p.separator(']'); !ok {
			return nil, false
		} else if !more {
			return append(make([]any, 0, len(p.stack)-base), p.stack[base:]...), true
		}
	}
}

// separator reads what follows a member or element: a comma (more follows) or the closing
// bracket; anything else is invalid.
func (p *jsonParser) separator(closing byte) (more, ok bool) {
	p.skipSpace()
	if p.i >= len(p.s) {
		return false, false
	}
	switch p.s[p.i] {
	case ',':
		p.i++
		p.skipSpace()
		return true, true
	case closing:
		p.i++
		return false, true
	}
	return false, false
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and keeps its text.
func (p *jsonParser) number() (any, bool) {
	s, ok := p.numberText()
	if !ok {
		return nil, false
	}
	return json.Number(s), true
}

func (p *jsonParser) numberText() (string, bool) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.s) && p.s[p.i] == '0':
		p.i++
	case p.digits() == 0:
		return "", false
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return "", false
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return "", false
		}
	}
	return p.s[start:p.i], true
}

// skipNumber is number without keeping the text.
func (p *jsonParser) skipNumber() bool {
	_, ok := p.numberText()
	return ok
}

func (p *jsonParser) digits() int {
	start := p.i
	for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
		p.i++
	}
	return p.i - start
}

// string scans a quoted string. Plain ones (no escapes, valid UTF-8) are returned as slices of
// the input; the rest are decoded as encoding/json does: escapes resolved, invalid UTF-8 and
// unpaired surrogates replaced by U+FFFD.
func (p *jsonParser) string() (string, bool) {
	p.i++ // opening quote
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if plainByte[c] {
			p.i++
			continue
		}
		switch {
		case c == '"':
			p.i++
			return p.s[start : p.i-1], true
		case c == '\\' || c < 0x20:
			return p.decodeString(start)
		case c < utf8.RuneSelf:
			p.i++
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			if r == utf8.RuneError && size == 1 {
				return p.decodeString(start)
			}
			p.i += size
		}
	}
	return "", false
}

// plainByte marks the bytes a string's scan passes over with no second look: ASCII other than the
// quote, the backslash and control characters (one table load per byte instead of three tests).
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// skipString is string without keeping the text: it accepts and rejects what string does.
func (p *jsonParser) skipString() bool {
	p.i++ // opening quote
	for p.i < len(p.s) {
		c := p.s[p.i]
		if plainByte[c] {
			p.i++
			continue
		}
		switch {
		case c == '"':
			p.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return false
			}
			esc := p.s[p.i+1]
			p.i += 2
			switch esc {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if _, ok := p.hex4(); !ok {
					return false
				}
			default:
				return false
			}
		default: // invalid UTF-8 is replaced, not refused
			p.i++
		}
	}
	return false
}

func (p *jsonParser) decodeString(start int) (string, bool) {
	// A builder hands its bytes over as the string: one allocation instead of a slice and its copy.
	var out strings.Builder
	out.Grow(p.i - start + 16)
	out.WriteString(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return out.String(), true
		case c < 0x20:
			return "", false
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return "", false
			}
			esc := p.s[p.i+1]
			p.i += 2
			switch esc {
			case '"', '\\', '/':
				out.WriteByte(esc)
			case 'b':
				out.WriteByte('\b')
			case 'f':
				out.WriteByte('\f')
			case 'n':
				out.WriteByte('\n')
			case 'r':
				out.WriteByte('\r')
			case 't':
				out.WriteByte('\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", false
				}
				if utf16.IsSurrogate(r) {
					// A valid pair is consumed whole; otherwise the next escape stays for the loop.
					if len(p.s)-p.i >= 6 && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
						save := p.i
						p.i += 2
						r2, ok := p.hex4()
						if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
							out.WriteRune(dec)
							continue
						}
						p.i = save
					}
					r = utf8.RuneError
				}
				out.WriteRune(r)
			default:
				return "", false
			}
		case c < utf8.RuneSelf:
			out.WriteByte(c)
			p.i++
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			out.WriteRune(r) // RuneError for an invalid byte, as encoding/json
			p.i += size
		}
	}
	return "", false
}

// hex4 reads the four hex digits of a \u escape.
func (p *jsonParser) hex4() (rune, bool) {
	if len(p.s)-p.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(p.s[p.i : p.i+4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	p.i += 4
	return r, true
}
