package auditrecord

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fill sets every field reachable from v (pointers allocated) to a non-zero value, so a field the
// hand-written encoder forgets shows up as a difference from encoding/json.
func fill(t *testing.T, v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem(), n)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 11, 26, 19, 0, *n, 123456789+*n, time.UTC)))
			return
		}
		for i := range v.NumField() {
			fill(t, v.Field(i), n)
		}
	case reflect.String:
		v.SetString("v" + strings.Repeat("\"\\<\n\u2028é", *n%3) + string(rune('a'+*n%26)))
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n) * -7)
	case reflect.Uint64:
		v.SetUint(math.MaxUint64 - uint64(*n))
	case reflect.Float64:
		v.SetFloat(float64(*n) * 1.25e-7)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String {
			t.Fatalf("fill: no rule for %s", v.Type())
		}
		v.Set(reflect.ValueOf([]string{"b", "a\t"}))
	case reflect.Map, reflect.Interface:
		v.Set(reflect.ValueOf(map[string]any{
			"z": []any{int64(*n), 2.5, 1e21, true, nil, "s", map[string]any{}, []any{}},
			"a": map[string]any{"é": "x", "A": []string{"p"}, "n": json.Number("12.50")},
			"":  false,
		}))
	default:
		t.Fatalf("fill: no rule for %s", v.Kind())
	}
}

// leaves lists every settable non-struct field reachable from v, so each can be zeroed in turn.
func leaves(v reflect.Value, out *[]reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			*out = append(*out, v)
			leaves(v.Elem(), out)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			*out = append(*out, v)
			return
		}
		for i := range v.NumField() {
			leaves(v.Field(i), out)
		}
	default:
		*out = append(*out, v)
	}
}

func assertSameAsEncodingJSON(t *testing.T, r *Record) {
	t.Helper()
	want, wantErr := marshalNoEscape(r)
	got, gotErr := AppendRecord(nil, r)
	if (wantErr != nil) != (gotErr != nil) {
		t.Fatalf("error mismatch: encoding/json %v, encoder %v", wantErr, gotErr)
	}
	if wantErr == nil && !bytes.Equal(got, want) {
		t.Fatalf("encoder differs from encoding/json:\n got %s\nwant %s", got, want)
	}
}

func TestEncoderMatchesEncodingJSONFieldByField(t *testing.T) {
	var full Record
	n := 0
	fill(t, reflect.ValueOf(&full).Elem(), &n)
	assertSameAsEncodingJSON(t, &full)
	assertSameAsEncodingJSON(t, &Record{})

	// Zero each field in turn (nil pointers, empty strings, zero numbers and times, nil maps):
	// omitempty must be honoured exactly where encoding/json honours it.
	var fields []reflect.Value
	leaves(reflect.ValueOf(&full).Elem(), &fields)
	if len(fields) < 60 {
		t.Fatalf("walked only %d fields", len(fields))
	}
	for i := range fields {
		var r Record
		n := 0
		fill(t, reflect.ValueOf(&r).Elem(), &n)
		var again []reflect.Value
		leaves(reflect.ValueOf(&r).Elem(), &again)
		again[i].Set(reflect.Zero(again[i].Type()))
		assertSameAsEncodingJSON(t, &r)
	}
}

func TestEncoderValuesMatchEncodingJSON(t *testing.T) {
	values := []any{
		nil, "", "plain", "\x00\x1f\x7f\b\f\r\t", "\xff\xfe bad utf8 \xc3", "\u2028\u2029", "<&>", "😀",
		int64(math.MinInt64), int64(math.MaxInt64), 0, -1, uint64(math.MaxUint64), int32(7),
		0.0, math.Copysign(0, -1), 1e-6, 9.99e-7, 1e20, 1e21, 123456789.123456789, math.SmallestNonzeroFloat64, math.MaxFloat64,
		true, []any(nil), map[string]any(nil),
		[]any{},
		map[string]any{"b": 1, "a": []any{nil}},
		json.Number("1e3"),
		[]string{"x"},
		map[string]string{"k": "v"},
		float32(0.1),
	}
	for _, v := range values {
		assertSameAsEncodingJSON(t, &Record{Type: TypeToolCall, ToolCall: &ToolCall{Parameters: v, Result: []any{v}}})
		want, err := marshalNoEscape(v)
		if got, gotErr := AppendValue([]byte("x"), v); err != nil || gotErr != nil || string(got) != "x"+string(want) {
			t.Errorf("AppendValue(%#v) = %s, %v; encoding/json %s, %v", v, got, gotErr, want, err)
		}
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), []any{math.Inf(-1)}} {
		if _, err := AppendRecord(nil, &Record{ToolCall: &ToolCall{Result: bad}}); err == nil {
			t.Errorf("%v encoded without error", bad)
		}
	}
	nan := math.NaN()
	if _, err := AppendRecord(nil, &Record{Output: &Output{Cost: &nan}}); err == nil {
		t.Error("NaN cost encoded without error")
	}
	if _, err := AppendRecord(nil, &Record{Timestamp: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}); err == nil {
		t.Error("year 10000 encoded without error")
	}
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	if _, err := AppendRecord(nil, &Record{Attributes: cyclic}); err == nil {
		t.Error("cyclic attributes encoded without error")
	}
}

func TestAppendRecordMarkingIntegrity(t *testing.T) {
	for _, r := range []*Record{sampleToolCall(), {Type: TypeInput}} {
		r.Integrity = &Integrity{Hash: strings.Repeat("b", 64), PrevHash: strings.Repeat("a", 64), Seq: math.MaxUint64, Stream: "gw-traces"}
		prefix := []byte("prefix")
		line, start, end, err := AppendRecordMarkingIntegrity(prefix, r)
		if err != nil {
			t.Fatal(err)
		}
		seg := string(line[start:end])
		if !strings.HasPrefix(seg, `"integrity":{"hash":"bbbb`) || !strings.HasSuffix(seg, `"stream":"gw-traces"},`) {
			t.Fatalf("marked segment %q", seg)
		}
		content, err := ContentHashInput(r)
		if err != nil {
			t.Fatal(err)
		}
		without := string(line[len(prefix):start]) + string(line[end:])
		if without != string(content) {
			t.Fatalf("line without the marked segment:\n%s\nhash input:\n%s", without, content)
		}
	}
}

func FuzzEncoderMatchesEncodingJSON(f *testing.F) {
	f.Add("hello", "\u2028<x>\"", 1.5, int64(3), true)
	f.Add("\xff", "", 1e-7, int64(-1), false)
	f.Fuzz(func(t *testing.T, a, b string, x float64, i int64, flag bool) {
		r := &Record{
			Type: TypeInput, RecordID: a, SessionID: b, UserID: a + b, ConversationID: b + a,
			Input:      &Input{Content: a, Role: b, Metadata: map[string]any{a: x, b: i}},
			Attributes: map[string]any{a: []any{b, x, i, flag, map[string]any{b: a}}, b + "x": nil},
			Reasoning:  &Reasoning{Plan: []string{a, b}, Confidence: &x},
		}
		assertSameAsEncodingJSON(t, r)
	})
}

// BenchmarkMarshalRecord compares the record encoder with the encoding/json path it replaced.
func BenchmarkMarshalRecord(b *testing.B) {
	r := sampleToolCall()
	for name, marshal := range map[string]func(any) ([]byte, error){
		"encoder":       func(v any) ([]byte, error) { return MarshalRecord(v.(*Record)) },
		"encoding_json": marshalNoEscape,
		"encoder_reused_buffer": func() func(any) ([]byte, error) {
			var buf []byte
			return func(v any) (out []byte, err error) {
				buf, err = AppendRecord(buf[:0], v.(*Record))
				return buf, err
			}
		}(),
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := marshal(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// referenceCanonical is canonical JSON built from encoding/json alone: decode keeping numbers,
// turn every non-integer into its float64, and encode (encoding/json sorts map keys).
func referenceCanonical(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var normalize func(any) (any, error)
	normalize = func(v any) (any, error) {
		switch t := v.(type) {
		case json.Number:
			if _, err := strconv.ParseInt(string(t), 10, 64); err == nil {
				return t, nil
			}
			if _, err := strconv.ParseUint(string(t), 10, 64); err == nil {
				return t, nil
			}
			return t.Float64()
		case []any:
			for i := range t {
				var err error
				if t[i], err = normalize(t[i]); err != nil {
					return nil, err
				}
			}
		case map[string]any:
			for k := range t {
				var err error
				if t[k], err = normalize(t[k]); err != nil {
					return nil, err
				}
			}
		}
		return v, nil
	}
	v, err := normalize(v)
	if err != nil {
		return nil, err
	}
	return marshalNoEscape(v)
}

func FuzzCanonicalizeJSONMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{
		`{"b":1,"a":[1.50,-0,1e2,1E-7,18446744073709551615,-9223372036854775808,1e400],"é":"<\u2028>","A":null}`,
		`[{"z":{"y":true,"x":false}},"\ud83d\ude00\u0000"]`, `"plain"`, `12.0`, `{"a":1,"a":2}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) {
			return
		}
		want, wantErr := referenceCanonical([]byte(s))
		got, gotErr := CanonicalizeJSON([]byte(s))
		if (wantErr != nil) != (gotErr != nil) {
			t.Fatalf("%q: error mismatch: reference %v, CanonicalizeJSON %v", s, wantErr, gotErr)
		}
		if wantErr == nil && !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got %s\nwant %s", s, got, want)
		}
	})
}

// TestAppendStringEveryLengthAndPosition: AppendString skips plain text 8 bytes at a time, so every
// length up to a few words, with a character needing an escape (or a multi-byte rune) at every
// position, whole words and tails alike, must still quote as encoding/json does.
func TestAppendStringEveryLengthAndPosition(t *testing.T) {
	for _, special := range []string{`"`, `\`, "\n", "\x01", "\x7f", "é", "\u2028", "\xff"} {
		for n := range 26 {
			for at := -1; at < n; at++ {
				s := []byte(strings.Repeat("abcdefgh", 4)[:n])
				str := string(s)
				if at >= 0 {
					str = string(s[:at]) + special + string(s[at+1:])
				}
				want, err := marshalNoEscape(str)
				if err != nil {
					t.Fatal(err)
				}
				if got := AppendString(nil, str); !bytes.Equal(got, want) {
					t.Fatalf("%q: %s, encoding/json %s", str, got, want)
				}
			}
		}
	}
}
