// This file is how a record becomes a search-engine document, which time-based index it goes to, and
// the index template that fixes every field's type (the engine's "mappings": not internal/mapping,
// which maps telemetry to records).

package esstore

import (
	"encoding/json"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// encodeDocument is what is indexed for one record: the record's own encoding (so a reader decodes
// _source straight back into a Record) plus a "search" member that makes free-form tool parameters
// and results searchable. Those are `any` in the record (an object, a string, a list…), while a
// flattened field takes only objects, so the record keeps them unindexed and the search member
// holds them wrapped as {"value": …} when they are not objects.
func encodeDocument(r *auditrecord.Record) ([]byte, error) {
	body, err := auditrecord.AppendRecord(make([]byte, 0, 1024), r)
	if err != nil {
		return nil, err
	}
	return appendSearch(body, r)
}

// appendSearch adds r's search member to its encoded record body (a chained line: the member is
// outside what the chain hash covers, and readers of the chain exclude it).
func appendSearch(body []byte, r *auditrecord.Record) ([]byte, error) {
	tc := r.ToolCall
	if tc == nil || (tc.Parameters == nil && tc.Result == nil) {
		return body, nil
	}
	search, err := json.Marshal(searchFields{ToolParameters: asObject(tc.Parameters), ToolResult: asObject(tc.Result)})
	if err != nil {
		return nil, err
	}
	// The record is a JSON object: its closing brace makes room for one more member.
	body = append(body[:len(body)-1], `,"search":`...)
	body = append(body, search...)
	return append(body, '}'), nil
}

type searchFields struct {
	ToolParameters any `json:"tool_parameters,omitempty"`
	ToolResult     any `json:"tool_result,omitempty"`
}

func asObject(v any) any {
	switch v.(type) {
	case nil:
		return nil
	case map[string]any:
		return v
	default:
		return map[string]any{"value": v}
	}
}

// indexName is the time-based index a record goes to, by its timestamp in UTC.
func indexName(prefix, period string, ts time.Time) string {
	return prefix + "-" + ts.UTC().Format(periodLayout(period))
}

// indexTime is the time that places a record in an index: its timestamp, or its observed
// timestamp, or now, whichever is first plausible. A zero or absurd timestamp must not create an
// index outside the template's "<prefix>-2*" pattern (it would get dynamic mappings) nor one that
// retention deletes at once.
func indexTime(r *auditrecord.Record, now time.Time) time.Time {
	for _, t := range []time.Time{r.Timestamp, r.ObservedTimestamp} {
		if y := t.UTC().Year(); y >= 2000 && y <= 2999 {
			return t
		}
	}
	return now
}

func periodLayout(period string) string {
	if period == PeriodMonth {
		return "2006.01"
	}
	return "2006.01.02"
}

// periodEnd is the first instant after the period that starts at start.
func periodEnd(period string, start time.Time) time.Time {
	if period == PeriodMonth {
		return start.AddDate(0, 1, 0)
	}
	return start.AddDate(0, 0, 1)
}

// objectKind is how free-form objects (tool parameters and results, attributes, metadata) are
// mapped: one field for the whole object, however many keys it has, so they cannot explode the
// mapping. Elasticsearch has "flattened"; OpenSearch 2.7+ has "flat_object"; older OpenSearch
// keeps them in _source only.
type objectKind string

const (
	kindFlattened  objectKind = "flattened"
	kindFlatObject objectKind = "flat_object"
	kindDisabled   objectKind = "disabled"
)

// indexTemplate is the composable index template for "<prefix>-*": explicit mappings for every
// record field and dynamic mapping off, so unknown fields stay in _source without new mappings.
func indexTemplate(cfg IndexConfig, kind objectKind) map[string]any {
	keyword := map[string]any{"type": "keyword"}
	date := map[string]any{"type": "date"}
	long := map[string]any{"type": "long"}
	double := map[string]any{"type": "double"}
	text := map[string]any{"type": "text"}
	// Searchable contents with an exact-match keyword for short values.
	content := map[string]any{"type": "text", "fields": map[string]any{
		"keyword": map[string]any{"type": "keyword", "ignore_above": 1024},
	}}
	unindexed := map[string]any{"type": "object", "enabled": false}
	freeForm := unindexed
	switch kind {
	case kindFlattened:
		// ignore_above keeps one huge leaf value from failing the whole document.
		freeForm = map[string]any{"type": "flattened", "ignore_above": 4096}
	case kindFlatObject:
		freeForm = map[string]any{"type": "flat_object"}
	}
	obj := func(props map[string]any) map[string]any {
		return map[string]any{"properties": props}
	}
	tokens := obj(map[string]any{"input": long, "output": long, "total": long})

	properties := map[string]any{
		"schema_version":     keyword,
		"record_id":          keyword,
		"type":               keyword,
		"timestamp":          date,
		"observed_timestamp": date,
		"session_id":         keyword,
		"user_id":            keyword,
		"trace_id":           keyword,
		"span_id":            keyword,
		"parent_span_id":     keyword,
		"agent":              obj(map[string]any{"name": keyword, "id": keyword, "version": keyword}),
		"service":            obj(map[string]any{"name": keyword, "instance": keyword, "version": keyword}),
		"source":             obj(map[string]any{"signal": keyword, "convention": keyword, "name": keyword, "scope": keyword}),
		"input":              obj(map[string]any{"content": content, "role": keyword, "source": keyword, "metadata": freeForm}),
		"reasoning":          obj(map[string]any{"thought": content, "plan": text, "confidence": double}),
		"tool_call": obj(map[string]any{
			"tool_name": keyword, "call_id": keyword, "status": keyword, "duration_ms": double,
			// Kept verbatim in _source; searchable through search.tool_parameters / tool_result.
			"parameters": unindexed, "result": unindexed,
		}),
		"output": obj(map[string]any{
			"content": content, "model": keyword, "provider": keyword, "tokens": tokens,
			"cost": double, "cost_source": keyword, "finish_reason": keyword,
		}),
		"error": obj(map[string]any{
			"type": keyword, "message": content, "stack_trace": text, "tool_name": keyword,
			"recovery_action": keyword, "related_record_id": keyword, "propagated_to": keyword,
		}),
		"agent_run": obj(map[string]any{"operation": keyword, "status": keyword, "duration_ms": double}),
		"llm_call": obj(map[string]any{
			"operation": keyword, "model": keyword, "provider": keyword, "status": keyword,
			"duration_ms": double, "tokens": tokens, "cost": double, "cost_source": keyword,
		}),
		"access":     obj(map[string]any{"viewer": keyword, "command": keyword, "target": keyword, "records": long, "role": keyword}),
		"erasure":    obj(map[string]any{"requester": keyword, "subject": keyword, "records": long, "objects": keyword}),
		"tombstone":  obj(map[string]any{"erased_at": date, "original_type": keyword, "erasure_id": keyword}),
		"attributes": freeForm,
		"integrity":  obj(map[string]any{"stream": keyword, "seq": long, "prev_hash": keyword, "hash": keyword}),
		"search":     obj(map[string]any{"tool_parameters": freeForm, "tool_result": freeForm}),
	}
	return map[string]any{
		"index_patterns": []string{cfg.Prefix + "-*"},
		// Above the engines' built-in templates, so ours wins for our indices.
		"priority": 200,
		"template": map[string]any{
			"settings": map[string]any{
				"number_of_shards":   cfg.Shards,
				"number_of_replicas": cfg.Replicas,
			},
			"mappings": map[string]any{
				"dynamic":    false,
				"properties": properties,
			},
		},
		"_meta": map[string]any{"managed_by": "agentaudit", "schema_version": auditrecord.SchemaVersion},
	}
}
