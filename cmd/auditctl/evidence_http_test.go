package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence/httpwitness"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/witnessserver"
)

// writeToHTTPWitness writes three batches of three records to a new file store whose checkpoints
// (every 3 records) also go to the HTTP witness cfg describes; it returns the store.
func writeToHTTPWitness(t *testing.T, signer *objectstore.Signer, cfg confighttp.ClientConfig) (*objectstore.Store, string) {
	t.Helper()
	hw, err := httpwitness.New(context.Background(), cfg, nil, component.TelemetrySettings{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	b, err := filestore.NewBackend(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := objectstore.New(b, objectstore.Options{Gzip: true, Signer: signer, Checkpoints: &objectstore.CheckpointOptions{EveryRecords: 3, Sinks: []evidence.Sink{hw}}},
		store.Settings{InstanceID: "gw-1"})
	writeTagged(t, s, "a", "b", "c")
	return s, "file://" + filepath.ToSlash(dir)
}

// TestVerifyCheckpointsAgainstHTTPWitness: a writer whose witness is an HTTP endpoint posts its
// checkpoints there; a head truncated in the store is then caught from the witness's latest.
func TestVerifyCheckpointsAgainstHTTPWitness(t *testing.T) {
	signer, privFile, pubFile := signingKeys(t)
	t.Setenv(signingKeyEnv, privFile)
	srv := witnessserver.Start(t, "", false)
	s, url := writeToHTTPWitness(t, signer, confighttp.ClientConfig{Endpoint: srv.URL})
	if srv.Posts() != 3 {
		t.Fatalf("%d checkpoints posted to the witness, want 3", srv.Posts())
	}
	expectRun(t, exitOK, "verify", "--store", url, "--pubkey", pubFile, "--checkpoints-http", srv.URL)

	ctx := context.Background()
	b := s.Backend()
	keys, ms, _ := objectstore.ObjectManifests(ctx, b, s.Layout(), "gw-1-traces")
	for _, k := range []string{ms[len(ms)-1].ObjectKey, keys[len(keys)-1]} {
		if err := b.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	removeNewest(t, b, s.Layout().CheckpointPrefix("gw-1-traces"))
	out := expectRun(t, exitFindings, "verify", "--store", url, "--pubkey", pubFile, "--checkpoints-http", srv.URL)
	if !strings.Contains(out, "FAIL truncated_head") || !strings.Contains(out, "seq=7..9") {
		t.Fatalf("truncation against the HTTP witness:\n%s", out)
	}
	if code, _, errOut := runCLI("verify", "--store", url, "--checkpoints-http", "witness.example.com"); code != exitUsage || !strings.Contains(errOut, "not an http(s)") {
		t.Fatalf("bad --checkpoints-http: exit %d, %s", code, errOut)
	}
}

// TestHTTPWitnessOverTLSWithBearerToken: a witness served over https by a real TLS server that
// requires a bearer token. The writer reaches it with the CA and the Authorization header
// (confighttp); verify does with --checkpoints-http-ca and --checkpoints-http-header. A wrong token
// is a clear verify error naming the refusal, and neither token is ever printed; without the CA
// the certificate does not verify; a token over plain http is refused before anything is sent.
func TestHTTPWitnessOverTLSWithBearerToken(t *testing.T) {
	signer, privFile, pubFile := signingKeys(t)
	t.Setenv(signingKeyEnv, privFile)
	const token, wrong = "s3cr3t-witness-token", "not-the-token-at-all"
	srv := witnessserver.Start(t, token, true)
	cfg := confighttp.NewDefaultClientConfig()
	cfg.Endpoint, cfg.TLS.CAFile = srv.URL, srv.CAFile
	cfg.Headers.Set("Authorization", configopaque.String("Bearer "+token))
	_, url := writeToHTTPWitness(t, signer, cfg)
	if srv.Posts() != 3 {
		t.Fatalf("%d checkpoints posted over TLS, want 3", srv.Posts())
	}
	verify := func(header string, extra ...string) (int, string, string) {
		args := []string{"verify", "--store", url, "--pubkey", pubFile, "--checkpoints-http", srv.URL, "--checkpoints-http-header", "Authorization: Bearer " + header}
		return runCLI(append(args, extra...)...)
	}
	// The right token from a header file (@FILE, as curl -H @FILE), off the command line.
	headerFile := filepath.Join(t.TempDir(), "witness-headers")
	if err := os.WriteFile(headerFile, []byte("Authorization: Bearer "+token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI("verify", "--store", url, "--pubkey", pubFile, "--checkpoints-http", srv.URL,
		"--checkpoints-http-header", "@"+headerFile, "--checkpoints-http-ca", srv.CAFile)
	if code != exitOK || strings.Contains(out+errOut, token) {
		t.Fatalf("verify with the token: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = verify(wrong, "--checkpoints-http-ca", srv.CAFile)
	t.Logf("wrong token: %s", errOut)
	if code != exitUnreachable || !strings.Contains(errOut, "401") || !strings.Contains(errOut, "refused the credentials") || strings.Contains(out+errOut, wrong) {
		t.Fatalf("verify with a wrong token: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := verify(token); code != exitUnreachable || !strings.Contains(errOut, "certificate") || strings.Contains(errOut, token) {
		t.Fatalf("verify without the witness's CA: exit %d, %s", code, errOut)
	}
	plain := "http" + strings.TrimPrefix(srv.URL, "https")
	code, _, errOut = runCLI("verify", "--store", url, "--checkpoints-http", plain, "--checkpoints-http-header", "Authorization: Bearer "+token)
	if code == exitOK || !strings.Contains(errOut, "in clear") || strings.Contains(errOut, token) {
		t.Fatalf("a token over http: exit %d, %s", code, errOut)
	}
}
