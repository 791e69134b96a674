package objectstore

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
)

// CheckpointOptions makes the store write signed checkpoints of each stream's tree (they need the
// manifest Signer): into the store and into every witness, a sink configured apart from the store,
// so that a head truncated or rewritten in the store still disagrees with what the witness holds.
type CheckpointOptions struct {
	// EveryRecords writes a checkpoint once a stream grew by this many records since its last one.
	EveryRecords uint64
	// Interval writes one for a stream that grew at all and whose last checkpoint is this old
	// (checked after each write and by a ticker); 0 disables the ticker.
	Interval time.Duration
	// Origin names the store in checkpoint origins ("<origin>/<stream>"); default DefaultOrigin.
	Origin string
	// Witnesses also receive every checkpoint, under the same key as in the store.
	Witnesses []Backend
	// Sinks also receive every checkpoint (witnesses that are not object backends: HTTP).
	Sinks []evidence.Sink
}

// Policy is when checkpoints are due.
func (o *CheckpointOptions) Policy() evidence.Policy {
	return evidence.Policy{EveryRecords: o.EveryRecords, Interval: o.Interval}
}

// WitnessSinks are every witness as a sink: the backends under l's checkpoint keys, then Sinks.
func (o *CheckpointOptions) WitnessSinks(l Layout) []evidence.Sink {
	out := make([]evidence.Sink, 0, len(o.Witnesses)+len(o.Sinks))
	for _, b := range o.Witnesses {
		out = append(out, BackendSink{Backend: b, Layout: l})
	}
	return append(out, o.Sinks...)
}

// BackendSink stores checkpoints in a Backend under Layout.CheckpointKey.
type BackendSink struct {
	Backend Backend
	Layout  Layout
}

func (b BackendSink) PutCheckpoint(ctx context.Context, stream string, size uint64, signed []byte) error {
	return b.Backend.Put(ctx, b.Layout.CheckpointKey(stream, size), signed)
}

func (b BackendSink) String() string { return b.Backend.String() }

// DefaultOrigin names a store in checkpoint origins: its location without scheme, and its prefix,
// e.g. "acme-audit/audit" or "var/lib/agentaudit/audit".
func DefaultOrigin(b Backend, prefix string) string {
	loc, _, _ := strings.Cut(b.String(), " ")
	if _, rest, ok := strings.Cut(loc, "://"); ok {
		loc = rest
	}
	return strings.Trim(path.Join(loc, prefix), "/")
}

// CheckpointPrefix lists a stream's checkpoints in size order.
func (l Layout) CheckpointPrefix(stream string) string {
	return path.Join(l.Prefix, "_checkpoints", stream) + "/"
}

// CheckpointsRoot is the prefix below which every stream's checkpoints live.
func (l Layout) CheckpointsRoot() string { return path.Join(l.Prefix, "_checkpoints") + "/" }

// CheckpointKey names the checkpoint of stream's tree at size.
func (l Layout) CheckpointKey(stream string, size uint64) string {
	return l.CheckpointPrefix(stream) + fmt.Sprintf("%020d.checkpoint", size)
}

// CheckpointSize parses the tree size out of a checkpoint key.
func CheckpointSize(key string) (uint64, bool) {
	base, ok := strings.CutSuffix(path.Base(key), ".checkpoint")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(base, 10, 64)
	return n, err == nil
}

func (s *Store) checkpointsOn() bool { return s.opts.Checkpoints != nil && s.opts.Signer != nil }

// resumeCheckpoint finds the stream's newest stored checkpoint, so a restart does not write one
// for records already covered.
func (s *Store) resumeCheckpoint(ctx context.Context, stream string, h *chainHead) error {
	at := s.opts.Now()
	h.CheckpointedAt(0, at)
	if !s.checkpointsOn() {
		return nil
	}
	keys, err := s.backend.List(ctx, s.layout.CheckpointPrefix(stream))
	if err != nil {
		return fmt.Errorf("list checkpoints of %s: %w", stream, err)
	}
	for i := len(keys) - 1; i >= 0; i-- {
		if n, ok := CheckpointSize(keys[i]); ok {
			h.CheckpointedAt(n, at)
			break
		}
	}
	return nil
}

// checkpointIfDue writes the stream's checkpoint when it is due (Checkpointer.IfDue). s.mu is held.
func (s *Store) checkpointIfDue(ctx context.Context, stream string, h *chainHead, force bool) {
	if !s.checkpointsOn() {
		return
	}
	c := Checkpointer{
		Options: s.opts.Checkpoints, Signer: s.opts.Signer, Origin: DefaultOrigin(s.backend, s.layout.Prefix),
		Layout: s.layout, Logger: s.set.Logger, Now: s.opts.Now,
	}
	c.IfDue(ctx, stream, &h.StreamTree, BackendSink{Backend: s.backend, Layout: s.layout}, force)
}

// checkpointAll writes the checkpoints that are due (force: of every stream that grew).
func (s *Store) checkpointAll(ctx context.Context, force bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for stream, h := range s.heads {
		s.checkpointIfDue(ctx, stream, h, force)
	}
}

// startCheckpointTicker writes interval checkpoints for streams that stopped growing.
func (s *Store) startCheckpointTicker() {
	if !s.checkpointsOn() || s.opts.Checkpoints.Interval <= 0 || s.ticker != nil {
		return
	}
	s.ticker = evidence.StartTicker(s.opts.Checkpoints.Interval, func(ctx context.Context) { s.checkpointAll(ctx, false) })
}

// stopCheckpoints stops the ticker and checkpoints every stream that grew since its last one.
func (s *Store) stopCheckpoints(ctx context.Context) {
	s.ticker.Stop()
	s.ticker = nil
	s.checkpointAll(ctx, true)
}
