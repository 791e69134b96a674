package verify

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// The record-level half of the object store check: each stored line against its manifest's range
// and the chain, and the seqs no object holds.

// lineRecord is the integrity of one stored line, with where it sits.
type lineRecord struct {
	line  int
	integ *auditrecord.Integrity
}

// checkRecords recomputes each record's hash and checks the object holds exactly m's range, in order,
// with every prev_hash linking to its predecessor.
func (v *verifier) checkRecords(st *streamState, manifestKey string, m objectstore.Manifest, data []byte, erased map[uint64]bool, objectModified bool) {
	finding := func(kind Kind, seq uint64, format string, args ...any) {
		v.add(Finding{
			Kind: kind, Severity: Failure, Stream: st.name, Seq: seq, ObjectKey: m.ObjectKey, ManifestKey: manifestKey,
			Detail: fmt.Sprintf(format, args...),
		})
	}
	lines, err := objectstore.ObjectLines(m.ObjectKey, data)
	if err != nil {
		if !objectModified {
			v.add(Finding{
				Kind: ModifiedObject, Severity: Failure, Stream: st.name, Seq: m.FirstSeq, LastSeq: m.LastSeq,
				ObjectKey: m.ObjectKey, ManifestKey: manifestKey, Detail: "object cannot be decoded: " + err.Error(),
			})
		}
		// Which records are gone cannot be told from undecodable bytes; the object finding covers them.
		st.explained = append(st.explained, seqRange{m.FirstSeq, m.LastSeq})
		return
	}
	v.rep.Counts.Records += len(lines)

	var recs []lineRecord
	for i, line := range lines {
		content, integ, recordID, err := objectstore.SplitLine(line)
		if err != nil || integ == nil {
			finding(ModifiedRecord, m.FirstSeq+uint64(i), "line %d is not a chained audit record", i+1)
			continue
		}
		if integ.Stream != st.name {
			finding(ModifiedRecord, integ.Seq, "line %d claims stream %q", i+1, integ.Stream)
			continue
		}
		if erased[integ.Seq] {
			var head struct {
				Type auditrecord.Type `json:"type"`
			}
			if json.Unmarshal(content, &head) != nil || head.Type != auditrecord.TypeTombstone {
				finding(ModifiedRecord, integ.Seq, "seq %d is listed as erased but line %d is not a tombstone", integ.Seq, i+1)
			}
			// A tombstone keeps the erased record's integrity, so the chain around it still holds.
		} else if objectstore.LinkHash(integ.PrevHash, content) != integ.Hash {
			finding(ModifiedRecord, integ.Seq, "record content at line %d does not match its integrity.hash", i+1)
		}
		v.recordIDs.First(recordID)
		recs = append(recs, lineRecord{line: i + 1, integ: integ})
	}

	hashBySeq := map[uint64]string{}
	reported := false
	var last uint64
	for i, r := range recs {
		s := r.integ.Seq
		_, dup := hashBySeq[s]
		if !reported && (s < m.FirstSeq || s > m.LastSeq || dup || (i > 0 && s <= last)) {
			finding(ReorderedSeq, s, "line %d holds seq %d; the manifest covers seqs %d..%d in order", r.line, s, m.FirstSeq, m.LastSeq)
			reported = true
		}
		last = s
		hashBySeq[s] = r.integ.Hash
		st.seen[s] = true
	}
	for _, r := range recs {
		s := r.integ.Seq
		want := m.FirstPrevHash
		if s != m.FirstSeq {
			h, ok := hashBySeq[s-1]
			if !ok {
				continue // the predecessor is missing or elsewhere: reported as missing_seq or reordered_seq
			}
			want = h
		}
		if r.integ.PrevHash != want {
			finding(BrokenChain, s, "prev_hash of seq %d does not match the hash of seq %d", s, s-1)
		}
	}
	if h, ok := hashBySeq[m.LastSeq]; ok && h != m.LastHash {
		finding(BrokenChain, m.LastSeq, "hash of seq %d differs from the manifest's last_hash", m.LastSeq)
	}
	if h, ok := hashBySeq[m.FirstSeq]; ok && h != m.FirstHash {
		finding(BrokenChain, m.FirstSeq, "hash of seq %d differs from the manifest's first_hash", m.FirstSeq)
	}
}

// reportMissingRecords reports, per manifest, the seqs of its range that no stored record carries
// and that no earlier finding (deleted object, manifest gap) already accounts for.
func (v *verifier) reportMissingRecords(st *streamState) {
	for _, r := range st.ranges {
		var missing []uint64
		if r.last < r.first || r.last-r.first > maxRecordsPerObject {
			continue // reported as a manifest whose range does not match its record_count
		}
		for s := r.first; s <= r.last; s++ {
			if !st.seen[s] && !st.isExplained(s) {
				missing = append(missing, s)
			}
		}
		if len(missing) == 0 {
			continue
		}
		v.add(Finding{
			Kind: MissingSeq, Severity: Failure, Stream: st.name, Seq: missing[0], LastSeq: missing[len(missing)-1],
			ObjectKey: r.objectKey, ManifestKey: r.manifestKey,
			Detail: fmt.Sprintf("%d of the manifest's records are in no object: seqs %s", len(missing), formatSeqs(missing)),
		})
	}
}

func formatSeqs(seqs []uint64) string {
	const maxShown = 20
	parts := make([]string, 0, min(len(seqs), maxShown))
	for i, s := range seqs {
		if i == maxShown {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, strconv.FormatUint(s, 10))
	}
	return strings.Join(parts, ",")
}
