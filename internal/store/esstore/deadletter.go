package esstore

import (
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/deadletter"
)

// DeadLetter is one line of a dead-letter file: a document the engine rejected for good.
type DeadLetter = deadletter.Letter

// ReadDeadLetters reads every dead letter under dir (for tests and operators' tools).
func ReadDeadLetters(dir string) ([]DeadLetter, error) { return deadletter.Read(dir) }

func newDeadLetter(signal, index string, r *auditrecord.Record, o itemOutcome) DeadLetter {
	return DeadLetter{
		Time: time.Now().UTC(), Signal: signal, Index: index, RecordID: r.RecordID,
		Status: o.Status, ErrorType: o.ErrorType, Reason: o.Reason, Record: r,
	}
}
