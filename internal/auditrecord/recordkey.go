package auditrecord

import (
	"crypto/sha256"
	"encoding/hex"
)

// RecordKey is a record id in 16 bytes, for sets of ids that must stay small (readers counting each
// id once, the writer's window of recent ids). NewRecordID ids are 32 hex digits, so the key is the
// id itself; any other id is hashed.
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
