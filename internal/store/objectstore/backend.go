// Package objectstore keeps audit records as immutable objects — one gzip JSONL object per written
// batch, Hive-partitioned by hour — each record hash-chained per writer stream and each object covered
// by a (optionally Ed25519-signed) manifest that links to the previous one. The file and S3 stores are
// this package over two Backends; auditctl and verify read through the same Backend.
package objectstore

import (
	"context"
	"errors"
)

// ErrNotExist is returned by Backend.Get for a missing key.
var ErrNotExist = errors.New("object does not exist")

// ErrObjectLocked: an Object Lock retention (S3) keeps the object's current content readable until
// its date, so it cannot be erased before then.
var ErrObjectLocked = errors.New("object is under S3 Object Lock retention")

// Backend is a flat key/value object space (a directory tree or an S3 prefix).
type Backend interface {
	// Put stores data under key atomically: readers see the whole object or none. It must not
	// keep data after it returns: the Store reuses the buffer for its next object.
	Put(ctx context.Context, key string, data []byte) error
	// Get returns ErrNotExist (errors.Is) when the key is missing.
	Get(ctx context.Context, key string) ([]byte, error)
	// List returns every key that starts with prefix, sorted ascending.
	List(ctx context.Context, prefix string) ([]string, error)
	// Delete removes key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// String names the backend for messages, e.g. "file:///data".
	String() string
}
