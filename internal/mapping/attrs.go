package mapping

import (
	"encoding/base64"
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// attrView reads one span's or log's attributes and remembers which ones the mapping consumed, so
// that everything else can be kept in Record.Attributes. Structured values (JSON strings or
// AnyValue maps/slices) are decoded at most once per source.
type attrView struct {
	m     *Mapper
	attrs pcommon.Map
	// used marks the positions of consumed attributes. Every view reads a dozen or so keys and most
	// spans carry fewer than 128 attributes, so a bit set beats a map of keys (two allocations and
	// a hash per consume) while giving the same answer: consume and release act on every position
	// holding the key, as the set of keys did when the wire carried a key twice.
	used positionSet
	// decoded caches structured values by key; a view decodes at most a few, so a slice scanned
	// linearly (first backed by decodedBuf, inside the view) is cheaper than a map.
	decoded    []decodedEntry
	decodedBuf [3]decodedEntry
	p          *problems
	// reasoningRead is set once agent.reasoning.* were read: a log is both the event and its attributes.
	reasoningRead bool
	// spanName is the span's name, for dialects that name tools and agents by it.
	spanName string
	// keys, once filterKeys ran, has keyBit set for every key of attrs: the engine probes a span's
	// view for every alias of every dialect, most of them absent, and the bit rules most of those
	// out without a scan of the map. Only views of maps the mapping does not change are filtered.
	keys     uint64
	filtered bool
}

// keyBit is a key's bit in attrView.keys.
func keyBit(k string) uint64 {
	if k == "" {
		return 1
	}
	return 1 << ((uint(len(k))*7 + uint(k[len(k)-1])*3 + uint(k[len(k)/2])) & 63)
}

// filterKeys sets keys from the view's attributes.
func (a *attrView) filterKeys() {
	for k := range a.attrs.All() {
		a.keys |= keyBit(k)
	}
	a.filtered = true
}

// get is attrs.Get, answering for most absent keys from the filter.
func (a *attrView) get(key string) (pcommon.Value, bool) {
	if a.filtered && a.keys&keyBit(key) == 0 {
		return pcommon.Value{}, false
	}
	return a.attrs.Get(key)
}

type decodedEntry struct {
	key string
	decodedValue
}

type decodedValue struct {
	v  any
	ok bool
}

// positionSet is a set of attribute positions: the first 128 inline, any beyond in overflow.
type positionSet struct {
	low      [2]uint64
	overflow []uint64
}

func (s *positionSet) word(i int, grow bool) *uint64 {
	if i < 128 {
		return &s.low[i/64]
	}
	w := (i - 128) / 64
	if w >= len(s.overflow) {
		if !grow {
			return nil
		}
		s.overflow = append(s.overflow, make([]uint64, w+1-len(s.overflow))...)
	}
	return &s.overflow[w]
}

func (s *positionSet) set(i int, on bool) {
	w := s.word(i, on)
	switch {
	case w == nil:
	case on:
		*w |= 1 << (i % 64)
	default:
		*w &^= 1 << (i % 64)
	}
}

func (s *positionSet) has(i int) bool {
	w := s.word(i, false)
	return w != nil && *w&(1<<(i%64)) != 0
}

func (s *positionSet) len() int {
	n := bits.OnesCount64(s.low[0]) + bits.OnesCount64(s.low[1])
	for _, w := range s.overflow {
		n += bits.OnesCount64(w)
	}
	return n
}

func (m *Mapper) newAttrView(attrs pcommon.Map, p *problems) *attrView {
	return &attrView{m: m, attrs: attrs, p: p}
}

// mark sets or clears every position holding key.
func (a *attrView) mark(key string, on bool) {
	i := 0
	for k := range a.attrs.All() {
		if k == key {
			a.used.set(i, on)
		}
		i++
	}
}

func (a *attrView) consume(key string) { a.mark(key, true) }

// release undoes consume for a value that turned out to be unusable, so it stays in attributes.
func (a *attrView) release(key string) { a.mark(key, false) }

func (a *attrView) has(key string) bool {
	_, ok := a.get(key)
	return ok
}

// str returns a scalar attribute as a string and consumes it. Maps and slices are not strings:
// they are left in the attributes and count as malformed.
func (a *attrView) str(key string) (string, bool) {
	v, ok := a.get(key)
	if !ok {
		return "", false
	}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		a.consume(key)
		return a.m.cleanString(v.Str(), a.p), true
	case pcommon.ValueTypeInt, pcommon.ValueTypeDouble, pcommon.ValueTypeBool:
		a.consume(key)
		return v.AsString(), true
	case pcommon.ValueTypeEmpty:
		return "", false
	default:
		a.p.malformed = true
		return "", false
	}
}

// firstStr returns the first present key's string value, consuming only that key.
func (a *attrView) firstStr(keys ...string) string {
	for _, k := range keys {
		if s, ok := a.str(k); ok && s != "" {
			return s
		}
	}
	return ""
}

// count reads a non-negative integer (ints, whole doubles and numeric strings are accepted).
func (a *attrView) count(key string) (int64, bool) {
	v, ok := a.get(key)
	if !ok {
		return 0, false
	}
	var n int64
	if v.Type() == pcommon.ValueTypeInt { // the usual form, read without boxing it into an any
		n, ok = v.Int(), v.Int() >= 0
	} else {
		n, ok = asInt(rawValue(v, maxDepth))
	}
	if !ok {
		a.p.malformed = true
		return 0, false
	}
	a.consume(key)
	return n, true
}

// number reads a finite non-negative float (numbers or numeric strings).
func (a *attrView) number(key string) (float64, bool) {
	v, ok := a.get(key)
	if !ok {
		return 0, false
	}
	var f float64
	switch v.Type() { // the usual forms, read without boxing them into an any
	case pcommon.ValueTypeInt:
		f, ok = float64(v.Int()), true
	case pcommon.ValueTypeDouble:
		f = v.Double()
		ok = !math.IsNaN(f) && !math.IsInf(f, 0)
	default:
		f, ok = asFloat(rawValue(v, maxDepth))
	}
	if !ok || f < 0 {
		a.p.malformed = true
		return 0, false
	}
	a.consume(key)
	return f, true
}

// structured returns an attribute that carries a document: an AnyValue map/slice as is, a string
// decoded as JSON when it is JSON. isJSON is false for a plain (non-JSON) string, which is returned
// as a string. The result is raw (uncleaned); copy pieces into records with cleanPlain.
func (a *attrView) structured(key string) (v any, present bool, isJSON bool) {
	v, present, isJSON = a.peekStructured(key)
	if present {
		a.consume(key)
	}
	return v, present, isJSON
}

// peekStructured is structured without consuming the attribute.
func (a *attrView) peekStructured(key string) (v any, present bool, isJSON bool) {
	for _, d := range a.decoded {
		if d.key == key {
			return d.v, true, d.ok
		}
	}
	val, ok := a.get(key)
	if !ok {
		return nil, false, false
	}
	var d decodedValue
	switch val.Type() {
	case pcommon.ValueTypeStr:
		if j, ok := decodeJSON(val.Str()); ok {
			d = decodedValue{v: j, ok: true}
		} else {
			d = decodedValue{v: val.Str()}
		}
	case pcommon.ValueTypeMap, pcommon.ValueTypeSlice:
		d = decodedValue{v: rawValue(val, 0), ok: true}
	default:
		d = decodedValue{v: rawValue(val, 0)}
	}
	if a.decoded == nil {
		a.decoded = a.decodedBuf[:0]
	}
	a.decoded = append(a.decoded, decodedEntry{key, d})
	return d.v, true, d.ok
}

// member returns the value at a dotted path inside an attribute's JSON document and consumes the
// attribute only when the path is there.
func (a *attrView) member(key, path string) (any, bool) {
	v, present, _ := a.peekStructured(key)
	if !present {
		return nil, false
	}
	for seg := range strings.SplitSeq(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[seg]; !ok {
			return nil, false
		}
	}
	a.consume(key)
	return v, true
}

// document is structured for attributes that must hold JSON: a string that is not JSON is kept as
// text and counts as malformed.
func (a *attrView) document(key string) (any, bool) {
	v, present, isJSON := a.structured(key)
	if present && !isJSON {
		a.p.malformed = true
	}
	return v, present
}

// group collects every attribute under prefix (e.g. "llm.input_messages.") into a nested value:
// dotted segments become map keys and maps whose keys are all numbers become slices ordered by
// number. All collected keys are consumed. It returns nil when no key has the prefix.
func (a *attrView) group(prefix string) any {
	var root map[string]any
	pos := -1
	for k, v := range a.attrs.All() {
		pos++
		if !strings.HasPrefix(k, prefix) || len(k) == len(prefix) {
			continue
		}
		if root == nil {
			root = map[string]any{}
		}
		a.used.set(pos, true) // every position with this key has the prefix and is visited here
		segs := strings.Split(k[len(prefix):], ".")
		if len(segs) > maxDepth {
			a.p.malformed = true
			continue
		}
		node := root
		for i, s := range segs {
			if i == len(segs)-1 {
				if _, exists := node[s]; exists {
					a.p.malformed = true
					break
				}
				node[s] = rawValue(v, i)
				break
			}
			next, ok := node[s].(map[string]any)
			if !ok {
				if _, exists := node[s]; exists {
					a.p.malformed = true
					break
				}
				next = map[string]any{}
				node[s] = next
			}
			node = next
		}
	}
	if root == nil {
		return nil
	}
	return numberedToSlices(root)
}

// numberedToSlices turns maps keyed "0","1",… into slices ordered by number; sparse or huge
// indexes never allocate more than the number of keys present.
func numberedToSlices(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	numeric := len(m) > 0
	for k, e := range m {
		m[k] = numberedToSlices(e)
		if _, err := strconv.ParseUint(k, 10, 32); err != nil {
			numeric = false
		}
	}
	if !numeric {
		return m
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		x, _ := strconv.ParseUint(keys[i], 10, 32)
		y, _ := strconv.ParseUint(keys[j], 10, 32)
		return x < y
	})
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

// remaining returns the attributes the mapping did not consume, as plain Go values.
func (a *attrView) remaining() map[string]any {
	var out map[string]any
	pos := -1
	for k, v := range a.attrs.All() {
		pos++
		if a.used.has(pos) {
			continue
		}
		if out == nil {
			out = make(map[string]any, a.attrs.Len()-a.used.len())
		}
		out[a.m.cleanString(k, a.p)] = a.m.plainValue(v, 0, a.p)
	}
	return out
}

// aliasValue reads a structured alias: the attribute, or a member of its document.
func (a *attrView) aliasValue(al alias) (any, bool) {
	if al.member == "" {
		return a.structuredPresent(al.key)
	}
	return a.member(al.key, al.member)
}

// scalar reports whether the alias's value is a scalar (a string, number or bool).
func (a *attrView) scalar(al alias) bool {
	if al.member != "" {
		v, ok, _ := a.peekStructured(al.key)
		if !ok {
			return false
		}
		for seg := range strings.SplitSeq(al.member, ".") {
			m, isMap := v.(map[string]any)
			if !isMap {
				return false
			}
			if v, ok = m[seg]; !ok {
				return false
			}
		}
		_, isScalar := asString(v)
		return isScalar
	}
	v, ok := a.get(al.key)
	if !ok {
		return false
	}
	switch v.Type() {
	case pcommon.ValueTypeStr, pcommon.ValueTypeInt, pcommon.ValueTypeDouble, pcommon.ValueTypeBool:
		return true
	}
	return false
}

// scalarList reads an attribute that is an AnyValue slice as the strings of its scalar elements,
// appended to dst, as asString of the elements of structured's []any would (maps, slices and
// empty values are left out), without boxing each element into an any. ok is false for any other
// value, which the caller reads the structured way.
func (a *attrView) scalarList(key string, dst []string) ([]string, bool) {
	for _, d := range a.decoded {
		if d.key == key {
			return nil, false
		}
	}
	v, ok := a.get(key)
	if !ok || v.Type() != pcommon.ValueTypeSlice {
		return nil, false
	}
	s := v.Slice()
	if cap(dst) == 0 && s.Len() > 0 {
		dst = make([]string, 0, s.Len())
	}
	for i := range s.Len() {
		e := s.At(i)
		switch e.Type() {
		case pcommon.ValueTypeStr:
			dst = append(dst, e.Str())
		case pcommon.ValueTypeInt:
			dst = append(dst, strconv.FormatInt(e.Int(), 10))
		case pcommon.ValueTypeDouble:
			dst = append(dst, strconv.FormatFloat(e.Double(), 'f', -1, 64))
		case pcommon.ValueTypeBool:
			dst = append(dst, strconv.FormatBool(e.Bool()))
		case pcommon.ValueTypeBytes:
			dst = append(dst, base64.StdEncoding.EncodeToString(e.Bytes().AsRaw()))
		}
	}
	a.consume(key)
	return dst, true
}
