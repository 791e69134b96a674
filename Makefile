# Agent Audit Collector. `make run` starts the collector on the embedded file store; `make test` runs
# every test, starting the real peers (versitygw, a search engine, Node agent frameworks) it needs.
SHELL := /bin/bash
GO ?= go
OCB_VERSION := v0.165.0
VERSITYGW_VERSION := v1.8.0
GOLANGCI_LINT_VERSION := v2.15.0
TOOLS := $(CURDIR)/.cache/bin
OCB := $(TOOLS)/builder-$(OCB_VERSION)
VERSITYGW := $(TOOLS)/versitygw
GOLANGCI_LINT := $(TOOLS)/golangci-lint
COLLECTOR := bin/otelcol-agentaudit
AUDITCTL := bin/auditctl
GO_SOURCES := $(shell find . -name '*.go' -not -path './build/*' -not -path './.cache/*' -not -path '*/node_modules/*' -not -name '*_test.go') go.mod go.sum
TEST_TIMEOUT ?= 60m

export PATH := $(TOOLS):$(PATH)

.PHONY: all build run test test-quick test-deps bench bench-pipeline fuzz demo console lint golangci clean

all: build

build: $(COLLECTOR) $(AUDITCTL)

# ocb is pinned and installed into .cache/bin; the distribution is rebuilt only when a source changes.
$(OCB):
	@mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) $(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)
	mv $(TOOLS)/builder $(OCB)

$(COLLECTOR): $(OCB) builder-config.yaml $(GO_SOURCES)
	$(OCB) --config builder-config.yaml
	@mkdir -p bin
	cp build/otelcol-agentaudit $(COLLECTOR).tmp && mv -f $(COLLECTOR).tmp $(COLLECTOR)

$(AUDITCTL): $(GO_SOURCES)
	$(GO) build -o $(AUDITCTL).tmp ./cmd/auditctl && mv -f $(AUDITCTL).tmp $(AUDITCTL)

run: $(COLLECTOR)
	./$(COLLECTOR) --config config/local.yaml

$(VERSITYGW):
	@mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VERSION)

# Peers the tests start themselves: versitygw (S3), the Node agent frameworks, the search engine jars.
test-deps: $(VERSITYGW)
	@if command -v npm >/dev/null; then npm ci --prefix test/clients --no-audit --no-fund --loglevel=error; \
	  else echo "npm not found: the agent framework tests will skip (fail under AGENTAUDIT_REQUIRE_PEERS=1)"; fi
	@# One virtualenv per requirements file: requirements.txt → .venv, requirements-<name>.txt →
	@# .venv-<name> (frameworks whose pins conflict with the main ones); rebuilt only when it changed.
	@if python3 -c 'import venv, ensurepip' 2>/dev/null; then \
	  for reqs in test/clients/python/requirements*.txt; do \
	    name=$$(basename $$reqs .txt); venv=test/clients/.venv$${name#requirements}; \
	    cmp -s $$reqs $$venv/requirements.installed || { \
	      python3 -m venv --clear $$venv && \
	      $$venv/bin/pip install -q --disable-pip-version-check -r $$reqs && \
	      cp $$reqs $$venv/requirements.installed; } || exit 1; \
	  done; \
	  else echo "python3 with venv not found: the Python agent framework tests will skip (fail under AGENTAUDIT_REQUIRE_PEERS=1)"; fi
	cd test/clients/genkit && GOWORK=off GOFLAGS=-mod=readonly $(GO) mod download
	@for engine in elasticsearch opensearch opensearch3; do \
	  if missing=$$(bash test/searchengine/start.sh --check $$engine); then bash test/searchengine/start.sh --build $$engine || exit 1; \
	  else echo "$$missing: its tests will skip (fail under AGENTAUDIT_REQUIRE_PEERS=1)"; fi; done

# Unit and component tests run under the race detector, as collector contributors run them. The
# end-to-end packages under test/ drive the built collector binary (not race-instrumented) and
# decode whole stores in the test process, where the race runtime only multiplies CPU time (the
# production e2e package took over 25 min with it): they run without. `make test RACE=` drops -race.
RACE ?= -race
UNIT_PKGS = $$($(GO) list ./... | grep -v '/test/')
test: build test-deps
	AGENTAUDIT_COLLECTOR_BIN=$(CURDIR)/$(COLLECTOR) $(GO) test $(RACE) -count=1 -timeout $(TEST_TIMEOUT) $(UNIT_PKGS)
	AGENTAUDIT_COLLECTOR_BIN=$(CURDIR)/$(COLLECTOR) $(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./test/...

# Unit tests only, no build and no peers: every test that needs a real peer (the collector binary,
# versitygw, a search engine, a framework) skips under -short. For a contributor who changed one
# package: `make test-quick PKG=./internal/mapping/...`.
PKG ?= ./...
test-quick:
	$(GO) test -short -count=1 $(PKG)

# Go benchmarks: redaction vs contrib redactionprocessor (same corpus, one invocation), the detection
# engine, the mapping, verify, the exporter's dedup window, the file store's chaining, the queue's
# spool_storage against contrib file_storage, the Elasticsearch bulk path (which starts the test search
# engine), PostgreSQL batch writes (which start a throwaway cluster) and sidecar → Kafka → gateway
# against direct OTLP (the built binary and a real broker).
bench:
	$(GO) test ./processor/piiredactionprocessor -run '^$$' -bench BenchmarkPIIRedaction -benchtime 3s -benchmem
	$(GO) test ./processor/piiredactionprocessor/internal/detect -run '^$$' -bench BenchmarkDetect -benchmem
	$(GO) test ./internal/mapping -run '^$$' -bench . -benchmem
	$(GO) test ./internal/auditrecord -run '^$$' -bench . -benchmem
	$(GO) test ./internal/jsonvalue -run '^$$' -bench . -benchmem
	$(GO) test ./internal/readside/verify -run '^$$' -bench . -benchmem
	$(GO) test ./internal/console -run '^$$' -bench BenchmarkConsole100kSessions -benchtime 5x
	$(GO) test ./exporter/agentauditexporter -run '^$$' -bench . -benchmem
	$(GO) test ./internal/store/objectstore -run '^$$' -bench . -benchmem
	$(GO) test ./internal/evidence/... -run '^$$' -bench . -benchmem
	$(GO) test ./extension/spoolstorageextension -run '^$$' -bench . -benchmem
	$(GO) test ./internal/store/esstore -run '^$$' -bench . -benchmem
	$(GO) test ./internal/store/pgstore -run '^$$' -bench BenchmarkWrite -benchmem -cpu 1
	AGENTAUDIT_COLLECTOR_BIN=$(CURDIR)/$(COLLECTOR) $(GO) test ./test/e2e/production -run '^$$' -bench BenchmarkKafkaTopologyVsDirect -benchtime 5000x

# The built binary under agentsim at max rate: piiredaction+agentaudit(file) with the durable default's
# disk queue (spool_storage), the same with a memory queue, contrib redaction+batch+file, and the
# durable pipeline on contrib file_storage.
bench-pipeline: $(COLLECTOR)
	@bash scripts/bench-pipeline.sh

# Fuzz targets, FUZZTIME each: redaction, mapping, and the OTLP path through both. The OTLP targets
# need -fuzzminimizetime 0: an exec takes ~1 ms (it validates every record), so minimising stalls.
FUZZTIME ?= 60s
fuzz:
	$(GO) test ./processor/piiredactionprocessor/internal/detect -run '^$$' -fuzz '^FuzzRedactString$$' -fuzztime $(FUZZTIME)
	$(GO) test ./processor/piiredactionprocessor/internal/detect -run '^$$' -fuzz '^FuzzRedactJSON$$' -fuzztime $(FUZZTIME)
	$(GO) test ./processor/piiredactionprocessor/internal/detect -run '^$$' -fuzz '^FuzzNamesAddresses$$' -fuzztime $(FUZZTIME)
	$(GO) test ./processor/piiredactionprocessor -run '^$$' -fuzz '^FuzzRedactAttributes$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/mapping -run '^$$' -fuzz '^FuzzMapTraces$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/mapping -run '^$$' -fuzz '^FuzzMapLogs$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/jsonvalue -run '^$$' -fuzz '^FuzzParseMatchesEncodingJSON$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/mapping -run '^$$' -fuzz '^FuzzScanMatchesParse$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/jsonvalue -run '^$$' -fuzz '^FuzzSkipMatchesParse$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/auditrecord -run '^$$' -fuzz '^FuzzEncoderMatchesEncodingJSON$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/auditrecord -run '^$$' -fuzz '^FuzzCanonicalizeJSONMatchesEncodingJSON$$' -fuzztime $(FUZZTIME)
	$(GO) test ./test/e2e/production -run '^$$' -fuzz '^FuzzOTLPTracesPath$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0
	$(GO) test ./test/e2e/production -run '^$$' -fuzz '^FuzzOTLPLogsPath$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0
	$(GO) test ./test/e2e/production -run '^$$' -fuzz '^FuzzAgentLogBodies$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0

demo: build
	@bash scripts/demo.sh

# The web console over demo data: the collector, five agentsim sessions, `auditctl serve` on
# 127.0.0.1:8443 (CONSOLE_PORT=... for another port) with a demo auditor and viewer (docs/console.md).
console: build
	@bash scripts/console.sh

# golangci-lint with .golangci.yml: govet, gofumpt/goimports and the linters contrib reviewers use.
lint: golangci

# golangci-lint, pinned and installed into .cache/bin; the configuration (.golangci.yml) follows
# opentelemetry-collector-contrib's. `make golangci PKG=./internal/mapping/...` lints one package.
$(GOLANGCI_LINT):
	@mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

golangci: $(GOLANGCI_LINT)
	@v=$$($(GOLANGCI_LINT) version --short); [ "v$$v" = "$(GOLANGCI_LINT_VERSION)" ] || \
	  { echo "$(GOLANGCI_LINT) is v$$v, want $(GOLANGCI_LINT_VERSION): remove it to reinstall"; exit 1; }
	$(GOLANGCI_LINT) run $(PKG)

clean:
	rm -rf bin build
