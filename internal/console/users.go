package console

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Role is what a console account may see.
type Role string

// Roles, least to most. Admin reads what an auditor reads: erasure and retention stay CLI operations.
const (
	RoleViewer  Role = "viewer"  // stats, sessions and timelines with content fields hidden
	RoleAuditor Role = "auditor" // everything readable: content, verify, exports, the access log
	RoleAdmin   Role = "admin"   // auditor; nothing destructive from the web
)

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleViewer, RoleAuditor, RoleAdmin:
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q: want viewer, auditor or admin", s)
}

// SeesContent reports whether the role sees record content (inputs, outputs, parameters, results).
func (r Role) SeesContent() bool { return r == RoleAuditor || r == RoleAdmin }

// User is one account of the users file.
type User struct {
	Name string
	Role Role
	hash []byte // bcrypt
}

// The users file holds one account a line, "name role bcrypt-hash"; # starts a comment.

// errEmptyUsersFile is a zero-byte users file: one caught between an editor's truncate and its
// write, never one auditctl wrote (it always writes a header line, also when the last account is
// removed), so it is read as invalid rather than as "no accounts".
var errEmptyUsersFile = errors.New("the users file is empty (auditctl users writes a header line; an empty file is a half-written one)")

// ReadUsers parses the users file.
func ReadUsers(path string) (map[string]User, error) {
	b, err := os.ReadFile(path) //nolint:gosec // G304: the operator names the users file (--users)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("%s: %w", path, errEmptyUsersFile)
	}
	users := map[string]User{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, fmt.Errorf("%s:%d: want \"name role bcrypt-hash\"", path, n)
		}
		role, err := ParseRole(f[1])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if _, err := bcrypt.Cost([]byte(f[2])); err != nil {
			return nil, fmt.Errorf("%s:%d: user %s: not a bcrypt hash", path, n, f[0])
		}
		users[f[0]] = User{Name: f[0], Role: role, hash: []byte(f[2])}
	}
	return users, sc.Err()
}

// writeUsers replaces the users file atomically, readable by its owner only.
func writeUsers(path string, users map[string]User) error {
	names := make([]string, 0, len(users))
	for n := range users {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.WriteString("# agentaudit console accounts: name role bcrypt-hash (auditctl users add|remove)\n")
	for _, n := range names {
		fmt.Fprintf(&b, "%s %s %s\n", n, users[n].Role, users[n].hash)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".users-*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(b.Bytes()); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// AddUser adds or replaces the account name with a bcrypt hash of password.
func AddUser(path, name string, role Role, password []byte) error {
	if name == "" || strings.ContainsAny(name, " \t\n#") {
		return fmt.Errorf("user name %q: want a non-empty name without spaces or #", name)
	}
	if len(password) < 8 {
		return errors.New("password: at least 8 characters")
	}
	users, err := ReadUsers(path)
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, errEmptyUsersFile) {
		users, err = map[string]User{}, nil // a new file (or one made with touch)
	}
	if err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword(password, bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	users[name] = User{Name: name, Role: role, hash: hash}
	return writeUsers(path, users)
}

// RemoveUser removes the account name.
func RemoveUser(path, name string) error {
	users, err := ReadUsers(path)
	if err != nil {
		return err
	}
	if _, ok := users[name]; !ok {
		return fmt.Errorf("no user %q in %s", name, path)
	}
	delete(users, name)
	return writeUsers(path, users)
}

// Accounts is the users file as the console sees it: reloaded when it changes, no restart.
type Accounts struct {
	path    string
	mu      sync.RWMutex
	users   map[string]User
	modTime time.Time
	size    int64
}

// OpenAccounts reads the users file; an unreadable or invalid file fails at start.
func OpenAccounts(path string) (*Accounts, error) {
	a := &Accounts{path: path}
	if err := a.reload(); err != nil {
		return nil, fmt.Errorf("--users %s: %w", path, err)
	}
	return a, nil
}

// reload rereads the file when its size or modification time changed.
func (a *Accounts) reload() error {
	st, err := os.Stat(a.path)
	if err != nil {
		return err
	}
	a.mu.RLock()
	same := st.ModTime().Equal(a.modTime) && st.Size() == a.size && a.users != nil
	a.mu.RUnlock()
	if same {
		return nil
	}
	users, err := ReadUsers(a.path)
	if err != nil {
		return err // errEmptyUsersFile too: the accounts read before stay until the file is written
	}
	a.mu.Lock()
	a.users, a.modTime, a.size = users, st.ModTime(), st.Size()
	a.mu.Unlock()
	return nil
}

// Watch rereads the file every interval until stop is closed. A file that became invalid keeps the
// accounts last read (reported through onError), so a half-edited file locks nobody out or in.
func (a *Accounts) Watch(stop <-chan struct{}, interval time.Duration, onError func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if err := a.reload(); err != nil && onError != nil {
				onError(err)
			}
		}
	}
}

// dummyHash keeps a login for an unknown name as slow as one for a known name.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a password of anyone"), bcrypt.DefaultCost)

// Authenticate checks name and password.
func (a *Accounts) Authenticate(name, password string) (User, bool) {
	u, ok := a.Lookup(name)
	hash := dummyHash
	if ok {
		hash = u.hash
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || !ok {
		return User{}, false
	}
	return u, true
}

// Lookup returns the account name.
func (a *Accounts) Lookup(name string) (User, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	u, ok := a.users[name]
	return u, ok
}

// List returns the accounts by name.
func List(path string) ([]User, error) {
	users, err := ReadUsers(path)
	if err != nil {
		return nil, err
	}
	out := make([]User, 0, len(users))
	for _, u := range users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
