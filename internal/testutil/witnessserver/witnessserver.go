// Package witnessserver serves an HTTP witness for tests on a real HTTP(S) server on a free
// loopback port: POST /<stream> keeps the body as the stream's latest checkpoint, GET
// /<stream>/latest returns it (404 before any). With a token every request must carry
// "Authorization: Bearer <token>" (else 401); with TLS it is served over https with a certificate
// of httptest's own CA, written to CAFile for the clients.
package witnessserver

import (
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Server is a running witness.
type Server struct {
	URL    string
	CAFile string // with TLS: the PEM CA certificate the server's certificate verifies with
	mu     sync.Mutex
	latest map[string][]byte
	posts  int
	token  string
}

// Start serves a witness until the test ends (token "": no authorization; useTLS: https).
func Start(t testing.TB, token string, useTLS bool) *Server {
	t.Helper()
	s := &Server{latest: map[string][]byte{}, token: token}
	var srv *httptest.Server
	if useTLS {
		srv = httptest.NewTLSServer(http.HandlerFunc(s.serve))
		s.CAFile = filepath.Join(t.TempDir(), "witness-ca.pem")
		ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
		if err := os.WriteFile(s.CAFile, ca, 0o600); err != nil {
			t.Fatal(err)
		}
	} else {
		srv = httptest.NewServer(http.HandlerFunc(s.serve))
	}
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Posts is how many checkpoints were accepted.
func (s *Server) Posts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.posts
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.token != "" && r.Header.Get("Authorization") != "Bearer "+s.token {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, "/")
	switch {
	case r.Method == http.MethodPost && !strings.Contains(path, "/"):
		body, _ := io.ReadAll(r.Body)
		s.latest[path] = body
		s.posts++
		w.WriteHeader(http.StatusCreated)
	case r.Method == http.MethodGet && strings.HasSuffix(path, "/latest"):
		body, ok := s.latest[strings.TrimSuffix(path, "/latest")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(body)
	default:
		http.Error(w, "no such route", http.StatusMethodNotAllowed)
	}
}
