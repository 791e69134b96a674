// Package retain deletes expired hour partitions from the object stores (file and S3). A partition
// expires when its whole hour lies before now minus the retention age. Objects go together with their
// manifests and erasure manifests, oldest first per stream, so what remains of each stream is an
// unbroken suffix of its chain.
package retain

import (
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Expire deletes every data object in a partition older than the cutoff, with its manifests.
func Expire(ctx context.Context, b objectstore.Backend, layout objectstore.Layout, opts Options) (Result, error) {
	if opts.OlderThan <= 0 {
		return Result{}, errors.New("retention age must be > 0")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	res := Result{Cutoff: opts.Now().UTC().Add(-opts.OlderThan), DryRun: opts.DryRun, Partitions: []string{}}
	expired := func(key string) bool {
		t, ok := objectstore.PartitionTime(key)
		return ok && !t.Add(time.Hour).After(res.Cutoff)
	}

	manifestKeys, err := b.List(ctx, layout.ManifestsRoot())
	if err != nil {
		return res, fmt.Errorf("list %s: %w", b, err)
	}
	// Manifests and erasure manifests per object manifest, in stream order.
	byStream := map[string][]string{}
	erasures := map[string][]string{}
	for _, k := range manifestKeys {
		stream, file, ok := strings.Cut(strings.TrimPrefix(k, layout.ManifestsRoot()), "/")
		if !ok || !strings.HasSuffix(file, ".json") {
			continue
		}
		if seq, _, isErasure := strings.Cut(file, ".erasure-"); isErasure {
			if !objectManifestName.MatchString(seq + ".json") {
				continue
			}
			orig := layout.ManifestPrefix(stream) + seq + ".json"
			erasures[orig] = append(erasures[orig], k)
			continue
		}
		if objectManifestName.MatchString(file) {
			byStream[stream] = append(byStream[stream], k)
		}
	}

	partitions := map[string]bool{}
	deleted := map[string]bool{}
	del := func(key string) error {
		if opts.DryRun {
			return nil
		}
		return b.Delete(ctx, key)
	}
	streams := make([]string, 0, len(byStream))
	for s := range byStream {
		streams = append(streams, s)
	}
	sort.Strings(streams)
	plan := map[string][]doomedManifest{}
	var heldStreams []string // streams cut short by a legal hold: their expired objects stay
	for _, stream := range streams {
		for _, mk := range byStream[stream] { // List is sorted: seq order
			raw, err := b.Get(ctx, mk)
			if errors.Is(err, objectstore.ErrNotExist) {
				continue
			}
			if err != nil {
				return res, err
			}
			m, err := objectstore.DecodeManifest(raw)
			if err != nil {
				return res, fmt.Errorf("manifest %s: %w", mk, err)
			}
			if !expired(m.ObjectKey) {
				break // later manifests are newer: the chain's kept part starts here
			}
			if held, err := heldObject(ctx, opts, m.ObjectKey, &res); err != nil || held {
				if err != nil {
					return res, err
				}
				heldStreams = append(heldStreams, stream)
				break
			}
			if m.Signature != "" && opts.Signer == nil && !opts.DryRun {
				return res, ErrSigningKeyRequired // before anything is deleted
			}
			plan[stream] = append(plan[stream], doomedManifest{key: mk, m: m})
		}
	}
	for _, stream := range streams {
		doomed := plan[stream]
		if len(doomed) == 0 {
			continue
		}
		// The marker goes first: if the deletion stops half way, it still names the cut being made.
		if !opts.DryRun {
			if err := writeMarker(ctx, b, layout, stream, doomed[len(doomed)-1], opts); err != nil {
				return res, err
			}
		}
		for _, d := range doomed {
			// The object goes before its manifest: a crash then leaves a manifest without object
			// (reported as deleted), never an object without manifest (which would look injected).
			if err := del(d.m.ObjectKey); err != nil {
				return res, err
			}
			for _, ek := range erasures[d.key] {
				if err := del(ek); err != nil {
					return res, err
				}
				res.Manifests++
			}
			if err := del(d.key); err != nil {
				return res, err
			}
			deleted[d.m.ObjectKey] = true
			partitions[path.Dir(d.m.ObjectKey)] = true
			res.Objects++
			res.Manifests++
			res.Records += d.m.RecordCount
		}
	}

	// Data objects no manifest names (left by a crash) expire with their partition too.
	dataKeys, err := b.List(ctx, layout.DataPrefix())
	if err != nil {
		return res, fmt.Errorf("list %s: %w", b, err)
	}
	for _, k := range dataKeys {
		if deleted[k] || !expired(k) || !objectstore.IsDataObject(k) || ofStream(k, heldStreams) {
			continue
		}
		if err := del(k); err != nil {
			return res, err
		}
		partitions[path.Dir(k)] = true
		res.Objects++
	}
	for p := range partitions {
		res.Partitions = append(res.Partitions, p)
	}
	sort.Strings(res.Partitions)
	return res, nil
}

var objectManifestName = regexp.MustCompile(`^\d{20}\.json$`)

type doomedManifest struct {
	key string
	m   objectstore.Manifest
}

// writeMarker records that stream's chain now starts after last, signed when a signer is given.
func writeMarker(ctx context.Context, b objectstore.Backend, layout objectstore.Layout, stream string, last doomedManifest, opts Options) error {
	marker := objectstore.Manifest{
		ManifestVersion:           1,
		Kind:                      objectstore.ManifestKindRetention,
		Stream:                    stream,
		LastSeq:                   last.m.LastSeq,
		LastHash:                  last.m.LastHash,
		PreviousManifestKey:       last.key,
		PreviousManifestSignature: last.m.Signature,
		CreatedAt:                 opts.Now().UTC(),
		// The tree's frontier at the cut: what the remaining stream's tree is rebuilt from.
		TreeSize:     last.m.TreeSize,
		TreeRoot:     last.m.TreeRoot,
		TreeFrontier: last.m.TreeFrontier,
	}
	if opts.Signer != nil {
		if err := opts.Signer.Sign(&marker); err != nil {
			return err
		}
	}
	enc, err := marker.Encode()
	if err != nil {
		return err
	}
	if err := b.Put(ctx, layout.RetentionMarkerKey(stream), enc); err != nil {
		return fmt.Errorf("put retention marker: %w", err)
	}
	return nil
}

// ErrSigningKeyRequired: the store's manifests are signed, so the retention marker must be too.
var ErrSigningKeyRequired = errors.New("the expired objects have signed manifests: the retention marker must be signed too; pass the collector's signing key (--signing-key)")

// IndexExpirer lists and deletes a search engine store's time-based indices.
type IndexExpirer interface {
	ExpiredIndices(ctx context.Context, cutoff time.Time) ([]string, error)
	// DeleteIndices notes, per stream, what the indices take with them (signed with signer, the
	// collector's key; refused without one when the streams have signed checkpoints), then deletes them.
	DeleteIndices(ctx context.Context, names []string, signer *objectstore.Signer) ([]string, error)
	// IndexHeld names the legal hold covering a record of the index ("" for none).
	IndexHeld(ctx context.Context, index string, held func(*auditrecord.Record) string) (string, error)
}

// ExpireIndices deletes every index whose whole period ended before now minus the retention age;
// Result.Partitions lists the indices. The first expired index holding a record under legal hold
// (opts.HeldRecord) is kept, and so are all after it, as on PostgreSQL: the kept part of every
// chain stays one piece.
func ExpireIndices(ctx context.Context, ix IndexExpirer, opts Options) (Result, error) {
	if opts.OlderThan <= 0 {
		return Result{}, errors.New("retention age must be > 0")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	res := Result{Cutoff: opts.Now().UTC().Add(-opts.OlderThan), DryRun: opts.DryRun, Partitions: []string{}}
	names, err := ix.ExpiredIndices(ctx, res.Cutoff)
	if err != nil {
		return res, err
	}
	for i, name := range names { // oldest first
		id, err := ix.IndexHeld(ctx, name, opts.HeldRecord)
		if err != nil {
			return res, err
		}
		if id != "" {
			res.Held = map[string]string{name: id}
			names = names[:i]
			break
		}
	}
	if !opts.DryRun {
		names, err = ix.DeleteIndices(ctx, names, opts.Signer)
	}
	res.Partitions = append(res.Partitions, names...)
	return res, err
}

// heldObject reports whether a legal hold keeps the object, noting it in res.
func heldObject(ctx context.Context, opts Options, key string, res *Result) (bool, error) {
	if opts.Held == nil {
		return false, nil
	}
	id, err := opts.Held(ctx, key)
	if err != nil || id == "" {
		return false, err
	}
	if res.Held == nil {
		res.Held = map[string]string{}
	}
	res.Held[key] = id
	return true, nil
}

// ofStream reports whether data object key belongs to one of streams (its name is <stream>-<seq>).
func ofStream(key string, streams []string) bool {
	base := path.Base(key)
	for _, s := range streams {
		if rest, ok := strings.CutPrefix(base, s+"-"); ok && len(rest) > 20 && !strings.Contains(rest[:20], "-") {
			return true
		}
	}
	return false
}
