#!/usr/bin/env bash
# Pipeline benchmark of the built collector: (a) otlp → piiredaction → agentaudit(file) against
# (b) otlp → contrib redaction → contrib file exporter, same machine, same run. Prints spans/s for
# each, the ratio (goal >= 1.5x) and peak RSS. Usage: scripts/bench-pipeline.sh [sessions] (BENCH_ROUNDS=3)
set -euo pipefail
cd "$(dirname "$0")/.."
collector="${AGENTAUDIT_COLLECTOR_BIN:-bin/otelcol-agentaudit}"
if [[ ! -x "$collector" ]]; then
  echo "bench-pipeline: $collector not built: run make build" >&2
  exit 1
fi
exec go run ./test/bench/pipeline -collector "$collector" -sessions "${1:-${BENCH_SESSIONS:-15000}}" -rounds "${BENCH_ROUNDS:-3}"
