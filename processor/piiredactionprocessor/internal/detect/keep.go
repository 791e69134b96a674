package detect

import (
	"strings"
	"unicode/utf8"
)

// What the name and address grammars must leave alone, each rule with a reason a test can see
// (keepTrace): dates (weekday and month names of several languages, RFC 1123/HTTP dates, ISO
// dates), quantities with units ("500 MB", "12 km"), values under keys that hold tool, function
// and model names, identifier-shaped words (kebab-case, snake_case, camelCase, dotted), and
// place names before a number or after a word that is not a given name ("London 248").

// keepReason says why text that a grammar looked at was kept.
type keepReason uint8

const (
	keepDate          keepReason = iota + 1 // "Sun, 06 Dec 2026 18:58:38 GMT", "Monday 12 March", "3 May 2026"
	keepQuantity                            // a number with a unit: "42 GB", "300 ms", "15 kg"
	keepIdentifierKey                       // the value of gen_ai.tool.name, gen_ai.request.model...
	keepIdentifier                          // "send-email", "search_documents", "getWeather", "crm.lookup"
	keepPlace                               // place names only: "Timeout Berlin", "London 248"
	keepProduct                             // a product or company name: "492 Google Drive"
)

var keepReasonNames = [...]string{
	keepDate: "date", keepQuantity: "quantity", keepIdentifierKey: "identifier key",
	keepIdentifier: "identifier", keepPlace: "place", keepProduct: "product",
}

func (r keepReason) String() string {
	if int(r) < len(keepReasonNames) && keepReasonNames[r] != "" {
		return keepReasonNames[r]
	}
	return "none"
}

// keepTrace, when set by a test, is told each time a rule keeps s[start:end]. It is nil in
// production; the check is one predictable branch.
var keepTrace func(r keepReason, start, end int)

func kept(r keepReason, start, end int) {
	if keepTrace != nil {
		keepTrace(r, start, end)
	}
}

// calendarWords are month ('m') and weekday ('d') names and their abbreviations in English,
// German, French, Spanish, Italian, Portuguese, Dutch, Polish, Swedish, Danish and Norwegian.
// They join the lexicon (lexMonth, lexWeekday), so one lookup answers for them too.
const calendarWords = `
m january february march april may june july august september october november december
m jan feb mar apr jun jul aug sep sept oct nov dec
m januar februar märz maerz mai juni juli oktober dezember jänner
m janvier février fevrier mars avril juin juillet août aout septembre octobre novembre décembre
m enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre
m gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre
m janeiro fevereiro março maio junho julho setembro outubro dezembro
m januari februari maart mei augustus
m stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia
m styczeń luty marzec kwiecień czerwiec lipiec sierpień wrzesień październik listopad grudzień
m augusti
d monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
d montag dienstag mittwoch donnerstag freitag samstag sonntag mo di mi do fr sa so
d lundi mardi mercredi jeudi vendredi samedi dimanche lun mer jeu ven sam dim
d lunes martes miércoles miercoles jueves viernes sábado sabado domingo
d lunedì martedì mercoledì giovedì venerdì sabato domenica
d segunda terça terca quarta quinta sexta
d maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
d poniedziałek wtorek środa czwartek piątek sobota niedziela
d måndag tisdag onsdag torsdag fredag lördag söndag mandag tirsdag lørdag søndag
`

// namedThings are multi-word names of holidays, landmarks, products and events that are not
// people ("Black Friday", "Golden Gate Bridge"): they join the lexicon as places ('p', their first
// word 'q'), so the name grammar treats them as one barrier, like "Los Angeles".
const namedThings = `black friday|cyber monday|new year|new year's eve|christmas eve|christmas day|boxing day|
labor day|labour day|memorial day|independence day|thanksgiving day|easter monday|good friday|golden gate bridge|
golden gate|central park|times square|big ben|tower bridge|london bridge|buckingham palace|statue of liberty|
grand canyon|great wall|mount everest|silicon valley|wall street|google drive|google docs|google sheets|
google calendar|google cloud|microsoft teams|microsoft word|microsoft excel|visual studio|claude sonnet|
claude opus|claude haiku|github actions|apple pay|google pay|amazon prime|prime day|world cup|champions league`

// functionWords are articles, pronouns, conjunctions and prepositions of German, French,
// Spanish, Italian, Portuguese, Dutch, Polish and the Nordic languages that open sentences
// capitalised ("Der Bericht", "Het kantoor", "Die Filiale"), and header names that open lines
// as "Date: ..." the way a speaker's name does: never part of a name. Words that are
// also name particles (de, la, van...) or given names (Ella, Elle, Lei) are left out; readNameRun treats those alone. "Das" is in
// (German's most frequent article before a capitalised noun), at the cost of the surname Das.
const functionWords = `das der die dem des ein eine einen einem einer eines und oder mit für von zu im am um ist sind war
wir ich sie es er bitte danke heute hier dieser diese dieses unser unsere ihr ihre
les une des au aux et ou avec pour sur dans est sont nous vous ils il je merci bonjour cette ce ces votre notre
los las unos unas con para por en es son nosotros usted ellos gracias hola este esta su sus nuestro
lo gli uno nel nella sono noi voi loro grazie ciao questo questa
os um uma em são nós você obrigado olá
het een met voor op zijn wij jullie zij dank hallo deze dit
jest są oni ona dziękuję
det ett och för på är vi ni tack hej
date subject status server host via age expires accept allow warning range origin referer`

// extraPlaces are cities and their inflected forms that the place lists miss.
const extraPlaces = `mainz warszawie warszawy krakowie wrocławiu gdańsku münchen muenchen köln koeln zürich genève
bruxelles lisboa sevilla milano torino napoli firenze praha wien göteborg malmö`

// extraCompanies are companies and products of the languages above that the name lists also
// hold (stop.txt is English-centred).
const extraCompanies = `telefónica telefonica santander bbva deutsche bahn lufthansa renault peugeot carrefour
danone orange sncf zalando otto ikea volvo ericsson spotify klarna adyen`

// monthInitial holds the first bytes (both cases, UTF-8 lead bytes too) of month names and of
// "de" ("12 de marzo").
var monthInitial = func() (t [256]bool) {
	t['d'], t['D'] = true, true
	for _, line := range strings.Split(calendarWords, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "m" {
			for _, w := range f[1:] {
				t[w[0]] = true
				if w[0] >= 'a' && w[0] <= 'z' {
					t[w[0]-'a'+'A'] = true
				}
			}
		}
	}
	return t
}()

// calendarLexicon is calendarWords, namedThings, functionWords and extraCompanies as lexicon
// lines ("word\tflags").
func calendarLexicon(b *strings.Builder) {
	for _, line := range strings.Split(calendarWords, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		for _, w := range f[1:] {
			b.WriteString(w + "\t" + f[0] + "\n")
		}
	}
	for _, w := range strings.Fields(functionWords) {
		b.WriteString(w + "\tx\n")
	}
	for _, w := range strings.Fields(extraPlaces) {
		b.WriteString(w + "\tp\n")
	}
	for _, w := range strings.Fields(extraCompanies) {
		b.WriteString(w + "\ts\n")
	}
	for _, p := range strings.Split(namedThings, "|") {
		p = strings.TrimSpace(p)
		b.WriteString(p + "\tp\n")
		first, _, _ := strings.Cut(p, " ")
		b.WriteString(first + "\tq\n")
	}
}

// dateAt returns the end of a date written with a month or weekday name that starts at i (a
// letter or a digit), or 0: "Sun, 06 Dec 2026 18:58:38 GMT", "Monday 12 March", "Friday, 3 May
// 2026", "12 March", "3. März 2026", "12 de marzo de 2026", "March 12, 2026", "Dec 2026". A
// weekday alone is left to the lexicon (it is a stop word there).
func (lx *lexiconTable) dateAt(s string, i int) int {
	if !isDigit(s[i]) {
		end, _, _, _ := readWord(s, i)
		if end == i {
			return 0
		}
		return lx.dateAfterWord(s, i, end, lx.lookup(s[i:end]))
	}
	// dateAfterWord's first rejects, without its frame: most numbers have three or more digits
	// or a word after them that no month name starts like ("12 results", "250 tokens").
	k := i + 1
	if k < len(s) && isDigit(s[k]) {
		k++
	}
	if k < len(s) && isDigit(s[k]) || k+1 < len(s) && s[k] == ' ' && !monthInitial[s[k+1]] {
		return 0
	}
	return lx.dateAfterWord(s, i, i, 0)
}

// dateAfterWord is dateAt for a caller that has read the word s[i:end] and its lexicon flags
// fl already (end == i when i is a digit).
func (lx *lexiconTable) dateAfterWord(s string, i, end int, fl lexFlags) int {
	j := i
	weekday := false
	if end > i {
		switch {
		case fl&lexWeekday != 0:
			weekday = true
			j = skipDateSep(s, skipDot(s, end))
			if j < 0 || j >= len(s) || !isDigit(s[j]) {
				return 0
			}
		case fl&lexMonth != 0:
			return lx.monthFirst(s, end)
		default:
			return 0
		}
	}
	// A day number, then a month name.
	k := j
	for k < len(s) && isDigit(s[k]) && k-j < 3 {
		k++
	}
	if k-j == 0 || k-j > 2 || k+1 < len(s) && s[k] == ' ' && !monthInitial[s[k+1]] {
		return 0 // the last test is the quick reject below, for the commonest "12 results"
	}
	k = skipOrdinal(s, k)
	m := skipDateSep(s, k)
	if m < 0 || m >= len(s) || !monthInitial[s[m]] {
		return 0 // the quick reject for "12 results", "42 GB"
	}
	if hasPrefixFold(s[m:], "de ") { // "12 de marzo"
		m += 3
	}
	if end = lx.monthWordEnd(s, m); end < 0 || streetTypeAfter(s, end) {
		if weekday && k-i >= 8 {
			return k // "Friday 12" (a full weekday name): still a date
		}
		return 0
	}
	return dateTail(s, skipDot(s, end))
}

// monthWordEnd returns the end of the month name that starts at m, or -1. An ASCII word whose
// first two letters and length no month name has ("12 agent", "12 schema") is rejected before
// readWord and the lexicon lookup: after a day number they were a fifth of dateAt's cost.
func (lx *lexiconTable) monthWordEnd(s string, m int) int {
	k := m
	for k < len(s) && isAlpha(s[k]) {
		k++
	}
	// Where readWord would read on (an apostrophe, a hyphen, a non-ASCII letter) or the word
	// is too long for the filter, the lexicon decides.
	if n := k - m; n > 0 && n < 32 && (k == len(s) || s[k] < utf8.RuneSelf && s[k] != '\'' && s[k] != '-') &&
		(n < 2 || monthShape[int(s[m]|0x20-'a')*26+int(s[m+1]|0x20-'a')]&(1<<n) == 0) {
		return -1
	}
	end, _, _, _ := readWord(s, m)
	if end == m || lx.lookup(s[m:end])&lexMonth == 0 {
		return -1
	}
	return end
}

// monthShape has a bit per length of the month names (the lexicon's only lexMonth words) per
// pair of lower-cased first letters; names not starting with two ASCII letters never equal
// the ASCII words monthWordEnd rejects with it.
var monthShape = func() (m [26 * 26]uint32) {
	for _, line := range strings.Split(calendarWords, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "m" {
			continue
		}
		for _, w := range f[1:] {
			if len(w) < 2 || len(w) >= 32 {
				panic("detect: month name " + w + " outside monthShape")
			}
			if isAlpha(w[0]) && isAlpha(w[1]) {
				m[int(w[0]|0x20-'a')*26+int(w[1]|0x20-'a')] |= 1 << len(w)
			}
		}
	}
	return m
}()

// monthFirst continues a date after a month name: "March 12, 2026", "Dec 2026", "March 12".
func (lx *lexiconTable) monthFirst(s string, end int) int {
	j := skipDateSep(s, skipDot(s, end))
	if j < 0 || j >= len(s) || !isDigit(s[j]) {
		return 0
	}
	k := j
	for k < len(s) && isDigit(s[k]) {
		k++
	}
	switch {
	case k-j == 4:
		return dateTail(s, j) // "Dec 2026"
	case k-j <= 2 && (k >= len(s) || !isAlnum(s[k]) || strings.HasPrefix(s[k:], "th") ||
		strings.HasPrefix(s[k:], "st") || strings.HasPrefix(s[k:], "nd") || strings.HasPrefix(s[k:], "rd")):
		if streetTypeAfter(s, skipOrdinal(s, k)) {
			return 0
		}
		return dateTail(s, skipOrdinal(s, k))
	}
	return 0
}

// dateTail extends a date over a year, a time of day and a zone: " 2026 18:58:38 GMT", ", 2026".
func dateTail(s string, p int) int {
	if strings.HasPrefix(s[p:], " de ") || strings.HasPrefix(s[p:], " del ") {
		if q := strings.IndexByte(s[p+1:], ' ') + p + 1; q+5 <= len(s) && allDigits(s[q+1:q+5]) {
			p = q // "12 de marzo de 2026"
		}
	}
	if q := skipDateSep(s, p); q > 0 && q+4 <= len(s) && allDigits(s[q:q+4]) && (q+4 == len(s) || !isAlnum(s[q+4])) {
		p = q + 4
	}
	if q := p + 1; q+5 <= len(s) && s[p] == ' ' && isDigit(s[q]) && isDigit(s[q+1]) && s[q+2] == ':' && isDigit(s[q+3]) && isDigit(s[q+4]) {
		p = q + 5
		if p+3 <= len(s) && s[p] == ':' && isDigit(s[p+1]) && isDigit(s[p+2]) {
			p += 3
		}
		for _, z := range [...]string{" GMT", " UTC", " Z", " CET", " CEST", " EST", " EDT", " PST", " PDT"} {
			if strings.HasPrefix(s[p:], z) && (p+len(z) == len(s) || !isAlnum(s[p+len(z)])) {
				p += len(z)
				break
			}
		}
		if p+6 <= len(s) && s[p] == ' ' && (s[p+1] == '+' || s[p+1] == '-') && allDigits(s[p+2:p+6]) {
			p += 6
		}
	}
	return p
}

func allDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return len(s) > 0
}

func skipDot(s string, i int) int {
	if i < len(s) && s[i] == '.' {
		return i + 1
	}
	return i
}

// skipDateSep skips ", " or " " between the parts of a date; -1 when neither is there.
func skipDateSep(s string, i int) int {
	if i < len(s) && s[i] == ',' {
		i++
	}
	if i >= len(s) || s[i] != ' ' {
		return -1
	}
	return i + 1
}

func skipOrdinal(s string, k int) int {
	if k < len(s) && s[k] == '.' {
		return k + 1
	}
	for _, o := range [...]string{"st", "nd", "rd", "th"} {
		if strings.HasPrefix(s[k:], o) && (k+2 == len(s) || !isAlnum(s[k+2])) {
			return k + 2
		}
	}
	return k
}

// streetTypeAfter reports whether a street type follows at p ("12 March Street" is a street).
func streetTypeAfter(s string, p int) bool {
	if p+1 >= len(s) || s[p] != ' ' {
		return false
	}
	end, _, _, _ := readWord(s, p+1)
	return end > p+1 && isStreetType(s[p+1:end])
}

// measureUnits follow a number that is a quantity, not a house number. Single letters count
// only in lower case and never for compass points ("12 W 45th St").
var measureUnits = wordSet(`b kb mb gb tb pb kib mib gib tib bytes bit bits kbps mbps gbps ms µs us ns sec secs
second seconds min mins minute minutes hr hrs hour hours day days week weeks month months year years km cm mm
nm kg mg lb lbs oz mph kph kmh ft yd mi px pt rem dpi vcpu vcpus cpu cpus gpu gpus core cores thread threads
token tokens req reqs rps qps tps usd eur gbp chf jpy cad aud inr fps hz khz mhz ghz kw kwh mwh ma mah ml gal
pages rows items users requests errors calls retries percent pct times x uhr h`)

// quantityAt reports whether the number at i (ending at ne) is followed by a unit of measure.
func quantityAt(s string, ne int) bool {
	if ne < len(s) && s[ne] == '%' {
		return true
	}
	if ne+1 >= len(s) || s[ne] != ' ' {
		return false
	}
	k := ne + 1
	for k < len(s) && k-ne <= 10 && (isAlpha(s[k]) || s[k] == 0xC2 || s[k] == 0xB5 || s[k] == 0xB0) {
		k++ // letters, µ and ° (as UTF-8)
	}
	w := s[ne+1 : k]
	switch {
	case len(w) == 0 || k < len(s) && isAlnum(s[k]):
		return false
	case len(w) == 1:
		return strings.IndexByte("mshgl", w[0]) >= 0
	case strings.HasPrefix(w, "\u00b0"): // °C, °F
		return true
	}
	return mayBeUnit(w) && inSet(measureUnits, w)
}

// unitShape has a bit per length (under 32) of the measureUnits starting with each ASCII letter:
// mayBeUnit rejects most words after a number ("42 quarter", "7 this") without hashing them.
var unitShape = func() (m [26]uint32) {
	for _, w := range wordsOf(measureUnits) {
		switch {
		case w[0] >= 0x80: // "µs": mayBeUnit lets such words through
		case w[0] < 'a' || w[0] > 'z' || len(w) >= 32 || !isASCII(w):
			panic("detect: measure unit " + w + " outside unitShape")
		default:
			m[w[0]-'a'] |= 1 << len(w)
		}
	}
	return m
}()

// mayBeUnit is the quick filter before inSet(measureUnits, w): false only for a word that
// cannot be a unit (an ASCII first letter and a length no unit starting with it has; the other
// units are ASCII, and quantityAt's words lower-case to ASCII only where they are ASCII).
func mayBeUnit(w string) bool {
	c := w[0] | 0x20
	return w[0] >= 0x80 || c < 'a' || c > 'z' || len(w) >= 32 || unitShape[c-'a']&(1<<len(w)) != 0
}

// identifierKeys hold the names of tools, functions, models, operations and providers: their
// values are identifiers, never a person or a street (the last dot segment, or the last two
// joined, compared like other keys: case, '_' and '-' ignored).
var identifierKeys = wordSet(`toolname tooltype toolcallname functionname function model modelname modelid
requestmodel responsemodel operationname providername system agentname agentid method rpcmethod rpcservice
route httproute spanname eventname operation toolid skill skillname plugin pluginname intent action actionname
command commandname step stepname node nodename workflow workflowname task taskname dbname dbsystem`)

// IdentifierKey reports whether the values under key name a tool, function, model or operation
// (gen_ai.tool.name, gen_ai.request.model, code.function.name, tool_name): the name and address
// detectors skip them; every other detector still runs.
func (e *Engine) IdentifierKey(key string) bool {
	if e.lex == nil || len(key) < 4 || len(key) > 96 {
		return false
	}
	parent, last := splitKey(key)
	if inKeySet(identifierKeys, last, false) {
		return true
	}
	if parent == "" || len(parent)+len(last) > 46 {
		return false
	}
	var a, b [maxLexWord]byte
	na, nb := normKey(&a, parent, false), normKey(&b, last, false)
	if na <= 0 || nb <= 0 || na+nb > len(a) {
		return false
	}
	copy(a[na:], b[:nb])
	k := stackString(&a, na+nb)
	return grammar.classOfLower(k, fnv32(k))&identifierKeys != 0
}

// identifierWord reports whether the word s[i:end] (as read by readWord) is shaped like an
// identifier: an English word after a hyphen in lower case ("Send-email", "Fetch-page").
func identifierWord(lx *lexiconTable, s string, i, end int) bool {
	h := strings.IndexByte(s[i:end], '-')
	if h <= 0 || i+h+1 >= end || !isAlpha(s[i+h+1]) {
		return false
	}
	plain := func(fl lexFlags) bool { return fl&(lexWord|lexStop|lexBarrier) != 0 && fl&(lexGiven|lexFamily) == 0 }
	if !plain(lx.lookup(s[i+h+1 : end])) {
		return false
	}
	// "Send-email"; "Retry-After", "Last-Modified" (both halves plain words: a header, not
	// "Jean-Luc" or "Al-Farsi").
	return s[i+h+1] >= 'a' || plain(lx.lookup(s[i:i+h]))
}
