package piiredactionprocessor

import (
	"context"
	"slices"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// TestPersonAndAddressEverywhere: names and postal addresses are found by key (attributes, nested
// maps, log bodies, JSON inside strings) and in free text (span name, status, events, links), and
// keys that only look alike (tool names, network addresses) are kept.
func TestPersonAndAddressEverywhere(t *testing.T) {
	r, tel := newTestRedactor(t, nil)
	td, span := spanWith(map[string]any{
		"customer_name":   "Nomvula Achterberg",
		"billing_address": "12 Rowan Close, Sheffield S1 2HE",
		"contact":         map[string]any{"name": "Oluwaseun Adeyemi", "role": "buyer"},
		"passengers":      []any{map[string]any{"first_name": "Siobhan", "last_name": "Ní Bhriain"}},
		"gen_ai.tool.call.arguments": `{"customer":{"name":"Tomasz Wiśniewski","address":"Hauptstraße 5, 10115 Berlin"},` +
			`"shipping_address":"8 rue de la Paix, 75002 Paris","name":"search_documents"}`,
		"gen_ai.tool.name": "crm_lookup",
		"server.address":   "api.example.com",
		"note":             "I spoke with Priya Raghunathan yesterday; forward it to Mateus Albuquerque.",
		"plain":            "Flights from Paris to Berlin on Tuesday with Lufthansa; Claude summarised them.",
	})
	span.SetName("call Ingrid Solberg")
	span.Status().SetMessage("delivery to 1600 Amsterdam Avenue failed")
	ev := span.Events().AppendEmpty()
	ev.SetName("handoff")
	ev.Attributes().PutStr("message", "Thanks,\n-- Kwame Mensah")
	span.Links().AppendEmpty().Attributes().PutStr("contact.name", "Yuki Tanaka")
	if _, err := r.processTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	a := span.Attributes()
	want := map[string]string{
		"customer_name":   "[REDACTED:PERSON]",
		"billing_address": "[REDACTED:STREET_ADDRESS]",
		"gen_ai.tool.call.arguments": `{"customer":{"name":"[REDACTED:PERSON]","address":"[REDACTED:STREET_ADDRESS]"},` +
			`"shipping_address":"[REDACTED:STREET_ADDRESS]","name":"search_documents"}`,
		"gen_ai.tool.name": "crm_lookup",
		"server.address":   "api.example.com",
		"note":             "I spoke with [REDACTED:PERSON] yesterday; forward it to [REDACTED:PERSON].",
		"plain":            "Flights from Paris to Berlin on Tuesday with Lufthansa; Claude summarised them.",
	}
	for k, w := range want {
		if v, _ := a.Get(k); v.Str() != w {
			t.Errorf("%s = %q, want %q", k, v.Str(), w)
		}
	}
	if c, _ := a.Get("contact"); c.Map().AsRaw()["name"] != "[REDACTED:PERSON]" || c.Map().AsRaw()["role"] != "buyer" {
		t.Errorf("contact: %v", c.AsRaw())
	}
	p, _ := a.Get("passengers")
	if got := p.Slice().At(0).Map().AsRaw(); got["first_name"] != "[REDACTED:PERSON]" || got["last_name"] != "[REDACTED:PERSON]" {
		t.Errorf("passengers: %v", got)
	}
	mustNotContain(t, "span name", span.Name(), "Ingrid", "Solberg")
	mustNotContain(t, "status", span.Status().Message(), "Amsterdam Avenue", "1600")
	msg, _ := ev.Attributes().Get("message")
	mustNotContain(t, "event", msg.Str(), "Kwame", "Mensah")
	if v, _ := span.Links().At(0).Attributes().Get("contact.name"); v.Str() != "[REDACTED:PERSON]" {
		t.Errorf("link contact.name: %q", v.Str())
	}
	if _, types := summaryOf(t, a); !slices.Contains(types, "PERSON") || !slices.Contains(types, "STREET_ADDRESS") {
		t.Errorf("summary types %v", types)
	}
	if got := findingsByType(t, tel); got["PERSON"] < 9 || got["STREET_ADDRESS"] < 4 {
		t.Errorf("findings metric %v", got)
	}
}

// TestPersonAddressInLogBody covers map bodies and the per-type switches and actions.
func TestPersonAddressInLogBody(t *testing.T) {
	off := false
	r, _ := newTestRedactor(t, func(c *Config) {
		c.Detectors = map[string]DetectorConfig{"STREET_ADDRESS": {Enabled: &off}, "PERSON": {Action: "drop"}}
	})
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	_ = lr.Body().SetEmptyMap().FromRaw(map[string]any{
		"patient_name": "Amara Okafor",
		"address":      "42 Baker Street, London NW1 6XE",
		"text":         "Dr. Chidi Okonkwo will call back.",
		"ok":           "Ward 7 at St Mary's",
	})
	lr2 := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().AppendEmpty()
	lr2.Body().SetStr("Dr. Chidi Okonkwo will call back.")
	if _, err := r.processLogs(context.Background(), ld); err != nil {
		t.Fatal(err)
	}
	body := lr.Body().Map().AsRaw()
	for _, k := range []string{"patient_name", "text"} {
		if _, ok := body[k]; ok {
			t.Errorf("drop must remove the %s entry: %v", k, body)
		}
	}
	if body["address"] != "42 Baker Street, London NW1 6XE" || body["ok"] != "Ward 7 at St Mary's" {
		t.Errorf("STREET_ADDRESS is disabled, address must stay: %v", body)
	}
	if got := lr2.Body().Str(); got != "[REDACTED:PERSON]" {
		t.Errorf("a string body cannot be removed, its content is: %q", got)
	}
	if lr.Body().Type() != pcommon.ValueTypeMap {
		t.Errorf("body type changed")
	}
}

// TestToolAndModelNamesKept: values under keys that name tools and models, and span names written
// by the GenAI conventions, skip the name and address grammars (a tool called "Julia Silva" keeps
// its name) while every other detector still runs there; the same words elsewhere are redacted.
func TestToolAndModelNamesKept(t *testing.T) {
	r, _ := newTestRedactor(t, nil)
	td, span := spanWith(map[string]any{
		"gen_ai.tool.name":           "Julia Silva",
		"gen_ai.request.model":       "Claude Sonnet 4",
		"gen_ai.agent.name":          "Victoria Station Planner",
		"code.function.name":         "Send-email",
		"gen_ai.tool.call.arguments": `{"tool_name":"Julia Silva","note":"ask Julia Silva"}`,
		"tool_name":                  "lookup jane@example.com",
		"note":                       "Please ask Julia Silva.",
	})
	span.SetName("execute_tool Julia Silva")
	if _, err := r.processTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	a := span.Attributes()
	for k, w := range map[string]string{
		"gen_ai.tool.name":           "Julia Silva",
		"gen_ai.request.model":       "Claude Sonnet 4",
		"gen_ai.agent.name":          "Victoria Station Planner",
		"code.function.name":         "Send-email",
		"gen_ai.tool.call.arguments": `{"tool_name":"Julia Silva","note":"ask [REDACTED:PERSON]"}`,
		"tool_name":                  "lookup [REDACTED:EMAIL]",
		"note":                       "Please ask [REDACTED:PERSON].",
	} {
		if v, _ := a.Get(k); v.Str() != w {
			t.Errorf("%s = %q, want %q", k, v.Str(), w)
		}
	}
	if span.Name() != "execute_tool Julia Silva" {
		t.Errorf("GenAI span name changed: %q", span.Name())
	}
}
