package production

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/searchengine"
)

// esRecords reads every audit record document from the engine (all agentaudit-* indices), scrolling
// through them; it fails the test on a request error but not on an unreachable engine (nil, false).
func esRecords(t *testing.T, baseURL string) ([]*auditrecord.Record, bool) {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	post := func(path, body string) (map[string]any, bool) {
		resp, err := client.Post(baseURL+path, "application/json", strings.NewReader(body))
		if err != nil {
			return nil, false
		}
		defer func() { _ = resp.Body.Close() }()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusNotFound {
			return map[string]any{}, true // no index yet
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %d %s", path, resp.StatusCode, data)
		}
		var out map[string]any
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatal(err)
		}
		return out, true
	}
	if _, ok := post("/agentaudit-*/_refresh", ""); !ok {
		return nil, false
	}
	page, ok := post("/agentaudit-*/_search?scroll=1m", `{"size": 5000, "sort": ["_doc"]}`)
	if !ok {
		return nil, false
	}
	var recs []*auditrecord.Record
	for {
		hits, _ := dig(page, "hits", "hits").([]any)
		if len(hits) == 0 {
			break
		}
		for _, h := range hits {
			src, err := json.Marshal(dig(h, "_source"))
			if err != nil {
				t.Fatal(err)
			}
			var r auditrecord.Record
			if err := json.Unmarshal(src, &r); err != nil {
				t.Fatalf("document is not an audit record: %v\n%s", err, src)
			}
			if id, _ := dig(h, "_id").(string); id != r.RecordID {
				t.Fatalf("document _id %q differs from its record_id %q", id, r.RecordID)
			}
			recs = append(recs, &r)
		}
		scrollID, _ := page["_scroll_id"].(string)
		if page, ok = post("/_search/scroll", fmt.Sprintf(`{"scroll": "1m", "scroll_id": %q}`, scrollID)); !ok {
			return nil, false
		}
	}
	return recs, true
}

// TestElasticsearchOverTLSOutageLosesNothing runs the full gateway (Elasticsearch and S3 in
// parallel) with the engine behind TLS signed by a private CA (AGENTAUDIT_ES_CA_FILE), stops the
// engine for 30 s mid-stream and restarts it: 0 records lost, 0 duplicates in the engine — and S3,
// which stayed up, has every record too.
func TestElasticsearchOverTLSOutageLosesNothing(t *testing.T) {
	url, stop, restart := searchengine.Start(t)
	if stop == nil {
		t.Skip("an external engine (ES_URL) cannot be stopped for the outage")
	}
	esPKI := newPKI(t)
	front := startTLSFront(t, esPKI, strings.TrimPrefix(url, "http://"))
	s3t := startS3(t)
	gw := startGateway(t, s3t, gatewayOptions{
		elasticsearchURL: "https://" + front.Addr,
		env:              map[string]string{"AGENTAUDIT_ES_CA_FILE": esPKI.CAFile},
	})
	runOutage(t, gw, storeOutage{
		name:    "Elasticsearch",
		stop:    stop,
		restart: restart,
		records: func() []*auditrecord.Record {
			recs, ok := esRecords(t, url)
			if !ok {
				return nil
			}
			return recs
		},
	})
	if front.handshakes.Load() == 0 {
		t.Errorf("the gateway never connected to the engine through TLS")
	}
	// The S3 pipeline ran beside it and was not held up by the engine's outage.
	esRecs, _ := esRecords(t, url)
	esSpans, _ := bySpan(esRecs)
	s3Spans, _ := bySpan(s3t.records(t))
	var ids []string
	for id := range esSpans {
		ids = append(ids, id)
	}
	if missing := missingSpans(s3Spans, ids, 1); len(missing) > 0 {
		t.Errorf("%d spans in the engine are missing from S3", len(missing))
	}
	page := gw.Metrics()
	if !strings.Contains(page, `exporter="agentaudit/elasticsearch"`) {
		t.Errorf("no metrics for the elasticsearch exporter")
	}
	// The dead-letter alert queries otelcol_exporter_agentaudit_store_records_dead_lettered; its
	// sibling counter shows the store's counters are exposed under that naming, with the store kind.
	if metricSum(t, page, "otelcol_exporter_agentaudit_store_records_inserted", `store="elasticsearch"`) == 0 {
		t.Errorf("the store's counters are not exposed as otelcol_exporter_agentaudit_store_records_*{store=\"elasticsearch\"}:\n%s", page)
	}
}
