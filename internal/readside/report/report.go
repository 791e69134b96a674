// Package report renders one agent session as a single self-contained HTML file: a timeline chart of
// its spans (agent runs, model calls, tool calls; failures and errors in red) as inline SVG, token and
// cost totals, the tool calls, and the transcript with redaction markers highlighted. The file uses
// inline CSS and SVG only — no scripts, fonts, images or links — so it opens offline and can be
// attached to an incident or audit ticket as it is.
package report

import (
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"io"
	"math"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
)

// Options are the report's context.
type Options struct {
	SessionID   string
	GeneratedAt time.Time
	GeneratedBy string
	Store       string
}

// Render writes the report of a session's records, given in time order.
func Render(w io.Writer, recs []*auditrecord.Record, opts Options) error {
	return page.Execute(w, build(recs, opts))
}

type view struct {
	Options
	Summary     query.Session
	InputTok    int64
	OutputTok   int64
	Chart       template.HTML
	Tools       []toolView
	Transcript  []entryView
	Redactions  int
	Erased      int
	GeneratedAt string
}

type toolView struct {
	Time, Name, Status, Duration string
	Params, Result               template.HTML
	Failed                       bool
}

type entryView struct {
	Time, Type, Name, Meta string
	Content                template.HTML
	Class                  string
}

func build(recs []*auditrecord.Record, opts Options) view {
	v := view{Options: opts, GeneratedAt: opts.GeneratedAt.UTC().Format(time.RFC3339)}
	if ss := query.SummariseSession(recs); ss != nil {
		v.Summary = *ss
	}
	seenUsage := map[string]bool{}
	for _, r := range recs {
		if r.LLMCall != nil && r.LLMCall.Tokens != nil {
			seenUsage[r.TraceID+"/"+r.SpanID] = true
			v.InputTok += deref(r.LLMCall.Tokens.Input)
			v.OutputTok += deref(r.LLMCall.Tokens.Output)
		}
	}
	for _, r := range recs {
		if r.Output != nil && r.Output.Tokens != nil && !seenUsage[r.TraceID+"/"+r.SpanID] {
			seenUsage[r.TraceID+"/"+r.SpanID] = true
			v.InputTok += deref(r.Output.Tokens.Input)
			v.OutputTok += deref(r.Output.Tokens.Output)
		}
	}
	for _, r := range recs {
		row := query.Row(r)
		if tc := r.ToolCall; tc != nil {
			params, _ := highlight(pretty(tc.Parameters))
			result, _ := highlight(pretty(tc.Result))
			v.Tools = append(v.Tools, toolView{
				Time: clock(r.Timestamp), Name: tc.ToolName, Status: tc.Status,
				Duration: optMS(tc.DurationMS), Params: params, Result: result, Failed: tc.Status == auditrecord.ToolStatusError,
			})
		}
		content, n := highlight(row.Detail)
		v.Redactions += n
		e := entryView{Time: clock(r.Timestamp), Type: string(r.Type), Name: row.Name, Content: content, Class: string(r.Type)}
		var meta []string
		if row.Status != "" {
			meta = append(meta, row.Status)
		}
		if row.DurationMS != nil {
			meta = append(meta, optMS(row.DurationMS))
		}
		if row.Tokens != nil {
			meta = append(meta, fmt.Sprintf("%d tokens", *row.Tokens))
		}
		if row.Cost != nil {
			meta = append(meta, fmt.Sprintf("$%.4f", *row.Cost))
		}
		e.Meta = strings.Join(meta, " · ")
		if row.Status == auditrecord.ToolStatusError || r.Type == auditrecord.TypeError {
			e.Class += " failed"
		}
		if r.Type == auditrecord.TypeTombstone {
			v.Erased++
		}
		v.Transcript = append(v.Transcript, e)
	}
	v.Chart = chart(recs)
	return v
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func fmtCost(c float64) string { return fmt.Sprintf("$%.4f", c) }

func clock(t time.Time) string { return t.UTC().Format("15:04:05.000") }

func optMS(ms *float64) string {
	if ms == nil {
		return ""
	}
	d := time.Duration(*ms * float64(time.Millisecond))
	if d >= time.Second {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%dms", d.Milliseconds())
}

func pretty(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// highlight escapes s and wraps every redaction marker in <mark class="redaction">.
func highlight(s string) (template.HTML, int) {
	var b strings.Builder
	last := 0
	matches := query.RedactionMarker.FindAllStringIndex(s, -1)
	for _, m := range matches {
		b.WriteString(html.EscapeString(s[last:m[0]]))
		b.WriteString(`<mark class="redaction" title="redacted before storage">`)
		b.WriteString(html.EscapeString(s[m[0]:m[1]]))
		b.WriteString(`</mark>`)
		last = m[1]
	}
	b.WriteString(html.EscapeString(s[last:]))
	return template.HTML(b.String()), len(matches) //nolint:gosec // G203: every piece of s went through html.EscapeString above
}

// Chart geometry, in SVG user units.
const (
	chartWidth  = 1000.0
	labelWidth  = 190.0
	rowHeight   = 22.0
	axisHeight  = 28.0
	chartMargin = 10.0
)

// chart draws one row per span (agent run, model call, tool call) on a shared time axis, a first row
// of instants (inputs, reasoning, outputs), and errors as red diamonds on the row of the span they
// belong to.
func chart(recs []*auditrecord.Record) template.HTML {
	if len(recs) == 0 {
		return ""
	}
	start, end := recs[0].Timestamp, recs[0].Timestamp
	for _, r := range recs {
		s, e := query.TimeRange(r)
		if s.Before(start) {
			start = s
		}
		if e.After(end) {
			end = e
		}
	}
	total := end.Sub(start)
	if total <= 0 {
		total = time.Second
	}
	plot := chartWidth - labelWidth - 2*chartMargin
	x := func(t time.Time) float64 { return labelWidth + chartMargin + plot*float64(t.Sub(start))/float64(total) }

	type row struct {
		label, class, title string
		from, to            time.Time
	}
	var rows []row
	rowOf := map[string]int{} // record id → row index, for errors
	var instants, errs []*auditrecord.Record
	for _, r := range recs {
		s, e := query.TimeRange(r)
		switch {
		case r.AgentRun != nil:
			rowOf[r.RecordID] = len(rows)
			rows = append(rows, row{
				label: "agent " + name(r.AgentRun.Operation, "run"), class: spanClass("agent", r.AgentRun.Status), from: s, to: e,
				title: fmt.Sprintf("agent run, %s, %s", r.AgentRun.Status, optMS(r.AgentRun.DurationMS)),
			})
		case r.LLMCall != nil:
			rowOf[r.RecordID] = len(rows)
			rows = append(rows, row{
				label: "llm " + name(r.LLMCall.Model, "call"), class: spanClass("llm", r.LLMCall.Status), from: s, to: e,
				title: fmt.Sprintf("model call %s, %s, %s", r.LLMCall.Model, r.LLMCall.Status, optMS(r.LLMCall.DurationMS)),
			})
		case r.ToolCall != nil:
			rowOf[r.RecordID] = len(rows)
			rows = append(rows, row{
				label: "tool " + r.ToolCall.ToolName, class: spanClass("tool", r.ToolCall.Status), from: s, to: e,
				title: fmt.Sprintf("tool %s, %s, %s", r.ToolCall.ToolName, r.ToolCall.Status, optMS(r.ToolCall.DurationMS)),
			})
		case r.Error != nil:
			errs = append(errs, r)
		default:
			instants = append(instants, r)
		}
	}
	height := axisHeight + rowHeight*float64(len(rows)+1) + chartMargin
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="session timeline" viewBox="0 0 %.0f %.0f" width="100%%">`, chartWidth, height)

	// Axis with about six round ticks.
	tick := niceStep(total / 6)
	for t := time.Duration(0); t <= total; t += tick {
		px := x(start.Add(t))
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, px, axisHeight-6, px, height-chartMargin)
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f">+%s</text>`, px, axisHeight-10, fmtOffset(t))
	}
	y := func(i int) float64 { return axisHeight + rowHeight*float64(i) }

	fmt.Fprintf(&b, `<text class="label" x="%.1f" y="%.1f">messages</text>`, chartMargin, y(0)+15)
	for _, r := range instants {
		fmt.Fprintf(&b, `<circle class="instant %s" cx="%.1f" cy="%.1f" r="5"><title>%s %s</title></circle>`,
			html.EscapeString(string(r.Type)), x(r.Timestamp), y(0)+11, html.EscapeString(string(r.Type)), clock(r.Timestamp))
	}
	for i, rw := range rows {
		yy := y(i + 1)
		fmt.Fprintf(&b, `<text class="label" x="%.1f" y="%.1f">%s</text>`, chartMargin, yy+15, html.EscapeString(truncate(rw.label, 26)))
		w := math.Max(x(rw.to)-x(rw.from), 2)
		fmt.Fprintf(&b, `<rect class="span %s" x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="3"><title>%s</title></rect>`,
			rw.class, x(rw.from), yy+4, w, rowHeight-8, html.EscapeString(rw.title))
	}
	for _, r := range errs {
		i, ok := rowOf[r.Error.RelatedRecordID]
		yy := y(0) + 11
		if ok {
			yy = y(i+1) + 11
		}
		px := x(r.Timestamp)
		fmt.Fprintf(&b, `<path class="error-mark" d="M %.1f %.1f l 7 7 l -7 7 l -7 -7 z"><title>error %s: %s</title></path>`,
			px, yy-7, html.EscapeString(r.Error.Type), html.EscapeString(r.Error.Message))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // G203: record text in the chart goes through html.EscapeString; classes are constants
}

func name(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

func spanClass(kind, status string) string {
	if status == "error" {
		return kind + " failed"
	}
	return kind
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// niceStep rounds d up to 1, 2 or 5 times a power of ten milliseconds.
func niceStep(d time.Duration) time.Duration {
	ms := math.Max(float64(d.Milliseconds()), 1)
	pow := math.Pow(10, math.Floor(math.Log10(ms)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= ms {
			return time.Duration(m*pow) * time.Millisecond
		}
	}
	return time.Duration(10*pow) * time.Millisecond
}

func fmtOffset(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	if d < time.Minute {
		return fmt.Sprintf("%gs", d.Seconds())
	}
	return d.Round(time.Second).String()
}
