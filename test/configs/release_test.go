package configs

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
)

// A collector release tags two module families: the stable modules v1.N and the others v0.M, and
// contrib tags all its modules v0.M of the same M. Mixing releases builds, but breaks at run time
// in ways no compiler sees (a component built against another pdata), so the manifest, go.mod and
// the bench's reference build must each name one release.
const (
	corePrefix    = "go.opentelemetry.io/collector/"
	contribPrefix = "github.com/open-telemetry/opentelemetry-collector-contrib/"
)

// release is the pair of versions one collector release gives its modules.
type release struct{ stable, core string }

// The distribution's release and the one the bench's contrib reference pipeline stays on (its
// file exporter cannot be tidied at the newer one: builder-config.yaml says why).
var (
	distribution = release{stable: "v1.71.0", core: "v0.165.0"}
	reference    = release{stable: "v1.67.0", core: "v0.161.0"}
)

// ok says whether version is release r's for module, and whether module is a collector module. A
// core module is at r.stable or r.core (the module's major version tells which family it is in, and
// no module is tagged in both); a contrib module is at r.core.
func (r release) ok(module, version string) (ok, collector bool) {
	switch {
	case strings.HasPrefix(module, contribPrefix):
		return version == r.core, true
	case strings.HasPrefix(module, corePrefix):
		return version == r.core || version == r.stable, true
	}
	return false, false
}

// check returns one line per collector module whose version is not r's, and how many it checked.
func (r release) check(where string, modules map[string]string) (bad []string, checked int) {
	for _, m := range sortedKeys(modules) {
		ok, collector := r.ok(m, modules[m])
		if !collector {
			continue
		}
		checked++
		if !ok {
			bad = append(bad, fmt.Sprintf("%s: %s %s, not of release %s (stable modules %s)", where, m, modules[m], r.core, r.stable))
		}
	}
	return bad, checked
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// manifestModules reads an ocb manifest's gomod lines ("module version").
func manifestModules(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var manifest map[string]any
	if err := yaml.Unmarshal(data, &manifest); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := map[string]string{}
	add := func(v any) {
		gomod, _ := asMap(v)["gomod"].(string)
		if mod, ver, ok := strings.Cut(gomod, " "); ok {
			out[mod] = ver
		}
	}
	for _, section := range []string{"receivers", "processors", "exporters", "extensions", "providers", "connectors", "converters"} {
		for _, e := range asSlice(manifest[section]) {
			add(e)
		}
	}
	add(manifest["telemetry"])
	return out
}

// goModModules reads the require lines of a go.mod.
func goModModules(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }() // read only: nothing to lose
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "require "))
		if len(fields) >= 2 && strings.HasPrefix(fields[1], "v") {
			out[fields[0]] = fields[1]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEveryCollectorModuleIsAtOneRelease: builder-config.yaml, go.mod (the components' own
// dependencies) and the Makefile's ocb are at the distribution's release; the bench's contrib
// reference build is at its own one.
func TestEveryCollectorModuleIsAtOneRelease(t *testing.T) {
	root := peers.RepoRoot(t)
	for _, c := range []struct {
		where   string
		rel     release
		modules map[string]string
		atLeast int
	}{
		{"builder-config.yaml", distribution, manifestModules(t, filepath.Join(root, "builder-config.yaml")), 20},
		{"go.mod", distribution, goModModules(t, filepath.Join(root, "go.mod")), 20},
		{"test/bench/reference/builder-config.yaml", reference, manifestModules(t, filepath.Join(root, "test/bench/reference/builder-config.yaml")), 5},
	} {
		bad, checked := c.rel.check(c.where, c.modules)
		for _, b := range bad {
			t.Error(b)
		}
		if checked < c.atLeast {
			t.Errorf("%s: only %d collector modules found, want at least %d (parser out of step with the file?)", c.where, checked, c.atLeast)
		}
	}
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(makefile), "OCB_VERSION := "+distribution.core+"\n") {
		t.Errorf("Makefile: OCB_VERSION is not %s", distribution.core)
	}
}

// TestReleaseCheckCatchesAMixedManifest: a stable module at the old release and a contrib module
// at a patch release are both reported.
func TestReleaseCheckCatchesAMixedManifest(t *testing.T) {
	bad, checked := distribution.check("x", map[string]string{
		corePrefix + "pdata":                                   "v1.67.0",
		corePrefix + "receiver/otlpreceiver":                   "v0.165.0",
		contribPrefix + "processor/transformprocessor":         "v0.165.1",
		contribPrefix + "exporter/kafkaexporter":               "v0.165.0",
		"github.com/agentaudit/otelcol-agentaudit":             "v0.0.0",
		"go.opentelemetry.io/otel":                             "v1.47.0",
		corePrefix + "confmap/provider/envprovider":            "v1.71.0",
		contribPrefix + "extension/storage/filestorage":        "v0.165.0",
		corePrefix + "service":                                 "v0.165.0",
		contribPrefix + "receiver/kafkareceiver":               "v0.164.0",
		corePrefix + "exporter/exporterhelper/xexporterhelper": "v0.165.0",
	})
	if checked != 9 || len(bad) != 3 {
		t.Errorf("checked %d, bad %v: want 9 checked and pdata, transformprocessor, kafkareceiver reported", checked, bad)
	}
}
