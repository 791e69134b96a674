package piiredactionprocessor // import "github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor"

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor/internal/detect"
)

// Summary attribute keys set on every touched span, log record or resource.
const (
	summaryCountKey = "redaction.count"
	summaryTypesKey = "redaction.types"
)

// depthLimitType labels values replaced because they were nested deeper than max_depth.
const depthLimitType = "DEPTH_LIMIT"

const depthLimitPlaceholder = "[REDACTED:" + depthLimitType + "]"

type redactor struct {
	engine      *detect.Engine
	allowExact  map[string]struct{}
	allowPrefix []string
	maxDepth    int
	summary     bool
	tel         *telemetry
}

func newRedactor(cfg *Config, set component.TelemetrySettings) (*redactor, error) {
	opts, err := cfg.engineOptions()
	if err != nil {
		return nil, err
	}
	engine, err := detect.New(opts)
	if err != nil {
		return nil, fmt.Errorf("piiredaction: %w", err)
	}
	r := &redactor{
		engine:     engine,
		allowExact: map[string]struct{}{summaryCountKey: {}, summaryTypesKey: {}},
		maxDepth:   cfg.MaxDepth,
		summary:    cfg.Summary,
	}
	for _, k := range cfg.AllowKeys {
		if p, ok := strings.CutSuffix(k, "*"); ok {
			r.allowPrefix = append(r.allowPrefix, p)
		} else {
			r.allowExact[k] = struct{}{}
		}
	}
	if r.tel, err = newTelemetry(set, engine); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *redactor) allowed(key string) bool {
	if _, ok := r.allowExact[key]; ok {
		return true
	}
	for _, p := range r.allowPrefix {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// redactMap redacts every entry of m, removing the ones whose action is drop. parent is the key
// that holds m ("" for attribute maps): {"customer": {"name": ...}} names a person.
func (r *redactor) redactMap(m pcommon.Map, parent string, depth int, f *detect.Findings) {
	m.RemoveIf(func(k string, v pcommon.Value) bool { return r.redactEntry(parent, k, v, depth, f) })
}

// redactEntry redacts the value under key and reports whether the entry must be dropped.
func (r *redactor) redactEntry(parent, key string, v pcommon.Value, depth int, f *detect.Findings) bool {
	if r.allowed(key) {
		return false
	}
	info := r.engine.Key(parent, key)
	if info.SecretName() {
		return r.redactSecretValue(v, detect.TypeSecretKey, f)
	}
	if v.Type() == pcommon.ValueTypeStr {
		if t, ok := r.engine.KeyedSecretInfo(info, key, v.Str()); ok {
			return r.redactSecretValue(v, t, f)
		}
		// A person's name or a postal address by its key: customer_name, contact.name, billing_address.
		if t, ok := info.Type(); ok && r.engine.KeyedValue(t, v.Str()) {
			return r.redactSecretValue(v, t, f)
		}
	}
	return r.redactValue(v, key, info.Identifier(), depth, f)
}

// redactSecretValue replaces a whole value found secret by its key, whatever its type.
func (r *redactor) redactSecretValue(v pcommon.Value, t detect.Type, f *detect.Findings) bool {
	switch v.Type() {
	case pcommon.ValueTypeEmpty:
		return false
	case pcommon.ValueTypeStr:
		if s := v.Str(); s == "" || r.engine.IsPlaceholder(s) {
			return false
		}
	}
	var one detect.Findings
	one.Add(t, r.engine.Action(t))
	f.Merge(&one)
	if one.Drop {
		return true
	}
	v.SetStr(r.engine.Replacement(t, v.AsString()))
	return false
}

// redactValue redacts v in place, keeping its type, and reports whether it must be dropped.
// Maps and slices are walked recursively up to max_depth; deeper values are replaced by
// [REDACTED:DEPTH_LIMIT] because they cannot be inspected. ident is Key(.., key).Identifier():
// the values under key name a tool, function or model.
func (r *redactor) redactValue(v pcommon.Value, key string, ident bool, depth int, f *detect.Findings) bool {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		var local detect.Findings
		var out string
		var changed bool
		if ident {
			// gen_ai.tool.name, gen_ai.request.model: a tool or model name, not a person.
			out, changed = r.engine.RedactIdentifierInto(v.Str(), depth, &local)
		} else {
			out, changed = r.engine.RedactInto(v.Str(), depth, &local)
		}
		f.Merge(&local)
		if local.Drop {
			return true
		}
		if changed {
			v.SetStr(out)
		}
	case pcommon.ValueTypeMap:
		if depth >= r.maxDepth {
			r.depthLimited(v, f)
			return false
		}
		r.redactMap(v.Map(), key, depth+1, f)
	case pcommon.ValueTypeSlice:
		if depth >= r.maxDepth {
			r.depthLimited(v, f)
			return false
		}
		v.Slice().RemoveIf(func(el pcommon.Value) bool { return r.redactValue(el, key, ident, depth+1, f) })
	case pcommon.ValueTypeInt:
		// A payment card number sent as an integer cannot stay an integer once redacted.
		if n := v.Int(); n >= 100_000_000_000 && r.engine.IsCardNumber(n) {
			var one detect.Findings
			one.Add(detect.TypeCreditCard, r.engine.Action(detect.TypeCreditCard))
			f.Merge(&one)
			if one.Drop {
				return true
			}
			v.SetStr(r.engine.Replacement(detect.TypeCreditCard, strconv.FormatInt(n, 10)))
		}
	}
	return false
}

func (r *redactor) depthLimited(v pcommon.Value, f *detect.Findings) {
	v.SetStr(depthLimitPlaceholder)
	f.DepthLimited++
}

// redactText redacts a string field that cannot be dropped (span and event names, status
// messages); the drop action falls back to the redact placeholder there.
func (r *redactor) redactText(s string, f *detect.Findings) (string, bool) {
	return r.engine.RedactInto(s, 0, f)
}

// genAIOperations open span names written by the GenAI semantic conventions, "{operation}
// {model, tool or agent}": what follows them is an identifier, not a person.
var genAIOperations = []string{
	"chat", "execute_tool", "invoke_agent", "create_agent", "embeddings", "text_completion",
	"generate_content", "invoke_workflow", "retrieval",
}

// redactName redacts a span or event name. One written by the GenAI conventions ("chat gpt-4o",
// "execute_tool Search Index") names an operation and a model or tool: every detector but the
// name and address grammars scans it. Any other name ("call Ingrid Solberg") is free text.
func (r *redactor) redactName(s string, f *detect.Findings) (string, bool) {
	op, _, _ := strings.Cut(s, " ")
	if slices.Contains(genAIOperations, op) {
		return r.engine.RedactIdentifierInto(s, 0, f)
	}
	return r.engine.RedactInto(s, 0, f)
}

// addSummary records what was redacted on attrs, merging with an existing summary.
func (r *redactor) addSummary(attrs pcommon.Map, f *detect.Findings) {
	if !r.summary || f.Count == 0 {
		return
	}
	count := int64(f.Count)
	if v, ok := attrs.Get(summaryCountKey); ok && v.Type() == pcommon.ValueTypeInt {
		count += v.Int()
	}
	var buf [8]string // a span rarely carries more types; more spill to the heap
	types := r.engine.AppendTypeNames(buf[:0], f.Types)
	if v, ok := attrs.Get(summaryTypesKey); ok && v.Type() == pcommon.ValueTypeSlice {
		for _, el := range v.Slice().All() {
			if el.Type() == pcommon.ValueTypeStr {
				types = append(types, el.Str())
			}
		}
	}
	slices.Sort(types)
	types = slices.Compact(types)
	attrs.PutInt(summaryCountKey, count)
	sl := attrs.PutEmptySlice(summaryTypesKey)
	sl.EnsureCapacity(len(types))
	for _, t := range types {
		sl.AppendEmpty().SetStr(t)
	}
}

func (r *redactor) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	var total detect.Findings
	for _, rs := range td.ResourceSpans().All() {
		var rf detect.Findings
		r.redactMap(rs.Resource().Attributes(), "", 0, &rf)
		for _, ss := range rs.ScopeSpans().All() {
			r.redactMap(ss.Scope().Attributes(), "", 0, &rf)
			for _, span := range ss.Spans().All() {
				var sf detect.Findings
				r.redactSpan(span, &sf)
				r.addSummary(span.Attributes(), &sf)
				total.Merge(&sf)
			}
		}
		r.addSummary(rs.Resource().Attributes(), &rf)
		total.Merge(&rf)
	}
	r.tel.record(ctx, &total)
	return td, nil
}

func (r *redactor) redactSpan(span ptrace.Span, f *detect.Findings) {
	if out, changed := r.redactName(span.Name(), f); changed {
		span.SetName(out)
	}
	r.redactMap(span.Attributes(), "", 0, f)
	if out, changed := r.redactText(span.Status().Message(), f); changed {
		span.Status().SetMessage(out)
	}
	for _, ev := range span.Events().All() {
		if out, changed := r.redactName(ev.Name(), f); changed {
			ev.SetName(out)
		}
		r.redactMap(ev.Attributes(), "", 0, f)
	}
	for _, link := range span.Links().All() {
		r.redactMap(link.Attributes(), "", 0, f)
	}
}

func (r *redactor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	var total detect.Findings
	for _, rl := range ld.ResourceLogs().All() {
		var rf detect.Findings
		r.redactMap(rl.Resource().Attributes(), "", 0, &rf)
		for _, sl := range rl.ScopeLogs().All() {
			r.redactMap(sl.Scope().Attributes(), "", 0, &rf)
			for _, lr := range sl.LogRecords().All() {
				var lf detect.Findings
				if r.redactValue(lr.Body(), "", false, 0, &lf) {
					// A body cannot be removed from its record; drop its content instead.
					lr.Body().SetStr(r.engine.Placeholder(firstType(&lf)))
				}
				r.redactMap(lr.Attributes(), "", 0, &lf)
				r.addSummary(lr.Attributes(), &lf)
				total.Merge(&lf)
			}
		}
		r.addSummary(rl.Resource().Attributes(), &rf)
		total.Merge(&rf)
	}
	r.tel.record(ctx, &total)
	return ld, nil
}

// firstType is the lowest type found, used to label a dropped log body.
func firstType(f *detect.Findings) detect.Type {
	for t := range detect.MaxTypes {
		if f.Types&(1<<t) != 0 {
			return detect.Type(t)
		}
	}
	return detect.TypeSecret
}

// processMetrics redacts resource, scope and data point attributes. Data points get no summary
// attributes (they would change the series identity); the findings metric still counts them.
func (r *redactor) processMetrics(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	var total detect.Findings
	for _, rm := range md.ResourceMetrics().All() {
		var rf detect.Findings
		r.redactMap(rm.Resource().Attributes(), "", 0, &rf)
		for _, sm := range rm.ScopeMetrics().All() {
			r.redactMap(sm.Scope().Attributes(), "", 0, &rf)
			for _, m := range sm.Metrics().All() {
				r.redactDataPoints(m, &total)
			}
		}
		r.addSummary(rm.Resource().Attributes(), &rf)
		total.Merge(&rf)
	}
	r.tel.record(ctx, &total)
	return md, nil
}

func (r *redactor) redactDataPoints(m pmetric.Metric, f *detect.Findings) {
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		for _, dp := range m.Gauge().DataPoints().All() {
			r.redactMap(dp.Attributes(), "", 0, f)
		}
	case pmetric.MetricTypeSum:
		for _, dp := range m.Sum().DataPoints().All() {
			r.redactMap(dp.Attributes(), "", 0, f)
		}
	case pmetric.MetricTypeHistogram:
		for _, dp := range m.Histogram().DataPoints().All() {
			r.redactMap(dp.Attributes(), "", 0, f)
		}
	case pmetric.MetricTypeExponentialHistogram:
		for _, dp := range m.ExponentialHistogram().DataPoints().All() {
			r.redactMap(dp.Attributes(), "", 0, f)
		}
	case pmetric.MetricTypeSummary:
		for _, dp := range m.Summary().DataPoints().All() {
			r.redactMap(dp.Attributes(), "", 0, f)
		}
	}
}
