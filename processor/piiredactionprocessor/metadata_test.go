package piiredactionprocessor

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/metadatatest"
	"github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor/internal/detect"
	"github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor/internal/metadata"
)

// TestMetadataDocumentationAndTelemetryAgree keeps metadata.yaml, documentation.md, README.md, the
// factory and the instruments the processor registers and emits in agreement.
func TestMetadataDocumentationAndTelemetryAgree(t *testing.T) {
	md := metadatatest.CheckComponent(t, ".", NewFactory())
	engine, err := detect.New(detect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	metadatatest.CheckRegistered(t, md, metadata.ScopeName, func(set component.TelemetrySettings) error {
		_, err := newTelemetry(set, engine)
		return err
	})

	// What a run emits: a finding and a value nested beyond max_depth.
	r, tel := newTestRedactor(t, func(c *Config) { c.MaxDepth = 2 })
	td := ptrace.NewTraces()
	a := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().Attributes()
	a.PutStr("contact", "write to jane.doe@example.com")
	a.PutEmptyMap("deep").PutEmptyMap("child").PutEmptyMap("child").PutStr("v", "x")
	if _, err := r.processTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	seen := metadatatest.CheckEmitted(t, md, metadata.ScopeName, metadatatest.Collect(t, tel))
	for _, name := range []string{"otelcol_processor_piiredaction_findings", "otelcol_processor_piiredaction_depth_limited"} {
		if !seen[name] {
			t.Errorf("%s not emitted", name)
		}
	}
}
