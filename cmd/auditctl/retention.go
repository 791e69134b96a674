package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"slices"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/retain"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/esstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/pgstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
)

func runRetention(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("retention", "retention --older-than AGE --store URL [--dry-run] [--json]",
		"Deletes expired partitions: every hour partition whose whole hour lies more than AGE (90d, 2w, 36h)\n"+
			"in the past, with the manifests and erasure manifests of its objects, oldest first per stream.\n"+
			"On a versioned S3 bucket the current versions are deleted; let a lifecycle rule expire the\n"+
			"noncurrent ones (Object Lock keeps locked versions until their retention date).", stdout, stderr)
	olderThan := c.fs.String("older-than", "", "retention age: delete partitions older than this (required)")
	setMinAge := c.fs.String("set-min-age", "", "set the store's signed retention floor (e.g. 4380h, six months) instead of deleting; needs --signing-key")
	dryRun := c.fs.Bool("dry-run", false, "only list what would be deleted")
	override := c.fs.Bool("override-hold", false, "delete partitions holding records under legal hold too (recorded in the access log)")
	if _, code, ok := c.parse(args, 0); !ok {
		return code
	}
	if *setMinAge != "" {
		return c.setRetentionFloor(ctx, *setMinAge)
	}
	if *olderThan == "" {
		return c.usageError("--older-than is required")
	}
	age, err := query.ParseAge(*olderThan)
	if err != nil || age <= 0 {
		return c.usageError("--older-than: %q is not a positive age (90d, 2w, 36h)", *olderThan)
	}
	st, code, err := c.open(ctx)
	if err != nil {
		return c.fail(code, "%v", err)
	}
	defer c.closeStore(st)
	expirer, ok := st.Handle.(registry.Expirer)
	if !ok {
		return c.fail(exitUsage, "%s: retention is %v", st.url, registry.ErrUnsupported)
	}
	if code, err := c.checkRetentionFloor(ctx, st, age); err != nil {
		return c.fail(code, "%v", err)
	}
	holds, err := c.holdsFor(ctx, st, *override && !*dryRun, "retention older than "+*olderThan)
	if err != nil {
		return c.fail(exitUnreachable, "%v", err)
	}
	opts := retain.Options{OlderThan: age, DryRun: *dryRun, Now: c.now, Signer: st.signer}
	if len(holds) > 0 {
		opts.HeldRecord = holds.Holding
		if objects, ok := st.Handle.(registry.ObjectHandle); ok {
			opts.Held = holds.ObjectHeld(objects.Objects().Backend())
		}
	}
	res, err := expirer.Expire(ctx, opts)
	if errors.Is(err, retain.ErrSigningKeyRequired) || errors.Is(err, pgstore.ErrSigningKeyRequired) ||
		errors.Is(err, esstore.ErrSigningKeyRequired) {
		return c.fail(exitUsage, "%v", err)
	}
	if err != nil {
		return c.fail(exitUnreachable, "%v", err)
	}
	if err := printRetention(c, expirer, res); err != nil {
		return c.fail(exitUsage, "write output: %v", err)
	}
	return exitOK
}

func printRetention(c *cli, expirer registry.Expirer, res retain.Result) error {
	if c.json {
		return json.NewEncoder(c.stdout).Encode(res)
	}
	verb := "deleted"
	if res.DryRun {
		verb = "dry run: would delete"
	}
	w := &lineWriter{w: c.stdout}
	w.printf("%s\n", expirer.DescribeExpiry(verb, res))
	for _, p := range res.Partitions {
		w.printf("  %s\n", p)
	}
	for _, key := range slices.Sorted(maps.Keys(res.Held)) {
		w.printf("kept %s and the rest of its stream: it holds records under legal hold %s\n", key, res.Held[key])
	}
	return w.err
}
