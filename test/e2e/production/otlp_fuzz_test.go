package production

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/mapping"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor"
)

// The OTLP path in process, as the gateway runs it: an OTLP/HTTP body (protobuf or JSON, as the
// receiver decodes it) → piiredaction → mapping → canonical record bytes and chain hash, and every
// record valid against the audit record schema. Whatever bytes arrive, nothing may panic and no
// invalid record may come out.

// otlpPath holds the in-process pipeline of one fuzz target.
type otlpPath struct {
	traces processor.Traces
	logs   processor.Logs
	sinkT  *consumertest.TracesSink
	sinkL  *consumertest.LogsSink
	mapper *mapping.Mapper
}

func newOTLPPath(f testing.TB) *otlpPath {
	f.Helper()
	factory := piiredactionprocessor.NewFactory()
	set := processortest.NewNopSettings(factory.Type())
	p := &otlpPath{
		sinkT: new(consumertest.TracesSink), sinkL: new(consumertest.LogsSink),
		mapper: mapping.New(mapping.Options{MaxContentBytes: 1024}),
	}
	var err error
	ctx := context.Background()
	if p.traces, err = factory.CreateTraces(ctx, set, factory.CreateDefaultConfig(), p.sinkT); err != nil {
		f.Fatal(err)
	}
	if p.logs, err = factory.CreateLogs(ctx, set, factory.CreateDefaultConfig(), p.sinkL); err != nil {
		f.Fatal(err)
	}
	host := componenttest.NewNopHost()
	if err := p.traces.Start(ctx, host); err != nil {
		f.Fatal(err)
	}
	if err := p.logs.Start(ctx, host); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = p.traces.Shutdown(ctx); _ = p.logs.Shutdown(ctx) })
	return p
}

// checkRecords encodes and chains every record and validates it against the schema.
func checkRecords(t *testing.T, recs []*auditrecord.Record) {
	prev := ""
	for _, r := range recs {
		content, err := auditrecord.ContentHashInput(r)
		if err != nil {
			t.Fatalf("chain hash of record %s: %v", r.RecordID, err)
		}
		prev = objectstore.LinkHash(prev, content)
		line, err := auditrecord.MarshalRecord(r)
		if err != nil {
			t.Fatalf("encode record %s: %v", r.RecordID, err)
		}
		if err := auditrecord.ValidateJSON(line); err != nil {
			t.Fatalf("record violates the schema: %v\n%s", err, line)
		}
	}
}

// splitEncoding mirrors how the receiver picks a decoder: the first byte of the fuzz input picks protobuf or
// JSON (the Content-Type), the rest is the body.
func splitEncoding(data []byte) (json bool, body []byte) {
	if len(data) == 0 {
		return false, nil
	}
	return data[0]&1 == 1, data[1:]
}

func FuzzOTLPTracesPath(f *testing.F) {
	for b := range 3 {
		req := ptraceotlp.NewExportRequestFromTraces(chatTraces(b, b+1))
		pb, _ := req.MarshalProto()
		js, _ := req.MarshalJSON()
		f.Add(append([]byte{0}, pb...))
		f.Add(append([]byte{1}, js...))
	}
	path := newOTLPPath(f)
	observed := time.Unix(1_700_000_000, 0)
	f.Fuzz(func(t *testing.T, data []byte) {
		isJSON, body := splitEncoding(data)
		req := ptraceotlp.NewExportRequest()
		var err error
		if isJSON {
			err = req.UnmarshalJSON(body)
		} else {
			err = req.UnmarshalProto(body)
		}
		if err != nil {
			return // the receiver answers 400 and nothing goes further
		}
		path.sinkT.Reset()
		if err := path.traces.ConsumeTraces(context.Background(), req.Traces()); err != nil {
			return // refused by the processor: the client gets the error
		}
		for _, td := range path.sinkT.AllTraces() {
			recs, _ := path.mapper.MapTraces(td, observed)
			checkRecords(t, recs)
		}
	})
}

func FuzzOTLPLogsPath(f *testing.F) {
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetEventName("gen_ai.user.message")
	lr.SetTraceID(traceID(1, 0))
	lr.SetSpanID(spanID(1, 0))
	lr.Attributes().PutStr("session.id", "s-1")
	lr.Body().SetEmptyMap().PutStr("content", "mail jane.doe@example.com, card "+plantedPII[0])
	req := plogotlp.NewExportRequestFromLogs(ld)
	pb, _ := req.MarshalProto()
	js, _ := req.MarshalJSON()
	f.Add(append([]byte{0}, pb...))
	f.Add(append([]byte{1}, js...))
	path := newOTLPPath(f)
	observed := time.Unix(1_700_000_000, 0)
	f.Fuzz(func(t *testing.T, data []byte) {
		isJSON, body := splitEncoding(data)
		req := plogotlp.NewExportRequest()
		var err error
		if isJSON {
			err = req.UnmarshalJSON(body)
		} else {
			err = req.UnmarshalProto(body)
		}
		if err != nil {
			return
		}
		path.sinkL.Reset()
		if err := path.logs.ConsumeLogs(context.Background(), req.Logs()); err != nil {
			return
		}
		for _, ld := range path.sinkL.AllLogs() {
			recs, _ := path.mapper.MapLogs(ld, observed)
			checkRecords(t, recs)
		}
	})
}
