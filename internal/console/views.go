package console

import (
	"net/http"
	"sort"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/accesslog"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

// badge is a record's integrity as the Session page shows it: its hash recomputed by the chain rule
// every writer and verifier shares. The full check (links between records and objects, manifests,
// signatures) is the Integrity page.
func badge(r *auditrecord.Record) (label, class string) {
	if r.Integrity == nil {
		return "not chained", "none"
	}
	content, err := auditrecord.ContentHashInput(r)
	if err != nil || objectstore.LinkHash(r.Integrity.PrevHash, content) != r.Integrity.Hash {
		return "hash mismatch", "bad"
	}
	return "hash ok", "ok"
}

// userView is the User page: one user's sessions and records (a GDPR access request).
type userView struct {
	ID       string
	Sessions []*query.Session
	Records  int
}

func (s *Server) handleUser(w http.ResponseWriter, r *http.Request, u who) {
	id := r.PathValue("id")
	recs, err := s.svc.User(r.Context(), actor(u, "user"), store.Query{UserID: id}, nil)
	if err != nil {
		s.readFailed(w, r, u, err)
		return
	}
	bySession := map[string][]*auditrecord.Record{}
	var order []string
	for _, rec := range recs {
		if _, ok := bySession[rec.SessionID]; !ok {
			order = append(order, rec.SessionID)
		}
		bySession[rec.SessionID] = append(bySession[rec.SessionID], rec)
	}
	view := userView{ID: id, Records: len(recs)}
	for _, sid := range order {
		view.Sessions = append(view.Sessions, query.SummariseSession(bySession[sid]))
	}
	s.render(w, r, http.StatusOK, "user", page{Title: "User " + id, User: u, Nav: "sessions", Data: view})
}

// handleExport sends one user's records as JSON Lines, the form the stores keep.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request, u who) {
	id := r.PathValue("id")
	recs, err := s.svc.Export(r.Context(), actor(u, "export"), store.Query{UserID: id}, nil)
	if err != nil {
		s.readFailed(w, r, u, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Content-Disposition", `attachment; filename="agentaudit-user-export.jsonl"`)
	_ = query.WriteRecordsJSONL(w, recs)
}

// statsView is the Stats page: each statistic as a chart with its numbers beside it.
type statsView struct {
	Tools     []query.ToolStat
	ToolChart chart
	Errors    []query.ErrorBucket
	ErrChart  chart
	Volume    []query.VolumeBucket
	VolChart  chart
	Usage     []usageDay
	TokChart  chart
	CostChart chart
}

// usageDay is tokens and cost of the sessions that started on a day.
type usageDay struct {
	Day      string
	Sessions int
	Tokens   int64
	CostUSD  float64
}

func usageByDay(ss []query.Session) []usageDay {
	byDay := map[string]*usageDay{}
	for _, x := range ss {
		d := x.Start.UTC().Format(time.DateOnly)
		if byDay[d] == nil {
			byDay[d] = &usageDay{Day: d}
		}
		byDay[d].Sessions++
		byDay[d].Tokens += x.Tokens
		byDay[d].CostUSD += x.CostUSD
	}
	out := make([]usageDay, 0, len(byDay))
	for _, d := range byDay {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day < out[j].Day })
	return out
}

func (s *Server) handleStats(w http.ResponseWriter, r *http.Request, u who) {
	ctx, a := r.Context(), actor(u, "stats")
	q, err := timeQuery(r.URL.Query())
	if err != nil {
		s.errorPage(w, r, u, http.StatusBadRequest, err.Error())
		return
	}
	var v statsView
	if v.Tools, err = s.svc.ToolStats(ctx, a, q, nil); err == nil {
		if v.Errors, err = s.svc.ErrorStats(ctx, a, q, query.ByDay, nil); err == nil {
			if v.Volume, err = s.svc.VolumeStats(ctx, a, q, query.ByDay, query.DefaultSpikeFactor, nil); err == nil {
				var ss []query.Session
				ss, err = s.svc.Sessions(ctx, a, q, nil)
				v.Usage = usageByDay(ss)
			}
		}
	}
	if err != nil {
		s.readFailed(w, r, u, err)
		return
	}
	v.ToolChart = toolChart(v.Tools)
	v.ErrChart = errorChart(v.Errors)
	v.VolChart = volumeChart(v.Volume)
	v.TokChart, v.CostChart = usageCharts(v.Usage)
	s.render(w, r, http.StatusOK, "stats", page{Title: "Stats", User: u, Nav: "stats", Data: v})
}

// integrityView is the Integrity page.
type integrityView struct {
	Supported bool
	Report    trail.Report
	Failures  int
}

func (s *Server) handleIntegrity(w http.ResponseWriter, r *http.Request, u who) {
	view := integrityView{Supported: s.verifier != nil}
	if s.verifier != nil {
		rep, err := s.svc.Verify(r.Context(), actor(u, "integrity"), s.verifier, trail.VerifyOptions{})
		if err != nil {
			s.readFailed(w, r, u, err)
			return
		}
		view.Report, view.Failures = rep, rep.Failures()
	}
	s.render(w, r, http.StatusOK, "integrity", page{Title: "Integrity", User: u, Nav: "integrity", Data: view})
}

// accessView is the Access log page, newest first.
type accessView struct {
	Viewer  string
	Entries []accesslog.Entry
}

func (s *Server) handleAccessLog(w http.ResponseWriter, r *http.Request, u who) {
	v := r.URL.Query()
	q, err := timeQuery(v)
	if err != nil {
		s.errorPage(w, r, u, http.StatusBadRequest, err.Error())
		return
	}
	entries, err := s.svc.AccessLog(r.Context(), actor(u, "access-log"), q, v.Get("viewer"), nil)
	if err != nil {
		s.readFailed(w, r, u, err)
		return
	}
	for i, j := 0, len(entries)-1; i < j; i, j = i+1, j-1 {
		entries[i], entries[j] = entries[j], entries[i]
	}
	s.render(w, r, http.StatusOK, "access", page{Title: "Access log", User: u, Nav: "access", Data: accessView{Viewer: v.Get("viewer"), Entries: entries}})
}
