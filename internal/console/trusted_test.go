package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/trailstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/fixturestores"
)

// fixtureConsole opens a file store holding the session fixture (signed with signer, nil: unsigned),
// connected, and accounts with a viewer, victor, and an auditor, alice: what a console test serves.
func fixtureConsole(t *testing.T, instance string, signer *objectstore.Signer) (registry.Handle, *Accounts) {
	t.Helper()
	h, err := trailstore.Open(fixturestores.File(t, signer), registry.OpenOptions{InstanceID: instance, Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	users := filepath.Join(t.TempDir(), "users")
	if err := AddUser(users, "victor", RoleViewer, []byte("victor password")); err != nil {
		t.Fatal(err)
	}
	if err := AddUser(users, "alice", RoleAuditor, []byte("alice password")); err != nil {
		t.Fatal(err)
	}
	accounts, err := OpenAccounts(users)
	if err != nil {
		t.Fatal(err)
	}
	return h, accounts
}

// Behind an authenticating proxy the account comes from the trusted header, with the role the users
// file gives it; without --trusted-header the same header is ignored.
func TestTrustedHeader(t *testing.T) {
	h, accounts := fixtureConsole(t, "trusted-test", nil)
	get := func(trusted, user, path string) int {
		srv, err := New(service.New(h, nil), nil, accounts, Options{TrustedHeader: trusted})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("X-Forwarded-User", user)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		return w.Code
	}
	for _, c := range []struct {
		trusted, user, path string
		want                int
	}{
		{"X-Forwarded-User", "victor", "/api/v1/sessions", http.StatusOK},
		{"X-Forwarded-User", "victor", "/sessions", http.StatusOK},
		{"X-Forwarded-User", "victor", "/api/v1/access-log", http.StatusForbidden},
		{"X-Forwarded-User", "mallory", "/api/v1/sessions", http.StatusUnauthorized},
		{"", "victor", "/api/v1/sessions", http.StatusUnauthorized},
		{"", "victor", "/sessions", http.StatusSeeOther},
	} {
		if got := get(c.trusted, c.user, c.path); got != c.want {
			t.Errorf("trusted header %q, user %s, %s: %d, want %d", c.trusted, c.user, c.path, got, c.want)
		}
	}
}
