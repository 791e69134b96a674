// Package production tests the shipped production configurations (config/sidecar.yaml,
// config/gateway.yaml and its optional additions) on the built collector binary against real peers on
// loopback: authentication and TLS, PII in the collector's own logs, crash and store-outage recovery,
// overload, and forwarding to an observability platform.
package production

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/s3store"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/collectortest"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/s3server"
)

// configPath is a shipped config file.
func configPath(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(peers.RepoRoot(t), "config", name)
}

// testdataPath is a test overlay of this package.
func testdataPath(t testing.TB, name string) string {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// testPKI is a private CA generated for one test and a server certificate it signed for loopback.
type testPKI struct {
	CAFile, CertFile, KeyFile string
	Roots                     *x509.CertPool
	serverCert                tls.Certificate
}

func newPKI(t testing.TB) *testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "agentaudit test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(srvKey)
	if err != nil {
		t.Fatal(err)
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(caCert)
	return &testPKI{
		CAFile:     writeFile(t, dir, "ca.crt", string(caPEM)),
		CertFile:   writeFile(t, dir, "tls.crt", string(certPEM)),
		KeyFile:    writeFile(t, dir, "tls.key", string(keyPEM)),
		Roots:      roots,
		serverCert: pair,
	}
}

// ClientTLS trusts only the test CA.
func (p *testPKI) ClientTLS() *tls.Config {
	return &tls.Config{RootCAs: p.Roots, MinVersion: tls.VersionTLS12}
}

// ServerTLS serves the loopback certificate, for TLS fronts of test peers.
func (p *testPKI) ServerTLS() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{p.serverCert}, MinVersion: tls.VersionTLS12}
}

// s3Target is a versitygw with one bucket the gateway writes to.
type s3Target struct {
	srv     *s3server.Server
	bucket  string
	backend *s3store.Backend
}

func startS3(t testing.TB) *s3Target {
	t.Helper()
	_, ok := s3server.FindBinary()
	peers.Require(t, ok, s3server.InstallHint)
	srv := s3server.Start(t)
	cfg := s3store.NewDefaultConfig()
	cfg.Bucket, cfg.Endpoint, cfg.Region, cfg.ForcePathStyle = "audit", srv.Endpoint, srv.Region, true
	cfg.AccessKeyID, cfg.SecretAccessKey = configopaque.String(srv.AccessKey), configopaque.String(srv.SecretKey)
	b, err := s3store.NewBackend(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(cfg.Bucket)}); err != nil {
		t.Fatalf("create bucket: %v\n%s", err, srv.Output())
	}
	return &s3Target{srv: srv, bucket: cfg.Bucket, backend: b}
}

// env points the gateway's agentaudit/s3 exporter at this server, with no ambient AWS configuration.
func (s *s3Target) env(endpoint string) map[string]string {
	return map[string]string{
		"AGENTAUDIT_S3_BUCKET":        s.bucket,
		"AGENTAUDIT_S3_ENDPOINT":      endpoint,
		"AGENTAUDIT_S3_PATH_STYLE":    "true",
		"AWS_REGION":                  s.srv.Region,
		"AWS_ACCESS_KEY_ID":           s.srv.AccessKey,
		"AWS_SECRET_ACCESS_KEY":       s.srv.SecretKey,
		"AWS_CONFIG_FILE":             "/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
}

// records reads every record in the bucket (each checked against the schema).
func (s *s3Target) records(t testing.TB) []*auditrecord.Record {
	t.Helper()
	return collectortest.ReadRecords(t, objectstore.New(s.backend, objectstore.Options{}, store.Settings{}))
}

// gatewayOptions shape a gateway run.
type gatewayOptions struct {
	// stores: the audit pipelines' exporters. Without the search engine, an overlay routes both
	// pipelines to S3 only.
	elasticsearchURL string
	extraConfigs     []string
	env              map[string]string
	// s3Endpoint overrides the S3 endpoint the gateway uses (e.g. a TLS front); default the server's.
	s3Endpoint string
}

// gateway is a running config/gateway.yaml with its PKI, tokens and S3 bucket.
type gateway struct {
	*collectortest.Collector
	pki      *testPKI
	token    string
	s3       *s3Target
	queueDir string
}

// gatewayToken is one of the two tokens in the gateway's token file.
const gatewayToken = "test-token-agents-0123456789abcdef"

func startGateway(t testing.TB, s3t *s3Target, opts gatewayOptions) *gateway {
	t.Helper()
	gw, run := prepareGateway(t, s3t, opts)
	gw.Collector = collectortest.Start(t, run)
	return gw
}

// prepareGateway generates the gateway's PKI, token file and directories and returns the run
// options for config/gateway.yaml, without starting it.
func prepareGateway(t testing.TB, s3t *s3Target, opts gatewayOptions) (*gateway, collectortest.Options) {
	t.Helper()
	pki := newPKI(t)
	dir := t.TempDir()
	tokens := writeFile(t, dir, "tokens", gatewayToken+"  # agents team\nsecond-token-for-rotation-0000000  # next key\n")
	queueDir := filepath.Join(dir, "queue")
	env := map[string]string{
		"AGENTAUDIT_TLS_CERT_FILE":      pki.CertFile,
		"AGENTAUDIT_TLS_KEY_FILE":       pki.KeyFile,
		"AGENTAUDIT_TOKENS_FILE":        tokens,
		"AGENTAUDIT_QUEUE_DIR":          queueDir,
		"AGENTAUDIT_ES_DEAD_LETTER_DIR": filepath.Join(dir, "dead-letter"),
		"AGENTAUDIT_METRICS_HOST":       "127.0.0.1",
		"AGENTAUDIT_INSTANCE_ID":        "gateway-test",
		"AGENTAUDIT_ES_URL":             "http://127.0.0.1:1", // unused unless elasticsearchURL is set
		"AGENTAUDIT_ES_REPLICAS":        "0",
	}
	s3Endpoint := opts.s3Endpoint
	if s3Endpoint == "" {
		s3Endpoint = s3t.srv.Endpoint
	}
	for k, v := range s3t.env(s3Endpoint) {
		env[k] = v
	}
	extra := opts.extraConfigs
	if opts.elasticsearchURL == "" {
		extra = append([]string{testdataPath(t, "gateway-s3-only.yaml")}, extra...)
	} else {
		env["AGENTAUDIT_ES_URL"] = opts.elasticsearchURL
	}
	for k, v := range opts.env {
		env[k] = v
	}
	run := collectortest.Options{Config: configPath(t, "gateway.yaml"), ExtraConfigs: extra, Env: env}
	return &gateway{pki: pki, token: gatewayToken, s3: s3t, queueDir: queueDir}, run
}

// runUntilExit runs the collector with opts (on free loopback ports) and returns its output once it
// exits, for configurations that must refuse to start.
func runUntilExit(t testing.TB, opts collectortest.Options) (string, error) {
	t.Helper()
	args := []string{"--config", opts.Config}
	for _, c := range opts.ExtraConfigs {
		args = append(args, "--config", c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, collectortest.Binary(t), args...)
	cmd.Env = os.Environ()
	for _, k := range []string{"AGENTAUDIT_OTLP_GRPC_ENDPOINT", "AGENTAUDIT_OTLP_HTTP_ENDPOINT", "AGENTAUDIT_HEALTH_ENDPOINT"} {
		cmd.Env = append(cmd.Env, fmt.Sprintf("%s=127.0.0.1:%d", k, collectortest.FreePort(t)))
	}
	cmd.Env = append(cmd.Env, fmt.Sprintf("AGENTAUDIT_METRICS_PORT=%d", collectortest.FreePort(t)))
	for k, v := range opts.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// dialGRPC connects to an OTLP gRPC endpoint; tlsCfg nil means plaintext.
func dialGRPC(t testing.TB, endpoint string, tlsCfg *tls.Config) *grpc.ClientConn {
	t.Helper()
	creds := insecure.NewCredentials()
	if tlsCfg != nil {
		creds = credentials.NewTLS(tlsCfg)
	}
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// exportGRPC sends td with the bearer token (none when empty) and returns the RPC error.
func exportGRPC(ctx context.Context, conn *grpc.ClientConn, token string, td ptrace.Traces) error {
	if token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	_, err := ptraceotlp.NewGRPCClient(conn).Export(ctx, ptraceotlp.NewExportRequestFromTraces(td))
	return err
}

// exportHTTP posts td as OTLP/HTTP protobuf and returns the status code.
func exportHTTP(t testing.TB, client *http.Client, baseURL, token string, td ptrace.Traces) int {
	t.Helper()
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, baseURL+"/v1/traces", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", req.URL, err)
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// Planted PII: every chat span's user message carries all of these (the e-mail made unique per
// span). None may reach a store, the collector's logs or an observability platform.
var plantedPII = []string{
	"4111 1111 1111 1111",
	"sk-proj-Xq7vT2mN9pL4rK8sW3yZ6bC1dF5gH0jA2eU7iO9pQ4tR6wY8",
	"+1 (415) 555-0134",
	"536-22-8714",
}

func plantedEmail(batch, i int) string { return fmt.Sprintf("jane.doe.%d.%d@example.com", batch, i) }

// chatTraces is batch number `batch` of n GenAI chat spans (one trace each), with trace and span ids
// derived from (batch, i) so tests know exactly which spans they sent. Every user message is laced
// with PII.
func chatTraces(batch, n int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "support-agent")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("production-test")
	now := time.Now()
	for i := range n {
		s := ss.Spans().AppendEmpty()
		s.SetTraceID(traceID(batch, i))
		s.SetSpanID(spanID(batch, i))
		s.SetName("chat gpt-4o")
		s.SetKind(ptrace.SpanKindClient)
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-time.Second)))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
		a := s.Attributes()
		a.PutStr("gen_ai.operation.name", "chat")
		a.PutStr("gen_ai.provider.name", "openai")
		a.PutStr("gen_ai.request.model", "gpt-4o")
		a.PutStr("session.id", fmt.Sprintf("session-%d", batch))
		a.PutStr("user.id", "user-42")
		a.PutInt("gen_ai.usage.input_tokens", 42)
		a.PutInt("gen_ai.usage.output_tokens", 7)
		msg := fmt.Sprintf("I am Jane, mail %s, card %s, key %s, phone %s, ssn %s. Refund order 1234?",
			plantedEmail(batch, i), plantedPII[0], plantedPII[1], plantedPII[2], plantedPII[3])
		a.PutStr("gen_ai.input.messages", fmt.Sprintf(`[{"role":"user","parts":[{"type":"text","content":%q}]}]`, msg))
		a.PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"Your refund is on its way."}],"finish_reason":"stop"}]`)
	}
	return td
}

func traceID(batch, i int) pcommon.TraceID {
	var id [16]byte
	binary.BigEndian.PutUint64(id[0:8], 0xA0D1700000000000|uint64(batch))
	binary.BigEndian.PutUint64(id[8:16], uint64(i)+1)
	return id
}

func spanID(batch, i int) pcommon.SpanID {
	var id [8]byte
	binary.BigEndian.PutUint32(id[0:4], uint32(batch)+1)
	binary.BigEndian.PutUint32(id[4:8], uint32(i)+1)
	return id
}

// spanIDHex is the span id as audit records carry it.
func spanIDHex(batch, i int) string {
	id := spanID(batch, i)
	return hex.EncodeToString(id[:])
}

// bySpan groups record ids by span id; duplicates counts records stored more than once.
func bySpan(recs []*auditrecord.Record) (spans map[string]map[string]bool, duplicates int) {
	spans = map[string]map[string]bool{}
	for _, r := range recs {
		ids := spans[r.SpanID]
		if ids == nil {
			ids = map[string]bool{}
			spans[r.SpanID] = ids
		}
		if ids[r.RecordID] {
			duplicates++
		}
		ids[r.RecordID] = true
	}
	return spans, duplicates
}

// missingSpans lists the acknowledged spans that have fewer than perSpan distinct records stored.
func missingSpans(stored map[string]map[string]bool, acked []string, perSpan int) []string {
	var missing []string
	for _, id := range acked {
		if len(stored[id]) < perSpan {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	return missing
}

// waitFor polls cond until it holds or timeout passes; it reports whether it held.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// assertNoPII fails when text contains any planted PII value or the e-mail of any sent span.
func assertNoPII(t testing.TB, what, text string, batches, perBatch int) {
	t.Helper()
	for _, v := range plantedPII {
		if strings.Contains(text, v) {
			t.Errorf("%s contains planted PII %q", what, v)
		}
	}
	for b := range batches {
		for i := range perBatch {
			if e := plantedEmail(b, i); strings.Contains(text, e) {
				t.Errorf("%s contains planted e-mail %q", what, e)
				return
			}
		}
	}
}

// metricSum adds up the samples of a Prometheus metric whose label set contains labelPart ("" for
// all), e.g. the queue size of one exporter.
func metricSum(t testing.TB, page, name, labelPart string) float64 {
	t.Helper()
	var sum float64
	for _, line := range strings.Split(page, "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		if labelPart != "" && !strings.Contains(line, labelPart) {
			continue
		}
		fields := strings.Fields(line)
		var v float64
		if _, err := fmt.Sscanf(fields[len(fields)-1], "%g", &v); err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		sum += v
	}
	return sum
}
