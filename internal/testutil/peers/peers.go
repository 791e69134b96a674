// Package peers lets tests that need a real peer (a JDK, Node, versitygw, a shared corpus) skip on a
// developer machine that lacks it, while CI (AGENTAUDIT_REQUIRE_PEERS=1) turns every such skip into a
// failure so that nothing is skipped silently there.
package peers

import (
	"os"
	"path/filepath"
	"testing"
)

// RequireEnv is the variable that turns a missing peer into a test failure.
const RequireEnv = "AGENTAUDIT_REQUIRE_PEERS"

// Required reports whether missing peers must fail the run.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// Require skips the test (or fails it under AGENTAUDIT_REQUIRE_PEERS=1) when ok is false. Under
// `go test -short` (make test-quick) every test that needs a peer skips, present or not: -short is
// the unit tests a contributor runs after changing one package.
func Require(t testing.TB, ok bool, reason string) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping under -short: this test needs a real peer (`make test` runs it)")
	}
	if ok {
		return
	}
	if Required() {
		t.Fatalf("required peer missing (%s=1): %s", RequireEnv, reason)
	}
	t.Skipf("skipping: %s (set %s=1 to make this a failure)", reason, RequireEnv)
}

// RepoRoot walks up from the working directory to the directory that holds go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// SharedDir is the project's shared data folder, which sits beside the checkout (../shared), or
// AGENTAUDIT_SHARED_DIR when set (a git worktree does not sit beside it).
func SharedDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("AGENTAUDIT_SHARED_DIR"); d != "" {
		return d
	}
	return filepath.Join(RepoRoot(t), "..", "shared")
}
