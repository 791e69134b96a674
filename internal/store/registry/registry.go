// Package registry is the one list of store kinds: their exporter names, their URL schemes, how the
// exporter builds each from its config section and how a reader opens each from a URL and Options
// (Open; auditctl fills the Options from flags with AddFlags). What a store can do beyond reading and
// writing (erase a user, expire old data, verify integrity, make fresh writes readable) is a
// capability interface of internal/trail; the engines that need the read side (erasure, object-store
// retention and verification) are attached by internal/readside/trailstore, so this package imports
// nothing of the read side. Adding a store is its package plus one entry in kinds.
package registry

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/storeurl"
	"github.com/agentaudit/otelcol-agentaudit/internal/trail"
)

// Kind is one store kind.
type Kind struct {
	// Name is the exporter's `store:` value.
	Name string
	// Schemes are the auditctl --store URL schemes that select this kind.
	Schemes []string
	// URLForms shows the URL forms in --store help.
	URLForms string
	// Open prepares the store at u from o without contacting it: an error here is a bad URL.
	Open func(u *url.URL, o OpenOptions) (Handle, error)
	// NewStore builds the exporter's store from its config section (the exporter passes the section
	// named like the kind).
	NewStore func(section any, o NewOptions) (store.Store, error)
	// Flags registers the kind's own auditctl flags on fs, filling its part of o.
	Flags func(fs *flag.FlagSet, o *OpenOptions)
}

// NewOptions is what every exporter store gets besides its config section.
type NewOptions struct {
	Settings store.Settings
	// Signer signs manifests (object stores); nil writes them unsigned.
	Signer *objectstore.Signer
	// Checkpoints makes object stores write signed checkpoints (with Signer); nil: none.
	Checkpoints *objectstore.CheckpointOptions
}

// OpenOptions is what a reader (auditctl, the console) opens a store with besides its URL: what every
// kind takes, then each kind's own settings, which a URL cannot carry. Zero values are the defaults.
type OpenOptions struct {
	// InstanceID names the chains the reader's own records (access, erasure) go to.
	InstanceID string
	// Signer signs what the reader writes to stores with signed manifests; nil when not given.
	Signer *objectstore.Signer
	// S3 addresses S3-compatible stores (s3://).
	S3 storeurl.S3Options
	// Search is the search engine's flavor, index period and CA (http(s)://).
	Search SearchOptions
	// Postgres holds where the PostgreSQL password comes from (postgres://).
	Postgres PostgresOptions
}

// Handle is an opened store as auditctl uses it: it reads records and writes its access and erasure
// records through the store's own writer.
type Handle interface {
	store.Reader
	// Connect checks the store is there and reachable; its error means "unreachable".
	Connect(ctx context.Context) error
	// Write appends auditctl's own records (access, erasure) the way the collector does.
	Write(ctx context.Context, b store.Batch) error
	// Location names the store for messages and reports, without credentials.
	Location() string
	// Close releases connections.
	Close() error
}

// The capabilities, as auditctl's commands know them (see internal/trail).
type (
	Eraser    = trail.Eraser
	Expirer   = trail.Expirer
	Verifier  = trail.Verifier
	Refresher = trail.Refresher
)

// Evidencer is a store whose streams are Merkle trees with signed checkpoints (file, S3,
// PostgreSQL, search engine): `auditctl verify --checkpoints` and `auditctl export` work on its
// Ledger (after Connect).
type Evidencer interface {
	Ledger() evidence.Ledger
}

// ErrBadURL marks a store URL that names no store we can open: a usage error, not an unreachable store.
var ErrBadURL = errors.New("bad store URL")

// ErrUnsupported marks a capability the store kind does not have.
var ErrUnsupported = errors.New("not supported by this command yet")

// Kinds lists every store kind.
func Kinds() []Kind { return kinds }

// ByName returns the kind the exporter's `store:` value names.
func ByName(name string) (Kind, bool) {
	for _, k := range kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// Names lists the exporter's store names, for messages.
func Names() []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k.Name
	}
	return out
}

// URLForms lists the URL forms of every kind, for --store help.
func URLForms() string {
	forms := make([]string, 0, len(kinds))
	for _, k := range kinds {
		forms = append(forms, k.URLForms)
	}
	return strings.Join(forms, ", ")
}

// AddFlags registers every kind's auditctl flags on fs and returns the options they fill.
func AddFlags(fs *flag.FlagSet) *OpenOptions {
	o := &OpenOptions{}
	for _, k := range kinds {
		k.Flags(fs, o)
	}
	return o
}

// Open prepares the store raw names with o, without contacting it; errors wrap ErrBadURL.
func Open(raw string, o OpenOptions) (Handle, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, BadURL(fmt.Errorf("store URL %q: %w", raw, err))
	}
	var schemes []string
	for _, k := range kinds {
		for _, s := range k.Schemes {
			if s == u.Scheme {
				h, err := k.Open(u, o)
				if err != nil {
					return nil, BadURL(err)
				}
				return h, nil
			}
			schemes = append(schemes, s+"://")
		}
	}
	if u.Scheme == "" {
		return nil, BadURL(fmt.Errorf("store URL %q: missing scheme (%s)", raw, strings.Join(schemes, ", ")))
	}
	return nil, BadURL(fmt.Errorf("store URL %q: unknown scheme %q (%s)", raw, u.Scheme, strings.Join(schemes, ", ")))
}

// BadURL marks err as a bad store URL (errors.Is(err, ErrBadURL)) keeping its message.
func BadURL(err error) error {
	if err == nil || errors.Is(err, ErrBadURL) {
		return err
	}
	return badURLError{err}
}

type badURLError struct{ err error }

func (e badURLError) Error() string        { return e.err.Error() }
func (e badURLError) Unwrap() error        { return e.err }
func (e badURLError) Is(target error) bool { return target == ErrBadURL }
