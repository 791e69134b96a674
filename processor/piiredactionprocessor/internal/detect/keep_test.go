package detect

import (
	"sort"
	"strings"
	"testing"
)

// TestAgentNegativesKept: agent text with tool, function and model names, companies, products,
// places, weekdays, dates and quantities in many languages (testdata/agent_negatives.tsv) passes
// untouched, per category and overall at least 99% of lines.
func TestAgentNegativesKept(t *testing.T) {
	e := newTestEngine(t, Options{ScanJSON: true})
	kept, total := map[string]int{}, map[string]int{}
	for _, line := range readLines(t, "testdata/agent_negatives.tsv") {
		cat, text, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("line without a category: %q", line)
		}
		total[cat]++
		fs := e.Scan(text, nil)
		for _, f := range fs {
			t.Logf("%s: %s %q in %q", cat, e.Name(f.Type), text[f.Start:f.End], text)
		}
		if len(fs) == 0 {
			kept[cat]++
		}
	}
	cats := make([]string, 0, len(total))
	all, allKept := 0, 0
	for c, n := range total {
		cats = append(cats, c)
		all += n
		allKept += kept[c]
	}
	sort.Strings(cats)
	for _, c := range cats {
		t.Logf("%-10s %3d/%3d kept (%.3f)", c, kept[c], total[c], float64(kept[c])/float64(total[c]))
	}
	ratio := float64(allKept) / float64(all)
	t.Logf("agent negatives: %d/%d lines kept (%.3f)", allKept, all, ratio)
	if all < 100 {
		t.Fatalf("agent negative set has %d lines, want 100+", all)
	}
	if ratio < 0.99 {
		t.Errorf("agent negatives kept %.3f < 0.99", ratio)
	}
}

// TestKeepReasons pins why text is kept: each case names the rule that keeps the quoted part
// (keepTrace reports it) and a control that the same words are found without the reason.
func TestKeepReasons(t *testing.T) {
	e := newTestEngine(t, Options{ScanJSON: true})
	for _, tc := range []struct {
		text, part string
		reason     keepReason
		control    string // text where the same grammar finds something: the rule is what keeps part
	}{
		{"Date: Sun, 06 Dec 2026 18:58:38 GMT", "Sun, 06 Dec 2026 18:58:38 GMT", keepDate, "He lives at 06 Dec Road 2026."},
		{"Due Friday, 3 May 2026 please.", "Friday, 3 May 2026", keepDate, "Ship to 3 Maylands Road please."},
		{"Termin am 3. März 2026.", "3. März 2026", keepDate, ""},
		{"La factura vence el 12 de marzo de 2026.", "12 de marzo de 2026", keepDate, ""},
		{"Field Sun, 06 Dec 2026", "Sun, 06 Dec 2026", keepDate, "Mr Sun said so."},
		{"The upload is 500 MB Google Drive", "500", keepQuantity, ""},
		{"Latency 300 ms Main Street", "300", keepQuantity, "Latency 300 Main Street"},
		{"Tool Send-email London", "Send-email", keepIdentifier, ""},
		{"Retry-After: 120", "Retry-After", keepIdentifier, ""},
		{"The job Send-invoice ran.", "Send-invoice", keepIdentifier, ""},
		{"Customer Berlin office", "Berlin", keepPlace, "Customer: Berlin"},
		{"Page Germany receiver", "Page Germany", keepPlace, ""},
		{"New York 345.", "New York", keepPlace, ""},
		{"trace 43 Golden Gate Bridge view", "Golden Gate Bridge", keepPlace, ""},
		{"India 466 orders", "India", keepPlace, ""},
		{"Order 492 Shopify Drive now", "Shopify Drive", keepProduct, "Order 492 Gaulle Drive now"},
	} {
		var got []string
		keepTrace = func(r keepReason, start, end int) {
			got = append(got, r.String()+" "+strings.ToLower(tc.text[start:end]))
		}
		fs := e.Scan(tc.text, nil)
		keepTrace = nil
		for _, f := range fs {
			if f.Type == TypePerson || f.Type == TypeStreetAddress {
				t.Errorf("%q: %s %q found", tc.text, e.Name(f.Type), tc.text[f.Start:f.End])
			}
		}
		want := tc.reason.String() + " " + strings.ToLower(tc.part)
		found := false
		for _, g := range got {
			found = found || g == want
		}
		if !found {
			t.Errorf("%q: kept reasons %q, want %q", tc.text, got, want)
		}
		if tc.control != "" {
			hit := false
			for _, f := range e.Scan(tc.control, nil) {
				hit = hit || f.Type == TypePerson || f.Type == TypeStreetAddress
			}
			if !hit {
				t.Errorf("control %q: nothing found, so the rule is not what keeps %q", tc.control, tc.part)
			}
		}
	}
}

// TestIdentifierKeys: values under keys that name tools, functions and models skip the name and
// address grammars (a name there is kept) while every other detector still runs.
func TestIdentifierKeys(t *testing.T) {
	e := newTestEngine(t, Options{ScanJSON: true})
	for key, want := range map[string]bool{
		"gen_ai.tool.name": true, "gen_ai.request.model": true, "gen_ai.response.model": true,
		"code.function.name": true, "tool_name": true, "functionName": true, "gen_ai.operation.name": true,
		"customer_name": false, "message": false, "gen_ai.input.messages": false, "name": false,
	} {
		if got := e.IdentifierKey(key); got != want {
			t.Errorf("IdentifierKey(%q) = %v, want %v", key, got, want)
		}
	}
	var f Findings
	if out, changed := e.RedactIdentifierInto("Julia Silva", 0, &f); changed {
		t.Errorf("identifier value changed: %q", out)
	}
	if out, changed := e.RedactInto("Julia Silva", 0, &f); !changed {
		t.Errorf("control: plain value kept: %q", out)
	}
	if out, _ := e.RedactIdentifierInto("lookup jane@example.com", 0, &f); strings.Contains(out, "jane@") {
		t.Errorf("an email in an identifier value survived: %q", out)
	}
	doc := `{"name":"Julia Silva","tool_name":"Julia Silva"}`
	out, _ := e.RedactInto(doc, 0, &f)
	if want := `{"name":"[REDACTED:PERSON]","tool_name":"Julia Silva"}`; out != want {
		t.Errorf("JSON: got %s, want %s", out, want)
	}
}

// TestSecretRulesDeriveThePrefilter: every format in secretRules wakes the scanner at its first
// letter, opens a word with its first two letters and has a positive case in detect_test.go, so
// that adding a format is one table entry and one test case.
func TestSecretRulesDeriveThePrefilter(t *testing.T) {
	for _, r := range secretRules {
		for _, p := range r.prefixes {
			for _, c0 := range []byte{p[0], p[0] &^ 0x20, p[0] | 0x20} {
				if c0 != p[0] && !r.fold {
					continue
				}
				if byteClass[c0]&clsStart == 0 || !opensWord(c0, p[1]) {
					t.Errorf("%s prefix %q: the prefilter does not wake at %q", builtinNames[r.typ], p, c0)
				}
			}
		}
		found := false
		for _, tc := range positives {
			found = found || tc.want == r.typ
		}
		if !found {
			t.Errorf("%s has no positive case in detect_test.go", builtinNames[r.typ])
		}
	}
}

// TestSkipperKeepsEveryWake: the byte skipper passes over the wakes idleWake calls idle without
// leaving its loop. Every positive case, at every alignment of the skipper's eight-byte steps and
// after words that wake it idly (lower-case words starting like a secret, "-", "(" and "+"
// before letters), is found where it is found alone.
func TestSkipperKeepsEveryWake(t *testing.T) {
	e := newTestEngine(t, Options{})
	const idle = "see how we-go (so) +be "
	for _, tc := range positives {
		alone := e.Scan(tc.text, nil)
		for pad := range 9 {
			prefix := idle + strings.Repeat("q", pad) + " "
			got := e.Scan(prefix+tc.text, nil)
			if len(got) != len(alone) {
				t.Fatalf("%s after %q: %d findings, alone %d", tc.name, prefix, len(got), len(alone))
			}
			for k := range got {
				if got[k].Type != alone[k].Type || got[k].Start-len(prefix) != alone[k].Start || got[k].End-len(prefix) != alone[k].End {
					t.Fatalf("%s after %q: %+v, alone %+v", tc.name, prefix, got[k], alone[k])
				}
			}
		}
	}
}

// idleWakeReference is idleWake written as the tests of scanBuiltin's cases.
func idleWakeReference(s string, p int) bool {
	c := s[p]
	if p+1 >= len(s) {
		return c >= 'a' && c <= 'z' || c == '-' || c == '+' || c == '('
	}
	switch c1 := s[p+1]; {
	case c >= 'a' && c <= 'z':
		return !opensWord(c, c1)
	case c == '-':
		return c1 != '-'
	case c == '+' || c == '(':
		return !isDigit(c1)
	}
	return false
}

// TestIdleWakeTables: the tables behind idleWake answer what scanBuiltin's tests answer, for
// every byte alone at the end of a text and before every byte.
func TestIdleWakeTables(t *testing.T) {
	for c := range 256 {
		if s := string([]byte{byte(c)}); idleWake(s, 0) != idleWakeReference(s, 0) {
			t.Fatalf("idleWake(%q, 0) = %v", s, idleWake(s, 0))
		}
		for c1 := range 256 {
			if s := string([]byte{byte(c), byte(c1)}); idleWake(s, 0) != idleWakeReference(s, 0) {
				t.Fatalf("idleWake(%q, 0) = %v", s, idleWake(s, 0))
			}
		}
	}
}

// TestSkipQuietMatchesByteWise: the lane-packed skipper, its idle-wake filter and its tail loop
// answer what the byte-by-byte wake test answers, from every offset of the test texts.
func TestSkipQuietMatchesByteWise(t *testing.T) {
	texts := append([]string{"see how we-go (so) +be a@b.io", "x (5", "Ab +1", "n-a--b"}, hardNegatives...)
	for _, tc := range positives {
		texts = append(texts, tc.text, "so "+tc.val)
	}
	checked := 0
	for _, s := range texts {
		for i := 1; i < len(s); i++ {
			want := i
			for ; want < len(s); want++ {
				c, p := byteClass[s[want]], byteClass[s[want-1]]
				if (c&clsAlways != 0 || c&clsStart != 0 && p&clsAlnum == 0) && !idleWakeReference(s, want) {
					break
				}
			}
			if got := skipQuiet(s, i); got != want {
				t.Fatalf("skipQuiet(%q, %d) = %d, byte-wise %d", s, i, got, want)
			}
			checked++
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d offsets checked", checked)
	}
}
