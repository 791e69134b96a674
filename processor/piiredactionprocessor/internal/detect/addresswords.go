package detect

// The STREET_ADDRESS grammar's word lists (street types, prefixes, particles, units, cues) and
// the quick filters built from them.

import (
	"strings"
)

// streetTypeWords are street types written as a separate word after the name: the usual ones
// take any capitalised name ("12 Main Street"); the rest (Faker's English-speaking locales' list
// of suffixes, many of them ordinary words) only names that are not common words ("Gairbekov
// Rapids", but not "3 Key Points").
var streetTypeWords = wordSet(`street st road rd avenue ave av lane ln drive dr close crescent cres way court ct
place pl boulevard blvd bvd terrace ter tce gardens gdns square sq parkway pkwy highway hwy mews grove trail trl
circle cir plaza alley row walk rise str utca út u körút tér köz sétány ulica ul cesta tee tänav iela gatvė
straße strasse gasse weg platz allee ring damm gate gata vej gade laan straat terrasse kapu útja rkp põik puiestee maantee`)

// lowerOnlyStreetTypes are street types only in lower case ("Trenerys gate 232"); capitalised they
// are ordinary words before a number ("Gate 12", "Ring 3").
var lowerOnlyStreetTypes = wordSet(`gate gata vej gade ring rise row walk way`)

// lowerStreetTypes are written in lower case after the name ("Király u. 15", "Erzsébet tér 19").
var lowerStreetTypes = wordSet(`u utca út tér köz körút str ulica ul gate gata vej gade terrasse kapu útja rkp cesta tee
tänav iela gatvė straße strasse gasse weg platz allee ring põik puiestee maantee`)

var weakStreetTypeWords = wordSet(`alleyway amble anchorage approach arcade basin beach brae bridge broadway brook brooks
brow burg burgs bypass byway canyon cape causeway chase circles circlet circuit circus cliff cliffs club colonnade common
concourse copse corner corners corso court courts courtyard cove coves creek crest crossing crossroad crossway
cul-de-sac curve dale dam dell drives driveway esplanade estate estates expressway extension extensions fairway
ferry firetrail flat flats footway ford fords foreshore forest forge forges fork forks fort freeway gardens gateway
glade glen glens grange green greens groves gully harbor harbors harbour haven heights highroad hill hills hollow
inlet interchange island islands isle junction junctions knoll knolls lake lakes landing laneway lees lodge lookout
loop mall manor manors meadow meadows meander mew mill mills mission motorway mount mountain mountains neck nook
orchard outlook oval overpass parade park parklands parks parkways pass passage path pathway piazza pike pine pines
plateau prairie promenade quadrangle quadrant quay quays radial ramble ranch rapids retreat ridge ridges ridgeway
riverway riviera roads roadside roadway ronde shoal shoals shore shores siding skyway slope square squares stravenue
stream streets summit tarn thoroughfare throughway tollway tor towers trafficway trailer trunkway tunnel turnpike
tpke underpass union unions vale valley valleys viaduct view views village villages villas ville vista walks
walkway ways wharf wynd embankment route`)

// streetPrefixWords are street types written before the name.
var streetPrefixWords = wordSet(`rue avenue av avenida avda boulevard bd bvd chemin allée allee impasse place quai route
cours via viale piazza piazzale piazzetta corso vicolo largo strada calle carrer paseo plaza camino carretera ronda
travesía travesia rua rúa travessa praça praca estrada alameda ladeira ul ulica al aleja pl plac os osiedle str
bulevardul aleea calea soseaua jalan jl jln lorong rambla trg leoforos odos λ λεωφ λεωφόρος οδός`)

// streetParticles join the words of a street name ("Rua do Arenque", "Via dei Fiorentini").
var streetParticles = wordSet(`de del della delle dei degli di da do dos das du des la le les los las el al von van der
den am an im zum zur auf na nad pod u v z ze of the and y e i à`)

func isStreetType(w string) bool { return inSet(streetTypeWords, w) || inSet(weakStreetTypeWords, w) }

// streetSuffixes end compound street names ("Hauptstraße", "Nybyvägen", "Harjukuja").
var streetSuffixes = []string{
	"straße", "strasse", "str.", "gasse", "weg", "platz", "allee", "ring", "damm", "ufer",
	"steig", "pfad", "chaussee", "gade", "vej", "vænget", "stræde", "gatan", "vägen", "gata", "gränd", "stigen",
	"torget", "backen", "laan", "straat", "dreef", "singel", "steeg", "gracht", "plein", "kade", "kuja", "katu",
	"tie", "polku", "kaari", "rinne", "veien", "vegen", "veg", "gate", "braut", "vegur", "stígur", "stræti",
	"vollen", "bakken", "haugen", "utca", "ulice", "iela", "tänav", "gatvė", "street", "road", "brücke", "baan", "graben",
	"markt", "berg", "hof", "feld", "park", "dijk", "kai", "gränd", "väg", "vägen", "torg",
}

// unitWords introduce a unit or box number ("Apt. 5", "Suite 838", "P.O. Box 242", "PSC 0729").
var unitWords = wordSet(`apt apartment suite ste flat box postbox psc piso dpto depto appartamento`)

// addressCues precede a street written without a known street type ("lives at Coronilla 3599").
var addressCues = []string{
	"address:", "address is", "address", "lives at", "lives on", "lives in", "live at",
	"located at", "located on", "located in", "is at", "are at", "me at", "meet at", "ship to", "ship it to", "deliver to",
	"deliver it to", "delivered to", "moved to", "send it to", "mail it to", "corner of", "side of", "is on",
	"adresse:", "anschrift:", "dirección:", "indirizzo:", "endereço:",
}

// sentenceWords end an address tail: capitalised words that start a new sentence, not a city.
var sentenceWords = wordSet(`i it its the this that then there these those please thanks thank and but also so we you
he she they my our your his her their if when can could would will should is are was were be been let call meet see
send ship tell ask what where who how why hello hi dear regards best cheers ok okay yes no not a an in on at for of
to from by with as or all some any each every one after before during while since until about into over under
just only even still here now today tomorrow yesterday`)

func allUpperASCII(w string) bool {
	for i := range len(w) {
		if w[i] < 'A' || w[i] > 'Z' {
			return false
		}
	}
	return true
}

// suffixesByLast indexes streetSuffixes by their last byte (lower case) for a quick reject.
var suffixesByLast = func() (idx [256][]string) {
	for _, suf := range streetSuffixes {
		c := suf[len(suf)-1]
		idx[c] = append(idx[c], suf)
		if c >= 'a' && c <= 'z' {
			idx[c-'a'+'A'] = append(idx[c-'a'+'A'], suf)
		}
	}
	return idx
}()

func hasStreetSuffix(w string) bool {
	if len(w) < 5 {
		return false
	}
	for _, suf := range suffixesByLast[w[len(w)-1]] {
		if len(w) > len(suf)+2 && hasSuffixFold(w, suf) {
			return true
		}
	}
	return false
}

// addressContext is the quick test before the address grammar runs at a house number: the word
// before or after the number must be capitalised, a number, or a street word ("revenue 42
// quarter" is not an address).
func addressContext(s string, i, ne int) bool {
	// Forward first: a capital, a digit or a non-ASCII letter after the number is enough.
	j := ne
	if j < len(s) && s[j] == ',' {
		j++
	}
	fwd := j+1 < len(s) && s[j] == ' '
	if fwd {
		j++
		if c := s[j]; isDigit(c) || c >= 0x80 || c >= 'A' && c <= 'Z' {
			return true
		}
	}
	if i >= 2 && s[i-1] == ' ' {
		k, lo := i-1, max(0, i-41) // at most 40 bytes back
		for k > lo && addrWordByte[s[k-1]] {
			k--
		}
		if k < i-1 {
			c := s[k]
			if c >= 0x80 || c >= 'A' && c <= 'Z' {
				return true
			}
			if w := s[k : i-1]; mayBeAddressWord(w) && (lowerAddressWord(w) || hasStreetSuffix(w)) {
				return true
			}
		}
	}
	if !fwd {
		return false
	}
	k, hi := j, min(len(s), j+40) // at most 40 bytes on
	for k < hi && addrWordByte[s[k]] && s[k] != '\'' {
		k++
	}
	w := s[j:k]
	return mayBeAddressWord(w) && (lowerAddressWord(w) || hasStreetSuffix(strings.TrimSuffix(w, ".")))
}

// addrWordByte: letters (any script, as UTF-8 bytes), '.' and the apostrophe.
var addrWordByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = isAlpha(byte(c)) || c >= 0x80 || c == '.' || c == '\''
	}
	return t
}()

// addressTails is a 4096-bit filter over the last three bytes (lower case) of the street words,
// units and street suffixes: most ordinary words fail it at the cost of one hash.
var addressTails = func() (f [64]uint64) {
	add := func(w string) {
		if h, ok := tailHash(w); ok {
			f[h>>6] |= 1 << (h & 63)
		}
	}
	for _, w := range wordsOf(lowerAddressWords) {
		add(w)
	}
	for _, w := range streetSuffixes {
		add(w)
	}
	return f
}()

func tailHash(w string) (uint32, bool) {
	w = strings.TrimSuffix(w, ".")
	if len(w) < 3 {
		return 0, false
	}
	a, b, c := uint32(w[len(w)-3]|0x20), uint32(w[len(w)-2]|0x20), uint32(w[len(w)-1]|0x20)
	return (a*0x9E3779B1 ^ b*0x85EBCA77 ^ c*0xC2B2AE3D) >> 20, true
}

// mayBeAddressWord is the quick filter before lowerAddressWord and hasStreetSuffix.
func mayBeAddressWord(w string) bool {
	h, ok := tailHash(w)
	if !ok {
		return true // short words ("u.", "ul") go to the exact test
	}
	return addressTails[h>>6]&(1<<(h&63)) != 0
}

// lowerAddressWord tests membership in lowerAddressWords, rejecting most words by their first
// letter and length before the map lookup.
func lowerAddressWord(w string) bool {
	w = strings.TrimSuffix(w, ".")
	if len(w) == 0 || len(w) > 31 || w[0] < 'a' || w[0] > 'z' || lowerAddressShape[w[0]-'a']&(1<<len(w)) == 0 {
		return len(w) > 0 && w[0] >= 0x80 && inSet(lowerAddressWords, w)
	}
	return inSet(lowerAddressWords, w)
}

var lowerAddressShape = func() (m [26]uint32) {
	for _, w := range wordsOf(lowerAddressWords) {
		if w[0] >= 'a' && w[0] <= 'z' && len(w) < 32 {
			m[w[0]-'a'] |= 1 << len(w)
		}
	}
	return m
}()

// lowerAddressWords may stand in lower case right before a house number.
var lowerAddressWords = unitWords | lowerStreetTypes | streetPrefixWords | unitWord

var unitWord = wordSet(`unit`)

func hasSuffixFold(s, suf string) bool {
	return len(s) >= len(suf) && strings.EqualFold(s[len(s)-len(suf):], suf)
}

var directionWords = wordSet(`north south east west n s e w ne nw se sw`)
