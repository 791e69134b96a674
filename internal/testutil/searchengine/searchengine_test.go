package searchengine

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/agentaudit/otelcol-agentaudit/internal/testutil/peers"
)

func TestStoreFlavorOfEachKind(t *testing.T) {
	want := map[Kind]string{Elasticsearch: "elasticsearch", OpenSearch: "opensearch", OpenSearch3: "opensearch"}
	for kind := range EmbeddedVersions {
		if got := kind.StoreFlavor(); got != want[kind] {
			t.Errorf("%s.StoreFlavor() = %q, want %q", kind, got, want[kind])
		}
	}
}

func TestKindsRunsEveryEmbeddedEngineOrTheExternalOne(t *testing.T) {
	t.Setenv(ExternalURLEnv, "")
	got := Kinds()
	if len(got) != len(EmbeddedVersions) {
		t.Errorf("Kinds() = %v, want every embedded engine", got)
	}
	for kind := range EmbeddedVersions {
		if !slices.Contains(got, kind) {
			t.Errorf("Kinds() = %v lacks %s", got, kind)
		}
	}

	t.Setenv(ExternalURLEnv, "http://127.0.0.1:1")
	t.Setenv(ExternalFlavorEnv, "opensearch")
	if got := Kinds(); !slices.Equal(got, []Kind{OpenSearch}) {
		t.Errorf("with ES_FLAVOR=opensearch, Kinds() = %v", got)
	}
	if got := Flavor(); got != "opensearch" {
		t.Errorf("with ES_FLAVOR=opensearch, Flavor() = %q", got)
	}
}

// The versions the harness reports are the ones the launchers' poms build.
func TestEmbeddedVersionsMatchPoms(t *testing.T) {
	root := peers.RepoRoot(t)
	versionProperty := regexp.MustCompile(`<(?:elasticsearch|opensearch)\.version>([^<]+)<`)
	for kind, version := range EmbeddedVersions {
		pom, err := os.ReadFile(filepath.Join(root, "test", "searchengine", string(kind), "pom.xml"))
		if err != nil {
			t.Fatal(err)
		}
		m := versionProperty.FindSubmatch(pom)
		if m == nil || string(m[1]) != version {
			t.Errorf("%s: EmbeddedVersions says %s, its pom.xml builds %q", kind, version, m)
		}
	}
}

// fakeJDK makes a JDK home whose java says it is the given version.
func fakeJDK(t *testing.T, version string) string {
	home := t.TempDir()
	if err := os.Mkdir(filepath.Join(home, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\necho 'openjdk version \"" + version + "\" 2025-01-01' >&2\n"
	if err := os.WriteFile(filepath.Join(home, "bin", "java"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return home
}

func TestMissingNamesTheJava21JDKOpenSearch3Needs(t *testing.T) {
	root := peers.RepoRoot(t)
	const java21 = "Java 21+ JDK"
	for _, tc := range []struct {
		name, home string
		missing    bool
	}{
		{"no such directory", filepath.Join(t.TempDir(), "absent"), true},
		{"a Java 17", fakeJDK(t, "17.0.15"), true},
		{"a Java 21", fakeJDK(t, "21.0.2"), false},
		{"a Java 25", fakeJDK(t, "25.0.1"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("SEARCHENGINE_JAVA21_HOME", tc.home)
			got := Missing(root, OpenSearch3)
			if strings.Contains(got, java21) != tc.missing {
				t.Errorf("Missing(opensearch3) with SEARCHENGINE_JAVA21_HOME at %s = %q; want a missing %s: %v",
					tc.name, got, java21, tc.missing)
			}
			if tc.missing && !strings.Contains(got, "SEARCHENGINE_JAVA21_HOME") {
				t.Errorf("Missing(opensearch3) = %q does not say how to point at a JDK", got)
			}
			// The Java 17 engines do not look for Java 21.
			if other := Missing(root, OpenSearch); strings.Contains(other, java21) {
				t.Errorf("Missing(opensearch) = %q", other)
			}
		})
	}
	if got := Missing(root, Kind("solr")); got == "" {
		t.Error("Missing of an unknown kind says nothing is missing")
	}
}
