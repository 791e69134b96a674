package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence/bundle"
)

// TestSignedBundleIndexCatchesRemovalWithEntry: a bundle exported with the signing key has a signed
// index, so removing a record together with its index entry (which the proofs alone cannot see) is
// bundle_bad_index_signature; without the key the bundle says its index is unsigned.
func TestSignedBundleIndexCatchesRemovalWithEntry(t *testing.T) {
	signer, privFile, pubFile := signingKeys(t)
	dir := t.TempDir()
	writeCheckpointed(t, dir, "", signer, "a", "b", "c")
	url := "file://" + filepath.ToSlash(dir)
	file := filepath.Join(t.TempDir(), "bundle.zip")
	expectRun(t, exitOK, "export", "--store", url, "--session", "session-b", "-o", file, "--as", "auditor@example.com", "--signing-key", privFile)
	rep := expectRun(t, exitOK, "verify", "--bundle", file, "--pubkey", pubFile)
	if strings.Contains(rep, "bundle_index_unsigned") {
		t.Fatalf("signed export reported unsigned:\n%s", rep)
	}

	// Remove the second record and its index entry.
	cut := filepath.Join(t.TempDir(), "cut.zip")
	editBundle(t, file, cut, bundle.RecordsFile, func(b []byte) []byte {
		lines := strings.SplitAfter(string(b), "\n")
		return []byte(lines[0] + lines[2])
	})
	editBundle(t, cut, cut, bundle.IndexFile, func(b []byte) []byte {
		var ix bundle.Index
		if err := json.Unmarshal(b, &ix); err != nil {
			t.Fatal(err)
		}
		ix.Records = append(ix.Records[:1], ix.Records[2:]...)
		out, _ := json.MarshalIndent(ix, "", " ")
		return append(out, '\n')
	})
	out := expectRun(t, exitFindings, "verify", "--bundle", cut, "--pubkey", pubFile)
	if !strings.Contains(out, "FAIL bundle_bad_index_signature") || strings.Contains(out, "bundle_missing_record") {
		t.Fatalf("record removed with its entry:\n%s", out)
	}

	unsigned := filepath.Join(t.TempDir(), "unsigned.zip")
	expectRun(t, exitOK, "export", "--store", url, "--session", "session-b", "-o", unsigned, "--as", "auditor@example.com", "--signing-key", "")
	if rep := expectRun(t, exitOK, "verify", "--bundle", unsigned, "--pubkey", pubFile); !strings.Contains(rep, "bundle_index_unsigned") {
		t.Fatalf("unsigned index not reported:\n%s", rep)
	}
}
