package console

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

// The JSON API answers with exactly what `auditctl <command> --json` prints for the same store and
// query: JSON Lines for lists and records, the verify report as one JSON document.

func apiError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func apiReadFailed(w http.ResponseWriter, err error) {
	apiError(w, http.StatusServiceUnavailable, readFailure(err))
}

// readFailure says why a read failed, in words for the page and the API (never the store's own error,
// which may name record content).
func readFailure(err error) string {
	switch {
	case errors.Is(err, service.ErrNotLogged):
		return "the access log could not be written, so nothing is shown: every read must be logged"
	case errors.Is(err, service.ErrSigningKeyRequired):
		return "the store is signed and the console has no signing key (auditctl serve --signing-key): " +
			"a verification is logged, and an unsigned access record would fail the next verify --require-signature, " +
			"so nothing was verified or logged"
	}
	return "the store could not be read"
}

// lines writes rows as JSON Lines, or the read's error.
func lines[T any](w http.ResponseWriter, rows []T, err error) {
	if err != nil {
		apiReadFailed(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	_ = query.WriteJSONLines(w, rows)
}

func apiQuery(w http.ResponseWriter, r *http.Request) (store.Query, bool) {
	q, err := timeQuery(r.URL.Query())
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return q, false
	}
	return q, true
}

func (s *Server) apiSessions(w http.ResponseWriter, r *http.Request, u who) {
	q, ok := apiQuery(w, r)
	if !ok {
		return
	}
	q.UserID = r.URL.Query().Get("user")
	ss, err := s.svc.Sessions(r.Context(), actor(u, "api sessions"), q, nil)
	lines(w, ss, err)
}

func (s *Server) apiRecords(w http.ResponseWriter, r *http.Request, u who, user bool) {
	q, ok := apiQuery(w, r)
	if !ok {
		return
	}
	read := s.svc.Timeline
	q.SessionID = r.PathValue("id")
	command := "api session"
	if user {
		read, command = s.svc.User, "api user"
		q.SessionID, q.UserID = "", r.PathValue("id")
	}
	recs, err := read(r.Context(), actor(u, command), q, nil)
	if err != nil {
		apiReadFailed(w, err)
		return
	}
	if len(recs) == 0 {
		apiError(w, http.StatusNotFound, "no records matched")
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	_ = query.WriteRecordsJSONL(w, recs)
}

func (s *Server) apiSession(w http.ResponseWriter, r *http.Request, u who) {
	s.apiRecords(w, r, u, false)
}

func (s *Server) apiUser(w http.ResponseWriter, r *http.Request, u who) { s.apiRecords(w, r, u, true) }

// apiStats is `auditctl stats KIND --json`: ?kind=tools|errors|volume&by=hour|day.
func (s *Server) apiStats(w http.ResponseWriter, r *http.Request, u who) {
	q, ok := apiQuery(w, r)
	if !ok {
		return
	}
	v := r.URL.Query()
	q.UserID = v.Get("user")
	kind, by := v.Get("kind"), v.Get("by")
	if kind == "" {
		kind = "tools"
	}
	if by == "" {
		by = map[string]string{"errors": query.ByDay, "volume": query.ByHour}[kind]
	}
	if _, err := query.ParseBucket(by); err != nil && kind != "tools" {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx, a := r.Context(), actor(u, "api stats")
	switch kind {
	case "tools":
		rows, err := s.svc.ToolStats(ctx, a, q, nil)
		lines(w, rows, err)
	case "errors":
		rows, err := s.svc.ErrorStats(ctx, a, q, by, nil)
		lines(w, rows, err)
	case "volume":
		rows, err := s.svc.VolumeStats(ctx, a, q, by, query.DefaultSpikeFactor, nil)
		lines(w, rows, err)
	default:
		apiError(w, http.StatusBadRequest, "kind: want tools, errors or volume")
	}
}

func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request, u who) {
	if s.verifier == nil {
		apiError(w, http.StatusNotImplemented, "this store kind keeps no hash chain to verify")
		return
	}
	rep, err := s.svc.Verify(r.Context(), actor(u, "api verify"), s.verifier, trail.VerifyOptions{})
	if err != nil {
		apiReadFailed(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = rep.WriteJSON(w)
}

func (s *Server) apiAccessLog(w http.ResponseWriter, r *http.Request, u who) {
	q, ok := apiQuery(w, r)
	if !ok {
		return
	}
	entries, err := s.svc.AccessLog(r.Context(), actor(u, "api access-log"), q, r.URL.Query().Get("viewer"), nil)
	lines(w, entries, err)
}
