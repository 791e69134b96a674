package piiredactionprocessor

import (
	"context"
	"strings"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/redactionprocessor"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
)

// coverageSpan puts the same email in every place an agent span can carry it.
func coverageSpan() ptrace.Traces {
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetName("notify " + email)
	span.Status().SetMessage("bounced: " + email)
	span.Attributes().PutEmptyMap("customer").PutStr("contact", email)
	span.Attributes().PutEmptySlice("recipients").AppendEmpty().SetStr(email)
	span.Attributes().PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"mail `+email+`"}]}]`)
	ev := span.Events().AppendEmpty()
	ev.SetName("sent to " + email)
	ev.Attributes().PutStr("to", email)
	span.Links().AppendEmpty().Attributes().PutStr("to", email)
	return td
}

// leakedLocations lists where the email survived.
func leakedLocations(td ptrace.Traces) []string {
	span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	var leaks []string
	check := func(where, s string) {
		if strings.Contains(s, email) {
			leaks = append(leaks, where)
		}
	}
	check("span name", span.Name())
	check("status message", span.Status().Message())
	for k, v := range span.Attributes().All() {
		check("attribute "+k, v.AsString())
	}
	check("event name", span.Events().At(0).Name())
	for k, v := range span.Events().At(0).Attributes().All() {
		check("event attribute "+k, v.AsString())
	}
	for k, v := range span.Links().At(0).Attributes().All() {
		check("link attribute "+k, v.AsString())
	}
	return leaks
}

func runOnce(t *testing.T, f processor.Factory, cfg any, td ptrace.Traces) ptrace.Traces {
	t.Helper()
	sink := new(consumertest.TracesSink)
	p, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(f.Type()), cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ConsumeTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	return sink.AllTraces()[0]
}

// TestCoverageVersusContrib records where the contrib redactionprocessor (v0.161.0, configured
// with the benchmark's equivalent patterns) leaves an email that this processor removes.
func TestCoverageVersusContrib(t *testing.T) {
	if leaks := leakedLocations(runOnce(t, NewFactory(), createDefaultConfig(), coverageSpan())); len(leaks) > 0 {
		t.Errorf("piiredaction leaked the email in: %v", leaks)
	}
	f := redactionprocessor.NewFactory()
	cfg := f.CreateDefaultConfig().(*redactionprocessor.Config)
	cfg.AllowAllKeys = true
	cfg.BlockedValues = contribPatterns
	cfg.Summary = "silent"
	leaks := leakedLocations(runOnce(t, f, cfg, coverageSpan()))
	t.Logf("contrib redactionprocessor leaves the email in: %v", leaks)
	if len(leaks) == 0 {
		t.Errorf("contrib now covers every location; update the README comparison")
	}
}
