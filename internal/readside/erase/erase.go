// Package erase carries out the right to be forgotten on the object stores (file and S3) without
// breaking their integrity guarantees: every record of the subject is replaced, in place, by a
// tombstone that keeps its record_id, timestamps and original integrity (stream, seq, prev_hash,
// hash) but no content; the rewritten object is described by a signed erasure manifest beside its
// untouched original manifest; and the erasure itself is recorded as a chained `erasure` record.
// `auditctl verify` then reports the objects as erased (informational), not as tampered with.
package erase

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

// Signal is the batch signal erasure records are written under ("<instance>-erasure" stream).
const Signal = "erasure"

// ErrSigningKeyRequired: the affected objects have signed manifests, and an unsigned erasure manifest
// cannot explain a change to a signed object (anyone with write access could forge one).
var ErrSigningKeyRequired = errors.New("the affected objects have signed manifests: an erasure must be signed too; pass the collector's signing key (--signing-key)")

// SubjectTraces are the traces that belong to subject: those with a record carrying the user id
// now, and those earlier erasures of the subject recorded (a record of such a trace without a user
// id that arrived after the erasure is the subject's too).
func SubjectTraces(ctx context.Context, r store.Reader, subject string, p *query.Progress) (map[string]bool, error) {
	traces, err := query.TraceIDsOf(ctx, r, store.Query{UserID: subject}, p)
	if err != nil {
		return nil, err
	}
	err = query.Scan(ctx, r, store.Query{Types: []auditrecord.Type{auditrecord.TypeErasure}}, p, func(rec *auditrecord.Record) error {
		if rec.Erasure != nil && rec.Erasure.Subject == subject {
			for _, id := range rec.Erasure.Traces {
				traces[id] = true
			}
		}
		return nil
	})
	return traces, err
}

func heldBy(o Options, r *auditrecord.Record) string {
	if o.Held == nil {
		return ""
	}
	return o.Held(r)
}

// planned is an object with the records to erase found in it.
type planned struct {
	Object
	lines    [][]byte
	records  []*auditrecord.Record // nil for lines that stay as they are
	manifest *objectstore.Manifest
}

// Forget erases every record of opts.Subject in the object store s. The erasure record is written
// with s, so s must be opened with the writer's instance id and opts.Signer.
func Forget(ctx context.Context, s *objectstore.Store, opts Options) (Result, error) {
	if opts.Subject == "" {
		return Result{}, errors.New("no subject: which user_id to erase")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	now := opts.Now().UTC()
	res := Result{Subject: opts.Subject, Requester: opts.Requester, ErasedAt: now, DryRun: opts.DryRun, Mode: ModeTombstone, Objects: []Object{}}

	plan, err := findRecords(ctx, s, opts, &res)
	if err != nil {
		return res, err
	}
	distinct := query.NewDistinct()
	for _, p := range plan {
		res.Objects = append(res.Objects, p.Object)
		for _, r := range p.records {
			if r != nil && distinct.First(r.RecordID) {
				res.Records++
			}
		}
	}
	res.Copies = distinct.Copies
	if len(plan) == 0 || opts.DryRun {
		return res, nil
	}
	// Everything that can refuse the erasure is checked before the first byte is written.
	for _, p := range plan {
		if p.manifest != nil && p.manifest.Signature != "" && opts.Signer == nil {
			return res, ErrSigningKeyRequired
		}
		if opts.Guard != nil {
			if err := opts.Guard.CheckErasable(ctx, p.Key); err != nil {
				return res, err
			}
		}
	}

	res.ErasureID = newErasureID(now)
	layout := s.Layout()
	for i := range plan {
		p := &plan[i]
		if err := rewrite(ctx, s.Backend(), layout, p, res.ErasureID, opts, now); err != nil {
			return res, fmt.Errorf("erase in %s: %w (objects before it are erased; run forget again to finish)", p.Key, err)
		}
		res.Objects[i].ErasureManifestKey = p.ErasureManifestKey
	}

	keys := make([]string, len(plan))
	for i, p := range plan {
		keys[i] = p.Key
	}
	if err := s.Start(ctx); err != nil {
		return res, err
	}
	return res, recordErasure(ctx, s, &res, keys, opts.Traces)
}

// Writer is where the erasure record goes: the store's own writer.
type Writer interface {
	Write(ctx context.Context, b store.Batch) error
}

// recordErasure writes the erasure record (who, when, whose records, how many, where).
func recordErasure(ctx context.Context, w Writer, res *Result, objects []string, traces map[string]bool) error {
	rec := &auditrecord.Record{
		SchemaVersion:     auditrecord.SchemaVersion,
		RecordID:          auditrecord.NewRecordID("erasure", res.ErasureID),
		Type:              auditrecord.TypeErasure,
		Timestamp:         res.ErasedAt,
		ObservedTimestamp: res.ErasedAt,
		Source:            &auditrecord.Source{Signal: "auditctl", Name: "forget"},
		Erasure:           &auditrecord.Erasure{Requester: res.Requester, Subject: res.Subject, Records: res.Records, Objects: objects, Traces: slices.Sorted(maps.Keys(traces))},
	}
	if err := w.Write(ctx, store.Batch{Signal: Signal, Records: []*auditrecord.Record{rec}}); err != nil {
		return fmt.Errorf("records are erased, but the erasure record could not be written: %w", err)
	}
	res.RecordID = rec.RecordID
	return nil
}

// findRecords reads every data object and plans the objects holding records of subject.
func findRecords(ctx context.Context, s *objectstore.Store, opts Options, res *Result) ([]planned, error) {
	keys, err := s.DataObjects(ctx, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", s.Backend(), err)
	}
	var plan []planned
	for n, key := range keys {
		if opts.Progress != nil {
			opts.Progress(n, len(keys))
		}
		data, err := s.Backend().Get(ctx, key)
		if errors.Is(err, objectstore.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		lines, err := objectstore.ObjectLines(key, data)
		if err != nil {
			return nil, err
		}
		p := planned{lines: lines, records: make([]*auditrecord.Record, len(lines))}
		p.Key = key
		for i, line := range lines {
			var r auditrecord.Record
			if err := json.Unmarshal(line, &r); err != nil {
				return nil, fmt.Errorf("%s line %d: %w", key, i+1, err)
			}
			if !opts.Subjects(&r) {
				continue
			}
			if id := heldBy(opts, &r); id != "" {
				if res.Held == nil {
					res.Held = map[string]int{}
				}
				res.Held[id]++
				continue
			}
			if r.Integrity == nil {
				return nil, fmt.Errorf("%s line %d: record has no integrity; refusing to rewrite an object the store did not chain", key, i+1)
			}
			p.records[i] = &r
			p.ErasedSeqs = append(p.ErasedSeqs, r.Integrity.Seq)
			p.Stream = r.Integrity.Stream
		}
		if len(p.ErasedSeqs) == 0 {
			continue
		}
		if err := findManifest(ctx, s, &p, res); err != nil {
			return nil, err
		}
		plan = append(plan, p)
	}
	return plan, nil
}

// findManifest locates the original manifest of p's object: named by the stream and the first
// line's seq.
func findManifest(ctx context.Context, s *objectstore.Store, p *planned, res *Result) error {
	var first struct {
		Integrity *auditrecord.Integrity `json:"integrity"`
	}
	if err := json.Unmarshal(p.lines[0], &first); err != nil || first.Integrity == nil {
		return fmt.Errorf("%s: first line has no integrity", p.Key)
	}
	p.ManifestKey = s.Layout().ManifestKey(first.Integrity.Stream, first.Integrity.Seq)
	raw, err := s.Backend().Get(ctx, p.ManifestKey)
	if errors.Is(err, objectstore.ErrNotExist) {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s has no manifest %s; erasing anyway (verify reports it as unmanifested)", p.Key, p.ManifestKey))
		return nil
	}
	if err != nil {
		return err
	}
	m, err := objectstore.DecodeManifest(raw)
	if err != nil {
		return fmt.Errorf("manifest %s: %w", p.ManifestKey, err)
	}
	if m.ObjectKey != p.Key {
		return fmt.Errorf("manifest %s describes %s, not %s", p.ManifestKey, m.ObjectKey, p.Key)
	}
	p.manifest = &m
	return nil
}

// rewrite replaces p's records by tombstones. The erasure manifest is stored before the object:
// until the object is replaced the original manifest still matches it, so a crash in between leaves
// a store that verifies, and running forget again completes the erasure.
func rewrite(ctx context.Context, b objectstore.Backend, layout objectstore.Layout, p *planned, erasureID string, opts Options, now time.Time) error {
	lines := make([][]byte, len(p.lines))
	for i, line := range p.lines {
		r := p.records[i]
		if r == nil {
			lines[i] = line // byte for byte: its hash must still verify
			continue
		}
		enc, err := auditrecord.MarshalRecord(trail.NewTombstone(r, erasureID, now))
		if err != nil {
			return err
		}
		lines[i] = enc
	}
	data, err := objectstore.EncodeObject(lines, strings.HasSuffix(p.Key, ".gz"))
	if err != nil {
		return err
	}
	em := objectstore.Manifest{
		ManifestVersion: 1,
		Kind:            objectstore.ManifestKindErasure,
		Stream:          p.Stream,
		ErasureID:       erasureID,
		ManifestKey:     p.ManifestKey,
		ObjectKey:       p.Key,
		ObjectSHA256:    objectstore.ObjectDigest(data),
		ObjectBytes:     int64(len(data)),
		RecordCount:     len(lines),
		ErasedSeqs:      p.ErasedSeqs,
		Requester:       opts.Requester,
		CreatedAt:       now,
	}
	if opts.Signer != nil {
		if err := opts.Signer.Sign(&em); err != nil {
			return err
		}
	}
	enc, err := em.Encode()
	if err != nil {
		return err
	}
	var firstSeq uint64
	if p.manifest != nil {
		firstSeq = p.manifest.FirstSeq
	} else {
		var first struct {
			Integrity auditrecord.Integrity `json:"integrity"`
		}
		_ = json.Unmarshal(p.lines[0], &first)
		firstSeq = first.Integrity.Seq
	}
	p.ErasureManifestKey = layout.ErasureManifestKey(p.Stream, firstSeq, erasureID)
	if err := b.Put(ctx, p.ErasureManifestKey, enc); err != nil {
		return fmt.Errorf("put erasure manifest: %w", err)
	}
	if err := b.Put(ctx, p.Key, data); err != nil {
		return fmt.Errorf("put rewritten object: %w", err)
	}
	if opts.Guard != nil {
		if err := opts.Guard.PurgeOldVersions(ctx, p.Key); err != nil {
			return fmt.Errorf("remove the previous versions holding the erased content: %w", err)
		}
	}
	return nil
}

// Tombstoner replaces a subject's records by tombstones where they are stored (PostgreSQL rows,
// search engine documents) and
// reports, per stream, which seqs it replaced and how many records legal holds kept; with DryRun
// it only reports.
type Tombstoner interface {
	Tombstone(ctx context.Context, req trail.TombstoneRequest) ([]Object, map[string]int, error)
}

// ForgetInPlace erases a subject's records from a store that rewrites them in place, keeping their
// chain positions (tombstones), and records the erasure there.
func ForgetInPlace(ctx context.Context, t Tombstoner, w Writer, opts Options) (Result, error) {
	res, err := newResult(opts, ModeTombstone)
	if err != nil {
		return res, err
	}
	now := res.ErasedAt
	id := newErasureID(now)
	objs, held, err := t.Tombstone(ctx, trail.TombstoneRequest{
		Subject: opts.Subject, Traces: opts.Traces, Held: opts.Held, ErasureID: id, Requester: opts.Requester, ErasedAt: now, DryRun: opts.DryRun,
	})
	if err != nil {
		return res, err
	}
	if len(held) > 0 {
		res.Held = held
	}
	keys := make([]string, 0, len(objs))
	for _, o := range objs {
		res.Objects = append(res.Objects, o)
		res.Records += len(o.ErasedSeqs)
		keys = append(keys, o.Key)
	}
	if opts.DryRun || res.Records == 0 {
		return res, nil
	}
	res.ErasureID = id
	return res, recordErasure(ctx, w, &res, keys, opts.Traces)
}

// newResult starts the result of an erasure of opts.Subject in the given mode, at opts.Now.
func newResult(opts Options, mode string) (Result, error) {
	if opts.Subject == "" {
		return Result{}, errors.New("no subject: which user_id to erase")
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	return Result{Subject: opts.Subject, Requester: opts.Requester, ErasedAt: now().UTC(), DryRun: opts.DryRun, Mode: mode, Objects: []Object{}}, nil
}

func newErasureID(now time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return now.Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}
