// Package query answers auditctl's questions from any store.Reader: which sessions ran, what one
// session did in order, what a user's agents did, which tools fail, how errors and volume develop over
// time. Each answer is a slice of rows with a text table and a JSON Lines rendering.
package query

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseTime reads a time flag: RFC 3339 ("2026-11-01T10:00:00Z"), a UTC date ("2026-11-01"), or a time
// relative to now ("-7d", "7d", "24h", "-90m" — all meaning that long before now).
func ParseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if d, err := ParseAge(strings.TrimPrefix(s, "-")); err == nil {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time: use RFC 3339 (2026-11-01T10:00:00Z), a date (2026-11-01) or an age before now (-7d, 24h)", s)
}

// ParseAge reads a duration with the day unit added: "90d", "2w", "36h", "90m", "1h30m".
func ParseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for unit, d := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, unit); ok {
			v, err := strconv.ParseFloat(n, 64)
			if err != nil || v < 0 {
				return 0, fmt.Errorf("%q is not an age: use e.g. 90d, 2w, 36h", s)
			}
			return time.Duration(v * float64(d)), nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not an age: use e.g. 90d, 2w, 36h", s)
	}
	return d, nil
}
