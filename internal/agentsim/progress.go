package agentsim

import (
	"fmt"
	"io"
	"time"
)

// progressReporter writes at most one line a second, so short runs stay silent.
type progressReporter struct {
	w     io.Writer
	total int
	began time.Time
	next  time.Time
	wrote bool
}

func newProgressReporter(w io.Writer, total int, began time.Time) *progressReporter {
	return &progressReporter{w: w, total: total, began: began, next: began.Add(time.Second)}
}

func (p *progressReporter) update(sent int) {
	if p.w == nil {
		return
	}
	now := time.Now()
	if now.Before(p.next) {
		return
	}
	p.next = now.Add(time.Second)
	p.wrote = true
	p.print("agentsim: %d/%d sessions sent, %.1f sessions/s\n", sent, p.total, float64(sent)/now.Sub(p.began).Seconds())
}

// done summarises a run that printed progress.
func (p *progressReporter) done(s Stats) {
	if p.w == nil || !p.wrote {
		return
	}
	p.print("agentsim: done: %d sessions, %d spans, %d log records in %s (%.1f sessions/s)\n",
		s.Sessions, s.SpansExported, s.LogsExported, s.Elapsed.Round(time.Millisecond), float64(s.Sessions)/s.Elapsed.Seconds())
}

// print writes one progress line. Progress is advisory: when the writer fails (a closed stderr),
// reporting stops and the run goes on.
func (p *progressReporter) print(format string, args ...any) {
	if _, err := fmt.Fprintf(p.w, format, args...); err != nil {
		p.w = nil
	}
}
