package mapping

import (
	"crypto/sha256"
	"encoding/json"
	"math"
	"sync"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
)

// The same answer or thought reported by both signals (a gen_ai.choice log beside the span's output
// messages, an agent.reasoning log beside the model's reasoning part) is one record; so are the user
// input, tool call and error an application logs (AgentLogger lines inside its spans) beside the
// spans and exception events an instrumentation reports for the same call (recordOnce). The Mapper
// remembers, per trace, what each signal recorded and when; a report of the other signal with the
// same content at an overlapping time is a copy. Only the other signal counts, so mapping a batch
// again (a resend) gives the same records; the time keeps two turns that say the same thing apart.

// contentKind says what a remembered content is.
type contentKind byte

const (
	joinOutput       contentKind = 'o'
	joinThought      contentKind = 't' // a model's reasoning part: the thought alone
	joinRichThought  contentKind = 'r' // an agent.reasoning report (plan, confidence)
	joinInput        contentKind = 'i' // text of a user input
	joinSystemInput  contentKind = 's' // text of system instructions
	joinError        contentKind = 'e' // type and message of an error
	joinToolArgs     contentKind = 'c' // a tool call's name and canonical parameters
	joinToolName     contentKind = 'n' // a tool call's name, remembered for every report of it
	joinToolBare     contentKind = 'b' // a tool call's name, of a report that gave no parameters
	reportTimeWindow             = 5 * time.Second
)

// window is when a report happened: a span's start to its end (plus reportTimeWindow, as an agent
// logs what a model call said after it returned), or an event's instant. Its ends are Unix
// nanoseconds (saturated past 1678..2262, which telemetry's uint64 nanoseconds cannot leave but a
// zero time.Time would): 16 bytes where two time.Times took 48, for each of the join cache's
// contents, about half its keys.
type window struct{ from, to int64 }

func (w window) overlaps(o window) bool { return w.from <= o.to && o.from <= w.to }

func (u *unit) window() window {
	if u.signal == signalLogs {
		return window{unixNanos(u.start), unixNanos(u.endTime())} // a logged tool call with its duration spans it
	}
	return window{unixNanos(u.start), unixNanos(u.endTime().Add(reportTimeWindow))}
}

func instant(t time.Time) window { return window{unixNanos(t), unixNanos(t)} }

var minNanosTime, maxNanosTime = time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)

// unixNanos is t in Unix nanoseconds, saturated where an int64 cannot hold it, so order is kept.
func unixNanos(t time.Time) int64 {
	switch {
	case t.Before(minNanosTime):
		return math.MinInt64
	case t.After(maxNanosTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

func contentKey(traceID, signal string, kind contentKind, content string) string {
	var buf [128]byte
	return string(appendContentKey(buf[:0], traceID, signal, kind, digestOf(content)))
}

// digestOf is the part of a content key that stands for the content. The content is copied into
// a pooled buffer: a conversion to []byte would allocate for any text longer than 32 bytes.
func digestOf(content string) [16]byte {
	buf := digestBufs.Get().(*[]byte)
	*buf = append((*buf)[:0], content...)
	sum := sha256.Sum256(*buf)
	if cap(*buf) <= maxDigestBuf {
		digestBufs.Put(buf)
	}
	return [16]byte(sum[:16])
}

// appendContentKey appends the key of a content to dst: the trace, the signal, the kind and the
// content's digest. Built in a caller's buffer, a key costs no allocation to look up.
func appendContentKey(dst []byte, traceID, signal string, kind contentKind, d [16]byte) []byte {
	return appendScopedKey(dst, joinScope{id: traceID}, signal, kind, d)
}

// joinScope is where reports are compared: a trace, or (session set) a session, where an
// application's logs without trace context meet the spans.
type joinScope struct {
	id      string
	session bool
}

func appendScopedKey(dst []byte, scope joinScope, signal string, kind contentKind, d [16]byte) []byte {
	if scope.session {
		dst = append(dst, 1) // no trace id starts so: a session named like one stays apart
	}
	dst = append(dst, scope.id...)
	dst = append(dst, 0)
	dst = append(dst, signal...)
	dst = append(dst, byte(kind))
	return append(dst, d[:]...)
}

func otherSignal(u *unit) string {
	if u.signal == signalLogs {
		return signalTraces
	}
	return signalLogs
}

// rememberContent notes that u's signal recorded content of kind for u's trace during w.
func (c *joinCache) rememberContent(u *unit, kind contentKind, content string, w window) {
	if u.traceID == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rememberLocked(u, joinScope{id: u.traceID}, kind, digestOf(content), w)
}

func (c *joinCache) rememberLocked(u *unit, scope joinScope, kind contentKind, d [16]byte, w window) {
	var buf [128]byte
	b := appendScopedKey(buf[:0], scope, u.signal, kind, d)
	key := joinKeyOfBytes(b)
	old, known := c.contents[key]
	for _, o := range old {
		if o == w {
			return
		}
	}
	if !known {
		c.add(key, inContents, func() {})
	}
	c.contents[key] = append(old, w)
	c.notifyLocked()
}

// recordedByOtherSignal reports whether the signal u is not of recorded content of kind for u's
// trace at a time overlapping w.
func (c *joinCache) recordedByOtherSignal(u *unit, kind contentKind, content string, w window) bool {
	if u.traceID == "" {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.otherRecordedLocked(u, joinScope{id: u.traceID}, kind, digestOf(content), w)
}

func (c *joinCache) otherRecordedLocked(u *unit, scope joinScope, kind contentKind, d [16]byte, w window) bool {
	var buf [128]byte
	for _, old := range c.contents[joinKeyOfBytes(appendScopedKey(buf[:0], scope, otherSignal(u), kind, d))] {
		if old.overlaps(w) {
			return true
		}
	}
	return false
}

func (c *joinCache) overlapsLocked(key string, w window) bool {
	for _, old := range c.contents[joinKeyOf(key)] {
		if old.overlaps(w) {
			return true
		}
	}
	return false
}

// widen extends w by d before it: an application logs the user's input before it calls the model.
func (w window) widen(d time.Duration) window {
	from := w.from - int64(d)
	if from > w.from { // past the earliest time
		from = math.MinInt64
	}
	return window{from, w.to}
}

// joinScopes are the scopes u's reports are compared in: its trace; and, for tool calls and
// errors (bySession), a span's session too, where the logs of an application that logs without
// trace context name it. An untraced log is compared in its session only then: a session alone
// does not tell two turns that say the same short text ("yes") apart, a tool's parameters or a
// failure's message at an overlapping time do. Without either a unit is always recorded.
func joinScopes(u *unit, bySession bool) (scopes [2]joinScope, n int) {
	if u.traceID != "" {
		scopes[n] = joinScope{id: u.traceID}
		n++
	}
	if sess := u.id.sessionID(); bySession && sess != "" && (u.traceID == "" || u.signal == signalTraces) {
		scopes[n] = joinScope{id: sess, session: true}
		n++
	}
	return scopes, n
}

// recordOnce reports whether u's report of content (kind) is to be recorded: not when the other
// signal recorded it in one of u's scopes (joinScopes) at a time overlapping w. A report to be
// recorded is remembered.
func (c *joinCache) recordOnce(u *unit, kind contentKind, content string, w window) bool {
	scopes, n := joinScopes(u, kind == joinError)
	if n == 0 {
		return true
	}
	d := digestOf(content)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, sc := range scopes[:n] {
		if c.otherRecordedLocked(u, sc, kind, d, w) {
			return false
		}
	}
	for _, sc := range scopes[:n] {
		c.rememberLocked(u, sc, kind, d, w)
	}
	return true
}

// recordToolOnce is recordOnce for a tool call (see toolRecordedByOtherSignal).
func (c *joinCache) recordToolOnce(u *unit, name string, args any, hasArgs bool, w window) bool {
	scopes, n := joinScopes(u, true)
	if name == "" || n == 0 {
		return true // an unnamed tool is no key: two of them may be anything
	}
	withArgs, bare := toolDigests(name, args, hasArgs)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.toolRecordedLocked(u, scopes[:n], withArgs, bare, hasArgs, w) {
		c.learnToolServiceLocked(u, name) // its spans will wait for its logged calls (toolwait.go)
		return false
	}
	for _, sc := range scopes[:n] {
		if hasArgs {
			c.rememberLocked(u, sc, joinToolArgs, withArgs, w)
		} else {
			c.rememberLocked(u, sc, joinToolBare, bare, w)
		}
		c.rememberLocked(u, sc, joinToolName, bare, w)
	}
	return true
}

// toolRecordedByOtherSignal reports whether the other signal recorded the call of tool name in
// one of u's scopes at a time overlapping w: the same tool with the same canonical parameters, or
// the same tool where one of the two reports gives no parameters (GenAI spans record arguments
// only when content capture is on).
func (c *joinCache) toolRecordedByOtherSignal(u *unit, name string, args any, hasArgs bool, w window) bool {
	scopes, n := joinScopes(u, true)
	if name == "" || n == 0 {
		return false
	}
	withArgs, bare := toolDigests(name, args, hasArgs)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.toolRecordedLocked(u, scopes[:n], withArgs, bare, hasArgs, w)
}

func (c *joinCache) toolRecordedLocked(u *unit, scopes []joinScope, withArgs, bare [16]byte, hasArgs bool, w window) bool {
	for _, sc := range scopes {
		if hasArgs && (c.otherRecordedLocked(u, sc, joinToolArgs, withArgs, w) || c.otherRecordedLocked(u, sc, joinToolBare, bare, w)) {
			return true
		}
		if !hasArgs && c.otherRecordedLocked(u, sc, joinToolName, bare, w) {
			return true
		}
	}
	return false
}

// digestBufs keep the buffers digests are computed in (digestOf, toolDigests): every content,
// tool call and failure is digested, on both signals.
var digestBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxDigestBuf bounds the buffers kept in digestBufs (bytes).
const maxDigestBuf = 64 << 10

// toolDigests are the digests of a tool call's name with its canonical parameters (compact JSON
// with sorted keys, whether they came as a value or as JSON text, such as a span's
// gen_ai.tool.call.arguments), and of its name.
func toolDigests(name string, args any, hasArgs bool) (withArgs, bare [16]byte) {
	if hasArgs {
		if s, ok := args.(string); ok {
			if j, ok := decodeJSON(s); ok {
				args = j
			}
		}
		// Map keys sorted, so both reports encode alike. The record encoder writes what
		// encoding/json does without HTML escaping, which tells the same values apart (the digests
		// never leave the process); what it refuses, such as nesting past its bound, goes the
		// reflective way.
		buf := digestBufs.Get().(*[]byte)
		b, err := auditrecord.AppendValue((*buf)[:0], args)
		if err != nil {
			if b, err = json.Marshal(args); err != nil {
				b = nil // a value JSON cannot hold: the name with empty parameters
			}
		}
		b = append(append(b, 0), name...)
		sum := sha256.Sum256(b)
		withArgs = [16]byte(sum[:16])
		if cap(b) <= maxDigestBuf {
			*buf = b[:0]
			digestBufs.Put(buf)
		}
	}
	return withArgs, digestOf(name)
}
