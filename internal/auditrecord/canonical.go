package auditrecord

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/agentaudit/otelcol-agentaudit/internal/jsonvalue"
)

// Canonical returns the canonical JSON encoding of v: UTF-8, object keys sorted at every level, no
// insignificant white space, no HTML escaping, numbers as Go/ECMAScript shortest form. The integrity
// chain hashes this form, so any verifier that sorts keys the same way reproduces the hash.
func Canonical(v any) ([]byte, error) {
	raw, err := marshalNoEscape(v)
	if err != nil {
		return nil, err
	}
	return CanonicalizeJSON(raw)
}

// CanonicalizeJSON re-encodes a JSON document in canonical form.
func CanonicalizeJSON(raw []byte) ([]byte, error) {
	doc, ok := jsonvalue.Parse(string(raw))
	if !ok {
		return nil, errors.New("canonical json: not a JSON document")
	}
	return AppendCanonicalValue(make([]byte, 0, len(raw)), doc)
}

// MarshalRecord encodes a record canonically, the form stores write as one JSONL line. Record's
// fields are declared in canonical order and map keys are sorted, so one encoding pass gives the
// canonical form (the same bytes CanonicalizeJSON would produce, which tests assert).
// The buffer starts at recordBufSize, the size of a typical record's line, rather than growing to
// it through a handful of copies.
func MarshalRecord(r *Record) ([]byte, error) { return AppendRecord(make([]byte, 0, recordBufSize), r) }

// recordBufSize is where MarshalRecord's buffer starts (bytes): most records' lines fit in it.
const recordBufSize = 1024

// ContentHashInput is the canonical encoding of r without its integrity field: what the chain hashes.
func ContentHashInput(r *Record) ([]byte, error) {
	c := *r
	c.Integrity = nil
	return AppendRecord(make([]byte, 0, recordBufSize), &c)
}

func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// AppendCanonicalValue appends the canonical encoding of a parsed JSON value (what jsonvalue.Parse
// or a json.Decoder with UseNumber yields) to b: the same bytes as Canonical of that value,
// without encoding it and parsing it back first.
func AppendCanonicalValue(b []byte, v any) ([]byte, error) {
	var err error
	switch t := v.(type) {
	case nil:
		b = append(b, "null"...)
	case bool:
		b = strconv.AppendBool(b, t)
	case json.Number:
		return appendNumber(b, t)
	case string:
		b = AppendString(b, t)
	case []any:
		b = append(b, '[')
		for i, e := range t {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = AppendCanonicalValue(b, e); err != nil {
				return b, err
			}
		}
		b = append(b, ']')
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendString(b, k)
			b = append(b, ':')
			if b, err = AppendCanonicalValue(b, t[k]); err != nil {
				return b, err
			}
		}
		b = append(b, '}')
	default:
		return b, fmt.Errorf("canonical json: unexpected %T", v)
	}
	return b, nil
}

// appendNumber keeps integers exact and writes other numbers in the shortest float64 form.
func appendNumber(b []byte, n json.Number) ([]byte, error) {
	if _, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return append(b, n...), nil
	}
	if _, err := strconv.ParseUint(string(n), 10, 64); err == nil {
		return append(b, n...), nil
	}
	f, err := n.Float64()
	if err != nil {
		return b, err
	}
	return appendFloat(b, f)
}
