package agentauditexporter

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// The set agrees with a Go map through random adds and removes, with keys that share their first
// bytes (so they collide and the backward shift on removal is exercised) and the zero key.
func TestKeySetAgreesWithAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	key := func() auditrecord.RecordKey {
		var k auditrecord.RecordKey
		binary.LittleEndian.PutUint64(k[:8], uint64(rng.IntN(4))) // four homes only
		binary.LittleEndian.PutUint64(k[8:], uint64(rng.IntN(300)))
		return k
	}
	s := newKeySet(600)
	want := map[auditrecord.RecordKey]bool{}
	for range 200_000 {
		k := key()
		switch rng.IntN(3) {
		case 0:
			s.remove(k)
			delete(want, k)
		default:
			if len(want) < 600 {
				assert.Equal(t, !want[k], s.add(k))
				want[k] = true
			}
		}
		probe := key()
		require.Equal(t, want[probe], s.has(probe), "key %x", probe)
	}
	assert.Equal(t, len(want), s.len())
	for k := range want {
		assert.True(t, s.has(k))
	}
	s.reset(10)
	assert.Zero(t, s.len())
	assert.False(t, s.has(auditrecord.RecordKey{}))
}
