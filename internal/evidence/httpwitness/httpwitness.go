// Package httpwitness is a witness reached over HTTP, configured apart from the store: the writer
// POSTs each signed checkpoint to <endpoint>/<stream>, and a verifier GETs <endpoint>/<stream>/latest
// (200 with the newest signed checkpoint the witness accepted, 404 when it has none). The witness
// itself (its storage, its refusal of a checkpoint that does not extend the last) is not ours.
package httpwitness

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
)

// Witness is an HTTP witness endpoint: a Sink for writers and a CheckpointSource for verifiers.
type Witness struct {
	endpoint string
	client   *http.Client
}

var (
	_ evidence.Sink             = (*Witness)(nil)
	_ evidence.CheckpointSource = (*Witness)(nil)
)

// New returns the witness at endpoint (http:// or https://, with a host).
func New(endpoint string) (*Witness, error) {
	if err := Validate(endpoint); err != nil {
		return nil, err
	}
	return &Witness{endpoint: strings.TrimSuffix(endpoint, "/"), client: &http.Client{Timeout: 10 * time.Second}}, nil
}

// Validate checks an endpoint URL.
func Validate(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s)://host/path URL", endpoint)
	}
	return nil
}

func (w *Witness) String() string { return w.endpoint }
func (w *Witness) Name() string   { return "witness " + w.endpoint }

// PutCheckpoint POSTs the signed checkpoint; any answer but 2xx is an error.
func (w *Witness) PutCheckpoint(ctx context.Context, stream string, _ uint64, signed []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.endpoint+"/"+url.PathEscape(stream), bytes.NewReader(signed))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	resp, err := w.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close() //nolint:errcheck // a read body; its close error changes nothing
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("witness %s answered %s", w.endpoint, resp.Status)
	}
	return nil
}

// CheckpointStreams is nil: the witness is asked about the store's streams.
func (w *Witness) CheckpointStreams(context.Context) ([]string, error) { return nil, nil }

// Checkpoints returns the stream's latest checkpoint at the witness (none on 404).
func (w *Witness) Checkpoints(ctx context.Context, stream string) ([]evidence.StoredCheckpoint, error) {
	where := w.endpoint + "/" + url.PathEscape(stream) + "/latest"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, where, nil)
	if err != nil {
		return nil, err
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close() //nolint:errcheck // a read body; its close error changes nothing
	if resp.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", where, resp.Status)
	}
	signed, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return nil, err
	}
	// A body that is not a checkpoint is handed on too: the check reports it as bad_checkpoint.
	cp, _ := evidence.OpenUnverified(signed)
	return []evidence.StoredCheckpoint{{Size: cp.Size, Where: where, Signed: signed}}, nil
}
