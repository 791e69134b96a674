package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence/httpwitness"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

// latestWitness is an HTTP witness served by a real HTTP server: POST /<stream> keeps the body as
// the stream's latest checkpoint, GET /<stream>/latest returns it (404 before any).
func latestWitness(t *testing.T) (*httptest.Server, *int) {
	var mu sync.Mutex
	latest := map[string][]byte{}
	posts := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		path := strings.TrimPrefix(r.URL.Path, "/")
		switch {
		case r.Method == http.MethodPost && !strings.Contains(path, "/"):
			body, _ := io.ReadAll(r.Body)
			latest[path] = body
			posts++
			w.WriteHeader(http.StatusCreated)
		case r.Method == http.MethodGet && strings.HasSuffix(path, "/latest"):
			body, ok := latest[strings.TrimSuffix(path, "/latest")]
			if !ok {
				http.NotFound(w, r)
				return
			}
			_, _ = w.Write(body)
		default:
			http.Error(w, "no such route", http.StatusMethodNotAllowed)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &posts
}

// TestVerifyCheckpointsAgainstHTTPWitness: a writer whose witness is an HTTP endpoint posts its
// checkpoints there; a head truncated in the store is then caught from the witness's latest.
func TestVerifyCheckpointsAgainstHTTPWitness(t *testing.T) {
	signer, privFile, pubFile := signingKeys(t)
	t.Setenv(signingKeyEnv, privFile)
	srv, posts := latestWitness(t)
	hw, err := httpwitness.New(srv.URL)
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
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"a", "b", "c"} {
		if err := s.Write(ctx, store.Batch{Signal: "traces", Records: recordfixture.Records(tag, 3)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if *posts != 3 {
		t.Fatalf("%d checkpoints posted to the witness, want 3", *posts)
	}
	url := "file://" + filepath.ToSlash(dir)
	expectRun(t, exitOK, "verify", "--store", url, "--pubkey", pubFile, "--checkpoints-http", srv.URL)

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
