package mapping

import (
	"reflect"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// scanSamples are message and instruction attributes in the shapes the scanner reads, and next
// to them every way it must give up (members it does not handle, repeats, non-strings, other
// shapes, invalid JSON) so the generic path decides.
var scanSamples = []string{
	`[{"role":"user","parts":[{"type":"text","content":"Hi, I need a flight from SFO to JFK."}]}]`,
	`[{"role":"assistant","parts":[{"type":"reasoning","content":"Search first."},{"type":"tool_call","id":"call_1","name":"search_flights","arguments":{"destination":"CDG","date":"2026-01-20","max_price":300}}],"finish_reason":"tool_call"}]`,
	`[{"role":"user","parts":[{"type":"text","content":"a"}]},{"role":"assistant","parts":[{"type":"tool_call","id":"c","name":"t","arguments":"{\"a\":1.50}"}]},{"role":"tool","parts":[{"type":"tool_call_response","id":"c","response":{"ok":true}}]}]`,
	`[{"type":"text","content":"You are a travel agent."},{"type":"text","content":"Be brief."}]`,
	` [ { "role" : "USER" , "parts" : [ { "type" : "Text" , "content" : "spaced" } ] , "name" : "x" } ] `,
	"\u00a0[{\"role\":\"user\",\"parts\":[]}]\n", `[]`, `[{}]`, `[{"parts":[]}]`, `[{"role":""}]`,
	`[{"role":"tool","parts":[{"type":"text","content":"r"},{"type":"tool_call_response","content":"{\"x\":[1,2]}"}]}]`,
	`[{"role":"tool","tool_call_id":"c","parts":[{"type":"text","content":"r"}]}]`,
	`[{"role":"ipython","parts":[{"content":"x"}]}]`, `[{"role":"function","id":"f","content":"x"}]`,
	`[{"role":"user","parts":[{"type":"image","uri":"u"},{"type":"blob","mime_type":"m","data":"d"}]}]`,
	`[{"role":"user","parts":[{"type":"text","content":5}]}]`, `[{"role":"user","parts":[{"type":"text","content":null}]}]`,
	`[{"role":"user","parts":[{"type":"thinking"},{"type":"reasoning","content":""}]}]`,
	`[{"role":"user","parts":[{"type":"text","text":"t"}]}]`, `[{"role":"user","parts":[{"type":"text","content":"a","content":"b"}]}]`,
	`[{"role":"user","role":"assistant"}]`, `[{"role":1}]`, `[{"role":"user","parts":{}}]`, `[{"role":"user","parts":["plain"]}]`,
	`["plain"]`, `[1]`, `{"messages":[]}`, `"text"`, `plain text`, `[{"role":"user"}`, `[{"role":"user"},]`, `[{"role":"user",}]`,
	`[{"r\u006fle":"user","parts":[{"type":"text","content":"\u00e9 \ud83d\ude00 \"q\""}]}]`, "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"\xff\"}]}]",
	`[{"role":"assistant","parts":[{"type":"tool_call","id":7,"name":"t"}]}]`, `[{"role":"assistant","parts":[{"type":"function_call","name":"t","arguments":null}]}]`,
	`[{"role":"assistant","parts":[{"type":"tool_call","name":"t","function":{"name":"u"}}]}]`,
	`[{"role":"assistant","parts":[{"type":"tool_use","name":"t","input":{}}]}]`,
	`[{"role":"assistant","parts":[{"type":"tool_call","name":"t","arguments":{"a":[1,-0.5e3,"\u00e9",true,null,{}]}}]}]`,
	`[{"role":"assistant","parts":[{"type":"tool_call","name":"t","arguments":{"a":"\x"}}]}]`, `[{"role":"assistant","parts":[{"type":"tool_call","arguments":01}]}]`,
	`[{"role":"assistant","parts":[{"type":"tool_call","arguments":"not json"}]}]`, `[{"role":"assistant","parts":[{"type":"tool_call","arguments":{"a":1,}}]}]`, `[{"finish_reason":"stop","finishReason":"x"}]`,
	`[{"message":{"role":"user"}}]`, `[{"role":"user","content":"c"}]`, `[{"role":"user","tool_calls":[]}]`,
	`[{"role":"user","parts":[{"message_content":{"type":"text","content":"x"}}]}]`, `[{"role":"user","parts":[{"toolRequest":{"name":"t"}}]}]`,
	`[{"role":"user","parts":[{"type":"text","content":"x","extra":[1,{"a":[true,false,null]}]}]}]`, `[{"role":"user","parts":[{"type":"text","content":"x"}]}] x`,
	`[` + strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001) + `]`,
	`[{"role":"user","parts":[{"type":"text","content":"x","deep":` + strings.Repeat(`[`, 9996) + strings.Repeat(`]`, 9996) + `}]}]`,
	`[{"role":"user","parts":[{"type":"text","content":"x","deep":` + strings.Repeat(`[`, 9997) + strings.Repeat(`]`, 9997) + `}]}]`,
}

type viewOutcome struct {
	msgs      []message
	texts     []string
	present   bool
	remaining map[string]any
	probs     problems
}

// readBoth reads key the scanner's way and the generic way, each on a fresh view. Without
// keepArgs the generic messages' tool-call arguments are dropped, as the scanner does not keep them,
// and tool results are compared as read (resultValue).
func readBoth(s string, system, mustBeJSON, keepArgs bool) (scan, generic viewOutcome) {
	m := New(Options{MaxContentBytes: 1 << 20})
	attrs := pcommon.NewMap()
	attrs.PutStr("k", s)
	attrs.PutStr("other", "o")
	read := func(fast bool) viewOutcome {
		var o viewOutcome
		a := m.newAttrView(attrs, &o.probs)
		switch {
		case system && fast:
			o.texts, o.present = a.systemInstructions("k", nil)
		case system:
			var v any
			if v, o.present = a.document("k"); o.present {
				o.texts = systemTexts(v)
			}
		case fast:
			o.msgs, _ = a.messageList("k", "user", mustBeJSON, keepArgs)
		default:
			o.msgs = a.messages("k", "user", mustBeJSON)
		}
		for _, msg := range o.msgs { // the generic path's, or the scanner's when it gave up
			for i := range msg.parts {
				if !keepArgs && msg.parts[i].kind == partToolCall {
					msg.parts[i].args = nil
				}
				msg.parts[i].result = resultValue(msg.parts[i].result) // the scanner's are read when used
			}
		}
		o.remaining = a.remaining()
		return o
	}
	return read(true), read(false)
}

func checkScanMatches(t *testing.T, s string) {
	t.Helper()
	for _, system := range []bool{false, true} {
		for _, mustBeJSON := range []bool{false, true} {
			for _, keepArgs := range []bool{false, true} {
				scan, generic := readBoth(s, system, mustBeJSON, keepArgs)
				if !reflect.DeepEqual(scan, generic) {
					t.Fatalf("%.200q system=%v mustBeJSON=%v keepArgs=%v:\nscan    %#v\ngeneric %#v", s, system, mustBeJSON, keepArgs, scan, generic)
				}
			}
		}
	}
	if msgs, ok := scanMessages(s, "user", true); ok {
		if v, isJSON := decodeJSON(s); !isJSON {
			t.Fatalf("%.200q: scanned, but not JSON", s)
		} else if _, isList := v.([]any); !isList || len(msgs) != len(v.([]any)) {
			t.Fatalf("%.200q: scanned %d messages from %T", s, len(msgs), v)
		}
	}
}

func TestScanMatchesParse(t *testing.T) {
	scanned := 0
	for _, s := range scanSamples {
		checkScanMatches(t, s)
		if _, ok := scanMessages(s, "user", true); ok {
			scanned++
		}
	}
	if scanned < 10 { // the samples must exercise the scanner, not only the fallback
		t.Fatalf("only %d samples scanned", scanned)
	}
}

// FuzzScanMatchesParse holds the scanner to the generic path: the same messages, instructions,
// consumed attributes and problems for any attribute text.
func FuzzScanMatchesParse(f *testing.F) {
	for _, s := range scanSamples {
		f.Add(s)
	}
	for k := range messageKeysRead {
		f.Add(`[{"role":"user","` + k + `":"v","parts":[{"type":"text","content":"c"}]}]`)
	}
	for k := range partKeysRead {
		f.Add(`[{"role":"tool","parts":[{"type":"tool_result","` + k + `":{"a":"v"}}]}]`)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkScanMatches(t, s)
	})
}
