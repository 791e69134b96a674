package evidence

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.*")

// recordHash is a deterministic stand-in for record i's chain hash.
func recordHash(i int) string {
	sum := sha256.Sum256([]byte("record-" + strconv.Itoa(i)))
	return hex.EncodeToString(sum[:])
}

func buildTree(t testing.TB, n int) (*Frontier, *Log, [][]byte) {
	t.Helper()
	f, l := &Frontier{}, &Log{}
	raws := make([][]byte, n)
	for i := range n {
		leaf, err := LeafHash(recordHash(i))
		if err != nil {
			t.Fatal(err)
		}
		f.Append(leaf)
		if err := l.Append(leaf); err != nil {
			t.Fatal(err)
		}
		raws[i], _ = hex.DecodeString(recordHash(i))
	}
	return f, l, raws
}

// TestRootsMatchReference: at every size, the writer's frontier root, the in-memory log's root and
// transparency-dev/merkle's compact range root (an independent RFC 6962 implementation) agree, and
// a frontier that went through its manifest encoding resumes to the same roots.
func TestRootsMatchReference(t *testing.T) {
	rf := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	ref := rf.NewEmptyRange(0)
	f, l := &Frontier{}, &Log{}
	for i := range 300 {
		raw, _ := hex.DecodeString(recordHash(i))
		if err := ref.Append(rfc6962.DefaultHasher.HashLeaf(raw), nil); err != nil {
			t.Fatal(err)
		}
		leaf, _ := LeafHash(recordHash(i))
		f.Append(leaf)
		_ = l.Append(leaf)
		want, _ := ref.GetRootHash(nil)
		got := f.Root()
		if hex.EncodeToString(got[:]) != hex.EncodeToString(want) {
			t.Fatalf("size %d: frontier root %x, reference %x", i+1, got, want)
		}
		if lr, _ := l.Root(uint64(i + 1)); lr != got {
			t.Fatalf("size %d: log root %x, frontier %x", i+1, lr, got)
		}
		resumed, err := DecodeFrontier(f.Size, f.Encode())
		if err != nil || resumed.Root() != got {
			t.Fatalf("size %d: decoded frontier root %x (%v)", i+1, resumed.Root(), err)
		}
	}
	empty := (&Frontier{}).Root()
	if hex.EncodeToString(empty[:]) != hex.EncodeToString(rfc6962.DefaultHasher.EmptyRoot()) {
		t.Fatalf("empty root %x", empty)
	}
	if _, err := DecodeFrontier(5, []string{Hex(empty)}); err == nil {
		t.Fatal("a frontier of size 5 with one node was accepted")
	}
}

// TestProofsVerifyWithReference: our inclusion and consistency proofs verify with
// transparency-dev/merkle's verifiers, and a proof checked against the wrong leaf, index or root fails
// with both.
func TestProofsVerifyWithReference(t *testing.T) {
	_, l, raws := buildTree(t, 77)
	for _, size := range []uint64{1, 2, 7, 8, 33, 77} {
		root, _ := l.Root(size)
		for idx := range size {
			p, err := l.InclusionProof(idx, size)
			if err != nil {
				t.Fatal(err)
			}
			leaf := rfc6962.DefaultHasher.HashLeaf(raws[idx])
			if err := proof.VerifyInclusion(rfc6962.DefaultHasher, idx, size, leaf, bytesOf(p), root[:]); err != nil {
				t.Fatalf("reference rejects inclusion %d/%d: %v", idx, size, err)
			}
			var ours Hash
			copy(ours[:], leaf)
			if err := VerifyInclusion(p, idx, size, ours, root); err != nil {
				t.Fatalf("we reject inclusion %d/%d: %v", idx, size, err)
			}
			if size > 1 {
				other := rfc6962.DefaultHasher.HashLeaf(raws[(idx+1)%size])
				if proof.VerifyInclusion(rfc6962.DefaultHasher, idx, size, other, bytesOf(p), root[:]) == nil {
					t.Fatalf("reference accepts another leaf at %d/%d", idx, size)
				}
				copy(ours[:], other)
				if VerifyInclusion(p, idx, size, ours, root) == nil {
					t.Fatalf("we accept another leaf at %d/%d", idx, size)
				}
			}
		}
		for old := uint64(1); old <= size; old++ {
			oldRoot, _ := l.Root(old)
			p, err := l.ConsistencyProof(old, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyConsistency(rfc6962.DefaultHasher, old, size, bytesOf(p), oldRoot[:], root[:]); err != nil {
				t.Fatalf("reference rejects consistency %d→%d: %v", old, size, err)
			}
			if err := VerifyConsistency(p, old, oldRoot, size, root); err != nil {
				t.Fatalf("we reject consistency %d→%d: %v", old, size, err)
			}
			forged := oldRoot
			forged[0] ^= 1
			if old < size && VerifyConsistency(p, old, forged, size, root) == nil {
				t.Fatalf("we accept a rewritten prefix %d→%d", old, size)
			}
		}
	}
}

func bytesOf(hs []Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}

// goldenKey is a fixed test key (Ed25519 signatures are deterministic, so the golden file is stable).
func goldenKey() ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
}

// TestGoldenCheckpoint: the signed checkpoint of a fixed 10-leaf tree is byte-for-byte the golden
// file, opens with sumdb/note given only the verifier key, names the key after the fingerprint, and
// its root and a golden inclusion proof verify with transparency-dev/merkle.
func TestGoldenCheckpoint(t *testing.T) {
	f, l, raws := buildTree(t, 10)
	s, err := NewSigner(goldenKey())
	if err != nil {
		t.Fatal(err)
	}
	cp := Checkpoint{Origin: Origin("acme-audit/audit", "gw-1-traces"), Size: f.Size, Root: f.Root()}
	signed, err := Sign(cp, s)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := l.InclusionProof(3, 10)
	var proofText strings.Builder
	for _, h := range p {
		proofText.WriteString(Hex(h) + "\n")
	}
	checkGolden(t, "golden.checkpoint", signed)
	checkGolden(t, "golden.inclusion-3-10", []byte(proofText.String()))

	pub := goldenKey().Public().(ed25519.PublicKey)
	vkey, _ := VerifierKey(pub)
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		t.Fatalf("sumdb/note rejects our checkpoint: %v", err)
	}
	if n.Sigs[0].Name != "agentaudit-"+fingerprint(pub) {
		t.Fatalf("key name %q", n.Sigs[0].Name)
	}
	got, err := ParseBody(n.Text)
	if err != nil || got != cp {
		t.Fatalf("parsed %+v (%v), want %+v", got, err, cp)
	}
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, 3, 10, rfc6962.DefaultHasher.HashLeaf(raws[3]), bytesOf(p), got.Root[:]); err != nil {
		t.Fatalf("reference rejects the golden proof: %v", err)
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(got) {
		t.Fatalf("%s differs:\n got %q\nwant %q", name, got, want)
	}
}

// TestOpenRejectsForgeries: a checkpoint signed by another key, or edited after signing, is
// ErrSignature; one that is not a checkpoint at all is another error.
func TestOpenRejectsForgeries(t *testing.T) {
	s, _ := NewSigner(goldenKey())
	cp := Checkpoint{Origin: "x/s", Size: 3, Root: Hash{1}}
	signed, _ := Sign(cp, s)
	trusted, _ := Verifiers(goldenKey().Public().(ed25519.PublicKey))
	if got, err := Open(signed, trusted); err != nil || got != cp {
		t.Fatalf("open: %+v %v", got, err)
	}
	_, other, _ := ed25519.GenerateKey(nil)
	os2, _ := NewSigner(other)
	forged, _ := Sign(cp, os2)
	if _, err := Open(forged, trusted); !errors.Is(err, ErrSignature) {
		t.Fatalf("another key's checkpoint: %v", err)
	}
	edited := []byte(string(signed[:len("x/s\n")]) + "4" + string(signed[len("x/s\n")+1:]))
	if _, err := Open(edited, trusted); !errors.Is(err, ErrSignature) {
		t.Fatalf("edited checkpoint: %v", err)
	}
	if c, err := OpenUnverified(edited); err != nil || c.Size != 4 {
		t.Fatalf("unverified: %+v %v", c, err)
	}
	if _, err := ParseBody("x\n01\nAAAA\n"); err == nil {
		t.Fatal("size with a leading zero accepted")
	}
}
