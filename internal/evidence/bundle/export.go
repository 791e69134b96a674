package bundle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Result is a written bundle.
type Result struct {
	Data      []byte
	Records   int
	Unproven  int // records no signed checkpoint covered yet
	Streams   int
	ProofHash int // hashes in all proofs
}

// selected is a record chosen for the bundle.
type selected struct {
	rec  evidence.StoredRecord
	id   string
	line []byte
}

// Export builds the bundle of the records of the store matching q (records without a
// session or user id join their trace's, as every auditctl reader does). Each record is proven
// against its stream's newest stored checkpoint that covers it.
func Export(ctx context.Context, s evidence.Ledger, q store.Query, selection, location string, now time.Time) (Result, error) {
	return ExportSigned(ctx, s, q, selection, location, now, nil)
}

// ExportSigned is Export with index.json signed by signer (index.sig), so that removing a record
// together with its index entry is caught; nil signer: unsigned.
func ExportSigned(ctx context.Context, s evidence.Ledger, q store.Query, selection, location string, now time.Time, signer *objectstore.Signer) (Result, error) {
	streams, err := s.Streams(ctx)
	if err != nil {
		return Result{}, err
	}
	c := contents{}
	ix := Index{Format: Format, Selection: selection, Store: location, CreatedAt: now.UTC()}
	var lines [][]byte
	var res Result
	for _, stream := range streams {
		log, picked, err := readStream(ctx, s, stream, q)
		if err != nil {
			return Result{}, err
		}
		if len(picked) == 0 {
			continue
		}
		res.Streams++
		var cpFile string
		var cp evidence.Checkpoint
		if log != nil {
			if cpFile, cp, err = newestCheckpoint(ctx, s, stream, log, c); err != nil {
				return Result{}, err
			}
		}
		for _, p := range picked {
			e := Entry{Stream: stream, Seq: p.rec.Seq, RecordID: p.id, Hash: p.rec.Hash}
			if cpFile != "" && p.rec.Seq <= cp.Size {
				proof, err := log.InclusionProof(p.rec.Seq-1, cp.Size)
				if err != nil {
					return Result{}, err
				}
				e.Checkpoint, e.TreeSize, e.Proof = cpFile, cp.Size, encodeProof(proof)
				res.ProofHash += len(proof)
			} else {
				res.Unproven++
			}
			ix.Records = append(ix.Records, e)
			lines = append(lines, p.line)
		}
	}
	if err := addKeys(ctx, s, c); err != nil {
		return Result{}, err
	}
	idx, err := encodeIndex(ix)
	if err != nil {
		return Result{}, err
	}
	c[IndexFile] = idx
	if signer != nil {
		c[IndexSigFile] = []byte(signer.Fingerprint() + " " + signer.SignBytes(idx) + "\n")
	}
	c[RecordsFile] = append(bytes.Join(lines, []byte("\n")), '\n')
	c[ReadmeFile] = []byte(readme(ix))
	res.Records = len(ix.Records)
	res.Data, err = c.write()
	return res, err
}

// readStream rebuilds the stream's tree and picks the records matching q. A stream whose oldest
// records are gone (retention) has no tree to prove against: its records are picked without one.
func readStream(ctx context.Context, s evidence.Ledger, stream string, q store.Query) (*evidence.Log, []selected, error) {
	log := &evidence.Log{}
	var all []selected
	var recs []*auditrecord.Record
	strict := true
	for {
		err := s.ReadStream(ctx, stream, strict, func(r evidence.StoredRecord) error {
			if log != nil {
				leaf, err := evidence.LeafHash(r.Hash)
				if err != nil {
					return err
				}
				if err := log.Append(leaf); err != nil {
					return err
				}
			}
			return decodeInto(stream, r, &all, &recs)
		})
		if errors.Is(err, evidence.ErrStreamGap) && log != nil {
			// The oldest records expired: no tree to prove against, the records go in unproven.
			log, all, recs, strict = nil, nil, nil, false
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		break
	}
	q.TraceIDs = joinTraces(q, recs)
	var picked []selected
	for i, r := range recs {
		if q.Matches(r) {
			picked = append(picked, all[i])
		}
	}
	return log, picked, nil
}

// decodeInto decodes a stored line for matching and keeps it.
func decodeInto(stream string, r evidence.StoredRecord, all *[]selected, recs *[]*auditrecord.Record) error {
	if r.Line == nil {
		return nil // expired: the store gives only its hash (search engine retention holes)
	}
	var rec auditrecord.Record
	if err := json.Unmarshal(r.Line, &rec); err != nil {
		return fmt.Errorf("%s seq %d: %w", stream, r.Seq, err)
	}
	*all, *recs = append(*all, selected{rec: r, id: rec.RecordID, line: r.Line}), append(*recs, &rec)
	return nil
}

// joinTraces is the traces of the records that carry the selected session or user themselves.
func joinTraces(q store.Query, recs []*auditrecord.Record) map[string]bool {
	if q.SessionID == "" && q.UserID == "" {
		return nil
	}
	ids := map[string]bool{}
	for _, r := range recs {
		if r.TraceID != "" && (q.SessionID == "" || r.SessionID == q.SessionID) && (q.UserID == "" || r.UserID == q.UserID) {
			ids[r.TraceID] = true
		}
	}
	return ids
}

// newestCheckpoint adds the stream's newest stored checkpoint to the bundle and returns its file
// name ("" when the stream has none). It refuses one that does not match the stored records.
func newestCheckpoint(ctx context.Context, s evidence.Ledger, stream string, log *evidence.Log, c contents) (string, evidence.Checkpoint, error) {
	cps, err := s.Checkpoints(ctx, stream)
	if err != nil {
		return "", evidence.Checkpoint{}, err
	}
	sort.Slice(cps, func(i, j int) bool { return cps[i].Size < cps[j].Size })
	for i := len(cps) - 1; i >= 0; i-- {
		size := cps[i].Size
		if size == 0 || size > log.Size() {
			continue
		}
		cp, err := evidence.OpenUnverified(cps[i].Signed)
		if err != nil {
			return "", evidence.Checkpoint{}, fmt.Errorf("%s: %w", cps[i].Where, err)
		}
		if root, _ := log.Root(cp.Size); root != cp.Root || cp.Size != size {
			return "", evidence.Checkpoint{}, fmt.Errorf("checkpoint %s does not match the stored records of %s; run `auditctl verify --checkpoints`", cps[i].Where, stream)
		}
		name := checkpointFile(stream, size)
		c[name] = cps[i].Signed
		return name, cp, nil
	}
	return "", evidence.Checkpoint{}, nil
}

// addKeys adds the store's published public keys, as PEM and as note verifier keys.
func addKeys(ctx context.Context, s evidence.Ledger, c contents) error {
	keys, err := s.PublicKeys(ctx)
	if err != nil {
		return err
	}
	for _, k := range keys {
		vkey, err := evidence.VerifierKey(k.Key)
		if err != nil {
			return err
		}
		c[keysDir+k.Fingerprint+".pub"] = k.PEM
		c[keysDir+k.Fingerprint+".vkey"] = []byte(vkey + "\n")
	}
	return nil
}
