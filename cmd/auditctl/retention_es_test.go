package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/searchengine"
)

// TestRetentionOnSearchEngine: retention after checkpoints deletes the oldest daily index, which
// holds seqs 1-3 and a late record (seq 7) among newer seqs; the retention note in the evidence
// index keeps the cut and the hole's hash, so verify --checkpoints still rebuilds the tree and
// passes, reporting them expired. A note edited afterwards fails verify.
func TestRetentionOnSearchEngine(t *testing.T) {
	url, _, _ := searchengine.Start(t)
	signer, privFile, pubFile := signingKeys(t)
	day := recordfixture.Base.Truncate(24 * time.Hour)
	at := func(tag string, n, d int) []*auditrecord.Record {
		recs := recordfixture.Records(tag, n)
		for i, r := range recs {
			r.Timestamp = day.AddDate(0, 0, d).Add(time.Hour + time.Duration(i)*time.Second)
		}
		return recs
	}
	wdir := t.TempDir()
	late := append(at("c", 1, 0), at("d", 2, 1)...) // seq 7 belongs to the first day
	writeBatches(t, checkpointedES(t, url, "ev-retain", wdir, signer), at("a", 3, 0), at("b", 3, 1), late)
	st, witnessURL := url+"/ev-retain", "file://"+filepath.ToSlash(wdir)
	age := fmt.Sprintf("%dh", int(time.Since(day.AddDate(0, 0, 1)).Hours())-6) // the first day only

	expectRun(t, exitUsage, "retention", "--older-than", age, "--store", st) // signed checkpoints: a key is required
	if n := esCount(t, url, "ev-retain-2*", map[string]any{"match_all": map[string]any{}}); n != 9 {
		t.Fatalf("a refused retention left %d of 9 documents", n)
	}
	out := expectRun(t, exitOK, "retention", "--older-than", age, "--store", st, "--signing-key", privFile)
	if !strings.Contains(out, "deleted 1 indices") {
		t.Fatalf("retention:\n%s", out)
	}
	rep := expectRun(t, exitOK, "verify", "--store", st, "--pubkey", pubFile, "--checkpoints", witnessURL)
	if !strings.Contains(rep, "expired") || !strings.Contains(rep, "seqs 1..3 and 1 later seqs") ||
		strings.Contains(rep, "missing_seq") || strings.Contains(rep, "unverifiable") {
		t.Fatalf("verify after retention:\n%s", rep)
	}

	noteURL := url + "/ev-retain_evidence/_doc/retention-gw-1-traces"
	var note struct {
		Source map[string]any `json:"_source"`
	}
	if err := json.Unmarshal(esRequest(t, http.MethodGet, noteURL, nil), &note); err != nil {
		t.Fatal(err)
	}
	edit := func(field string, change func(*objectstore.Manifest)) {
		t.Helper()
		doc := map[string]any{}
		for k, v := range note.Source {
			doc[k] = v
		}
		var raw string
		if field == "holes" {
			raw = doc[field].([]any)[0].(string)
		} else {
			raw = doc[field].(string)
		}
		m, err := objectstore.DecodeManifest([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		change(&m)
		enc, _ := m.Encode()
		if field == "holes" {
			doc[field] = []any{string(enc)}
		} else {
			doc[field] = string(enc)
		}
		body, _ := json.Marshal(doc)
		esRequest(t, http.MethodPut, noteURL+"?refresh=true", body)
	}
	// The cut moved: its signature no longer holds. A bad signature makes the store count as signed
	// (readside/service), so these verifications sign their access record.
	edit("cut", func(m *objectstore.Manifest) { m.LastSeq, m.TreeSize = 2, 2 })
	out = expectRun(t, exitFindings, "verify", "--store", st, "--pubkey", pubFile, "--checkpoints", witnessURL, "--signing-key", privFile)
	if !strings.Contains(out, "bad_frontier") {
		t.Fatalf("verify after the cut was edited:\n%s", out)
	}
	// Without a witness the edited cut's signature is what gives it away.
	if out = expectRun(t, exitFindings, "verify", "--store", st, "--pubkey", pubFile, "--signing-key", privFile); !strings.Contains(out, "bad_signature") {
		t.Fatalf("verify (no witness) after the cut was edited:\n%s", out)
	}
	// The hole's hash replaced: the chain breaks there and the tree no longer matches the checkpoints.
	edit("holes", func(m *objectstore.Manifest) { m.LastHash = strings.Repeat("0", 64) })
	out = expectRun(t, exitFindings, "verify", "--store", st, "--pubkey", pubFile, "--checkpoints", witnessURL, "--signing-key", privFile)
	if !strings.Contains(out, "broken_chain") || !strings.Contains(out, "rewritten_history") {
		t.Fatalf("verify after the hole was edited:\n%s", out)
	}
	if out = expectRun(t, exitFindings, "verify", "--store", st, "--pubkey", pubFile, "--signing-key", privFile); !strings.Contains(out, "bad_signature") {
		t.Fatalf("verify (no witness) after the hole was edited:\n%s", out)
	}
}
