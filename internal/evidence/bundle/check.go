package bundle

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/verify"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Findings of a bundle check (docs/integrity.md).
const (
	// MissingRecord: the index lists a record whose line is not in records.jsonl.
	MissingRecord verify.Kind = "bundle_missing_record"
	// ModifiedRecord: a line whose content does not hash to its integrity.hash, or whose place or
	// hash differs from its index entry.
	ModifiedRecord verify.Kind = "bundle_modified_record"
	// ExtraRecord: a line in records.jsonl the index has no proof entry for.
	ExtraRecord verify.Kind = "bundle_extra_record"
	// BadProof: an inclusion proof that does not lead from the record to its checkpoint's root.
	BadProof verify.Kind = "bundle_bad_proof"
	// BadSignature: a checkpoint whose signature does not verify with a trusted key (or is missing).
	BadSignature verify.Kind = "bundle_bad_signature"
	// Unproven: a record no signed checkpoint covered when the bundle was made (info).
	Unproven verify.Kind = "bundle_unproven"
	// BadIndexSignature: index.sig does not verify index.json with a trusted key: the index was
	// changed after export (a record removed together with its entry, for one).
	BadIndexSignature verify.Kind = "bundle_bad_index_signature"
	// IndexUnsigned: the bundle has no index.sig, so a record removed with its entry goes unseen (info).
	IndexUnsigned verify.Kind = "bundle_index_unsigned"
)

// Report is the outcome of Check.
type Report struct {
	Selection string           `json:"selection"`
	Store     string           `json:"store"`
	Records   int              `json:"records"`
	Proven    int              `json:"proven"`
	Keys      []string         `json:"keys"`
	KeyTrust  string           `json:"key_trust"` // "explicit" (--pubkey) or "bundle"
	Findings  []verify.Finding `json:"findings"`
	OK        bool             `json:"ok"`
}

// Check verifies a bundle offline. trusted are the keys the checkpoints must be signed with; when
// empty, the bundle's own keys are used and the report says so. The error is for a file that is not
// a bundle at all.
func Check(data []byte, trusted []ed25519.PublicKey) (Report, error) {
	c, err := readContents(data)
	if err != nil {
		return Report{}, err
	}
	var ix Index
	if err := json.Unmarshal(c[IndexFile], &ix); err != nil || ix.Format != Format {
		return Report{}, fmt.Errorf("not an evidence bundle: %s missing or not %s", IndexFile, Format)
	}
	rep := Report{Selection: ix.Selection, Store: ix.Store, KeyTrust: verify.TrustExplicit}
	if len(trusted) == 0 {
		rep.KeyTrust = "bundle"
		trusted = bundleKeys(c)
	}
	for _, k := range trusted {
		rep.Keys = append(rep.Keys, objectstore.Fingerprint(k))
	}
	verifiers, err := evidence.Verifiers(trusted...)
	if err != nil {
		return Report{}, err
	}
	checkIndexSignature(&rep, c, trusted)
	lines := indexLines(c[RecordsFile])
	ck := &checker{rep: &rep, c: c, verifiers: verifiers, checkpoints: map[string]*evidence.Checkpoint{}}
	for _, e := range ix.Records {
		key := lineKey{e.Stream, e.Seq}
		line, ok := lines[key]
		if !ok {
			ck.add(MissingRecord, verify.Failure, e, "the index lists this record but records.jsonl does not hold it: removed from the bundle")
			continue
		}
		delete(lines, key)
		rep.Records++
		ck.entry(e, line)
	}
	for k := range lines {
		ck.add(ExtraRecord, verify.Failure, Entry{Stream: k.stream, Seq: k.seq}, "records.jsonl holds a line the index has no proof for: added to the bundle")
	}
	sort.SliceStable(rep.Findings, func(i, j int) bool {
		a, b := rep.Findings[i], rep.Findings[j]
		if a.Stream != b.Stream {
			return a.Stream < b.Stream
		}
		return a.Seq < b.Seq
	})
	rep.OK = true
	for _, f := range rep.Findings {
		if f.Severity == verify.Failure {
			rep.OK = false
		}
	}
	if rep.Findings == nil {
		rep.Findings = []verify.Finding{}
	}
	return rep, nil
}

type lineKey struct {
	stream string
	seq    uint64
}

// indexLines maps each line of records.jsonl to its stream and seq (lines without integrity are
// kept under seq 0 so they show up as extra).
func indexLines(data []byte) map[lineKey][]byte {
	out := map[lineKey][]byte{}
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var probe struct {
			Integrity *auditrecord.Integrity `json:"integrity"`
		}
		if json.Unmarshal(line, &probe) != nil || probe.Integrity == nil {
			out[lineKey{fmt.Sprintf("line %d", i+1), 0}] = line
			continue
		}
		out[lineKey{probe.Integrity.Stream, probe.Integrity.Seq}] = line
	}
	return out
}

type checker struct {
	rep         *Report
	c           contents
	verifiers   note.Verifiers
	checkpoints map[string]*evidence.Checkpoint // by file; nil value: file did not verify
}

func (ck *checker) add(kind verify.Kind, sev verify.Severity, e Entry, detail string) {
	ck.rep.Findings = append(ck.rep.Findings, verify.Finding{Kind: kind, Severity: sev, Stream: e.Stream, Seq: e.Seq, ObjectKey: e.Checkpoint, Detail: detail})
}

// bundleKeys are the keys the bundle carries.
func bundleKeys(c contents) []ed25519.PublicKey {
	var out []ed25519.PublicKey
	for _, name := range sortedNames(c) {
		if strings.HasPrefix(name, keysDir) && strings.HasSuffix(name, ".pub") {
			if k, err := objectstore.ParsePublicKey(c[name]); err == nil {
				out = append(out, k)
			}
		}
	}
	return out
}

func sortedNames(c contents) []string {
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// entry checks one record: its content hash, its place, and its proof to a signed checkpoint.
func (ck *checker) entry(e Entry, line []byte) {
	content, integ, err := objectstore.LineHashInput(line)
	if err != nil || integ == nil || integ.Hash != e.Hash || integ.Stream != e.Stream || integ.Seq != e.Seq {
		ck.add(ModifiedRecord, verify.Failure, e, "the line's integrity (stream, seq, hash) is not the one its proof is for")
		return
	}
	var rec auditrecord.Record
	_ = json.Unmarshal(line, &rec)
	if rec.Type == auditrecord.TypeTombstone && rec.Tombstone != nil {
		ck.add(verify.Erased, verify.Info, e, fmt.Sprintf("erased on %s by erasure %s: the content is gone, the record's hash (its leaf) is proven",
			rec.Tombstone.ErasedAt.UTC().Format("2006-01-02"), rec.Tombstone.ErasureID))
	} else if objectstore.LinkHash(integ.PrevHash, content) != integ.Hash {
		ck.add(ModifiedRecord, verify.Failure, e, "the record's content does not hash to its integrity.hash: changed after it was written")
		return
	}
	if e.Checkpoint == "" {
		ck.add(Unproven, verify.Info, e, "no signed checkpoint covered this record when the bundle was made: its content hash is checked, its place in the stream is not")
		return
	}
	cp := ck.checkpoint(e)
	if cp == nil {
		return
	}
	if e.TreeSize != cp.Size {
		ck.add(BadProof, verify.Failure, e, fmt.Sprintf("the proof is for a tree of size %d, the checkpoint it names has size %d: a proof for another checkpoint", e.TreeSize, cp.Size))
		return
	}
	leaf, err := evidence.LeafHash(e.Hash)
	proof, perr := decodeProof(e.Proof)
	if err == nil {
		err = perr
	}
	if err == nil {
		err = evidence.VerifyInclusion(proof, e.Seq-1, cp.Size, leaf, cp.Root)
	}
	if err != nil {
		ck.add(BadProof, verify.Failure, e, "the inclusion proof does not lead from this record to the checkpoint's root: "+err.Error())
		return
	}
	ck.rep.Proven++
}

// checkpoint opens the entry's checkpoint once; nil when it is missing or not validly signed
// (reported once per file).
func (ck *checker) checkpoint(e Entry) *evidence.Checkpoint {
	if cp, seen := ck.checkpoints[e.Checkpoint]; seen {
		return cp
	}
	ck.checkpoints[e.Checkpoint] = nil
	raw, ok := ck.c[e.Checkpoint]
	if !ok {
		ck.add(BadSignature, verify.Failure, e, "the checkpoint file the proof names is not in the bundle")
		return nil
	}
	cp, err := evidence.Open(raw, ck.verifiers)
	if err != nil {
		ck.add(BadSignature, verify.Failure, e, err.Error())
		return nil
	}
	if !strings.HasSuffix(cp.Origin, "/"+e.Stream) {
		ck.add(BadProof, verify.Failure, e, fmt.Sprintf("checkpoint origin %q is not the log of stream %s", cp.Origin, e.Stream))
		return nil
	}
	ck.checkpoints[e.Checkpoint] = &cp
	return &cp
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// checkIndexSignature checks index.sig over index.json with the trusted keys.
func checkIndexSignature(rep *Report, c contents, trusted []ed25519.PublicKey) {
	sig, ok := c[IndexSigFile]
	if !ok {
		rep.Findings = append(rep.Findings, verify.Finding{
			Kind: IndexUnsigned, Severity: verify.Info, ObjectKey: IndexSigFile,
			Detail: "the index is not signed (exported without a signing key): a record removed together with its index entry would not be noticed",
		})
		return
	}
	_, b64, _ := strings.Cut(strings.TrimSpace(string(sig)), " ")
	raw, err := base64.StdEncoding.DecodeString(b64)
	for _, k := range trusted {
		if err == nil && ed25519.Verify(k, c[IndexFile], raw) {
			return
		}
	}
	rep.Findings = append(rep.Findings, verify.Finding{
		Kind: BadIndexSignature, Severity: verify.Failure, ObjectKey: IndexSigFile,
		Detail: "index.sig does not verify index.json with a trusted key: the index was changed after export (records removed with their entries, or added)",
	})
}
