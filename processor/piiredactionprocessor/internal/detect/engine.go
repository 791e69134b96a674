package detect

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"regexp"
	"strings"
	"sync"
)

// Validator names accepted for custom detectors.
const (
	ValidatorNone  = "none"
	ValidatorLuhn  = "luhn"
	ValidatorMod97 = "mod97"
	ValidatorSSN   = "ssn"
)

// CustomDetector is a user-defined detector: a regular expression with an optional validator.
type CustomDetector struct {
	Name      string
	Regexp    *regexp.Regexp
	Validator string
	// Keywords, when set, gate the regex: it runs only on text containing one of them.
	Keywords []string
	Action   Action
}

// Options configure an Engine.
type Options struct {
	// Disabled built-in detectors.
	Disabled []Type
	// Actions per built-in type; types not present use DefaultAction.
	Actions       map[Type]Action
	DefaultAction Action
	Custom        []CustomDetector
	// HMACKey keys the hash action. Required when any action is ActionHash.
	HMACKey []byte
	// SecretKeys are key names whose values are always secret (matched case-insensitively
	// against the whole key or its last dot-separated segment, '-' equal to '_').
	SecretKeys []string
	// MaxDepth bounds JSON-inside-string recursion; deeper strings are scanned as plain text.
	MaxDepth int
	// ScanJSON enables JSON-aware redaction of string values that hold JSON documents.
	ScanJSON bool
}

// DefaultSecretKeys are key names whose values are always treated as secret.
var DefaultSecretKeys = []string{
	"password", "passwd", "pwd", "pass", "secret", "client_secret", "authorization", "proxy_authorization",
	"cookie", "set_cookie", "api_key", "apikey", "x_api_key", "api_token", "access_token", "refresh_token",
	"id_token", "auth_token", "session_token", "private_key", "secret_key", "aws_secret_access_key",
	"x_amz_security_token", "credentials", "connection_string",
}

// Engine scans and redacts strings. It is safe for concurrent use.
type Engine struct {
	enabled      [MaxTypes]bool
	actions      [MaxTypes]Action
	names        []string
	placeholders []string
	custom       []customDetector
	hmacKey      []byte
	hmacPool     sync.Pool
	secretKeys   [][]string // by length
	maxDepth     int
	scanJSON     bool
	lex          *lexiconTable // names, places and streets; nil when PERSON and STREET_ADDRESS are off
	keyCache     keyCache
	scanMemo     *scanMemo // what the last texts scanned held (scanmemo.go)
}

type customDetector struct {
	CustomDetector
	typ Type
}

// New builds an Engine.
func New(o Options) (*Engine, error) {
	e := &Engine{maxDepth: o.MaxDepth, scanJSON: o.ScanJSON, scanMemo: newScanMemo()}
	if e.maxDepth <= 0 {
		e.maxDepth = 32
	}
	if len(o.Custom)+int(NumBuiltin) > MaxTypes {
		return nil, fmt.Errorf("at most %d custom detectors are supported", MaxTypes-int(NumBuiltin))
	}
	e.names = append(e.names, builtinNames[:]...)
	for t := range NumBuiltin {
		e.enabled[t] = true
		e.actions[t] = o.DefaultAction
		if a, ok := o.Actions[t]; ok {
			e.actions[t] = a
		}
	}
	for _, t := range o.Disabled {
		e.enabled[t] = false
	}
	if e.enabled[TypePerson] || e.enabled[TypeStreetAddress] {
		e.lex = loadLexicon()
	}
	for i, c := range o.Custom {
		if c.Regexp == nil {
			return nil, fmt.Errorf("custom detector %q has no regexp", c.Name)
		}
		t := NumBuiltin + Type(i)
		e.names = append(e.names, c.Name)
		e.enabled[t] = true
		e.actions[t] = c.Action
		e.custom = append(e.custom, customDetector{CustomDetector: c, typ: t})
	}
	usesHash := false
	for t := range len(e.names) {
		if e.enabled[t] && e.actions[t] == ActionHash {
			usesHash = true
		}
	}
	if usesHash && len(o.HMACKey) == 0 {
		return nil, errors.New("the hash action needs an HMAC key")
	}
	e.hmacKey = append([]byte(nil), o.HMACKey...)
	e.hmacPool.New = func() any { return hmac.New(sha256.New, e.hmacKey) }
	for _, name := range e.names {
		e.placeholders = append(e.placeholders, "[REDACTED:"+name+"]")
	}
	keys := o.SecretKeys
	if keys == nil {
		keys = DefaultSecretKeys
	}
	for _, k := range keys {
		k = normalizeKey(k)
		for len(e.secretKeys) <= len(k) {
			e.secretKeys = append(e.secretKeys, nil)
		}
		e.secretKeys[len(k)] = append(e.secretKeys[len(k)], k)
	}
	return e, nil
}

func normalizeKey(k string) string {
	return strings.ReplaceAll(strings.ToLower(k), "-", "_")
}

// Name is the placeholder label of type t.
func (e *Engine) Name(t Type) string { return e.names[t] }

// NumTypes is the number of built-in plus custom types.
func (e *Engine) NumTypes() int { return len(e.names) }

// TypeNames lists the names in a type set, in Type order.
func (e *Engine) TypeNames(set uint64) []string { return e.AppendTypeNames(nil, set) }

// AppendTypeNames is TypeNames appending to dst: a caller's stack buffer spares the allocation
// per summarised span.
func (e *Engine) AppendTypeNames(dst []string, set uint64) []string {
	for t := range len(e.names) {
		if set&(1<<t) != 0 {
			dst = append(dst, e.names[t])
		}
	}
	return dst
}

// Placeholder is the redact placeholder of type t.
func (e *Engine) Placeholder(t Type) string { return e.placeholders[t] }

// Action is the configured action of type t.
func (e *Engine) Action(t Type) Action { return e.actions[t] }

// Enabled reports whether detector t runs.
func (e *Engine) Enabled(t Type) bool { return e.enabled[t] }

// IsSecretKey reports whether the values under key are always secret: the whole key or its last
// dot-separated segment equals a configured secret key name (case-insensitive, '-' == '_').
func (e *Engine) IsSecretKey(key string) bool {
	if !e.enabled[TypeSecretKey] || len(key) == 0 {
		return false
	}
	if e.matchSecretKey(key) {
		return true
	}
	if dot := strings.LastIndexByte(key, '.'); dot >= 0 && dot+1 < len(key) {
		return e.matchSecretKey(key[dot+1:])
	}
	return false
}

func (e *Engine) matchSecretKey(k string) bool {
	if len(k) >= len(e.secretKeys) {
		return false
	}
	for _, cand := range e.secretKeys[len(k)] {
		if keyEqual(k, cand) {
			return true
		}
	}
	return false
}

// keyEqual compares k with a normalized (lower-case, '_') name, case-insensitively with '-' == '_'.
func keyEqual(k, norm string) bool {
	for i := range len(k) {
		c := k[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		} else if c == '-' {
			c = '_'
		}
		if c != norm[i] {
			return false
		}
	}
	return true
}

// Scan appends the findings of the plain-text detectors in s to dst (sorted, non-overlapping).
// It does not interpret JSON; use Redact for that.
func (e *Engine) Scan(s string, dst []Finding) []Finding { return e.scan(s, dst, true) }

// scan is Scan; names false leaves out the name and address grammars (identifier values). A
// text scanned a moment ago is answered from the scan memo.
func (e *Engine) scan(s string, dst []Finding, names bool) []Finding {
	if !memoable(e.scanMemo, s) {
		return e.scanText(s, dst, names)
	}
	slot, h1, h2 := e.scanMemo.key(s)
	if out, ok := e.scanMemo.lookup(slot, h1, h2, s, names, dst); ok {
		return out
	}
	from := len(dst)
	dst = e.scanText(s, dst, names)
	e.scanMemo.store(slot, h1, h2, s, names, dst[from:])
	return dst
}

func (e *Engine) scanText(s string, dst []Finding, names bool) []Finding {
	sc := scanner{Engine: e, text: s}
	dst, capital := sc.scanBuiltin(s, dst, names)
	sc.release()
	if names && !capital {
		dst = e.scanLowerText(s, dst)
	}
	if len(e.custom) > 0 {
		dst = e.scanCustom(s, dst)
	}
	return dst
}

// Redact returns s with every finding replaced according to its action. When nothing is found it
// returns s itself and allocates nothing. JSON documents held in s are redacted inside their
// string values so that valid JSON stays valid JSON.
func (e *Engine) Redact(s string) (string, Findings, bool) {
	var f Findings
	out, changed := e.RedactInto(s, 0, &f)
	return out, f, changed
}

// RedactInto is Redact accumulating into f; depth is the caller's nesting depth.
func (e *Engine) RedactInto(s string, depth int, f *Findings) (string, bool) {
	return e.redactInto(s, depth, f, true)
}

// RedactIdentifierInto is RedactInto for a value that names a tool, function, model or
// operation (see IdentifierKey): every detector runs except the name and address grammars.
func (e *Engine) RedactIdentifierInto(s string, depth int, f *Findings) (string, bool) {
	if e.lex != nil {
		kept(keepIdentifierKey, 0, len(s))
	}
	return e.redactInto(s, depth, f, false)
}

func (e *Engine) redactInto(s string, depth int, f *Findings, names bool) (string, bool) {
	if e.scanJSON && looksLikeJSON(s) {
		if depth < e.maxDepth {
			if out, changed, ok := e.redactJSON(s, depth, f, names); ok {
				return out, changed
			}
		} else {
			f.DepthLimited++
		}
	}
	return e.redactPlain(s, f, names)
}

func (e *Engine) redactPlain(s string, f *Findings, names bool) (string, bool) {
	var buf [8]Finding
	fs := e.scan(s, buf[:0], names)
	if len(fs) == 0 {
		return s, false
	}
	var b strings.Builder
	b.Grow(len(s) + 16*len(fs))
	e.writeRedacted(&b, s, fs, f, false)
	return b.String(), true
}

// The writers below take a *strings.Builder, whose writes cannot fail, rather than an interface
// whose errors would have to be checked and could not happen.

// writeRedacted writes s with its findings fs replaced. asJSON writes it as JSON string content:
// escaping is byte by byte, so escaping the pieces equals escaping the whole, and a JSON literal
// is redacted straight into its document without a redacted copy in between.
func (e *Engine) writeRedacted(b *strings.Builder, s string, fs []Finding, f *Findings, asJSON bool) {
	prev := 0
	for _, fd := range fs {
		if asJSON {
			writeJSONEscaped(b, s[prev:fd.Start])
			e.writeJSONReplacement(b, fd.Type, s[fd.Start:fd.End])
		} else {
			b.WriteString(s[prev:fd.Start])
			e.writeReplacement(b, fd.Type, s[fd.Start:fd.End])
		}
		f.Add(fd.Type, e.actions[fd.Type])
		prev = fd.End
	}
	if asJSON {
		writeJSONEscaped(b, s[prev:])
	} else {
		b.WriteString(s[prev:])
	}
}

// writeJSONReplacement is writeReplacement as JSON string content. A placeholder is escaped
// where it stands; a mask or a pseudonym, built from the value, goes through a builder first.
func (e *Engine) writeJSONReplacement(b *strings.Builder, t Type, value string) {
	if a := e.actions[t]; a != ActionHash && (a != ActionMask || !maskable(t)) {
		writeJSONEscaped(b, e.placeholders[t])
		return
	}
	var r strings.Builder
	e.writeReplacement(&r, t, value)
	writeJSONEscaped(b, r.String())
}

// placeholderLen returns the length of the placeholder this engine writes ([REDACTED:TYPE] or
// [TYPE:hmac:<16 hex>]) at the start of s, or 0. Values that merely start with '[' are not
// placeholders and are scanned like any other.
func (e *Engine) placeholderLen(s string) int {
	if len(s) < 4 || s[0] != '[' {
		return 0
	}
	head := s
	if len(head) > 96 {
		head = head[:96] // type names are short; this bounds the work on "[[[[..." input
	}
	end := strings.IndexByte(head, ']')
	if end < 0 {
		return 0
	}
	body := s[1:end]
	name, rest, ok := strings.Cut(body, ":")
	if !ok {
		return 0
	}
	if name == "REDACTED" {
		name, rest = rest, ""
	} else if h, ok := strings.CutPrefix(rest, "hmac:"); !ok || len(h) != 16 {
		return 0
	} else {
		rest = ""
	}
	for _, n := range e.names {
		if n == name && rest == "" {
			return end + 1
		}
	}
	if name == "DEPTH_LIMIT" {
		return end + 1
	}
	return 0
}

// IsPlaceholder reports whether s is exactly one placeholder written by this engine.
func (e *Engine) IsPlaceholder(s string) bool { return e.placeholderLen(s) == len(s) && len(s) > 0 }

// Replacement is what replaces value (a finding of type t) under t's action.
func (e *Engine) Replacement(t Type, value string) string {
	var b strings.Builder
	e.writeReplacement(&b, t, value)
	return b.String()
}

func (e *Engine) writeReplacement(b *strings.Builder, t Type, value string) {
	switch e.actions[t] {
	case ActionMask:
		if maskable(t) {
			writeMasked(b, value)
			return
		}
	case ActionHash:
		b.WriteByte('[')
		b.WriteString(e.names[t])
		b.WriteString(":hmac:")
		b.WriteString(e.pseudonym(t, value))
		b.WriteByte(']')
		return
	}
	b.WriteString(e.placeholders[t])
}

func maskable(t Type) bool {
	return t == TypeCreditCard || t == TypePhone || t == TypeIBAN || t == TypeUSSSN
}

// writeMasked stars every letter and digit except the last four, keeping separators.
func writeMasked(b *strings.Builder, value string) {
	keep := 0
	cut := len(value)
	for cut > 0 && keep < 4 {
		cut--
		if isAlnum(value[cut]) {
			keep++
		}
	}
	for i := range cut {
		if isAlnum(value[i]) {
			b.WriteByte('*')
		} else {
			b.WriteByte(value[i])
		}
	}
	b.WriteString(value[cut:])
}

// pseudonym is a keyed, type-separated HMAC-SHA256 of the normalized value, truncated to 64 bits:
// the same email in any letter case, or the same card with any separators, maps to the same id.
func (e *Engine) pseudonym(t Type, value string) string {
	h := e.hmacPool.Get().(hash.Hash)
	defer e.hmacPool.Put(h)
	h.Reset()
	h.Write([]byte(e.names[t]))
	h.Write([]byte{0})
	var norm []byte
	switch t {
	case TypeEmail, TypeIBAN:
		norm = []byte(strings.ToLower(strings.ReplaceAll(value, " ", "")))
	case TypeCreditCard, TypePhone, TypeUSSSN:
		for i := range len(value) {
			if isDigit(value[i]) {
				norm = append(norm, value[i])
			}
		}
	default:
		norm = []byte(value)
	}
	h.Write(norm)
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:8])
}

func (e *Engine) scanCustom(s string, dst []Finding) []Finding {
	builtin := len(dst)
	for _, c := range e.custom {
		if len(c.Keywords) > 0 && !containsAny(s, c.Keywords) {
			continue
		}
		for _, m := range c.Regexp.FindAllStringIndex(s, -1) {
			if m[0] == m[1] || !validate(c.Validator, s[m[0]:m[1]]) || overlaps(dst, m[0], m[1]) {
				continue
			}
			dst = append(dst, Finding{Start: m[0], End: m[1], Type: c.typ})
		}
	}
	if len(dst) > builtin {
		sortFindings(dst)
	}
	return dst
}

func containsAny(s string, keywords []string) bool {
	for _, k := range keywords {
		if strings.Contains(s, k) {
			return true
		}
	}
	return false
}

func overlaps(fs []Finding, start, end int) bool {
	for _, f := range fs {
		if start < f.End && f.Start < end {
			return true
		}
	}
	return false
}

func sortFindings(fs []Finding) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].Start < fs[j-1].Start; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

// validators are the checks a custom detector may name; the configuration's validator names
// are this table's.
var validators = [...]struct {
	name  string
	check func(match string) bool
}{
	{ValidatorNone, func(string) bool { return true }},
	{ValidatorLuhn, func(m string) bool {
		var buf [64]byte
		d := digitsOf(buf[:0], m)
		return len(d) >= 2 && luhn(d)
	}},
	{ValidatorMod97, ibanMod97},
	{ValidatorSSN, func(m string) bool {
		var buf [64]byte
		d := digitsOf(buf[:0], m)
		return len(d) == 9 && validSSN(d)
	}},
}

// ValidatorNames lists the validators a custom detector may name.
func ValidatorNames() []string {
	out := make([]string, 0, len(validators))
	for _, v := range validators {
		out = append(out, v.name)
	}
	return out
}

func digitsOf(dst []byte, s string) []byte {
	for i := range len(s) {
		if isDigit(s[i]) {
			dst = append(dst, s[i])
		}
	}
	return dst
}

// validate runs the validator named v ("" is none); an unknown name validates nothing.
func validate(v, s string) bool {
	if v == "" {
		return true
	}
	for _, x := range validators {
		if x.name == v {
			return x.check(s)
		}
	}
	return false
}
