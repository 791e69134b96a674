package piiredactionprocessor

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agentaudit/otelcol-agentaudit/processor/piiredactionprocessor/internal/detect"
)

// FuzzRedactAttributes feeds arbitrary text as a string attribute, inside nested maps and slices,
// and (when it is JSON) as the nested value it decodes to. The processor must not panic, must keep
// map and slice types, and no value the engine detects in an input string may survive anywhere.
func FuzzRedactAttributes(f *testing.F) {
	for _, s := range []string{
		"jane@example.com", `{"a":[1,"4111 1111 1111 1111",{"password":"x"}]}`, "\xff\xfe",
		`[[[[[[["deep 123-45-6789"]]]]]]]`, "Bearer abcdef123456", "+44 20 7946 0958",
	} {
		f.Add(s)
	}
	cfg := createDefaultConfig().(*Config)
	cfg.MaxDepth = 6
	r, err := newRedactor(cfg, componenttest.NewNopTelemetrySettings())
	if err != nil {
		f.Fatal(err)
	}
	engine, err := detect.New(detect.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		td := ptrace.NewTraces()
		span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		span.SetName(s)
		a := span.Attributes()
		a.PutStr("text", s)
		a.PutEmptyMap("nested").PutEmptySlice("list").AppendEmpty().SetStr(s)
		var decoded any
		if json.Unmarshal([]byte(s), &decoded) == nil {
			_ = a.PutEmpty("decoded").FromRaw(decoded)
		}
		if _, err := r.processTraces(context.Background(), td); err != nil {
			t.Fatal(err)
		}
		if v, _ := a.Get("nested"); v.Type() != pcommon.ValueTypeMap {
			t.Fatalf("nested map changed type to %s", v.Type())
		}
		var out strings.Builder
		out.WriteString(span.Name())
		var walk func(v pcommon.Value)
		walk = func(v pcommon.Value) {
			switch v.Type() {
			case pcommon.ValueTypeStr:
				out.WriteString("\x00" + v.Str())
			case pcommon.ValueTypeMap:
				for _, c := range v.Map().All() {
					walk(c)
				}
			case pcommon.ValueTypeSlice:
				for _, c := range v.Slice().All() {
					walk(c)
				}
			}
		}
		for _, v := range a.All() {
			walk(v)
		}
		if strings.HasPrefix(strings.TrimSpace(s), "{") || strings.HasPrefix(strings.TrimSpace(s), "[") {
			return // JSON findings live in decoded literals; FuzzRedactJSON covers them
		}
		for _, fd := range engine.Scan(s, nil) {
			v := s[fd.Start:fd.End]
			if len(v) >= 8 && strings.Count(s, v) == 1 && strings.Contains(out.String(), v) {
				t.Fatalf("detected %s value %q survived", engine.Name(fd.Type), v)
			}
		}
	})
}
