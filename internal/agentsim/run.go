package agentsim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of everything Run emits.
const ScopeName = "github.com/agentaudit/otelcol-agentaudit/internal/agentsim"

// ServiceVersion is the service.version resource attribute.
const ServiceVersion = "0.1.0"

// The log batch processor drops records when its queue is full, so Run flushes once this many are
// waiting: every planned record must arrive.
const (
	logQueueSize    = 8192
	logFlushBacklog = logQueueSize / 2
)

// Stats counts what Run emitted and what the endpoint accepted.
type Stats struct {
	Sessions      int
	Spans         int
	Logs          int
	SpansExported int
	LogsExported  int
	Elapsed       time.Duration
}

// Run emits Plan(cfg) and returns once everything is exported and the SDK is shut down. It fails when
// an export failed, e.g. because the endpoint is unreachable.
func Run(ctx context.Context, cfg Config) (Stats, error) {
	planner := newPlanner(cfg)
	exp, err := newExporters(ctx, cfg)
	if err != nil {
		return Stats{}, err
	}
	providers := map[string]*agentProviders{}
	for _, p := range planner.agents {
		providers[p.Name] = newAgentProviders(p.Agent, exp)
	}

	began := time.Now()
	stats := Stats{}
	progress := newProgressReporter(cfg.Progress, cfg.Sessions, began)
	var runErr error
	for i := range cfg.Sessions {
		if err := waitTurn(ctx, cfg.Rate, began, i); err != nil {
			runErr = err
			break
		}
		if exp.tally.firstError() != nil {
			break // the endpoint is failing: stop emitting into a backlog that can't drain
		}
		s := planner.session(i)
		p := providers[s.Agent.Name]
		emitSession(ctx, p, s, cfg.Logs, time.Now())
		stats.Sessions++
		stats.Spans += s.SpanCount()
		if cfg.Logs {
			stats.Logs += s.LogCount()
			if int64(stats.Logs)-exp.tally.logs.Load() >= logFlushBacklog {
				for _, p := range providers {
					_ = p.logs.ForceFlush(ctx) // an export error lands in the tally
				}
			}
		}
		progress.update(stats.Sessions)
	}

	// Flush with a fresh context: a cancelled run still delivers what it emitted.
	flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*retryMaxElapsed+5*time.Second)
	defer cancel()
	// Once an export has failed after its retries the run has failed: don't wait out the others.
	go func() {
		select {
		case <-exp.tally.failed:
			cancel()
		case <-flushCtx.Done():
		}
	}()
	shutdownErr := errors.Join(shutdownProviders(flushCtx, providers), exp.shutdown(flushCtx))
	stats.SpansExported = int(exp.tally.spans.Load())
	stats.LogsExported = int(exp.tally.logs.Load())
	stats.Elapsed = time.Since(began)
	progress.done(stats)

	if err := exp.tally.firstError(); err != nil {
		return stats, fmt.Errorf("agentsim: export to %s (%s) failed: %w", cfg.Endpoint, cfg.Protocol, err)
	}
	if runErr != nil {
		return stats, runErr
	}
	if stats.SpansExported != stats.Spans || stats.LogsExported != stats.Logs {
		lost := fmt.Errorf("agentsim: exported %d/%d spans and %d/%d log records",
			stats.SpansExported, stats.Spans, stats.LogsExported, stats.Logs)
		return stats, errors.Join(lost, shutdownErr)
	}
	return stats, nil
}

// shutdownProviders flushes all providers at once, so an unreachable endpoint costs one retry period,
// not one per provider.
func shutdownProviders(ctx context.Context, providers map[string]*agentProviders) error {
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(providers))
	for _, p := range providers {
		wg.Go(func() { errs <- p.traces.Shutdown(ctx) })
		wg.Go(func() { errs <- p.logs.Shutdown(ctx) })
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

// waitTurn paces session i to cfg.Rate sessions per second from began.
func waitTurn(ctx context.Context, rate float64, began time.Time, i int) error {
	if rate <= 0 {
		return ctx.Err()
	}
	due := began.Add(time.Duration(float64(i) / rate * float64(time.Second)))
	wait := time.Until(due)
	if wait <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// agentProviders emit for one agent: the resource (service.name) is per provider.
type agentProviders struct {
	traces *sdktrace.TracerProvider
	logs   *sdklog.LoggerProvider
	tracer trace.Tracer
	logger otellog.Logger
}

func newAgentProviders(a Agent, exp *exporters) *agentProviders {
	res := resource.NewSchemaless(
		attribute.String("service.name", "agentsim-"+a.Name),
		attribute.String("service.version", ServiceVersion),
		attribute.String("service.instance.id", a.InstanceID),
	)
	traces := sdktrace.NewTracerProvider(
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		// Blocking: at full speed the emitter waits for the exporter instead of dropping spans.
		sdktrace.WithBatcher(sharedSpanExporter{exp.spans, exp.tally}, sdktrace.WithBlocking()),
	)
	logs := sdklog.NewLoggerProvider(
		sdklog.WithResource(res),
		sdklog.WithProcessor(sdklog.NewBatchProcessor(sharedLogExporter{exp.logs, exp.tally}, sdklog.WithMaxQueueSize(logQueueSize))),
	)
	return &agentProviders{
		traces: traces, logs: logs,
		tracer: traces.Tracer(ScopeName),
		logger: logs.Logger(ScopeName),
	}
}

// emitSession emits s so that it ends at end: the spans carry the planned timestamps, nothing sleeps.
func emitSession(ctx context.Context, p *agentProviders, s Session, withLogs bool, end time.Time) {
	start := end.Add(-s.Duration)
	at := start.Add
	common := []attribute.KeyValue{
		attribute.String("gen_ai.conversation.id", s.ID),
		attribute.String("session.id", s.ID),
		attribute.String("user.id", s.UserID),
	}

	ctx, root := p.tracer.Start(ctx, "invoke_agent "+s.Agent.Name,
		trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithTimestamp(start),
		trace.WithAttributes(common...),
		trace.WithAttributes(
			attribute.String("gen_ai.operation.name", "invoke_agent"),
			attribute.String("gen_ai.agent.name", s.Agent.Name),
			attribute.String("gen_ai.agent.id", s.Agent.ID),
			attribute.String("gen_ai.agent.version", s.Agent.Version),
			attribute.String("gen_ai.provider.name", s.Agent.Provider),
		))
	for _, t := range s.Turns {
		for i, c := range t.Chats {
			emitChat(ctx, p.tracer, s, c, at, common)
			if i == 0 && withLogs {
				emitLog(ctx, p.logger, s, "agent.reasoning", at(t.Reasoning.At), attribute.MapValue(
					attribute.String("thought", t.Reasoning.Thought),
					attribute.StringSlice("plan", t.Reasoning.Plan),
					attribute.Float64("confidence", t.Reasoning.Confidence),
				))
			}
			if i == 0 {
				for _, tc := range t.ToolCalls {
					emitToolCall(ctx, p.tracer, tc, at, common)
				}
			}
		}
	}
	root.End(trace.WithTimestamp(at(s.Duration)))
}

func emitChat(ctx context.Context, tracer trace.Tracer, s Session, c Chat, at func(time.Duration) time.Time, common []attribute.KeyValue) {
	_, span := tracer.Start(ctx, "chat "+c.Model,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithTimestamp(at(c.Start)),
		trace.WithAttributes(common...),
		trace.WithAttributes(
			attribute.String("gen_ai.operation.name", "chat"),
			attribute.String("gen_ai.provider.name", s.Agent.Provider),
			attribute.String("gen_ai.request.model", c.Model),
			attribute.String("gen_ai.response.model", c.ResponseModel),
			attribute.String("gen_ai.response.id", c.ResponseID),
			attribute.StringSlice("gen_ai.response.finish_reasons", []string{c.FinishReason}),
			attribute.Int("gen_ai.usage.input_tokens", c.InputTokens),
			attribute.Int("gen_ai.usage.output_tokens", c.OutputTokens),
			attribute.String("gen_ai.system_instructions", mustJSON(c.Instructions)),
			attribute.String("gen_ai.input.messages", mustJSON(c.Input)),
			attribute.String("gen_ai.output.messages", mustJSON(c.Output)),
		))
	span.End(trace.WithTimestamp(at(c.Start + c.Duration)))
}

func emitToolCall(ctx context.Context, tracer trace.Tracer, tc ToolCall, at func(time.Duration) time.Time, common []attribute.KeyValue) {
	attrs := append([]attribute.KeyValue{
		attribute.String("gen_ai.operation.name", "execute_tool"),
		attribute.String("gen_ai.tool.name", tc.Name),
		attribute.String("gen_ai.tool.call.id", tc.CallID),
		attribute.String("gen_ai.tool.type", "function"),
		attribute.String("gen_ai.tool.call.arguments", mustJSON(tc.Arguments)),
	}, common...)
	if tc.Result != nil {
		attrs = append(attrs, attribute.String("gen_ai.tool.call.result", mustJSON(tc.Result)))
	}
	if tc.RetryAttempt > 0 {
		attrs = append(attrs, attribute.Int("agent.retry.attempt", tc.RetryAttempt))
	}
	if tc.Error != "" {
		attrs = append(attrs, attribute.String("error.type", tc.ErrorType))
	}
	_, span := tracer.Start(ctx, "execute_tool "+tc.Name,
		trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithTimestamp(at(tc.Start)),
		trace.WithAttributes(attrs...))
	end := at(tc.Start + tc.Duration)
	if tc.Error != "" {
		span.AddEvent("exception", trace.WithTimestamp(end), trace.WithAttributes(
			attribute.String("exception.type", tc.ErrorType),
			attribute.String("exception.message", tc.Error),
			attribute.String("exception.stacktrace", tc.Stacktrace),
		))
		span.SetStatus(codes.Error, tc.Error)
	}
	span.End(trace.WithTimestamp(end))
}

func emitLog(ctx context.Context, logger otellog.Logger, s Session, event string, at time.Time, body attribute.Value) {
	var r otellog.Record
	r.SetEventName(event)
	r.SetTimestamp(at)
	r.SetSeverity(otellog.SeverityInfo)
	r.SetSeverityText("INFO")
	r.SetBody(body)
	r.AddAttributes(
		attribute.String("session.id", s.ID),
		attribute.String("user.id", s.UserID),
		attribute.String("gen_ai.agent.name", s.Agent.Name),
	)
	logger.Emit(ctx, r) // ctx holds the root span: the record carries its trace and span id
}

// mustJSON encodes v without HTML escaping, so text such as "Account > Payment" reads as written.
func mustJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // plans hold only JSON-safe values
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
