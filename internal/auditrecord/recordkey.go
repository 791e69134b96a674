package auditrecord

import "crypto/sha256"

// RecordKey is a record id in 16 bytes, for sets of ids that must stay small (readers counting each
// id once, the writer's window of recent ids). NewRecordID ids are 32 hex digits, so the key is the
// id itself; any other id is hashed.
type RecordKey [16]byte

// KeyOf returns the 16-byte key of a record id.
func KeyOf(recordID string) RecordKey {
	var k RecordKey
	if len(recordID) == 2*len(k) {
		ok := true
		for i := range k {
			hi, okHi := fromHex(recordID[2*i])
			lo, okLo := fromHex(recordID[2*i+1])
			ok = ok && okHi && okLo
			k[i] = hi<<4 | lo
		}
		if ok {
			return k
		}
	}
	sum := sha256.Sum256([]byte(recordID))
	copy(k[:], sum[:])
	return k
}

// fromHex decodes one lower- or upper-case hex digit (decoding in place saves the allocation
// hex.Decode's []byte argument would cost per id).
func fromHex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
