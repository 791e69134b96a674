package query

import "github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"

// Distinct remembers which record ids were seen. OTLP delivery is at least once (an SDK resending
// after a lost response, a sidecar retrying, a queue replayed after a crash), and the file and S3
// stores keep every copy they are given; every reader counts a record id once. Each id costs a
// 16-byte key (auditrecord.RecordKey).
type Distinct struct {
	seen map[auditrecord.RecordKey]struct{}
	// Copies counts the records skipped because their id was already seen.
	Copies int
}

// NewDistinct returns an empty set.
func NewDistinct() *Distinct { return &Distinct{seen: map[auditrecord.RecordKey]struct{}{}} }

// First reports whether recordID is seen for the first time, and counts it as a copy otherwise.
// Records without an id are always first: there is nothing to tell their copies apart by.
func (d *Distinct) First(recordID string) bool {
	if recordID == "" {
		return true
	}
	k := auditrecord.KeyOf(recordID)
	if _, ok := d.seen[k]; ok {
		d.Copies++
		return false
	}
	d.seen[k] = struct{}{}
	return true
}
