package production

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// tlsFront terminates TLS with a test CA's certificate in front of a plaintext peer (versitygw, the
// search engine), so store connections can be tested with a private CA.
type tlsFront struct {
	Addr       string
	handshakes atomic.Int64
}

func startTLSFront(t *testing.T, pki *testPKI, backend string) *tlsFront {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", pki.ServerTLS())
	if err != nil {
		t.Fatal(err)
	}
	f := &tlsFront{Addr: l.Addr().String()}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = l.Close(); wg.Wait() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { f.relay(conn.(*tls.Conn), backend) })
		}
	}()
	return f
}

func (f *tlsFront) relay(client *tls.Conn, backend string) {
	defer func() { _ = client.Close() }() // the relay ends either way
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	err := client.HandshakeContext(ctx)
	cancel()
	if err != nil {
		return
	}
	f.handshakes.Add(1)
	server, err := net.Dial("tcp", backend)
	if err != nil {
		return
	}
	defer func() { _ = server.Close() }()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(server, client); done <- struct{}{} }()
	go func() { _, _ = io.Copy(client, server); done <- struct{}{} }()
	<-done
}

// TestS3ConnectionUsesTLSWithCustomCA puts versitygw behind TLS signed by a private CA: with the CA
// given (AWS_CA_BUNDLE) the gateway stores its records over https; with only the system roots it
// refuses the connection and stores nothing.
func TestS3ConnectionUsesTLSWithCustomCA(t *testing.T) {
	s3t := startS3(t)
	storePKI := newPKI(t)
	front := startTLSFront(t, storePKI, strings.TrimPrefix(s3t.srv.Endpoint, "http://"))
	endpoint := "https://" + front.Addr

	t.Run("untrusted CA", func(t *testing.T) {
		// The exporter checks the bucket at start: without the CA the gateway refuses to start.
		_, run := prepareGateway(t, s3t, gatewayOptions{
			s3Endpoint: endpoint,
			env:        map[string]string{"AWS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt"},
		})
		out, err := runUntilExit(t, run)
		if err == nil || !strings.Contains(out, "failed to verify certificate") {
			t.Fatalf("gateway without the store's CA: exit %v, want a certificate verification failure\n%s", err, out)
		}
		if recs := s3t.records(t); len(recs) != 0 {
			t.Fatalf("%d records stored through an untrusted TLS connection", len(recs))
		}
	})

	t.Run("private CA", func(t *testing.T) {
		before := front.handshakes.Load()
		gw := startGateway(t, s3t, gatewayOptions{
			s3Endpoint: endpoint,
			env:        map[string]string{"AWS_CA_BUNDLE": storePKI.CAFile},
		})
		conn := dialGRPC(t, gw.GRPCEndpoint, gw.pki.ClientTLS())
		if err := exportGRPC(context.Background(), conn, gw.token, chatTraces(2, 5)); err != nil {
			t.Fatal(err)
		}
		if !waitFor(60*time.Second, func() bool {
			spans, _ := bySpan(s3t.records(t))
			return len(spans[spanIDHex(2, 4)]) > 0
		}) {
			t.Fatalf("records not stored over TLS\n%s", gw.Logs())
		}
		if front.handshakes.Load() == before {
			t.Fatalf("the records did not travel through the TLS front")
		}
	})
}
