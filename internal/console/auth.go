package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net"
	"net/http"
	"sync"
	"time"
)

// Cookie names and lifetimes.
const (
	sessionCookie = "agentaudit_session"
	loginCookie   = "agentaudit_login" // the login form's CSRF token, before there is a session
	sessionTTL    = 8 * time.Hour
)

// Login rate limit: this many failed logins per client address within the window, then 429.
const (
	maxFailedLogins = 5
	loginWindow     = time.Minute
)

// login is a logged-in browser: its account name and the CSRF token its forms carry.
type login struct {
	name    string
	csrf    string
	expires time.Time
}

// logins are the browser sessions, in memory: a restart logs everyone out.
type logins struct {
	mu sync.Mutex
	m  map[string]*login
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (l *logins) start(name string) (token string, s *login) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	for t, s := range l.m { // drop expired sessions as new ones come
		if now.After(s.expires) {
			delete(l.m, t)
		}
	}
	token = newToken()
	s = &login{name: name, csrf: newToken(), expires: now.Add(sessionTTL)}
	l.m[token] = s
	return token, s
}

func (l *logins) get(token string) (*login, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.m[token]
	if !ok || time.Now().After(s.expires) {
		delete(l.m, token)
		return nil, false
	}
	return s, true
}

func (l *logins) end(token string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, token)
}

// limiter counts failed logins per client address.
type limiter struct {
	mu       sync.Mutex
	failures map[string][]time.Time
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// blocked reports whether addr failed too often within the window.
func (l *limiter) blocked(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	cut := time.Now().Add(-loginWindow)
	kept := l.failures[addr][:0]
	for _, t := range l.failures[addr] {
		if t.After(cut) {
			kept = append(kept, t)
		}
	}
	l.failures[addr] = kept
	return len(kept) >= maxFailedLogins
}

func (l *limiter) fail(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures[addr] = append(l.failures[addr], time.Now())
}

// sameToken compares tokens in constant time.
func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// who is the account a request acts as, with the CSRF token of its browser session ("" for API
// and trusted-header requests, which carry no cookie to forge).
type who struct {
	User
	csrf string
}

// identify finds the account of r: the trusted proxy header when configured, else the session
// cookie, else (API only) HTTP Basic auth.
func (s *Server) identify(r *http.Request, api bool) (who, bool) {
	if s.opts.TrustedHeader != "" {
		if name := r.Header.Get(s.opts.TrustedHeader); name != "" {
			u, ok := s.accounts.Lookup(name)
			return who{User: u}, ok
		}
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		if l, ok := s.logins.get(c.Value); ok {
			if u, ok := s.accounts.Lookup(l.name); ok { // a removed account is logged out at once
				return who{User: u, csrf: l.csrf}, true
			}
		}
	}
	if api {
		if name, pw, ok := r.BasicAuth(); ok && !s.limits.blocked(clientAddr(r)) {
			u, ok := s.accounts.Authenticate(name, pw)
			if !ok {
				s.limits.fail(clientAddr(r))
			}
			return who{User: u}, ok
		}
	}
	return who{}, false
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{ //nolint:gosec // G124: Secure follows TLS on purpose: a plain-HTTP console on 127.0.0.1 must still sign in
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.opts.TLS, SameSite: http.SameSiteStrictMode,
	})
}

// loginForm shows the login page with a fresh CSRF token (double submit: cookie and form field).
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request, status int, msg string) {
	token := newToken()
	s.setCookie(w, loginCookie, token, 600)
	s.render(w, r, status, "login", page{Title: "Sign in", CSRF: token, Message: msg, Next: safeNext(r.FormValue("next"))})
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if len(next) > 1 && next[0] == '/' && next[1] != '/' && next[1] != '\\' {
		return next
	}
	return "/sessions"
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	addr := clientAddr(r)
	if s.limits.blocked(addr) {
		s.loginForm(w, r, http.StatusTooManyRequests, "Too many failed sign-ins; wait a minute.")
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(c.Value, r.PostFormValue("csrf")) {
		s.loginForm(w, r, http.StatusForbidden, "The form expired; sign in again.")
		return
	}
	u, ok := s.accounts.Authenticate(r.PostFormValue("name"), r.PostFormValue("password"))
	if !ok {
		s.limits.fail(addr)
		s.loginForm(w, r, http.StatusUnauthorized, "Wrong name or password.")
		return
	}
	token, _ := s.logins.start(u.Name)
	s.setCookie(w, loginCookie, "", -1)
	s.setCookie(w, sessionCookie, token, int(sessionTTL/time.Second))
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther) //nolint:gosec // G710: safeNext keeps the target a path on this site
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, _ who) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.logins.end(c.Value)
	}
	s.setCookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
