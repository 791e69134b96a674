package detect

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNamesAddresses drives the PERSON and STREET_ADDRESS grammars: no panic, findings are
// ordered, non-overlapping and inside the text, valid UTF-8 stays valid UTF-8, and a second
// pass finds no name or address in what the first pass left.
func FuzzNamesAddresses(f *testing.F) {
	for _, l := range []string{
		"I spoke with Priya Raghunathan yesterday", "forward it to Mateus Albuquerque", "Thanks,\n-- Kwame Mensah",
		"Customer: Nomvula Achterberg", "Dr. Ella H. Snider", "Willemine ten Pas will be talking",
		"ship it to 12 Rowan Close, Sheffield S1 2HE", "Hauptstraße 5, 10115 Berlin", "8 rue de la Paix, 75002 Paris",
		"1600 Amsterdam Avenue\nApt. 5\nNew York, NY 10023", "PSC 0729, Box 5797\nAPO AP 96854", "USNS Bergman\nFPO AP 93757",
		"the corner of ul. Cicha 86 and Leokadia Trail", "my name is lena andersson", "customer_name: Jane Doe",
		"Flights from Paris to Berlin on Tuesday with Lufthansa", "Király u. 15.", "Ubul: What a wife.",
		"Monjeau, Graves and Reed", "\xff Aa\xc3 Bb 12 \xe2\x80\x99", "Λεωφόρος Συγγρού 119", "ΑΓΙΟΣ Δομέτιος",
	} {
		f.Add(l)
	}
	e := fuzzEngine
	f.Fuzz(func(t *testing.T, s string) {
		fs := e.Scan(s, nil)
		prev := 0
		for _, fd := range fs {
			if fd.Start < prev || fd.End <= fd.Start || fd.End > len(s) {
				t.Fatalf("bad finding %+v after %d in %q", fd, prev, s)
			}
			prev = fd.End
		}
		out, _, _ := e.Redact(s)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("valid UTF-8 became invalid: %q -> %q", s, out)
		}
		if looksLikeJSON(s) {
			return
		}
		for _, fd := range e.Scan(out, nil) {
			if fd.Type == TypePerson || fd.Type == TypeStreetAddress {
				if v := out[fd.Start:fd.End]; strings.Count(s, v) > 0 && len(v) >= 8 {
					t.Fatalf("second pass found %s %q in %q (from %q)", e.Name(fd.Type), v, out, s)
				}
			}
		}
	})
}

// TestNameAddressWorkIsLinear runs the word grammars on 64 KB and 1 MB adversarial inputs and
// compares the work they report (bytes examined by the word readers plus lexicon lookups), not
// the time they take: 16 times the input must cost at most 20 times the work, and never more
// than 64 units per input byte.
func TestNameAddressWorkIsLinear(t *testing.T) {
	e := newTestEngine(t, Options{ScanJSON: true})
	patterns := map[string]string{
		"capitalised words":  "Aa Bb Cc Dd ",
		"names":              "Maria Garcia ",
		"unknown names":      "Zyxwq Vutsr ",
		"numbers":            "1 22 333 ",
		"addresses":          "12 Main Street, ",
		"street then number": "Hauptstraße 5 ",
		"units":              "Apt. 5 Suite 7 Box 9 ",
		"name cues":          "my name is name: named ",
		"particles":          "Ann van de der ten ",
		"long word":          strings.Repeat("Abcdefghij", 1000) + " ",
		"dashes and a name":  strings.Repeat("-", 5000) + " Ella Snider\n",
		"spaces":             strings.Repeat(" ", 5000) + "Ella " + strings.Repeat(" ", 5000) + "Snider",
		"corners":            "the corner of 5 Rue A and ",
		"saints":             "St St St Mary ",
		"digits":             strings.Repeat("7", 5000) + " Rue ",
		"utf8 capitals":      "Ωμέγα Δέλτα Ärger Łódź ",
	}
	work := func(s string) int64 {
		var n int64
		workCounter = &n
		defer func() { workCounter = nil }()
		e.Scan(s, nil)
		return n
	}
	for name, p := range patterns {
		small := strings.Repeat(p, 64<<10/len(p)+1)[:64<<10]
		big := strings.Repeat(p, 1<<20/len(p)+1)[:1<<20]
		ws, wb := work(small), work(big)
		t.Logf("%-20s 64KB: %8d  1MB: %9d  ratio %.1f", name, ws, wb, float64(wb)/float64(max(ws, 1)))
		if wb > 20*max(ws, 1<<10) || wb > 64*int64(len(big)) {
			t.Errorf("%s: work grows faster than the input: %d for 64 KB, %d for 1 MB", name, ws, wb)
		}
	}
}
