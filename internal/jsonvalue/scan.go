package jsonvalue

// Scanner reads one JSON document piece by piece, for callers that need a few members of a known
// shape and would otherwise build the whole tree with Parse only to look a handful of keys up in
// it (the mapping reads every chat span's conversation this way). It is the parser Parse runs, so
// what it accepts is what Parse accepts, a value it returns is what Parse returns for that part of
// the document, and strings without escapes are slices of the input.
//
// A Scanner only ever answers "this is what the document holds" or "stop": any false return means
// the caller should fall back to Parse, which decides whether the document is JSON at all.
type Scanner struct {
	p jsonParser
}

// NewScanner starts reading s; white space before the first value is skipped.
func NewScanner(s string) Scanner {
	sc := Scanner{p: jsonParser{s: s}}
	sc.p.skipSpace()
	return sc
}

// Peek returns the first byte of the next value (0 at the end of the input).
func (sc *Scanner) Peek() byte {
	if sc.p.i >= len(sc.p.s) {
		return 0
	}
	return sc.p.s[sc.p.i]
}

// Open enters the array ('[') or object ('{') that comes next; more reports whether it holds an
// element. ok is false when the next value is not one, or nesting is deeper than Parse allows.
func (sc *Scanner) Open(bracket byte) (more, ok bool) {
	if sc.Peek() != bracket {
		return false, false
	}
	if sc.p.depth++; sc.p.depth > maxJSONNesting {
		return false, false
	}
	sc.p.i++
	sc.p.skipSpace()
	closing := byte(']')
	if bracket == '{' {
		closing = '}'
	}
	if sc.Peek() == closing {
		sc.p.i++
		sc.p.depth--
		return false, true
	}
	return true, true
}

// Next reads what follows an element or member of the innermost open container: a comma (more
// follows) or its closing bracket (']' or '}'), which leaves it.
func (sc *Scanner) Next(closing byte) (more, ok bool) {
	more, ok = sc.p.separator(closing)
	if ok && !more {
		sc.p.depth--
	}
	return more, ok
}

// Key reads an object member's name and the colon after it.
func (sc *Scanner) Key() (string, bool) {
	if sc.Peek() != '"' {
		return "", false
	}
	k, ok := sc.p.string()
	if !ok {
		return "", false
	}
	sc.p.skipSpace()
	if sc.Peek() != ':' {
		return "", false
	}
	sc.p.i++
	sc.p.skipSpace()
	return k, true
}

// Str reads a string value; ok is false when the next value is not a string.
func (sc *Scanner) Str() (string, bool) {
	if sc.Peek() != '"' {
		return "", false
	}
	return sc.p.string()
}

// Value reads the next value whole, as Parse would give it.
func (sc *Scanner) Value() (any, bool) {
	return sc.p.value()
}

// Skip reads past the next value without building it, accepting and rejecting what Value does.
func (sc *Scanner) Skip() bool {
	p := &sc.p
	switch c := sc.Peek(); {
	case c == '{' || c == '[':
		return sc.skipContainer(c)
	case c == '"':
		return p.skipString()
	case c == '-' || ('0' <= c && c <= '9'):
		return p.skipNumber()
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	}
	return false
}

// Raw is Skip returning the value's text, for callers that may never need the value: Parse of
// the text gives what Value would have.
func (sc *Scanner) Raw() (string, bool) {
	start := sc.p.i
	if !sc.Skip() {
		return "", false
	}
	return sc.p.s[start:sc.p.i], true
}

func (sc *Scanner) skipContainer(bracket byte) bool {
	closing := byte(']')
	if bracket == '{' {
		closing = '}'
	}
	more, ok := sc.Open(bracket)
	for ok && more {
		if bracket == '{' {
			if _, ok = sc.Key(); !ok {
				return false
			}
		}
		if !sc.Skip() {
			return false
		}
		more, ok = sc.Next(closing)
	}
	return ok
}

// Done reports whether only white space is left after the value read.
func (sc *Scanner) Done() bool {
	sc.p.skipSpace()
	return sc.p.i == len(sc.p.s)
}
