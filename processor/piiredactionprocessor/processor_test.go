package piiredactionprocessor

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/race"
)

// Fixture values. The key-like ones are assembled so the repository holds no literal credential.
var (
	email    = "jane.doe@example.com"
	card     = "4111 1111 1111 1111"
	phone    = "+1-415-555-2671"
	ssn      = "123-45-6789"
	iban     = "GB82WEST12345698765432"
	ipv4     = "203.0.113.42"
	apiKey   = "sk-proj-" + strings.Repeat("Ab1Cd2Ef3G", 4)
	awsKeyID = "AKIA" + strings.Repeat("Z7Q2", 4)
)

var testHMACKey = strings.Repeat("0123456789abcdef", 2)

func newTestRedactor(t *testing.T, mutate func(*Config)) (*redactor, *componenttest.Telemetry) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	if mutate != nil {
		mutate(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	r, err := newRedactor(cfg, tel.NewTelemetrySettings())
	if err != nil {
		t.Fatal(err)
	}
	return r, tel
}

func mustNotContain(t *testing.T, where, got string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(got, s) {
			t.Errorf("%s still holds %q: %s", where, s, got)
		}
	}
}

func summaryOf(t *testing.T, attrs pcommon.Map) (int64, []string) {
	t.Helper()
	c, ok := attrs.Get(summaryCountKey)
	if !ok {
		return 0, nil
	}
	if c.Type() != pcommon.ValueTypeInt {
		t.Fatalf("redaction.count has type %s", c.Type())
	}
	ty, ok := attrs.Get(summaryTypesKey)
	if !ok || ty.Type() != pcommon.ValueTypeSlice {
		t.Fatalf("redaction.types missing or not a slice")
	}
	var names []string
	for _, v := range ty.Slice().All() {
		names = append(names, v.Str())
	}
	return c.Int(), names
}

func buildTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "agent jane.doe@example.com") // allow-listed
	rs.Resource().Attributes().PutStr("host.owner", email)
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().Attributes().PutStr("scope.contact", phone)
	span := ss.Spans().AppendEmpty()
	span.SetName("send mail to " + email)
	span.Status().SetMessage("rejected ssn " + ssn)
	attrs := span.Attributes()
	attrs.PutStr("gen_ai.request.model", "gpt-4o")
	attrs.PutInt("gen_ai.usage.input_tokens", 4111111111111111) // allow-listed counter
	attrs.PutStr("user.id", email)
	nested := attrs.PutEmptyMap("customer")
	nested.PutStr("card", "card "+card+" on file")
	nested.PutInt("visits", 42)
	nested.PutDouble("score", 0.5)
	nested.PutBool("vip", true)
	list := nested.PutEmptySlice("contacts")
	list.AppendEmpty().SetStr(phone)
	list.AppendEmpty().SetInt(7)
	inner := list.AppendEmpty().SetEmptyMap()
	inner.PutStr("iban", iban)
	msgs := `[{"role":"user","parts":[{"type":"text","content":"Hi, I am ` + email + `.\nMy key is ` + apiKey + `"}]},` +
		`{"role":"assistant","parts":[{"type":"tool_call","name":"pay","arguments":"{\"card\":\"` + card + `\",\"amount\":12.5}"}]}]`
	attrs.PutStr("gen_ai.input.messages", msgs)
	ev := span.Events().AppendEmpty()
	ev.SetName("login from " + ipv4)
	ev.Attributes().PutStr("detail", "iban "+iban)
	link := span.Links().AppendEmpty()
	link.Attributes().PutStr("token.note", "uses "+awsKeyID)
	return td
}

func TestTracesEveryLocation(t *testing.T) {
	r, _ := newTestRedactor(t, nil)
	td := buildTraces()
	if _, err := r.processTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	rs := td.ResourceSpans().At(0)
	res := rs.Resource().Attributes()
	if v, _ := res.Get("service.name"); v.Str() != "agent jane.doe@example.com" {
		t.Errorf("allow-listed key was scanned: %q", v.Str())
	}
	if v, _ := res.Get("host.owner"); v.Str() != "[REDACTED:EMAIL]" {
		t.Errorf("resource attribute: %q", v.Str())
	}
	if v, _ := rs.ScopeSpans().At(0).Scope().Attributes().Get("scope.contact"); v.Str() != "[REDACTED:PHONE]" {
		t.Errorf("scope attribute: %q", v.Str())
	}
	if n, types := summaryOf(t, res); n != 2 || !slices.Equal(types, []string{"EMAIL", "PHONE"}) {
		t.Errorf("resource summary %d %v", n, types)
	}

	span := rs.ScopeSpans().At(0).Spans().At(0)
	if span.Name() != "send mail to [REDACTED:EMAIL]" {
		t.Errorf("span name: %q", span.Name())
	}
	if span.Status().Message() != "rejected ssn [REDACTED:US_SSN]" {
		t.Errorf("status message: %q", span.Status().Message())
	}
	attrs := span.Attributes()
	if v, _ := attrs.Get("gen_ai.request.model"); v.Str() != "gpt-4o" {
		t.Errorf("model: %q", v.Str())
	}
	if v, _ := attrs.Get("gen_ai.usage.input_tokens"); v.Type() != pcommon.ValueTypeInt {
		t.Errorf("allow-listed int changed type to %s", v.Type())
	}
	if v, _ := attrs.Get("user.id"); v.Str() != "[REDACTED:EMAIL]" {
		t.Errorf("user.id must be scanned: %q", v.Str())
	}
	cust, _ := attrs.Get("customer")
	if cust.Type() != pcommon.ValueTypeMap {
		t.Fatalf("nested map changed type to %s", cust.Type())
	}
	cm := cust.Map()
	if v, _ := cm.Get("card"); v.Str() != "card [REDACTED:CREDIT_CARD] on file" {
		t.Errorf("nested card: %q", v.Str())
	}
	if v, _ := cm.Get("visits"); v.Type() != pcommon.ValueTypeInt || v.Int() != 42 {
		t.Errorf("int changed: %v", v.AsRaw())
	}
	if v, _ := cm.Get("score"); v.Type() != pcommon.ValueTypeDouble || v.Double() != 0.5 {
		t.Errorf("double changed: %v", v.AsRaw())
	}
	if v, _ := cm.Get("vip"); v.Type() != pcommon.ValueTypeBool || !v.Bool() {
		t.Errorf("bool changed: %v", v.AsRaw())
	}
	contacts, _ := cm.Get("contacts")
	if contacts.Type() != pcommon.ValueTypeSlice || contacts.Slice().Len() != 3 {
		t.Fatalf("slice changed: %v", contacts.AsRaw())
	}
	if got := contacts.Slice().At(0).Str(); got != "[REDACTED:PHONE]" {
		t.Errorf("slice element: %q", got)
	}
	if got := contacts.Slice().At(1); got.Type() != pcommon.ValueTypeInt || got.Int() != 7 {
		t.Errorf("slice int: %v", got.AsRaw())
	}
	if ib, _ := contacts.Slice().At(2).Map().Get("iban"); ib.Str() != "[REDACTED:IBAN]" {
		t.Errorf("map in slice: %q", ib.Str())
	}
	msgs, _ := attrs.Get("gen_ai.input.messages")
	if !json.Valid([]byte(msgs.Str())) {
		t.Fatalf("messages are no longer valid JSON: %s", msgs.Str())
	}
	mustNotContain(t, "messages", msgs.Str(), email, apiKey, card)
	for _, keep := range []string{`"role":"user"`, `Hi, I am [REDACTED:EMAIL].\nMy key is [REDACTED:OPENAI_KEY]`, `\"amount\":12.5`} {
		if !strings.Contains(msgs.Str(), keep) {
			t.Errorf("messages lost %q: %s", keep, msgs.Str())
		}
	}
	ev := span.Events().At(0)
	if ev.Name() != "login from [REDACTED:IP_ADDRESS]" {
		t.Errorf("event name: %q", ev.Name())
	}
	if v, _ := ev.Attributes().Get("detail"); v.Str() != "iban [REDACTED:IBAN]" {
		t.Errorf("event attribute: %q", v.Str())
	}
	if v, _ := span.Links().At(0).Attributes().Get("token.note"); v.Str() != "uses [REDACTED:AWS_ACCESS_KEY]" {
		t.Errorf("link attribute: %q", v.Str())
	}
	n, types := summaryOf(t, attrs)
	want := []string{"AWS_ACCESS_KEY", "CREDIT_CARD", "EMAIL", "IBAN", "IP_ADDRESS", "OPENAI_KEY", "PHONE", "US_SSN"}
	if n != 12 || !slices.Equal(types, want) {
		t.Errorf("span summary %d %v, want 12 %v", n, types, want)
	}

	// A second pass finds nothing new and leaves the summary alone.
	before := ptrace.NewTraces()
	td.CopyTo(before)
	if _, err := r.processTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	m1, m2 := ptrace.JSONMarshaler{}, ptrace.JSONMarshaler{}
	b1, _ := m1.MarshalTraces(before)
	b2, _ := m2.MarshalTraces(td)
	if string(b1) != string(b2) {
		t.Errorf("redaction is not idempotent:\n%s\n%s", b1, b2)
	}
}

func TestCleanSpanUntouched(t *testing.T) {
	r, _ := newTestRedactor(t, nil)
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetName("chat gpt-4o")
	span.Attributes().PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"Paris will be sunny, 21 C."}]}]`)
	span.Attributes().PutInt("count", 3)
	before := ptrace.NewTraces()
	td.CopyTo(before)
	if _, err := r.processTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	if !before.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().Equal(span.Attributes()) {
		t.Errorf("clean span changed: %v", span.Attributes().AsRaw())
	}
	if _, ok := span.Attributes().Get(summaryCountKey); ok {
		t.Errorf("a span without findings must get no summary")
	}
	clean, _ := benchCorpus(3) // span 3 of the corpus is the first with PII; 0-2 are clean
	if n := testing.AllocsPerRun(50, func() { _, _ = r.processTraces(context.Background(), clean) }); n != 0 && !race.Enabled {
		t.Errorf("processing clean agent spans allocates %v times, want 0", n)
	}
}

func TestLogBodyEveryType(t *testing.T) {
	r, _ := newTestRedactor(t, nil)
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("owner", email)
	sl := rl.ScopeLogs().AppendEmpty()
	add := func() plog.LogRecord { return sl.LogRecords().AppendEmpty() }
	add().Body().SetStr("mail " + email)
	add().Body().SetStr(`{"prompt":"card ` + card + `","n":1}`)
	m := add().Body().SetEmptyMap()
	m.PutStr("ssn", ssn)
	m.PutInt("n", 1)
	s := add().Body().SetEmptySlice()
	s.AppendEmpty().SetStr(phone)
	s.AppendEmpty().SetBool(false)
	add().Body().SetInt(4111111111111111)
	add().Body().SetDouble(4.5)
	add().Body().SetBool(true)
	add().Body().SetEmptyBytes().FromRaw([]byte("raw bytes"))
	add() // empty body
	withAttr := add()
	withAttr.Body().SetStr("nothing here")
	withAttr.Attributes().PutStr("client.address", ipv4)

	if _, err := r.processLogs(context.Background(), ld); err != nil {
		t.Fatal(err)
	}
	recs := sl.LogRecords()
	if got := recs.At(0).Body().Str(); got != "mail [REDACTED:EMAIL]" {
		t.Errorf("string body: %q", got)
	}
	if got := recs.At(1).Body().Str(); got != `{"prompt":"card [REDACTED:CREDIT_CARD]","n":1}` {
		t.Errorf("JSON body: %q", got)
	}
	if v, _ := recs.At(2).Body().Map().Get("ssn"); v.Str() != "[REDACTED:US_SSN]" {
		t.Errorf("map body: %q", v.Str())
	}
	if got := recs.At(3).Body().Slice().At(0).Str(); got != "[REDACTED:PHONE]" || recs.At(3).Body().Slice().At(1).Type() != pcommon.ValueTypeBool {
		t.Errorf("slice body: %v", recs.At(3).Body().AsRaw())
	}
	if got := recs.At(4).Body(); got.Type() != pcommon.ValueTypeStr || got.Str() != "[REDACTED:CREDIT_CARD]" {
		t.Errorf("a card number sent as an int must be redacted: %v", got.AsRaw())
	}
	if recs.At(5).Body().Double() != 4.5 || !recs.At(6).Body().Bool() || string(recs.At(7).Body().Bytes().AsRaw()) != "raw bytes" ||
		recs.At(8).Body().Type() != pcommon.ValueTypeEmpty {
		t.Errorf("non-string bodies must be kept")
	}
	if v, _ := recs.At(9).Attributes().Get("client.address"); v.Str() != "[REDACTED:IP_ADDRESS]" {
		t.Errorf("log attribute: %q", v.Str())
	}
	for i, want := range map[int]int64{0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 9: 1} {
		if n, _ := summaryOf(t, recs.At(i).Attributes()); n != want {
			t.Errorf("record %d summary count %d", i, n)
		}
	}
	if n, _ := summaryOf(t, recs.At(5).Attributes()); n != 0 {
		t.Errorf("untouched record got a summary")
	}
	if n, types := summaryOf(t, rl.Resource().Attributes()); n != 1 || !slices.Equal(types, []string{"EMAIL"}) {
		t.Errorf("resource summary %d %v", n, types)
	}
}

func TestMetricDataPoints(t *testing.T) {
	r, tel := newTestRedactor(t, nil)
	md := pmetric.NewMetrics()
	sm := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty()
	var all []pcommon.Map
	m := sm.Metrics().AppendEmpty()
	all = append(all, m.SetEmptyGauge().DataPoints().AppendEmpty().Attributes())
	m = sm.Metrics().AppendEmpty()
	all = append(all, m.SetEmptySum().DataPoints().AppendEmpty().Attributes())
	m = sm.Metrics().AppendEmpty()
	all = append(all, m.SetEmptyHistogram().DataPoints().AppendEmpty().Attributes())
	m = sm.Metrics().AppendEmpty()
	all = append(all, m.SetEmptyExponentialHistogram().DataPoints().AppendEmpty().Attributes())
	m = sm.Metrics().AppendEmpty()
	all = append(all, m.SetEmptySummary().DataPoints().AppendEmpty().Attributes())
	for _, a := range all {
		a.PutStr("user", email)
		a.PutStr("route", "/api/v1/chat")
	}
	if _, err := r.processMetrics(context.Background(), md); err != nil {
		t.Fatal(err)
	}
	for i, a := range all {
		if v, _ := a.Get("user"); v.Str() != "[REDACTED:EMAIL]" {
			t.Errorf("data point %d: %q", i, v.Str())
		}
		if v, _ := a.Get("route"); v.Str() != "/api/v1/chat" {
			t.Errorf("data point %d route changed: %q", i, v.Str())
		}
		if _, ok := a.Get(summaryCountKey); ok {
			t.Errorf("data point %d got summary attributes (would split the series)", i)
		}
	}
	if got := findingsByType(t, tel)["EMAIL"]; got != 5 {
		t.Errorf("findings metric EMAIL = %d, want 5", got)
	}
}

func findingsByType(t *testing.T, tel *componenttest.Telemetry) map[string]int64 {
	t.Helper()
	m, err := tel.GetMetric("otelcol_processor_piiredaction_findings")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		v, _ := dp.Attributes.Value("type")
		out[v.AsString()] += dp.Value
	}
	return out
}

func spanWith(attrs map[string]any) (ptrace.Traces, ptrace.Span) {
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	_ = span.Attributes().FromRaw(attrs)
	return td, span
}

func TestActions(t *testing.T) {
	r, _ := newTestRedactor(t, func(c *Config) {
		c.HMACKey = configopaque.String(testHMACKey)
		c.Detectors = map[string]DetectorConfig{
			"EMAIL":       {Action: "hash"},
			"CREDIT_CARD": {Action: "mask"},
			"PHONE":       {Action: "mask"},
			"US_SSN":      {Action: "drop"},
		}
	})
	td, span := spanWith(map[string]any{
		"user.id":  email,
		"note":     "card " + card + ", call " + phone,
		"tax":      "ssn " + ssn,
		"keep":     "fine",
		"contacts": map[string]any{"ssn": ssn, "ok": 1},
	})
	if _, err := r.processTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	a := span.Attributes()
	uid, _ := a.Get("user.id")
	if !strings.HasPrefix(uid.Str(), "[EMAIL:hmac:") || len(uid.Str()) != len("[EMAIL:hmac:0123456789abcdef]") {
		t.Errorf("hash: %q", uid.Str())
	}
	if v, _ := a.Get("note"); v.Str() != "card **** **** **** 1111, call +*-***-***-2671" {
		t.Errorf("mask: %q", v.Str())
	}
	if _, ok := a.Get("tax"); ok {
		t.Errorf("drop must remove the attribute")
	}
	if c, _ := a.Get("contacts"); c.Map().Len() != 1 {
		t.Errorf("drop must remove nested entries: %v", c.AsRaw())
	}
	if v, _ := a.Get("keep"); v.Str() != "fine" {
		t.Errorf("unrelated attribute changed")
	}
	// Inside a JSON document drop redacts in place instead of discarding the document.
	tdJSON, spanJSON := spanWith(map[string]any{"gen_ai.input.messages": `[{"content":"ssn ` + ssn + `"}]`})
	if _, err := r.processTraces(context.Background(), tdJSON); err != nil {
		t.Fatal(err)
	}
	if v, ok := spanJSON.Attributes().Get("gen_ai.input.messages"); !ok || v.Str() != `[{"content":"ssn [REDACTED:US_SSN]"}]` {
		t.Errorf("drop inside JSON: %q (present %v)", v.Str(), ok)
	}
	// The same person correlates across records without being revealed.
	td2, span2 := spanWith(map[string]any{"user.id": strings.ToUpper(email)})
	if _, err := r.processTraces(context.Background(), td2); err != nil {
		t.Fatal(err)
	}
	if v, _ := span2.Attributes().Get("user.id"); v.Str() != uid.Str() {
		t.Errorf("pseudonyms differ: %q vs %q", v.Str(), uid.Str())
	}
}

func TestKeyRules(t *testing.T) {
	r, _ := newTestRedactor(t, nil)
	td, span := spanWith(map[string]any{
		"db.password":                       "hunter2",
		"http.request.header.authorization": "Basic dXNlcjpwYXNz",
		"http.request.header.cookie":        []any{"sid=abc"},
		"api_key":                           12345,
		"config":                            map[string]any{"client_secret": "x", "region": "eu"},
		"session.id":                        email, // allow-listed: never scanned
		"gen_ai.usage.output_tokens":        128,
		"empty_password":                    "",
		"webhook.signature":                 "Zx81Kq0Lm29Vb7Nt4Rw6Yp3s",
		"gen_ai.tool.token_note":            "short",
	})
	span.Attributes().PutStr("password", "")
	if _, err := r.processTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	a := span.Attributes()
	for _, k := range []string{"db.password", "http.request.header.authorization", "http.request.header.cookie", "api_key"} {
		if v, _ := a.Get(k); v.Type() != pcommon.ValueTypeStr || v.Str() != "[REDACTED:SECRET_KEY]" {
			t.Errorf("%s: %v", k, v.AsRaw())
		}
	}
	if c, _ := a.Get("config"); c.Map().AsRaw()["client_secret"] != "[REDACTED:SECRET_KEY]" || c.Map().AsRaw()["region"] != "eu" {
		t.Errorf("nested secret key: %v", c.AsRaw())
	}
	if v, _ := a.Get("session.id"); v.Str() != email {
		t.Errorf("allow-listed key was changed: %q", v.Str())
	}
	if v, _ := a.Get("webhook.signature"); v.Str() != "[REDACTED:SECRET]" {
		t.Errorf("key-like name with a high-entropy value: %q", v.Str())
	}
	if v, _ := a.Get("gen_ai.tool.token_note"); v.Str() != "short" {
		t.Errorf("low-entropy value under a key-like name must stay: %q", v.Str())
	}
	if v, _ := a.Get("password"); v.Str() != "" {
		t.Errorf("empty secret must stay empty")
	}
	if n, types := summaryOf(t, a); n != 6 || !slices.Equal(types, []string{"SECRET", "SECRET_KEY"}) {
		t.Errorf("summary %d %v", n, types)
	}
}

func TestSummaryMergesWithExisting(t *testing.T) {
	r, _ := newTestRedactor(t, nil)
	td, span := spanWith(map[string]any{"note": email, summaryCountKey: 2, summaryTypesKey: []any{"PHONE", "EMAIL"}})
	if _, err := r.processTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	if n, types := summaryOf(t, span.Attributes()); n != 3 || !slices.Equal(types, []string{"EMAIL", "PHONE"}) {
		t.Errorf("merged summary %d %v", n, types)
	}
	r2, _ := newTestRedactor(t, func(c *Config) { c.Summary = false })
	td, span = spanWith(map[string]any{"note": email})
	if _, err := r2.processTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	if _, ok := span.Attributes().Get(summaryCountKey); ok {
		t.Errorf("summary: false must not add attributes")
	}
}

func TestMalformedInput(t *testing.T) {
	r, tel := newTestRedactor(t, func(c *Config) { c.MaxDepth = 8 })
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	a := span.Attributes()
	a.PutStr("bad_utf8", "\xff\xfe"+email+"\xc3")
	big := strings.Repeat("lorem ipsum dolor sit amet 12345 ", 32*1024) + email
	a.PutStr("big", big)
	deep := a.PutEmptyMap("deep")
	for range 100 {
		deep.PutStr("leak", email)
		deep = deep.PutEmptyMap("child")
	}
	deepJSON := `"` + email + `"`
	for range 100 {
		deepJSON = `{"a":` + deepJSON + `}`
	}
	a.PutStr("deep_json", deepJSON)
	nestedJSON := email
	for range 12 { // each level doubles the escaping
		b, _ := json.Marshal(map[string]string{"v": nestedJSON})
		nestedJSON = string(b)
	}
	a.PutStr("nested_json", nestedJSON)
	if _, err := r.processTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	for k, v := range a.All() {
		mustNotContain(t, k, v.AsString(), email)
	}
	if v, _ := a.Get("deep_json"); !json.Valid([]byte(v.Str())) {
		t.Errorf("deep JSON invalid")
	}
	if v, _ := a.Get("nested_json"); !json.Valid([]byte(v.Str())) {
		t.Errorf("nested JSON invalid")
	}
	if !strings.Contains(a.AsRaw()["deep"].(map[string]any)["child"].(map[string]any)["child"].(map[string]any)["child"].(map[string]any)["child"].(map[string]any)["child"].(map[string]any)["child"].(map[string]any)["child"].(map[string]any)["child"].(string), depthLimitType) {
		t.Errorf("the map beyond max_depth must be replaced by the depth-limit placeholder")
	}
	m, err := tel.GetMetric("otelcol_processor_piiredaction_depth_limited")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Data.(metricdata.Sum[int64]).DataPoints[0].Value; got < 2 {
		t.Errorf("depth_limited = %d, want the map and the nested JSON counted", got)
	}
}

func TestCustomDetectorAndDisabled(t *testing.T) {
	off := false
	r, tel := newTestRedactor(t, func(c *Config) {
		c.Detectors = map[string]DetectorConfig{"IP_ADDRESS": {Enabled: &off}}
		c.CustomDetectors = []CustomDetectorConfig{{Name: "EMPLOYEE_ID", Regex: `EMP-[0-9]{6}`, Keywords: []string{"EMP-"}}}
	})
	td, span := spanWith(map[string]any{"note": "EMP-123456 from " + ipv4})
	if _, err := r.processTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	if v, _ := span.Attributes().Get("note"); v.Str() != "[REDACTED:EMPLOYEE_ID] from "+ipv4 {
		t.Errorf("got %q", v.Str())
	}
	if got := findingsByType(t, tel); got["EMPLOYEE_ID"] != 1 || got["IP_ADDRESS"] != 0 {
		t.Errorf("metric %v", got)
	}
}
