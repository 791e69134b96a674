package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence/hold"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/accesslog"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
)

func runHold(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list" && args[0] != "release") {
		diag(stderr, "usage: auditctl hold add|list|release [flags]  (auditctl hold add -h)\n")
		return exitUsage
	}
	sub, args := args[0], args[1:]
	c := newCLI("hold "+sub, "hold add (--session ID | --user ID | --from T --to T) --reason R --store URL | hold list --store URL | hold release ID --store URL",
		"Legal holds: records a hold covers survive `forget` and `retention` (which report them) until the\n"+
			"hold is released. Holds are signed markers in <prefix>/_holds/ (file, S3), agentaudit.markers\n"+
			"(PostgreSQL; adding one takes agentaudit_admin) or the <prefix>_evidence index (search engine):\n"+
			"give --signing-key, the collector's key; a release counts only when signed with a key the store publishes.", stdout, stderr)
	session := c.fs.String("session", "", "hold this session's records")
	user := c.fs.String("user", "", "hold this user's records")
	reason := c.fs.String("reason", "", "why (a case or ticket reference; required for add)")
	c.timeRange()
	nargs := 0
	if sub == "release" {
		nargs = 1
	}
	pos, code, ok := c.parse(args, nargs, "ID")
	if !ok {
		return code
	}
	st, code, err := c.open(ctx)
	if err != nil {
		return c.fail(code, "%v", err)
	}
	defer c.closeStore(st)
	ms, ok := markersOf(st)
	markers := ms.holds
	if !ok {
		return c.fail(exitUsage, "%s: legal holds are %v", st.url, registry.ErrUnsupported)
	}
	switch sub {
	case "add":
		if *reason == "" {
			return c.usageError("--reason is required")
		}
		q, err := c.query()
		if err != nil {
			return c.usageError("%v", err)
		}
		h, err := hold.New(*session, *user, q.From, q.To, *reason, accesslog.Viewer(c.as), c.now())
		if err != nil {
			return c.usageError("%v", err)
		}
		if err := hold.Put(ctx, markers, h, st.signer); err != nil {
			return c.fail(exitUnreachable, "%v", err)
		}
		return c.say("hold %s: %s (%s)\n", h.ID, h.Describe(), h.Reason)
	case "release":
		active, err := c.activeHolds(ctx, st)
		if err != nil {
			return c.fail(exitUnreachable, "%v", err)
		}
		for _, h := range active {
			if h.ID == pos[0] {
				if st.signer == nil {
					return c.fail(exitUsage, "a release must be signed: give --signing-key (the collector's key)")
				}
				now := c.now().UTC()
				h.ReleasedAt, h.ReleasedBy = &now, accesslog.Viewer(c.as)
				if err := hold.Put(ctx, markers, h, st.signer); err != nil {
					return c.fail(exitUnreachable, "%v", err)
				}
				return c.say("released hold %s: %s\n", h.ID, h.Describe())
			}
		}
		return c.fail(exitFindings, "no active hold %s", pos[0])
	}
	active, err := c.activeHolds(ctx, st)
	if err != nil {
		return c.fail(exitUnreachable, "%v", err)
	}
	sort.Slice(active, func(i, j int) bool { return active[i].ID < active[j].ID })
	t := query.Table{Header: []string{"ID", "SELECTION", "REASON", "BY", "SINCE"}}
	for _, h := range active {
		t.Rows = append(t.Rows, []string{h.ID, h.Describe(), h.Reason, h.By, h.CreatedAt.Format(time.RFC3339)})
	}
	if err := writeRows(c, active, t); err != nil {
		return c.fail(exitUsage, "write output: %v", err)
	}
	return exitOK
}

func (c *cli) say(format string, args ...any) int {
	if _, err := fmt.Fprintf(c.stdout, format, args...); err != nil {
		return c.fail(exitUsage, "write output: %v", err)
	}
	return exitOK
}

// markerStore is where a store keeps auditctl's signed markers (holds, the retention floor) and
// whose published keys sign them.
type markerStore struct {
	holds  hold.Markers
	policy hold.PolicyMarkers
	keys   registry.Evidencer
}

// markersOf is the store's marker place; ok is false for a store without one.
func markersOf(st *auditStore) (markerStore, bool) {
	switch h := st.Handle.(type) {
	case registry.ObjectHandle:
		os := h.Objects()
		return markerStore{hold.ObjectMarkers(os.Backend(), os.Layout()), hold.ObjectPolicy(os.Backend(), os.Layout()), h}, true
	case registry.PostgresHandle:
		return markerStore{h.Postgres(), h.Postgres(), h}, true
	case registry.SearchHandle:
		return markerStore{h.Search(), h.Search(), h}, true
	}
	return markerStore{}, false
}

// activeHolds reads the store's holds; releases count when signed with a key the store publishes.
func (c *cli) activeHolds(ctx context.Context, st *auditStore) (hold.Set, error) {
	ms, ok := markersOf(st)
	if !ok {
		return nil, nil // a store without markers keeps no holds
	}
	keys, err := storeKeys(ctx, ms.keys)
	if err != nil {
		return nil, err
	}
	active, _, err := hold.Active(ctx, ms.holds, keys)
	return active, err
}

// holdsFor returns the holds a destructive command must respect; with override it returns none
// and leaves an access-log entry saying who overrode which holds for what.
func (c *cli) holdsFor(ctx context.Context, st *auditStore, override bool, what string) (hold.Set, error) {
	active, err := c.activeHolds(ctx, st)
	if err != nil || !override || len(active) == 0 {
		return active, err
	}
	ids := make([]string, len(active))
	for i, h := range active {
		ids[i] = h.ID
	}
	if err := c.logAccess(ctx, st, "override of legal holds "+strings.Join(ids, " ")+" for "+what, 0); err != nil {
		return nil, fmt.Errorf("%w (the override must be logged)", err)
	}
	return nil, nil
}
