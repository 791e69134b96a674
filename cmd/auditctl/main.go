// Command auditctl reads and checks an agent audit trail written by the agentaudit exporter.
//
//	auditctl <command> [flags]
//
// Each command has its own flag set; `auditctl <command> -h` lists its flags. Exit status, the same for
// every command: 0 success, 1 integrity findings or nothing matched, 2 usage error or a request refused
// by design, 3 store unreachable or unreadable.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes shared by every command.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
)

// command is one subcommand; run gets the arguments after the command name.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order `auditctl help` shows them.
var commands = []command{
	{name: "verify", summary: "check the integrity of a store: hashes, chain, manifests, signatures", run: runVerify},
	{name: "sessions", summary: "list sessions: start, duration, records, tool calls, errors, tokens, cost", run: runSessions},
	{name: "timeline", summary: "one session's records in order as a table (--json: JSON Lines)", run: runTimeline},
	{name: "user", summary: "one user's records across sessions in a time range", run: runUser},
	{name: "stats", summary: "stats tools | errors --by day | volume --by hour", run: runStats},
	{name: "report", summary: "one session as a self-contained HTML report (-o report.html)", run: runReport},
	{name: "export", summary: "an evidence bundle (records, inclusion proofs, signed checkpoints, keys) for offline checking", run: runExport},
	{name: "hold", summary: "legal holds: add|list|release; held records survive forget and retention", run: runHold},
	{name: "access-log", summary: "who read the audit trail, when, and what", run: runAccessLog},
	{name: "forget", summary: "erase a user's records (tombstones, signed erasure manifests); verify still passes", run: runForget},
	{name: "retention", summary: "delete partitions older than --older-than (e.g. 90d)", run: runRetention},
	{name: "serve", summary: "the web console and JSON API over a store (--users FILE); every view access-logged", run: runServe},
	{name: "users", summary: "users add|list|remove: the console's accounts (bcrypt) and roles", run: runUsers},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	diag(stderr, "auditctl: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(stderr io.Writer) {
	diag(stderr, "usage: auditctl <command> [flags]\n\ncommands:\n")
	for _, c := range commands {
		diag(stderr, "  %-10s %s\n", c.name, c.summary)
	}
	diag(stderr, "\nRun 'auditctl <command> -h' for the flags of a command.\n")
}
