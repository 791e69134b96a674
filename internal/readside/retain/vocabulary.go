package retain

import "github.com/agentaudit/otelcol-agentaudit/internal/trail"

// The retention vocabulary lives in internal/trail, which the stores import too; these are its
// names as readers of this package know them.
type (
	Options = trail.RetainOptions
	Result  = trail.RetainResult
)
