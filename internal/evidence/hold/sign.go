package hold

import (
	"crypto/ed25519"
	"encoding/base64"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// marker is a signed marker (a hold, the retention policy): its signature covers its canonical JSON
// with the signature field empty and the key fingerprint set.
type marker interface {
	signature() (fingerprint, sig *string)
}

func (h *Hold) signature() (fingerprint, sig *string) { return &h.KeyFingerprint, &h.Signature }
func (p *RetentionPolicy) signature() (fingerprint, sig *string) {
	return &p.KeyFingerprint, &p.Signature
}

// seal signs m with signer, setting its key fingerprint and signature.
func seal(m marker, signer *objectstore.Signer) error {
	fp, sig := m.signature()
	*fp, *sig = signer.Fingerprint(), ""
	in, err := auditrecord.Canonical(m)
	if err != nil {
		return err
	}
	*sig = signer.SignBytes(in)
	return nil
}

// signedBy reports whether m carries a valid signature by one of keys (m is left as it was).
func signedBy(m marker, keys []ed25519.PublicKey) bool {
	fp, sig := m.signature()
	raw, err := base64.StdEncoding.DecodeString(*sig)
	if err != nil {
		return false
	}
	kept := *sig
	*sig = ""
	in, err := auditrecord.Canonical(m)
	*sig = kept
	if err != nil {
		return false
	}
	for _, k := range keys {
		if objectstore.Fingerprint(k) == *fp && ed25519.Verify(k, in, raw) {
			return true
		}
	}
	return false
}
