// Package hold keeps legal holds: signed markers naming a session, a user or a time range whose
// records must survive erasure and retention (GDPR Art. 17(3)(e): data needed for legal claims),
// in the store's own place for them (Markers: a folder of an object store, a PostgreSQL table). A
// hold is active until a validly signed release; an unsigned or forged marker can only make more
// records survive, never fewer.
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

// Marker is one stored hold marker and where it was found.
type Marker struct {
	Where string
	Raw   []byte
}

// Markers is where a store keeps its hold markers. A store may keep several markers of one hold
// (PostgreSQL appends a release as a further row): the hold is released when one of them is a
// validly signed release.
type Markers interface {
	PutHoldMarker(ctx context.Context, id string, raw []byte) error
	HoldMarkers(ctx context.Context) ([]Marker, error)
}

// ObjectMarkers keeps an object store's holds, one object per hold below Prefix(l).
func ObjectMarkers(b objectstore.Backend, l objectstore.Layout) Markers { return objectMarkers{b, l} }

type objectMarkers struct {
	b objectstore.Backend
	l objectstore.Layout
}

func (o objectMarkers) PutHoldMarker(ctx context.Context, id string, raw []byte) error {
	return o.b.Put(ctx, Key(o.l, id), raw)
}

func (o objectMarkers) HoldMarkers(ctx context.Context) ([]Marker, error) {
	names, err := o.b.List(ctx, Prefix(o.l))
	if err != nil {
		return nil, err
	}
	out := make([]Marker, 0, len(names))
	for _, k := range names {
		raw, err := o.b.Get(ctx, k)
		if errors.Is(err, objectstore.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Marker{Where: k, Raw: raw})
	}
	return out, nil
}

// Put signs (when signer is set) and stores h.
func Put(ctx context.Context, m Markers, h Hold, signer *objectstore.Signer) error {
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
	return m.PutHoldMarker(ctx, h.ID, raw)
}

// Active returns the holds that are not validly released, and the ones whose release counts. A
// release is honoured only when the marker is signed by one of keys (the trusted manifest keys).
func Active(ctx context.Context, m Markers, keys []ed25519.PublicKey) (active, released []Hold, err error) {
	markers, err := m.HoldMarkers(ctx)
	if err != nil {
		return nil, nil, err
	}
	var all []Hold
	releasedIDs := map[string]bool{}
	for _, mk := range markers {
		var h Hold
		if err := json.Unmarshal(mk.Raw, &h); err != nil || h.Kind != Kind {
			return nil, nil, fmt.Errorf("hold marker %s does not parse; refusing to guess what it protects", mk.Where)
		}
		if h.ReleasedAt != nil && signedBy(&h, keys) {
			if !releasedIDs[h.ID] {
				released = append(released, h)
			}
			releasedIDs[h.ID] = true
			continue
		}
		all = append(all, h)
	}
	for _, h := range all {
		if !releasedIDs[h.ID] {
			active = append(active, h)
		}
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
