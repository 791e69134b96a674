package trail

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Kind names what a finding is about. The values are stable: scripts match on them.
type Kind string

const (
	// ModifiedRecord: a record's content no longer hashes to its integrity.hash (or the line is not a record).
	ModifiedRecord Kind = "modified_record"
	// ModifiedObject: an object's SHA-256 differs from its manifest and no erasure manifest explains it.
	ModifiedObject Kind = "modified_object"
	// DeletedObject: a manifest names an object that is gone.
	DeletedObject Kind = "deleted_object"
	// UnmanifestedObject: a data object no manifest covers (injected, or its manifest was deleted).
	UnmanifestedObject Kind = "unmanifested_object"
	// MissingSeq: sequence numbers of a stream that nothing covers any more.
	MissingSeq Kind = "missing_seq"
	// ReorderedSeq: records or manifests out of sequence order, or in an object whose range does not hold them.
	ReorderedSeq Kind = "reordered_seq"
	// BrokenChain: a prev_hash, previous_manifest_key or previous_manifest_signature link does not match.
	BrokenChain Kind = "broken_chain"
	// BadSignature: a manifest (or retention marker) signature that does not verify, or was made with an untrusted/unknown key.
	BadSignature Kind = "bad_signature"
	// Unsigned: manifests without a signature; informational unless VerifyOptions.RequireSignature.
	Unsigned Kind = "unsigned"
	// Erased: a valid erasure manifest explains a changed object (records replaced by tombstones); informational.
	Erased Kind = "erased"
	// Expired: seqs 1..N of a stream that retention deleted, as its valid retention marker records;
	// informational. The first kept manifest must link to the deleted manifest the marker names, or
	// the usual broken_chain/missing_seq failures follow.
	Expired Kind = "expired"
)

// Severity says whether a finding fails verification.
type Severity string

const (
	Failure Severity = "failure"
	Info    Severity = "info"
)

// Finding is one problem (or notable fact) at one place in the store.
type Finding struct {
	Kind     Kind     `json:"kind"`
	Severity Severity `json:"severity"`
	Stream   string   `json:"stream,omitempty"`
	// Seq is the first sequence number concerned and LastSeq the last, when it is a range.
	Seq         uint64 `json:"seq,omitempty"`
	LastSeq     uint64 `json:"last_seq,omitempty"`
	ObjectKey   string `json:"object_key,omitempty"`
	ManifestKey string `json:"manifest_key,omitempty"`
	Detail      string `json:"detail"`
}

// Key trust sources.
const (
	TrustExplicit = "explicit"    // given by the verifier (--pubkey)
	TrustStore    = "store"       // read from <prefix>/_keys in the store being verified
	TrustNone     = "not_trusted" // in the store, but explicit keys were given and this is not one of them
)

// KeyInfo is a public key the verification knew about.
type KeyInfo struct {
	Fingerprint string `json:"fingerprint"`
	Trust       string `json:"trust"`
	Source      string `json:"source"` // file or store key it came from
	// Manifests counts the manifests whose signature verified with this key.
	Manifests int `json:"manifests"`
}

// Counts summarises what was checked.
type Counts struct {
	Streams   int `json:"streams"`
	Manifests int `json:"manifests"`
	Objects   int `json:"objects"`
	Records   int `json:"records"`
	// DuplicateRecords counts stored records whose record_id an earlier record already has: honest
	// copies written again by an at-least-once retry or a replayed queue (each is chained in its own
	// place, so it breaks nothing). Readers count a record_id once.
	DuplicateRecords int `json:"duplicate_records"`
}

// Report is the outcome of a verification (readside/verify on the object stores, pgstore on PostgreSQL).
type Report struct {
	Store    string    `json:"store"`
	Prefix   string    `json:"prefix"`
	Counts   Counts    `json:"counts"`
	Keys     []KeyInfo `json:"keys"`
	Findings []Finding `json:"findings"`
	// OK is true when no finding has severity failure.
	OK bool `json:"ok"`
}

// Failures counts findings that fail verification.
func (r *Report) Failures() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == Failure {
			n++
		}
	}
	return n
}

// TrustedFromStore reports whether any signature was accepted on a key read from the store itself.
func (r *Report) TrustedFromStore() bool {
	for _, k := range r.Keys {
		if k.Trust == TrustStore && k.Manifests > 0 {
			return true
		}
	}
	return false
}

// Finish sorts the findings and keys and sets OK; every verifier calls it on its finished report.
func (r *Report) Finish() {
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if a.Stream != b.Stream {
			return a.Stream < b.Stream
		}
		if a.Seq != b.Seq {
			return a.Seq < b.Seq
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.ObjectKey+a.ManifestKey < b.ObjectKey+b.ManifestKey
	})
	sort.Slice(r.Keys, func(i, j int) bool { return r.Keys[i].Fingerprint < r.Keys[j].Fingerprint })
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	if r.Keys == nil {
		r.Keys = []KeyInfo{}
	}
	r.OK = r.Failures() == 0
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the report for a human.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "store:   %s (prefix %q)\n", r.Store, r.Prefix)
	fmt.Fprintf(&b, "checked: %d streams, %d manifests, %d objects, %d records\n",
		r.Counts.Streams, r.Counts.Manifests, r.Counts.Objects, r.Counts.Records)
	if r.Counts.DuplicateRecords > 0 {
		fmt.Fprintf(&b, "copies:  %d records are further copies of a record_id stored before (retried or replayed writes, not\n"+
			"         tampering: each copy is chained in its own place); readers count each record_id once\n", r.Counts.DuplicateRecords)
	}
	if len(r.Keys) == 0 {
		b.WriteString("keys:    none\n")
	}
	for _, k := range r.Keys {
		fmt.Fprintf(&b, "key:     %s  %s  %s  (%d manifests)\n", k.Fingerprint, trustLabel(k.Trust), k.Source, k.Manifests)
	}
	if r.TrustedFromStore() {
		b.WriteString("WARNING: signatures were checked with public keys trusted from the store itself; anyone with\n" +
			"         write access to the store could have replaced them. Pass the expected key with --pubkey.\n")
	}
	failures := r.Failures()
	fmt.Fprintf(&b, "findings: %d failures, %d informational\n", failures, len(r.Findings)-failures)
	for _, f := range r.Findings {
		level := "FAIL"
		if f.Severity == Info {
			level = "info"
		}
		fmt.Fprintf(&b, "  %s %-19s %s: %s\n", level, f.Kind, f.location(), f.Detail)
	}
	if r.OK {
		b.WriteString("result:  OK\n")
	} else {
		b.WriteString("result:  FAILED\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func trustLabel(trust string) string {
	switch trust {
	case TrustExplicit:
		return "trusted (explicit --pubkey)"
	case TrustStore:
		return "trusted from store"
	default:
		return "NOT trusted (not among the explicit keys)"
	}
}

func (f Finding) location() string {
	var parts []string
	if f.Stream != "" {
		parts = append(parts, "stream="+f.Stream)
	}
	if f.Seq != 0 {
		if f.LastSeq > f.Seq {
			parts = append(parts, fmt.Sprintf("seq=%d..%d", f.Seq, f.LastSeq))
		} else {
			parts = append(parts, fmt.Sprintf("seq=%d", f.Seq))
		}
	}
	if f.ObjectKey != "" {
		parts = append(parts, "object="+f.ObjectKey)
	}
	if f.ManifestKey != "" {
		parts = append(parts, "manifest="+f.ManifestKey)
	}
	return strings.Join(parts, " ")
}
