package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/agentaudit/otelcol-agentaudit/internal/evidence"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence/httpwitness"
	"github.com/agentaudit/otelcol-agentaudit/internal/evidence/witness"
	"github.com/agentaudit/otelcol-agentaudit/internal/readside/verify"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/objectstore"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/registry"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/storeurl"
)

// evidenceFlags are verify's flags for witnessed checkpoints and offline bundles.
type evidenceFlags struct {
	checkpoints []string
	httpWitness []string
	httpHeaders configopaque.MapList // sent to every --checkpoints-http witness
	httpCA      string
	witnessS3   storeurl.S3Options
	bundle      string
}

func addEvidenceFlags(fs *flag.FlagSet) *evidenceFlags {
	e := &evidenceFlags{}
	fs.Func("checkpoints", "also check the store against the signed checkpoints a witness holds (file:///dir or s3://bucket/prefix, "+
		"the prefix being the store's); repeatable. Catches a truncated head and a rewrite made with the signing key", func(s string) error {
		if _, _, _, err := storeurl.Parse(s); err != nil {
			return err
		}
		e.checkpoints = append(e.checkpoints, s)
		return nil
	})
	fs.Func("checkpoints-http", "also check the store against the latest checkpoints of an HTTP witness (GET URL/<stream>/latest); repeatable", func(s string) error {
		if err := httpwitness.Validate(&confighttp.ClientConfig{Endpoint: s}); err != nil {
			return err
		}
		e.httpWitness = append(e.httpWitness, s)
		return nil
	})
	fs.Func("checkpoints-http-header", "a header 'Name: value' sent to the --checkpoints-http witnesses, e.g. 'Authorization: Bearer …' "+
		"(https only for Authorization; never printed), or @FILE for the 'Name: value' lines of FILE (as curl -H @FILE: "+
		"keeps a token off the command line); repeatable", e.addHeaders)
	fs.StringVar(&e.httpCA, "checkpoints-http-ca", "", "PEM file of the CA that signed the --checkpoints-http witnesses' certificates (default: the system's)")
	fs.StringVar(&e.witnessS3.Endpoint, "checkpoints-s3-endpoint", "", "S3 endpoint of an s3:// --checkpoints witness (S3-compatible stores)")
	fs.StringVar(&e.witnessS3.Region, "checkpoints-s3-region", "", "S3 region of an s3:// --checkpoints witness")
	fs.BoolVar(&e.witnessS3.PathStyle, "checkpoints-s3-path-style", false, "path-style addressing for an s3:// --checkpoints witness")
	fs.StringVar(&e.bundle, "bundle", "", "verify an evidence bundle written by `auditctl export` offline, instead of a store (no --store)")
	return e
}

// addHeaders takes one --checkpoints-http-header: "Name: value", or @FILE of such lines.
func (e *evidenceFlags) addHeaders(s string) error {
	lines := []string{s}
	if file, ok := strings.CutPrefix(s, "@"); ok {
		raw, err := os.ReadFile(file) //nolint:gosec // G304: the operator names the header file; reading it is the point
		if err != nil {
			return err
		}
		lines = strings.Split(strings.TrimSpace(string(raw)), "\n")
	}
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		if name = strings.TrimSpace(name); !ok || name == "" {
			return errors.New("want 'Name: value' (the value is not shown)")
		}
		e.httpHeaders.Set(name, configopaque.String(strings.TrimSpace(value)))
	}
	return nil
}

// checkWitnesses adds the checkpoint findings to rep. Its error means a witness or the store could
// not be read (exit 3).
func (e *evidenceFlags) checkWitnesses(ctx context.Context, st *auditStore, opts verify.Options, rep *verify.Report) error {
	if len(e.checkpoints) == 0 && len(e.httpWitness) == 0 {
		return nil
	}
	ev, ok := st.Handle.(registry.Evidencer)
	if !ok {
		return fmt.Errorf("--checkpoints: store %s keeps no checkpoints: %w", st.url, registry.ErrUnsupported)
	}
	ledger := ev.Ledger()
	var witnesses []evidence.CheckpointSource
	for _, raw := range e.checkpoints {
		t, err := storeurl.Open(ctx, raw, e.witnessS3)
		if err != nil {
			return fmt.Errorf("--checkpoints %s: %w", raw, err)
		}
		witnesses = append(witnesses, objectstore.BackendSource{SourceName: "witness " + raw, Backend: t.Backend, Layout: objectstore.Layout{Prefix: t.Prefix}})
	}
	for _, raw := range e.httpWitness {
		cfg := confighttp.NewDefaultClientConfig()
		cfg.Endpoint, cfg.Headers = raw, e.httpHeaders
		cfg.TLS.CAFile = e.httpCA
		h, err := httpwitness.New(ctx, cfg, nil, component.TelemetrySettings{})
		if err != nil {
			return fmt.Errorf("--checkpoints-http %s: %w", raw, err)
		}
		witnesses = append(witnesses, h)
	}
	keys := make([]ed25519.PublicKey, 0, len(opts.PublicKeys))
	for _, k := range opts.PublicKeys {
		keys = append(keys, k.Key)
	}
	if len(keys) == 0 {
		published, err := ledger.PublicKeys(ctx)
		if err != nil {
			return err
		}
		for _, k := range published {
			keys = append(keys, k.Key)
		}
	}
	findings, sum, err := witness.Check(ctx, ledger, witnesses, keys)
	if err != nil {
		return err
	}
	if sum.Witnessed == 0 {
		findings = append(findings, verify.Finding{
			Kind: witness.Unwitnessed, Severity: verify.Failure,
			Detail: fmt.Sprintf("no checkpoints found in %s: nothing witnessed, so truncation and key-holder rewrites cannot be ruled out", strings.Join(append(e.checkpoints, e.httpWitness...), ", ")),
		})
	}
	rep.Findings = append(rep.Findings, findings...)
	rep.Finish()
	return nil
}

// storeKeys are the public keys published in the store (trusted from the store, as verify does
// without --pubkey; its report warns about that).
func storeKeys(ctx context.Context, ev registry.Evidencer) ([]ed25519.PublicKey, error) {
	published, err := ev.Ledger().PublicKeys(ctx)
	if err != nil {
		return nil, err
	}
	keys := make([]ed25519.PublicKey, 0, len(published))
	for _, k := range published {
		keys = append(keys, k.Key)
	}
	return keys, nil
}
