package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditquery"
	"github.com/agentaudit/otelcol-agentaudit/internal/retention"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

func runRetention(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("retention", "retention --older-than AGE --store URL [--dry-run] [--json]",
		"Deletes expired partitions: every hour partition whose whole hour lies more than AGE (90d, 2w, 36h)\n"+
			"in the past, with the manifests and erasure manifests of its objects, oldest first per stream.\n"+
			"On a versioned S3 bucket the current versions are deleted; let a lifecycle rule expire the\n"+
			"noncurrent ones (Object Lock keeps locked versions until their retention date).", stdout, stderr)
	olderThan := c.fs.String("older-than", "", "retention age: delete partitions older than this (required)")
	dryRun := c.fs.Bool("dry-run", false, "only list what would be deleted")
	if _, code, ok := c.parse(args, 0); !ok {
		return code
	}
	if *olderThan == "" {
		return c.usageError("--older-than is required")
	}
	age, err := auditquery.ParseAge(*olderThan)
	if err != nil || age <= 0 {
		return c.usageError("--older-than: %q is not a positive age (90d, 2w, 36h)", *olderThan)
	}
	st, code, err := c.open(ctx)
	if err != nil {
		return c.fail(code, "%v", err)
	}
	opts := retention.Options{OlderThan: age, DryRun: *dryRun, Now: c.now, Signer: st.signer}
	var res retention.Result
	if st.search != nil {
		res, err = retention.ExpireIndices(ctx, st.search, opts)
	} else {
		res, err = retention.Expire(ctx, st.target.Backend, objectstore.Layout{Prefix: st.target.Prefix}, opts)
	}
	if errors.Is(err, retention.ErrSigningKeyRequired) {
		return c.fail(exitUsage, "%v", err)
	}
	if err != nil {
		return c.fail(exitUnreachable, "%v", err)
	}
	if err := printRetention(c, res); err != nil {
		return c.fail(exitUsage, "write output: %v", err)
	}
	return exitOK
}

func printRetention(c *cli, res retention.Result) error {
	if c.json {
		return json.NewEncoder(c.stdout).Encode(res)
	}
	verb := "deleted"
	if res.DryRun {
		verb = "dry run: would delete"
	}
	var err error
	if isSearchEngineURL(c.store.url) {
		_, err = fmt.Fprintf(c.stdout, "%s %d indices older than %s\n", verb, len(res.Partitions), res.Cutoff.Format(time.RFC3339))
	} else {
		_, err = fmt.Fprintf(c.stdout, "%s %d partitions older than %s: %d objects, %d manifests, %d records\n",
			verb, len(res.Partitions), res.Cutoff.Format(time.RFC3339), res.Objects, res.Manifests, res.Records)
	}
	for _, p := range res.Partitions {
		fmt.Fprintf(c.stdout, "  %s\n", p)
	}
	return err
}
