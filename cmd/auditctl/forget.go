package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/accesslog"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/erase"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
)

func runForget(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("forget", "forget --user U --store URL [--dry-run] [--signing-key FILE] [--as REQUESTER] [--json]",
		"Right to be forgotten: replaces every record whose user_id is U (and every record without a user_id\n"+
			"of a trace that has one of U's records) by a tombstone that keeps record_id,\n"+
			"timestamps and integrity (stream, seq, prev_hash, hash) but no content, writes a signed erasure\n"+
			"manifest beside each rewritten object's original manifest, removes old S3 object versions, and records\n"+
			"the erasure (requester, subject, count, objects) as an erasure record. `auditctl verify` then passes\n"+
			"and lists the objects as erased. U is matched exactly as stored: if the redaction processor\n"+
			"pseudonymised user ids, pass the pseudonym. Stores with signed manifests need --signing-key.\n"+
			"Objects under S3 Object Lock COMPLIANCE retention cannot be erased before the retention ends.", stdout, stderr)
	user := c.fs.String("user", "", "user_id whose records to erase (required)")
	dryRun := c.fs.Bool("dry-run", false, "only list what would be erased")
	override := c.fs.Bool("override-hold", false, "erase records under legal hold too (recorded in the access log)")
	if _, code, ok := c.parse(args, 0); !ok {
		return code
	}
	if *user == "" {
		return c.usageError("--user is required")
	}
	st, code, err := c.open(ctx)
	if err != nil {
		return c.fail(code, "%v", err)
	}
	defer c.closeStore(st)
	eraser, ok := st.Handle.(registry.Eraser)
	if !ok {
		return c.fail(exitUsage, "%s: erasure is %v", st.url, registry.ErrUnsupported)
	}
	// Records stored without a user id belong to the user when their trace does (identity joined
	// by trace_id, docs/audit-record.md): find the user's traces first, including those an earlier
	// erasure of the user recorded.
	traces, err := erase.SubjectTraces(ctx, st.Handle, *user, c.progress())
	if err != nil {
		return c.fail(exitUnreachable, "%v", err)
	}
	opts := erase.Options{Subject: *user, Traces: traces, Requester: accesslog.Viewer(c.as), Signer: st.signer, DryRun: *dryRun, Now: c.now}
	if !c.quiet {
		opts.Progress = objectProgress(c)
	}
	holds, err := c.holdsFor(ctx, st, *override && !*dryRun, "forget user "+*user)
	if err != nil {
		return c.fail(exitUnreachable, "%v", err)
	}
	if len(holds) > 0 {
		opts.Held = holds.Holding
	}
	res, err := eraser.Forget(ctx, opts)
	switch {
	case errors.Is(err, erase.ErrSigningKeyRequired), errors.Is(err, objectstore.ErrObjectLocked):
		return c.fail(exitUsage, "%v", err)
	case err != nil:
		return c.fail(exitUnreachable, "%v", err)
	}
	if *dryRun {
		if err := service.New(st.Handle, c.now).Log(ctx, c.actor(), "dry run: records of user "+*user, res.Records); err != nil {
			return c.fail(exitUnreachable, "%v (nothing shown: every read must be logged)", err)
		}
	}
	if err := printErasure(c, res); err != nil {
		return c.fail(exitUsage, "write output: %v", err)
	}
	if res.Records == 0 {
		return exitFindings
	}
	return exitOK
}

func printErasure(c *cli, res erase.Result) error {
	if c.json {
		enc := json.NewEncoder(c.stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(res)
	}
	w := &lineWriter{w: c.stdout}
	switch {
	case res.Records == 0:
		w.printf("no records of user %s found; nothing to erase\n", res.Subject)
		return w.err
	case res.DryRun:
		w.printf("dry run: would replace %d records of user %s in %d objects by tombstones:\n", res.Records, res.Subject, len(res.Objects))
	default:
		w.printf("erasure %s: replaced %d records of user %s in %d objects by tombstones:\n", res.ErasureID, res.Records, res.Subject, len(res.Objects))
	}
	if res.Copies > 0 {
		w.printf("  (and %d further stored copies of those records, written again by retries)\n", res.Copies)
	}
	for _, o := range res.Objects {
		w.printf("  %s  %d records (seqs %s)\n", o.Key, len(o.ErasedSeqs), seqList(o.ErasedSeqs))
		if o.ErasureManifestKey != "" {
			w.printf("    erasure manifest %s\n", o.ErasureManifestKey)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(res.Held)) {
		w.printf("kept %d records under legal hold %s (not erased; --override-hold erases them)\n", res.Held[id], id)
	}
	for _, warn := range res.Warnings {
		w.printf("warning: %s\n", warn)
	}
	if !res.DryRun {
		w.printf("recorded as erasure record %s (requester %s)\n", res.RecordID, res.Requester)
		w.printf("`auditctl verify` lists these objects as erased\n")
	}
	return w.err
}

// seqList shortens runs of consecutive numbers: 1-10,16,18-19.
func seqList(seqs []uint64) string {
	out := ""
	for i := 0; i < len(seqs); {
		j := i
		for j+1 < len(seqs) && seqs[j+1] == seqs[j]+1 {
			j++
		}
		if out != "" {
			out += ","
		}
		if j > i {
			out += fmt.Sprintf("%d-%d", seqs[i], seqs[j])
		} else {
			out += strconv.FormatUint(seqs[i], 10)
		}
		i = j + 1
	}
	return out
}

// objectProgress reports a scan over objects on stderr every few seconds, once it has run that long.
func objectProgress(c *cli) func(done, total int) {
	start := c.now()
	last := start
	return func(done, total int) {
		if now := c.now(); now.Sub(last) >= 2*time.Second {
			last = now
			diag(c.stderr, "auditctl %s: read %d of %d objects (%s)\n", c.name, done, total, now.Sub(start).Round(time.Second))
		}
	}
}
