package detect

import (
	"strings"
	"sync/atomic"
)

// KeyInfo is what the redactors ask of a key: whether its values are secret by its name, hold a
// person's name or an address by the name and its parent, or name an identifier. Each question
// costs tens to hundreds of instructions (normalising the key, hashing it into the lexicon,
// scanning it for fragments), and agent traffic asks them about the same few dozen keys ("role",
// "content", "gen_ai.input.messages") millions of times, so Engine.Key answers from a cache.
type KeyInfo uint8

const (
	keySecretName  KeyInfo = 1 << iota // IsSecretKey(name)
	keySecretWord                      // Enabled(TypeSecret) && hasSecretKeyword(name)
	keyPersonType                      // KeyType(parent, name) is PERSON
	keyAddressType                     // KeyType(parent, name) is STREET_ADDRESS
	keyIdentName                       // IdentifierKey(name)
)

// SecretName is IsSecretKey(name).
func (k KeyInfo) SecretName() bool { return k&keySecretName != 0 }

// Identifier is IdentifierKey(name).
func (k KeyInfo) Identifier() bool { return k&keyIdentName != 0 }

// Type is KeyType(parent, name).
func (k KeyInfo) Type() (Type, bool) {
	switch {
	case k&keyPersonType != 0:
		return TypePerson, true
	case k&keyAddressType != 0:
		return TypeStreetAddress, true
	}
	return 0, false
}

// keyCacheSlots bounds the cache: 1,024 pointers, and entries only for keys up to
// keyCacheMaxLen bytes.
const (
	keyCacheBits   = 10
	keyCacheSlots  = 1 << keyCacheBits
	keyCacheMaxLen = 64
)

type keyCacheEntry struct {
	parent, name string
	info         KeyInfo
}

// keyCache is a direct-mapped table of key classifications shared by every goroutine using the
// engine. A slot is filled once and never replaced: lookups stay lock-free (one atomic load and
// a string comparison) and a stream of new keys cannot make the cache allocate per key forever;
// a key whose slot is taken is classified every time, as it was before the cache.
type keyCache struct {
	slots [keyCacheSlots]atomic.Pointer[keyCacheEntry]
}

// Key classifies the key name under the object keyed parent ("" at the top level).
func (e *Engine) Key(parent, name string) KeyInfo {
	h := keyHash(name)
	if parent != "" {
		h = h*31 + keyHash(parent)
	}
	slot := &e.keyCache.slots[(h*0x9E3779B97F4A7C15)>>(64-keyCacheBits)]
	if p := slot.Load(); p != nil {
		if p.name == name && p.parent == parent {
			return p.info
		}
		return e.classifyKeyInfo(parent, name)
	}
	info := e.classifyKeyInfo(parent, name)
	if len(name)+len(parent) <= keyCacheMaxLen {
		// Clone: name and parent usually alias a whole JSON document the cache must not keep.
		slot.CompareAndSwap(nil, &keyCacheEntry{parent: strings.Clone(parent), name: strings.Clone(name), info: info})
	}
	return info
}

func (e *Engine) classifyKeyInfo(parent, name string) KeyInfo {
	var k KeyInfo
	if e.IsSecretKey(name) {
		k |= keySecretName
	}
	if e.enabled[TypeSecret] && hasSecretKeyword(name) {
		k |= keySecretWord
	}
	if t, ok := e.KeyType(parent, name); ok {
		if t == TypePerson {
			k |= keyPersonType
		} else {
			k |= keyAddressType
		}
	}
	if e.IdentifierKey(name) {
		k |= keyIdentName
	}
	return k
}

// keyHash picks a slot for a key: its length, first and last eight bytes and middle byte. It is
// inlined and a few instructions where maphash is a call; keys it confuses only share a slot,
// the entry's own strings decide a hit.
func keyHash(s string) uint64 {
	n := len(s)
	if n < 8 {
		h := uint64(n)
		for i := range n {
			h = h<<8 | uint64(s[i])
		}
		return h
	}
	return uint64(n)<<56 ^ load64(s) ^ load64(s[n-8:])*0xff51afd7ed558ccd ^ uint64(s[n/2])<<48
}

func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
