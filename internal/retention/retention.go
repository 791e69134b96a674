// Package retention deletes expired hour partitions from the object stores (file and S3). A partition
// expires when its whole hour lies before now minus the retention age. Objects go together with their
// manifests and erasure manifests, oldest first per stream, so what remains of each stream is an
// unbroken suffix of its chain.
package retention

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Options says what to delete.
type Options struct {
	OlderThan time.Duration
	DryRun    bool
	Now       func() time.Time
}

// Result lists what was (or would be) deleted.
type Result struct {
	Cutoff     time.Time `json:"cutoff"`
	DryRun     bool      `json:"dry_run"`
	Partitions []string  `json:"partitions"`
	Objects    int       `json:"objects"`
	Manifests  int       `json:"manifests"`
	Records    int       `json:"records"` // as counted by the deleted manifests
}

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
			orig := layout.ManifestPrefix(stream) + seq + ".json"
			erasures[orig] = append(erasures[orig], k)
			continue
		}
		byStream[stream] = append(byStream[stream], k)
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
			// The object goes first: a crash then leaves a manifest without object (reported as
			// deleted), never an object without manifest (which would look injected).
			if err := del(m.ObjectKey); err != nil {
				return res, err
			}
			for _, ek := range erasures[mk] {
				if err := del(ek); err != nil {
					return res, err
				}
				res.Manifests++
			}
			if err := del(mk); err != nil {
				return res, err
			}
			deleted[m.ObjectKey] = true
			partitions[path.Dir(m.ObjectKey)] = true
			res.Objects++
			res.Manifests++
			res.Records += m.RecordCount
		}
	}

	// Data objects no manifest names (left by a crash) expire with their partition too.
	dataKeys, err := b.List(ctx, layout.DataPrefix())
	if err != nil {
		return res, fmt.Errorf("list %s: %w", b, err)
	}
	for _, k := range dataKeys {
		if deleted[k] || !expired(k) || !objectstore.IsDataObject(k) {
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

// IndexExpirer lists and deletes a search engine store's time-based indices.
type IndexExpirer interface {
	ExpiredIndices(ctx context.Context, cutoff time.Time) ([]string, error)
	DeleteIndices(ctx context.Context, names []string) ([]string, error)
}

// ExpireIndices deletes every index whose whole period ended before now minus the retention age;
// Result.Partitions lists the indices.
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
	if !opts.DryRun {
		names, err = ix.DeleteIndices(ctx, names)
	}
	res.Partitions = append(res.Partitions, names...)
	return res, err
}
