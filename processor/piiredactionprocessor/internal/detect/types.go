// Package detect is the pure PII and secret scanning engine behind the piiredaction processor.
// It scans a string once, byte by byte, dispatching on cheap byte classes to hand-written
// detectors with validators (Luhn, mod-97, SSN area rules, IP parsing, entropy), and returns
// the input unchanged without allocating when nothing is found.
package detect

import "strings"

// Type identifies what a finding is. Built-in types come first; custom detectors from the
// configuration are appended after NumBuiltin.
type Type uint8

// Built-in detector types. Their names are the placeholder labels (see Names).
const (
	TypeEmail Type = iota
	TypePhone
	TypeCreditCard
	TypeIBAN
	TypeUSSSN
	TypeIPAddress
	TypeAWSAccessKey
	TypeAWSSecretKey
	TypeGitHubToken
	TypeGitLabToken
	TypeSlackToken
	TypeSlackWebhook
	TypeStripeKey
	TypeOpenAIKey
	TypeAnthropicKey
	TypeGoogleAPIKey
	TypeJWT
	TypePrivateKey
	TypeBearerToken
	TypeURLPassword
	TypeSecret
	TypeSecretKey
	TypePerson
	TypeStreetAddress
	NumBuiltin
)

// MaxTypes bounds built-in plus custom detectors so that a type set fits in a uint64.
const MaxTypes = 64

var builtinNames = [NumBuiltin]string{ //nolint:gosec // G101: detector type names (SECRET_KEY, URL_PASSWORD), not credentials
	TypeEmail:         "EMAIL",
	TypePhone:         "PHONE",
	TypeCreditCard:    "CREDIT_CARD",
	TypeIBAN:          "IBAN",
	TypeUSSSN:         "US_SSN",
	TypeIPAddress:     "IP_ADDRESS",
	TypeAWSAccessKey:  "AWS_ACCESS_KEY",
	TypeAWSSecretKey:  "AWS_SECRET_KEY",
	TypeGitHubToken:   "GITHUB_TOKEN",
	TypeGitLabToken:   "GITLAB_TOKEN",
	TypeSlackToken:    "SLACK_TOKEN",
	TypeSlackWebhook:  "SLACK_WEBHOOK",
	TypeStripeKey:     "STRIPE_KEY",
	TypeOpenAIKey:     "OPENAI_KEY",
	TypeAnthropicKey:  "ANTHROPIC_KEY",
	TypeGoogleAPIKey:  "GOOGLE_API_KEY",
	TypeJWT:           "JWT",
	TypePrivateKey:    "PRIVATE_KEY",
	TypeBearerToken:   "BEARER_TOKEN",
	TypeURLPassword:   "URL_PASSWORD",
	TypeSecret:        "SECRET",
	TypeSecretKey:     "SECRET_KEY",
	TypePerson:        "PERSON",
	TypeStreetAddress: "STREET_ADDRESS",
}

// BuiltinNames lists the built-in detector names in Type order.
func BuiltinNames() []string { return append([]string(nil), builtinNames[:]...) }

// BuiltinType resolves a built-in detector name (case-insensitive).
func BuiltinType(name string) (Type, bool) {
	for i, n := range builtinNames {
		if strings.EqualFold(n, name) {
			return Type(i), true
		}
	}
	return 0, false
}

// Action says what replaces a finding.
type Action uint8

const (
	// ActionRedact replaces the value with a typed placeholder such as [REDACTED:EMAIL].
	ActionRedact Action = iota
	// ActionMask keeps the last four characters of digit-bearing values (cards, phones, IBAN,
	// SSN) and stars the rest; other types fall back to ActionRedact.
	ActionMask
	// ActionHash replaces the value with a keyed HMAC-SHA256 pseudonym [TYPE:hmac:0123456789abcdef].
	ActionHash
	// ActionDrop removes the attribute that holds the value; inside text it acts like ActionRedact.
	ActionDrop
)

var actionNames = [...]string{"redact", "mask", "hash", "drop"}

func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "unknown"
}

// ParseAction parses redact, mask, hash or drop.
func ParseAction(s string) (Action, bool) {
	for i, n := range actionNames {
		if strings.EqualFold(n, s) {
			return Action(i), true
		}
	}
	return 0, false
}

// Finding locates one detected value in the scanned text.
type Finding struct {
	Start, End int
	Type       Type
}

// Findings summarises what a redaction touched, without holding any values.
type Findings struct {
	Count        int
	Types        uint64
	PerType      [MaxTypes]uint32
	Drop         bool
	DepthLimited int
}

// Add counts one finding of type t handled with action a.
func (f *Findings) Add(t Type, a Action) {
	f.Count++
	f.Types |= 1 << t
	f.PerType[t]++
	if a == ActionDrop {
		f.Drop = true
	}
}

// Merge adds o into f.
func (f *Findings) Merge(o *Findings) {
	if o.Count == 0 && o.DepthLimited == 0 {
		return // the common case: nothing found, skip the per-type loop
	}
	f.Count += o.Count
	f.Types |= o.Types
	for i, n := range o.PerType {
		f.PerType[i] += n
	}
	f.Drop = f.Drop || o.Drop
	f.DepthLimited += o.DepthLimited
}

// Has reports whether type t was found.
func (f *Findings) Has(t Type) bool { return f.Types&(1<<t) != 0 }
