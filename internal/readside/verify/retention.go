package verify

import (
	"errors"
	"fmt"

	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
)

// retentionMarker is a stream's retention marker whose signature is acceptable (valid, or absent
// pending the check that the stream is unsigned too).
type retentionMarker struct {
	key    string
	m      objectstore.Manifest
	status signatureStatus
}

// loadRetentionMarker reads and checks the marker at key (none when key is empty). A marker that does
// not parse, describes another stream or has a bad signature is reported and then ignored, so the
// cut it claims shows up as the missing manifests and seqs it would have explained.
func (v *verifier) loadRetentionMarker(stream, key string) (*retentionMarker, error) {
	if key == "" {
		return nil, nil
	}
	raw, err := v.backend.Get(v.ctx, key)
	if errors.Is(err, objectstore.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	v.rep.Counts.Manifests++
	m, err := objectstore.DecodeManifest(raw)
	if err != nil || m.Kind != objectstore.ManifestKindRetention || m.Stream != stream || m.LastSeq == 0 || m.PreviousManifestKey == "" {
		v.add(Finding{
			Kind: BrokenChain, Severity: Failure, Stream: stream, ManifestKey: key,
			Detail: "retention marker does not parse or does not describe a retention of this stream",
		})
		return nil, nil
	}
	status := v.checkSignature(m, raw, key)
	if status == signatureBad {
		return nil, nil
	}
	return &retentionMarker{key: key, m: m, status: status}, nil
}

// retentionCut returns what the stream's first kept manifest (kept; nil when none is left or it does
// not parse) must link to according to the marker: the last manifest retention deleted, with its
// signature, last seq and last hash. The marker only ever stands in for seqs 1..last_seq before the
// first kept manifest; whatever is gone after that is still reported by the usual link and seq checks.
// A nil result leaves the first kept manifest to the checks a stream without marker gets.
func (v *verifier) retentionCut(st *streamState, mk *retentionMarker, kept *objectstore.Manifest, keptKey string, present map[string]bool) *chainLink {
	if mk == nil {
		return nil
	}
	m := mk.m
	if mk.status == signatureMissing {
		// Like an unsigned erasure: an unsigned marker can only stand in for an unsigned chain, or
		// anyone with write access could declare any head of a signed stream expired.
		if m.PreviousManifestSignature != "" || kept != nil && (kept.Signature != "" || kept.KeyFingerprint != "") {
			v.add(Finding{
				Kind: BadSignature, Severity: Failure, Stream: st.name, ManifestKey: mk.key,
				Detail: "unsigned retention marker for a signed stream",
			})
			return nil
		}
		sev := Info
		if v.opts.RequireSignature {
			sev = Failure
		}
		v.add(Finding{
			Kind: Unsigned, Severity: sev, Stream: st.name, Seq: 1, LastSeq: m.LastSeq, ManifestKey: mk.key,
			Detail: "the retention marker is unsigned",
		})
	}
	if kept != nil && (m.LastSeq >= kept.FirstSeq || present[m.PreviousManifestKey]) {
		v.add(Finding{
			Kind: BrokenChain, Severity: Failure, Stream: st.name, Seq: kept.FirstSeq, ManifestKey: mk.key,
			Detail: fmt.Sprintf("the retention marker says seqs 1..%d and manifest %s were deleted, but %s (seqs %d..%d) is still in the store",
				m.LastSeq, m.PreviousManifestKey, keptKey, kept.FirstSeq, kept.LastSeq),
		})
		return nil
	}
	v.add(Finding{
		Kind: Expired, Severity: Info, Stream: st.name, Seq: 1, LastSeq: m.LastSeq, ManifestKey: mk.key,
		Detail: fmt.Sprintf("deleted by retention up to manifest %s, as the retention marker records", m.PreviousManifestKey),
	})
	return &chainLink{
		key: m.PreviousManifestKey, signature: m.PreviousManifestSignature, known: true,
		lastSeq: m.LastSeq, lastHash: m.LastHash, marker: mk.key,
	}
}
