package console

import (
	"fmt"
	"strconv"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
)

// A chart is drawn on the server as SVG elements with presentation attributes (no style, no
// script), so it obeys the CSP and needs no library; the table beside it carries the numbers.
type chart struct {
	Width, Height float64
	Bars          []bar
}

type bar struct {
	Label, Value string
	Y, W         float64
	Class        string
}

// Bar chart geometry, in SVG user units.
const (
	chartWidth = 640.0
	labelRoom  = 160.0
	valueRoom  = 140.0
	barHeight  = 22.0
)

// BarX is where bars start; LabelX where labels end; ValueX where values start for a bar.
func (c chart) BarX() float64   { return labelRoom }
func (b bar) TextY() float64    { return b.Y + barHeight*0.7 }
func (b bar) ValueX() float64   { return labelRoom + b.W + 6 }
func (b bar) Height() float64   { return barHeight - 4 }
func (c chart) LabelX() float64 { return labelRoom - 6 }
func (c chart) Empty() bool     { return len(c.Bars) == 0 }
func (c chart) ViewBox() string { return fmt.Sprintf("0 0 %.0f %.0f", c.Width, c.Height) }
func newChart(n int) chart      { return chart{Width: chartWidth, Height: float64(max(n, 1)) * barHeight} }
func day(t time.Time) string    { return t.UTC().Format(time.DateOnly) }
func count(n int) string        { return strconv.Itoa(n) }
func scale(v, maxV float64) float64 {
	if maxV <= 0 {
		return 0
	}
	return v / maxV * (chartWidth - labelRoom - valueRoom)
}

// bars lays out one bar per value, scaled to the largest.
func bars(labels, values []string, nums []float64, classes []string) chart {
	c := newChart(len(nums))
	maxV := 0.0
	for _, v := range nums {
		maxV = max(maxV, v)
	}
	for i, v := range nums {
		c.Bars = append(c.Bars, bar{Label: labels[i], Value: values[i], Y: float64(i) * barHeight, W: scale(v, maxV), Class: classes[i]})
	}
	return c
}

func toolChart(rows []query.ToolStat) chart {
	var l, v, c []string
	var n []float64
	for _, r := range rows {
		cls := "bar"
		if r.Errors > 0 {
			cls = "bar warn"
		}
		l, v, n, c = append(l, r.Tool), append(v, fmt.Sprintf("%d calls, %d errors", r.Calls, r.Errors)), append(n, float64(r.Calls+r.Requested)), append(c, cls)
	}
	return bars(l, v, n, c)
}

func errorChart(rows []query.ErrorBucket) chart {
	var l, v, c []string
	var n []float64
	for _, r := range rows {
		l, v, n, c = append(l, day(r.Bucket)), append(v, fmt.Sprintf("%.1f%%", 100*r.Rate)), append(n, r.Rate), append(c, "bar warn")
	}
	return bars(l, v, n, c)
}

func volumeChart(rows []query.VolumeBucket) chart {
	var l, v, c []string
	var n []float64
	for _, r := range rows {
		cls := "bar"
		if r.Spike {
			cls = "bar warn"
		}
		l, v, n, c = append(l, day(r.Bucket)), append(v, count(r.Records)), append(n, float64(r.Records)), append(c, cls)
	}
	return bars(l, v, n, c)
}

func usageCharts(days []usageDay) (tokens, cost chart) {
	var l, tv, cv, cls []string
	var tn, cn []float64
	for _, d := range days {
		l, cls = append(l, d.Day), append(cls, "bar")
		tv, tn = append(tv, strconv.FormatInt(d.Tokens, 10)), append(tn, float64(d.Tokens))
		cv, cn = append(cv, fmt.Sprintf("$%.4f", d.CostUSD)), append(cn, d.CostUSD)
	}
	return bars(l, tv, tn, cls), bars(l, cv, cn, cls)
}
