package evidence

import (
	"context"
	"time"
)

// Policy says when a writer signs a checkpoint of a stream: each time it grew by EveryRecords, and
// when it grew at all and its last checkpoint is Interval old (0 disables either).
type Policy struct {
	EveryRecords uint64
	Interval     time.Duration
}

// Due reports whether a stream that grew by grown records since its last checkpoint, made age ago,
// needs one now; force (shutdown) wants one whenever it grew.
func (p Policy) Due(grown uint64, age time.Duration, force bool) bool {
	if grown == 0 {
		return false
	}
	return force || (p.EveryRecords > 0 && grown >= p.EveryRecords) || (p.Interval > 0 && age >= p.Interval)
}

// Ticker calls a function every interval until Stop: the interval checkpoints of streams that
// stopped growing (no write comes to check them).
type Ticker struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// StartTicker calls fn(ctx) every interval; ctx ends with Stop.
func StartTicker(interval time.Duration, fn func(context.Context)) *Ticker {
	ctx, cancel := context.WithCancel(context.Background())
	t := &Ticker{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(t.done)
		tk := time.NewTicker(interval)
		defer tk.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tk.C:
				fn(ctx)
			}
		}
	}()
	return t
}

// Stop ends the ticker and waits for a call in progress; a nil Ticker is stopped.
func (t *Ticker) Stop() {
	if t == nil {
		return
	}
	t.cancel()
	<-t.done
}
