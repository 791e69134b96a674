package detect

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzEngine = func() *Engine {
	e, err := New(Options{ScanJSON: true, MaxDepth: 8})
	if err != nil {
		panic(err)
	}
	return e
}()

func addSeeds(f *testing.F) {
	for _, tc := range positives {
		f.Add(tc.text)
	}
	for _, s := range hardNegatives {
		f.Add(s)
	}
	f.Add(agentText)
	f.Add(agentJSON)
	f.Add("\xff\xfe jane@example.com \xc3")
	f.Add(`{"a":"\ud800 x@y.io \u0041","b":[4111111111111111,-0.5e-3,true,null]}`)
}

// unicodeEscape is a JSON \uXXXX escape at any depth of nesting (each level doubles the
// backslashes). survivors compares with every escape made one opaque byte: the escape's digits
// are not text of the value, and "\u0000" followed by "0 00" is not the number "00000 00".
var unicodeEscape = regexp.MustCompile(`\\+u[0-9a-fA-F]{4}`)

// survivors lists the values the plain scanner detects in s that still appear in out. Values
// shorter than 8 bytes or occurring more than once in s are skipped: they may legitimately
// remain where the same characters stand in a context that is not a finding.
func survivors(s, out string, encode func(string) string) []string {
	var left []string
	out = unicodeEscape.ReplaceAllString(out, "\x01")
	for _, fd := range fuzzEngine.Scan(s, nil) {
		v := s[fd.Start:fd.End]
		if len(v) >= 8 && strings.Count(s, v) == 1 && strings.Contains(out, unicodeEscape.ReplaceAllString(encode(v), "\x01")) {
			left = append(left, fuzzEngine.Name(fd.Type)+" "+v)
		}
	}
	return left
}

// FuzzRedactString: never panics, an unchanged result is the input itself, and no detected value
// survives in the output.
func FuzzRedactString(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		out, findings, changed := fuzzEngine.Redact(s)
		if !changed {
			if out != s || findings.Count != 0 {
				t.Fatalf("unchanged output differs from input")
			}
			return
		}
		if looksLikeJSON(s) {
			return // findings sit in decoded literals; FuzzRedactJSON covers documents
		}
		if left := survivors(s, out, func(v string) string { return v }); len(left) > 0 {
			t.Fatalf("detected values survived: %q\nin:  %q\nout: %q", left, s, out)
		}
	})
}

// FuzzRedactJSON: a valid JSON document stays valid JSON, and no value detected inside its
// string literals survives.
func FuzzRedactJSON(f *testing.F) {
	addSeeds(f)
	f.Add(`{"messages":[{"role":"user","content":"my card is 4111 1111 1111 1111"}],"password":"x"}`)
	f.Add(`[{"args":"{\"email\":\"a@b.co\"}"}]`)
	f.Fuzz(func(t *testing.T, s string) {
		text := ""
		if !json.Valid([]byte(s)) || !looksLikeJSON(s) {
			// Wrap anything that is not a JSON document into one (also nested, and as a
			// JSON-encoded string inside a string), so every input exercises the JSON path.
			inner, _ := json.Marshal(map[string]string{"arguments": s})
			b, _ := json.Marshal(map[string]any{"text": s, "nested": []any{s, map[string]string{"args": string(inner)}}})
			text, s = s, string(b)
		}
		out, _, _ := fuzzEngine.Redact(s)
		if !json.Valid([]byte(out)) {
			t.Fatalf("valid JSON became invalid:\nin:  %q\nout: %q", s, out)
		}
		if text == "" || !utf8.ValidString(text) || looksLikeJSON(text) {
			return
		}
		enc := func(v string) string { b, _ := json.Marshal(v); return string(b[1 : len(b)-1]) }
		if left := survivors(text, out, enc); len(left) > 0 {
			t.Fatalf("detected values survived: %q\nin:  %q\nout: %q", left, s, out)
		}
	})
}
