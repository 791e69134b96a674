package detect

import "strings"

// Keys that name a person or a postal address: their values are redacted whole, whatever they
// look like ({"customer_name": "Jane Doe"}, {"billing_address": "..."}). Keys are compared
// case-insensitively with '_', '-' and spaces removed, so customer_name, customerName and
// Customer-Name are one key; in a dotted attribute key the last segment counts, with the one
// before it as its parent (contact.name).

// personKeys hold a person's name.
var personKeys = wordSet(`fullname firstname lastname surname givenname familyname middlename maidenname
birthname legalname customername contactname passenger passengername recipientname sendername cardholder
cardholdername accountholder accountholdername holdername patientname employeename guestname travelername
travellername beneficiary beneficiaryname billingname shippingname personname clientname ownername
authorname assigneename reportername managername drivername buyername tenantname membername applicantname
candidatename studentname parentname spousename nextofkin emergencycontactname realname`)

// personParents are objects that describe a person: their "name" is a person's name.
var personParents = wordSet(`customer contact passenger patient employee guest traveler traveller recipient
sender client owner holder cardholder accountholder beneficiary author assignee reporter manager driver buyer
tenant member applicant candidate student parent spouse person people emergencycontact nextofkin attendee
participant speaker organizer organiser requester approver reviewer signer payer payee shipto billto`)

// addressKeys hold a postal address or its street line.
var addressKeys = wordSet(`address streetaddress street streetname streetline addressline addressline1
addressline2 addressline3 address1 address2 address3 billingaddress shippingaddress homeaddress
mailingaddress postaladdress deliveryaddress physicaladdress residentialaddress workaddress businessaddress
pickupaddress dropoffaddress customeraddress contactaddress permanentaddress currentaddress streetline1
streetline2 street1 street2 houseaddress`)

// addressLineKeys are street lines when their parent is an address ({"address": {"line1": ...}}).
var addressLineKeys = wordSet(`line1 line2 line3 line street street1 street2 housenumber house building`)

// keyFragments are what every person or address key contains; keyMayBePersonal tests for them in
// one pass before any normalisation.
var keyFragments = [...]string{"name", "addr", "street", "passenger", "holder", "beneficiar", "kin", "line", "house", "building"}

// fragmentsByFirst indexes keyFragments by first letter, so each byte of a key is compared with
// the one or two fragments it can start instead of all of them.
var fragmentsByFirst = func() (t [256][]string) {
	for _, f := range keyFragments {
		t[f[0]] = append(t[f[0]], f)
	}
	return t
}()

func keyMayBePersonal(key string) bool { return containsFragment(key, &fragmentsByFirst) }

// containsFragment reports whether key contains, ignoring ASCII case, one of the lower-case
// fragments indexed by their first letter.
func containsFragment(key string, byFirst *[256][]string) bool {
	for i := range len(key) {
		for _, f := range byFirst[key[i]|0x20] {
			if len(key)-i >= len(f) && equalFoldASCII(key[i:i+len(f)], f) {
				return true
			}
		}
	}
	return false
}

// equalFoldASCII reports whether s equals lower, a lower-case ASCII fragment, ignoring case. It
// agrees with strings.EqualFold for these arguments: s has as many bytes as lower has characters,
// so only an all-ASCII s has as many runes, and ASCII folds only A-Z to a-z.
func equalFoldASCII(s, lower string) bool {
	for i := range len(lower) {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// normKey lower-cases k into buf without '_', '-', ' ' (and a trailing plural 's' when plural)
// and returns the length, or -1 when it does not fit.
func normKey(buf *[maxLexWord]byte, k string, plural bool) int {
	n := 0
	for i := range len(k) {
		c := k[i]
		switch {
		case c == '_' || c == '-' || c == ' ':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		if n == len(buf) {
			return -1
		}
		buf[n] = c
		n++
	}
	if plural && n > 3 && buf[n-1] == 's' {
		n--
	}
	return n
}

func inKeySet(set wordClass, k string, plural bool) bool {
	var buf [maxLexWord]byte
	n := normKey(&buf, k, plural)
	if n <= 0 {
		return false
	}
	nk := stackString(&buf, n)
	return grammar.classOfLower(nk, fnv32(nk))&set != 0
}

// splitKey returns the last dot-separated segment of key and the one before it.
func splitKey(key string) (parent, last string) {
	dot := strings.LastIndexByte(key, '.')
	if dot < 0 {
		return "", key
	}
	last = key[dot+1:]
	parent = key[:dot]
	if d := strings.LastIndexByte(parent, '.'); d >= 0 {
		parent = parent[d+1:]
	}
	return parent, last
}

// KeyType reports whether the values under key are a PERSON or a STREET_ADDRESS by their key
// alone. parent is the key of the enclosing object ("" at the top level).
func (e *Engine) KeyType(parent, key string) (Type, bool) {
	if len(key) < 4 || len(key) > 96 || e.lex == nil || !keyMayBePersonal(key) {
		return 0, false
	}
	if p, last := splitKey(key); p != "" {
		parent, key = p, last
	}
	if e.enabled[TypePerson] {
		if inKeySet(personKeys, key, false) {
			return TypePerson, true
		}
		if strings.EqualFold(key, "name") && parent != "" && inKeySet(personParents, parent, true) {
			return TypePerson, true
		}
	}
	if e.enabled[TypeStreetAddress] {
		if inKeySet(addressKeys, key, false) {
			// A bare "address" under another object (server.address, peer.address) is a network
			// address; only people's and the top level's are postal.
			if strings.EqualFold(key, "address") && parent != "" && !inKeySet(personParents, parent, true) {
				return 0, false
			}
			return TypeStreetAddress, true
		}
		if parent != "" && inKeySet(addressLineKeys, key, false) && inKeySet(addressKeys, parent, false) {
			return TypeStreetAddress, true
		}
	}
	return 0, false
}

// KeyedValue reports whether a whole value under a key of type t (PERSON or STREET_ADDRESS)
// should be replaced: text with a letter, not already a placeholder; an address also has a space
// (so that a host name under "address" stays).
func (e *Engine) KeyedValue(t Type, value string) bool {
	if value == "" || e.placeholderLen(value) > 0 {
		return false
	}
	if t == TypeStreetAddress && strings.IndexByte(value, ' ') < 0 {
		return false
	}
	for i := range len(value) {
		if isAlpha(value[i]) || value[i] >= 0x80 {
			return true
		}
	}
	return false
}
