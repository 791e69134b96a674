package main

import (
	"context"
	"errors"
	"flag"

	"github.com/agentaudit/otelcol-agentaudit/internal/storeurl"
)

// storeFlags are the flags every command that reads a store takes.
type storeFlags struct {
	url string
	s3  storeurl.S3Options
}

func addStoreFlags(fs *flag.FlagSet) *storeFlags {
	f := &storeFlags{}
	fs.StringVar(&f.url, "store", "", "store URL: file:///dir, file://./dir, s3://bucket/prefix, https://host:9200/<index-prefix> (required)")
	fs.StringVar(&f.s3.Endpoint, "s3-endpoint", "", "S3 endpoint for S3-compatible stores, e.g. http://127.0.0.1:7070")
	fs.StringVar(&f.s3.Region, "s3-region", "", "S3 region (default: AWS_REGION or the AWS profile)")
	fs.BoolVar(&f.s3.PathStyle, "s3-path-style", false, "address the bucket in the path (most S3-compatible stores need this)")
	return f
}

func (f *storeFlags) open(ctx context.Context) (storeurl.Target, error) {
	if f.url == "" {
		return storeurl.Target{}, errors.New("--store is required")
	}
	return storeurl.Open(ctx, f.url, f.s3)
}
