package agentauditexporter

import (
	"encoding/binary"
	"math/bits"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// keySet is a set of record keys of a fixed capacity: open addressing with linear probing and
// deletion by backward shift, so it never holds tombstones and never grows. The dedup window
// deletes one id for every id it adds; a Go map under that churn grew from 40 to 63 bytes per id
// (BenchmarkRecentRecords), and each look-up touched two or three cache lines where this touches
// one. Keys are hash output (NewRecordID's digits, KeyOf's SHA-256 of other ids), mixed once more
// here so that ids of any shape spread over the table.
type keySet struct {
	slots   []auditrecord.RecordKey // a power of two, at least twice the capacity
	shift   uint                    // 64 - log2(len(slots))
	hasZero bool                    // the all-zero key, which otherwise marks an empty slot
	n       int                     // keys held
}

// len is how many keys the set holds.
func (s *keySet) len() int { return s.n }

// newKeySet returns a set that holds up to capacity keys at a load of at most one half.
func newKeySet(capacity int) *keySet {
	s := &keySet{}
	s.reset(capacity)
	return s
}

// reset empties the set for up to capacity keys, keeping its table when that is large enough.
func (s *keySet) reset(capacity int) {
	n := 2 * max(capacity, 4)
	size := 1 << bits.Len(uint(n-1))
	if len(s.slots) < size {
		s.slots = make([]auditrecord.RecordKey, size)
		s.shift = uint(64 - bits.TrailingZeros(uint(size)))
	} else {
		clear(s.slots)
	}
	s.hasZero, s.n = false, 0
}

func (s *keySet) home(k auditrecord.RecordKey) int {
	return int((binary.LittleEndian.Uint64(k[:8]) * 0x9E3779B97F4A7C15) >> s.shift)
}

// find returns k's slot, or the empty slot where k would go.
func (s *keySet) find(k auditrecord.RecordKey) (int, bool) {
	mask := len(s.slots) - 1
	for i := s.home(k); ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return i, true
		case auditrecord.RecordKey{}:
			return i, false
		}
	}
}

func (s *keySet) has(k auditrecord.RecordKey) bool {
	if k == (auditrecord.RecordKey{}) {
		return s.hasZero
	}
	_, ok := s.find(k)
	return ok
}

// add inserts k and reports whether it was new. The caller keeps the set within its capacity.
func (s *keySet) add(k auditrecord.RecordKey) bool {
	if k == (auditrecord.RecordKey{}) {
		added := !s.hasZero
		if added {
			s.hasZero = true
			s.n++
		}
		return added
	}
	i, ok := s.find(k)
	if !ok {
		s.slots[i] = k
		s.n++
	}
	return !ok
}

// remove deletes k, moving back the keys after it that probed past its slot.
func (s *keySet) remove(k auditrecord.RecordKey) {
	if k == (auditrecord.RecordKey{}) {
		if s.hasZero {
			s.hasZero = false
			s.n--
		}
		return
	}
	hole, ok := s.find(k)
	if !ok {
		return
	}
	s.n--
	mask := len(s.slots) - 1
	for j := (hole + 1) & mask; s.slots[j] != (auditrecord.RecordKey{}); j = (j + 1) & mask {
		// The key at j stays when its home lies cyclically in (hole, j]: a look-up from there
		// reaches j without crossing the hole.
		h := s.home(s.slots[j])
		if (hole < j && hole < h && h <= j) || (hole > j && (hole < h || h <= j)) {
			continue
		}
		s.slots[hole] = s.slots[j]
		hole = j
	}
	s.slots[hole] = auditrecord.RecordKey{}
}
