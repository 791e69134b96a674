package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/agentaudit/otelcol-agentaudit/internal/console"
)

// passwordInput is where `users add` reads the password: the terminal without echo, else one line
// of standard input (for scripts). Tests replace it.
var passwordInput = func(stderr io.Writer) ([]byte, error) {
	fd := int(os.Stdin.Fd())
	if term.IsTerminal(fd) {
		diag(stderr, "password: ")
		pw, err := term.ReadPassword(fd)
		diag(stderr, "\n")
		return pw, err
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return []byte(strings.TrimRight(line, "\r\n")), nil
}

func runUsers(_ context.Context, args []string, stdout, stderr io.Writer) int {
	const synopsis = "usage: auditctl users add NAME --role viewer|auditor|admin --users FILE\n" +
		"       auditctl users list --users FILE\n       auditctl users remove NAME --users FILE\n\n" +
		"Manages the console's accounts. add reads the password from the terminal, or one line of standard\n" +
		"input when that is not a terminal, and stores a bcrypt hash. A running console rereads the file."
	if len(args) == 0 || (args[0] != "add" && args[0] != "list" && args[0] != "remove") {
		diag(stderr, "%s\n", synopsis)
		return exitUsage
	}
	sub := args[0]
	fs := flag.NewFlagSet("auditctl users "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("users", "", "users file (required)")
	role := fs.String("role", "", "add: viewer, auditor or admin")
	var pos []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return exitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		pos, rest = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if *file == "" {
		diag(stderr, "auditctl users: --users is required\n")
		return exitUsage
	}
	if err := usersDo(sub, *file, *role, pos, stdout, stderr); err != nil {
		diag(stderr, "auditctl users %s: %v\n", sub, err)
		return exitUsage
	}
	return exitOK
}

func usersDo(sub, file, role string, pos []string, stdout, stderr io.Writer) error {
	if sub == "list" {
		users, err := console.List(file)
		if err != nil {
			return err
		}
		w := &lineWriter{w: stdout}
		for _, u := range users {
			w.printf("%s\t%s\n", u.Name, u.Role)
		}
		return w.err
	}
	if len(pos) != 1 {
		return fmt.Errorf("want one user NAME, got %d", len(pos))
	}
	if sub == "remove" {
		return console.RemoveUser(file, pos[0])
	}
	r, err := console.ParseRole(role)
	if err != nil {
		return fmt.Errorf("--role: %w", err)
	}
	pw, err := passwordInput(stderr)
	if err != nil {
		return fmt.Errorf("read the password: %w", err)
	}
	return console.AddUser(file, pos[0], r, pw)
}
