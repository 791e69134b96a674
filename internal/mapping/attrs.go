package mapping

import (
	"maps"
	"sort"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// attrView reads one span's or log's attributes and remembers which ones the mapping consumed, so
// that everything else can be kept in Record.Attributes. Structured values (JSON strings or
// AnyValue maps/slices) are decoded at most once per source.
type attrView struct {
	m       *Mapper
	attrs   pcommon.Map
	used    map[string]struct{}
	decoded map[string]decodedValue
	p       *problems
	// reasoningRead is set once agent.reasoning.* were read: a log is both the event and its attributes.
	reasoningRead bool
	// spanName is the span's name, for dialects that name tools and agents by it.
	spanName string
}

type decodedValue struct {
	v  any
	ok bool
}

func (m *Mapper) newAttrView(attrs pcommon.Map, p *problems) *attrView {
	return &attrView{m: m, attrs: attrs, used: make(map[string]struct{}, 8), p: p}
}

func (a *attrView) consume(key string) { a.used[key] = struct{}{} }

// release undoes consume for a value that turned out to be unusable, so it stays in attributes.
func (a *attrView) release(key string) { delete(a.used, key) }

func (a *attrView) has(key string) bool {
	_, ok := a.attrs.Get(key)
	return ok
}

// str returns a scalar attribute as a string and consumes it. Maps and slices are not strings:
// they are left in the attributes and count as malformed.
func (a *attrView) str(key string) (string, bool) {
	v, ok := a.attrs.Get(key)
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
	v, ok := a.attrs.Get(key)
	if !ok {
		return 0, false
	}
	n, ok := asInt(rawValue(v, maxDepth))
	if !ok {
		a.p.malformed = true
		return 0, false
	}
	a.consume(key)
	return n, true
}

// number reads a finite non-negative float (numbers or numeric strings).
func (a *attrView) number(key string) (float64, bool) {
	v, ok := a.attrs.Get(key)
	if !ok {
		return 0, false
	}
	f, ok := asFloat(rawValue(v, maxDepth))
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
	if d, ok := a.decoded[key]; ok {
		return d.v, true, d.ok
	}
	val, ok := a.attrs.Get(key)
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
		a.decoded = make(map[string]decodedValue, 4)
	}
	a.decoded[key] = d
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
	for k, v := range a.attrs.All() {
		if !strings.HasPrefix(k, prefix) || len(k) == len(prefix) {
			continue
		}
		if root == nil {
			root = map[string]any{}
		}
		a.consume(k)
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
	for k, v := range a.attrs.All() {
		if _, used := a.used[k]; used {
			continue
		}
		if out == nil {
			out = make(map[string]any, a.attrs.Len()-len(a.used))
		}
		out[a.m.cleanString(k, a.p)] = a.m.plainValue(v, 0, a.p)
	}
	return out
}

// cloneAttrs gives each record its own top-level attribute map; nested values are shared and must
// be treated as read-only.
func cloneAttrs(in map[string]any) map[string]any {
	if in == nil {
		return nil
	}
	return maps.Clone(in)
}
