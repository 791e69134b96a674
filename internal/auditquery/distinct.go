package auditquery

import (
	"crypto/sha256"
	"encoding/hex"
)

// RecordKey is a record id reduced to 16 bytes: record ids are 32 hex digits (128 bits), so this is
// the id itself; anything else is hashed. A set of keys costs far less than a set of id strings.
type RecordKey [16]byte

// KeyOf returns the 16-byte key of a record id.
func KeyOf(recordID string) RecordKey {
	var k RecordKey
	if len(recordID) == 2*len(k) {
		if _, err := hex.Decode(k[:], []byte(recordID)); err == nil {
			return k
		}
	}
	sum := sha256.Sum256([]byte(recordID))
	copy(k[:], sum[:])
	return k
}

// Distinct remembers which record ids were seen. OTLP delivery is at least once (an SDK resending
// after a lost response, a sidecar retrying, a queue replayed after a crash), and the file and S3
// stores keep every copy they are given; every reader counts a record id once.
type Distinct struct {
	seen map[RecordKey]struct{}
	// Copies counts the records skipped because their id was already seen.
	Copies int
}

// NewDistinct returns an empty set.
func NewDistinct() *Distinct { return &Distinct{seen: map[RecordKey]struct{}{}} }

// First reports whether recordID is seen for the first time, and counts it as a copy otherwise.
// Records without an id are always first: there is nothing to tell their copies apart by.
func (d *Distinct) First(recordID string) bool {
	if recordID == "" {
		return true
	}
	k := KeyOf(recordID)
	if _, ok := d.seen[k]; ok {
		d.Copies++
		return false
	}
	d.seen[k] = struct{}{}
	return true
}
