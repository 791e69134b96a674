package jsonvalue

import (
	"reflect"
	"strings"
	"testing"
)

// skipMatchesParse checks that Skip accepts what Parse does, and that a Scanner reading a
// document member by member yields Parse's values.
func skipMatchesParse(t *testing.T, s string) {
	t.Helper()
	_, want := Parse(s)
	sc := NewScanner(s)
	if got := sc.Skip() && sc.Done(); got != want {
		t.Fatalf("%.200q: Skip ok=%v, Parse ok=%v", s, got, want)
	}
	sc = NewScanner(s)
	if raw, ok := sc.Raw(); (ok && sc.Done()) != want || want && raw != strings.TrimSpace(s) {
		t.Fatalf("%.200q: Raw %.200q ok=%v, Parse ok=%v", s, raw, ok, want)
	}
	v, ok := Parse(s)
	sc = NewScanner(s)
	got, gotOK := sc.Value()
	if gotOK = gotOK && sc.Done(); gotOK != ok || !reflect.DeepEqual(got, v) && ok {
		t.Fatalf("%.200q: Scanner.Value %#v (%v), Parse %#v (%v)", s, got, gotOK, v, ok)
	}
}

func TestSkipMatchesParse(t *testing.T) {
	for _, s := range jsonSamples {
		skipMatchesParse(t, s)
	}
	for _, depth := range []int{maxJSONNesting, maxJSONNesting + 1} {
		skipMatchesParse(t, strings.Repeat("[", depth)+strings.Repeat("]", depth))
		skipMatchesParse(t, strings.Repeat(`{"a":`, depth)+"1"+strings.Repeat("}", depth))
	}
}

func FuzzSkipMatchesParse(f *testing.F) {
	for _, s := range jsonSamples {
		f.Add(s)
	}
	f.Fuzz(skipMatchesParse)
}
