package main

import (
	"errors"
	"flag"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/trailstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
)

// storeFlags are the flags every command that reads a store takes: --store and each store kind's own.
type storeFlags struct {
	url  string
	opts *registry.OpenOptions
}

func addStoreFlags(fs *flag.FlagSet) *storeFlags {
	f := &storeFlags{}
	fs.StringVar(&f.url, "store", "", "store URL: "+registry.URLForms()+" (required)")
	f.opts = registry.AddFlags(fs)
	return f
}

// prepare returns the store --store names without contacting it; an error is a usage error.
func (f *storeFlags) prepare(opts registry.OpenOptions) (registry.Handle, error) {
	if f.url == "" {
		return nil, errors.New("--store is required")
	}
	o := *f.opts
	o.InstanceID, o.Signer = opts.InstanceID, opts.Signer
	return trailstore.Open(f.url, o)
}
