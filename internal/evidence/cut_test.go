package evidence

import (
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// TestLogFromFrontierMatchesWholeTree: a log started from the frontier at a retention cut and fed
// the leaves after it gives the whole tree's roots and consistency proofs for every size from the
// cut on (checked with transparency-dev/merkle's verifier), refuses sizes before it, and
// PrefixRoot derives exactly the roots the frontier determines.
func TestLogFromFrontierMatchesWholeTree(t *testing.T) {
	const n = 21
	_, whole, _ := buildTree(t, n)
	for k := 1; k < n; k++ {
		f := &Frontier{}
		var leaves []Hash
		for i := range n {
			leaf, err := LeafHash(recordHash(i))
			if err != nil {
				t.Fatal(err)
			}
			if i < k {
				f.Append(leaf)
			} else {
				leaves = append(leaves, leaf)
			}
		}
		cut := NewLogFrom(f.Clone())
		for _, leaf := range leaves {
			if err := cut.Append(leaf); err != nil {
				t.Fatalf("cut %d: append: %v", k, err)
			}
		}
		for m := k; m <= n; m++ {
			got, err := cut.Root(uint64(m))
			want, _ := whole.Root(uint64(m))
			if err != nil || got != want {
				t.Fatalf("cut %d: root(%d) = %v, %v; want %v", k, m, got, err, want)
			}
			if m == n {
				continue
			}
			p, err := cut.ConsistencyProof(uint64(m), n)
			if err != nil {
				t.Fatalf("cut %d: consistency %d→%d: %v", k, m, n, err)
			}
			root, _ := whole.Root(n)
			if err := proof.VerifyConsistency(rfc6962.DefaultHasher, uint64(m), n, bytesOf(p), want[:], root[:]); err != nil {
				t.Fatalf("cut %d: reference verifier rejects consistency %d→%d: %v", k, m, n, err)
			}
		}
		if _, err := cut.Root(uint64(k - 1)); err == nil && k > 1 {
			t.Fatalf("cut %d: a root before the cut was computed", k)
		}
		if _, err := cut.ConsistencyProof(uint64(k-1), n); err == nil {
			t.Fatalf("cut %d: a proof from before the cut was made", k)
		}
		for m := 0; m <= k; m++ {
			got, ok := f.PrefixRoot(uint64(m))
			// Derivable exactly when m is k with its lowest bits cleared (the first subtrees).
			derivable := m == 0 || uint64(k)>>lowBit(m)<<lowBit(m) == uint64(m)
			want, _ := whole.Root(uint64(m))
			if ok != derivable || (ok && got != want) {
				t.Fatalf("cut %d: PrefixRoot(%d) = %v, %v; want derivable=%v root %v", k, m, got, ok, derivable, want)
			}
		}
	}
}

func lowBit(m int) uint {
	b := uint(0)
	for m&1 == 0 {
		m >>= 1
		b++
	}
	return b
}
