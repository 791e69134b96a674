package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/verify"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/s3store"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/fixturestores"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/recordfixture"
	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/s3server"
)

// writeSignedStore writes two batches to backend and returns the key files and one object key.
// verify is given the private key too: a verification of a signed store signs its access record.
func writeSignedStore(t *testing.T, backend objectstore.Backend) (pubkeyFile, privkeyFile, objectKey string) {
	t.Helper()
	signer, privkeyFile, pubkeyFile := signingKeys(t)
	now := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	s := objectstore.New(backend, objectstore.Options{Gzip: true, Signer: signer, Now: func() time.Time { return now }},
		store.Settings{InstanceID: "gw-1"})
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"a", "b"} {
		if err := s.Write(ctx, store.Batch{Signal: "traces", Records: recordfixture.Records(tag, 3)}); err != nil {
			t.Fatal(err)
		}
	}
	return pubkeyFile, privkeyFile, s.Layout().ObjectKey(now, "gw-1-traces", 4, true)
}

func fileStore(t *testing.T) (url, dir, pubkey, privkey, object string) {
	t.Helper()
	dir = t.TempDir()
	b, err := filestore.NewBackend(dir)
	if err != nil {
		t.Fatal(err)
	}
	pubkey, privkey, object = writeSignedStore(t, b)
	return "file://" + filepath.ToSlash(dir), dir, pubkey, privkey, object
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestVerifyExitCodes(t *testing.T) {
	url, dir, pubkey, privkey, object := fileStore(t)

	// Without the signing key, a verification of a signed store would write its access record
	// unsigned: refused, and nothing is written.
	code, out, errOut := runCLI("verify", "--store", url, "--pubkey", pubkey)
	if code != exitUsage || out != "" || !strings.Contains(errOut, "--signing-key") {
		t.Fatalf("signed store without --signing-key: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI("verify", "--store", url, "--pubkey", pubkey, "--signing-key", privkey)
	if code != exitOK || !strings.Contains(out, "result:  OK") || !strings.Contains(out, "checked: 1 streams") {
		t.Fatalf("clean store: exit %d\n%s%s", code, out, errOut)
	}

	// Truncate one object: it no longer matches its manifest.
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(object)), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI("verify", "--store", url, "--pubkey", pubkey, "--signing-key", privkey, "--require-signature", "--json")
	if code != exitFindings {
		t.Fatalf("tampered store: exit %d, want %d\n%s", code, exitFindings, out)
	}
	var rep verify.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, out)
	}
	if rep.OK || len(rep.Findings) != 1 || rep.Findings[0].Kind != verify.ModifiedObject || rep.Findings[0].ObjectKey != object {
		t.Errorf("findings %+v, want one modified_object at %s", rep.Findings, object)
	}

	for name, tc := range map[string]struct {
		code int
		args []string
	}{
		"no store":           {exitUsage, []string{"verify"}},
		"unreachable engine": {exitUnreachable, []string{"verify", "--store", "https://127.0.0.1:1/agentaudit"}},
		"unknown scheme":     {exitUsage, []string{"verify", "--store", "ftp://x"}},
		"wrong prefix":       {exitUsage, []string{"verify", "--store", url + "?prefix=elsewhere"}},
		"unknown flag":       {exitUsage, []string{"verify", "--store", url, "--bogus"}},
		"bad pubkey":         {exitUsage, []string{"verify", "--store", url, "--pubkey", filepath.Join(dir, "nope.pub")}},
		"unknown command":    {exitUsage, []string{"frobnicate"}},
		"no command":         {exitUsage, nil},
		"missing directory":  {exitUnreachable, []string{"verify", "--store", url + "/nope"}},
	} {
		if code, _, errOut := runCLI(tc.args...); code != tc.code {
			t.Errorf("%s: exit %d, want %d (%s)", name, code, tc.code, errOut)
		}
	}
}

// TestBinaryEndToEnd builds auditctl once and runs it against a file store and an S3 store.
func TestBinaryEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "auditctl")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	exitCode := func(cmd *exec.Cmd) (int, string) {
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatalf("run %v: %v", cmd.Args, err)
		}
		return 0, string(out)
	}

	t.Run("file", func(t *testing.T) {
		url, _, pubkey, privkey, _ := fileStore(t)
		if code, out := exitCode(exec.Command(bin, "verify", "--store", url, "--pubkey", pubkey, "--signing-key", privkey)); code != exitOK {
			t.Fatalf("exit %d\n%s", code, out)
		}
	})

	t.Run("s3", func(t *testing.T) {
		_, ok := s3server.FindBinary()
		peers.Require(t, ok, s3server.InstallHint)
		srv := s3server.Start(t)
		cfg := s3store.NewDefaultConfig()
		cfg.Bucket, cfg.Endpoint, cfg.Region, cfg.ForcePathStyle = "cli", srv.Endpoint, srv.Region, true
		cfg.AccessKeyID, cfg.SecretAccessKey = configopaque.String(srv.AccessKey), configopaque.String(srv.SecretKey)
		b, err := s3store.NewBackend(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("cli")}); err != nil {
			t.Fatal(err)
		}
		pubkey, privkey, object := writeSignedStore(t, b)

		verifyS3 := func(secret string) *exec.Cmd {
			cmd := exec.Command(bin, "verify", "--store", "s3://cli/audit", "--s3-endpoint", srv.Endpoint,
				"--s3-region", srv.Region, "--s3-path-style", "--pubkey", pubkey, "--signing-key", privkey)
			cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+srv.AccessKey, "AWS_SECRET_ACCESS_KEY="+secret,
				"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true")
			return cmd
		}
		if code, out := exitCode(verifyS3(srv.SecretKey)); code != exitOK {
			t.Fatalf("clean: exit %d\n%s", code, out)
		}
		if err := b.Delete(context.Background(), object); err != nil {
			t.Fatal(err)
		}
		code, out := exitCode(verifyS3(srv.SecretKey))
		if code != exitFindings || !strings.Contains(out, "deleted_object") {
			t.Fatalf("after delete: exit %d\n%s", code, out)
		}
		if code, out := exitCode(verifyS3("wrong-secret")); code != exitUnreachable || !strings.Contains(out, "denied") {
			t.Fatalf("wrong secret: exit %d\n%s", code, out)
		}
		srv.Stop()
		if code, out := exitCode(verifyS3(srv.SecretKey)); code != exitUnreachable {
			t.Fatalf("unreachable: exit %d\n%s", code, out)
		}
	})
}

// After retention, verify accepts the signed cut: exit 0, the deleted seqs listed as expired.
func TestRetentionThenVerify(t *testing.T) {
	signer, privFile, pubFile := signingKeys(t)
	url := fixturestores.File(t, signer)
	// Writes an access record now, so a stream with kept manifests remains beside the expired one.
	expectRun(t, exitOK, "sessions", "--store", url, "--signing-key", privFile)
	expectRun(t, exitOK, "retention", "--older-than", "1h", "--store", url, "--signing-key", privFile)
	out := expectRun(t, exitOK, "verify", "--store", url, "--pubkey", pubFile, "--require-signature", "--signing-key", privFile)
	if !strings.Contains(out, "info expired             stream=gw-1-traces seq=1..19") || !strings.Contains(out, "result:  OK") {
		t.Fatalf("verify after retention:\n%s", out)
	}
}

// verify is a read like any other: it leaves one access record naming its findings and counting the
// records it checked. On a signed store that record is signed, so verify --require-signature run
// again, and again, stays clean; on an unsigned store it is written unsigned, as the store's are.
func TestVerifyLeavesOneAccessRecord(t *testing.T) {
	url, _, pubkey, privkey, object := fileStore(t)
	expectRun(t, exitOK, "verify", "--store", url, "--pubkey", pubkey, "--signing-key", privkey, "--require-signature", "--as", "auditor@example.com")
	log := expectRun(t, exitOK, "access-log", "--store", url, "--json", "--signing-key", privkey)
	want := `"viewer":"auditor@example.com","role":"operator","command":"verify","target":"verify: 0 findings, 0 failures","records":6}`
	if strings.Count(log, "\n") != 1 || !strings.Contains(log, want) {
		t.Fatalf("access log after one verify, want one record %s:\n%s", want, log)
	}
	for range 2 { // each run checks the signed access records the runs before it wrote
		out := expectRun(t, exitOK, "verify", "--store", url, "--pubkey", pubkey, "--signing-key", privkey, "--require-signature")
		if !strings.Contains(out, "checked: 2 streams") || !strings.Contains(out, "findings: 0 failures, 0 informational") {
			t.Fatalf("verify after verify:\n%s", out)
		}
	}
	// Findings are counted in the record too: a deleted object is one failure.
	dir := strings.TrimPrefix(url, "file://")
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(object))); err != nil {
		t.Fatal(err)
	}
	expectRun(t, exitFindings, "verify", "--store", url, "--pubkey", pubkey, "--signing-key", privkey, "--as", "auditor@example.com")
	log = expectRun(t, exitOK, "access-log", "--store", url, "--viewer", "auditor@example.com", "--json", "--signing-key", privkey)
	if !strings.Contains(log, `"target":"verify: 1 findings, 1 failures"`) {
		t.Fatalf("access record of a failing verify:\n%s", log)
	}

	plain := fixturestores.File(t, nil)
	expectRun(t, exitOK, "verify", "--store", plain)
	out := expectRun(t, exitOK, "verify", "--store", plain, "--json")
	var rep verify.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Counts.Streams != 2 || len(rep.Findings) != 2 || rep.Findings[0].Kind != verify.Unsigned {
		t.Fatalf("unsigned store after one verify: the access stream is its second stream, unsigned like the first: %+v", rep)
	}
}
