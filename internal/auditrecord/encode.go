package auditrecord

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// The record encoder writes a Record without reflection. Every record a store writes passes through
// it, and encoding/json's reflection was the largest single cost of a gateway's export path. Its
// output is byte for byte what encoding/json writes with HTML escaping off (fields in declaration
// order, map keys sorted), so the canonical form and every stored hash are unchanged; the
// equivalence tests and FuzzEncoderMatchesEncodingJSON guard that, including for fields added later.

// maxValueNesting bounds recursion into attribute values; encoding/json fails on cycles, and so
// must this encoder rather than overflow the stack.
const maxValueNesting = 1000

type encoder struct {
	b     []byte
	first bool // no member written yet in the innermost open object
	// integrityStart/End locate `"integrity":{…},` once written (end is set by the next key).
	integrityStart, integrityEnd int
	markNext                     bool
}

// AppendRecord appends the canonical JSON encoding of r to dst.
func AppendRecord(dst []byte, r *Record) ([]byte, error) {
	e := encoder{b: dst}
	err := e.record(r)
	return e.b, err
}

// AppendRecordMarkingIntegrity is AppendRecord for chain writers: it also returns where the
// integrity field, with its trailing comma, lies in the appended bytes, so the writer can hash the
// record without it and then write the hash in place. start == end when r has no integrity.
func AppendRecordMarkingIntegrity(dst []byte, r *Record) (out []byte, start, end int, err error) {
	e := encoder{b: dst}
	err = e.record(r)
	if r.Integrity == nil {
		return e.b, 0, 0, err
	}
	return e.b, e.integrityStart, e.integrityEnd, err
}

func (e *encoder) record(r *Record) error {
	e.open()
	if r.Access != nil {
		e.key("access")
		e.open()
		e.str("command", r.Access.Command)
		e.int("records", int64(r.Access.Records))
		e.strOmit("role", r.Access.Role)
		e.strOmit("target", r.Access.Target)
		e.str("viewer", r.Access.Viewer)
		e.close()
	}
	if r.Agent != nil {
		e.key("agent")
		e.open()
		e.strOmit("id", r.Agent.ID)
		e.strOmit("name", r.Agent.Name)
		e.strOmit("version", r.Agent.Version)
		e.close()
	}
	if r.AgentRun != nil {
		e.key("agent_run")
		e.open()
		if err := e.floatOmit("duration_ms", r.AgentRun.DurationMS); err != nil {
			return err
		}
		e.strOmit("operation", r.AgentRun.Operation)
		e.str("status", r.AgentRun.Status)
		e.close()
	}
	if len(r.Attributes) > 0 {
		e.key("attributes")
		if err := e.object(r.Attributes, 0); err != nil {
			return err
		}
	}
	e.strOmit("conversation_id", r.ConversationID)
	if r.Erasure != nil {
		e.key("erasure")
		e.open()
		if len(r.Erasure.Objects) > 0 {
			e.key("objects")
			e.strings(r.Erasure.Objects)
		}
		e.int("records", int64(r.Erasure.Records))
		e.str("requester", r.Erasure.Requester)
		e.str("subject", r.Erasure.Subject)
		if len(r.Erasure.Traces) > 0 {
			e.key("traces")
			e.strings(r.Erasure.Traces)
		}
		e.close()
	}
	if r.Error != nil {
		e.key("error")
		e.open()
		e.strOmit("message", r.Error.Message)
		if len(r.Error.PropagatedTo) > 0 {
			e.key("propagated_to")
			e.strings(r.Error.PropagatedTo)
		}
		e.strOmit("recovery_action", r.Error.RecoveryAction)
		e.strOmit("related_record_id", r.Error.RelatedRecordID)
		e.strOmit("stack_trace", r.Error.StackTrace)
		e.strOmit("tool_name", r.Error.ToolName)
		e.str("type", r.Error.Type)
		e.close()
	}
	if r.Input != nil {
		e.key("input")
		e.open()
		e.str("content", r.Input.Content)
		if len(r.Input.Metadata) > 0 {
			e.key("metadata")
			if err := e.object(r.Input.Metadata, 0); err != nil {
				return err
			}
		}
		e.strOmit("role", r.Input.Role)
		e.strOmit("source", r.Input.Source)
		e.close()
	}
	if r.Integrity != nil {
		e.key("integrity")
		e.integrityStart = len(e.b) - len(`"integrity":`)
		e.open()
		e.str("hash", r.Integrity.Hash)
		e.str("prev_hash", r.Integrity.PrevHash)
		e.key("seq")
		e.b = strconv.AppendUint(e.b, r.Integrity.Seq, 10)
		e.str("stream", r.Integrity.Stream)
		e.close()
		e.markNext = true
	}
	if r.LLMCall != nil {
		c := r.LLMCall
		e.key("llm_call")
		e.open()
		if err := e.floatOmit("cost", c.Cost); err != nil {
			return err
		}
		e.strOmit("cost_source", c.CostSource)
		if err := e.floatOmit("duration_ms", c.DurationMS); err != nil {
			return err
		}
		e.strOmit("model", c.Model)
		e.strOmit("operation", c.Operation)
		e.strOmit("provider", c.Provider)
		e.str("status", c.Status)
		e.tokens(c.Tokens)
		e.close()
	}
	if err := e.time("observed_timestamp", r.ObservedTimestamp); err != nil {
		return err
	}
	if r.Output != nil {
		o := r.Output
		e.key("output")
		e.open()
		e.str("content", o.Content)
		if err := e.floatOmit("cost", o.Cost); err != nil {
			return err
		}
		e.strOmit("cost_source", o.CostSource)
		e.strOmit("finish_reason", o.FinishReason)
		e.strOmit("model", o.Model)
		e.strOmit("provider", o.Provider)
		e.tokens(o.Tokens)
		e.close()
	}
	e.strOmit("parent_span_id", r.ParentSpanID)
	if r.Reasoning != nil {
		e.key("reasoning")
		e.open()
		if err := e.floatOmit("confidence", r.Reasoning.Confidence); err != nil {
			return err
		}
		if len(r.Reasoning.Plan) > 0 {
			e.key("plan")
			e.strings(r.Reasoning.Plan)
		}
		e.strOmit("thought", r.Reasoning.Thought)
		e.close()
	}
	e.str("record_id", r.RecordID)
	e.str("schema_version", r.SchemaVersion)
	if r.Service != nil {
		e.key("service")
		e.open()
		e.strOmit("instance", r.Service.Instance)
		e.strOmit("name", r.Service.Name)
		e.strOmit("version", r.Service.Version)
		e.close()
	}
	e.strOmit("session_id", r.SessionID)
	if r.Source != nil {
		e.key("source")
		e.open()
		e.strOmit("convention", r.Source.Convention)
		e.strOmit("name", r.Source.Name)
		e.strOmit("scope", r.Source.Scope)
		e.str("signal", r.Source.Signal)
		e.close()
	}
	e.strOmit("span_id", r.SpanID)
	if err := e.time("timestamp", r.Timestamp); err != nil {
		return err
	}
	if r.Tombstone != nil {
		e.key("tombstone")
		e.open()
		if err := e.time("erased_at", r.Tombstone.ErasedAt); err != nil {
			return err
		}
		e.strOmit("erasure_id", r.Tombstone.ErasureID)
		e.str("original_type", string(r.Tombstone.OriginalType))
		e.close()
	}
	if r.ToolCall != nil {
		t := r.ToolCall
		e.key("tool_call")
		e.open()
		e.strOmit("call_id", t.CallID)
		if err := e.floatOmit("duration_ms", t.DurationMS); err != nil {
			return err
		}
		if t.Parameters != nil {
			e.key("parameters")
			if err := e.value(t.Parameters, 0); err != nil {
				return err
			}
		}
		if t.Result != nil {
			e.key("result")
			if err := e.value(t.Result, 0); err != nil {
				return err
			}
		}
		e.str("status", t.Status)
		e.str("tool_name", t.ToolName)
		e.close()
	}
	e.strOmit("trace_id", r.TraceID)
	e.str("type", string(r.Type))
	e.strOmit("user_id", r.UserID)
	e.close()
	return nil
}

func (e *encoder) tokens(t *Tokens) {
	if t == nil {
		return
	}
	e.key("tokens")
	e.open()
	for _, f := range [...]struct {
		name string
		n    *int64
	}{{"input", t.Input}, {"output", t.Output}, {"total", t.Total}} {
		if f.n != nil {
			e.int(f.name, *f.n)
		}
	}
	e.close()
}

func (e *encoder) open() {
	e.b = append(e.b, '{')
	e.first = true
}

func (e *encoder) close() {
	e.b = append(e.b, '}')
	e.first = false
}

// key writes a member name, which must be plain ASCII needing no escapes (the field names above).
func (e *encoder) key(k string) {
	if !e.first {
		e.b = append(e.b, ',')
	}
	if e.markNext {
		e.integrityEnd, e.markNext = len(e.b), false
	}
	e.first = false
	e.b = append(e.b, '"')
	e.b = append(e.b, k...)
	e.b = append(e.b, '"', ':')
}

func (e *encoder) str(k, v string) {
	e.key(k)
	e.b = AppendString(e.b, v)
}

func (e *encoder) strOmit(k, v string) {
	if v != "" {
		e.str(k, v)
	}
}

func (e *encoder) int(k string, v int64) {
	e.key(k)
	e.b = strconv.AppendInt(e.b, v, 10)
}

func (e *encoder) floatOmit(k string, v *float64) error {
	if v == nil {
		return nil
	}
	e.key(k)
	var err error
	e.b, err = appendFloat(e.b, *v)
	return err
}

func (e *encoder) time(k string, t time.Time) error {
	e.key(k)
	e.b = append(e.b, '"')
	var err error
	if e.b, err = t.AppendText(e.b); err != nil {
		return errors.New("json: " + k + ": " + err.Error())
	}
	e.b = append(e.b, '"')
	return nil
}

func (e *encoder) strings(list []string) {
	e.b = append(e.b, '[')
	for i, s := range list {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = AppendString(e.b, s)
	}
	e.b = append(e.b, ']')
}

// AppendValue appends the JSON encoding of an attribute value (what the mapping produces, or
// what jsonvalue.Parse yields) to dst, as a record's attributes are written: encoding/json's bytes
// with HTML escaping off, map keys sorted, without its reflection.
func AppendValue(dst []byte, v any) ([]byte, error) {
	e := encoder{b: dst}
	err := e.value(v, 0)
	return e.b, err
}

// value writes an attribute value: the plain Go values the mapping produces (string, int64, float64,
// bool, nil, []any, map[string]any). Anything else goes through encoding/json, so the result is
// the same either way.
func (e *encoder) value(v any, depth int) error {
	if depth > maxValueNesting {
		return errors.New("json: attribute values nested too deeply (a cycle?)")
	}
	switch t := v.(type) {
	case nil:
		e.b = append(e.b, "null"...)
	case string:
		e.b = AppendString(e.b, t)
	case bool:
		e.b = strconv.AppendBool(e.b, t)
	case int64:
		e.b = strconv.AppendInt(e.b, t, 10)
	case int:
		e.b = strconv.AppendInt(e.b, int64(t), 10)
	case float64:
		var err error
		if e.b, err = appendFloat(e.b, t); err != nil {
			return err
		}
	case []any:
		if t == nil {
			e.b = append(e.b, "null"...)
			return nil
		}
		e.b = append(e.b, '[')
		for i, x := range t {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			if err := e.value(x, depth+1); err != nil {
				return err
			}
		}
		e.b = append(e.b, ']')
	case map[string]any:
		return e.object(t, depth)
	default:
		raw, err := marshalNoEscape(v)
		if err != nil {
			return err
		}
		e.b = append(e.b, raw...)
	}
	return nil
}

func (e *encoder) object(m map[string]any, depth int) error {
	if m == nil {
		e.b = append(e.b, "null"...)
		return nil
	}
	var small [16]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.b = append(e.b, '{')
	for i, k := range keys {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = AppendString(e.b, k)
		e.b = append(e.b, ':')
		if err := e.value(m[k], depth+1); err != nil {
			return err
		}
	}
	e.b = append(e.b, '}')
	return nil
}

// appendFloat writes f as encoding/json does (ECMAScript number formatting); NaN and ±Inf have no
// JSON form.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, errors.New("json: unsupported value: " + strconv.FormatFloat(f, 'g', -1, 64))
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 → e-9, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

const hexDigits = "0123456789abcdef"

// escapeIn8 reports whether the 8 bytes packed little-endian in x hold a byte that is not plain
// ASCII needing no escape: a control character, '"', '\\' or a non-ASCII byte (bit tricks on one
// 64-bit word; it stays small enough to inline, so the scan below costs no call per word).
func escapeIn8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote, backslash := x^('"'*ones), x^('\\'*ones)
	return (x|(x-0x20*ones)&^x|(quote-ones)&^quote|(backslash-ones)&^backslash)&highs != 0
}

// AppendString appends s quoted as every stored record quotes its strings (encoding/json with
// HTML escaping off): `"` and `\` escaped, control characters as \b \f \n \r \t or \u00XX, invalid
// UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Skip eight plain ASCII bytes at a time: most record text needs no escaping.
		for ; i+8 <= len(s); i += 8 {
			w := s[i : i+8] // of known length: the loads below need no bounds checks
			if escapeIn8(uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
				uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56) {
				break
			}
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
