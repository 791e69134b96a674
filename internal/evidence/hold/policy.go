package hold

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// RetentionPolicy is the store's retention floor: `auditctl retention` refuses to delete records
// younger than MinAge (record-keeping rules: the EU AI Act asks for at least six months, 4380h).
// It is a signed marker, so that lowering it takes the signing key, and setting it is logged.
type RetentionPolicy struct {
	Kind           string    `json:"kind"` // "retention_policy"
	MinAge         string    `json:"min_age"`
	SetBy          string    `json:"set_by"`
	SetAt          time.Time `json:"set_at"`
	KeyFingerprint string    `json:"key_fingerprint"`
	Signature      string    `json:"signature"`
}

// PolicyKind marks a retention policy marker.
const PolicyKind = "retention_policy"

// PolicyKey is where the store's retention policy lives.
func PolicyKey(l objectstore.Layout) string { return path.Join(l.Prefix, "_policy", "retention.json") }

// PolicyMarkers is where a store keeps its retention policy marker: a key of an object store
// (ObjectPolicy) or a table (PostgreSQL, the newest row).
type PolicyMarkers interface {
	PutPolicyMarker(ctx context.Context, raw []byte) error
	// PolicyMarker is the stored marker and where it is; ok false when there is none.
	PolicyMarker(ctx context.Context) (m Marker, ok bool, err error)
}

// ObjectPolicy keeps an object store's policy at PolicyKey(l).
func ObjectPolicy(b objectstore.Backend, l objectstore.Layout) PolicyMarkers {
	return objectMarkers{b, l}
}

func (o objectMarkers) PutPolicyMarker(ctx context.Context, raw []byte) error {
	return o.b.Put(ctx, PolicyKey(o.l), raw)
}

func (o objectMarkers) PolicyMarker(ctx context.Context) (Marker, bool, error) {
	raw, err := o.b.Get(ctx, PolicyKey(o.l))
	if errors.Is(err, objectstore.ErrNotExist) {
		return Marker{}, false, nil
	}
	return Marker{Where: PolicyKey(o.l), Raw: raw}, err == nil, err
}

// PutPolicy signs and stores the policy.
func PutPolicy(ctx context.Context, m PolicyMarkers, p RetentionPolicy, signer *objectstore.Signer) error {
	p.Kind = PolicyKind
	if err := seal(&p, signer); err != nil {
		return err
	}
	raw, err := auditrecord.Canonical(p)
	if err != nil {
		return err
	}
	return m.PutPolicyMarker(ctx, raw)
}

// ErrPolicyUnsigned marks a policy marker that no store key signed: retention refuses to run
// rather than guess which floor applies.
var ErrPolicyUnsigned = errors.New("the store's retention policy is not signed by a key the store publishes")

// Policy reads the store's policy; ok is false when there is none.
func Policy(ctx context.Context, m PolicyMarkers, keys []ed25519.PublicKey) (RetentionPolicy, bool, error) {
	mk, ok, err := m.PolicyMarker(ctx)
	if err != nil || !ok {
		return RetentionPolicy{}, false, err
	}
	var p RetentionPolicy
	if err := json.Unmarshal(mk.Raw, &p); err != nil || p.Kind != PolicyKind {
		return RetentionPolicy{}, false, fmt.Errorf("%s: %w", mk.Where, ErrPolicyUnsigned)
	}
	if signedBy(&p, keys) {
		return p, true, nil
	}
	return RetentionPolicy{}, false, fmt.Errorf("%s: %w", mk.Where, ErrPolicyUnsigned)
}
