package kafkaauthcheckextension

import (
	"errors"
	"fmt"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/kafka/configkafka"
)

// Config is the kafka_auth_check extension's configuration: the connection fields of contrib's
// kafka exporter and receiver (brokers, client_id, tls, auth, dial_timeout, ...), so a config can
// give the extension exactly what it gives them, plus how long start waits for an answer.
type Config struct {
	configkafka.ClientConfig `mapstructure:",squash"`
	// Timeout bounds the whole check at start; a broker that does not answer within it counts as
	// unreachable (a warning, never a failed start).
	Timeout time.Duration `mapstructure:"timeout"`
}

// checkedMechanisms are the SASL mechanisms the check can log in with (the ones that take
// auth.sasl.username and auth.sasl.password).
var checkedMechanisms = []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}

// Validate names the field at fault. (configkafka's own Validate, run by the collector on the
// embedded ClientConfig, checks brokers, dial_timeout and the rest.)
func (cfg *Config) Validate() error {
	if cfg.Timeout <= 0 {
		return fmt.Errorf("timeout: must be positive, got %s", cfg.Timeout)
	}
	if len(cfg.Brokers) == 0 {
		return errors.New("brokers: must list at least one broker (host:port)")
	}
	if cfg.Authentication.Kerberos != nil {
		return errors.New("auth.kerberos: not checked by kafka_auth_check (it checks auth.sasl with " +
			"PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, and tls)")
	}
	sasl := cfg.Authentication.SASL
	if sasl == nil {
		if !cfg.usesTLS() {
			return errors.New("auth.sasl or tls: at least one must be set (with neither there is nothing to check)")
		}
		return nil
	}
	if !isChecked(sasl.Mechanism) {
		return fmt.Errorf("auth.sasl.mechanism: %q is not checked by kafka_auth_check (one of %v)", sasl.Mechanism, checkedMechanisms)
	}
	if sasl.Username == "" {
		return errors.New("auth.sasl.username: must be set")
	}
	if sasl.Password == "" {
		return errors.New("auth.sasl.password: must be set")
	}
	return nil
}

// usesTLS follows contrib's kafka client: TLS when a tls section is given and not insecure.
func (cfg *Config) usesTLS() bool {
	return cfg.TLS != nil && !cfg.TLS.Insecure
}

func isChecked(mechanism string) bool {
	for _, m := range checkedMechanisms {
		if m == mechanism {
			return true
		}
	}
	return false
}
