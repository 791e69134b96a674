package detect

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/race"
)

func newTestEngine(t testing.TB, o Options) *Engine {
	t.Helper()
	e, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// Synthetic secrets are assembled at run time so that the source holds no literal credential
// that secret scanners (or this processor) would flag in the repository itself.
func rep(s string, n int) string { return strings.Repeat(s, n) }

var positives = []struct {
	name string
	text string
	want Type
	val  string // the detected value
}{
	{"email", "contact jane.doe+ai@example.co.uk today", TypeEmail, "jane.doe+ai@example.co.uk"},
	{"email upper", "MAIL: John_Smith@Mail.Example.COM.", TypeEmail, "John_Smith@Mail.Example.COM"},
	{"phone e164", "call +14155552671 now", TypePhone, "+14155552671"},
	{"phone nanp dashes", "call 415-555-2671.", TypePhone, "415-555-2671"},
	{"phone nanp parens", "(415) 555-2671", TypePhone, "(415) 555-2671"},
	{"phone leading 1", "1-800-555-0199", TypePhone, "1-800-555-0199"},
	{"phone uk", "ring 07700 900123 please", TypePhone, "07700 900123"},
	{"phone intl (0)", "+44 (0)20 7946 0958", TypePhone, "+44 (0)20 7946 0958"},
	{"phone fr dots", "tel 01.84.17.61.18", TypePhone, "01.84.17.61.18"},
	{"phone extension", "345-899-3560x4587", TypePhone, "345-899-3560x4587"},
	{"phone bare nanp", "number 9498777106", TypePhone, "9498777106"},
	{"phone local", "my number is 555-1234.", TypePhone, "555-1234"},
	{"card visa", "card 4111111111111111 exp", TypeCreditCard, "4111111111111111"},
	{"card spaces", "4111 1111 1111 1111", TypeCreditCard, "4111 1111 1111 1111"},
	{"card dashes mc", "5555-5555-5555-4444", TypeCreditCard, "5555-5555-5555-4444"},
	{"card amex", "378282246310005", TypeCreditCard, "378282246310005"},
	{"card mc 2-series", "2223003122003222", TypeCreditCard, "2223003122003222"},
	{"card discover", "6011111111111117", TypeCreditCard, "6011111111111117"},
	{"card after year", "in 2024 4111 1111 1111 1111", TypeCreditCard, "4111 1111 1111 1111"},
	{"iban", "IBAN GB82WEST12345698765432.", TypeIBAN, "GB82WEST12345698765432"},
	{"iban spaced", "DE89 3704 0044 0532 0130 00", TypeIBAN, "DE89 3704 0044 0532 0130 00"},
	{"iban lower", "gb82west12345698765432", TypeIBAN, "gb82west12345698765432"},
	{"ssn", "ssn 123-45-6789", TypeUSSSN, "123-45-6789"},
	{"ssn 8xx", "853-37-1694", TypeUSSSN, "853-37-1694"},
	{"ipv4", "from 192.168.10.20:8080", TypeIPAddress, "192.168.10.20"},
	{"ipv6", "addr 2001:db8:85a3::8a2e:370:7334 ok", TypeIPAddress, "2001:db8:85a3::8a2e:370:7334"},
	{"ipv6 full", "6e40:4041:c617:e898:c11:40d2:c669:2eb4", TypeIPAddress, "6e40:4041:c617:e898:c11:40d2:c669:2eb4"},
	{"aws access key", "key AKIA" + rep("Z7Q2", 4) + " end", TypeAWSAccessKey, "AKIA" + rep("Z7Q2", 4)},
	{"aws secret by context", "aws_secret_access_key = " + rep("wJalrXUt9FE/K7MDxG", 2) + "bPxR", TypeAWSSecretKey, rep("wJalrXUt9FE/K7MDxG", 2) + "bPxR"},
	{"github classic", "token ghp_" + rep("a1B2c3D4e5", 4), TypeGitHubToken, "ghp_" + rep("a1B2c3D4e5", 4)},
	{"github fine-grained", "github_pat_" + rep("11ABCDEFG0", 3) + "_" + rep("xY9", 10), TypeGitHubToken, "github_pat_" + rep("11ABCDEFG0", 3) + "_" + rep("xY9", 10)},
	{"gitlab", "glpat-" + rep("x9Yz", 5), TypeGitLabToken, "glpat-" + rep("x9Yz", 5)},
	{"slack token", "xoxb-" + rep("1234", 3) + "-" + rep("aBcD", 6), TypeSlackToken, "xoxb-" + rep("1234", 3) + "-" + rep("aBcD", 6)},
	{"slack webhook", "post to https://hooks.slack.com/services/T0000/B0000/" + rep("XyZ1", 6), TypeSlackWebhook, "https://hooks.slack.com/services/T0000/B0000/" + rep("XyZ1", 6)},
	{"stripe", "sk_" + "live_" + rep("4eC39HqLyjWDarjtT1zd", 1), TypeStripeKey, "sk_live_4eC39HqLyjWDarjtT1zd"},
	{"openai", "OPENAI sk-proj-" + rep("Ab1Cd2Ef3G", 4), TypeOpenAIKey, "sk-proj-" + rep("Ab1Cd2Ef3G", 4)},
	{"anthropic", "sk-ant-api03-" + rep("Zz9Yy8Xx7W", 5), TypeAnthropicKey, "sk-ant-api03-" + rep("Zz9Yy8Xx7W", 5)},
	{"google", "AIza" + rep("SyD1x2Y3z4", 3) + "AbCdE", TypeGoogleAPIKey, "AIza" + rep("SyD1x2Y3z4", 3) + "AbCdE"},
	{"jwt", "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end", TypeJWT, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"},
	{"pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- tail", TypePrivateKey, "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"},
	{"pem unterminated", "x -----BEGIN PRIVATE KEY-----\nMIIE", TypePrivateKey, "-----BEGIN PRIVATE KEY-----\nMIIE"},
	{"bearer", "Authorization: Bearer abc123def456ghi789", TypeBearerToken, "abc123def456ghi789"},
	{"url password", "postgres://admin:s3cr3t!@db.internal:5432/app", TypeURLPassword, "s3cr3t!"},
	{"generic", `client_token="Zx81Kq0Lm29Vb7Nt4Rw6"`, TypeSecret, "Zx81Kq0Lm29Vb7Nt4Rw6"},
	{"secret key rule", "password: hunter2", TypeSecretKey, "hunter2"},
}

func TestDetectorsPositive(t *testing.T) {
	e := newTestEngine(t, Options{})
	for _, tc := range positives {
		t.Run(tc.name, func(t *testing.T) {
			fs := e.Scan(tc.text, nil)
			if len(fs) != 1 {
				t.Fatalf("want one %s finding, got %d: %+v", e.Name(tc.want), len(fs), fs)
			}
			if fs[0].Type != tc.want || tc.text[fs[0].Start:fs[0].End] != tc.val {
				t.Fatalf("got %s %q, want %s %q", e.Name(fs[0].Type), tc.text[fs[0].Start:fs[0].End], e.Name(tc.want), tc.val)
			}
			out, f, changed := e.Redact(tc.text)
			if !changed || strings.Contains(out, tc.val) || !f.Has(tc.want) || f.Count != 1 {
				t.Fatalf("redact: %q changed=%v findings=%+v", out, changed, f.Types)
			}
			if !strings.Contains(out, "[REDACTED:"+e.Name(tc.want)+"]") {
				t.Fatalf("placeholder missing in %q", out)
			}
		})
	}
}

var hardNegatives = []string{
	"trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7",
	"id 550e8400-e29b-41d4-a716-446655440000",
	"uuid 12345678-1234-1234-1234-123456789012",
	"at 2024-11-26T17:45:00Z and 2024-11-26 17:45:00.123",
	"date 26.11.2024 or 11/26/2024",
	"unix 1732612345 ms 1732612345123",
	"version 1.2.3 and v10.0.19045.1234 and 2.14.1",
	"order #100234 and ORD-2024-000123 and order 12345678",
	"luhn-invalid 4111111111111112 and 1234567812345678",
	"sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"git 9fceb02d0ae598e95dc970b74767f19372d61af8",
	"max_tokens: 4096, gen_ai.usage.output_tokens=1532, tokenizer=cl100k_base",
	"latency 1234.5678 ms, pi 3.14159, ratio 0.123456",
	"ratio 1:2:3 and time 12:30:45 and std::vector and mac 00:1a:2b:3c:4d:5e",
	"not an address 999.1.1.1 or 256.256.256.256",
	"ssn-like 000-12-3456 666-12-3456 900-12-3456 123-00-4567",
	"author: Jane, tokens: 12, secret_name: db",
	"Bearer authentication is described in RFC 6750",
	"user@localhost and a@b",
	"[REDACTED:EMAIL] [EMAIL:hmac:0123456789abcdef] ************1111",
	"sk-learn is a library; AKIA is a prefix",
	"port 8080 pid 12345 count 1000000",
	"ZIP 94105-1234 and 75534-030",
}

func TestDetectorsHardNegatives(t *testing.T) {
	// PERSON and STREET_ADDRESS have their own negative set (TestNegativeSetKept); here "author:
	// Jane" is a name indeed.
	e := newTestEngine(t, Options{Disabled: []Type{TypePerson, TypeStreetAddress}})
	for _, text := range hardNegatives {
		if fs := e.Scan(text, nil); len(fs) > 0 {
			for _, f := range fs {
				t.Errorf("false %s %q in %q", e.Name(f.Type), text[f.Start:f.End], text)
			}
		}
	}
}

func TestActions(t *testing.T) {
	key := []byte(rep("k", 32))
	e := newTestEngine(t, Options{
		Actions: map[Type]Action{TypeCreditCard: ActionMask, TypePhone: ActionMask, TypeEmail: ActionHash, TypeUSSSN: ActionDrop, TypeJWT: ActionMask},
		HMACKey: key,
	})
	out, _, _ := e.Redact("card 4111-1111-1111-1111 phone 415-555-2671")
	if out != "card ****-****-****-1111 phone ***-***-2671" {
		t.Errorf("mask: %q", out)
	}
	a, _, _ := e.Redact("mail Jane.Doe@Example.com")
	b, _, _ := e.Redact("mail jane.doe@example.com")
	if a != b || !strings.HasPrefix(a, "mail [EMAIL:hmac:") || len(a) != len("mail [EMAIL:hmac:0123456789abcdef]") {
		t.Errorf("hash must be stable across case and typed: %q vs %q", a, b)
	}
	other := newTestEngine(t, Options{Actions: map[Type]Action{TypeEmail: ActionHash}, HMACKey: []byte(rep("z", 32))})
	if c, _, _ := other.Redact("mail jane.doe@example.com"); c == a {
		t.Errorf("a different key must give a different pseudonym")
	}
	_, f, changed := e.Redact("ssn 123-45-6789")
	if !changed || !f.Drop {
		t.Errorf("drop must be reported: %+v", f)
	}
	if out, _, _ := e.Redact("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig"); out != "[REDACTED:JWT]" {
		t.Errorf("mask of a non-digit type falls back to redact: %q", out)
	}
	if _, err := New(Options{DefaultAction: ActionHash}); err == nil {
		t.Errorf("hash without a key must fail")
	}
}

func TestDisabledAndCustom(t *testing.T) {
	e := newTestEngine(t, Options{
		Disabled: []Type{TypeIPAddress},
		Custom: []CustomDetector{
			{Name: "EMPLOYEE_ID", Regexp: mustRegexp(`EMP-\d{6}`), Keywords: []string{"EMP-"}},
			{Name: "ACCOUNT", Regexp: mustRegexp(`acct:\d{16}`), Validator: ValidatorLuhn},
		},
	})
	out, f, _ := e.Redact("host 10.0.0.1 emp EMP-123456 acct:4111111111111111 acct:4111111111111112")
	if out != "host 10.0.0.1 emp [REDACTED:EMPLOYEE_ID] [REDACTED:CREDIT_CARD] acct:4111111111111112" && out != "host 10.0.0.1 emp [REDACTED:EMPLOYEE_ID] acct:[REDACTED:CREDIT_CARD] acct:4111111111111112" {
		t.Errorf("got %q", out)
	}
	if got := e.TypeNames(f.Types); strings.Join(got, ",") != "CREDIT_CARD,EMPLOYEE_ID" {
		t.Errorf("types %v", got)
	}
	// Glued to a letter, the number is no card for the built-in detector (it wants a boundary), but a
	// custom pattern applies as written: no boundary is added to it.
	out, f, _ = e.Redact("acct:4111111111111111x")
	if out != "[REDACTED:ACCOUNT]x" {
		t.Errorf("custom pattern without boundaries: got %q", out)
	}
	if got := e.TypeNames(f.Types); strings.Join(got, ",") != "ACCOUNT" {
		t.Errorf("types %v", got)
	}
}

func TestPlaceholdersAreNotRescanned(t *testing.T) {
	e := newTestEngine(t, Options{ScanJSON: true})
	for _, s := range []string{
		"password: [REDACTED:SECRET_KEY]", `{"password":"[SECRET_KEY:hmac:0123456789abcdef]"}`,
		"postgres://u:[REDACTED:URL_PASSWORD]@db",
	} {
		if out, _, changed := e.Redact(s); changed {
			t.Errorf("placeholder rescanned: %q -> %q", s, out)
		}
	}
	// A secret that merely starts with '[' is still a secret.
	for _, s := range []string{"password: [hunter2]", `{"password":"[hunter2]"}`, "postgres://u:[pw]x@db"} {
		if out, _, _ := e.Redact(s); strings.Contains(out, "hunter2") || strings.Contains(out, "[pw]x") {
			t.Errorf("bracketed secret leaked: %q -> %q", s, out)
		}
	}
}

func TestSecretKeys(t *testing.T) {
	e := newTestEngine(t, Options{})
	for _, k := range []string{"password", "http.request.header.authorization", "X-Api-Key", "db.PASSWORD", "cookie"} {
		if !e.IsSecretKey(k) {
			t.Errorf("%s must be a secret key", k)
		}
	}
	for _, k := range []string{"gen_ai.usage.input_tokens", "user.id", "passwords_policy", "authorization_url.host"} {
		if e.IsSecretKey(k) {
			t.Errorf("%s must not be a secret key", k)
		}
	}
}

func TestJSONStaysValid(t *testing.T) {
	e := newTestEngine(t, Options{ScanJSON: true})
	in := `{"messages":[{"role":"user","parts":[{"type":"text","content":"Hi,\nI am jane@example.com, card 4111 1111 1111 1111\t\"quoted\" \u00e9"}]}],` +
		`"tool":{"arguments":"{\"email\":\"bob@example.org\",\"n\":1}"},"password":"hunter2","client_token":"Zx81Kq0Lm29Vb7Nt4Rw6","card":4111111111111111,"ok":true,"v":null,"x":-1.5e3}`
	out, f, changed := e.Redact(in)
	if !changed || !json.Valid([]byte(out)) {
		t.Fatalf("changed=%v valid=%v: %s", changed, json.Valid([]byte(out)), out)
	}
	for _, leak := range []string{"jane@example.com", "4111 1111 1111 1111", "bob@example.org", "hunter2", "Zx81Kq0Lm29Vb7Nt4Rw6", "4111111111111111"} {
		if strings.Contains(out, leak) {
			t.Errorf("leaked %q in %s", leak, out)
		}
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	inner := doc["tool"].(map[string]any)["arguments"].(string)
	if !json.Valid([]byte(inner)) || !strings.Contains(inner, `"email":"[REDACTED:EMAIL]"`) {
		t.Errorf("JSON inside JSON must stay valid: %s", inner)
	}
	if doc["password"] != "[REDACTED:SECRET_KEY]" || doc["client_token"] != "[REDACTED:SECRET]" || doc["card"] != "[REDACTED:CREDIT_CARD]" {
		t.Errorf("keyed values: %v %v %v", doc["password"], doc["client_token"], doc["card"])
	}
	if !strings.Contains(out, `\"quoted\" é`) || doc["ok"] != true || doc["x"] != -1.5e3 {
		t.Errorf("non-PII content must survive: %s", out)
	}
	if f.Count != 6 {
		t.Errorf("count %d types %v", f.Count, e.TypeNames(f.Types))
	}
}

func TestJSONDepthLimit(t *testing.T) {
	e := newTestEngine(t, Options{ScanJSON: true, MaxDepth: 2})
	s := `{"a":"x@example.com"}`
	for range 4 {
		b, _ := json.Marshal(map[string]string{"v": s})
		s = string(b)
	}
	out, f, changed := e.Redact(s)
	if !changed || strings.Contains(out, "x@example.com") || f.DepthLimited == 0 || !json.Valid([]byte(out)) {
		t.Errorf("depth-limited JSON must still be redacted and valid: %s %+v", out, f.DepthLimited)
	}
}

func TestNoPIINoAlloc(t *testing.T) {
	e := newTestEngine(t, Options{ScanJSON: true})
	for _, s := range []string{agentText, agentJSON} {
		if out, _, changed := e.Redact(s); changed || out != s {
			t.Fatalf("clean text changed: %q", out)
		}
		if n := testing.AllocsPerRun(100, func() { e.Redact(s) }); n != 0 && !race.Enabled {
			t.Errorf("allocs per clean value = %v, want 0", n)
		}
	}
}

const agentText = `The user asked to summarise the quarterly report. I called the search tool with query ` +
	`"Q3 revenue by region" and received 12 results (latency 123.45 ms, trace 4bf92f3577b34da6a3ce929d0e0e4736). ` +
	`Revenue grew 14% to 2.3 million; version 1.2.3 of the model was used on 2024-11-26T17:45:00Z.`

const agentJSON = `[{"role":"system","parts":[{"type":"text","content":"You are a helpful assistant.\nBe concise."}]},` +
	`{"role":"user","parts":[{"type":"text","content":"What is the weather in Paris tomorrow?"}]},` +
	`{"role":"assistant","parts":[{"type":"tool_call","id":"call_9f8e7d","name":"get_weather","arguments":"{\"city\":\"Paris\",\"days\":1}"}]}]`

func mustRegexp(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// TestAdversarialInputs runs megabyte-sized inputs shaped to stress each trigger; it checks
// behaviour (no panic, JSON stays valid), not time.
func TestAdversarialInputs(t *testing.T) {
	e := newTestEngine(t, Options{ScanJSON: true})
	for name, s := range map[string]string{
		"digit groups": strings.Repeat("1 ", 1<<19),
		"colons":       strings.Repeat("a:", 1<<19),
		"ats":          strings.Repeat("a@", 1<<19),
		"keyed values": strings.Repeat("token=abcdefghijklmnopqrstuvwxyz", 1<<15),
		"brackets":     strings.Repeat("[", 1<<20),
		"pem headers":  strings.Repeat("-----BEGIN X", 1<<16),
		"invalid utf8": strings.Repeat("\xff\xc3(", 1<<18),
	} {
		e.Redact(s)
		_ = name
	}
	for name, s := range map[string]string{
		"deep arrays": strings.Repeat(`[`, 9000) + `"a@b.co"` + strings.Repeat(`]`, 9000), // encoding/json nests at most 10000
		"backslashes": `{"a":"` + strings.Repeat(`\\`, 1<<18) + `"}`,
		"many keys":   "{" + strings.Repeat(`"password":"x",`, 1<<14) + `"z":1}`,
	} {
		out, _, _ := e.Redact(s)
		if !json.Valid([]byte(out)) {
			t.Errorf("%s: output is not valid JSON", name)
		}
	}
}
