package detect

import (
	"fmt"
	"sync"
	"testing"
)

// TestKeyCacheAgrees: Key answers what the uncached classifiers answer, on a first look, from the
// cache, and for keys that find their slot taken (more keys than slots), from many goroutines.
func TestKeyCacheAgrees(t *testing.T) {
	keys := []string{
		"", "role", "content", "password", "api_key", "x-api-key", "my_token", "customer_name", "name",
		"address", "billing_address", "line1", "street", "gen_ai.tool.name", "tool_name", "model",
		"contact.name", "server.address", "Authorization", "secret_access_key_hint",
	}
	parents := []string{"", "customer", "address", "billing_address", "server", "contact"}
	for i := range 3 * keyCacheSlots {
		keys = append(keys, fmt.Sprintf("k%d_name", i))
	}
	for _, o := range []Options{{}, {Disabled: []Type{TypeSecret, TypePerson}}} {
		e := newTestEngine(t, o)
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 2 {
					for i, k := range keys {
						p := parents[(i+g)%len(parents)]
						if got, want := e.Key(p, k), e.classifyKeyInfo(p, k); got != want {
							t.Errorf("Key(%q, %q) = %b, want %b", p, k, got, want)
						}
					}
				}
			}()
		}
		wg.Wait()
		for _, k := range keys[:20] {
			info := e.Key("customer", k)
			typ, ok := e.KeyType("customer", k)
			gotTyp, gotOK := info.Type()
			if info.SecretName() != e.IsSecretKey(k) || info.Identifier() != e.IdentifierKey(k) || typ != gotTyp || ok != gotOK ||
				(info&keySecretWord != 0) != (e.enabled[TypeSecret] && hasSecretKeyword(k)) {
				t.Errorf("Key(customer, %q) = %b disagrees with the classifiers", k, info)
			}
		}
	}
}
