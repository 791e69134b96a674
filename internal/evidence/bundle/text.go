package bundle

import (
	"fmt"
	"io"
	"strings"

	"github.com/agentaudit/otelcol-agentaudit/internal/readside/verify"
)

// proves and doesNotProve are what a clean check means, said the same way in the README and in
// `auditctl verify --bundle`.
const (
	proves = `- Each record in records.jsonl is, byte for byte, the record the store's signed Merkle tree holds
  at its place (stream, seq): its content hashes to its integrity.hash, and the inclusion proof
  leads from that hash to the root of a checkpoint signed with the trusted key.
- So it was not changed, and not inserted afterwards, after that checkpoint was signed.
- An erased record (a tombstone) keeps its hash: its place is proven, its content is gone.`
	doesNotProve = `- That the bundle holds every record of the selection: whoever made it chose which records to
  include. Completeness can only be checked against the store (auditctl verify --checkpoints).
- Anything about records after the checkpoint's tree size (listed as bundle_unproven).
- That the store still holds the same records today, or that the checkpoint was witnessed:
  compare the checkpoint with the witness's copy, or ask the operator for a newer one and a
  consistency proof.
- Who the signing key belongs to: check its fingerprint with the operator, out of band.`
)

func readme(ix Index) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Evidence bundle\n\nSelection: %s\nStore: %s\nCreated: %s\nRecords: %d\n\n",
		ix.Selection, ix.Store, ix.CreatedAt.Format("2006-01-02T15:04:05Z"), len(ix.Records))
	b.WriteString(`## Contents

| File | What |
|---|---|
| records.jsonl | the records as stored (canonical JSON, one per line, with their integrity field) |
| index.json | per record: stream, seq, hash, the checkpoint file and tree size, and its inclusion proof (base64 hashes) |
| checkpoints/<stream>/<size>.checkpoint | signed checkpoints (C2SP tlog-checkpoint, Ed25519 signed note) |
| keys/<fingerprint>.pub, .vkey | the signing public key (PEM) and its note verifier key |

## Verify

    auditctl verify --bundle THIS.zip --pubkey audit-signing.pub

Without --pubkey the keys in keys/ are used, which proves only that the bundle is consistent in
itself: get the public key (or its fingerprint) from the operator by another channel.

By hand, with any RFC 6962/9162 library: the leaf of a record is SHA-256(0x00 || the 32 bytes of
its integrity.hash) at index seq-1; its content hash is SHA-256(prev_hash || the canonical JSON
of the line without its integrity member); check the inclusion proof against the checkpoint's root
and tree size, and the checkpoint's signature with the verifier key (golang.org/x/mod/sumdb/note).

## What a clean result proves

`)
	b.WriteString(proves + "\n\n## What it does not prove\n\n" + doesNotProve + "\n")
	return b.String()
}

// WriteText writes the report for a human, with what a clean result proves and what it does not.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "bundle:   %s from %s\nrecords:  %d checked, %d proven against a signed checkpoint\n", r.Selection, r.Store, r.Records, r.Proven)
	fmt.Fprintf(&b, "keys:     %s (%s)\n", strings.Join(r.Keys, ", "), r.KeyTrust)
	if r.KeyTrust != verify.TrustExplicit {
		b.WriteString("WARNING: checkpoints were checked with the keys the bundle itself carries; anyone can make a\n" +
			"         bundle that is consistent in itself. Pass the operator's public key with --pubkey.\n")
	}
	failures := 0
	for _, f := range r.Findings {
		if f.Severity == verify.Failure {
			failures++
		}
	}
	fmt.Fprintf(&b, "findings: %d failures, %d informational\n", failures, len(r.Findings)-failures)
	for _, f := range r.Findings {
		level := "FAIL"
		if f.Severity == verify.Info {
			level = "info"
		}
		fmt.Fprintf(&b, "  %s %-22s stream=%s seq=%d: %s\n", level, f.Kind, f.Stream, f.Seq, f.Detail)
	}
	if r.OK {
		b.WriteString("result:   OK\n\nThis proves:\n" + proves + "\n\nIt does not prove:\n" + doesNotProve + "\n")
	} else {
		b.WriteString("result:   FAILED\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
