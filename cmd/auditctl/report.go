package main

import (
	"bytes"
	"context"
	"io"
	"os"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/accesslog"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/report"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
)

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCLI("report", "report <session> --store URL -o report.html",
		"Writes one self-contained HTML file (inline CSS and SVG, nothing fetched) for a session: a timeline\n"+
			"chart of its agent runs, model calls and tool calls with failures and errors in red, token and cost\n"+
			"totals, the tool calls with parameters and results, and the transcript with redaction markers shown.", stdout, stderr)
	outFile := c.fs.String("o", "", "output file (required; - for stdout)")
	pos, code, ok := c.parse(args, 1, "<session>")
	if !ok {
		return code
	}
	if *outFile == "" {
		return c.usageError("-o FILE is required")
	}
	session := pos[0]
	c.emptyIsNotFound = true
	return c.readAndLog(ctx, func(svc *service.Service, st *auditStore) (int, string, func() error, error) {
		q, err := c.query()
		if err != nil {
			return 0, "", nil, err
		}
		q.SessionID = session
		recs, err := svc.Report(ctx, c.actor(), q, c.progress())
		show := func() error {
			if len(recs) == 0 {
				return nil
			}
			var buf bytes.Buffer
			if err := report.Render(&buf, recs, report.Options{
				SessionID: session, GeneratedAt: c.now(),
				GeneratedBy: accesslog.Viewer(c.as), Store: st.url,
			}); err != nil {
				return err
			}
			if *outFile == "-" {
				_, err := c.stdout.Write(buf.Bytes())
				return err
			}
			if err := os.WriteFile(*outFile, buf.Bytes(), 0o600); err != nil {
				return err
			}
			diag(c.stderr, "auditctl report: wrote %s (%d records, %d bytes)\n", *outFile, len(recs), buf.Len())
			return nil
		}
		return len(recs), "report of session " + session, show, err
	})
}
