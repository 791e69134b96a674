package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/accesslog"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
)

// exitUnreachable is the exit status when the store cannot be reached or read (or written, for the
// access record every read leaves behind).
const exitUnreachable = 3

// cli is the flag handling and output every query, report and maintenance command shares.
type cli struct {
	name           string
	fs             *flag.FlagSet
	store          *storeFlags
	as             string
	json           bool
	quiet          bool
	signingKey     string
	from, to       string
	stdout, stderr io.Writer
	now            func() time.Time
	// emptyIsNotFound makes an answer without records exit 1 (a session or user that is not there).
	emptyIsNotFound bool
}

// newCLI sets up the flags every command takes: the store, --as, --json, --quiet and --signing-key.
func newCLI(name, synopsis, description string, stdout, stderr io.Writer) *cli {
	c := &cli{name: name, stdout: stdout, stderr: stderr, now: time.Now}
	c.fs = flag.NewFlagSet("auditctl "+name, flag.ContinueOnError)
	c.fs.SetOutput(stderr)
	c.store = addStoreFlags(c.fs)
	c.fs.StringVar(&c.as, "as", "", "viewer identity recorded in the access log (default: OS user@host)")
	c.fs.BoolVar(&c.json, "json", false, "print JSON Lines instead of a table")
	c.fs.BoolVar(&c.quiet, "quiet", false, "no progress messages on stderr")
	c.fs.StringVar(&c.signingKey, "signing-key", os.Getenv(signingKeyEnv), "Ed25519 private key (PEM, PKCS#8) to sign the manifests auditctl writes "+
		"(access and erasure records, erasure manifests); use the collector's key so verify trusts them (default $"+signingKeyEnv+")")
	c.fs.Usage = func() {
		diag(stderr, "usage: auditctl %s\n\n%s\n\n%s\n\nflags:\n", synopsis, description, exitCodesHelp)
		c.fs.PrintDefaults()
	}
	return c
}

// signingKeyEnv names the signing key file when --signing-key is not given.
const signingKeyEnv = "AUDITCTL_SIGNING_KEY"

const exitCodesHelp = "Exit status: 0 success, 1 nothing matched (or findings), 2 usage error, 3 store unreachable."

// timeRange adds --from and --to.
func (c *cli) timeRange() {
	c.fs.StringVar(&c.from, "from", "", "only records at or after this time: RFC 3339, a date (2026-11-01) or an age (-7d, 24h)")
	c.fs.StringVar(&c.to, "to", "", "only records before this time (exclusive), same forms as --from")
}

// parse reads flags and exactly nargs positional arguments, which may come before or between flags.
// code is meaningful only when ok is false.
func (c *cli) parse(args []string, nargs int, argNames ...string) (pos []string, code int, ok bool) {
	for {
		if err := c.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK, false
			}
			return nil, exitUsage, false
		}
		if c.fs.NArg() == 0 {
			break
		}
		pos = append(pos, c.fs.Arg(0))
		args = c.fs.Args()[1:]
	}
	if len(pos) != nargs {
		if nargs == 0 {
			return nil, c.usageError("unexpected arguments %q", pos), false
		}
		return nil, c.usageError("want %s, got %d arguments", strings.Join(argNames, " "), len(pos)), false
	}
	return pos, exitOK, true
}

func (c *cli) usageError(format string, args ...any) int {
	diag(c.stderr, "auditctl %s: %s\n", c.name, fmt.Sprintf(format, args...))
	diag(c.stderr, "Run 'auditctl %s -h' for usage.\n", c.name)
	return exitUsage
}

func (c *cli) fail(code int, format string, args ...any) int {
	diag(c.stderr, "auditctl %s: %s\n", c.name, fmt.Sprintf(format, args...))
	return code
}

// diag writes a message for the operator to stderr. Its write error is dropped on purpose: stderr
// is where failures are reported, so one there has nowhere left to go, and the exit status still
// tells the outcome.
func diag(stderr io.Writer, format string, args ...any) {
	_, _ = fmt.Fprintf(stderr, format, args...)
}

// closeStore releases the store; everything the command wrote was flushed before, so a failure
// here is only worth a warning.
func (c *cli) closeStore(st *auditStore) {
	if err := st.Close(); err != nil {
		diag(c.stderr, "auditctl %s: warning: close %s: %v\n", c.name, st.url, err)
	}
}

// lineWriter writes lines to an output and keeps the first error, so a printer of many lines
// checks once at the end and stops writing after a failure.
type lineWriter struct {
	w   io.Writer
	err error
}

func (l *lineWriter) printf(format string, args ...any) {
	if l.err == nil {
		_, l.err = fmt.Fprintf(l.w, format, args...)
	}
}

// query builds the store query from --from/--to.
func (c *cli) query() (store.Query, error) {
	now := c.now()
	from, err := query.ParseTime(c.from, now)
	if err != nil {
		return store.Query{}, fmt.Errorf("--from: %w", err)
	}
	to, err := query.ParseTime(c.to, now)
	if err != nil {
		return store.Query{}, fmt.Errorf("--to: %w", err)
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return store.Query{}, fmt.Errorf("--from %s is not before --to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	return store.Query{From: from, To: to}, nil
}

// rangeLabel describes the time range of q for the access log.
func rangeLabel(q store.Query) string {
	switch {
	case q.From.IsZero() && q.To.IsZero():
		return ""
	case q.To.IsZero():
		return " since " + q.From.Format(time.RFC3339)
	case q.From.IsZero():
		return " before " + q.To.Format(time.RFC3339)
	}
	return " " + q.From.Format(time.RFC3339) + ".." + q.To.Format(time.RFC3339)
}

func (c *cli) progress() *query.Progress {
	if c.quiet {
		return nil
	}
	return &query.Progress{W: c.stderr}
}

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

// logAccess appends the access record of this read. A read that cannot be logged is not shown: the
// caller prints its answer only after this succeeds.
func (c *cli) logAccess(ctx context.Context, st *auditStore, target string, records int) error {
	return accesslog.Append(ctx, st, accesslog.NewRecord(accesslog.Viewer(c.as), c.name, target, records, c.now()))
}

// readAndLog is the common shape of a read command: open, compute, log the access, print.
// compute returns the access target, the number of records the answer covers and a printer.
func (c *cli) readAndLog(ctx context.Context, compute func(st *auditStore) (target string, records int, show func() error, err error)) int {
	st, code, err := c.open(ctx)
	if err != nil {
		return c.fail(code, "%v", err)
	}
	defer c.closeStore(st)
	target, n, show, err := compute(st)
	if err != nil {
		return c.fail(exitUnreachable, "read %s: %v", st.url, err)
	}
	if err := c.logAccess(ctx, st, target, n); err != nil {
		return c.fail(exitUnreachable, "%v (nothing shown: every read must be logged)", err)
	}
	if n == 0 && c.emptyIsNotFound {
		return c.fail(exitFindings, "no records matched %s", strings.TrimSpace(target))
	}
	if err := show(); err != nil {
		return c.fail(exitUsage, "write output: %v", err)
	}
	return exitOK
}

// writeRows prints rows as JSON Lines under --json, else as the table.
func writeRows[T any](c *cli, rows []T, table query.Table) error {
	if c.json {
		return query.WriteJSONLines(c.stdout, rows)
	}
	return table.Write(c.stdout)
}

// recordsOrTable prints records as JSON Lines under --json, else as a timeline table.
func (c *cli) recordsOrTable(recs []*auditrecord.Record, withSession bool) error {
	if c.json {
		return query.WriteRecordsJSONL(c.stdout, recs)
	}
	return query.TimelineTable(recs, withSession).Write(c.stdout)
}
