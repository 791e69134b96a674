// Package verify checks an object store (file or S3) end to end: every manifest's signature and links,
// every object's SHA-256 against its manifest, every record's hash and chain position, and that no
// object or sequence number went missing or appeared without a manifest. The head of a stream that
// retention deleted is accepted only as far as the stream's signed retention marker vouches for it.
// It only reads.
package verify

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/jsonvalue"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/query"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// maxRecordsPerObject bounds the seq range of one manifest that is checked record by record, so a
// corrupt manifest cannot make the verifier loop over billions of numbers.
const maxRecordsPerObject = 1 << 24

var (
	manifestName = regexp.MustCompile(`^(\d{20})\.json$`)
	erasureName  = regexp.MustCompile(`^(\d{20})\.erasure-(.+)\.json$`)
	objectName   = regexp.MustCompile(`^(.+)-(\d{20})\.jsonl(\.gz)?$`)
)

// Verify checks the store below prefix on backend. The error is for an unreachable or unreadable
// backend only; everything wrong with the stored data is a finding in the report.
func Verify(ctx context.Context, backend objectstore.Backend, prefix string, opts Options) (Report, error) {
	prefix = strings.Trim(prefix, "/")
	v := &verifier{
		ctx:     ctx,
		backend: backend,
		layout:  objectstore.Layout{Prefix: prefix},
		opts:    opts,
		rep:     &Report{Store: backend.String(), Prefix: prefix},
		trusted: map[string]ed25519.PublicKey{},
		keys:    map[string]*KeyInfo{},
		objects: map[string]bool{},
		covered: map[string]bool{},

		recordIDs: query.NewDistinct(),
	}
	if err := v.run(); err != nil {
		return Report{}, err
	}
	v.rep.Counts.DuplicateRecords = v.recordIDs.Copies
	v.rep.Finish()
	return *v.rep, nil
}

type verifier struct {
	ctx     context.Context
	backend objectstore.Backend
	layout  objectstore.Layout
	opts    Options
	rep     *Report

	trusted map[string]ed25519.PublicKey // by fingerprint
	keys    map[string]*KeyInfo          // every key known, trusted or not
	objects map[string]bool              // data objects present
	covered map[string]bool              // data objects some manifest names
	// recordIDs counts each record_id once, to report the copies retries left (16 bytes per id).
	recordIDs *query.Distinct
}

// manifestFile is a manifest's key with what its name says.
type manifestFile struct {
	key      string
	firstSeq uint64
}

func (v *verifier) run() error {
	listPrefix := ""
	if v.layout.Prefix != "" {
		listPrefix = v.layout.Prefix + "/"
	}
	all, err := v.backend.List(v.ctx, listPrefix)
	if err != nil {
		return fmt.Errorf("list %s: %w", v.backend, err)
	}
	manifests := map[string][]manifestFile{} // stream → object manifests
	erasureKeys := map[string][]string{}     // original manifest key → erasure manifest keys
	markers := map[string]string{}           // stream → retention marker key
	var keyFiles []string
	for _, k := range all {
		switch {
		case objectstore.IsDataObject(k):
			v.objects[k] = true
		case strings.HasPrefix(k, v.layout.KeysPrefix()) && strings.HasSuffix(k, ".pub"):
			keyFiles = append(keyFiles, k)
		case strings.HasPrefix(k, v.layout.ManifestsRoot()):
			stream, file, ok := strings.Cut(strings.TrimPrefix(k, v.layout.ManifestsRoot()), "/")
			if !ok {
				continue
			}
			if m := manifestName.FindStringSubmatch(file); m != nil {
				seq, _ := strconv.ParseUint(m[1], 10, 64)
				manifests[stream] = append(manifests[stream], manifestFile{key: k, firstSeq: seq})
			} else if m := erasureName.FindStringSubmatch(file); m != nil {
				orig := v.layout.ManifestPrefix(stream) + m[1] + ".json"
				erasureKeys[orig] = append(erasureKeys[orig], k)
			}
		case strings.HasSuffix(k, ".json"):
			if stream := strings.TrimSuffix(path.Base(k), ".json"); v.layout.RetentionMarkerKey(stream) == k {
				markers[stream] = k
			}
		}
	}
	if err := v.loadKeys(keyFiles); err != nil {
		return err
	}
	v.rep.Counts.Objects = len(v.objects)

	streams := map[string]bool{}
	for stream := range manifests {
		streams[stream] = true
	}
	for stream := range markers {
		streams[stream] = true
	}
	for _, stream := range slices.Sorted(maps.Keys(streams)) {
		files := manifests[stream]
		sort.Slice(files, func(i, j int) bool { return files[i].key < files[j].key })
		if err := v.verifyStream(stream, files, erasureKeys, markers[stream]); err != nil {
			return err
		}
	}
	manifestPresent := map[string]bool{}
	for _, files := range manifests {
		for _, f := range files {
			manifestPresent[f.key] = true
		}
	}
	for orig, keys := range erasureKeys {
		if manifestPresent[orig] {
			continue
		}
		for _, k := range keys {
			v.add(Finding{
				Kind: BrokenChain, Severity: Failure, ManifestKey: k,
				Detail: fmt.Sprintf("erasure manifest for %s, which does not exist", orig),
			})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(v.objects)) {
		if v.covered[k] {
			continue
		}
		f := Finding{Kind: UnmanifestedObject, Severity: Failure, ObjectKey: k, Detail: "no manifest covers this object"}
		if m := objectName.FindStringSubmatch(path.Base(k)); m != nil {
			f.Stream = m[1]
			f.Seq, _ = strconv.ParseUint(m[2], 10, 64)
			streams[f.Stream] = true
		}
		v.add(f)
	}
	v.rep.Counts.Streams = len(streams)
	for _, k := range v.keys {
		v.rep.Keys = append(v.rep.Keys, *k)
	}
	return nil
}

// loadKeys trusts the explicit keys, or else the ones published in the store.
func (v *verifier) loadKeys(keyFiles []string) error {
	for _, pk := range v.opts.PublicKeys {
		fp := objectstore.Fingerprint(pk.Key)
		v.trusted[fp] = pk.Key
		v.keys[fp] = &KeyInfo{Fingerprint: fp, Trust: TrustExplicit, Source: pk.Source}
	}
	for _, k := range keyFiles {
		b, err := v.backend.Get(v.ctx, k)
		if errors.Is(err, objectstore.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", k, err)
		}
		pub, err := objectstore.ParsePublicKey(b)
		if err != nil {
			continue // an unusable key file trusts nothing; signatures made with it show up as unknown-key findings
		}
		fp := objectstore.Fingerprint(pub)
		if path.Base(k) != fp+".pub" {
			continue // a key stored under another key's name is not that key
		}
		if _, ok := v.keys[fp]; ok {
			continue // explicit wins
		}
		info := &KeyInfo{Fingerprint: fp, Trust: TrustNone, Source: k}
		if len(v.opts.PublicKeys) == 0 {
			info.Trust = TrustStore
			v.trusted[fp] = pub
		}
		v.keys[fp] = info
	}
	return nil
}

// signatureStatus is the outcome of checking one manifest's signature.
type signatureStatus int

const (
	signatureValid signatureStatus = iota
	signatureMissing
	signatureBad
)

// checkSignature verifies m's signature over the stored bytes raw (not over a re-encoding of m), so
// a field the verifier does not know, or one an attacker added, is covered as well.
func (v *verifier) checkSignature(m objectstore.Manifest, raw []byte, manifestKey string) signatureStatus {
	if m.Signature == "" && m.KeyFingerprint == "" {
		return signatureMissing
	}
	bad := Finding{Kind: BadSignature, Severity: Failure, Stream: m.Stream, Seq: m.FirstSeq, ObjectKey: m.ObjectKey, ManifestKey: manifestKey}
	key, ok := v.trusted[m.KeyFingerprint]
	switch {
	case !ok && v.keys[m.KeyFingerprint] != nil:
		bad.Detail = fmt.Sprintf("signed with key %s, which is in the store but not among the trusted --pubkey keys", m.KeyFingerprint)
	case !ok:
		bad.Detail = fmt.Sprintf("signed with unknown key %q (not given and not published in the store)", m.KeyFingerprint)
	case !verifyStoredSignature(raw, m.Signature, key):
		bad.Detail = "signature does not verify with key " + m.KeyFingerprint
	default:
		v.keys[m.KeyFingerprint].Manifests++
		return signatureValid
	}
	v.add(bad)
	return signatureBad
}

// verifyStoredSignature checks signature over the canonical JSON of the stored manifest with its
// signature member removed.
func verifyStoredSignature(raw []byte, signature string, key ed25519.PublicKey) bool {
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return false
	}
	parsed, _ := jsonvalue.Parse(string(raw))
	doc, ok := parsed.(map[string]any)
	if !ok {
		return false
	}
	delete(doc, "signature")
	input, err := auditrecord.AppendCanonicalValue(nil, doc)
	if err != nil {
		return false
	}
	return ed25519.Verify(key, input, sig)
}

// chainLink is what the next manifest of a stream must link to.
type chainLink struct {
	key          string
	signature    string
	signatureBad bool // already reported; the next link is not blamed for it
	known        bool // the manifest parsed, so lastSeq/lastHash mean something
	lastSeq      uint64
	lastHash     string
	// marker is the retention marker that vouches for this link when the manifest itself was deleted.
	marker string
}

// name is the previous manifest as findings name it.
func (l chainLink) name() string {
	if l.marker != "" {
		return fmt.Sprintf("%s (deleted by retention, per %s)", l.key, l.marker)
	}
	return l.key
}

// streamState collects what a stream's records cover, for the missing_seq check at the end.
type streamState struct {
	name      string
	seen      map[uint64]bool
	explained []seqRange // seqs already reported (deleted object, manifest gap)
	ranges    []manifestRange
}

type seqRange struct{ first, last uint64 }

func (st *streamState) isExplained(s uint64) bool {
	for _, r := range st.explained {
		if s >= r.first && s <= r.last {
			return true
		}
	}
	return false
}

type manifestRange struct {
	first, last uint64
	manifestKey string
	objectKey   string
}

func (v *verifier) verifyStream(stream string, files []manifestFile, erasureKeys map[string][]string, markerKey string) error {
	st := &streamState{name: stream, seen: map[uint64]bool{}}
	present := map[string]bool{}
	for _, f := range files {
		present[f.key] = true
	}
	marker, err := v.loadRetentionMarker(stream, markerKey)
	if err != nil {
		return err
	}
	var prev *chainLink
	unsigned, signed := 0, 0
	var firstUnsigned manifestFile
	first := true
	for _, f := range files {
		raw, err := v.backend.Get(v.ctx, f.key)
		if errors.Is(err, objectstore.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", f.key, err)
		}
		v.rep.Counts.Manifests++
		m, err := objectstore.DecodeManifest(raw)
		if first {
			first = false
			var kept *objectstore.Manifest
			if err == nil {
				kept = &m
			}
			prev = v.retentionCut(st, marker, kept, f.key, present)
		}
		if err != nil {
			v.add(Finding{
				Kind: BrokenChain, Severity: Failure, Stream: stream, Seq: f.firstSeq, ManifestKey: f.key,
				Detail: "manifest does not parse: " + err.Error(),
			})
			prev = &chainLink{key: f.key, signatureBad: true}
			continue
		}
		status := v.checkSignature(m, raw, f.key)
		if status == signatureMissing {
			if unsigned == 0 {
				firstUnsigned = f
			}
			unsigned++
		} else {
			signed++
		}
		v.checkManifestLinks(st, f, m, prev, present)
		if err := v.verifyObject(st, f.key, m, status, erasureKeys[f.key]); err != nil {
			return err
		}
		prev = &chainLink{
			key: f.key, signature: m.Signature, signatureBad: status == signatureBad,
			known: true, lastSeq: m.LastSeq, lastHash: m.LastHash,
		}
	}
	if first { // every manifest of the stream expired (or vanished): only the marker is left
		v.retentionCut(st, marker, nil, "", present)
	}
	if unsigned > 0 {
		sev := Info
		if v.opts.RequireSignature {
			sev = Failure
		}
		v.add(Finding{
			Kind: Unsigned, Severity: sev, Stream: stream, Seq: firstUnsigned.firstSeq, ManifestKey: firstUnsigned.key,
			Detail: fmt.Sprintf("%d of %d manifests are unsigned (first shown)", unsigned, unsigned+signed),
		})
	}
	v.reportMissingRecords(st)
	return nil
}

// checkManifestLinks checks m's place in the manifest chain: its name, its link to the previous
// manifest and that its sequence range continues the previous one.
func (v *verifier) checkManifestLinks(st *streamState, f manifestFile, m objectstore.Manifest, prev *chainLink, present map[string]bool) {
	broken := func(format string, args ...any) {
		v.add(Finding{
			Kind: BrokenChain, Severity: Failure, Stream: st.name, Seq: m.FirstSeq, ObjectKey: m.ObjectKey,
			ManifestKey: f.key, Detail: fmt.Sprintf(format, args...),
		})
	}
	if m.Kind != "" || m.Stream != st.name || m.FirstSeq != f.firstSeq {
		broken("manifest stored as stream %q seq %d describes kind %q stream %q seq %d", st.name, f.firstSeq, m.Kind, m.Stream, m.FirstSeq)
	}
	var want chainLink
	if prev != nil {
		want = *prev
	}
	switch {
	case m.PreviousManifestKey != want.key && m.PreviousManifestKey != "" && !present[m.PreviousManifestKey] && want.marker != "":
		broken("previous manifest %s is missing, and it is not the last manifest retention deleted: %s", m.PreviousManifestKey, want.name())
	case m.PreviousManifestKey != want.key && m.PreviousManifestKey != "" && !present[m.PreviousManifestKey]:
		broken("previous manifest %s is missing", m.PreviousManifestKey)
	case m.PreviousManifestKey != want.key:
		broken("previous_manifest_key is %q, but the manifest before it is %q", m.PreviousManifestKey, want.key)
	case m.PreviousManifestSignature != want.signature && !want.signatureBad:
		broken("previous_manifest_signature does not match the signature of %s", want.name())
	}

	if prev != nil && !prev.known {
		return
	}
	expectFirst := want.lastSeq + 1
	switch {
	case m.FirstSeq > expectFirst:
		v.add(Finding{
			Kind: MissingSeq, Severity: Failure, Stream: st.name, Seq: expectFirst, LastSeq: m.FirstSeq - 1,
			ManifestKey: f.key, Detail: "no manifest covers these sequence numbers",
		})
		st.explained = append(st.explained, seqRange{expectFirst, m.FirstSeq - 1})
	case m.FirstSeq < expectFirst:
		v.add(Finding{
			Kind: ReorderedSeq, Severity: Failure, Stream: st.name, Seq: m.FirstSeq, ManifestKey: f.key,
			Detail: fmt.Sprintf("manifest starts at seq %d, but the previous manifest already reaches seq %d", m.FirstSeq, want.lastSeq),
		})
	case m.FirstPrevHash != want.lastHash:
		broken("first_prev_hash does not match last_hash of the previous manifest %s", want.name())
	}
}

// verifyObject checks the object m describes: present, unchanged (or changed only by a valid
// erasure) and holding exactly the chained records of m's range.
func (v *verifier) verifyObject(st *streamState, manifestKey string, m objectstore.Manifest, status signatureStatus, erasureKeys []string) error {
	if m.RecordCount <= 0 || m.LastSeq < m.FirstSeq || m.LastSeq-m.FirstSeq+1 != uint64(m.RecordCount) {
		v.add(Finding{
			Kind: BrokenChain, Severity: Failure, Stream: st.name, Seq: m.FirstSeq, ObjectKey: m.ObjectKey, ManifestKey: manifestKey,
			Detail: fmt.Sprintf("manifest range %d..%d does not match its record_count %d", m.FirstSeq, m.LastSeq, m.RecordCount),
		})
	}
	st.ranges = append(st.ranges, manifestRange{first: m.FirstSeq, last: m.LastSeq, manifestKey: manifestKey, objectKey: m.ObjectKey})
	data, err := v.backend.Get(v.ctx, m.ObjectKey)
	if errors.Is(err, objectstore.ErrNotExist) {
		v.add(Finding{
			Kind: DeletedObject, Severity: Failure, Stream: st.name, Seq: m.FirstSeq, LastSeq: m.LastSeq,
			ObjectKey: m.ObjectKey, ManifestKey: manifestKey, Detail: "the manifest names an object that does not exist",
		})
		st.explained = append(st.explained, seqRange{m.FirstSeq, m.LastSeq})
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", m.ObjectKey, err)
	}
	v.covered[m.ObjectKey] = true
	actual := objectstore.ObjectDigest(data)

	var erased map[uint64]bool
	modified := false
	if actual != m.ObjectSHA256 || int64(len(data)) != m.ObjectBytes {
		erasure, seqs, err := v.explainingErasure(st, m, status, actual, int64(len(data)), erasureKeys)
		if err != nil {
			return err
		}
		if erasure != "" {
			erased = seqs
			sorted := slices.Sorted(maps.Keys(seqs))
			f := Finding{
				Kind: Erased, Severity: Info, Stream: st.name, ObjectKey: m.ObjectKey, ManifestKey: erasure,
				Detail: fmt.Sprintf("%d records replaced by tombstones under a valid erasure manifest", len(seqs)),
			}
			if len(sorted) > 0 {
				f.Seq, f.LastSeq = sorted[0], sorted[len(sorted)-1]
			}
			v.add(f)
		} else {
			modified = true
			v.add(Finding{
				Kind: ModifiedObject, Severity: Failure, Stream: st.name, Seq: m.FirstSeq, LastSeq: m.LastSeq,
				ObjectKey: m.ObjectKey, ManifestKey: manifestKey,
				Detail: fmt.Sprintf("object sha256 %s (%d bytes) differs from the manifest's %s (%d bytes)", actual, len(data), m.ObjectSHA256, m.ObjectBytes),
			})
		}
	}
	v.checkRecords(st, manifestKey, m, data, erased, modified)
	return nil
}

// explainingErasure returns the erasure manifest that accounts for the object's current bytes, with
// the union of seqs every valid erasure of this object removed (a later erasure keeps earlier tombstones).
func (v *verifier) explainingErasure(st *streamState, m objectstore.Manifest, original signatureStatus, sha string, size int64, keys []string) (string, map[uint64]bool, error) {
	seqs := map[uint64]bool{}
	match := ""
	for _, k := range keys {
		raw, err := v.backend.Get(v.ctx, k)
		if errors.Is(err, objectstore.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", nil, fmt.Errorf("read %s: %w", k, err)
		}
		v.rep.Counts.Manifests++
		e, err := objectstore.DecodeManifest(raw)
		if err != nil || e.Kind != objectstore.ManifestKindErasure || e.Stream != st.name && e.Stream != "" {
			v.add(Finding{
				Kind: BrokenChain, Severity: Failure, Stream: st.name, Seq: m.FirstSeq, ManifestKey: k,
				Detail: "erasure manifest does not parse or does not describe an erasure of this stream",
			})
			continue
		}
		e.Stream = st.name
		switch v.checkSignature(e, raw, k) {
		case signatureBad:
			continue
		case signatureMissing:
			// An unsigned erasure can only stand in for an unsigned original: otherwise anyone with write
			// access could "erase" whatever they changed.
			if original != signatureMissing || v.opts.RequireSignature {
				v.add(Finding{
					Kind: BadSignature, Severity: Failure, Stream: st.name, Seq: m.FirstSeq, ObjectKey: m.ObjectKey, ManifestKey: k,
					Detail: "unsigned erasure manifest for a signed object manifest",
				})
				continue
			}
		}
		if e.ManifestKey != "" && e.ManifestKey != v.layout.ManifestKey(st.name, m.FirstSeq) {
			continue
		}
		for _, s := range e.ErasedSeqs {
			seqs[s] = true
		}
		if e.ObjectSHA256 == sha && e.ObjectBytes == size {
			match = k
		}
	}
	return match, seqs, nil
}

func (v *verifier) add(f Finding) { v.rep.Findings = append(v.rep.Findings, f) }
