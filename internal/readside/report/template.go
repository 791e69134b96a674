package report

import "html/template"

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"ms":   func(v float64) string { return optMS(&v) },
	"cost": func(v float64) string { return template.HTMLEscapeString(fmtCost(v)) },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Agent session {{.SessionID}} — audit report</title>
<style>
:root { --fg:#1d2330; --muted:#667085; --line:#e4e7ec; --llm:#4f6ef7; --tool:#12a37a; --agent:#98a2b3; --err:#d62828; --mark:#fff1b8; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0; padding: 24px 32px; max-width: 1200px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 16px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 120px; }
.card b { display: block; font-size: 18px; } .card.bad b { color: var(--err); }
svg.chart { border: 1px solid var(--line); border-radius: 8px; background: #fcfcfd; }
svg .grid { stroke: var(--line); stroke-width: 1; } svg .tick { font-size: 11px; fill: var(--muted); text-anchor: middle; }
svg .label { font-size: 12px; fill: var(--fg); }
svg .span.llm { fill: var(--llm); } svg .span.tool { fill: var(--tool); } svg .span.agent { fill: var(--agent); }
svg .span.failed { fill: var(--err); } svg .error-mark { fill: var(--err); stroke: #fff; stroke-width: 1; }
svg .instant { fill: #fff; stroke-width: 2; stroke: var(--muted); } svg .instant.input { stroke: var(--llm); }
svg .instant.output { stroke: var(--tool); } svg .instant.reasoning { stroke: #9b51e0; } svg .instant.tombstone { stroke: var(--fg); }
.legend span { display: inline-block; margin-right: 14px; } .legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
tr.failed td.status, .entry.failed .type { color: var(--err); font-weight: 600; }
.entry { display: grid; grid-template-columns: 96px 90px 1fr; gap: 10px; padding: 8px 0; border-bottom: 1px solid var(--line); }
.entry .time { color: var(--muted); font: 12px ui-monospace, monospace; } .entry .type { font-weight: 600; }
.entry .meta { color: var(--muted); font-size: 12px; } .entry.tombstone .content { color: var(--muted); font-style: italic; }
mark.redaction { background: var(--mark); border: 1px dashed #c9a400; border-radius: 3px; padding: 0 2px; font: 12px ui-monospace, monospace; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
</style>
</head>
<body>
<header>
<h1>Agent session <code>{{.SessionID}}</code></h1>
<div class="muted">user {{or .Summary.UserID "—"}} · agent {{or .Summary.Agent "—"}} · started {{.Summary.Start.UTC.Format "2006-01-02 15:04:05 MST"}} · {{ms .Summary.DurationMS}}</div>
<div class="cards">
<div class="card"><span class="muted">records</span><b>{{.Summary.Records}}</b></div>
<div class="card"><span class="muted">model calls</span><b>{{.Summary.LLMCalls}}</b></div>
<div class="card"><span class="muted">tool calls</span><b>{{.Summary.ToolCalls}}</b></div>
<div class="card{{if .Summary.Errors}} bad{{end}}"><span class="muted">errors</span><b>{{.Summary.Errors}}</b></div>
<div class="card"><span class="muted">tokens in / out</span><b>{{.InputTok}} / {{.OutputTok}}</b></div>
<div class="card"><span class="muted">tokens total</span><b>{{.Summary.Tokens}}</b></div>
<div class="card"><span class="muted">cost (USD)</span><b>{{cost .Summary.CostUSD}}</b></div>
<div class="card"><span class="muted">redaction markers</span><b>{{.Redactions}}</b></div>
{{if .Erased}}<div class="card"><span class="muted">erased records</span><b>{{.Erased}}</b></div>{{end}}
</div>
</header>

<h2>Timeline</h2>
<div class="legend muted"><span><i style="background:var(--agent)"></i>agent run</span><span><i style="background:var(--llm)"></i>model call</span><span><i style="background:var(--tool)"></i>tool call</span><span><i style="background:var(--err)"></i>failed / error</span><span>○ input, output, reasoning</span></div>
{{.Chart}}

<h2>Tool calls</h2>
{{if .Tools}}<table class="tools">
<thead><tr><th>time</th><th>tool</th><th>status</th><th>duration</th><th>parameters</th><th>result</th></tr></thead>
<tbody>{{range .Tools}}
<tr class="tool{{if .Failed}} failed{{end}}"><td>{{.Time}}</td><td><code>{{.Name}}</code></td><td class="status">{{.Status}}</td><td>{{.Duration}}</td><td><pre>{{.Params}}</pre></td><td><pre>{{.Result}}</pre></td></tr>{{end}}
</tbody></table>{{else}}<p class="muted">No tool calls.</p>{{end}}

<h2>Transcript</h2>
<div class="transcript">{{range .Transcript}}
<div class="entry {{.Class}}"><div class="time">{{.Time}}</div><div class="type">{{.Type}}</div><div><div class="meta">{{.Name}}{{if .Meta}} · {{.Meta}}{{end}}</div><div class="content">{{.Content}}</div></div></div>{{end}}
</div>

<footer>Generated {{.GeneratedAt}} by {{.GeneratedBy}} from {{.Store}} with auditctl. Content appears as stored: values redacted before storage show as <mark class="redaction">[REDACTED:TYPE]</mark> markers.</footer>
</body>
</html>
`))
