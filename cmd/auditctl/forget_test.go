package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/fixturestores"
)

// signingKeys writes a fresh Ed25519 key pair as the PEM files an operator would have.
func signingKeys(t *testing.T) (signer *objectstore.Signer, privFile, pubFile string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	privFile, pubFile = filepath.Join(dir, "audit.key"), filepath.Join(dir, "audit.pub")
	pubPEM, _ := objectstore.EncodePublicKey(pub)
	if err := os.WriteFile(privFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pubFile, pubPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return objectstore.NewSigner(priv), privFile, pubFile
}

// forgetThenVerifyTest erases u-alice from a signed store holding the fixture and checks that
// verify passes (exit 0) and lists the erasures, and that her records are gone from every query.
func forgetThenVerifyTest(t *testing.T, url, privFile, pubFile string, storeArgs ...string) {
	st := append([]string{"--store", url}, storeArgs...)
	with := func(args ...string) []string { return append(args, st...) }

	code, _, errOut := runCLI(with("forget", "--user", "u-alice", "--as", "dpo@example.com")...)
	if code != exitUsage || !strings.Contains(errOut, "--signing-key") {
		t.Fatalf("unsigned forget on a signed store: exit %d, %s", code, errOut)
	}
	dry := expectRun(t, exitOK, with("forget", "--user", "u-alice", "--dry-run", "--signing-key", privFile, "--as", "dpo@example.com")...)
	if !strings.HasPrefix(dry, "dry run: would replace 14 records of user u-alice in 2 objects by tombstones:\n") ||
		!strings.Contains(dry, "gw-1-traces-00000000000000000001.jsonl.gz  10 records (seqs 1-10)") ||
		!strings.Contains(dry, "gw-1-traces-00000000000000000016.jsonl.gz  4 records (seqs 16-19)") {
		t.Fatalf("dry run output:\n%s", dry)
	}

	out := expectRun(t, exitOK, with("forget", "--user", "u-alice", "--signing-key", privFile, "--as", "dpo@example.com")...)
	if !strings.Contains(out, "replaced 14 records of user u-alice in 2 objects by tombstones") || !strings.Contains(out, "requester dpo@example.com") {
		t.Fatalf("forget output:\n%s", out)
	}
	rep := expectRun(t, exitOK, with("verify", "--pubkey", pubFile, "--require-signature", "--signing-key", privFile)...)
	if strings.Count(rep, "info erased") != 2 || !strings.Contains(rep, "result:  OK") {
		t.Fatalf("verify after forget:\n%s", rep)
	}
	expectRun(t, exitFindings, with("user", "u-alice", "--signing-key", privFile)...)
	expectRun(t, exitFindings, with("forget", "--user", "u-alice", "--signing-key", privFile)...)
	tl := expectRun(t, exitOK, with("timeline", "s-beta", "--signing-key", privFile)...)
	if strings.Count(tl, "\n") != 6 {
		t.Fatalf("bob's session changed:\n%s", tl)
	}
	// Everything auditctl wrote (access and erasure records) was signed with the key: still clean.
	expectRun(t, exitOK, with("verify", "--pubkey", pubFile, "--require-signature", "--signing-key", privFile)...)
}

func TestForgetThenVerifyOnFileStore(t *testing.T) {
	signer, privFile, pubFile := signingKeys(t)
	url := fixturestores.File(t, signer)
	forgetThenVerifyTest(t, url, privFile, pubFile)
}

func TestRetentionOnFileStore(t *testing.T) {
	url := fixturestores.File(t, nil)
	// The fixture's newest partition is 2026-11-22 10:00; "older than 1h" from the real now expires all of it.
	out := expectRun(t, exitOK, "retention", "--older-than", "1h", "--dry-run", "--store", url)
	if !strings.Contains(out, "dry run: would delete 3 partitions older than") || !strings.Contains(out, "3 objects, 3 manifests, 19 records") {
		t.Fatalf("dry run:\n%s", out)
	}
	expectRun(t, exitOK, "sessions", "--store", url)
	expectRun(t, exitOK, "retention", "--older-than", "1h", "--store", url)
	// The access record written by `sessions` is from now and survives; the sessions are gone.
	expectRun(t, exitFindings, "sessions", "--store", url)
	if n := strings.Count(expectRun(t, exitOK, "access-log", "--store", url), "\n"); n != 3 {
		t.Fatalf("access log after retention has %d lines, want header + 2 reads", n)
	}
	code, _, errOut := runCLI("retention", "--older-than", "soon", "--store", url)
	if code != exitUsage || !strings.Contains(errOut, "not a positive age") {
		t.Fatalf("bad age: exit %d %s", code, errOut)
	}
}
