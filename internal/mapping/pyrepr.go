package mapping

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Python frameworks often put str() or repr() of their own objects where the conventions expect
// text: ChatMessage(role=<MessageRole.ASSISTANT: 'assistant'>, content='…'). parsePyRepr reads such
// a repr into plain values (an object becomes a map with its class under pyClassKey), so that the
// repr table (reprForms, in the dialect files) can pick the text, model and usage out of it.

// pyClassKey holds a parsed object's class name in its map; no Python keyword argument has it.
const pyClassKey = "__class__"

// maxReprDepth bounds nesting; deeper reprs are left as they are.
const maxReprDepth = 24

// looksLikePyRepr is the cheap test before parsing: Name(…) or <…>.
func looksLikePyRepr(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < 3 {
		return false
	}
	if s[0] == '<' && s[len(s)-1] == '>' {
		return strings.Contains(s, " object at 0x") || strings.Contains(s, ": ")
	}
	if s[len(s)-1] != ')' || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	i := strings.IndexByte(s, '(')
	return i > 0 && isPyIdent(s[:i])
}

func isPyIdent(s string) bool {
	for i, r := range s {
		ok := r == '_' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return s != ""
}

// parsePyRepr parses a whole repr; ok is false when s is not one.
func parsePyRepr(s string) (any, bool) {
	p := pyParser{s: strings.TrimSpace(s)}
	v, ok := p.value(0)
	p.space()
	return v, ok && p.i == len(p.s)
}

type pyParser struct {
	s string
	i int
}

func (p *pyParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *pyParser) eat(c byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *pyParser) value(depth int) (any, bool) {
	p.space()
	if depth > maxReprDepth || p.i >= len(p.s) {
		return nil, false
	}
	switch c := p.s[p.i]; {
	case c == '\'' || c == '"':
		return p.str()
	case c == '[':
		p.i++
		return p.seq(']', depth)
	case c == '(':
		p.i++
		return p.seq(')', depth)
	case c == '{':
		p.i++
		return p.dict(depth)
	case c == '<':
		return p.enum(depth)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		return p.name(depth)
	}
}

// str reads '…' or "…" with Python escapes (and a b/r prefix handled by name).
func (p *pyParser) str() (any, bool) {
	q := p.s[p.i]
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == q:
			p.i++
			return b.String(), true
		case c == '\\' && p.i+1 < len(p.s):
			p.i++
			p.escape(&b)
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return nil, false
}

func (p *pyParser) escape(b *strings.Builder) {
	c := p.s[p.i]
	p.i++
	simple := map[byte]byte{'n': '\n', 't': '\t', 'r': '\r', '\\': '\\', '\'': '\'', '"': '"', '0': 0}
	if r, ok := simple[c]; ok {
		b.WriteByte(r)
		return
	}
	width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
	if width > 0 && p.i+width <= len(p.s) {
		if n, err := strconv.ParseUint(p.s[p.i:p.i+width], 16, 32); err == nil && utf8.ValidRune(rune(n)) {
			b.WriteRune(rune(n))
			p.i += width
			return
		}
	}
	b.WriteByte('\\')
	b.WriteByte(c)
}

func (p *pyParser) number() (any, bool) {
	start := p.i
	for p.i < len(p.s) && strings.IndexByte("+-0123456789.eE_", p.s[p.i]) >= 0 {
		p.i++
	}
	text := strings.ReplaceAll(p.s[start:p.i], "_", "")
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return float64(n), true
	}
	f, err := strconv.ParseFloat(text, 64)
	return f, err == nil
}

// seq reads list or tuple elements up to end.
func (p *pyParser) seq(end byte, depth int) (any, bool) {
	out := []any{}
	for {
		if p.eat(end) {
			return out, true
		}
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		out = append(out, v)
		if !p.eat(',') {
			return out, p.eat(end)
		}
	}
}

func (p *pyParser) dict(depth int) (any, bool) {
	out := map[string]any{}
	for {
		if p.eat('}') {
			return out, true
		}
		k, ok := p.value(depth + 1)
		if !ok || !p.eat(':') {
			return nil, false
		}
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		if ks, isStr := k.(string); isStr {
			out[ks] = v
		}
		if !p.eat(',') {
			return out, p.eat('}')
		}
	}
}

// enum reads <MessageRole.ASSISTANT: 'assistant'> as its value; <X object at 0x…> fails.
func (p *pyParser) enum(depth int) (any, bool) {
	end := strings.IndexByte(p.s[p.i:], ':')
	if end < 0 || !isPyIdent(p.s[p.i+1:p.i+end]) {
		return nil, false
	}
	p.i += end + 1
	v, ok := p.value(depth + 1)
	if !ok || !p.eat('>') {
		return nil, false
	}
	return v, true
}

// name reads None/True/False, a b'…' or r'…' string, a bare name, or a call Name(args).
func (p *pyParser) name(depth int) (any, bool) {
	start := p.i
	for p.i < len(p.s) && isPyIdent(p.s[start:p.i+1]) {
		p.i++
	}
	id := p.s[start:p.i]
	if id == "" {
		return nil, false
	}
	if (id == "b" || id == "r" || id == "u") && p.i < len(p.s) && (p.s[p.i] == '\'' || p.s[p.i] == '"') {
		return p.str()
	}
	if p.i >= len(p.s) || p.s[p.i] != '(' {
		switch id {
		case "None":
			return nil, true
		case "True":
			return true, true
		case "False":
			return false, true
		}
		return id, true
	}
	p.i++
	obj := map[string]any{pyClassKey: id[strings.LastIndexByte(id, '.')+1:]}
	var positional []any
	for !p.eat(')') {
		save := p.i
		p.space()
		kstart := p.i
		for p.i < len(p.s) && isPyIdent(p.s[kstart:p.i+1]) {
			p.i++
		}
		key := p.s[kstart:p.i]
		if key == "" || !p.eat('=') {
			p.i = save
			key = ""
		}
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		if key != "" {
			obj[key] = v
		} else {
			positional = append(positional, v)
		}
		if !p.eat(',') {
			if !p.eat(')') {
				return nil, false
			}
			break
		}
	}
	if len(positional) > 0 {
		obj["args"] = positional
	}
	return obj, true
}

// pyLiteral is a tool's value that a framework wrote with Python's str() instead of JSON (Semantic
// Kernel's gen_ai.tool.call.result "{'city': 'Paris', …}") as the dict or list it holds; any other
// value, and any text that is no whole Python literal, stays as it is.
func pyLiteral(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	t := strings.TrimSpace(s)
	if len(t) < 2 || (t[0] != '{' || t[len(t)-1] != '}') && (t[0] != '[' || t[len(t)-1] != ']') {
		return v
	}
	parsed, ok := parsePyRepr(t)
	if !ok {
		return v
	}
	return parsed
}
