package mapping

// Folding across batches. SDK batch processors and collector batchers may export a tool's failed
// span before the agent span it fails: the agent span then arrives in a later batch. The Mapper
// remembers, for traces with failures, each mapped span's parent and each recorded failure, so a
// later failed ancestor whose failure is the remembered one records nothing. The earlier error
// record is already written: its error.propagated_to cannot name the later span; the later span's
// own record (agent_run, llm_call) still says status error.

// failedSpan is a remembered span of a trace with failures: its parent, and the failures it recorded.
type failedSpan struct {
	traceID  string // the map's keys are hashes: foldIntoEarlier finds a trace's spans by this
	parentID string
	failures []exceptionFact // nil for a span that did not fail
}

// rememberFailures notes the spans of the batch's traces that recorded a failure.
func (c *joinCache) rememberFailures(units []*unit) {
	failedTraces := map[string]bool{}
	for _, u := range units {
		if u.signal == signalTraces && u.traceID != "" && u.recordsErrors() {
			failedTraces[u.traceID] = true
		}
	}
	if len(failedTraces) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, u := range units {
		if u.signal != signalTraces || !failedTraces[u.traceID] || u.spanID == "" {
			continue
		}
		key := joinKeyOf(u.traceID + "\x00s" + u.spanID)
		fs := failedSpan{traceID: u.traceID, parentID: u.parentID}
		if u.recordsErrors() && u.foldedInto == nil {
			fs.failures = u.failuresOf()
		}
		if _, known := c.spans[key]; !known {
			c.add(key, inSpans, func() { c.spans[key] = fs })
		}
	}
}

// foldIntoEarlier folds u (failed, not folded in its batch) into a failure recorded in an earlier
// batch by a descendant of u, when u's failure is that one.
func (c *joinCache) foldIntoEarlier(u *unit, bySpan map[spanKey]*unit) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.spans) == 0 {
		return false
	}
	for _, fs := range c.spans {
		if len(fs.failures) == 0 || fs.traceID != u.traceID {
			continue
		}
		if !c.isAncestorLocked(u, fs.parentID, bySpan) {
			continue
		}
		origin := &unit{exceptions: fs.failures}
		if propagates(u, origin) {
			u.foldedInto = origin
			return true
		}
	}
	return false
}

// isAncestorLocked walks up from parentID (remembered spans, then the batch's) looking for u.
func (c *joinCache) isAncestorLocked(u *unit, parentID string, bySpan map[spanKey]*unit) bool {
	for range 64 {
		switch parentID {
		case "":
			return false
		case u.spanID:
			return true
		}
		if fs, ok := c.spans[joinKeyOf(u.traceID+"\x00s"+parentID)]; ok {
			parentID = fs.parentID
		} else if p := bySpan[spanKey{u.traceID, parentID}]; p != nil {
			parentID = p.parentID
		} else {
			return false
		}
	}
	return false
}
