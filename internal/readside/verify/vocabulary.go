package verify

import "github.com/agentaudit/otelcol-agentaudit/internal/trail"

// The verification vocabulary (options, findings, the report) lives in internal/trail, which the
// stores import too; these are its names as readers of this package know them.
type (
	PublicKey = trail.PublicKey
	Options   = trail.VerifyOptions
	Kind      = trail.Kind
	Severity  = trail.Severity
	Finding   = trail.Finding
	KeyInfo   = trail.KeyInfo
	Counts    = trail.Counts
	Report    = trail.Report
)

// LoadPublicKey reads a PEM "PUBLIC KEY" Ed25519 file.
func LoadPublicKey(file string) (PublicKey, error) { return trail.LoadPublicKey(file) }

// Finding kinds and severities (see trail).
const (
	ModifiedRecord     = trail.ModifiedRecord
	ModifiedObject     = trail.ModifiedObject
	DeletedObject      = trail.DeletedObject
	UnmanifestedObject = trail.UnmanifestedObject
	MissingSeq         = trail.MissingSeq
	ReorderedSeq       = trail.ReorderedSeq
	BrokenChain        = trail.BrokenChain
	BadSignature       = trail.BadSignature
	Unsigned           = trail.Unsigned
	Erased             = trail.Erased
	Expired            = trail.Expired

	Failure = trail.Failure
	Info    = trail.Info

	TrustExplicit = trail.TrustExplicit
	TrustStore    = trail.TrustStore
	TrustNone     = trail.TrustNone
)
