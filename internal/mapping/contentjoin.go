package mapping

import (
	"crypto/sha256"
	"time"
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
	joinInput        contentKind = 'i' // role and text of an input
	joinError        contentKind = 'e' // type and message of an error
	joinToolArgs     contentKind = 'c' // a tool call's name and canonical parameters
	joinToolName     contentKind = 'n' // a tool call's name, remembered for every report of it
	joinToolBare     contentKind = 'b' // a tool call's name, of a report that gave no parameters
	reportTimeWindow             = 5 * time.Second
)

// window is when a report happened: a span's start to its end (plus reportTimeWindow, as an agent
// logs what a model call said after it returned), or an event's instant.
type window struct{ from, to time.Time }

func (w window) overlaps(o window) bool { return !w.from.After(o.to) && !o.from.After(w.to) }

func (u *unit) window() window {
	if u.signal == signalLogs {
		return window{u.start, u.endTime()} // a logged tool call with its duration spans it
	}
	return window{u.start, u.endTime().Add(reportTimeWindow)}
}

func instant(t time.Time) window { return window{t, t} }

func contentKey(traceID, signal string, kind contentKind, content string) string {
	sum := sha256.Sum256([]byte(content))
	return traceID + "\x00" + signal + string(kind) + string(sum[:16])
}

// rememberContent notes that u's signal recorded content of kind for u's trace during w.
func (c *joinCache) rememberContent(u *unit, kind contentKind, content string, w window) {
	if u.traceID == "" {
		return
	}
	key := contentKey(u.traceID, u.signal, kind, content)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, old := range c.contents[key] {
		if old == w {
			return
		}
	}
	if _, known := c.contents[key]; !known {
		c.add(key, func() {})
	}
	c.contents[key] = append(c.contents[key], w)
	close(c.changed)
	c.changed = make(chan struct{})
}

// recordedByOtherSignal reports whether the signal u is not of recorded content of kind for u's
// trace at a time overlapping w.
func (c *joinCache) recordedByOtherSignal(u *unit, kind contentKind, content string, w window) bool {
	if u.traceID == "" {
		return false
	}
	other := signalLogs
	if u.signal == signalLogs {
		other = signalTraces
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.overlapsLocked(contentKey(u.traceID, other, kind, content), w)
}

func (c *joinCache) overlapsLocked(key string, w window) bool {
	for _, old := range c.contents[key] {
		if old.overlaps(w) {
			return true
		}
	}
	return false
}

// widen extends w by d before it: an application logs the user's input before it calls the model.
func (w window) widen(d time.Duration) window { return window{w.from.Add(-d), w.to} }

// recordOnce reports whether u's report of content (kind) is to be recorded: not when the other
// signal recorded it for u's trace at a time overlapping w. A report to be recorded is remembered.
// Units without a trace id are always recorded: a session alone does not tell two turns apart.
func (c *joinCache) recordOnce(u *unit, kind contentKind, content string, w window) bool {
	if c.recordedByOtherSignal(u, kind, content, w) {
		return false
	}
	c.rememberContent(u, kind, content, w)
	return true
}

// recordToolOnce is recordOnce for a tool call (see toolRecordedByOtherSignal).
func (c *joinCache) recordToolOnce(u *unit, name string, args any, hasArgs bool, w window) bool {
	if name == "" {
		return true // an unnamed tool is no key: two of them may be anything
	}
	if c.toolRecordedByOtherSignal(u, name, args, hasArgs, w) {
		return false
	}
	if hasArgs {
		c.rememberContent(u, joinToolArgs, name+"\x00"+canonicalArgs(args), w)
	} else {
		c.rememberContent(u, joinToolBare, name, w)
	}
	c.rememberContent(u, joinToolName, name, w)
	return true
}

// toolRecordedByOtherSignal reports whether the other signal recorded the call of tool name for u's
// trace at a time overlapping w: the same tool with the same canonical parameters, or the same tool
// where one of the two reports gives no parameters (GenAI spans record arguments only when content
// capture is on).
func (c *joinCache) toolRecordedByOtherSignal(u *unit, name string, args any, hasArgs bool, w window) bool {
	if name == "" {
		return false
	}
	if hasArgs {
		return c.recordedByOtherSignal(u, joinToolArgs, name+"\x00"+canonicalArgs(args), w) || c.recordedByOtherSignal(u, joinToolBare, name, w)
	}
	return c.recordedByOtherSignal(u, joinToolName, name, w)
}

// canonicalArgs is parameters as compact JSON with sorted keys, whether they came as a value or as
// JSON text (a span's gen_ai.tool.call.arguments).
func canonicalArgs(v any) string {
	if s, ok := v.(string); ok {
		if j, ok := decodeJSON(s); ok {
			v = j
		}
	}
	return canonicalText(v)
}
