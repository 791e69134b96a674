// Package service is the one read service every face that shows records to a person goes through
// (auditctl's commands, the web console and its JSON API, exports). Each read computes its answer,
// then writes an access record (who, in which role, with which command, what was asked and how many
// records it covered) to the store's access log, and only then returns the answer: a read whose
// access cannot be logged returns nothing but ErrNotLogged. Rendering (terminal tables, HTML, JSON)
// stays with the faces.
package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/accesslog"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

// Store is what the service reads from and writes its access records to (registry.Handle is one).
type Store interface {
	store.Reader
	accesslog.Writer
}

// Actor is who reads: the viewer's name, their role and the face and command they read with
// ("sessions" for auditctl sessions, "console session" for the console's session page).
type Actor struct {
	Viewer  string
	Role    string
	Command string
}

// RoleOperator is auditctl's role: whoever holds the store's credentials.
const RoleOperator = "operator"

// ErrNotLogged marks a read whose access record could not be written; its answer was withheld.
var ErrNotLogged = errors.New("the read could not be logged, so nothing is shown")

// ErrSigningKeyRequired marks a verification of a signed store by a face that would write its access
// record unsigned: that record would be the one unsigned manifest the next `verify
// --require-signature` fails on, so the read is refused (nothing logged, nothing shown) until the face
// is given the store's signing key.
var ErrSigningKeyRequired = errors.New("the store's manifests are signed, so the access record of this verification must be " +
	"signed too (an unsigned one would fail the next verify --require-signature); pass the collector's signing key (--signing-key)")

// Service reads one store for every face.
type Service struct {
	st    Store
	now   func() time.Time
	cache *sessionsCache // nil: no caching
	// signed: the store signs the manifests of the access records this service writes.
	signed bool
}

// New returns the read service of st; now stamps the access records (nil: time.Now).
func New(st Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, now: now}
}

// SignsAccess tells the service that st signs the manifests of the access records it writes (the face
// opened it with a signing key); Verify refuses a signed store otherwise.
func (s *Service) SignsAccess(signed bool) { s.signed = signed }

// Store is the store read; faces use it for capabilities (Verifier, Refresher), never to read records.
func (s *Service) Store() Store { return s.st }

// read is the one gate: compute the answer, log the access with the number of records it covers,
// then hand the answer out. A compute error is returned as it is (nothing read, nothing logged).
func read[T any](ctx context.Context, s *Service, a Actor, target string, compute func() (T, int, error)) (T, error) {
	var zero T
	v, n, err := compute()
	if err != nil {
		return zero, err
	}
	if err := s.Log(ctx, a, target, n); err != nil {
		return zero, err
	}
	return v, nil
}

// Log writes the access record of a read of n records about target; its error matches
// ErrNotLogged. The reads above call it; a face calls it itself only for an answer the service does
// not compute (an erasure's dry run, which lists what it would erase), before showing it.
func (s *Service) Log(ctx context.Context, a Actor, target string, n int) error {
	rec := accesslog.NewRecord(a.Viewer, a.Command, target, n, s.now())
	rec.Access.Role = a.Role
	if err := accesslog.Append(ctx, s.st, rec); err != nil {
		return notLogged{err}
	}
	return nil
}

// notLogged keeps the access-log write's message and matches ErrNotLogged.
type notLogged struct{ err error }

func (e notLogged) Error() string        { return e.err.Error() }
func (e notLogged) Unwrap() error        { return e.err }
func (e notLogged) Is(target error) bool { return target == ErrNotLogged }

// Sessions lists the sessions with records matching q (query.Sessions).
func (s *Service) Sessions(ctx context.Context, a Actor, q store.Query, p *query.Progress) ([]query.Session, error) {
	target := "sessions"
	if q.UserID != "" {
		target += " of user " + q.UserID
	}
	return read(ctx, s, a, target+RangeLabel(q), func() ([]query.Session, int, error) {
		key, cacheable := s.cache.key(q)
		ss, hit := []query.Session(nil), false
		if cacheable {
			ss, hit = s.cache.get(key, time.Now())
		}
		var err error
		if !hit {
			ss, err = query.Sessions(ctx, s.st, q, p)
			if err == nil && cacheable {
				s.cache.put(key, time.Now(), ss)
			}
		}
		n := 0
		for _, x := range ss {
			n += x.Records
		}
		return ss, n, err
	})
}

// Timeline is one session's records in order (q.SessionID).
func (s *Service) Timeline(ctx context.Context, a Actor, q store.Query, p *query.Progress) ([]*auditrecord.Record, error) {
	return s.records(ctx, a, "session "+q.SessionID+RangeLabel(q), q, p)
}

// User is one user's records across sessions (q.UserID): a GDPR access request.
func (s *Service) User(ctx context.Context, a Actor, q store.Query, p *query.Progress) ([]*auditrecord.Record, error) {
	return s.records(ctx, a, "user "+q.UserID+RangeLabel(q), q, p)
}

// Report is one session's records for a report (q.SessionID).
func (s *Service) Report(ctx context.Context, a Actor, q store.Query, p *query.Progress) ([]*auditrecord.Record, error) {
	return s.records(ctx, a, "report of session "+q.SessionID, q, p)
}

// Export is one user's records for an export (q.UserID).
func (s *Service) Export(ctx context.Context, a Actor, q store.Query, p *query.Progress) ([]*auditrecord.Record, error) {
	return s.records(ctx, a, "export of user "+q.UserID+RangeLabel(q), q, p)
}

func (s *Service) records(ctx context.Context, a Actor, target string, q store.Query, p *query.Progress) ([]*auditrecord.Record, error) {
	return read(ctx, s, a, target, func() ([]*auditrecord.Record, int, error) {
		recs, err := query.Records(ctx, s.st, q, p)
		return recs, len(recs), err
	})
}

// Verify runs v, the store's verifier (the caller asks the store for the capability first); the
// access record counts the records checked and names the findings. A signed store is verified only
// by a service whose access records are signed (ErrSigningKeyRequired), so that verifying never
// leaves behind the unsigned manifest a later verification would report.
func (s *Service) Verify(ctx context.Context, a Actor, v trail.Verifier, opts trail.VerifyOptions) (trail.Report, error) {
	// Not through read: the target names the findings, known only once the verification ran.
	rep, err := v.Verify(ctx, opts)
	if err != nil {
		return trail.Report{}, err
	}
	if !s.signed && signedStore(&rep) {
		return trail.Report{}, ErrSigningKeyRequired
	}
	target := fmt.Sprintf("verify: %d findings, %d failures", len(rep.Findings), rep.Failures())
	if err := s.Log(ctx, a, target, rep.Counts.Records); err != nil {
		return trail.Report{}, err
	}
	return rep, nil
}

// signedStore reports whether any manifest the verification saw carries a signature, good or bad.
func signedStore(rep *trail.Report) bool {
	for _, k := range rep.Keys {
		if k.Manifests > 0 {
			return true
		}
	}
	for _, f := range rep.Findings {
		if f.Kind == trail.BadSignature {
			return true
		}
	}
	return false
}

// AccessLog lists who read the trail (only viewer's reads when viewer is set), oldest first.
func (s *Service) AccessLog(ctx context.Context, a Actor, q store.Query, viewer string, p *query.Progress) ([]accesslog.Entry, error) {
	return read(ctx, s, a, "access log"+RangeLabel(q), func() ([]accesslog.Entry, int, error) {
		if r, ok := s.st.(trail.Refresher); ok {
			// Reads logged a moment ago must be listed, not wait for the engine's periodic refresh.
			if err := r.Refresh(ctx); err != nil {
				return nil, 0, err
			}
		}
		recs, err := accesslog.List(ctx, s.st, q, p)
		entries := accesslog.Entries(recs)
		if viewer != "" {
			kept := entries[:0]
			for _, e := range entries {
				if e.Viewer == viewer {
					kept = append(kept, e)
				}
			}
			entries = kept
		}
		return entries, len(entries), err
	})
}

// RangeLabel describes the time range of q for the access log.
func RangeLabel(q store.Query) string {
	switch {
	case q.From.IsZero() && q.To.IsZero():
		return ""
	case q.To.IsZero():
		return " since " + q.From.Format(time.RFC3339)
	case q.From.IsZero():
		return " before " + q.To.Format(time.RFC3339)
	}
	return " " + q.From.Format(time.RFC3339) + ".." + q.To.Format(time.RFC3339)
}
