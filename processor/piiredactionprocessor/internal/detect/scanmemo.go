package detect

import (
	"hash/maphash"
	"sync"
)

// Agent telemetry says the same text many times. A GenAI span carries a tool call's arguments
// and result as attributes and again inside gen_ai.input.messages; every LLM call of a session
// resends the whole conversation so far, so the k-th call's span repeats the k-1 messages the
// spans before it carried. Scanning a text is a pure function of the text, the engine's
// configuration and whether the name grammars run, so the engine remembers what it found in the
// texts it scanned last and answers a repeat from that: a session's history is scanned once
// instead of once per call.
//
// The memo holds no text. A slot keeps two keyed 64-bit hashes of the text (independent random
// seeds, drawn per process: nobody can aim a collision at them, and a false hit needs both
// halves of a 128-bit hash to agree), its length and the findings as offsets and types. A text
// with more findings than a slot holds is scanned every time.
const (
	scanMemoBits   = 11
	scanMemoSlots  = 1 << scanMemoBits
	scanMemoMin    = 32      // shorter texts scan faster than they hash and lock
	scanMemoMax    = 1 << 24 // offsets are stored as int32; such texts are rare and not repeated
	scanMemoFinds  = 4
	scanMemoShards = 64
)

type memoFinding struct {
	start, end int32
	typ        Type
}

type scanMemoSlot struct {
	h1, h2 uint64
	n      int32 // the text's length; 0 marks an empty slot
	names  bool
	count  uint8
	finds  [scanMemoFinds]memoFinding
}

// scanMemo is a direct-mapped table of recent scans shared by the engine's goroutines. A new
// scan replaces its slot, so the memo follows the traffic: a conversation's messages stay in it
// while the session is active. Slots are guarded by striped locks (an uncontended lock is a few
// instructions against the thousands a scan of one message costs).
type scanMemo struct {
	seed1, seed2 maphash.Seed
	mu           [scanMemoShards]sync.Mutex
	slots        [scanMemoSlots]scanMemoSlot
}

func newScanMemo() *scanMemo {
	return &scanMemo{seed1: maphash.MakeSeed(), seed2: maphash.MakeSeed()}
}

// memoable reports whether scans of s go through the memo. Tests that trace the keep reasons
// or count the grammars' work see every scan run.
func memoable(m *scanMemo, s string) bool {
	return m != nil && len(s) >= scanMemoMin && len(s) <= scanMemoMax && keepTrace == nil && workCounter == nil
}

func (m *scanMemo) key(s string) (slot int, h1, h2 uint64) {
	h1 = maphash.String(m.seed1, s)
	h2 = maphash.String(m.seed2, s)
	return int(h1 & (scanMemoSlots - 1)), h1, h2
}

// lookup appends the remembered findings of s to dst; ok false means s must be scanned.
func (m *scanMemo) lookup(slot int, h1, h2 uint64, s string, names bool, dst []Finding) ([]Finding, bool) {
	mu := &m.mu[slot%scanMemoShards]
	mu.Lock()
	e := m.slots[slot] // a copy: the slot may be replaced once the lock is released
	mu.Unlock()
	if e.n != int32(len(s)) || e.h1 != h1 || e.h2 != h2 || e.names != names {
		return dst, false
	}
	for _, f := range e.finds[:e.count] {
		dst = append(dst, Finding{Start: int(f.start), End: int(f.end), Type: f.typ})
	}
	return dst, true
}

// store remembers fs, the findings of s, unless there are too many for a slot.
func (m *scanMemo) store(slot int, h1, h2 uint64, s string, names bool, fs []Finding) {
	if len(fs) > scanMemoFinds {
		return
	}
	e := scanMemoSlot{h1: h1, h2: h2, n: int32(len(s)), names: names, count: uint8(len(fs))}
	for i, f := range fs {
		e.finds[i] = memoFinding{start: int32(f.Start), end: int32(f.End), typ: f.Type}
	}
	mu := &m.mu[slot%scanMemoShards]
	mu.Lock()
	m.slots[slot] = e
	mu.Unlock()
}
