package storeurl

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		raw, scheme, location, prefix string
	}{
		{"file:///var/lib/agentaudit", "file", "/var/lib/agentaudit", "audit"},
		{"file:///var/lib/agentaudit?prefix=prod/audit", "file", "/var/lib/agentaudit", "prod/audit"},
		{"file://./data", "file", "./data", "audit"},
		{"file://../data?prefix=", "file", "../data", ""},
		{"s3://audit-bucket", "s3", "audit-bucket", "audit"},
		{"s3://audit-bucket/", "s3", "audit-bucket", "audit"},
		{"s3://audit-bucket/prod/audit/", "s3", "audit-bucket", "prod/audit"},
	} {
		scheme, location, prefix, err := Parse(tc.raw)
		if err != nil {
			t.Errorf("%s: %v", tc.raw, err)
			continue
		}
		if scheme != tc.scheme || location != filepath.FromSlash(tc.location) || prefix != tc.prefix {
			t.Errorf("%s: got (%s, %s, %q), want (%s, %s, %q)", tc.raw, scheme, location, prefix, tc.scheme, tc.location, tc.prefix)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for raw, want := range map[string]string{
		"https://search:9200/agentaudit": "not supported by this command yet",
		"/var/lib/agentaudit":            "missing scheme",
		"ftp://host/x":                   `unknown scheme "ftp"`,
		"file://host/x":                  "file URLs take no host",
		"s3:///prefix":                   "missing bucket",
		"s3://b/p?prefix=q":              "not both",
	} {
		_, _, _, err := Parse(raw)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", raw, err, want)
		}
	}
	if _, _, _, err := Parse("https://search:9200/x"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("https URL error %v is not ErrUnsupported", err)
	}
}

func TestOpenFileNeedsAnExistingDirectory(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(context.Background(), "file://"+filepath.ToSlash(filepath.Join(dir, "missing")), S3Options{}); err == nil {
		t.Error("opened a missing directory")
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Error("Open created the missing directory")
	}
	target, err := Open(context.Background(), "file://"+filepath.ToSlash(dir)+"?prefix=x", S3Options{})
	if err != nil {
		t.Fatal(err)
	}
	if target.Prefix != "x" || target.Backend.String() != "file://"+filepath.ToSlash(dir) {
		t.Errorf("target %s prefix %q", target.Backend, target.Prefix)
	}
}
