package piiredactionprocessor

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"
)

func TestFactory(t *testing.T) {
	f := NewFactory()
	if f.Type().String() != "piiredaction" {
		t.Fatalf("type %q", f.Type())
	}
	cfg := f.CreateDefaultConfig()
	if err := componenttest.CheckConfigStruct(cfg); err != nil {
		t.Fatal(err)
	}
	set := processortest.NewNopSettings(f.Type())
	ctx := context.Background()
	tp, err := f.CreateTraces(ctx, set, cfg, consumertest.NewNop())
	if err != nil || tp == nil || !tp.Capabilities().MutatesData {
		t.Fatalf("traces: %v", err)
	}
	mp, err := f.CreateMetrics(ctx, set, cfg, consumertest.NewNop())
	if err != nil || mp == nil {
		t.Fatalf("metrics: %v", err)
	}
	sink := new(consumertest.LogsSink)
	lp, err := f.CreateLogs(ctx, set, cfg, sink)
	if err != nil {
		t.Fatalf("logs: %v", err)
	}
	if err := lp.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("write to jane@example.com")
	if err := lp.ConsumeLogs(ctx, ld); err != nil {
		t.Fatal(err)
	}
	if got := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Str(); got != "write to [REDACTED:EMAIL]" {
		t.Errorf("pipeline output %q", got)
	}
	for _, p := range []interface{ Shutdown(context.Context) error }{tp, mp, lp} {
		if err := p.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFactoryRejectsInvalidConfig(t *testing.T) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Action = "hash"
	if _, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(f.Type()), cfg, consumertest.NewNop()); err == nil {
		t.Fatal("hash without an HMAC key must not start")
	}
}
