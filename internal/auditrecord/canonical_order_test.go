package auditrecord

import (
	"bytes"
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestStructFieldsAreInCanonicalOrder guards MarshalRecord's single-pass encoding: every struct a
// record contains declares its fields in the byte order of their JSON names.
func TestStructFieldsAreInCanonicalOrder(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var check func(reflect.Type)
	check = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] || typ == reflect.TypeOf(time.Time{}) {
			return
		}
		seen[typ] = true
		var names []string
		for i := range typ.NumField() {
			f := typ.Field(i)
			names = append(names, strings.Split(f.Tag.Get("json"), ",")[0])
			check(f.Type)
		}
		if !sort.StringsAreSorted(names) {
			t.Errorf("%s fields are not in JSON name order: %v", typ.Name(), names)
		}
	}
	check(reflect.TypeOf(Record{}))
	if len(seen) < 10 {
		t.Fatalf("walked only %d struct types", len(seen))
	}
}

func TestMarshalRecordIsCanonical(t *testing.T) {
	confidence := 0.95
	records := []*Record{sampleToolCall(), {
		SchemaVersion: SchemaVersion, RecordID: NewRecordID("x"), Type: TypeReasoning, ConversationID: "conv-1",
		Reasoning: &Reasoning{Thought: "a < b && c > d \u2028 é \U0001F600", Plan: []string{"z", "a"}, Confidence: &confidence},
		Attributes: map[string]any{
			"b": map[string]any{"z": []any{1.5, int64(math.MaxInt64), uint64(math.MaxUint64), 1e21, -0.0000001}, "a": nil},
			"a": true, "ä": "x", "A": "upper", "_": []any{map[string]any{"y": 1, "x": 2}},
		},
		Integrity: &Integrity{Stream: "s", Seq: 3, PrevHash: strings.Repeat("a", 64), Hash: strings.Repeat("b", 64)},
	}}
	for _, r := range records {
		direct, err := MarshalRecord(r)
		if err != nil {
			t.Fatal(err)
		}
		canon, err := CanonicalizeJSON(direct)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(direct, canon) {
			t.Fatalf("single-pass encoding is not canonical:\n%s\n%s", direct, canon)
		}
		content, _ := ContentHashInput(r)
		if bytes.Contains(content, []byte(`"integrity"`)) {
			t.Fatalf("hash input: %s", content)
		}
	}
}
