package evidence

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// Log is a whole stream's tree in memory (every stored hash, about two per leaf), as a verifier or
// an exporter of proofs rebuilds it from the records it read. The writer never holds one: it keeps
// only a Frontier.
type Log struct {
	stored []Hash
	size   int64
	// A log started from a Frontier (NewLogFrom: the stream's oldest records were removed by
	// retention) knows no stored hash below start but the frontier's nodes, kept in base.
	start, base int64
	frontier    map[int64]Hash
}

// NewLogFrom starts a log at f: the tree of f.Size leaves of which only the frontier is known.
// Roots and consistency proofs from any size >= f.Size can be computed (every node they need is
// either a frontier node or above the cut); nothing below f.Size can.
func NewLogFrom(f Frontier) *Log {
	l := &Log{size: int64(f.Size), start: int64(f.Size), base: tlog.StoredHashCount(int64(f.Size)), frontier: map[int64]Hash{}}
	offset := int64(0)
	for i, level := 0, 63; level >= 0 && i < len(f.Nodes); level-- {
		if f.Size&(1<<level) == 0 {
			continue
		}
		l.frontier[tlog.StoredHashIndex(level, offset>>level)] = f.Nodes[i]
		offset += 1 << level
		i++
	}
	return l
}

// Start is the size the log was started from (0 unless NewLogFrom).
func (l *Log) Start() uint64 { return uint64(l.start) }

// Append adds the next leaf.
func (l *Log) Append(leaf Hash) error {
	hs, err := tlog.StoredHashesForRecordHash(l.size, leaf, l)
	if err != nil {
		return err
	}
	l.stored = append(l.stored, hs...)
	l.size++
	return nil
}

// Size is the number of leaves.
func (l *Log) Size() uint64 { return uint64(l.size) }

// ReadHashes serves tlog its stored hashes.
func (l *Log) ReadHashes(indexes []int64) ([]Hash, error) {
	out := make([]Hash, len(indexes))
	for i, x := range indexes {
		if x < l.base {
			h, ok := l.frontier[x]
			if !ok {
				return nil, fmt.Errorf("stored hash %d lies before the tree's cut at size %d", x, l.start)
			}
			out[i] = h
			continue
		}
		if x-l.base >= int64(len(l.stored)) {
			return nil, fmt.Errorf("stored hash %d is outside the tree of size %d", x, l.size)
		}
		out[i] = l.stored[x-l.base]
	}
	return out, nil
}

// Leaf returns leaf i.
func (l *Log) Leaf(i uint64) (Hash, error) {
	h, err := l.ReadHashes([]int64{tlog.StoredHashIndex(0, int64(i))})
	if err != nil {
		return Hash{}, err
	}
	return h[0], nil
}

// Root is the tree hash of the first size leaves.
func (l *Log) Root(size uint64) (Hash, error) {
	if size == 0 {
		return emptyRoot, nil
	}
	if err := l.within(size); err != nil {
		return Hash{}, err
	}
	return tlog.TreeHash(int64(size), l)
}

// InclusionProof proves leaf index is in the tree of size.
func (l *Log) InclusionProof(index, size uint64) ([]Hash, error) {
	if err := l.within(size); err != nil {
		return nil, err
	}
	if index >= size {
		return nil, fmt.Errorf("leaf %d is not in a tree of size %d", index, size)
	}
	return tlog.ProveRecord(int64(size), int64(index), l)
}

// ConsistencyProof proves the tree of size old is a prefix of the tree of size size.
func (l *Log) ConsistencyProof(old, size uint64) ([]Hash, error) {
	if err := l.within(size); err != nil {
		return nil, err
	}
	if old < uint64(l.start) {
		return nil, fmt.Errorf("tree of size %d lies before the cut at %d", old, l.start)
	}
	if old == 0 || old > size {
		return nil, fmt.Errorf("no consistency proof from size %d to %d", old, size)
	}
	if old == size {
		return nil, nil
	}
	return tlog.ProveTree(int64(size), int64(old), l)
}

func (l *Log) within(size uint64) error {
	if size > uint64(l.size) {
		return fmt.Errorf("tree of size %d is beyond the %d leaves known", size, l.size)
	}
	if size < uint64(l.start) {
		return fmt.Errorf("tree of size %d lies before the cut at %d", size, l.start)
	}
	return nil
}

// VerifyInclusion checks that leaf is leaf index of the tree of size with root.
func VerifyInclusion(proof []Hash, index, size uint64, leaf, root Hash) error {
	if index >= size {
		return fmt.Errorf("leaf %d is not in a tree of size %d", index, size)
	}
	return tlog.CheckRecord(proof, int64(size), root, int64(index), leaf)
}

// VerifyConsistency checks that the tree (old, oldRoot) is a prefix of (size, root).
func VerifyConsistency(proof []Hash, old uint64, oldRoot Hash, size uint64, root Hash) error {
	switch {
	case old > size:
		return fmt.Errorf("tree of size %d cannot be a prefix of one of size %d", old, size)
	case old == size:
		if oldRoot != root || len(proof) != 0 {
			return fmt.Errorf("two different roots for size %d", size)
		}
		return nil
	case old == 0:
		return nil
	}
	return tlog.CheckTree(proof, int64(size), root, int64(old), oldRoot)
}
