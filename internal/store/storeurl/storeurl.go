// Package storeurl turns the store URL auditctl is given into an object store backend and prefix:
//
//	file:///abs/dir[?prefix=P]   the file store rooted at /abs/dir (records below /abs/dir/P, P defaults to "audit")
//	file://./rel/dir[?prefix=P]  the same, relative to the working directory
//	s3://bucket[/P]              an S3 bucket, records below P (default "audit"); credentials from the
//	                             standard AWS environment (AWS_ACCESS_KEY_ID, AWS_PROFILE, …)
//
// Elasticsearch/OpenSearch URLs (http:// and https://) are recognised but not served by the object
// store commands.
package storeurl

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/s3store"
)

// S3Options are the S3 settings a URL cannot carry.
type S3Options struct {
	Endpoint  string // e.g. http://127.0.0.1:7070 for an S3-compatible store
	Region    string // empty uses AWS_REGION / the profile
	PathStyle bool   // address the bucket as <endpoint>/<bucket>
}

// Target is an opened store location.
type Target struct {
	Backend objectstore.Backend
	Prefix  string
}

// ErrUnsupported marks a recognised URL kind that the calling command cannot use.
var ErrUnsupported = errors.New("not supported by this command yet")

// Parse validates raw and returns its scheme-specific parts without touching the store.
func Parse(raw string) (scheme, location, prefix string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", "", fmt.Errorf("store URL %q: %w", raw, err)
	}
	prefixParam, hasPrefix := u.Query()["prefix"]
	prefix = objectstore.DefaultPrefix
	if hasPrefix {
		prefix = strings.Trim(prefixParam[0], "/")
	}
	switch u.Scheme {
	case "file":
		var dir string
		switch u.Host {
		case "":
			dir = u.Path
		case ".", "..":
			dir = u.Host + u.Path
		default:
			return "", "", "", fmt.Errorf("store URL %q: file URLs take no host; use file:///abs/dir or file://./rel/dir", raw)
		}
		if dir == "" {
			return "", "", "", fmt.Errorf("store URL %q: missing directory", raw)
		}
		return "file", filepath.FromSlash(dir), prefix, nil
	case "s3":
		if u.Host == "" {
			return "", "", "", fmt.Errorf("store URL %q: missing bucket (s3://bucket/prefix)", raw)
		}
		if p := strings.Trim(u.Path, "/"); p != "" {
			if hasPrefix {
				return "", "", "", fmt.Errorf("store URL %q: give the prefix in the path or as ?prefix=, not both", raw)
			}
			prefix = p
		}
		return "s3", u.Host, prefix, nil
	case "http", "https":
		return "", "", "", fmt.Errorf("store URL %q: Elasticsearch/OpenSearch stores are %w", raw, ErrUnsupported)
	case "":
		return "", "", "", fmt.Errorf("store URL %q: missing scheme (file://, s3://)", raw)
	default:
		return "", "", "", fmt.Errorf("store URL %q: unknown scheme %q (file://, s3://)", raw, u.Scheme)
	}
}

// Open parses raw and opens the backend. For S3 it checks that the bucket is reachable, so a wrong
// endpoint, bucket or credential fails here with a clear message.
func Open(ctx context.Context, raw string, s3opts S3Options) (Target, error) {
	scheme, location, prefix, err := Parse(raw)
	if err != nil {
		return Target{}, err
	}
	switch scheme {
	case "file":
		b, err := openDir(location)
		if err != nil {
			return Target{}, err
		}
		return Target{Backend: b, Prefix: prefix}, nil
	default: // s3
		cfg := s3store.NewDefaultConfig()
		cfg.Bucket, cfg.Prefix = location, prefix
		cfg.Endpoint, cfg.Region, cfg.ForcePathStyle = s3opts.Endpoint, s3opts.Region, s3opts.PathStyle
		b, err := s3store.NewBackend(ctx, cfg)
		if err != nil {
			return Target{}, err
		}
		if err := b.Check(ctx); err != nil {
			return Target{}, err
		}
		return Target{Backend: b, Prefix: prefix}, nil
	}
}

// openDir opens an existing store directory; a reader must not create an empty store by accident.
func openDir(dir string) (*filestore.Backend, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("store directory: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("store directory %s is not a directory", abs)
	}
	return filestore.NewBackend(abs)
}
