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
