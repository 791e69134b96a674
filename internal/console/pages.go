package console

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
)

// pageSize is the number of sessions a page lists.
const pageSize = 50

// page is what every template gets; Data is the page's own.
type page struct {
	Title   string
	User    who
	CSRF    string
	Message string
	Next    string
	Store   string
	Nav     string
	Data    any
}

func (s *Server) render(w http.ResponseWriter, _ *http.Request, status int, name string, p page) {
	if p.CSRF == "" {
		p.CSRF = p.User.csrf
	}
	p.Store = s.opts.Store
	var buf bytes.Buffer
	if err := s.tmpl[name].Execute(&buf, p); err != nil {
		http.Error(w, "could not render the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, u who, status int, msg string) {
	s.render(w, r, status, "error", page{Title: http.StatusText(status), User: u, Message: msg})
}

// readFailed shows a failed read: unlogged reads are refused, other errors are the store's.
func (s *Server) readFailed(w http.ResponseWriter, r *http.Request, u who, err error) {
	msg := readFailure(err)
	s.errorPage(w, r, u, http.StatusServiceUnavailable, strings.ToUpper(msg[:1])+msg[1:]+".")
}

// timeQuery reads from/to form values (RFC 3339, a date, or an age like -7d).
func timeQuery(v url.Values) (store.Query, error) {
	now := time.Now()
	from, err := query.ParseTime(v.Get("from"), now)
	if err != nil {
		return store.Query{}, fmt.Errorf("from: %w", err)
	}
	to, err := query.ParseTime(v.Get("to"), now)
	if err != nil {
		return store.Query{}, fmt.Errorf("to: %w", err)
	}
	return store.Query{From: from, To: to}, nil
}

// sessionsView is the Sessions page.
type sessionsView struct {
	Filter           url.Values
	Rows             []query.Session
	Total, Matching  int
	Page, Pages      int
	PrevURL, NextURL string
}

// sessionFilter is what the Sessions page narrows the read service's answer by (the user and time
// range go into the read itself).
type sessionFilter struct {
	agent, tool string
	errorsOnly  bool
}

// apply keeps the sessions f selects, newest first. It filters the cached answer, so paging through
// a filtered list does not scan the store again.
func (f sessionFilter) apply(all []query.Session) []query.Session {
	out := make([]query.Session, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		ss := &all[i]
		if (f.agent != "" && ss.Agent != f.agent) || (f.errorsOnly && ss.Errors == 0) || (f.tool != "" && !ss.UsedTool(f.tool)) {
			continue
		}
		out = append(out, *ss)
	}
	return out
}

func (s *Server) handleSessions(w http.ResponseWriter, r *http.Request, u who) {
	v := r.URL.Query()
	q, err := timeQuery(v)
	if err != nil {
		s.errorPage(w, r, u, http.StatusBadRequest, err.Error())
		return
	}
	q.UserID = v.Get("user")
	all, err := s.svc.Sessions(r.Context(), actor(u, "sessions"), q, nil)
	if err != nil {
		s.readFailed(w, r, u, err)
		return
	}
	rows := sessionFilter{agent: v.Get("agent"), tool: v.Get("tool"), errorsOnly: v.Get("errors") == "1"}.apply(all)
	view := sessionsView{Filter: v, Total: len(all), Matching: len(rows)}
	view.Pages = max(1, (len(rows)+pageSize-1)/pageSize)
	view.Page, _ = strconv.Atoi(v.Get("page"))
	view.Page = min(max(view.Page, 1), view.Pages)
	lo := (view.Page - 1) * pageSize
	view.Rows = rows[lo:min(lo+pageSize, len(rows))]
	link := func(p int) string {
		c := url.Values{}
		for k, vs := range v {
			c[k] = vs
		}
		c.Set("page", strconv.Itoa(p))
		return "/sessions?" + c.Encode()
	}
	if view.Page > 1 {
		view.PrevURL = link(view.Page - 1)
	}
	if view.Page < view.Pages {
		view.NextURL = link(view.Page + 1)
	}
	s.render(w, r, http.StatusOK, "sessions", page{Title: "Sessions", User: u, Nav: "sessions", Data: view})
}

// recordView is one timeline row; Detail is empty for roles that do not see content.
type recordView struct {
	Time, Type, Name, Status, Duration, Tokens, Cost string
	Detail                                           string
	Error                                            bool
	Badge, BadgeClass                                string
	Redactions                                       int
}

// sessionView is the Session page.
type sessionView struct {
	ID          string
	Summary     *query.Session
	Records     []recordView
	ContentSeen bool
	Redactions  map[string]int
	Chained     int
	Broken      int
}

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request, u who) {
	id := r.PathValue("id")
	recs, err := s.svc.Timeline(r.Context(), actor(u, "session"), store.Query{SessionID: id}, nil)
	if err != nil {
		s.readFailed(w, r, u, err)
		return
	}
	if len(recs) == 0 {
		s.errorPage(w, r, u, http.StatusNotFound, "No records of this session.")
		return
	}
	view := buildSession(id, recs, u.Role.SeesContent())
	s.render(w, r, http.StatusOK, "session", page{Title: "Session " + id, User: u, Nav: "sessions", Data: view})
}

func buildSession(id string, recs []*auditrecord.Record, content bool) sessionView {
	view := sessionView{ID: id, Summary: query.SummariseSession(recs), ContentSeen: content, Redactions: map[string]int{}}
	for _, rec := range recs {
		row := query.Row(rec)
		rv := recordView{
			Time: rec.Timestamp.UTC().Format("15:04:05.000"), Type: string(rec.Type), Name: row.Name, Status: row.Status,
			Duration: optMS(row.DurationMS), Tokens: optInt(row.Tokens), Cost: optCost(row.Cost),
			Error: rec.Type == auditrecord.TypeError || row.Status == "error",
		}
		for kind, n := range redactionKinds(row.Detail) {
			view.Redactions[kind] += n
			rv.Redactions += n
		}
		if content {
			rv.Detail = row.Detail
		}
		rv.Badge, rv.BadgeClass = badge(rec)
		switch rv.BadgeClass {
		case "ok":
			view.Chained++
		case "bad":
			view.Broken++
		}
		view.Records = append(view.Records, rv)
	}
	return view
}

func optMS(ms *float64) string {
	if ms == nil {
		return ""
	}
	return strconv.FormatFloat(*ms, 'f', 0, 64) + " ms"
}

func optInt(n *int64) string {
	if n == nil {
		return ""
	}
	return strconv.FormatInt(*n, 10)
}

func optCost(c *float64) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf("$%.4f", *c)
}

// redactionKinds counts the redaction markers in s by kind ("[REDACTED:EMAIL]" → EMAIL).
func redactionKinds(s string) map[string]int {
	out := map[string]int{}
	for _, m := range query.RedactionMarkers(s) {
		kind := strings.TrimPrefix(strings.Trim(m, "[]"), "REDACTED:")
		if i := strings.Index(kind, ":hmac:"); i >= 0 {
			kind = kind[:i] + " (pseudonym)"
		}
		out[kind]++
	}
	return out
}
