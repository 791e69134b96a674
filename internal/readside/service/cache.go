package service

import (
	"sync"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
)

// sessionsCache keeps recent Sessions answers for a while, so a console paging through 100k sessions
// scans the store once, not once per page. It caches the computation only: every read through the
// cache is still access-logged before it answers. Off (ttl 0) unless a face asks for it; auditctl
// always scans.
type sessionsCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	entries map[sessionsKey]cachedSessions
}

type sessionsKey struct {
	from, to int64
	user     string
}

type cachedSessions struct {
	at       time.Time
	sessions []query.Session
}

// CacheSessions makes Sessions reuse an answer to the same query for ttl: a session's newest records
// show up at most ttl late.
func (s *Service) CacheSessions(ttl time.Duration) {
	s.cache = &sessionsCache{ttl: ttl, entries: map[sessionsKey]cachedSessions{}}
}

// key is the cache key of q, false for queries the cache does not keep (type or trace filters).
func (c *sessionsCache) key(q store.Query) (sessionsKey, bool) {
	if c == nil || c.ttl <= 0 || len(q.Types) > 0 || len(q.TraceIDs) > 0 {
		return sessionsKey{}, false
	}
	return sessionsKey{from: q.From.UnixNano(), to: q.To.UnixNano(), user: q.UserID}, true
}

func (c *sessionsCache) get(k sessionsKey, now time.Time) ([]query.Session, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || now.Sub(e.at) >= c.ttl {
		delete(c.entries, k)
		return nil, false
	}
	return e.sessions, true
}

func (c *sessionsCache) put(k sessionsKey, now time.Time, ss []query.Session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for old, e := range c.entries { // expired answers go as new ones come
		if now.Sub(e.at) >= c.ttl {
			delete(c.entries, old)
		}
	}
	c.entries[k] = cachedSessions{at: now, sessions: ss}
}
