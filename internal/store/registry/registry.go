// Package registry is the one list of store kinds: their exporter names, their auditctl URL schemes,
// how the exporter builds each from its config section and how auditctl opens each from a URL. What a
// store can do beyond reading and writing (erase a user, expire old data, verify integrity, make
// fresh writes readable) is a capability interface here that an opened store implements or not;
// auditctl asks for the capability, never for a concrete store type. Adding a store is its package
// plus one entry in kinds.
package registry

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/erase"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/retain"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/verify"
	"github.com/agentaudit/otelcol-agentaudit/internal/store"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// Kind is one store kind.
type Kind struct {
	// Name is the exporter's `store:` value.
	Name string
	// Schemes are the auditctl --store URL schemes that select this kind.
	Schemes []string
	// URLForms shows the URL forms in --store help.
	URLForms string
	// NewStore builds the exporter's store from its config section (the exporter passes the section
	// named like the kind).
	NewStore func(section any, o NewOptions) (store.Store, error)
	// Flags registers the kind's own auditctl flags on fs and returns the opener that uses them.
	Flags func(fs *flag.FlagSet) Opener
}

// NewOptions is what every exporter store gets besides its config section.
type NewOptions struct {
	Settings store.Settings
	// Signer signs manifests (object stores); nil writes them unsigned.
	Signer *objectstore.Signer
	// Checkpoints makes object stores write signed checkpoints (with Signer); nil: none.
	Checkpoints *objectstore.CheckpointOptions
}

// Opener prepares the store at u without contacting it: an error here is a bad URL (ErrBadURL).
type Opener func(u *url.URL, o OpenOptions) (Handle, error)

// OpenOptions is what auditctl passes every opener.
type OpenOptions struct {
	// InstanceID names the chains auditctl's own records (access, erasure) go to.
	InstanceID string
	// Signer signs what auditctl writes to stores with signed manifests; nil when not given.
	Signer *objectstore.Signer
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

// Eraser erases one user's records (the right to be forgotten).
type Eraser interface {
	Forget(ctx context.Context, opts erase.Options) (erase.Result, error)
}

// Expirer deletes data older than a retention age, whole partitions at a time.
type Expirer interface {
	Expire(ctx context.Context, opts retain.Options) (retain.Result, error)
	// DescribeExpiry is the one-line summary of res after verb ("deleted", "dry run: would delete").
	DescribeExpiry(verb string, res retain.Result) string
}

// Verifier checks the store's integrity chain end to end.
type Verifier interface {
	Verify(ctx context.Context, opts verify.Options) (verify.Report, error)
}

// ObjectLayout is a store on the object layout (file, S3): what checkpoint checks and evidence
// bundles read below the record interface (manifests, checkpoints, record lines as stored).
type ObjectLayout interface {
	ObjectStore() *objectstore.Store
}

// Refresher makes records written a moment ago visible to the next read (search engines refresh
// periodically; the other stores read their own writes anyway).
type Refresher interface {
	Refresh(ctx context.Context) error
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

// Flags registers every kind's auditctl flags and returns the openers by scheme.
func Flags(fs *flag.FlagSet) Openers {
	o := Openers{}
	for _, k := range kinds {
		open := k.Flags(fs)
		for _, s := range k.Schemes {
			o[s] = open
		}
	}
	return o
}

// Openers are the openers of every kind by URL scheme.
type Openers map[string]Opener

// Open prepares the store raw names; errors wrap ErrBadURL.
func (o Openers) Open(raw string, opts OpenOptions) (Handle, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, BadURL(fmt.Errorf("store URL %q: %w", raw, err))
	}
	open, ok := o[u.Scheme]
	if !ok {
		schemes := make([]string, 0, len(o))
		for _, k := range kinds {
			for _, s := range k.Schemes {
				schemes = append(schemes, s+"://")
			}
		}
		if u.Scheme == "" {
			return nil, BadURL(fmt.Errorf("store URL %q: missing scheme (%s)", raw, strings.Join(schemes, ", ")))
		}
		return nil, BadURL(fmt.Errorf("store URL %q: unknown scheme %q (%s)", raw, u.Scheme, strings.Join(schemes, ", ")))
	}
	h, err := open(u, opts)
	if err != nil {
		return nil, BadURL(err)
	}
	return h, nil
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
