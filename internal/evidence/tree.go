// Package evidence is the transparency-log layer over the audit trail: an RFC 6962 Merkle tree per
// stream whose leaves are the records' chain hashes (leaf i is the record with seq i+1), signed
// checkpoints of that tree in the C2SP tlog-checkpoint format, and the inclusion and consistency
// proofs an auditor checks without access to the store. Hashing and proofs are
// golang.org/x/mod/sumdb/tlog's, the signed note is sumdb/note's, so stock tooling reads the
// checkpoints; this package only decides what the leaves are and how the state is kept.
package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// Hash is one tree hash (SHA-256).
type Hash = tlog.Hash

// LeafHash is the RFC 6962 leaf hash of a record: SHA-256(0x00 || the 32 raw bytes of its chain
// hash). The leaf is the chain hash, not the content, so a tombstone (which keeps its record's
// integrity.hash) keeps its leaf and every proof through it stays valid after an erasure.
func LeafHash(recordHash string) (Hash, error) {
	var raw [tlog.HashSize]byte
	if len(recordHash) != 2*len(raw) {
		return Hash{}, fmt.Errorf("record hash %q is not 64 hex digits", recordHash)
	}
	if _, err := hex.Decode(raw[:], []byte(recordHash)); err != nil {
		return Hash{}, fmt.Errorf("record hash %q is not 64 hex digits", recordHash)
	}
	return LeafOf(raw), nil
}

// LeafOf is LeafHash of a chain hash given as its 32 raw bytes, for a writer that has just
// computed it: no hex to parse, and one SHA-256 of a stack buffer (tlog.RecordHash's digest
// costs a few times as much for these 33 bytes).
func LeafOf(recordHash [sha256.Size]byte) Hash {
	var buf [1 + sha256.Size]byte // 0x00 || hash, RFC 6962's leaf prefix
	copy(buf[1:], recordHash[:])
	return sha256.Sum256(buf[:])
}

// Frontier is the O(log n) state that lets a writer extend a stream's tree without its earlier
// leaves: the roots of the perfect subtrees that size decomposes into (one per set bit of Size,
// largest first). Manifests carry it, so a writer resumes the tree from its stream's last manifest.
type Frontier struct {
	Size  uint64
	Nodes []Hash
}

// Append adds the next leaf.
func (f *Frontier) Append(leaf Hash) {
	f.Nodes = append(f.Nodes, leaf)
	// Merge while the two newest subtrees have the same height: the bits of Size that carry.
	for s := f.Size; s&1 == 1; s >>= 1 {
		n := len(f.Nodes)
		f.Nodes = append(f.Nodes[:n-2], tlog.NodeHash(f.Nodes[n-2], f.Nodes[n-1]))
	}
	f.Size++
}

// Root is the RFC 6962 tree hash of the leaves so far (SHA-256 of nothing for an empty tree).
func (f *Frontier) Root() Hash {
	if len(f.Nodes) == 0 {
		return emptyRoot
	}
	h := f.Nodes[len(f.Nodes)-1]
	for i := len(f.Nodes) - 2; i >= 0; i-- {
		h = tlog.NodeHash(f.Nodes[i], h)
	}
	return h
}

// emptyRoot is MTH({}) = SHA-256("").
var emptyRoot = func() Hash {
	h, _ := tlog.ParseHash("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
	return h
}()

// Clone returns an independent copy (a write that fails must not move the committed frontier).
func (f Frontier) Clone() Frontier {
	return Frontier{Size: f.Size, Nodes: append([]Hash(nil), f.Nodes...)}
}

// Encode returns the frontier's nodes as hex, as manifests store them.
func (f Frontier) Encode() []string {
	out := make([]string, len(f.Nodes))
	for i, h := range f.Nodes {
		out[i] = hex.EncodeToString(h[:])
	}
	return out
}

// DecodeFrontier parses a frontier stored as hex nodes for a tree of size.
func DecodeFrontier(size uint64, nodes []string) (Frontier, error) {
	if want := popcount(size); len(nodes) != want {
		return Frontier{}, fmt.Errorf("tree frontier of size %d has %d nodes, want %d", size, len(nodes), want)
	}
	f := Frontier{Size: size, Nodes: make([]Hash, len(nodes))}
	for i, s := range nodes {
		h, err := ParseHex(s)
		if err != nil {
			return Frontier{}, fmt.Errorf("tree frontier node %d: %w", i, err)
		}
		f.Nodes[i] = h
	}
	return f, nil
}

// ParseHex parses a hash written as 64 hex digits.
func ParseHex(s string) (Hash, error) {
	var h Hash
	raw, err := hex.DecodeString(s)
	if err != nil || len(raw) != len(h) {
		return h, errors.New("not 64 hex digits")
	}
	copy(h[:], raw)
	return h, nil
}

// Hex writes h as 64 hex digits.
func Hex(h Hash) string { return hex.EncodeToString(h[:]) }

func popcount(n uint64) int {
	c := 0
	for ; n != 0; n &= n - 1 {
		c++
	}
	return c
}

// PrefixRoot is the root of the tree of the first size leaves when the frontier alone determines
// it: size is f.Size or the leaves of its first few subtrees (a checkpoint signed before a cut at
// such a size is still checked against the cut's frontier; at any other size it cannot be).
func (f Frontier) PrefixRoot(size uint64) (Hash, bool) {
	if size == 0 {
		return emptyRoot, true
	}
	covered, j := uint64(0), 0
	for level := 63; level >= 0 && covered < size; level-- {
		if f.Size&(1<<level) != 0 {
			covered += 1 << level
			j++
		}
	}
	if covered != size || j > len(f.Nodes) {
		return Hash{}, false
	}
	h := f.Nodes[j-1]
	for i := j - 2; i >= 0; i-- {
		h = tlog.NodeHash(f.Nodes[i], h)
	}
	return h, true
}
