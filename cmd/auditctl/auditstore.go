package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/accesslog"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
)

// auditStore is an opened store: what commands read through, where access records go, and what
// it can do besides (registry capabilities).
type auditStore struct {
	registry.Handle
	signer *objectstore.Signer
	url    string
}

// writerInstance names the chains auditctl writes on this host: "<instance>-access", "<instance>-erasure".
// One chain per host keeps two operators on different machines from forking one chain.
func writerInstance() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return "auditctl-" + host
}

// open opens and connects the store; the exit code tells a bad URL or key (2) from an unreachable
// store (3).
func (c *cli) open(ctx context.Context) (*auditStore, int, error) {
	st, err := openStore(c.store, c.signingKey)
	if err != nil {
		return nil, exitUsage, err
	}
	if err := st.Connect(ctx); err != nil {
		return nil, exitUnreachable, err
	}
	return st, exitOK, nil
}

// openStore prepares the store flags name, loading the signing key when one is given; it does not
// contact the store, so every error is a usage error.
func openStore(flags *storeFlags, signingKey string) (*auditStore, error) {
	var signer *objectstore.Signer
	if signingKey != "" {
		s, err := objectstore.LoadSigner(signingKey)
		if err != nil {
			return nil, fmt.Errorf("--signing-key %s: %w", signingKey, err)
		}
		signer = s
	}
	h, err := flags.prepare(registry.OpenOptions{InstanceID: writerInstance(), Signer: signer})
	if err != nil {
		return nil, err
	}
	return &auditStore{Handle: h, signer: signer, url: h.Location()}, nil
}

// closeStore releases the store; everything the command wrote was flushed before, so a failure
// here is only worth a warning.
func (c *cli) closeStore(st *auditStore) {
	if err := st.Close(); err != nil {
		diag(c.stderr, "auditctl %s: warning: close %s: %v\n", c.name, st.url, err)
	}
}

// actor is who this command reads as, for the access log.
func (c *cli) actor() service.Actor {
	return service.Actor{Viewer: accesslog.Viewer(c.as), Role: service.RoleOperator, Command: c.name}
}

// logAccess records an access the read service does not compute itself (a hold override, a
// retention floor): through the service, so it carries the same actor and role as every read.
func (c *cli) logAccess(ctx context.Context, st *auditStore, target string, records int) error {
	return service.New(st.Handle, c.now).Log(ctx, c.actor(), target, records)
}

// readAndLog is the common shape of a read command: open the store, read through the read service
// (which logs the access before it answers), print. read returns how many rows the answer has, what
// it was about (for "no records matched") and a printer.
func (c *cli) readAndLog(ctx context.Context, read func(svc *service.Service, st *auditStore) (rows int, about string, show func() error, err error)) int {
	st, code, err := c.open(ctx)
	if err != nil {
		return c.fail(code, "%v", err)
	}
	defer c.closeStore(st)
	n, about, show, err := read(service.New(st.Handle, c.now), st)
	switch {
	case errors.Is(err, service.ErrNotLogged):
		return c.fail(exitUnreachable, "%v (nothing shown: every read must be logged)", err)
	case err != nil:
		return c.fail(exitUnreachable, "read %s: %v", st.url, err)
	}
	if n == 0 && c.emptyIsNotFound {
		return c.fail(exitFindings, "no records matched %s", strings.TrimSpace(about))
	}
	if err := show(); err != nil {
		return c.fail(exitUsage, "write output: %v", err)
	}
	return exitOK
}
