package spoolstorageextension

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"

	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// On disk a log is the 8-byte fileMagic followed by records. A record is
// [4-byte little-endian payload length][4-byte CRC-32C of the payload][payload], and a payload is
// a sequence of ops: [1 byte opSet|opDelete][uvarint key length][key] and, for opSet,
// [uvarint value length][value]. One record holds one Batch's writes, so a batch is all or nothing.
const (
	opSet    byte = 1
	opDelete byte = 2

	recordHeaderSize = 8
)

// fileMagic starts every log, so a file that is not one (a file_storage bbolt file, say) is never
// mistaken for a torn log and truncated.
var fileMagic = []byte("AASPOOL1")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var errCorruptPayload = errors.New("malformed record payload")

// encodeRecord encodes the Set and Delete ops of a batch as one record into buf (reused, grown as
// needed). valueAt[i] is where op i's value starts within the record (Set ops only). A batch
// without writes gives an empty record.
func encodeRecord(buf []byte, ops []*storage.Operation) (record []byte, valueAt []int, err error) {
	size := recordHeaderSize
	for _, op := range ops {
		size += 1 + 2*binary.MaxVarintLen64 + len(op.Key) + len(op.Value)
	}
	buf = append(slices.Grow(buf[:0], size), make([]byte, recordHeaderSize)...)
	valueAt = make([]int, len(ops))
	writes := 0
	for i, op := range ops {
		switch op.Type {
		case storage.Get:
			continue
		case storage.Set:
			buf = append(buf, opSet)
			buf = binary.AppendUvarint(buf, uint64(len(op.Key)))
			buf = append(buf, op.Key...)
			buf = binary.AppendUvarint(buf, uint64(len(op.Value)))
			valueAt[i] = len(buf)
			buf = append(buf, op.Value...)
		case storage.Delete:
			buf = append(buf, opDelete)
			buf = binary.AppendUvarint(buf, uint64(len(op.Key)))
			buf = append(buf, op.Key...)
		default:
			return buf, nil, fmt.Errorf("wrong operation type %d", op.Type)
		}
		writes++
	}
	if writes == 0 {
		return buf[:0], valueAt, nil
	}
	payload := buf[recordHeaderSize:]
	if uint64(len(payload)) > math.MaxUint32 {
		return buf, nil, fmt.Errorf("batch of %d bytes exceeds the 4 GiB record limit", len(payload))
	}
	binary.LittleEndian.PutUint32(buf[0:4], uint32(len(payload)))
	binary.LittleEndian.PutUint32(buf[4:8], crc32.Checksum(payload, castagnoli))
	return buf, valueAt, nil
}

// decodedOp is one write of a stored record; valueAt is relative to the payload's start.
type decodedOp struct {
	op       byte
	key      string
	valueAt  int64
	valueLen int64
}

// decodePayload parses a whole payload (whose CRC was already checked) before anything is applied,
// so a record is either applied entirely or not at all.
func decodePayload(payload []byte, ops []decodedOp) ([]decodedOp, error) {
	ops = ops[:0]
	pos := 0
	readLen := func() (int, bool) {
		n, size := binary.Uvarint(payload[pos:])
		if size <= 0 || n > uint64(len(payload)-pos-size) {
			return 0, false
		}
		pos += size
		return int(n), true
	}
	for pos < len(payload) {
		op := payload[pos]
		pos++
		if op != opSet && op != opDelete {
			return nil, errCorruptPayload
		}
		keyLen, ok := readLen()
		if !ok {
			return nil, errCorruptPayload
		}
		d := decodedOp{op: op, key: string(payload[pos : pos+keyLen])}
		pos += keyLen
		if op == opSet {
			valueLen, ok := readLen()
			if !ok {
				return nil, errCorruptPayload
			}
			d.valueAt, d.valueLen = int64(pos), int64(valueLen)
			pos += valueLen
		}
		ops = append(ops, d)
	}
	return ops, nil
}

// entrySize is what a live key/value takes in a compacted log (the op's encoding, without the
// record header it shares with others).
func entrySize(key string, valueLen int64) int64 {
	return 1 + int64(uvarintLen(uint64(len(key)))) + int64(len(key)) + int64(uvarintLen(uint64(valueLen))) + valueLen
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}
