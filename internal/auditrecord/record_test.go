package auditrecord

import (
	"strings"
	"testing"
	"time"
)

func sampleToolCall() *Record {
	d := 1250.0
	return &Record{
		SchemaVersion:     SchemaVersion,
		RecordID:          NewRecordID("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", string(TypeToolCall), "0"),
		Type:              TypeToolCall,
		Timestamp:         time.Date(2024, 1, 16, 12, 0, 2, 0, time.UTC),
		ObservedTimestamp: time.Date(2024, 1, 16, 12, 0, 3, 0, time.UTC),
		SessionID:         "sess_abc123",
		UserID:            "user_456",
		TraceID:           "0af7651916cd43dd8448eb211c80319c",
		SpanID:            "b7ad6b7169203331",
		Source:            &Source{Signal: "traces", Convention: "gen_ai", Name: "execute_tool search_flights"},
		ToolCall: &ToolCall{
			ToolName:   "search_flights",
			CallID:     "call_1",
			Parameters: map[string]any{"destination": "Paris", "departure_date": "2024-02-01"},
			Result:     map[string]any{"status": "success", "flights": []any{"AF123"}},
			Status:     ToolStatusSuccess,
			DurationMS: &d,
		},
		Attributes: map[string]any{"z": 1, "a": "<b>&"},
	}
}

func TestRecordIDIsDeterministicAndDistinguishesParts(t *testing.T) {
	a := NewRecordID("t", "s", "input", "0")
	if a != NewRecordID("t", "s", "input", "0") {
		t.Fatal("same parts gave different ids")
	}
	if a == NewRecordID("t", "s", "input", "1") || a == NewRecordID("ts", "", "input", "0") {
		t.Fatal("different parts gave the same id")
	}
	if len(a) != 32 {
		t.Fatalf("id length %d, want 32", len(a))
	}
}

func TestCanonicalSortsKeysAndDoesNotEscapeHTML(t *testing.T) {
	got, err := CanonicalizeJSON([]byte(`{"b": {"y": 1, "x": [3, 1.50, "<"]}, "a": true}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":true,"b":{"x":[3,1.5,"<"],"y":1}}`; string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestContentHashInputLeavesIntegrityOutAndRestoresIt(t *testing.T) {
	r := sampleToolCall()
	r.Integrity = &Integrity{Stream: "s", Seq: 1, Hash: strings.Repeat("a", 64)}
	b, err := ContentHashInput(r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "integrity") {
		t.Fatalf("hash input contains integrity: %s", b)
	}
	if r.Integrity == nil {
		t.Fatal("integrity not restored")
	}
	full, _ := MarshalRecord(r)
	if !strings.Contains(string(full), `"integrity":{"hash":"`) {
		t.Fatalf("record encoding lacks integrity: %s", full)
	}
}

func TestSchemaAcceptsValidAndRejectsBrokenRecords(t *testing.T) {
	r := sampleToolCall()
	if err := Validate(r); err != nil {
		t.Fatalf("valid record rejected: %v", err)
	}
	bad := sampleToolCall()
	bad.ToolCall = nil
	if err := Validate(bad); err == nil {
		t.Fatal("tool_call record without tool_call section accepted")
	}
	bad = sampleToolCall()
	bad.ToolCall.Status = "maybe"
	if err := Validate(bad); err == nil {
		t.Fatal("unknown tool status accepted")
	}
	bad = sampleToolCall()
	bad.TraceID = "xyz"
	if err := Validate(bad); err == nil {
		t.Fatal("malformed trace id accepted")
	}
	if err := ValidateJSON([]byte(`{"schema_version":"1.0"`)); err == nil {
		t.Fatal("truncated JSON accepted")
	}
}

func TestSchemaAcceptsIdentityRecordsWithATraceAndAnId(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	ok := &Record{
		SchemaVersion: SchemaVersion, RecordID: NewRecordID("identity", "t"), Type: TypeIdentity, Timestamp: at, ObservedTimestamp: at,
		TraceID: "0af7651916cd43dd8448eb211c80319c", SessionID: "s-1", Source: &Source{Signal: "traces", Name: "identity"},
	}
	if err := Validate(ok); err != nil {
		t.Fatalf("identity record rejected: %v", err)
	}
	enc, err := MarshalRecord(ok)
	if err != nil || !strings.Contains(string(enc), `"type":"identity"`) {
		t.Fatalf("encoded %s, %v", enc, err)
	}
	noIDs := *ok
	noIDs.SessionID = ""
	if err := Validate(&noIDs); err == nil {
		t.Fatal("identity record without session or user accepted")
	}
	noTrace := *ok
	noTrace.TraceID = ""
	if err := Validate(&noTrace); err == nil {
		t.Fatal("identity record without trace accepted")
	}
}

// BenchmarkNewRecordID derives the id of a span's record as the mapping does.
func BenchmarkNewRecordID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		NewRecordID("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", string(TypeToolCall), "0")
	}
}
