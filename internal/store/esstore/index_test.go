package esstore

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
)

func TestIndexName(t *testing.T) {
	ts := time.Date(2026, 3, 14, 23, 30, 0, 0, time.FixedZone("UTC-2", -2*3600)) // 2026-03-15 01:30 UTC
	if got := indexName("audit", PeriodDay, ts); got != "audit-2026.03.15" {
		t.Errorf("day index = %s", got)
	}
	if got := indexName("audit", PeriodMonth, ts); got != "audit-2026.03" {
		t.Errorf("month index = %s", got)
	}
}

func TestIndexTimeFallsBackForImplausibleTimestamps(t *testing.T) {
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	observed := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for name, tc := range map[string]struct {
		r    auditrecord.Record
		want time.Time
	}{
		"timestamp":        {auditrecord.Record{Timestamp: recordfixture.Base, ObservedTimestamp: observed}, recordfixture.Base},
		"zero timestamp":   {auditrecord.Record{ObservedTimestamp: observed}, observed},
		"epoch timestamp":  {auditrecord.Record{Timestamp: time.Unix(0, 0), ObservedTimestamp: observed}, observed},
		"both implausible": {auditrecord.Record{Timestamp: time.Unix(0, 0)}, now},
		"far future":       {auditrecord.Record{Timestamp: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}, now},
	} {
		if got := indexTime(&tc.r, now); !got.Equal(tc.want) {
			t.Errorf("%s: indexTime = %s, want %s", name, got, tc.want)
		}
	}
}

func TestDocumentIsTheRecordPlusSearchFields(t *testing.T) {
	r := recordfixture.Records("doc", 1)[0]
	r.ToolCall.Parameters = []any{"a", 1}
	body, err := encodeDocument(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	search, _ := doc["search"].(map[string]any)
	params, _ := search["tool_parameters"].(map[string]any)
	if params == nil || len(params["value"].([]any)) != 2 {
		t.Errorf("non-object parameters not wrapped for the flattened field: %v", doc["search"])
	}
	if result, _ := search["tool_result"].(map[string]any); result["hits"] != float64(0) {
		t.Errorf("object result not kept as is: %v", search["tool_result"])
	}
	// Decoding the document gives back the record unchanged.
	var back auditrecord.Record
	if err := json.Unmarshal(body, &back); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(r)
	got, _ := json.Marshal(&back)
	if string(got) != string(want) {
		t.Errorf("record changed through the document:\n%s\nwant\n%s", got, want)
	}
}
