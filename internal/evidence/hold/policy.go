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

// PutPolicy signs and stores the policy.
func PutPolicy(ctx context.Context, b objectstore.Backend, l objectstore.Layout, p RetentionPolicy, signer *objectstore.Signer) error {
	p.Kind = PolicyKind
	if err := seal(&p, signer); err != nil {
		return err
	}
	raw, err := auditrecord.Canonical(p)
	if err != nil {
		return err
	}
	return b.Put(ctx, PolicyKey(l), raw)
}

// ErrPolicyUnsigned marks a policy marker that no store key signed: retention refuses to run
// rather than guess which floor applies.
var ErrPolicyUnsigned = errors.New("the store's retention policy is not signed by a key the store publishes")

// Policy reads the store's policy; ok is false when there is none.
func Policy(ctx context.Context, b objectstore.Backend, l objectstore.Layout, keys []ed25519.PublicKey) (RetentionPolicy, bool, error) {
	raw, err := b.Get(ctx, PolicyKey(l))
	if errors.Is(err, objectstore.ErrNotExist) {
		return RetentionPolicy{}, false, nil
	}
	if err != nil {
		return RetentionPolicy{}, false, err
	}
	var p RetentionPolicy
	if err := json.Unmarshal(raw, &p); err != nil || p.Kind != PolicyKind {
		return RetentionPolicy{}, false, fmt.Errorf("%s: %w", PolicyKey(l), ErrPolicyUnsigned)
	}
	if signedBy(&p, keys) {
		return p, true, nil
	}
	return RetentionPolicy{}, false, fmt.Errorf("%s: %w", PolicyKey(l), ErrPolicyUnsigned)
}
