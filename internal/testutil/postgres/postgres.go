// Package postgres starts a throwaway PostgreSQL cluster for tests: initdb into a temp dir and a
// server on a free loopback port, run from Debian's /usr/lib/postgresql/<v>/bin. initdb and postgres
// refuse to run as root, so as root the cluster directory is given to the `postgres` user and both
// run through `runuser -u postgres --`. Without the binaries the test skips with the reason (and
// fails under AGENTAUDIT_REQUIRE_PEERS=1).
package postgres

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/collectortest"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
)

// BinEnv overrides where the PostgreSQL binaries are looked for.
const BinEnv = "AGENTAUDIT_POSTGRES_BIN"

// Server is a running test cluster. Its superuser is "postgres", trusted on loopback.
type Server struct {
	Port    int
	dir     string
	binDir  string
	asUser  string // "postgres" when running as root, else ""
	mu      sync.Mutex
	running bool
}

// BinDir finds initdb, preferring PostgreSQL 15; "" when none is installed.
func BinDir() string {
	if d := os.Getenv(BinEnv); d != "" {
		return d
	}
	if _, err := os.Stat("/usr/lib/postgresql/15/bin/initdb"); err == nil {
		return "/usr/lib/postgresql/15/bin"
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Strings(found)
	if len(found) == 0 {
		return ""
	}
	return filepath.Dir(found[len(found)-1])
}

// Start initialises and starts a cluster that is stopped and removed when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := BinDir()
	peers.Require(t, bin != "", "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql) or $"+BinEnv)
	s := &Server{binDir: bin}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			peers.Require(t, false, "running as root and there is no `postgres` user to run initdb as")
		}
		s.asUser = "postgres"
	}
	// Not t.TempDir: its parent is private to root, and the server runs as `postgres`.
	dir, err := os.MkdirTemp("", "agentaudit-pg-") //nolint:usetesting // t.TempDir's parent is private to root; the server runs as postgres
	if err != nil {
		t.Fatal(err)
	}
	s.dir = dir
	t.Cleanup(func() {
		s.Stop(t)
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("remove the cluster's directory: %v", err)
		}
	})
	if s.asUser != "" {
		u, _ := user.Lookup(s.asUser)
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := s.command("initdb", "-D", s.dataDir(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	s.Port = collectortest.FreePort(t)
	s.Restart(t)
	return s
}

func (s *Server) dataDir() string { return filepath.Join(s.dir, "data") }

func (s *Server) command(name string, args ...string) *exec.Cmd {
	path := filepath.Join(s.binDir, name)
	var c *exec.Cmd
	if s.asUser != "" {
		c = exec.Command("runuser", append([]string{"-u", s.asUser, "--", path}, args...)...)
	} else {
		c = exec.Command(path, args...)
	}
	// In the cluster's own directory: the test's working directory may be private to root (a
	// checkout under a 0700 directory), and psql then prints "could not change directory" into
	// the output the tests parse.
	c.Dir = s.dir
	return c
}

// Restart starts the server again on the same port (after Stop).
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=50 -c shared_buffers=32MB", s.Port, s.dir)
	out, err := s.command("pg_ctl", "-D", s.dataDir(), "-o", opts, "-l", filepath.Join(s.dir, "server.log"), "-w", "-t", "60", "start").CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	s.running = true
}

// Stop shuts the server down (fast mode: open connections are cut, as in an outage).
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running {
		return
	}
	if out, err := s.command("pg_ctl", "-D", s.dataDir(), "-m", "fast", "-w", "stop").CombinedOutput(); err != nil {
		t.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	s.running = false
}

// DSN is a connection string for database db as user (the superuser "postgres" when empty).
func (s *Server) DSN(db, user string) string {
	if user == "" {
		user = "postgres"
	}
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", user, s.Port, db)
}

// CreateDatabase creates database name and returns its superuser DSN.
func (s *Server) CreateDatabase(t testing.TB, name string) string {
	t.Helper()
	s.Psql(t, "postgres", "CREATE DATABASE "+name)
	return s.DSN(name, "")
}

// Psql runs sql as the superuser in db and returns its unaligned, tuples-only output.
func (s *Server) Psql(t testing.TB, db, sql string) string {
	t.Helper()
	out, err := s.command("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", strconv.Itoa(s.Port),
		"-U", "postgres", "-d", db, "-c", sql).CombinedOutput()
	if err != nil {
		t.Fatalf("psql %q: %v\n%s", sql, err, out)
	}
	return strings.TrimSpace(string(out))
}

// CPUTime is the CPU time (user + system) the cluster's processes have used so far: the postmaster
// with its reaped children, and every live backend and auxiliary process. Benchmarks on a shared
// machine divide work by it rather than by wall time, which other load inflates.
func (s *Server) CPUTime(t testing.TB) time.Duration {
	t.Helper()
	pidFile, err := os.ReadFile(filepath.Join(s.dataDir(), "postmaster.pid"))
	if err != nil {
		t.Fatalf("postmaster.pid: %v", err)
	}
	postmaster, err := strconv.Atoi(strings.SplitN(string(pidFile), "\n", 2)[0])
	if err != nil {
		t.Fatalf("postmaster.pid: %v", err)
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // exited meanwhile
		}
		// Fields after the command name (which may hold spaces) in parentheses.
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
		pid, _ := strconv.Atoi(strings.Fields(string(b))[0])
		ppid, _ := strconv.Atoi(f[1])
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		switch {
		case pid == postmaster:
			cutime, _ := strconv.ParseInt(f[13], 10, 64)
			cstime, _ := strconv.ParseInt(f[14], 10, 64)
			ticks += utime + stime + cutime + cstime
		case ppid == postmaster:
			ticks += utime + stime
		}
	}
	return time.Duration(ticks) * time.Second / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times (100 on Linux for every architecture Go
// supports here).
const clockTicks = 100

// EnableTLS gives the server a certificate for 127.0.0.1 signed by a new private CA, turns ssl on
// and requires a scram-sha-256 password over TLS for the role passwordUser (other roles stay
// trusted). It restarts the server and returns the CA certificate file for sslrootcert.
func (s *Server) EnableTLS(t testing.TB, passwordUser string) (caFile string) {
	t.Helper()
	caCert, caKey := newCert(t, "agentaudit test CA", nil, nil)
	serverCert, serverKey := newCert(t, "127.0.0.1", caCert, caKey)
	caFile = filepath.Join(s.dir, "ca.pem")
	s.writeOwned(t, "ca.pem", pemBlock("CERTIFICATE", caCert.Raw), 0o644)
	s.writeOwned(t, "data/server.crt", pemBlock("CERTIFICATE", serverCert.Raw), 0o644)
	keyDER, err := x509.MarshalPKCS8PrivateKey(serverKey)
	if err != nil {
		t.Fatal(err)
	}
	s.writeOwned(t, "data/server.key", pemBlock("PRIVATE KEY", keyDER), 0o600)
	conf, err := os.ReadFile(filepath.Join(s.dataDir(), "postgresql.conf"))
	if err != nil {
		t.Fatal(err)
	}
	s.writeOwned(t, "data/postgresql.conf", append(conf, "\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n"...), 0o600)
	hba, err := os.ReadFile(filepath.Join(s.dataDir(), "pg_hba.conf"))
	if err != nil {
		t.Fatal(err)
	}
	s.writeOwned(t, "data/pg_hba.conf", append([]byte("hostssl all "+passwordUser+" 127.0.0.1/32 scram-sha-256\nhost all "+passwordUser+" 127.0.0.1/32 reject\n"), hba...), 0o600)
	s.Stop(t)
	s.Restart(t)
	return caFile
}

// writeOwned writes a file below the cluster directory, owned by the server's user.
func (s *Server) writeOwned(t testing.TB, rel string, data []byte, mode os.FileMode) {
	t.Helper()
	path := filepath.Join(s.dir, rel)
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if s.asUser != "" {
		u, _ := user.Lookup(s.asUser)
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(path, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
}

// NewCA returns a CA certificate file that signed nothing this server uses (for negative tests).
func NewCA(t testing.TB) string {
	t.Helper()
	ca, _ := newCert(t, "unrelated CA", nil, nil)
	f := filepath.Join(t.TempDir(), "other-ca.pem")
	if err := os.WriteFile(f, pemBlock("CERTIFICATE", ca.Raw), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// newCert makes a CA certificate (parent nil) or a server certificate for the IP name, signed by parent.
func newCert(t testing.TB, name string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	signer, signerKey := tmpl, key
	if parent == nil {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage = x509.KeyUsageCertSign
	} else {
		tmpl.IPAddresses = []net.IP{net.ParseIP(name)}
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		signer, signerKey = parent, parentKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}
