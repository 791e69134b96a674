package piiredactionprocessor // import "github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor"

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor/internal/detect"
)

// MinHMACKeyLength is the shortest accepted HMAC key, in bytes.
const MinHMACKeyLength = 32

// maxConfiguredDepth caps max_depth: deeper values are replaced, so a huge bound only costs stack.
const maxConfiguredDepth = 1024

// Config configures the piiredaction processor.
type Config struct {
	// Action is the default action for every detector: redact, mask, hash or drop.
	Action string `mapstructure:"action"`
	// HMACKey keys the hash action (HMAC-SHA256). At least 32 bytes; load it from the
	// environment, e.g. ${env:PII_HMAC_KEY}. Never logged.
	HMACKey configopaque.String `mapstructure:"hmac_key"`
	// Detectors overrides built-in detectors by name (EMAIL, CREDIT_CARD, PERSON, STREET_ADDRESS,
	// ...): enable or disable them and choose their action.
	Detectors map[string]DetectorConfig `mapstructure:"detectors"`
	// CustomDetectors are user-defined detectors.
	CustomDetectors []CustomDetectorConfig `mapstructure:"custom_detectors"`
	// SecretKeys are attribute (and JSON object) key names whose values are always secret. They
	// match the whole key or its last dot-separated segment, case-insensitively, '-' equal to '_'.
	// Setting the list replaces the default list.
	SecretKeys []string `mapstructure:"secret_keys"`
	// AllowKeys are attribute keys that are never scanned: exact keys, or prefixes ending in '*'.
	// Setting the list replaces the default list.
	AllowKeys []string `mapstructure:"allow_keys"`
	// MaxDepth bounds the nesting of maps, slices and JSON-in-string that is walked. Values
	// nested deeper are replaced with [REDACTED:DEPTH_LIMIT].
	MaxDepth int `mapstructure:"max_depth"`
	// ScanJSON redacts inside JSON documents held in string values, keeping them valid JSON.
	ScanJSON bool `mapstructure:"scan_json"`
	// Summary adds redaction.count and redaction.types to every touched span, log record or resource.
	Summary bool `mapstructure:"summary"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// DetectorConfig overrides one built-in detector.
type DetectorConfig struct {
	// Enabled turns the detector off when false. Detectors are on by default.
	Enabled *bool `mapstructure:"enabled"`
	// Action overrides the default action for this detector.
	Action string `mapstructure:"action"`
}

// CustomDetectorConfig is a user-defined detector.
type CustomDetectorConfig struct {
	// Name is the type label in placeholders and summaries: upper case letters, digits and '_'.
	Name string `mapstructure:"name"`
	// Regex is an RE2 regular expression matching the value.
	Regex string `mapstructure:"regex"`
	// Validator checks each match: none (default), luhn, mod97 or ssn.
	Validator string `mapstructure:"validator"`
	// Keywords, when set, run the regex only on values containing one of them (a fast prefilter).
	Keywords []string `mapstructure:"keywords"`
	// Action overrides the default action for this detector.
	Action string `mapstructure:"action"`
}

var customNameRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

func parseAction(field, s string, dflt detect.Action) (detect.Action, error) {
	if s == "" {
		return dflt, nil
	}
	a, ok := detect.ParseAction(s)
	if !ok {
		return 0, fmt.Errorf("%s: unknown action %q (want redact, mask, hash or drop)", field, s)
	}
	return a, nil
}

// Validate checks the configuration; every error names the offending field.
func (cfg *Config) Validate() error {
	_, err := cfg.engineOptions()
	return err
}

// engineOptions validates the configuration and translates it for the detection engine.
func (cfg *Config) engineOptions() (detect.Options, error) {
	var errs []error
	o := detect.Options{
		Actions:    map[detect.Type]detect.Action{},
		SecretKeys: cfg.SecretKeys,
		MaxDepth:   cfg.MaxDepth,
		ScanJSON:   cfg.ScanJSON,
	}
	if o.SecretKeys == nil {
		o.SecretKeys = []string{}
	}
	var err error
	if o.DefaultAction, err = parseAction("action", cfg.Action, detect.ActionRedact); err != nil {
		errs = append(errs, err)
	}
	usesHash := o.DefaultAction == detect.ActionHash
	for name, dc := range cfg.Detectors {
		t, ok := detect.BuiltinType(name)
		if !ok {
			errs = append(errs, fmt.Errorf("detectors::%s: unknown detector (known: %s)", name, strings.Join(detect.BuiltinNames(), ", ")))
			continue
		}
		if dc.Enabled != nil && !*dc.Enabled {
			o.Disabled = append(o.Disabled, t)
			continue
		}
		a, err := parseAction("detectors::"+name+"::action", dc.Action, o.DefaultAction)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		o.Actions[t] = a
		usesHash = usesHash || a == detect.ActionHash
	}
	seen := map[string]bool{}
	for i, c := range cfg.CustomDetectors {
		field := fmt.Sprintf("custom_detectors[%d]", i)
		if !customNameRE.MatchString(c.Name) {
			errs = append(errs, fmt.Errorf("%s.name: %q must match %s", field, c.Name, customNameRE))
		} else if _, builtin := detect.BuiltinType(c.Name); builtin || seen[c.Name] || c.Name == depthLimitType {
			errs = append(errs, fmt.Errorf("%s.name: %q is already used", field, c.Name))
		}
		seen[c.Name] = true
		re, err := regexp.Compile(c.Regex)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s.regex: %w", field, err))
		} else if c.Regex == "" || re.MatchString("") {
			errs = append(errs, fmt.Errorf("%s.regex: must not match the empty string", field))
		}
		if names := detect.ValidatorNames(); c.Validator != "" && !slices.Contains(names, c.Validator) {
			errs = append(errs, fmt.Errorf("%s.validator: unknown validator %q (want one of %s)", field, c.Validator, strings.Join(names, ", ")))
		}
		a, err := parseAction(field+".action", c.Action, o.DefaultAction)
		if err != nil {
			errs = append(errs, err)
		}
		usesHash = usesHash || a == detect.ActionHash
		o.Custom = append(o.Custom, detect.CustomDetector{Name: c.Name, Regexp: re, Validator: c.Validator, Keywords: c.Keywords, Action: a})
	}
	if n := len(cfg.CustomDetectors); n > detect.MaxTypes-int(detect.NumBuiltin) {
		errs = append(errs, fmt.Errorf("custom_detectors: at most %d entries, got %d", detect.MaxTypes-int(detect.NumBuiltin), n))
	}
	switch key := len(cfg.HMACKey); {
	case key > 0 && key < MinHMACKeyLength:
		errs = append(errs, fmt.Errorf("hmac_key: must be at least %d bytes, got %d", MinHMACKeyLength, key))
	case key == 0 && usesHash:
		errs = append(errs, errors.New("hmac_key: required when an action is hash"))
	}
	o.HMACKey = []byte(cfg.HMACKey)
	if cfg.MaxDepth < 1 || cfg.MaxDepth > maxConfiguredDepth {
		errs = append(errs, fmt.Errorf("max_depth: must be between 1 and %d, got %d", maxConfiguredDepth, cfg.MaxDepth))
	}
	for i, k := range cfg.AllowKeys {
		if k == "" || strings.Contains(strings.TrimSuffix(k, "*"), "*") {
			errs = append(errs, fmt.Errorf("allow_keys[%d]: %q must be a key or a prefix ending in '*'", i, k))
		}
	}
	for i, k := range cfg.SecretKeys {
		if strings.TrimSpace(k) == "" {
			errs = append(errs, fmt.Errorf("secret_keys[%d]: must not be empty", i))
		}
	}
	return o, errors.Join(errs...)
}
