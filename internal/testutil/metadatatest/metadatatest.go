// Package metadatatest keeps a component's metadata.yaml, its documentation.md and the telemetry it
// registers and emits in agreement — what mdatagen's generated code and docs guarantee by
// construction, checked here because the internal/metadata files are written by hand.
package metadatatest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/embedded"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.yaml.in/yaml/v3"
)

// Metadata is the part of metadata.yaml these checks read.
type Metadata struct {
	Type   string `yaml:"type"`
	Status struct {
		Class     string              `yaml:"class"`
		Stability map[string][]string `yaml:"stability"`
	} `yaml:"status"`
	Attributes map[string]Attribute `yaml:"attributes"`
	Telemetry  struct {
		Metrics map[string]Metric `yaml:"metrics"`
	} `yaml:"telemetry"`
}

// Attribute is one entry of metadata.yaml's attributes.
type Attribute struct {
	Description string   `yaml:"description"`
	Type        string   `yaml:"type"`
	Enum        []string `yaml:"enum"`
}

// Metric is one entry of telemetry.metrics.
type Metric struct {
	Enabled     bool   `yaml:"enabled"`
	Stability   string `yaml:"stability"`
	Description string `yaml:"description"`
	Unit        string `yaml:"unit"`
	Sum         *struct {
		ValueType string `yaml:"value_type"`
		Monotonic bool   `yaml:"monotonic"`
		Async     bool   `yaml:"async"`
	} `yaml:"sum"`
	Gauge *struct {
		ValueType string `yaml:"value_type"`
		Async     bool   `yaml:"async"`
	} `yaml:"gauge"`
	Histogram *struct {
		ValueType string `yaml:"value_type"`
	} `yaml:"histogram"`
	Attributes []string `yaml:"attributes"`
}

// Load reads dir/metadata.yaml and checks what every metric needs.
func Load(t *testing.T, dir string) Metadata {
	t.Helper()
	md := read(t, dir)
	if md.Type == "" || md.Status.Class == "" || len(md.Status.Stability) == 0 {
		t.Fatalf("metadata.yaml: type, status.class and status.stability are required")
	}
	if len(md.Telemetry.Metrics) == 0 {
		t.Fatalf("metadata.yaml declares no telemetry metrics")
	}
	for name, m := range md.Telemetry.Metrics {
		kinds := 0
		for _, set := range []bool{m.Sum != nil, m.Gauge != nil, m.Histogram != nil} {
			if set {
				kinds++
			}
		}
		if kinds != 1 || m.Description == "" || m.Unit == "" || !m.Enabled || m.Stability == "" {
			t.Errorf("metadata.yaml %s: needs exactly one of sum/gauge/histogram, a description, a unit, a stability and enabled: true", name)
		}
		for _, a := range m.Attributes {
			if _, ok := md.Attributes[a]; !ok {
				t.Errorf("metadata.yaml %s: attribute %q is not declared under attributes", name, a)
			}
		}
	}
	return md
}

func read(t *testing.T, dir string) Metadata {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "metadata.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var md Metadata
	if err := yaml.Unmarshal(data, &md); err != nil {
		t.Fatalf("metadata.yaml: %v", err)
	}
	return md
}

// Name is the metric's instrument name: mdatagen prefixes telemetry with otelcol_.
func Name(key string) string { return "otelcol_" + key }

// description is the instrument description mdatagen generates: the stability in brackets appended.
func (m Metric) description() string {
	return m.Description + " [" + titled(m.Stability) + "]"
}

// instrumentKind is the OTel API instrument mdatagen creates for m.
func (m Metric) instrumentKind() string {
	value := func(vt string) string {
		if vt == "int" {
			return "Int64"
		}
		return "Float64"
	}
	switch {
	case m.Sum != nil && m.Sum.Async && m.Sum.Monotonic:
		return value(m.Sum.ValueType) + "ObservableCounter"
	case m.Sum != nil && m.Sum.Async:
		return value(m.Sum.ValueType) + "ObservableUpDownCounter"
	case m.Sum != nil && m.Sum.Monotonic:
		return value(m.Sum.ValueType) + "Counter"
	case m.Sum != nil:
		return value(m.Sum.ValueType) + "UpDownCounter"
	case m.Gauge != nil && m.Gauge.Async:
		return value(m.Gauge.ValueType) + "ObservableGauge"
	case m.Gauge != nil:
		return value(m.Gauge.ValueType) + "Gauge"
	default:
		return value(m.Histogram.ValueType) + "Histogram"
	}
}

// Instrument is one instrument a component created.
type Instrument struct {
	Scope, Name, Kind, Unit, Description string
}

// CheckRegistered builds the component's telemetry with register on a meter provider that records
// every instrument created, and checks they are exactly the metrics md declares, in scope, with
// their kind, unit and description.
func CheckRegistered(t *testing.T, md Metadata, scope string, register func(component.TelemetrySettings) error) {
	t.Helper()
	rec := &recordingProvider{}
	set := componenttest.NewNopTelemetrySettings()
	set.MeterProvider = rec
	if err := register(set); err != nil {
		t.Fatalf("registering the component's telemetry: %v", err)
	}
	got := map[string]Instrument{}
	for _, in := range rec.instruments {
		if _, dup := got[in.Name]; dup {
			t.Errorf("%s registered twice", in.Name)
		}
		got[in.Name] = in
	}
	for key, m := range md.Telemetry.Metrics {
		want := Instrument{Scope: scope, Name: Name(key), Kind: m.instrumentKind(), Unit: m.Unit, Description: m.description()}
		if got[want.Name] != want {
			t.Errorf("registered %+v\nmetadata.yaml declares %+v", got[want.Name], want)
		}
		delete(got, want.Name)
	}
	for name := range got {
		t.Errorf("%s is registered but not declared in metadata.yaml", name)
	}
}

// CheckDocumentation checks dir/documentation.md lists every metric of md (and nothing else) with
// its description, unit, type, monotonicity, stability and attributes, in mdatagen's layout.
func CheckDocumentation(t *testing.T, md Metadata, dir string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "documentation.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	if !strings.Contains(doc, "\n# "+md.Type+"\n") || !strings.Contains(doc, "\n## Internal Telemetry\n") {
		t.Errorf("documentation.md: want the heading # %s and a section ## Internal Telemetry", md.Type)
	}
	sections := map[string]string{}
	var order []string
	parts := regexp.MustCompile(`(?m)^### `).Split(doc, -1)
	for _, p := range parts[1:] {
		name, body, _ := strings.Cut(p, "\n")
		sections[name] = body
		order = append(order, name)
	}
	if !sort.StringsAreSorted(order) {
		t.Errorf("documentation.md: metrics are not in name order (mdatagen sorts them): %v", order)
	}
	for key, m := range md.Telemetry.Metrics {
		name := Name(key)
		body, ok := sections[name]
		if !ok {
			t.Errorf("documentation.md does not list %s", name)
			continue
		}
		delete(sections, name)
		if want := wantSection(md, m); strings.TrimSpace(body) != strings.TrimSpace(want) {
			t.Errorf("documentation.md %s:\n%s\nwant (from metadata.yaml):\n%s", name, body, want)
		}
	}
	for name := range sections {
		t.Errorf("documentation.md lists %s, which metadata.yaml does not declare", name)
	}
}

func wantSection(md Metadata, m Metric) string {
	var b strings.Builder
	b.WriteString("\n" + m.Description + "\n\n")
	switch {
	case m.Sum != nil:
		b.WriteString("| Unit | Metric Type | Value Type | Monotonic | Stability |\n| ---- | ----------- | ---------- | --------- | --------- |\n")
		b.WriteString("| " + m.Unit + " | Sum | " + titled(m.Sum.ValueType) + " | " + boolString(m.Sum.Monotonic) + " | " + titled(m.Stability) + " |\n")
	case m.Gauge != nil:
		b.WriteString("| Unit | Metric Type | Value Type | Stability |\n| ---- | ----------- | ---------- | --------- |\n")
		b.WriteString("| " + m.Unit + " | Gauge | " + titled(m.Gauge.ValueType) + " | " + titled(m.Stability) + " |\n")
	default:
		b.WriteString("| Unit | Metric Type | Value Type | Stability |\n| ---- | ----------- | ---------- | --------- |\n")
		b.WriteString("| " + m.Unit + " | Histogram | " + titled(m.Histogram.ValueType) + " | " + titled(m.Stability) + " |\n")
	}
	if len(m.Attributes) > 0 {
		b.WriteString("\n#### Attributes\n\n| Name | Description | Values | Semantic Convention |\n| ---- | ----------- | ------ | ------------------- |\n")
		for _, name := range m.Attributes {
			a := md.Attributes[name]
			values := "Any Str"
			if len(a.Enum) > 0 {
				values = "Str: ``" + strings.Join(a.Enum, "``, ``") + "``"
			}
			b.WriteString("| " + name + " | " + a.Description + " | " + values + " | - |\n")
		}
	}
	return b.String()
}

// CheckEmitted checks the metrics of scope in rm (collected after exercising the component) against
// md: each is declared, with its unit, description and kind, and carries only its declared
// attributes with declared values. It returns the names it saw, for the caller to require some.
func CheckEmitted(t *testing.T, md Metadata, scope string, rm metricdata.ResourceMetrics) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	byName := map[string]Metric{}
	for key, m := range md.Telemetry.Metrics {
		byName[Name(key)] = m
	}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != scope {
			continue
		}
		for _, got := range sm.Metrics {
			seen[got.Name] = true
			m, ok := byName[got.Name]
			if !ok {
				t.Errorf("emitted %s, which metadata.yaml does not declare", got.Name)
				continue
			}
			if got.Unit != m.Unit || got.Description != m.description() {
				t.Errorf("%s: emitted unit %q, description %q; metadata.yaml: %q, %q", got.Name, got.Unit, got.Description, m.Unit, m.description())
			}
			for _, attrs := range dataPoints(t, got, m) {
				checkAttributes(t, md, got.Name, m, attrs)
			}
		}
	}
	return seen
}

// dataPoints returns the attribute sets of got's points, after checking its data kind matches m.
func dataPoints(t *testing.T, got metricdata.Metrics, m Metric) []attribute.Set {
	t.Helper()
	var sets []attribute.Set
	kindOK := false
	switch d := got.Data.(type) {
	case metricdata.Sum[int64]:
		kindOK = m.Sum != nil && m.Sum.ValueType == "int" && d.IsMonotonic == m.Sum.Monotonic
		for _, dp := range d.DataPoints {
			sets = append(sets, dp.Attributes)
		}
	case metricdata.Sum[float64]:
		kindOK = m.Sum != nil && m.Sum.ValueType == "double" && d.IsMonotonic == m.Sum.Monotonic
		for _, dp := range d.DataPoints {
			sets = append(sets, dp.Attributes)
		}
	case metricdata.Gauge[int64]:
		kindOK = m.Gauge != nil && m.Gauge.ValueType == "int"
		for _, dp := range d.DataPoints {
			sets = append(sets, dp.Attributes)
		}
	case metricdata.Gauge[float64]:
		kindOK = m.Gauge != nil && m.Gauge.ValueType == "double"
		for _, dp := range d.DataPoints {
			sets = append(sets, dp.Attributes)
		}
	case metricdata.Histogram[int64]:
		kindOK = m.Histogram != nil && m.Histogram.ValueType == "int"
		for _, dp := range d.DataPoints {
			sets = append(sets, dp.Attributes)
		}
	case metricdata.Histogram[float64]:
		kindOK = m.Histogram != nil && m.Histogram.ValueType == "double"
		for _, dp := range d.DataPoints {
			sets = append(sets, dp.Attributes)
		}
	}
	if !kindOK {
		t.Errorf("%s: emitted %T, which does not match its metadata.yaml kind", got.Name, got.Data)
	}
	return sets
}

func checkAttributes(t *testing.T, md Metadata, name string, m Metric, attrs attribute.Set) {
	t.Helper()
	for _, kv := range attrs.ToSlice() {
		key := string(kv.Key)
		if !slices.Contains(m.Attributes, key) {
			t.Errorf("%s: emitted with attribute %s, which metadata.yaml does not declare for it", name, key)
			continue
		}
		if enum := md.Attributes[key].Enum; len(enum) > 0 && !slices.Contains(enum, kv.Value.String()) {
			t.Errorf("%s: %s=%q is not among the declared values %v", name, key, kv.Value.String(), enum)
		}
	}
}

func titled(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// recordingProvider hands out meters that record the instruments created on them.
type recordingProvider struct {
	embedded.MeterProvider
	mu          sync.Mutex
	instruments []Instrument
}

func (p *recordingProvider) Meter(name string, _ ...metric.MeterOption) metric.Meter {
	return &recordingMeter{p: p, scope: name}
}

func (p *recordingProvider) add(scope, name, kind, unit, description string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.instruments = append(p.instruments, Instrument{Scope: scope, Name: name, Kind: kind, Unit: unit, Description: description})
}

// recordingMeter records each instrument and returns a no-op one.
type recordingMeter struct {
	noop.Meter
	p     *recordingProvider
	scope string
}

func (m *recordingMeter) Int64Counter(name string, opts ...metric.Int64CounterOption) (metric.Int64Counter, error) {
	c := metric.NewInt64CounterConfig(opts...)
	m.p.add(m.scope, name, "Int64Counter", c.Unit(), c.Description())
	return m.Meter.Int64Counter(name, opts...)
}

func (m *recordingMeter) Int64UpDownCounter(name string, opts ...metric.Int64UpDownCounterOption) (metric.Int64UpDownCounter, error) {
	c := metric.NewInt64UpDownCounterConfig(opts...)
	m.p.add(m.scope, name, "Int64UpDownCounter", c.Unit(), c.Description())
	return m.Meter.Int64UpDownCounter(name, opts...)
}

func (m *recordingMeter) Int64Histogram(name string, opts ...metric.Int64HistogramOption) (metric.Int64Histogram, error) {
	c := metric.NewInt64HistogramConfig(opts...)
	m.p.add(m.scope, name, "Int64Histogram", c.Unit(), c.Description())
	return m.Meter.Int64Histogram(name, opts...)
}

func (m *recordingMeter) Int64Gauge(name string, opts ...metric.Int64GaugeOption) (metric.Int64Gauge, error) {
	c := metric.NewInt64GaugeConfig(opts...)
	m.p.add(m.scope, name, "Int64Gauge", c.Unit(), c.Description())
	return m.Meter.Int64Gauge(name, opts...)
}

func (m *recordingMeter) Int64ObservableCounter(name string, opts ...metric.Int64ObservableCounterOption) (metric.Int64ObservableCounter, error) {
	c := metric.NewInt64ObservableCounterConfig(opts...)
	m.p.add(m.scope, name, "Int64ObservableCounter", c.Unit(), c.Description())
	return m.Meter.Int64ObservableCounter(name, opts...)
}

func (m *recordingMeter) Int64ObservableUpDownCounter(name string, opts ...metric.Int64ObservableUpDownCounterOption) (metric.Int64ObservableUpDownCounter, error) {
	c := metric.NewInt64ObservableUpDownCounterConfig(opts...)
	m.p.add(m.scope, name, "Int64ObservableUpDownCounter", c.Unit(), c.Description())
	return m.Meter.Int64ObservableUpDownCounter(name, opts...)
}

func (m *recordingMeter) Int64ObservableGauge(name string, opts ...metric.Int64ObservableGaugeOption) (metric.Int64ObservableGauge, error) {
	c := metric.NewInt64ObservableGaugeConfig(opts...)
	m.p.add(m.scope, name, "Int64ObservableGauge", c.Unit(), c.Description())
	return m.Meter.Int64ObservableGauge(name, opts...)
}

func (m *recordingMeter) Float64Counter(name string, opts ...metric.Float64CounterOption) (metric.Float64Counter, error) {
	c := metric.NewFloat64CounterConfig(opts...)
	m.p.add(m.scope, name, "Float64Counter", c.Unit(), c.Description())
	return m.Meter.Float64Counter(name, opts...)
}

func (m *recordingMeter) Float64UpDownCounter(name string, opts ...metric.Float64UpDownCounterOption) (metric.Float64UpDownCounter, error) {
	c := metric.NewFloat64UpDownCounterConfig(opts...)
	m.p.add(m.scope, name, "Float64UpDownCounter", c.Unit(), c.Description())
	return m.Meter.Float64UpDownCounter(name, opts...)
}

func (m *recordingMeter) Float64Histogram(name string, opts ...metric.Float64HistogramOption) (metric.Float64Histogram, error) {
	c := metric.NewFloat64HistogramConfig(opts...)
	m.p.add(m.scope, name, "Float64Histogram", c.Unit(), c.Description())
	return m.Meter.Float64Histogram(name, opts...)
}

func (m *recordingMeter) Float64Gauge(name string, opts ...metric.Float64GaugeOption) (metric.Float64Gauge, error) {
	c := metric.NewFloat64GaugeConfig(opts...)
	m.p.add(m.scope, name, "Float64Gauge", c.Unit(), c.Description())
	return m.Meter.Float64Gauge(name, opts...)
}

func (m *recordingMeter) Float64ObservableCounter(name string, opts ...metric.Float64ObservableCounterOption) (metric.Float64ObservableCounter, error) {
	c := metric.NewFloat64ObservableCounterConfig(opts...)
	m.p.add(m.scope, name, "Float64ObservableCounter", c.Unit(), c.Description())
	return m.Meter.Float64ObservableCounter(name, opts...)
}

func (m *recordingMeter) Float64ObservableUpDownCounter(name string, opts ...metric.Float64ObservableUpDownCounterOption) (metric.Float64ObservableUpDownCounter, error) {
	c := metric.NewFloat64ObservableUpDownCounterConfig(opts...)
	m.p.add(m.scope, name, "Float64ObservableUpDownCounter", c.Unit(), c.Description())
	return m.Meter.Float64ObservableUpDownCounter(name, opts...)
}

func (m *recordingMeter) Float64ObservableGauge(name string, opts ...metric.Float64ObservableGaugeOption) (metric.Float64ObservableGauge, error) {
	c := metric.NewFloat64ObservableGaugeConfig(opts...)
	m.p.add(m.scope, name, "Float64ObservableGauge", c.Unit(), c.Description())
	return m.Meter.Float64ObservableGauge(name, opts...)
}

// Collect reads everything tel's reader holds.
func Collect(t *testing.T, tel *componenttest.Telemetry) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := tel.Reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	return rm
}

// CheckStatus checks the factory's type and per-signal stability (signal name → level, as the
// factory reports them; StabilityLevelUndefined for a signal it lacks) against status in md.
func CheckStatus(t *testing.T, md Metadata, typ component.Type, levels map[string]component.StabilityLevel) {
	t.Helper()
	if typ.String() != md.Type {
		t.Errorf("factory type %q, metadata.yaml type %q", typ, md.Type)
	}
	declared := map[string]string{}
	for level, signals := range md.Status.Stability {
		for _, s := range signals {
			declared[s] = level
		}
	}
	for signal, level := range levels {
		want := declared[signal]
		got := strings.ToLower(level.String())
		if level == component.StabilityLevelUndefined {
			got = ""
		}
		if got != want {
			t.Errorf("%s: factory stability %q, metadata.yaml %q", signal, got, want)
		}
		delete(declared, signal)
	}
	for signal := range declared {
		t.Errorf("metadata.yaml declares %s, which the factory does not report on", signal)
	}
}

// CheckReadme checks dir/README.md names every metric md declares (the README's telemetry section
// is where an operator looks first).
func CheckReadme(t *testing.T, md Metadata, dir string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for key := range md.Telemetry.Metrics {
		if !strings.Contains(string(data), "`"+Name(key)) {
			t.Errorf("README.md does not name %s", Name(key))
		}
	}
}

// Factory is what CheckComponent reads of a component factory (processor and exporter factories
// both answer it).
type Factory interface {
	Type() component.Type
	TracesStability() component.StabilityLevel
	MetricsStability() component.StabilityLevel
	LogsStability() component.StabilityLevel
}

// CheckComponent loads dir/metadata.yaml and checks the factory's type and stability, documentation.md
// and README.md against it; the caller goes on with CheckRegistered and CheckEmitted.
func CheckComponent(t *testing.T, dir string, f Factory) Metadata {
	t.Helper()
	md := Load(t, dir)
	CheckStatus(t, md, f.Type(), map[string]component.StabilityLevel{
		"traces": f.TracesStability(), "metrics": f.MetricsStability(), "logs": f.LogsStability(),
	})
	CheckDocumentation(t, md, dir)
	CheckReadme(t, md, dir)
	return md
}

// CheckExtension keeps an extension's dir/metadata.yaml (class extension, no telemetry), its
// factory and its hand-written internal/metadata ExtensionStability (generated) in agreement.
func CheckExtension(t *testing.T, dir string, typ component.Type, stability, generated component.StabilityLevel) {
	t.Helper()
	md := read(t, dir)
	if md.Status.Class != "extension" {
		t.Errorf("metadata.yaml status.class %q, want extension", md.Status.Class)
	}
	CheckStatus(t, md, typ, map[string]component.StabilityLevel{"extension": stability})
	if generated != stability {
		t.Errorf("internal/metadata ExtensionStability %v, the factory's %v", generated, stability)
	}
}
