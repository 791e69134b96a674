package mapping

import (
	"strconv"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The consumed-attribute set is a bit set over positions: keys past the inline 128 positions and a
// key the wire carried twice must behave as the set of keys did.
func TestAttrViewConsumeBeyondInlinePositionsAndDuplicateKeys(t *testing.T) {
	attrs := pcommon.NewMap()
	for i := range 300 {
		attrs.PutStr("k"+strconv.Itoa(i), "v")
	}
	// Put replaces, so a key twice only arrives from the wire: decode a span that carries one.
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces([]byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"s","attributes":[
		{"key":"k5","value":{"stringValue":"first"}},{"key":"k5","value":{"stringValue":"second"}},{"key":"k5-other","value":{"stringValue":"x"}}]}]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	wire := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
	if wire.Len() != 3 {
		t.Fatalf("decoded %d attributes, want the duplicate kept", wire.Len())
	}
	for k, v := range wire.All() {
		v.CopyTo(attrs.PutEmpty(k))
	}
	var p problems
	a := New(Options{}).newAttrView(attrs, &p)
	for _, k := range []string{"k5", "k127", "k128", "k299", "k200"} {
		a.consume(k)
	}
	a.release("k200")
	a.consume("absent")
	got := a.remaining()
	for _, k := range []string{"k5", "k127", "k128", "k299"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s consumed but kept in attributes", k)
		}
	}
	for _, k := range []string{"k0", "k126", "k129", "k200", "k298", "k5-other"} {
		if _, ok := got[k]; !ok {
			t.Errorf("%s not consumed but missing from attributes", k)
		}
	}
	if len(got) != 301-4 {
		t.Errorf("%d attributes kept, want %d", len(got), 301-4)
	}
	// The wire's duplicate k5 is consumed with the first: neither copy stays.
	dupView := New(Options{}).newAttrView(wire, &p)
	dupView.consume("k5")
	if got := dupView.remaining(); len(got) != 1 || got["k5-other"] != "x" {
		t.Errorf("remaining after consuming a duplicated key = %v, want only k5-other", got)
	}
}

// TestFilteredViewFindsEveryKey: the key filter only ever rules absent keys out.
func TestFilteredViewFindsEveryKey(t *testing.T) {
	attrs := pcommon.NewMap() // a chat span's attributes, as agentsim sends them
	for _, k := range []string{
		"gen_ai.conversation.id", "session.id", "user.id", "gen_ai.operation.name",
		"gen_ai.provider.name", "gen_ai.request.model", "gen_ai.response.model", "gen_ai.response.id",
		"gen_ai.response.finish_reasons", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens",
		"gen_ai.system_instructions", "gen_ai.input.messages", "gen_ai.output.messages", "", "x",
	} {
		attrs.PutStr(k, "v")
	}
	keys := []string{"absent.key", "gen_ai.absent"}
	for k := range attrs.All() {
		keys = append(keys, k)
	}
	for _, d := range dialects { // every key the engine probes
		for _, as := range d.fields {
			for _, al := range as {
				keys = append(keys, al.key)
			}
		}
	}
	a := (&Mapper{}).newAttrView(attrs, &problems{})
	a.filterKeys()
	ruledOut := 0
	for _, k := range keys {
		_, want := attrs.Get(k)
		if _, got := a.get(k); got != want {
			t.Fatalf("%q: filtered view present=%v, map %v", k, got, want)
		}
		if !want && a.keys&keyBit(k) == 0 {
			ruledOut++
		}
	}
	if ruledOut == 0 {
		t.Fatal("the filter ruled no absent key out")
	}
}
