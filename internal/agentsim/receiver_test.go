package agentsim

import (
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
)

// receiver is a real OTLP endpoint (gRPC or HTTP/protobuf) that keeps everything it receives.
type receiver struct {
	mu     sync.Mutex
	spans  []*tracepb.ResourceSpans
	logs   []*logspb.ResourceLogs
	header map[string][]string // of the last request
}

func (r *receiver) addSpans(req *coltracepb.ExportTraceServiceRequest, header map[string][]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.spans = append(r.spans, req.ResourceSpans...)
	r.header = header
}

func (r *receiver) addLogs(req *collogspb.ExportLogsServiceRequest, header map[string][]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, req.ResourceLogs...)
	r.header = header
}

type grpcTraceService struct {
	coltracepb.UnimplementedTraceServiceServer
	r *receiver
}

func (s grpcTraceService) Export(ctx context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	s.r.addSpans(req, incomingMetadata(ctx))
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

type grpcLogsService struct {
	collogspb.UnimplementedLogsServiceServer
	r *receiver
}

func (s grpcLogsService) Export(ctx context.Context, req *collogspb.ExportLogsServiceRequest) (*collogspb.ExportLogsServiceResponse, error) {
	s.r.addLogs(req, incomingMetadata(ctx))
	return &collogspb.ExportLogsServiceResponse{}, nil
}

// startGRPCReceiver returns the receiver and its host:port.
func startGRPCReceiver(t testing.TB) (*receiver, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{}
	srv := grpc.NewServer()
	coltracepb.RegisterTraceServiceServer(srv, grpcTraceService{r: r})
	collogspb.RegisterLogsServiceServer(srv, grpcLogsService{r: r})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return r, lis.Addr().String()
}

// startHTTPReceiver returns the receiver and its host:port, serving /v1/traces and /v1/logs.
func startHTTPReceiver(t testing.TB) (*receiver, string) {
	t.Helper()
	r := &receiver{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/traces", func(w http.ResponseWriter, req *http.Request) {
		var msg coltracepb.ExportTraceServiceRequest
		if !decodeProtobuf(w, req, &msg) {
			return
		}
		r.addSpans(&msg, req.Header)
		writeProtobuf(w, &coltracepb.ExportTraceServiceResponse{})
	})
	mux.HandleFunc("POST /v1/logs", func(w http.ResponseWriter, req *http.Request) {
		var msg collogspb.ExportLogsServiceRequest
		if !decodeProtobuf(w, req, &msg) {
			return
		}
		r.addLogs(&msg, req.Header)
		writeProtobuf(w, &collogspb.ExportLogsServiceResponse{})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return r, srv.Listener.Addr().String()
}

func decodeProtobuf(w http.ResponseWriter, req *http.Request, msg proto.Message) bool {
	var body io.Reader = req.Body
	if req.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return false
		}
		body = gz
	}
	raw, err := io.ReadAll(body)
	if err == nil {
		err = proto.Unmarshal(raw, msg)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

func writeProtobuf(w http.ResponseWriter, msg proto.Message) {
	raw, err := proto.Marshal(msg)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(raw)
}

func incomingMetadata(ctx context.Context) map[string][]string {
	md, _ := metadata.FromIncomingContext(ctx)
	return md
}
