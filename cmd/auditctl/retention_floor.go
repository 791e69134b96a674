package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence/hold"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/accesslog"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
)

// setRetentionFloor is `retention --set-min-age AGE`: a signed policy marker, logged.
func (c *cli) setRetentionFloor(ctx context.Context, minAge string) int {
	age, err := query.ParseAge(minAge)
	if err != nil || age <= 0 {
		return c.usageError("--set-min-age: %q is not a positive age (4380h, 183d)", minAge)
	}
	st, code, err := c.open(ctx)
	if err != nil {
		return c.fail(code, "%v", err)
	}
	defer c.closeStore(st)
	ms, ok := markersOf(st)
	if !ok {
		return c.fail(exitUsage, "%s: a retention floor is %v", st.url, registry.ErrUnsupported)
	}
	if st.signer == nil {
		return c.fail(exitUsage, "--set-min-age: the floor is a signed marker: give --signing-key (the collector's key)")
	}
	if err := c.logAccess(ctx, st, "retention floor set to "+minAge, 0); err != nil {
		return c.fail(exitUnreachable, "%v", err)
	}
	p := hold.RetentionPolicy{MinAge: minAge, SetBy: accesslog.Viewer(c.as), SetAt: c.now().UTC()}
	if err := hold.PutPolicy(ctx, ms.policy, p, st.signer); err != nil {
		return c.fail(exitUnreachable, "%v", err)
	}
	return c.say("retention floor of %s: min_age %s\n", st.url, minAge)
}

// checkRetentionFloor refuses a retention age below the store's signed floor (exit 2).
func (c *cli) checkRetentionFloor(ctx context.Context, st *auditStore, age time.Duration) (int, error) {
	ms, ok := markersOf(st)
	if !ok {
		return exitOK, nil
	}
	keys, err := storeKeys(ctx, ms.keys)
	if err != nil {
		return exitUnreachable, err
	}
	p, ok, err := hold.Policy(ctx, ms.policy, keys)
	if errors.Is(err, hold.ErrPolicyUnsigned) {
		return exitUsage, fmt.Errorf("%w; refusing to run retention", err)
	}
	if err != nil || !ok {
		return exitUnreachable, err
	}
	floor, err := query.ParseAge(p.MinAge)
	if err != nil {
		return exitUsage, fmt.Errorf("the store's retention floor %q does not parse; refusing to run retention", p.MinAge)
	}
	if age < floor {
		return exitUsage, fmt.Errorf("refusing: --older-than %v is below the store's retention floor min_age %s (set by %s on %s); "+
			"records must be kept at least that long", age, p.MinAge, p.SetBy, p.SetAt.Format("2006-01-02"))
	}
	return exitOK, nil
}
