package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/agentaudit/otelcol-agentaudit/internal/agentsim"
)

// recording is agentsim's traffic as it went over the wire: every OTLP/gRPC trace export request,
// encoded. Generating telemetry through the OpenTelemetry SDK costs about as much CPU as a
// collector spends on it, and on a shared machine that cost would be taken from whichever
// collector is measured; replaying the recorded requests leaves the machine to the collector.
type recording struct {
	requests [][]byte
	spans    int
}

// record runs agentsim against an in-process OTLP/gRPC endpoint that keeps every request.
func record(sessions int) (*recording, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := grpc.NewServer()
	rec := &recorder{}
	coltracepb.RegisterTraceServiceServer(srv, rec)
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	stats, err := agentsim.Run(context.Background(), agentsim.Config{
		Endpoint: lis.Addr().String(), Protocol: "grpc", Insecure: true, Sessions: sessions, Users: 50, Seed: 1,
	})
	if err != nil {
		return nil, fmt.Errorf("agentsim: %w", err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.spans != stats.Spans {
		return nil, fmt.Errorf("recorded %d spans, agentsim sent %d", rec.spans, stats.Spans)
	}
	return &recording{requests: rec.requests, spans: rec.spans}, nil
}

type recorder struct {
	coltracepb.UnimplementedTraceServiceServer
	mu       sync.Mutex
	requests [][]byte
	spans    int
}

func (r *recorder) Export(_ context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	raw, err := proto.Marshal(req)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			n += len(ss.Spans)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, raw)
	r.spans += n
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

// replaySenders is how many export calls are in flight at once, as an SDK with several
// processors (agentsim runs one per agent) would have.
const replaySenders = 4

// replay sends every recorded request to endpoint as fast as the collector accepts them. A
// request refused with a retryable status (a full queue, the memory limiter) is sent again after
// a short pause, as an OTLP exporter would.
func replay(ctx context.Context, endpoint string, rec *recording) error {
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	var next atomic.Int64
	errs := make(chan error, replaySenders)
	for range replaySenders {
		go func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(rec.requests) {
					errs <- nil
					return
				}
				if err := sendUntilAccepted(ctx, conn, rec.requests[i]); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var first error
	for range replaySenders {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if err := conn.Close(); err != nil && first == nil {
		first = err
	}
	return first
}

const exportMethod = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"

func sendUntilAccepted(ctx context.Context, conn *grpc.ClientConn, request []byte) error {
	for {
		var resp rawMessage
		err := conn.Invoke(ctx, exportMethod, rawMessage(request), &resp, grpc.ForceCodec(rawCodec{}))
		switch status.Code(err) {
		case codes.OK:
			return nil
		case codes.Unavailable, codes.ResourceExhausted, codes.Aborted, codes.DeadlineExceeded:
			time.Sleep(5 * time.Millisecond)
		default:
			return err
		}
		if ctx.Err() != nil {
			return errors.Join(ctx.Err(), err)
		}
	}
}

// rawMessage is an already encoded protobuf message; rawCodec passes it through untouched, so
// replaying costs the driver no encoding.
type rawMessage []byte

type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) ([]byte, error) {
	m, ok := v.(rawMessage)
	if !ok {
		return nil, fmt.Errorf("rawCodec: cannot marshal %T", v)
	}
	return m, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	m, ok := v.(*rawMessage)
	if !ok {
		return fmt.Errorf("rawCodec: cannot unmarshal into %T", v)
	}
	*m = append((*m)[:0], data...)
	return nil
}
