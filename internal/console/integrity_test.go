package console

import (
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

// On a signed store the Integrity page and /api/v1/verify verify only when the console signs its
// access records (serve --signing-key); without the key they say why and verify nothing, and the
// verifications they do run stay clean under --require-signature.
func TestIntegrityOnASignedStore(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h, accounts := fixtureConsole(t, "integrity-test", objectstore.NewSigner(priv))
	verifier, _ := h.(trail.Verifier)
	get := func(signs bool, path string) (int, string) {
		svc := service.New(h, nil)
		svc.SignsAccess(signs)
		srv, err := New(svc, verifier, accounts, Options{TrustedHeader: "X-Forwarded-User"})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("X-Forwarded-User", "alice")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		b, _ := io.ReadAll(w.Result().Body)
		return w.Code, string(b)
	}
	for _, path := range []string{"/integrity", "/api/v1/verify"} {
		if code, body := get(false, path); code != http.StatusServiceUnavailable || !strings.Contains(body, "serve --signing-key") {
			t.Errorf("%s without a signing key: %d\n%s", path, code, body)
		}
		if code, body := get(true, path); code != http.StatusOK {
			t.Errorf("%s with a signing key: %d\n%s", path, code, body)
		}
	}
	rep, err := verifier.Verify(t.Context(), trail.VerifyOptions{RequireSignature: true})
	if err != nil || !rep.OK || rep.Counts.Streams != 2 {
		t.Errorf("after the console's verifications: %v, %d streams, findings %+v; want the access stream signed and clean", err, rep.Counts.Streams, rep.Findings)
	}
}
