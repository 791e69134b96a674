package mapping

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Log records through the dialect tables. An application that logs its agent's events (a JSON line
// per event through its logging library, forwarded over OTLP) names no GenAI event: a log dialect
// recognises such a record by the document it carries and maps that document's members with the
// same alias tables spans use. The document is the log's attributes together with the members of
// its body: an OTLP map body, or a string body holding a JSON object; any other body is the member
// "body". A dialect's aliases are keys of that document (or member paths inside one).

// logEvent is what one application log record reports.
type logEvent uint8

const (
	logNone logEvent = iota
	logInput
	logReasoning
	logTool
	logOutput
	logError
)

// logEventNames are the events' names in docs and in Source.name when the record names none.
var logEventNames = [...]string{"", "input", "reasoning", "tool_call", "output", "error"}

// logEventSet is a set of log events; zero means all.
type logEventSet = smallSet[logEvent]

func logEvents(es ...logEvent) logEventSet { return setOf(es...) }

// logRules is how a log dialect recognises a record and which event it is.
type logRules struct {
	// typeKeys are the members whose value names the event, tried in order; values are compared
	// after normaliseEventType. A key with needsIdentity counts only on a record that also names a
	// session or user (a bare log message that happens to read "output" is not an agent event).
	typeKeys []typeKey
	types    map[string]logEvent
	// objects are nested event objects ({"tool_call": {…}}) recognised when no member names a
	// type: the object's members join the document (those clashing with a top-level member or a
	// type key as "<object>.<member>"), and so do those of its inner objects named in flatten.
	objects []logObject
	flatten []string
	// match, when set, recognises the record instead: every member path has the value (user-defined
	// mappings); event is then the event.
	match []logMatch
	event logEvent
	// errorLogs: a record at ERROR or FATAL with one of these members, inside a session, is an error.
	errorLogs []string
	// timeKeys give the event time when the log record has none (ISO 8601, or epoch s/ms/µs/ns).
	timeKeys []string
	// sessionKeys and userKeys are read after the shared precedence table (identity.go) found none;
	// sessionAliases and userAliases (member paths of user-defined mappings) after them.
	sessionKeys, userKeys       []identityKey
	sessionAliases, userAliases []alias
}

type typeKey struct {
	key           string
	needsIdentity bool
}

type logObject struct {
	name  string
	event logEvent
}

// logMatch is one condition of a user-defined mapping: the member at path equals value.
type logMatch struct{ path, value string }

// logDialects are tried in order on every log record that names no GenAI event.
var logDialects = []*dialect{agentLog}

// normaliseEventType lowercases an event type and turns separators into "_" ("Tool-Call", "tool.call"
// and "TOOL CALL" all read "tool_call").
func normaliseEventType(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '.' || r == ' ' || r == '/' {
			return '_'
		}
		return r
	}, s)
}

// logDocument is the record's document: attributes, then the body's members (a body member whose
// key an attribute already has is kept as "body.<key>").
func (m *Mapper) logDocument(lr plog.LogRecord, p *problems) pcommon.Map {
	doc := pcommon.NewMap()
	lr.Attributes().CopyTo(doc)
	put := func(k string, v any) {
		if _, clash := doc.Get(k); clash {
			k = "body." + k
		}
		putRaw(doc.PutEmpty(k), v, 0, p)
	}
	body := lr.Body()
	switch body.Type() {
	case pcommon.ValueTypeEmpty:
	case pcommon.ValueTypeMap:
		for k, v := range body.Map().All() {
			if _, clash := doc.Get(k); clash {
				k = "body." + k
			}
			v.CopyTo(doc.PutEmpty(k))
		}
	case pcommon.ValueTypeStr:
		prefix, obj := jsonObjectIn(body.Str())
		if obj == nil {
			put("body", body.Str())
			break
		}
		for k, v := range obj {
			put(k, v)
		}
		if prefix != "" {
			put("log.prefix", prefix)
		}
	default:
		body.CopyTo(doc.PutEmpty("body"))
	}
	return doc
}

// jsonObjectIn finds the JSON object a text body carries: the whole body, or what follows a
// formatter's prefix ("INFO:agent:{…}" from logging.basicConfig, "2026-01-15 10:00:00 INFO {…}").
func jsonObjectIn(s string) (prefix string, obj map[string]any) {
	if j, ok := decodeJSON(s); ok {
		obj, _ = j.(map[string]any)
		return "", obj
	}
	t := strings.TrimSpace(s)
	i := strings.IndexByte(t, '{')
	if i <= 0 || !strings.HasSuffix(t, "}") {
		return "", nil
	}
	if j, ok := decodeJSON(t[i:]); ok {
		if obj, _ = j.(map[string]any); obj != nil {
			return strings.TrimSpace(t[:i]), obj
		}
	}
	return "", nil
}

// putRaw stores a decoded JSON value in a pdata value; numbers stay integers when they are ones.
func putRaw(dst pcommon.Value, v any, depth int, p *problems) {
	if depth >= maxDepth {
		p.malformed = true
		dst.SetStr(depthMarker)
		return
	}
	switch t := v.(type) {
	case string:
		dst.SetStr(t)
	case json.Number:
		if i, err := t.Int64(); err == nil {
			dst.SetInt(i)
		} else if f, err := t.Float64(); err == nil {
			dst.SetDouble(f)
		} else {
			dst.SetStr(string(t))
		}
	case bool:
		dst.SetBool(t)
	case map[string]any:
		mv := dst.SetEmptyMap()
		for k, e := range t {
			putRaw(mv.PutEmpty(k), e, depth+1, p)
		}
	case []any:
		sv := dst.SetEmptySlice()
		for _, e := range t {
			putRaw(sv.AppendEmpty(), e, depth+1, p)
		}
	}
}

// recogniseLog decides whether the document is one of the dialect's events, and which; name is how
// the record names the event and typeKey the member that did (it is no content of the event).
// Nested event objects are merged into the document here.
func (r *logRules) recogniseLog(doc pcommon.Map, severity plog.SeverityNumber) (ev logEvent, name, typeKey string) {
	if r.match != nil {
		for _, c := range r.match {
			v, ok := pathValue(doc, c.path)
			if !ok || v != c.value {
				return logNone, "", ""
			}
		}
		return r.event, logEventNames[r.event], ""
	}
	identified := r.hasIdentity(doc)
	for _, tk := range r.typeKeys {
		v, ok := doc.Get(tk.key)
		if !ok || v.Type() != pcommon.ValueTypeStr || (tk.needsIdentity && !identified) {
			continue
		}
		if ev, ok := r.types[normaliseEventType(v.Str())]; ok {
			return ev, v.Str(), tk.key
		}
	}
	for _, o := range r.objects {
		if v, ok := doc.Get(o.name); ok && v.Type() == pcommon.ValueTypeMap {
			r.hoist(doc, o.name)
			return o.event, o.name, ""
		}
	}
	if severity >= plog.SeverityNumberError && identified {
		for _, k := range r.errorLogs {
			if _, ok := doc.Get(k); ok {
				return logError, logEventNames[logError], ""
			}
		}
	}
	return logNone, "", ""
}

func (r *logRules) hasIdentity(doc pcommon.Map) bool {
	for _, keys := range [][]identityKey{sessionKeys, userKeys, r.sessionKeys, r.userKeys} {
		for _, k := range keys {
			if v, ok := doc.Get(k.key); ok && v.AsString() != "" {
				return true
			}
		}
	}
	return false
}

// hoist moves the members of the event object name (and of its inner objects in flatten) to the
// top of the document.
func (r *logRules) hoist(doc pcommon.Map, name string) {
	obj := pcommon.NewMap()
	v, _ := doc.Get(name)
	v.Map().CopyTo(obj)
	doc.Remove(name)
	for _, inner := range r.flatten {
		if iv, ok := obj.Get(inner); ok && iv.Type() == pcommon.ValueTypeMap {
			nested := pcommon.NewMap()
			iv.Map().CopyTo(nested)
			obj.Remove(inner)
			for k, e := range nested.All() {
				if _, clash := obj.Get(k); !clash {
					e.CopyTo(obj.PutEmpty(k))
				}
			}
		}
	}
	for k, e := range obj.All() {
		key := k
		_, clash := doc.Get(k)
		if clash || r.isTypeKey(k) {
			key = name + "." + k
		}
		e.CopyTo(doc.PutEmpty(key))
	}
}

func (r *logRules) isTypeKey(k string) bool {
	for _, tk := range r.typeKeys {
		if tk.key == k {
			return true
		}
	}
	return false
}

// pathValue is the scalar at a dotted path of the document, as text: a key as it stands first
// ("session.id"), else map members segment by segment.
func pathValue(doc pcommon.Map, path string) (string, bool) {
	if v, ok := doc.Get(path); ok {
		return v.AsString(), v.Type() != pcommon.ValueTypeMap && v.Type() != pcommon.ValueTypeSlice
	}
	head, rest, found := strings.Cut(path, ".")
	for found {
		if v, ok := doc.Get(head); ok && v.Type() == pcommon.ValueTypeMap {
			if s, ok := pathValue(v.Map(), rest); ok {
				return s, true
			}
		}
		var next string
		next, rest, found = strings.Cut(rest, ".")
		head += "." + next
	}
	return "", false
}

// logTime is the event time a document member gives: ISO 8601 (with or without zone; UTC
// assumed) or an epoch number, its unit told by its size.
func logTime(a *attrView, keys []string) time.Time {
	for _, k := range keys {
		v, ok := a.get(k)
		if !ok {
			continue
		}
		var t time.Time
		switch v.Type() {
		case pcommon.ValueTypeStr:
			t = parseLogTime(v.Str())
		case pcommon.ValueTypeInt, pcommon.ValueTypeDouble:
			t = epochTime(v.Double() + float64(v.Int()))
		}
		if !t.IsZero() {
			a.consume(k)
			return t.UTC()
		}
	}
	return time.Time{}
}

var logTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05,999"}

func parseLogTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range logTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return epochTime(f)
	}
	return time.Time{}
}

// epochTime reads seconds, milliseconds, microseconds or nanoseconds since 1970 by magnitude.
func epochTime(f float64) time.Time {
	switch {
	case f <= 0 || f > 1e19:
		return time.Time{}
	case f < 1e11:
		return time.Unix(0, int64(f*1e9))
	case f < 1e14:
		return time.Unix(0, int64(f*1e6))
	case f < 1e17:
		return time.Unix(0, int64(f*1e3))
	}
	return time.Unix(0, int64(f))
}
