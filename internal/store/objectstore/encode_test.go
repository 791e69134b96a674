package objectstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// TestAppendChainedMatchesTwoPassEncodingEvenWithImitations: the single-pass chained line equals
// encoding the record twice (hash first, then with integrity), even when a value imitates the
// integrity field byte for byte, and verify's recomputation agrees.
func TestAppendChainedMatchesTwoPassEncodingEvenWithImitations(t *testing.T) {
	prev := strings.Repeat("ab", 32)
	base := auditrecord.Record{
		SchemaVersion: auditrecord.SchemaVersion, RecordID: auditrecord.NewRecordID("r"), Type: auditrecord.TypeInput,
		Timestamp: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Input: &auditrecord.Input{Content: `"integrity":{"hash":"` + hashPlaceholder},
	}
	imitation := base
	// A nested value that is byte-for-byte the integrity field being written.
	imitation.Attributes = map[string]any{"x": map[string]any{"integrity": map[string]any{
		"hash": hashPlaceholder, "prev_hash": prev, "seq": 7, "stream": "gw-traces",
	}, "y": 1}}
	for name, r := range map[string]auditrecord.Record{"plain": base, "imitation": imitation} {
		t.Run(name, func(t *testing.T) {
			rc := r
			prefix := []byte("previous line\n")
			out, hash, err := AppendChained(prefix, &rc, "gw-traces", 7, prev)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(out, prefix) {
				t.Fatal("AppendChained changed what was already in the buffer")
			}
			line := out[len(prefix):]
			if rc.Integrity != nil {
				t.Fatal("AppendChained left integrity on the caller's record")
			}
			want, err := chainHash(prev, &rc)
			if err != nil {
				t.Fatal(err)
			}
			if hash != want {
				t.Fatalf("hash %s, two-pass %s", hash, want)
			}
			rc.Integrity = &auditrecord.Integrity{Stream: "gw-traces", Seq: 7, PrevHash: prev, Hash: want}
			wantLine, _ := auditrecord.MarshalRecord(&rc)
			if !bytes.Equal(line, wantLine) {
				t.Fatalf("line differs:\n%s\n%s", line, wantLine)
			}
			content, integ, err := LineHashInput(line)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(append([]byte(prev), content...))
			if integ.Hash != hex.EncodeToString(sum[:]) {
				t.Fatal("verify's recomputation disagrees")
			}
		})
	}
}

// chainHash is a record's integrity hash recomputed the way verify does: the link rule over the
// canonical record without its integrity field.
func chainHash(prevHash string, r *auditrecord.Record) (string, error) {
	content, err := auditrecord.ContentHashInput(r)
	if err != nil {
		return "", err
	}
	return LinkHash(prevHash, content), nil
}

// TestBatchChainingMatchesRecordByRecord: a batch chains its records after the first without
// making strings of their hashes (prev_hash written over a placeholder from the last hash's
// digits); every line must equal AppendChained's for the same record, seq and prev_hash, and the
// batch's first and last hashes must be those lines' hashes.
func TestBatchChainingMatchesRecordByRecord(t *testing.T) {
	prev := strings.Repeat("cd", 32)
	for _, n := range []int{1, 2, 5} {
		var recs []*auditrecord.Record
		for i := range n {
			recs = append(recs, &auditrecord.Record{
				SchemaVersion: auditrecord.SchemaVersion, RecordID: auditrecord.NewRecordID("r", strconv.Itoa(i)), Type: auditrecord.TypeInput,
				Timestamp: time.Date(2026, 1, 2, 3, 4, 5, i, time.UTC), Input: &auditrecord.Input{Content: strings.Repeat("x", i)},
			})
		}
		enc := newObjectEncoder(false, nil, nil)
		first, last, err := enc.appendChained(recs, "gw-traces", 40, prev)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := enc.finish()
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		p := prev
		for i, r := range recs {
			want, hash, err := AppendChained(nil, r, "gw-traces", uint64(41+i), p)
			if err != nil {
				t.Fatal(err)
			}
			if lines[i] != string(want) {
				t.Fatalf("%d records, line %d:\n%s\nrecord by record:\n%s", n, i, lines[i], want)
			}
			if i == 0 && first != hash {
				t.Fatalf("first hash %s, want %s", first, hash)
			}
			p = hash
		}
		if last != p {
			t.Fatalf("%d records: last hash %s, want %s", n, last, p)
		}
	}
}
