package production

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"github.com/agentaudit/otelcol-agentaudit/internal/agentsim"
	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/esstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/collectortest"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/searchengine"
)

// OTLP delivery is at least once. These tests resend one agent export as SDKs, sidecars and
// replayed queues do, and check that what auditctl shows (timeline, user, sessions, stats) equals a
// single send, on the file, S3 and search-engine stores.

// captureServer is an OTLP gRPC traces endpoint that keeps what it receives.
type captureServer struct {
	ptraceotlp.UnimplementedGRPCServer
	mu       sync.Mutex
	requests []ptrace.Traces
}

func (c *captureServer) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	td := ptrace.NewTraces()
	req.Traces().CopyTo(td)
	c.mu.Lock()
	c.requests = append(c.requests, td)
	c.mu.Unlock()
	return ptraceotlp.NewExportResponse(), nil
}

// agentExport is what agentsim's OTLP exporter sends for a few sessions of several users (agent
// runs, model calls, tool calls, failures), captured once so that it can be sent again unchanged.
func agentExport(t *testing.T) (requests []ptrace.Traces, spans int) {
	t.Helper()
	return captureAgentsim(t, agentsim.Config{Sessions: 4, Users: 2, Seed: 17})
}

// captureAgentsim captures what agentsim's OTLP/gRPC exporter sends for cfg (its endpoint is set here).
func captureAgentsim(t *testing.T, cfg agentsim.Config) (requests []ptrace.Traces, spans int) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	capture := &captureServer{}
	ptraceotlp.RegisterGRPCServer(srv, capture)
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	cfg.Endpoint, cfg.Protocol, cfg.Insecure = lis.Addr().String(), "grpc", true
	stats, err := agentsim.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("agentsim: %v", err)
	}
	capture.mu.Lock()
	defer capture.mu.Unlock()
	for _, td := range capture.requests {
		spans += td.SpanCount()
	}
	if spans != stats.Spans || spans == 0 {
		t.Fatalf("captured %d spans, agentsim sent %d", spans, stats.Spans)
	}
	return capture.requests, spans
}

// sendAll sends every request of an export.
func sendAll(t *testing.T, send func(ptrace.Traces) error, requests []ptrace.Traces) {
	t.Helper()
	for i, td := range requests {
		if err := send(td); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
}

// auditctlViews renders what auditctl sessions, timeline (every session), user (every user) and
// stats tools/errors/volume print, from the same query functions auditctl calls.
func auditctlViews(t *testing.T, r store.Reader) map[string]string {
	t.Helper()
	ctx := context.Background()
	views := map[string]string{}
	render := func(name string, tb query.Table, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var b bytes.Buffer
		if err := tb.Write(&b); err != nil {
			t.Fatal(err)
		}
		views[name] = b.String()
	}
	sessions, err := query.Sessions(ctx, r, store.Query{}, nil)
	render("sessions", query.SessionsTable(sessions), err)
	users := map[string]bool{}
	for _, s := range sessions {
		recs, err := query.Records(ctx, r, store.Query{SessionID: s.SessionID}, nil)
		render("timeline "+s.SessionID, query.TimelineTable(recs, false), err)
		users[s.UserID] = true
	}
	for u := range users {
		recs, err := query.Records(ctx, r, store.Query{UserID: u}, nil)
		render("user "+u, query.TimelineTable(recs, true), err)
	}
	tools, err := query.ToolStats(ctx, r, store.Query{}, nil)
	render("stats tools", query.ToolStatsTable(tools), err)
	errs, err := query.ErrorStats(ctx, r, store.Query{}, query.ByHour, nil)
	render("stats errors", query.ErrorStatsTable(errs), err)
	vol, err := query.VolumeStats(ctx, r, store.Query{}, query.ByHour, query.DefaultSpikeFactor, nil)
	render("stats volume", query.VolumeStatsTable(vol), err)
	return views
}

func assertSameViews(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if got[n] != want[n] {
			t.Errorf("%s: auditctl %s differs from a single send:\ngot:\n%s\nwant:\n%s", what, n, got[n], want[n])
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d views, a single send gives %d", what, len(got), len(want))
	}
}

// storedCount counts the records a store holds, every copy included.
func storedCount(t *testing.T, r store.Reader) int {
	t.Helper()
	n := 0
	if err := r.Scan(context.Background(), store.Query{}, func(*auditrecord.Record) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitExported waits until the collector's agentaudit exporter has exported at least spans spans
// since it started.
func waitExported(t *testing.T, c *collectortest.Collector, exporter string, spans int) {
	t.Helper()
	if !waitFor(90*time.Second, func() bool {
		return metricSum(t, c.Metrics(), "otelcol_exporter_sent_spans", `exporter="`+exporter+`"`) >= float64(spans)
	}) {
		t.Fatalf("%s exported fewer than %d spans\n%s", exporter, spans, c.Logs())
	}
}

// resendTarget is one store behind a shipped config.
type resendTarget struct {
	config string
	env    map[string]string
	reader store.Reader
	// refresh makes what was written visible to readers (the search engine's refresh).
	refresh func()
	// objectStore: file and S3. They keep a second copy of a record another instance writes again
	// (the search engine writes each record_id once), and the exporter seeds its dedup window from
	// their last objects at start (the search engine needs no seeding).
	objectStore bool
}

// runResend sends one agent export to a collector on target, resends it seconds later, restarts
// the collector and resends it again, then sends it once more through a second collector instance
// writing to the same store (a retry the load balancer sent to another gateway): every auditctl
// view equals the one after the first send. The exporter's dedup window drops the resends to the
// same instance, before and after the restart (it is seeded from the store's last objects); the
// second instance stores the records again where the store keeps copies, and readers count them
// once.
func runResend(t *testing.T, target resendTarget) {
	requests, spans := agentExport(t)
	c := collectortest.Start(t, collectortest.Options{Config: configPath(t, target.config), Env: target.env})
	conn := dialGRPC(t, c.GRPCEndpoint, nil)
	send := func(td ptrace.Traces) error { return exportGRPC(context.Background(), conn, "", td) }
	settle := func(c *collectortest.Collector, exported int) {
		waitExported(t, c, "agentaudit", exported)
		if target.refresh != nil {
			target.refresh()
		}
	}
	assertDropped := func(what string, c *collectortest.Collector, want int) {
		if dropped := metricSum(t, c.Metrics(), "otelcol_exporter_agentaudit_duplicate_records_dropped", ""); dropped != float64(want) {
			t.Errorf("%s: otelcol_exporter_agentaudit_duplicate_records_dropped = %v, want %d", what, dropped, want)
		}
	}

	sendAll(t, send, requests)
	settle(c, spans)
	once := auditctlViews(t, target.reader)
	stored := storedCount(t, target.reader)
	if stored == 0 || len(once) < 5 {
		t.Fatalf("the first send stored %d records, %d views", stored, len(once))
	}

	time.Sleep(3 * time.Second)
	sendAll(t, send, requests)
	settle(c, 2*spans)
	assertSameViews(t, "resent 3 s later", auditctlViews(t, target.reader), once)
	if n := storedCount(t, target.reader); n != stored {
		t.Errorf("resent 3 s later: %d records stored, %d after the first send: the dedup window should drop the copies", n, stored)
	}
	assertDropped("resent 3 s later", c, stored)

	c.Restart()
	sendAll(t, send, requests)
	settle(c, spans)
	assertSameViews(t, "resent after a restart", auditctlViews(t, target.reader), once)
	if n := storedCount(t, target.reader); n != stored {
		t.Errorf("resent after a restart: %d records stored, want %d (the window is seeded from the store)", n, stored)
	}
	if target.objectStore {
		assertDropped("resent after a restart", c, stored)
	}

	// A second instance: its own instance_id (chains), its own queue and identity-hold directories.
	overlay := writeFile(t, t.TempDir(), "second-instance.yaml", fmt.Sprintf(`extensions:
  spool_storage/queue:
    directory: %[1]s
exporters:
  agentaudit:
    instance_id: second-instance
    identity:
      directory: %[2]s
`, filepath.Join(t.TempDir(), "queue"), filepath.Join(t.TempDir(), "hold")))
	second := collectortest.Start(t, collectortest.Options{
		Config: configPath(t, target.config), ExtraConfigs: []string{overlay},
		Env: target.env, DataDir: c.DataDir,
	})
	secondConn := dialGRPC(t, second.GRPCEndpoint, nil)
	sendAll(t, func(td ptrace.Traces) error { return exportGRPC(context.Background(), secondConn, "", td) }, requests)
	settle(second, spans)
	assertSameViews(t, "resent to a second instance", auditctlViews(t, target.reader), once)
	want := stored
	if target.objectStore {
		want = 2 * stored
	}
	if n := storedCount(t, target.reader); n != want {
		t.Errorf("resent to a second instance: %d records stored, want %d", n, want)
	}
	t.Logf("%s: %d spans sent four times → %d distinct records; %d records stored; every auditctl view (%d) equals a single send",
		target.config, spans, stored, want, len(once))
}

func TestResentExportCountsOnceOnTheFileStore(t *testing.T) {
	dir := t.TempDir()
	runResend(t, resendTarget{
		config:      "local.yaml",
		env:         map[string]string{"AGENTAUDIT_DATA_DIR": dir},
		reader:      collectortest.OpenFileStore(t, dir),
		objectStore: true,
	})
}

func TestResentExportCountsOnceOnS3(t *testing.T) {
	s3t := startS3(t)
	env := s3t.env(s3t.srv.Endpoint)
	env["AGENTAUDIT_QUEUE_DIR"] = filepath.Join(t.TempDir(), "queue")
	env["AGENTAUDIT_IDENTITY_DIR"] = filepath.Join(t.TempDir(), "hold")
	env["AGENTAUDIT_INSTANCE_ID"] = "resend-test"
	runResend(t, resendTarget{
		config:      "s3.yaml",
		env:         env,
		reader:      objectstore.New(s3t.backend, objectstore.Options{}, store.Settings{}),
		objectStore: true,
	})
}

func TestResentExportCountsOnceOnTheSearchEngine(t *testing.T) {
	url, _, _ := searchengine.Start(t)
	cfg := esstore.NewDefaultConfig()
	cfg.Endpoints, cfg.Flavor = []string{url}, searchengine.Flavor()
	cfg.DeadLetter.Directory = t.TempDir()
	reader, err := esstore.New(cfg, store.Settings{InstanceID: "reader"})
	if err != nil {
		t.Fatal(err)
	}
	if err := reader.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reader.Shutdown(context.Background()) })
	runResend(t, resendTarget{
		config: "elasticsearch.yaml",
		env: map[string]string{
			"AGENTAUDIT_ES_URL":             url,
			"AGENTAUDIT_ES_FLAVOR":          searchengine.Flavor(),
			"AGENTAUDIT_ES_DEAD_LETTER_DIR": t.TempDir(),
			"AGENTAUDIT_QUEUE_DIR":          filepath.Join(t.TempDir(), "queue"),
			"AGENTAUDIT_IDENTITY_DIR":       filepath.Join(t.TempDir(), "hold"),
			"AGENTAUDIT_INSTANCE_ID":        "resend-test",
		},
		reader: reader,
		refresh: func() {
			resp, err := http.Post(url+"/agentaudit-*/_refresh", "application/json", nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := resp.Body.Close(); err != nil {
				t.Fatal(err)
			}
		},
	})
}

// lostAckProxy is a fault injector between a sidecar and its gateway: it forwards every export to
// the gateway, and for the first `lose` exports that the gateway acknowledged it answers the
// sidecar Unavailable instead — the gateway's acknowledgement lost on the way back.
type lostAckProxy struct {
	ptraceotlp.UnimplementedGRPCServer
	forward func(ptrace.Traces) error
	lose    int64
	lost    atomic.Int64
	Addr    string
}

func (p *lostAckProxy) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	td := ptrace.NewTraces()
	req.Traces().CopyTo(td)
	if err := p.forward(td); err != nil {
		return ptraceotlp.NewExportResponse(), status.Error(codes.Unavailable, err.Error())
	}
	if p.lost.Add(1) <= p.lose {
		return ptraceotlp.NewExportResponse(), status.Error(codes.Unavailable, "fault injector: the gateway's acknowledgement was lost")
	}
	return ptraceotlp.NewExportResponse(), nil
}

// TestResentThroughSidecarWhoseGatewayAckWasLostCountsOnce: a sidecar whose gateway's
// acknowledgements are lost (fault injector) retries, so the gateway receives the same spans again.
// What auditctl shows from S3 equals a single send of the same export to the embedded default.
func TestResentThroughSidecarWhoseGatewayAckWasLostCountsOnce(t *testing.T) {
	requests, spans := agentExport(t)

	// The reference: one send to the embedded default.
	refDir := t.TempDir()
	ref, refSend := startLocal(t, refDir)
	sendAll(t, refSend, requests)
	waitExported(t, ref, "agentaudit", spans)
	want := auditctlViews(t, collectortest.OpenFileStore(t, refDir))
	ref.Stop()

	s3t := startS3(t)
	gw := startGateway(t, s3t, gatewayOptions{})
	gwConn := dialGRPC(t, gw.GRPCEndpoint, gw.pki.ClientTLS())
	proxy := &lostAckProxy{lose: 3, forward: func(td ptrace.Traces) error {
		return exportGRPC(context.Background(), gwConn, gw.token, td)
	}}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.Creds(credentials.NewTLS(gw.pki.ServerTLS())))
	ptraceotlp.RegisterGRPCServer(srv, proxy)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	proxy.Addr = lis.Addr().String()
	front := &gateway{Collector: gw.Collector, pki: gw.pki, token: gw.token}
	sidecar := startSidecar(t, front, map[string]string{"AGENTAUDIT_GATEWAY_ENDPOINT": proxy.Addr})
	scConn := dialGRPC(t, sidecar.GRPCEndpoint, nil)
	sendAll(t, func(td ptrace.Traces) error { return exportGRPC(context.Background(), scConn, "", td) }, requests)

	reader := objectstore.New(s3t.backend, objectstore.Options{}, store.Settings{})
	// The gateway exports every span once per delivery: the lost acknowledgements make it more.
	if !waitFor(120*time.Second, func() bool {
		return proxy.lost.Load() > proxy.lose &&
			metricSum(t, gw.Metrics(), "otelcol_exporter_sent_spans", `exporter="agentaudit/s3"`) > float64(spans)
	}) {
		t.Fatalf("the sidecar did not redeliver: %d exports through the proxy\nsidecar:\n%s", proxy.lost.Load(), sidecar.Logs())
	}
	var got map[string]string
	waitFor(60*time.Second, func() bool {
		got = auditctlViews(t, reader)
		return fmt.Sprint(got) == fmt.Sprint(want)
	})
	assertSameViews(t, "through a sidecar whose gateway acks were lost", got, want)
	dropped := metricSum(t, gw.Metrics(), "otelcol_exporter_agentaudit_duplicate_records_dropped", "")
	v := viewOf(t, reader)
	if dropped == 0 && v.stored == v.distinct {
		t.Errorf("no copy was dropped or stored: the fault injector did not take effect")
	}
	stored := v.stored
	t.Logf("%d spans through a sidecar, %d gateway acknowledgements lost: the gateway dropped %v copies, S3 holds %d records; every auditctl view equals a single send",
		spans, proxy.lose, dropped, stored)
}
