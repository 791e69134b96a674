package jsonvalue

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// referenceJSON is what Parse must agree with: encoding/json's verdict and its values.
func referenceJSON(s string) (any, bool) {
	if !json.Valid([]byte(s)) {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

func assertParsesLikeEncodingJSON(t *testing.T, s string) {
	t.Helper()
	want, wantOK := referenceJSON(s)
	got, gotOK := Parse(s)
	if gotOK != wantOK {
		t.Fatalf("%q: Parse ok=%v, encoding/json ok=%v", s, gotOK, wantOK)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: Parse %#v, encoding/json %#v", s, got, want)
	}
}

var jsonSamples = []string{
	`{}`, `[]`, `""`, ` {"a" : [1, -0, 0.5, 1e3, -2E-7, 1.0e+2, true, false, null, "x"]} `,
	`[{"role":"user","parts":[{"type":"text","content":"hi \"there\" \\ \/ \b\f\n\r\t \u00e9 \ud83d\ude00"}]}]`,
	`{"a":1,"a":2}`, `{"":{"":[[[]]]}}`, "\"\xff\xfe\"", "\"caf\xc3\xa9\"", `"\ud800"`, `"\udc00\ud800"`, `"\ud800\u0041"`,
	`"\ud800\ud800\udc00"`, `"\u12"`, `"\x"`, `"\'"`, "\"tab\there\"", `01`, `-`, `1.`, `.5`, `1e`, `+1`, `-01`,
	`[1,]`, `{"a":1,}`, `{"a" 1}`, `{1:2}`, `[1 2]`, `tru`, `nul`, `truex`, `{}}`, `[]]`, `{} x`, `"unterminated`,
	`[` + strings.Repeat(`[`, 20) + strings.Repeat(`]`, 21), "\u00a0{}", `{"a":"b"}` + "\n",
}

func TestParseMatchesEncodingJSON(t *testing.T) {
	for _, s := range jsonSamples {
		assertParsesLikeEncodingJSON(t, s)
	}
	// encoding/json's nesting limit, on both sides of it.
	for _, depth := range []int{maxJSONNesting, maxJSONNesting + 1} {
		assertParsesLikeEncodingJSON(t, strings.Repeat("[", depth)+strings.Repeat("]", depth))
	}
	if _, ok := Parse(`{"a":"b"}`); !ok {
		t.Fatal("plain object rejected")
	}
}

func TestParseSlicesPlainStrings(t *testing.T) {
	src := `["plain text", "esc\naped"]`
	v, ok := Parse(src)
	if !ok {
		t.Fatal("rejected")
	}
	list := v.([]any)
	plain := list[0].(string)
	//nolint:gosec // G103: compares addresses only, to prove the parser returns a slice of its input
	if at := uintptr(unsafe.Pointer(unsafe.StringData(plain))) - uintptr(unsafe.Pointer(unsafe.StringData(src))); plain != "plain text" || at != 2 {
		t.Fatalf("plain string %q is not a slice of the input", plain)
	}
	if list[1] != "esc\naped" {
		t.Fatalf("escaped string %q", list[1])
	}
}

func FuzzParseMatchesEncodingJSON(f *testing.F) {
	for _, s := range jsonSamples {
		f.Add(s)
	}
	var buf bytes.Buffer
	_ = json.Compact(&buf, []byte(`{"messages":[{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":{"ok":true,"n":[1.5e300]}}]}]}`))
	f.Add(buf.String())
	f.Fuzz(func(t *testing.T, s string) {
		assertParsesLikeEncodingJSON(t, s)
	})
}

func BenchmarkParse(b *testing.B) {
	msg := `{"role":"user","parts":[{"type":"text","content":"Please book a flight to Paris for the 1st of February, window seat."}]},` +
		`{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"search_flights","arguments":{"destination":"Paris","date":"2026-02-01"}}]},` +
		`{"role":"tool","parts":[{"type":"tool_call_response","id":"call_1","response":{"flights":["AF123","BA456"],"count":2}}]}`
	doc := "[" + strings.Repeat(msg+",", 20) + msg + "]"
	for name, parse := range map[string]func(string) (any, bool){"Parse": Parse, "encoding_json": referenceJSON} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := parse(doc); !ok {
					b.Fatal("rejected")
				}
			}
		})
	}
}
