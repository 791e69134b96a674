// Package witness checks a store (any evidence.Ledger: the object stores, PostgreSQL) against
// signed checkpoints — its own and those a witness (a sink configured apart from the store) holds —
// with consistency proofs: the tree of the records
// the store holds now must extend every checkpoint ever signed. That catches what the hash chain
// alone cannot: a head cut off (a shorter chain is still a valid chain) and a history rewritten by
// someone holding the signing key (the rewrite re-signs manifests, but cannot change what the
// witness already holds).
package witness

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/verify"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Findings this check adds to the verify report (docs/integrity.md, findings table).
const (
	// TruncatedHead: a trusted checkpoint covers more records than the store's stream holds.
	TruncatedHead verify.Kind = "truncated_head"
	// RewrittenHistory: the stream's records up to a checkpoint's size do not hash to its root (the
	// consistency proof from the checkpoint to the store's tree fails).
	RewrittenHistory verify.Kind = "rewritten_history"
	// BadCheckpoint: a checkpoint that does not parse, is not signed by a trusted key, or names
	// another log than its stream.
	BadCheckpoint verify.Kind = "bad_checkpoint"
	// TreeMismatch: a manifest's tree_size/tree_root is not the tree of the records up to it.
	TreeMismatch verify.Kind = "tree_mismatch"
	// Unwitnessed: the newest records are not yet covered by a checkpoint in the witness (info).
	Unwitnessed verify.Kind = "unwitnessed"
	// Unverifiable: the stream's oldest records are gone (retention), so its tree cannot be
	// recomputed and checkpoints are checked for truncation only (info).
	Unverifiable verify.Kind = "checkpoints_unverifiable"
	// BadFrontier: the retention marker's tree frontier (what the tree of the records kept after a
	// cut is rebuilt from) is not signed by a trusted key, does not parse or does not hash to its root.
	BadFrontier verify.Kind = "bad_frontier"
)

// Summary counts what was checked.
type Summary struct {
	Checkpoints int // checkpoints read (all sources)
	Witnessed   int // of them in witnesses
}

// Check checks every stream of store against the checkpoints of store and witnesses, signed by one
// of keys. The error is for an unreadable source only.
func Check(ctx context.Context, store evidence.Ledger, witnesses []evidence.CheckpointSource, keys []ed25519.PublicKey) ([]verify.Finding, Summary, error) {
	trusted, err := evidence.Verifiers(keys...)
	if err != nil {
		return nil, Summary{}, err
	}
	streams, err := store.Streams(ctx)
	if err != nil {
		return nil, Summary{}, err
	}
	all := append([]evidence.CheckpointSource{store}, witnesses...)
	for _, w := range all {
		ws, err := w.CheckpointStreams(ctx)
		if err != nil {
			return nil, Summary{}, fmt.Errorf("%s: %w", w.Name(), err)
		}
		streams = union(streams, ws)
	}
	c := &checker{ctx: ctx, store: store, trusted: trusted, keys: keys}
	for _, stream := range streams {
		if err := c.stream(stream, all); err != nil {
			return nil, Summary{}, err
		}
	}
	return c.findings, c.sum, nil
}

type checker struct {
	ctx      context.Context
	store    evidence.Ledger
	trusted  note.Verifiers
	keys     []ed25519.PublicKey
	findings []verify.Finding
	sum      Summary
}

// streamTree is what the store holds of one stream: its head (last manifest's or batch's last_seq)
// and, when its records run from seq 1 or from a trusted retention cut, the whole tree.
type streamTree struct {
	head uint64
	log  *evidence.Log // nil when the oldest records are gone and no trusted cut says what they were
	root evidence.Hash
	cut  *evidence.Cut // the retention cut the log starts from, if any
}

func (c *checker) stream(stream string, sources []evidence.CheckpointSource) error {
	t, err := c.tree(stream)
	if err != nil {
		return err
	}
	newestWitnessed := uint64(0)
	for i, src := range sources {
		cps, err := src.Checkpoints(c.ctx, stream)
		if err != nil {
			return fmt.Errorf("read checkpoints of %s in %s: %w", stream, src.Name(), err)
		}
		for _, cp := range cps {
			c.sum.Checkpoints++
			if i > 0 {
				c.sum.Witnessed++
			}
			if size, ok := c.checkpoint(stream, t, src.Name()+": "+cp.Where, cp.Signed); ok && i > 0 && size > newestWitnessed {
				newestWitnessed = size
			}
		}
	}
	if len(sources) > 1 && t.head > newestWitnessed {
		c.add(verify.Finding{
			Kind: Unwitnessed, Severity: verify.Info, Stream: stream, Seq: newestWitnessed + 1, LastSeq: t.head,
			Detail: "these records are not covered by a checkpoint in a witness yet; truncation or a rewrite of them would not be detected",
		})
	}
	return nil
}

// tree rebuilds the stream's tree from the store (from seq 1, or from the frontier of a trusted
// retention cut) and checks each recorded tree_root against it.
func (c *checker) tree(stream string) (streamTree, error) {
	head, err := c.store.Head(c.ctx, stream)
	if err != nil {
		return streamTree{}, err
	}
	t := streamTree{head: head}
	cut, err := c.cut(stream)
	if err != nil {
		return streamTree{}, err
	}
	l := &evidence.Log{}
	if cut != nil {
		l, t.cut = evidence.NewLogFrom(cut.Frontier), cut
		t.head = max(t.head, cut.Frontier.Size) // everything was cut: the marker is the head
	}
	// Not strict: a stream after a cut starts past seq 1; contiguity from the log's start is checked
	// here. Rows at or before the cut that retention kept (PostgreSQL drops by record time, so a late
	// row can outlive the cut) are inside the frontier already.
	err = c.store.ReadStream(c.ctx, stream, false, func(r evidence.StoredRecord) error {
		if r.Seq <= l.Start() {
			return nil
		}
		if r.Seq != l.Size()+1 {
			return fmt.Errorf("seq %d where %d was due: %w", r.Seq, l.Size()+1, evidence.ErrStreamGap)
		}
		leaf, err := evidence.LeafHash(r.Hash)
		if err != nil {
			return fmt.Errorf("%w: %w", evidence.ErrStreamGap, err)
		}
		return l.Append(leaf)
	})
	switch {
	case errors.Is(err, evidence.ErrStreamGap) || errors.Is(err, objectstore.ErrNotExist) || (err == nil && l.Size() != t.head):
		c.add(verify.Finding{
			Kind: Unverifiable, Severity: verify.Info, Stream: stream, Seq: l.Size() + 1,
			Detail: "the stream's records do not run from seq 1 or from a signed retention cut (expired or missing: see the " +
				"other findings), so its tree cannot be recomputed; its checkpoints are checked for truncation only",
		})
		t.cut = nil
		return t, nil
	case err != nil:
		return streamTree{}, err
	}
	t.log = l
	t.root, _ = l.Root(t.head)
	return t, c.treeClaims(stream, l)
}

// cut returns the stream's retention cut when the store has one its signature and frontier make
// trusted; an untrusted one is a finding (and the stream is then as if it had none).
func (c *checker) cut(stream string) (*evidence.Cut, error) {
	cl, ok := c.store.(evidence.CutLedger)
	if !ok {
		return nil, nil
	}
	cut, err := cl.RetentionCut(c.ctx, stream)
	if err != nil || cut == nil {
		return nil, err
	}
	bad := cut.Err
	if bad == nil && !cut.SignedBy(c.keys) {
		bad = errors.New("the retention marker is not signed by a trusted key")
	}
	if bad != nil {
		c.add(verify.Finding{
			Kind: BadFrontier, Severity: verify.Failure, Stream: stream, ManifestKey: cut.Where,
			Detail: bad.Error() + ": the tree of the records kept after the cut cannot be trusted",
		})
		return nil, nil
	}
	return cut, nil
}

// treeClaims checks every manifest's recorded tree against l (those before a cut are gone).
func (c *checker) treeClaims(stream string, l *evidence.Log) error {
	claims, err := c.store.TreeClaims(c.ctx, stream)
	if err != nil {
		return err
	}
	for _, m := range claims {
		root, rerr := l.Root(m.Size)
		if m.Size != m.LastSeq || rerr != nil || evidence.Hex(root) != m.Root {
			c.add(verify.Finding{
				Kind: TreeMismatch, Severity: verify.Failure, Stream: stream, Seq: m.FirstSeq, LastSeq: m.LastSeq, ManifestKey: m.Where,
				Detail: fmt.Sprintf("manifest says tree_size %d root %s; the stored records give %s", m.Size, m.Root, evidence.Hex(root)),
			})
		}
	}
	return nil
}

// checkpoint checks one signed checkpoint against the stream's tree; it returns its size when the
// checkpoint itself is valid.
func (c *checker) checkpoint(stream string, t streamTree, where string, raw []byte) (uint64, bool) {
	cp, err := evidence.Open(raw, c.trusted)
	if err != nil {
		c.add(verify.Finding{Kind: BadCheckpoint, Severity: verify.Failure, Stream: stream, ObjectKey: where, Detail: err.Error()})
		return 0, false
	}
	if !strings.HasSuffix(cp.Origin, "/"+stream) {
		c.add(verify.Finding{
			Kind: BadCheckpoint, Severity: verify.Failure, Stream: stream, ObjectKey: where,
			Detail: fmt.Sprintf("origin %q is not a log of stream %s", cp.Origin, stream),
		})
		return 0, false
	}
	if cp.Size > t.head {
		c.add(verify.Finding{
			Kind: TruncatedHead, Severity: verify.Failure, Stream: stream, Seq: t.head + 1, LastSeq: cp.Size, ObjectKey: where,
			Detail: fmt.Sprintf("a checkpoint signed for %d records exists, the store holds %d: its newest records were removed", cp.Size, t.head),
		})
		return cp.Size, true
	}
	if t.log == nil {
		return cp.Size, true
	}
	if t.cut != nil && cp.Size < t.cut.Frontier.Size {
		c.beforeCut(stream, t.cut, where, cp)
		return cp.Size, true
	}
	proof, err := t.log.ConsistencyProof(cp.Size, t.head)
	if err == nil {
		err = evidence.VerifyConsistency(proof, cp.Size, cp.Root, t.head, t.root)
	}
	if err != nil {
		c.add(verify.Finding{
			Kind: RewrittenHistory, Severity: verify.Failure, Stream: stream, Seq: 1, LastSeq: cp.Size, ObjectKey: where,
			Detail: fmt.Sprintf("the store's tree of %d records is not an extension of this checkpoint of size %d (consistency proof fails): "+
				"records up to seq %d were rewritten after it was signed", t.head, cp.Size, cp.Size),
		})
	}
	return cp.Size, true
}

// beforeCut checks a checkpoint older than the stream's retention cut against the cut's frontier:
// its root is derivable from the frontier when its size is that of the frontier's first subtrees.
func (c *checker) beforeCut(stream string, cut *evidence.Cut, where string, cp evidence.Checkpoint) {
	root, ok := cut.Frontier.PrefixRoot(cp.Size)
	switch {
	case !ok:
		c.add(verify.Finding{
			Kind: Unverifiable, Severity: verify.Info, Stream: stream, LastSeq: cp.Size, ObjectKey: where,
			Detail: fmt.Sprintf("this checkpoint is older than the retention cut at %d records and its root is not derivable "+
				"from the cut's frontier: it is checked for truncation only", cut.Frontier.Size),
		})
	case root != cp.Root:
		c.add(verify.Finding{
			Kind: RewrittenHistory, Severity: verify.Failure, Stream: stream, Seq: 1, LastSeq: cp.Size, ObjectKey: where,
			Detail: fmt.Sprintf("the retention cut's frontier (%s) gives another root for the first %d records than this checkpoint: "+
				"the frontier or the records before the cut were rewritten", cut.Where, cp.Size),
		})
	}
}

func (c *checker) add(f verify.Finding) { c.findings = append(c.findings, f) }

func union(a, b []string) []string {
	seen := make(map[string]bool, len(a))
	for _, s := range a {
		seen[s] = true
	}
	for _, s := range b {
		if !seen[s] {
			seen[s] = true
			a = append(a, s)
		}
	}
	return a
}
