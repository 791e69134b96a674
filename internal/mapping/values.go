package mapping

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/agentaudit/otelcol-agentaudit/internal/jsonvalue"
)

// maxDepth bounds how deep nested maps and slices are copied into a record. Deeper levels are
// replaced by depthMarker so a hostile attribute cannot blow the stack or the store.
const maxDepth = 32

const depthMarker = "[agentaudit: nesting deeper than 32 levels removed]"

// problems collects what went wrong while mapping one span or log; it turns into Stats.Malformed and
// Stats.Truncated once per source, however many fields were affected.
type problems struct {
	malformed bool
	truncated bool
}

// cleanString makes s valid UTF-8 and bounds its length.
func (m *Mapper) cleanString(s string, p *problems) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
		p.malformed = true
	}
	if len(s) > m.maxContent {
		cut := m.maxContent
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…[agentaudit: truncated " + strconv.Itoa(len(s)-cut) + " of " + strconv.Itoa(len(s)) + " bytes]"
		p.truncated = true
		p.malformed = true
	}
	return s
}

// plainValue converts a pdata value to a plain Go value (string, int64, float64, bool, []any,
// map[string]any, nil), cleaning strings, encoding bytes as base64 and bounding depth.
func (m *Mapper) plainValue(v pcommon.Value, depth int, p *problems) any {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return m.cleanString(v.Str(), p)
	case pcommon.ValueTypeInt:
		return v.Int()
	case pcommon.ValueTypeDouble:
		return finiteOrString(v.Double())
	case pcommon.ValueTypeBool:
		return v.Bool()
	case pcommon.ValueTypeBytes:
		return m.cleanString(base64.StdEncoding.EncodeToString(v.Bytes().AsRaw()), p)
	case pcommon.ValueTypeMap:
		if depth >= maxDepth {
			p.malformed = true
			return depthMarker
		}
		out := make(map[string]any, v.Map().Len())
		for k, e := range v.Map().All() {
			out[m.cleanString(k, p)] = m.plainValue(e, depth+1, p)
		}
		return out
	case pcommon.ValueTypeSlice:
		if depth >= maxDepth {
			p.malformed = true
			return depthMarker
		}
		s := v.Slice()
		out := make([]any, 0, s.Len())
		for i := range s.Len() {
			out = append(out, m.plainValue(s.At(i), depth+1, p))
		}
		return out
	default:
		return nil
	}
}

// finiteOrString keeps JSON encodable: NaN and ±Inf have no JSON form, so they become strings.
func finiteOrString(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return f
}

// cleanPlain walks a value decoded from JSON, cleaning strings, bounding depth and normalising
// numbers so records never hold json.Number. Maps and slices that need no change are returned as
// they are rather than copied; like a record's nested attributes, they are read-only.
func (m *Mapper) cleanPlain(v any, depth int, p *problems) any {
	out, _ := m.cleanPlainShared(v, depth, p)
	return out
}

// cleanPlainShared is cleanPlain reporting whether the result differs from v.
func (m *Mapper) cleanPlainShared(v any, depth int, p *problems) (any, bool) {
	switch t := v.(type) {
	case string:
		c := m.cleanString(t, p)
		return c, c != t // cleanString repairs or truncates, so a change always shows in the text
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i, true
		}
		f, err := t.Float64()
		if err != nil {
			return m.cleanString(string(t), p), true
		}
		return finiteOrString(f), true
	case float64:
		c := finiteOrString(t)
		_, isFloat := c.(float64)
		return c, !isFloat
	case map[string]any:
		if depth >= maxDepth {
			p.malformed = true
			return depthMarker, true
		}
		var out map[string]any // a copy, made at the first change
		for k, e := range t {
			if m.cleanString(k, p) != k {
				return m.copyPlainMap(t, depth, p), true // keys change: rebuild the map the plain way
			}
			c, changed := m.cleanPlainShared(e, depth+1, p)
			if changed {
				if out == nil {
					out = maps.Clone(t)
				}
				out[k] = c
			}
		}
		if out == nil {
			return t, false
		}
		return out, true
	case []any:
		if depth >= maxDepth {
			p.malformed = true
			return depthMarker, true
		}
		var out []any // a copy, made at the first change
		for i, e := range t {
			c, changed := m.cleanPlainShared(e, depth+1, p)
			if changed {
				if out == nil {
					out = slices.Clone(t)
				}
				out[i] = c
			}
		}
		if out == nil {
			return t, false
		}
		return out, true
	default:
		return t, false
	}
}

// copyPlainMap is cleanPlain of a map whose keys need cleaning: every key and value is copied.
func (m *Mapper) copyPlainMap(t map[string]any, depth int, p *problems) map[string]any {
	out := make(map[string]any, len(t))
	for k, e := range t {
		out[m.cleanString(k, p)] = m.cleanPlain(e, depth+1, p)
	}
	return out
}

// decodeJSON parses s as JSON with numbers kept exact; ok is false when s is not JSON.
func decodeJSON(s string) (any, bool) {
	s = strings.TrimSpace(s)
	if s == "" || (s[0] != '{' && s[0] != '[' && s[0] != '"') {
		return nil, false
	}
	return jsonvalue.Parse(s)
}

// rawValue is a pdata value as a plain Go value without cleaning, for structure inspection. Depth
// is bounded the same way; cleaning happens when a piece is copied into a record.
func rawValue(v pcommon.Value, depth int) any {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return v.Str()
	case pcommon.ValueTypeInt:
		return v.Int()
	case pcommon.ValueTypeDouble:
		return v.Double()
	case pcommon.ValueTypeBool:
		return v.Bool()
	case pcommon.ValueTypeBytes:
		return base64.StdEncoding.EncodeToString(v.Bytes().AsRaw())
	case pcommon.ValueTypeMap:
		if depth >= maxDepth {
			return depthMarker
		}
		out := make(map[string]any, v.Map().Len())
		for k, e := range v.Map().All() {
			out[k] = rawValue(e, depth+1)
		}
		return out
	case pcommon.ValueTypeSlice:
		if depth >= maxDepth {
			return depthMarker
		}
		s := v.Slice()
		out := make([]any, 0, s.Len())
		for i := range s.Len() {
			out = append(out, rawValue(s.At(i), depth+1))
		}
		return out
	default:
		return nil
	}
}

// asString returns the string form of a scalar plain value.
func asString(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return string(t), true
	case int64:
		return strconv.FormatInt(t, 10), true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

// asInt reads a non-negative count from an int, a float with no fraction, or a numeric string.
func asInt(v any) (int64, bool) {
	var n int64
	switch t := v.(type) {
	case int64:
		n = t
	case float64:
		if t != math.Trunc(t) || math.IsInf(t, 0) || math.IsNaN(t) || math.Abs(t) > 1<<53 {
			return 0, false
		}
		n = int64(t)
	case json.Number:
		return asInt(string(t))
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(strings.TrimSpace(t), 64)
			if ferr != nil {
				return 0, false
			}
			return asInt(f)
		}
		n = i
	default:
		return 0, false
	}
	if n < 0 {
		return 0, false
	}
	return n, true
}

// asFloat reads a finite number from a number or numeric string.
func asFloat(v any) (float64, bool) {
	var f float64
	switch t := v.(type) {
	case int64:
		f = float64(t)
	case float64:
		f = t
	case json.Number:
		return asFloat(string(t))
	case string:
		p, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		if err != nil {
			return 0, false
		}
		f = p
	default:
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}
