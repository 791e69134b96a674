package detect

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

// memoTexts joins the corpus lines into texts long enough for the memo, some with more findings
// than a slot holds.
func memoTexts(t *testing.T) []string {
	lines := append(readLines(t, "testdata/positives.txt"), readLines(t, "testdata/negatives.txt")...)
	var texts []string
	for i := 0; i+3 <= len(lines); i += 3 {
		texts = append(texts, strings.Join(lines[i:i+3], " "))
	}
	texts = append(texts, strings.Join(lines[:40], "\n")) // dozens of findings
	return texts
}

// noMemo is e without its scan memo: every scan runs.
func noMemo(t *testing.T, o Options) *Engine {
	e := newTestEngine(t, o)
	e.scanMemo = nil
	return e
}

// TestScanMemoAnswersAsAScan: whatever order texts come in, with or without the name grammars,
// once or again, an engine with the memo finds exactly what one without it finds.
func TestScanMemoAnswersAsAScan(t *testing.T) {
	o := Options{ScanJSON: true}
	e, ref := newTestEngine(t, o), noMemo(t, o)
	texts := memoTexts(t)
	long, many := 0, false
	for pass := range 3 {
		for k := range texts {
			s := texts[(k*7+pass)%len(texts)]
			want := ref.scan(s, nil, pass != 1)
			if got := e.scan(s, nil, pass != 1); !slices.Equal(got, want) {
				t.Fatalf("pass %d, names %v: memo engine found %v, scan finds %v", pass, pass != 1, got, want)
			}
			if len(s) >= scanMemoMin {
				long++
			}
			many = many || len(want) > scanMemoFinds
			wantRed, _, _ := ref.Redact(s)
			if gotRed, _, _ := e.Redact(s); gotRed != wantRed {
				t.Fatalf("pass %d: Redact differs with the memo", pass)
			}
		}
	}
	if long < len(texts) || !many {
		t.Fatalf("the texts do not exercise the memo: %d long scans, more findings than a slot: %v", long, many)
	}
}

// TestScanMemoIsConsulted: a repeated text is answered from its slot, and a text of the same
// length that differs in one byte is not (the slot's hashes tell them apart).
func TestScanMemoIsConsulted(t *testing.T) {
	e := newTestEngine(t, Options{})
	s := strings.Repeat("the agent searched the flight index and found nothing. ", 3)
	if fs := e.Scan(s, nil); len(fs) != 0 {
		t.Fatalf("clean text found %v", fs)
	}
	slot, _, _ := e.scanMemo.key(s)
	planted := Finding{Start: 4, End: 9, Type: TypeEmail}
	e.scanMemo.slots[slot].finds[0] = memoFinding{start: 4, end: 9, typ: TypeEmail}
	e.scanMemo.slots[slot].count = 1
	if fs := e.Scan(s, nil); !slices.Equal(fs, []Finding{planted}) {
		t.Fatalf("repeated text answered %v, want the slot's %v", fs, planted)
	}
	other := strings.Replace(s, "index", "indey", 1)
	if fs := e.Scan(other, nil); len(fs) != 0 {
		t.Fatalf("a different text of the same length got the slot's findings: %v", fs)
	}
}

// TestScanMemoConcurrent: goroutines sharing the engine scan the same texts in different orders
// (run under -race in CI) and all get what a scan finds.
func TestScanMemoConcurrent(t *testing.T) {
	o := Options{ScanJSON: true}
	e, ref := newTestEngine(t, o), noMemo(t, o)
	texts := memoTexts(t)
	want := make([][]Finding, len(texts))
	for i, s := range texts {
		want[i] = ref.Scan(s, nil)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Go(func() {
			for k := range 4 * len(texts) {
				i := (k*5 + g*11) % len(texts)
				if got := e.Scan(texts[i], nil); !slices.Equal(got, want[i]) {
					errs <- texts[i][:20]
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for s := range errs {
		t.Errorf("text %q: a concurrent scan differs from a plain one", s)
	}
}

// TestScanMemoHoldsNoText: the memo outlives the batch, so a slot must hold no text (no string,
// slice or pointer field through which a message could be kept in memory).
func TestScanMemoHoldsNoText(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[scanMemoSlot](), reflect.TypeFor[memoFinding]()} {
		for i := range typ.NumField() {
			f := typ.Field(i)
			switch f.Type.Kind() {
			case reflect.String, reflect.Slice, reflect.Pointer, reflect.Map, reflect.Interface, reflect.UnsafePointer:
				t.Errorf("%s.%s is a %s: the memo could keep text", typ.Name(), f.Name, f.Type.Kind())
			}
		}
	}
}
