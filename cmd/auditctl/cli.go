package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
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
	// exitCodes is the exit status paragraph of the usage text (exitCodesHelp unless a command has its own).
	exitCodes string
}

// newCLI sets up the flags every command takes: the store, --as, --json, --quiet and --signing-key.
func newCLI(name, synopsis, description string, stdout, stderr io.Writer) *cli {
	c := &cli{name: name, stdout: stdout, stderr: stderr, now: time.Now, exitCodes: exitCodesHelp}
	c.fs = flag.NewFlagSet("auditctl "+name, flag.ContinueOnError)
	c.fs.SetOutput(stderr)
	c.store = addStoreFlags(c.fs)
	c.fs.StringVar(&c.as, "as", "", "viewer identity recorded in the access log (default: OS user@host)")
	c.fs.BoolVar(&c.json, "json", false, "print JSON Lines instead of a table")
	c.fs.BoolVar(&c.quiet, "quiet", false, "no progress messages on stderr")
	c.fs.StringVar(&c.signingKey, "signing-key", os.Getenv(signingKeyEnv), "Ed25519 private key (PEM, PKCS#8) to sign the manifests auditctl writes "+
		"(access and erasure records, erasure manifests); use the collector's key so verify trusts them (default $"+signingKeyEnv+")")
	c.fs.Usage = func() {
		diag(stderr, "usage: auditctl %s\n\n%s\n\n%s\n\nflags:\n", synopsis, description, c.exitCodes)
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

func (c *cli) progress() *query.Progress {
	if c.quiet {
		return nil
	}
	return &query.Progress{W: c.stderr}
}
