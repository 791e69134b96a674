package kafkabroker

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// SASLListener is a broker's SASL_SSL listener with one SCRAM-SHA-512 user, and the CA that
// signed the broker's certificate (Addr and CAFile are set when the broker's directory is set up).
type SASLListener struct {
	User, Password string
	Addr, CAFile   string
}

const keystorePass = "keystore-secret"

// SCRAMOverTLS is a Shared.Setup for a broker that also serves l as a SASL_SSL listener: it writes
// the broker's TLS keystore (keytool, from the JDK the broker runs on: a self-signed certificate
// for 127.0.0.1 that is its own CA, l.CAFile) and creates l's SCRAM user.
func SCRAMOverTLS(l *SASLListener, partitions int) func(t testing.TB, dir string) (Options, error) {
	return func(_ testing.TB, dir string) (Options, error) {
		keytool := "keytool"
		if home := os.Getenv("JAVA_HOME"); home != "" {
			keytool = filepath.Join(home, "bin", "keytool")
		}
		ks, ca := filepath.Join(dir, "broker.p12"), filepath.Join(dir, "ca.crt")
		for _, args := range [][]string{
			{
				"-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
				"-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", ks, "-storetype", "PKCS12",
				"-storepass", keystorePass, "-keypass", keystorePass,
			},
			{"-exportcert", "-alias", "broker", "-rfc", "-keystore", ks, "-storepass", keystorePass, "-file", ca},
		} {
			if out, err := exec.Command(keytool, args...).CombinedOutput(); err != nil { //nolint:gosec // G204: the JDK's keytool with fixed arguments
				return Options{}, fmt.Errorf("keytool %s: %w\n%s", args[0], err, out)
			}
		}
		port, err := freePort()
		if err != nil {
			return Options{}, err
		}
		l.Addr, l.CAFile = fmt.Sprintf("127.0.0.1:%d", port), ca
		return Options{
			Partitions: partitions,
			SCRAM:      fmt.Sprintf("SCRAM-SHA-512=[name=%s,password=%s]", l.User, l.Password),
			Properties: fmt.Sprintf(`listeners=PLAINTEXT://127.0.0.1:@PORT@,CONTROLLER://127.0.0.1:@CONTROLLER_PORT@,SASL_SSL://127.0.0.1:%[1]d
advertised.listeners=PLAINTEXT://127.0.0.1:@PORT@,SASL_SSL://127.0.0.1:%[1]d
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=%[2]s
ssl.keystore.password=%[3]s
ssl.key.password=%[3]s
`, port, ks, keystorePass),
		}, nil
	}
}
