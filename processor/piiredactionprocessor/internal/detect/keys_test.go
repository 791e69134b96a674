package detect

import (
	"strings"
	"testing"
)

// keyMayBePersonalReference is the straightforward form keyMayBePersonal must agree with.
func keyMayBePersonalReference(key string) bool {
	for i := range len(key) {
		for _, f := range keyFragments {
			if len(key)-i >= len(f) && strings.EqualFold(key[i:i+len(f)], f) {
				return true
			}
		}
	}
	return false
}

func TestKeyMayBePersonalMatchesEqualFold(t *testing.T) {
	keys := []string{
		"", "n", "name", "NAME", "customer_Name", "BillingAddr", "street", "passenger_count",
		"cardHolder", "beneficiary", "next_of_KIN", "addressLine1", "HOUSE", "Building", "model",
		"gen_ai.request.model", "nam", "ame", "\u212Ain", "\u017Ftreet", "na\xffme", "\xffname", "n@me",
		"NaMe\x00", "lin", "LINE", "hous", "benefici", "kinship", "skin", "ADDR",
	}
	for _, k := range keys {
		if got, want := keyMayBePersonal(k), keyMayBePersonalReference(k); got != want {
			t.Errorf("keyMayBePersonal(%q) = %v, strings.EqualFold form says %v", k, got, want)
		}
	}
}

func FuzzKeyMayBePersonal(f *testing.F) {
	f.Add("customer_name")
	f.Add("\u212Ain")
	f.Fuzz(func(t *testing.T, key string) {
		if got, want := keyMayBePersonal(key), keyMayBePersonalReference(key); got != want {
			t.Errorf("keyMayBePersonal(%q) = %v, strings.EqualFold form says %v", key, got, want)
		}
	})
}

func hasSecretKeywordReference(name string) bool {
	for i := range len(name) {
		for _, k := range secretKeywords[name[i]|0x20] {
			if len(name)-i >= len(k) && strings.EqualFold(name[i:i+len(k)], k) {
				return true
			}
		}
	}
	return false
}

func FuzzHasSecretKeyword(f *testing.F) {
	for _, k := range []string{"API_KEY", "api-key", "x_Api_Key", "apiòkey", "private\x7fkey", "\u017Fecret", "Pass\u212Aey", "auth", "AUTH_TOKEN", "credentiaL"} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := hasSecretKeyword(name), hasSecretKeywordReference(name); got != want {
			t.Errorf("hasSecretKeyword(%q) = %v, strings.EqualFold form says %v", name, got, want)
		}
	})
}

// typicalKeys are the keys of agent conversations and tool calls that every JSON attribute repeats.
var typicalKeys = []string{
	"role", "parts", "type", "content", "finish_reason", "id", "name", "arguments",
	"gen_ai.input.messages", "gen_ai.output.messages", "destination", "max_price", "customer_name", "api_key",
}

// BenchmarkKeyFragments runs the two one-pass key filters over typicalKeys.
func BenchmarkKeyFragments(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, k := range typicalKeys {
			keyMayBePersonal(k)
			hasSecretKeyword(k)
		}
	}
}
