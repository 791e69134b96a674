// Package hold keeps legal holds on the object stores: signed markers, one per hold, naming a
// session, a user or a time range whose records must survive erasure and retention (GDPR Art.
// 17(3)(e): data needed for legal claims). A hold is active until a validly signed release; an
// unsigned or forged marker can only make more records survive, never fewer.
package hold

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Hold is one legal hold marker, stored as canonical JSON at Key(prefix, ID).
type Hold struct {
	Kind      string    `json:"kind"` // "legal_hold"
	ID        string    `json:"id"`
	SessionID string    `json:"session_id,omitempty"`
	UserID    string    `json:"user_id,omitempty"`
	From      time.Time `json:"from,omitzero"`
	To        time.Time `json:"to,omitzero"`
	Reason    string    `json:"reason"`
	By        string    `json:"by"`
	CreatedAt time.Time `json:"created_at"`
	// ReleasedAt/ReleasedBy end the hold; honoured only when the marker's signature verifies.
	ReleasedAt     *time.Time `json:"released_at,omitempty"`
	ReleasedBy     string     `json:"released_by,omitempty"`
	KeyFingerprint string     `json:"key_fingerprint,omitempty"`
	Signature      string     `json:"signature,omitempty"`
}

// Kind marks a hold marker.
const Kind = "legal_hold"

// Prefix is where holds live below the store prefix.
func Prefix(l objectstore.Layout) string { return path.Join(l.Prefix, "_holds") + "/" }

// Key names a hold's marker.
func Key(l objectstore.Layout, id string) string { return Prefix(l) + id + ".json" }

// New returns a hold of the selection, not yet stored.
func New(sessionID, userID string, from, to time.Time, reason, by string, now time.Time) (Hold, error) {
	if sessionID == "" && userID == "" && from.IsZero() && to.IsZero() {
		return Hold{}, errors.New("a hold needs a session, a user or a time range")
	}
	nonce := make([]byte, 4)
	_, _ = rand.Read(nonce)
	return Hold{
		Kind: Kind, ID: "hold-" + now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(nonce),
		SessionID: sessionID, UserID: userID, From: from.UTC(), To: to.UTC(), Reason: reason, By: by, CreatedAt: now.UTC(),
	}, nil
}

// Matches reports whether the hold covers r (every condition it names holds).
func (h Hold) Matches(r *auditrecord.Record) bool {
	switch {
	case h.SessionID != "" && r.SessionID != h.SessionID:
		return false
	case h.UserID != "" && r.UserID != h.UserID:
		return false
	case !h.From.IsZero() && r.Timestamp.Before(h.From):
		return false
	case !h.To.IsZero() && !r.Timestamp.Before(h.To):
		return false
	}
	return true
}

// Describe is the hold's selection for people.
func (h Hold) Describe() string {
	s := ""
	if h.SessionID != "" {
		s += " session " + h.SessionID
	}
	if h.UserID != "" {
		s += " user " + h.UserID
	}
	if !h.From.IsZero() || !h.To.IsZero() {
		s += fmt.Sprintf(" time %s..%s", fmtTime(h.From), fmtTime(h.To))
	}
	return s[1:]
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// Put signs (when signer is set) and stores h.
func Put(ctx context.Context, b objectstore.Backend, l objectstore.Layout, h Hold, signer *objectstore.Signer) error {
	h.KeyFingerprint, h.Signature = "", ""
	if signer != nil {
		if err := seal(&h, signer); err != nil {
			return err
		}
	}
	raw, err := auditrecord.Canonical(h)
	if err != nil {
		return err
	}
	return b.Put(ctx, Key(l, h.ID), raw)
}

// Active returns the holds that are not validly released, and the ones whose release counts. A
// release is honoured only when the marker is signed by one of keys (the trusted manifest keys).
func Active(ctx context.Context, b objectstore.Backend, l objectstore.Layout, keys []ed25519.PublicKey) (active, released []Hold, err error) {
	names, err := b.List(ctx, Prefix(l))
	if err != nil {
		return nil, nil, err
	}
	for _, k := range names {
		raw, err := b.Get(ctx, k)
		if errors.Is(err, objectstore.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		var h Hold
		if err := json.Unmarshal(raw, &h); err != nil || h.Kind != Kind {
			return nil, nil, fmt.Errorf("hold marker %s does not parse; refusing to guess what it protects", k)
		}
		if h.ReleasedAt != nil && signedBy(&h, keys) {
			released = append(released, h)
			continue
		}
		active = append(active, h)
	}
	return active, released, nil
}

// Set is the active holds, as erasure and retention consult them.
type Set []Hold

// Holding returns the id of the first hold that covers r, or "".
func (s Set) Holding(r *auditrecord.Record) string {
	for _, h := range s {
		if h.Matches(r) {
			return h.ID
		}
	}
	return ""
}

// ObjectHeld returns a function telling whether a data object holds a held record (the hold's
// id), for retention: such an object, and the rest of its stream after it, are kept.
func (s Set) ObjectHeld(b objectstore.Backend) func(ctx context.Context, key string) (string, error) {
	return func(ctx context.Context, key string) (string, error) {
		if len(s) == 0 {
			return "", nil
		}
		data, err := b.Get(ctx, key)
		if err != nil {
			return "", err
		}
		recs, err := objectstore.DecodeRecords(key, data)
		if err != nil {
			return "", err
		}
		for _, r := range recs {
			if id := s.Holding(r); id != "" {
				return id, nil
			}
		}
		return "", nil
	}
}
