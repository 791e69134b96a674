package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/console"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

// sessionsCacheTTL is how long the console reuses a sessions list while paging (each page view is
// still access-logged): new sessions appear at most this late.
const sessionsCacheTTL = 30 * time.Second

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("serve", "serve --store URL --users FILE [--addr 127.0.0.1:8443] [--tls-cert F --tls-key F] [--trusted-header H]",
		"Serves the web console over the store: sessions, timelines, users, stats, integrity and the access\n"+
			"log, and the JSON API under /api/v1 (Basic auth). Accounts come from --users (auditctl users add);\n"+
			"the file is reread when it changes. Every page view is recorded in the access log.", stdout, stderr)
	addr := c.fs.String("addr", "127.0.0.1:8443", "listen address")
	users := c.fs.String("users", "", "users file (auditctl users add NAME --role R --users FILE) (required)")
	cert := c.fs.String("tls-cert", "", "TLS certificate (PEM); with --tls-key serves HTTPS")
	key := c.fs.String("tls-key", "", "TLS private key (PEM)")
	trusted := c.fs.String("trusted-header", "", "take the account name from this header set by an authenticating proxy (e.g. X-Forwarded-User); off by default")
	if _, code, ok := c.parse(args, 0); !ok {
		return code
	}
	if *users == "" {
		return c.usageError("--users is required")
	}
	if (*cert == "") != (*key == "") {
		return c.usageError("--tls-cert and --tls-key go together")
	}
	accounts, err := console.OpenAccounts(*users)
	if err != nil {
		return c.usageError("%v", err)
	}
	st, code, err := c.open(ctx)
	if err != nil {
		return c.fail(code, "%v", err)
	}
	defer c.closeStore(st)
	verifier, _ := st.Handle.(trail.Verifier)
	svc := service.New(st.Handle, c.now)
	svc.SignsAccess(st.signer != nil)
	svc.CacheSessions(sessionsCacheTTL)
	srv, err := console.New(svc, verifier, accounts, console.Options{
		TLS: *cert != "", TrustedHeader: *trusted, Log: c.stderr, Store: st.url,
	})
	if err != nil {
		return c.fail(exitUsage, "%v", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return c.fail(exitUsage, "--addr %s: %v", *addr, err)
	}
	return c.serve(ctx, ln, srv, accounts, *cert, *key)
}

// serve runs the console on ln until ctx ends, rereading the users file every two seconds.
func (c *cli) serve(ctx context.Context, ln net.Listener, h http.Handler, accounts *console.Accounts, cert, key string) int {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	stop := make(chan struct{})
	defer close(stop)
	go accounts.Watch(stop, 2*time.Second, func(err error) {
		diag(c.stderr, "auditctl serve: users file: %v (keeping the accounts read before)\n", err)
	})
	scheme := "http"
	if cert != "" {
		scheme = "https"
	}
	diag(c.stderr, "auditctl serve: console on %s://%s/ over %s\n", scheme, ln.Addr(), c.store.url)
	errc := make(chan error, 1)
	go func() {
		if cert != "" {
			errc <- hs.ServeTLS(ln, cert, key)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return c.fail(exitUsage, "%v", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		diag(c.stderr, "auditctl serve: shutdown: %v\n", err)
	}
	return exitOK
}
