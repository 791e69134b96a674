package auditrecord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
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
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(len(raw))
	if err := writeCanonical(&buf, doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// MarshalRecord encodes a record canonically, the form stores write as one JSONL line. Record's
// fields are declared in canonical order and map keys are sorted, so one encoding pass gives the
// canonical form (the same bytes CanonicalizeJSON would produce, which tests assert).
func MarshalRecord(r *Record) ([]byte, error) { return AppendRecord(nil, r) }

// ContentHashInput is the canonical encoding of r without its integrity field: what the chain hashes.
func ContentHashInput(r *Record) ([]byte, error) {
	c := *r
	c.Integrity = nil
	return AppendRecord(nil, &c)
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

func writeCanonical(buf *bytes.Buffer, v any) error {
	switch t := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(t))
	case json.Number:
		return writeNumber(buf, t)
	case string:
		s, err := marshalNoEscape(t)
		if err != nil {
			return err
		}
		buf.Write(s)
	case []any:
		buf.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeCanonical(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			ks, err := marshalNoEscape(k)
			if err != nil {
				return err
			}
			buf.Write(ks)
			buf.WriteByte(':')
			if err := writeCanonical(buf, t[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return fmt.Errorf("canonical json: unexpected %T", v)
	}
	return nil
}

// writeNumber keeps integers exact and writes other numbers in the shortest float64 form.
func writeNumber(buf *bytes.Buffer, n json.Number) error {
	if _, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		buf.WriteString(string(n))
		return nil
	}
	if _, err := strconv.ParseUint(string(n), 10, 64); err == nil {
		buf.WriteString(string(n))
		return nil
	}
	f, err := n.Float64()
	if err != nil {
		return err
	}
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}
