// Package httpwitness is a witness reached over HTTP, configured apart from the store: the writer
// POSTs each signed checkpoint to <endpoint>/<stream>, and a verifier GETs <endpoint>/<stream>/latest
// (200 with the newest signed checkpoint the witness accepted, 404 when it has none). The witness
// itself (its storage, its refusal of a checkpoint that does not extend the last) is not ours.
package httpwitness

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.uber.org/zap"

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

// defaultTimeout bounds a request when the configuration sets no timeout.
const defaultTimeout = 10 * time.Second

// New returns the witness cfg describes (endpoint http:// or https://, with a host), its client
// built by confighttp: TLS (CA, client certificate, server name), headers such as Authorization
// (configopaque, so they never print), proxy and timeout. extensions are the host's, for an auth
// extension (nil without one).
func New(ctx context.Context, cfg confighttp.ClientConfig, extensions map[component.ID]component.Component, set component.TelemetrySettings) (*Witness, error) {
	if err := Validate(&cfg); err != nil {
		return nil, err
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = defaultTimeout
	}
	if set.Logger == nil {
		set.Logger = zap.NewNop()
	}
	client, err := cfg.ToClient(ctx, extensions, set)
	if err != nil {
		return nil, err
	}
	return &Witness{endpoint: strings.TrimSuffix(cfg.Endpoint, "/"), client: client}, nil
}

// Validate checks a witness configuration, naming the field at fault: the endpoint URL, the TLS
// and header settings, and that a credential header is not sent in clear over http://.
func Validate(cfg *confighttp.ClientConfig) error {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("endpoint: %q is not an http(s)://host/path URL", cfg.Endpoint)
	}
	if err := cfg.TLS.Validate(); err != nil {
		return fmt.Errorf("tls: %w", err)
	}
	if err := cfg.Headers.Validate(); err != nil {
		return fmt.Errorf("headers: %w", err)
	}
	if _, ok := cfg.Headers.Get("Authorization"); ok && u.Scheme == "http" {
		return fmt.Errorf("headers: an Authorization header over %s would send the credential in clear; use https", u.Scheme)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	return nil
}

// ErrRefused marks a witness that refused the request's credentials (401 or 403).
var ErrRefused = errors.New("the witness refused the credentials (check the Authorization header or auth settings)")

// Probe asks the witness once for a stream that does not exist, so a wrong credential or a TLS
// setting that does not fit fails at start rather than at the first checkpoint. Its error wraps
// ErrRefused for a refused credential; Fatal tells which errors are the configuration's.
func (w *Witness) Probe(ctx context.Context) error {
	_, err := w.Checkpoints(ctx, "_agentaudit_probe")
	return err
}

// Fatal reports whether a Probe error is the configuration's (a refused credential, a certificate
// that does not verify) rather than a witness that is down for now.
func Fatal(err error) bool {
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var verify *tls.CertificateVerificationError
	var record tls.RecordHeaderError
	return errors.Is(err, ErrRefused) || errors.As(err, &unknownCA) || errors.As(err, &hostname) ||
		errors.As(err, &verify) || errors.As(err, &record)
}

// status turns a non-2xx answer into an error; 401 and 403 wrap ErrRefused.
func (w *Witness) status(method, where string, resp *http.Response) error {
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return fmt.Errorf("%s %s: %s: %w", method, where, resp.Status, ErrRefused)
	}
	return fmt.Errorf("%s %s: %s", method, where, resp.Status)
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
		return w.status(http.MethodPost, req.URL.Redacted(), resp)
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
		return nil, w.status(http.MethodGet, where, resp)
	}
	signed, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return nil, err
	}
	// A body that is not a checkpoint is handed on too: the check reports it as bad_checkpoint.
	cp, _ := evidence.OpenUnverified(signed)
	return []evidence.StoredCheckpoint{{Size: cp.Size, Where: where, Signed: signed}}, nil
}
