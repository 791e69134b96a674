package production

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestGatewayAuthenticatesAndEncrypts checks the gateway's front door on both OTLP protocols: no
// token or a wrong token is rejected (gRPC Unauthenticated, HTTP 401), plaintext and clients that
// don't trust the private CA cannot connect, and a client with the CA and a valid token gets its
// spans stored.
func TestGatewayAuthenticatesAndEncrypts(t *testing.T) {
	gw := startGateway(t, startS3(t), gatewayOptions{})
	ctx := context.Background()

	t.Run("grpc", func(t *testing.T) {
		conn := dialGRPC(t, gw.GRPCEndpoint, gw.pki.ClientTLS())
		for name, token := range map[string]string{"no token": "", "wrong token": "not-a-valid-token"} {
			err := exportGRPC(ctx, conn, token, chatTraces(0, 1))
			if status.Code(err) != codes.Unauthenticated {
				t.Errorf("%s: got %v, want Unauthenticated", name, err)
			}
		}
		if err := exportGRPC(ctx, conn, gw.token, chatTraces(1, 3)); err != nil {
			t.Fatalf("valid token: %v", err)
		}
		if err := exportGRPC(ctx, dialGRPC(t, gw.GRPCEndpoint, nil), gw.token, chatTraces(0, 1)); status.Code(err) != codes.Unavailable {
			t.Errorf("plaintext to the TLS port: got %v, want Unavailable (handshake failure)", err)
		}
		untrusting := &tls.Config{MinVersion: tls.VersionTLS12} // system roots only
		if err := exportGRPC(ctx, dialGRPC(t, gw.GRPCEndpoint, untrusting), gw.token, chatTraces(0, 1)); err == nil {
			t.Errorf("a client without the private CA connected")
		}
	})

	t.Run("http", func(t *testing.T) {
		client := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{TLSClientConfig: gw.pki.ClientTLS()}}
		base := "https://" + gw.HTTPEndpoint
		for name, token := range map[string]string{"no token": "", "wrong token": "not-a-valid-token"} {
			if code := exportHTTP(t, client, base, token, chatTraces(0, 1)); code != http.StatusUnauthorized {
				t.Errorf("%s: status %d, want 401", name, code)
			}
		}
		if code := exportHTTP(t, client, base, gw.token, chatTraces(2, 3)); code != http.StatusOK {
			t.Fatalf("valid token: status %d, want 200", code)
		}
		plain := &http.Client{Timeout: 5 * time.Second}
		if resp, err := plain.Post("http://"+gw.HTTPEndpoint+"/v1/traces", "application/x-protobuf", nil); err == nil {
			if err := resp.Body.Close(); err != nil {
				t.Error(err)
			}
			if resp.StatusCode < 400 {
				t.Errorf("plaintext HTTP to the TLS port got status %d", resp.StatusCode)
			}
		}
		untrusting := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}}
		_, err := untrusting.Post(base+"/v1/traces", "application/x-protobuf", nil)
		var unknownCA x509.UnknownAuthorityError
		if err == nil || !errors.As(err, &unknownCA) {
			t.Errorf("client without the private CA: got %v, want an unknown-authority error", err)
		}
	})

	// Only the spans sent with a valid token were stored: batches 1 and 2, never batch 0.
	var stored map[string]map[string]bool
	ok := waitFor(60*time.Second, func() bool {
		stored, _ = bySpan(gw.s3.records(t))
		return len(stored[spanIDHex(1, 2)]) > 0 && len(stored[spanIDHex(2, 2)]) > 0
	})
	if !ok {
		t.Fatalf("authenticated spans not stored in S3; have spans %v\ncollector log:\n%s", keys(stored), gw.Logs())
	}
	if len(stored[spanIDHex(0, 0)]) > 0 {
		t.Errorf("a span sent without a valid token was stored")
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
