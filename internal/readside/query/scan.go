package query

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
)

// Progress reports a long scan to a terminal (stderr): a line every Interval, only once the scan has
// run that long, so short queries stay silent.
type Progress struct {
	W        io.Writer
	Interval time.Duration    // default 2s
	Now      func() time.Time // default time.Now

	start, last time.Time
	records     int
	printed     bool
}

func (p *Progress) begin() {
	if p == nil {
		return
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.Interval == 0 {
		p.Interval = 2 * time.Second
	}
	p.start, p.last, p.records, p.printed = p.Now(), p.Now(), 0, false
}

func (p *Progress) tick() {
	if p == nil || p.W == nil {
		return
	}
	p.records++
	if p.records%1024 != 0 {
		return
	}
	if now := p.Now(); now.Sub(p.last) >= p.Interval {
		p.last = now
		p.printed = true
		p.writeLine("auditctl: scanned %d records (%s)\n", p.records, now.Sub(p.start).Round(time.Second))
	}
}

func (p *Progress) end() {
	if p == nil || p.W == nil || !p.printed {
		return
	}
	p.writeLine("auditctl: scanned %d records in %s\n", p.records, p.Now().Sub(p.start).Round(time.Second))
}

// writeLine writes one progress line. Progress is a courtesy: when its writer fails (a closed
// terminal), reporting stops and the scan goes on.
func (p *Progress) writeLine(format string, args ...any) {
	if _, err := fmt.Fprintf(p.W, format, args...); err != nil {
		p.W = nil
	}
}

// Scan runs q on r, reporting progress on p (which may be nil). fn sees each record id once,
// however many copies the store holds (see Distinct).
func Scan(ctx context.Context, r store.Reader, q store.Query, p *Progress, fn func(*auditrecord.Record) error) error {
	p.begin()
	distinct := NewDistinct()
	err := r.Scan(ctx, q, func(rec *auditrecord.Record) error {
		p.tick()
		if !distinct.First(rec.RecordID) {
			return nil
		}
		return fn(rec)
	})
	p.end()
	return err
}

// isAuditorRecord reports records auditctl itself writes about the trail (reads and erasures); they
// are not agent activity and stay out of activity statistics.
func isAuditorRecord(r *auditrecord.Record) bool {
	return r.Type == auditrecord.TypeAccess || r.Type == auditrecord.TypeErasure
}
