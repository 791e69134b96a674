package console

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The console picks up accounts added and removed while it runs, and a half-edited (invalid) file
// keeps the accounts read before instead of locking everyone out or in.
func TestAccountsFollowTheUsersFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users")
	if err := AddUser(path, "alice", RoleAuditor, []byte("alice password")); err != nil {
		t.Fatal(err)
	}
	a, err := OpenAccounts(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := a.Authenticate("alice", "alice password"); !ok {
		t.Fatal("alice cannot sign in")
	}
	if _, ok := a.Authenticate("alice", "wrong"); ok {
		t.Fatal("a wrong password signs in")
	}
	if err := AddUser(path, "victor", RoleViewer, []byte("victor password")); err != nil {
		t.Fatal(err)
	}
	if err := RemoveUser(path, "alice"); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go a.Watch(stop, 10*time.Millisecond, nil)
	waitFor(t, func() bool { _, ok := a.Lookup("victor"); return ok })
	if _, ok := a.Lookup("alice"); ok {
		t.Error("a removed account is still there")
	}
	if err := os.WriteFile(path, []byte("victor superuser nothash\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if u, ok := a.Lookup("victor"); !ok || u.Role != RoleViewer {
		t.Errorf("an invalid file replaced the accounts: %+v %v", u, ok)
	}
	if _, err := ReadUsers(path); err == nil {
		t.Error("an unknown role and a non-bcrypt hash were accepted")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRolesAndPasswords(t *testing.T) {
	for _, c := range []struct {
		role      Role
		need      Role
		allowed   bool
		seesWords bool
	}{
		{RoleViewer, RoleViewer, true, false},
		{RoleViewer, RoleAuditor, false, false},
		{RoleAuditor, RoleAuditor, true, true},
		{RoleAdmin, RoleAuditor, true, true},
	} {
		if allowed(c.role, c.need) != c.allowed || c.role.SeesContent() != c.seesWords {
			t.Errorf("%s on %s: allowed %v, sees content %v", c.role, c.need, allowed(c.role, c.need), c.role.SeesContent())
		}
	}
	path := filepath.Join(t.TempDir(), "users")
	if err := AddUser(path, "bob", RoleViewer, []byte("short")); err == nil {
		t.Error("a 5-character password was accepted")
	}
	if err := AddUser(path, "two words", RoleViewer, []byte("long enough")); err == nil {
		t.Error("a name with a space was accepted")
	}
	if got := safeNext("//evil.example/x"); got != "/sessions" {
		t.Errorf("safeNext kept an off-site redirect: %s", got)
	}
}
