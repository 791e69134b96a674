package evidence

import (
	"testing"
)

// BenchmarkFrontierAppend is what the writer adds per record: one leaf hash and the frontier merge.
func BenchmarkFrontierAppend(b *testing.B) {
	leaf, _ := LeafHash(recordHash(1))
	f := &Frontier{}
	b.ReportAllocs()
	for b.Loop() {
		f.Append(leaf)
	}
}

// BenchmarkLeafHashAndAppend adds the hex decoding and the RFC 6962 leaf hash of the record hash.
func BenchmarkLeafHashAndAppend(b *testing.B) {
	h := recordHash(1)
	f := &Frontier{}
	b.ReportAllocs()
	for b.Loop() {
		leaf, _ := LeafHash(h)
		f.Append(leaf)
	}
}

// BenchmarkInclusionProofs1000 proves 1,000 records spread over a 1M-leaf stream (one op = 1,000 proofs).
func BenchmarkInclusionProofs1000(b *testing.B) {
	const size = 1 << 20
	_, l, _ := buildTree(b, size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := range uint64(1000) {
			if _, err := l.InclusionProof(i*(size/1000), size); err != nil {
				b.Fatal(err)
			}
		}
	}
}
