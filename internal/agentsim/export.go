package agentsim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Give up on an unreachable endpoint after this long instead of the exporters' default minute.
const (
	retryMaxElapsed = 10 * time.Second
	exportTimeout   = 10 * time.Second
)

// exporters are the two OTLP exporters of a run. Every agent's providers share them, so one run
// opens one connection per signal; tally counts what reached the endpoint.
type exporters struct {
	spans sdktrace.SpanExporter
	logs  sdklog.Exporter
	tally *tally
}

// tally counts exported items and keeps the first export error.
type tally struct {
	spans, logs atomic.Int64
	mu          sync.Mutex
	err         error
	failed      chan struct{} // closed on the first error
}

func newTally() *tally { return &tally{failed: make(chan struct{})} }

func (t *tally) record(n int, counter *atomic.Int64, err error) {
	if err == nil {
		counter.Add(int64(n))
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err == nil {
		t.err = err
		close(t.failed)
	}
}

func (t *tally) firstError() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

func newExporters(ctx context.Context, cfg Config) (*exporters, error) {
	t := newTally()
	var spans sdktrace.SpanExporter
	var logs sdklog.Exporter
	var err error
	withScheme := strings.Contains(cfg.Endpoint, "://")
	switch cfg.Protocol {
	case "grpc", "":
		retry := otlptracegrpc.RetryConfig{Enabled: true, InitialInterval: 250 * time.Millisecond, MaxInterval: 2 * time.Second, MaxElapsedTime: retryMaxElapsed}
		traceOpts := []otlptracegrpc.Option{otlptracegrpc.WithHeaders(cfg.Headers), otlptracegrpc.WithTimeout(exportTimeout), otlptracegrpc.WithRetry(retry)}
		logOpts := []otlploggrpc.Option{otlploggrpc.WithHeaders(cfg.Headers), otlploggrpc.WithTimeout(exportTimeout), otlploggrpc.WithRetry(otlploggrpc.RetryConfig(retry))}
		if withScheme {
			traceOpts = append(traceOpts, otlptracegrpc.WithEndpointURL(cfg.Endpoint))
			logOpts = append(logOpts, otlploggrpc.WithEndpointURL(cfg.Endpoint))
		} else {
			traceOpts = append(traceOpts, otlptracegrpc.WithEndpoint(cfg.Endpoint))
			logOpts = append(logOpts, otlploggrpc.WithEndpoint(cfg.Endpoint))
		}
		if cfg.Insecure {
			traceOpts = append(traceOpts, otlptracegrpc.WithInsecure())
			logOpts = append(logOpts, otlploggrpc.WithInsecure())
		}
		if spans, err = otlptracegrpc.New(ctx, traceOpts...); err == nil {
			logs, err = otlploggrpc.New(ctx, logOpts...)
		}
	case "http":
		retry := otlptracehttp.RetryConfig{Enabled: true, InitialInterval: 250 * time.Millisecond, MaxInterval: 2 * time.Second, MaxElapsedTime: retryMaxElapsed}
		traceOpts := []otlptracehttp.Option{otlptracehttp.WithHeaders(cfg.Headers), otlptracehttp.WithTimeout(exportTimeout), otlptracehttp.WithRetry(retry)}
		logOpts := []otlploghttp.Option{otlploghttp.WithHeaders(cfg.Headers), otlploghttp.WithTimeout(exportTimeout), otlploghttp.WithRetry(otlploghttp.RetryConfig(retry))}
		if withScheme {
			traceOpts = append(traceOpts, otlptracehttp.WithEndpointURL(strings.TrimSuffix(cfg.Endpoint, "/")+"/v1/traces"))
			logOpts = append(logOpts, otlploghttp.WithEndpointURL(strings.TrimSuffix(cfg.Endpoint, "/")+"/v1/logs"))
		} else {
			traceOpts = append(traceOpts, otlptracehttp.WithEndpoint(cfg.Endpoint))
			logOpts = append(logOpts, otlploghttp.WithEndpoint(cfg.Endpoint))
		}
		if cfg.Insecure {
			traceOpts = append(traceOpts, otlptracehttp.WithInsecure())
			logOpts = append(logOpts, otlploghttp.WithInsecure())
		}
		if spans, err = otlptracehttp.New(ctx, traceOpts...); err == nil {
			logs, err = otlploghttp.New(ctx, logOpts...)
		}
	default:
		return nil, fmt.Errorf("agentsim: protocol %q: want grpc or http", cfg.Protocol)
	}
	if err != nil {
		if spans != nil {
			_ = spans.Shutdown(ctx)
		}
		return nil, fmt.Errorf("agentsim: create OTLP exporter for %s: %w", cfg.Endpoint, err)
	}
	return &exporters{spans: spans, logs: logs, tally: t}, nil
}

func (e *exporters) shutdown(ctx context.Context) error {
	return errors.Join(e.spans.Shutdown(ctx), e.logs.Shutdown(ctx))
}

// sharedSpanExporter counts exports and ignores Shutdown, which each provider calls: the run shuts the
// underlying exporter down once, after all providers.
type sharedSpanExporter struct {
	sdktrace.SpanExporter
	tally *tally
}

func (e sharedSpanExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	err := e.SpanExporter.ExportSpans(ctx, spans)
	e.tally.record(len(spans), &e.tally.spans, err)
	return err
}

func (e sharedSpanExporter) Shutdown(context.Context) error { return nil }

type sharedLogExporter struct {
	sdklog.Exporter
	tally *tally
}

func (e sharedLogExporter) Export(ctx context.Context, records []sdklog.Record) error {
	err := e.Exporter.Export(ctx, records)
	e.tally.record(len(records), &e.tally.logs, err)
	return err
}

func (e sharedLogExporter) Shutdown(context.Context) error { return nil }
