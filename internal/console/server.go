// Package console is the auditor's web console of `auditctl serve`: server-rendered pages
// (html/template, assets embedded, nothing fetched from elsewhere, no script at all) and a JSON API
// over one store. Every page and API answer reads through the access-logged read service
// (internal/readside/service), so each view is in the access log before it is shown. Agent text is
// attacker-controlled: the templates escape everything they print, and the Content-Security-Policy
// allows no script, so a prompt-injected <script> renders as text and runs nowhere.
package console

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/service"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the console.
type Options struct {
	// TLS marks the console as served over TLS (cookies get Secure).
	TLS bool
	// TrustedHeader, when set, names the header an authenticating proxy puts the account name in
	// (X-Forwarded-User behind an OIDC proxy); the account must be in the users file for its role.
	// Off by default: without such a proxy in front, anyone could send the header.
	TrustedHeader string
	// Log receives one line per request: method, route pattern, status, duration; never paths,
	// queries or record content (ids in paths may be user ids).
	Log io.Writer
	// Store names the store on the pages (without credentials).
	Store string
}

// Server is the console's HTTP handler.
type Server struct {
	svc      *service.Service
	verifier trail.Verifier // nil when the store kind keeps no chain
	accounts *Accounts
	opts     Options
	logins   *logins
	limits   *limiter
	tmpl     map[string]*template.Template
	mux      *http.ServeMux
}

// New builds the console over svc; verifier is the store's (nil if it has none).
func New(svc *service.Service, verifier trail.Verifier, accounts *Accounts, opts Options) (*Server, error) {
	s := &Server{
		svc: svc, verifier: verifier, accounts: accounts, opts: opts,
		logins: &logins{m: map[string]*login{}}, limits: &limiter{failures: map[string][]time.Time{}},
		mux: http.NewServeMux(),
	}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

func (s *Server) parseTemplates() error {
	s.tmpl = map[string]*template.Template{}
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	for _, p := range pages {
		name := p[len("templates/") : len(p)-len(".html")]
		if name == "layout" || name == "chart" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/chart.html", p)
		if err != nil {
			return fmt.Errorf("template %s: %w", p, err)
		}
		s.tmpl[name] = t
	}
	return nil
}

func (s *Server) routes() {
	static, _ := fs.Sub(staticFS, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) { s.loginForm(w, r, http.StatusOK, "") })
	s.mux.HandleFunc("POST /login", s.handleLogin)
	s.mux.HandleFunc("POST /logout", s.page(RoleViewer, s.handleLogout))
	s.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/sessions", http.StatusSeeOther) })
	s.mux.HandleFunc("GET /sessions", s.page(RoleViewer, s.handleSessions))
	s.mux.HandleFunc("GET /sessions/{id}", s.page(RoleViewer, s.handleSession))
	s.mux.HandleFunc("GET /stats", s.page(RoleViewer, s.handleStats))
	s.mux.HandleFunc("GET /users/{id}", s.page(RoleAuditor, s.handleUser))
	s.mux.HandleFunc("GET /users/{id}/export", s.page(RoleAuditor, s.handleExport))
	s.mux.HandleFunc("GET /integrity", s.page(RoleAuditor, s.handleIntegrity))
	s.mux.HandleFunc("GET /access-log", s.page(RoleAuditor, s.handleAccessLog))
	s.mux.HandleFunc("GET /api/v1/sessions", s.api(RoleViewer, s.apiSessions))
	s.mux.HandleFunc("GET /api/v1/sessions/{id}", s.api(RoleAuditor, s.apiSession))
	s.mux.HandleFunc("GET /api/v1/users/{id}", s.api(RoleAuditor, s.apiUser))
	s.mux.HandleFunc("GET /api/v1/stats", s.api(RoleViewer, s.apiStats))
	s.mux.HandleFunc("GET /api/v1/verify", s.api(RoleAuditor, s.apiVerify))
	s.mux.HandleFunc("GET /api/v1/access-log", s.api(RoleAuditor, s.apiAccessLog))
}

// csp allows this site's stylesheet and images and nothing else: no script of any origin, no
// framing, forms only to this site.
const csp = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// ServeHTTP sets the security headers on every answer and logs the request without its content.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	h.Set("Cache-Control", "no-store")
	if s.opts.TLS {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(sw, r)
	if s.opts.Log != nil {
		pattern := r.Pattern
		if pattern == "" {
			pattern = "(no route)"
		}
		_, _ = fmt.Fprintf(s.opts.Log, "console: %s %q %d %s\n", r.Method, pattern, sw.status, time.Since(start).Round(time.Millisecond))
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// allowed reports whether role may open what need guards.
func allowed(role, need Role) bool {
	return need == RoleViewer || role.SeesContent()
}

// page guards a page: no account redirects to the login page, a role below need gets 403, a POST
// without the session's CSRF token gets 403.
func (s *Server) page(need Role, h func(http.ResponseWriter, *http.Request, who)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.identify(r, false)
		if !ok {
			http.Redirect(w, r, "/login?next="+template.URLQueryEscaper(r.URL.Path), http.StatusSeeOther) //nolint:gosec // G710: a fixed path on this site; next is only read through safeNext
			return
		}
		if r.Method == http.MethodPost && u.csrf != "" && !sameToken(u.csrf, r.PostFormValue("csrf")) {
			s.errorPage(w, r, u, http.StatusForbidden, "This form expired or came from another site.")
			return
		}
		if !allowed(u.Role, need) {
			s.errorPage(w, r, u, http.StatusForbidden, fmt.Sprintf("Your role (%s) may not open this page; it needs %s.", u.Role, need))
			return
		}
		h(w, r, u)
	}
}

// api guards an API route: no account gets 401 with a Basic challenge, a role below need 403.
func (s *Server) api(need Role, h func(http.ResponseWriter, *http.Request, who)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.identify(r, true)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="agentaudit", charset="UTF-8"`)
			apiError(w, http.StatusUnauthorized, "authentication required")
			return
		}
		if !allowed(u.Role, need) {
			apiError(w, http.StatusForbidden, fmt.Sprintf("role %s may not read this; it needs %s", u.Role, need))
			return
		}
		h(w, r, u)
	}
}

// actor is who the read service logs for a request: the account, its role and the console page.
func actor(u who, command string) service.Actor {
	return service.Actor{Viewer: u.Name, Role: string(u.Role), Command: "console " + command}
}
