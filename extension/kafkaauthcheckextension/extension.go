package kafkaauthcheckextension

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"
)

// authCheck asks each seed broker for metadata once at start, with the credentials and TLS
// settings contrib's kafka components will use. contrib connects lazily: with a wrong password the
// collector starts, reports healthy and only logs the refusal on every retry. A refusal or a
// certificate that does not verify will not heal by retrying, so it fails the start; a broker
// that cannot be reached may come back (a sidecar must start during a Kafka outage and queue), so
// that is only a warning.
type authCheck struct {
	cfg    *Config
	logger *zap.Logger
}

func (a *authCheck) Start(ctx context.Context, _ component.Host) error {
	opts, err := a.clientOptions(ctx)
	if err != nil {
		return err
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("kafka_auth_check: brokers: %w", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	var unreachable []error
	for i, b := range cl.SeedBrokers() {
		addr := a.cfg.Brokers[i]
		_, err := b.Request(ctx, kmsg.NewPtrMetadataRequest())
		if err == nil {
			a.logger.Info("Kafka broker accepted the credentials and TLS settings", zap.String("broker", addr))
			continue
		}
		if refusal := a.classify(addr, err); refusal != nil {
			return refusal
		}
		unreachable = append(unreachable, fmt.Errorf("%s: %w", addr, err))
	}
	if len(unreachable) > 0 {
		a.logger.Warn("Kafka broker not reachable at start: credentials and TLS not checked against it; "+
			"the kafka components retry (a sidecar queues meanwhile)", zap.Error(errors.Join(unreachable...)))
	}
	return nil
}

func (a *authCheck) Shutdown(context.Context) error { return nil }

// clientOptions maps the config onto franz-go the way contrib's kafka client does for the fields
// the check needs.
func (a *authCheck) clientOptions(ctx context.Context) ([]kgo.Opt, error) {
	cfg := a.cfg
	opts := []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ClientID(cfg.ClientID),
		kgo.DialTimeout(min(cfg.DialTimeout, cfg.Timeout)),
		kgo.RequestRetries(0),
	}
	if cfg.usesTLS() {
		tlsCfg, err := cfg.TLS.LoadTLSConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("kafka_auth_check: tls: %w", err)
		}
		opts = append(opts, kgo.DialTLSConfig(tlsCfg))
	}
	if s := cfg.Authentication.SASL; s != nil {
		opts = append(opts, kgo.SASL(mechanism(s.Mechanism, s.Username, s.Password)))
	}
	return opts, nil
}

func mechanism(name, user, pass string) sasl.Mechanism {
	switch name {
	case "SCRAM-SHA-512":
		return scram.Auth{User: user, Pass: pass}.AsSha512Mechanism()
	case "SCRAM-SHA-256":
		return scram.Auth{User: user, Pass: pass}.AsSha256Mechanism()
	default: // PLAIN; Validate admits no other
		return plain.Auth{User: user, Pass: pass}.AsMechanism()
	}
}

// classify returns the error that fails the start when err says the broker refused the
// credentials or its certificate did not verify, and nil for anything a retry may cure. The
// errors name the setting and never carry the password (franz-go's errors hold the broker's
// message, which names the mechanism at most).
func (a *authCheck) classify(addr string, err error) error {
	var (
		verify   *tls.CertificateVerificationError
		hostname x509.HostnameError
		unknown  x509.UnknownAuthorityError
		invalid  x509.CertificateInvalidError
	)
	switch {
	case errors.Is(err, kerr.SaslAuthenticationFailed):
		user := a.cfg.Authentication.SASL.Username
		return fmt.Errorf("kafka_auth_check: broker %s refused the SASL credentials of user %q "+
			"(auth.sasl.username / auth.sasl.password, mechanism %s): %w",
			addr, user, a.cfg.Authentication.SASL.Mechanism, err)
	case errors.Is(err, kerr.UnsupportedSaslMechanism), errors.Is(err, kerr.IllegalSaslState):
		return fmt.Errorf("kafka_auth_check: broker %s does not accept SASL mechanism %s (auth.sasl.mechanism): %w",
			addr, a.cfg.Authentication.SASL.Mechanism, err)
	case errors.As(err, &verify), errors.As(err, &hostname), errors.As(err, &unknown), errors.As(err, &invalid):
		return fmt.Errorf("kafka_auth_check: the TLS certificate of broker %s does not verify "+
			"(tls: ca_file, server_name_override, insecure_skip_verify): %w", addr, err)
	}
	return nil
}
