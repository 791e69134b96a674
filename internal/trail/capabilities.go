package trail

import "context"

// What a store can do besides reading and writing. An opened store implements these or not; the
// CLI and the console ask for a capability, never for a concrete store type.

// Eraser erases one user's records (the right to be forgotten).
type Eraser interface {
	Forget(ctx context.Context, opts EraseOptions) (EraseResult, error)
}

// Expirer deletes data older than a retention age, whole partitions at a time.
type Expirer interface {
	Expire(ctx context.Context, opts RetainOptions) (RetainResult, error)
	// DescribeExpiry is the one-line summary of res after verb ("deleted", "dry run: would delete").
	DescribeExpiry(verb string, res RetainResult) string
}

// Verifier checks the store's integrity chain end to end.
type Verifier interface {
	Verify(ctx context.Context, opts VerifyOptions) (Report, error)
}

// Refresher makes records written a moment ago visible to the next read (search engines refresh
// periodically; the other stores read their own writes anyway).
type Refresher interface {
	Refresh(ctx context.Context) error
}
