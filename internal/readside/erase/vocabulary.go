package erase

import "github.com/agentaudit/otelcol-agentaudit/internal/trail"

// The erasure vocabulary lives in internal/trail, which the stores import too; these are its names
// as readers of this package know them.
type (
	ObjectGuard = trail.ObjectGuard
	Options     = trail.EraseOptions
	Object      = trail.ErasedObject
	Result      = trail.EraseResult
)

// ModeTombstone is the erasure mode of every store: records replaced by tombstones in place.
const ModeTombstone = trail.ModeTombstone
