// Package bundle writes and checks evidence bundles: one zip file that lets a recipient check,
// offline and with nothing but the file and a public key, that each record in it is the one the
// store's signed tree holds at its place. It holds the records' stored lines, an inclusion proof per
// record against a named signed checkpoint of its stream, those checkpoints, the public keys and a
// README for the recipient.
package bundle

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
)

// Format names the bundle layout (index.json "format").
const Format = "agentaudit-evidence-bundle/1"

// Files inside a bundle.
const (
	IndexFile   = "index.json"
	RecordsFile = "records.jsonl"
	ReadmeFile  = "README.md"
	// IndexSigFile signs index.json: "<key fingerprint> <base64 Ed25519 signature of index.json>".
	IndexSigFile = "index.sig"
	keysDir      = "keys/"
	ckptDir      = "checkpoints/"
)

// Index is index.json: what was selected and, per record, where its proof is.
type Index struct {
	Format    string    `json:"format"`
	Selection string    `json:"selection"`
	Store     string    `json:"store"`
	CreatedAt time.Time `json:"created_at"`
	Records   []Entry   `json:"records"`
}

// Entry is one record of the bundle: its place in its stream's tree and its inclusion proof.
type Entry struct {
	Stream   string `json:"stream"`
	Seq      uint64 `json:"seq"`
	RecordID string `json:"record_id"`
	Hash     string `json:"hash"`
	// Checkpoint is the bundle file of the checkpoint the proof is against ("" when no signed
	// checkpoint covered the record yet: it is then in the bundle without proof).
	Checkpoint string `json:"checkpoint,omitempty"`
	TreeSize   uint64 `json:"tree_size,omitempty"`
	// Proof is the RFC 9162 inclusion proof of leaf seq-1, base64 hashes from the leaf up.
	Proof []string `json:"proof,omitempty"`
}

// checkpointFile names a checkpoint inside the bundle.
func checkpointFile(stream string, size uint64) string {
	return fmt.Sprintf("%s%s/%020d.checkpoint", ckptDir, stream, size)
}

func encodeProof(p []evidence.Hash) []string {
	out := make([]string, len(p))
	for i, h := range p {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

func decodeProof(p []string) ([]evidence.Hash, error) {
	out := make([]evidence.Hash, len(p))
	for i, s := range p {
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(raw) != len(out[i]) {
			return nil, fmt.Errorf("proof hash %d is not base64 of 32 bytes", i)
		}
		copy(out[i][:], raw)
	}
	return out, nil
}

// contents is a bundle's files by name.
type contents map[string][]byte

func (c contents) write() ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range sortedNames(c) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Unix(0, 0).UTC()})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(c[name]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// maxFileBytes bounds one file read from a bundle (a zip bomb must not exhaust memory).
const maxFileBytes = 1 << 30

func readContents(data []byte) (contents, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not a bundle (zip): %w", err)
	}
	c := contents{}
	for _, f := range zr.File {
		if f.UncompressedSize64 > maxFileBytes {
			return nil, fmt.Errorf("%s: larger than %d bytes", f.Name, maxFileBytes)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		var b bytes.Buffer
		_, err = b.ReadFrom(rc)
		_ = rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		c[f.Name] = b.Bytes()
	}
	return c, nil
}

func encodeIndex(ix Index) ([]byte, error) {
	b, err := json.MarshalIndent(ix, "", " ")
	return append(b, '\n'), err
}
