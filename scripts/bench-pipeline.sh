#!/usr/bin/env bash
# Pipeline benchmark of the built collector, same machine, same run: (a) otlp → piiredaction →
# agentaudit(file) with the durable default's persistent queue (spool_storage), (b) the same with an
# in-memory queue, (c) otlp → contrib redaction → batch → contrib file exporter (its own build at contrib
# v0.161.0, scripts/contrib-reference.sh, cached), (d) (a) with its queue on contrib file_storage, (e) the
# ceiling: otlp → batch → contrib file on the reference build, no processing. Prints spans/s, CPU µs per
# span and peak RSS for each, the headline ratios (a)/(e) (goal >= 0.75) and (a)/(c) (goal >= 4x, peak
# RSS at most (c)'s), the cost of durability (a)/(b) and what spool_storage saves (a)/(d).
# Usage: scripts/bench-pipeline.sh [sessions] (BENCH_SESSIONS=15000, BENCH_ROUNDS=3; a smoke run:
# BENCH_SESSIONS=20 BENCH_ROUNDS=1). BENCH_PROFILE=<dir> also writes each pipeline's first-round CPU,
# allocation, block and mutex profiles there (go tool pprof bin/otelcol-agentaudit <dir>/a.pprof);
# BENCH_ONLY=ae runs only those pipelines (by letter).
set -euo pipefail
cd "$(dirname "$0")/.."
collector="${AGENTAUDIT_COLLECTOR_BIN:-bin/otelcol-agentaudit}"
if [[ ! -x "$collector" ]]; then
  echo "bench-pipeline: $collector not built: run make build" >&2
  exit 1
fi
reference=$(bash scripts/contrib-reference.sh)
exec go run ./test/bench/pipeline -collector "$collector" -reference "$reference" -sessions "${1:-${BENCH_SESSIONS:-15000}}" -rounds "${BENCH_ROUNDS:-3}" \
  ${BENCH_PROFILE:+-profile "$BENCH_PROFILE"} ${BENCH_ONLY:+-only "$BENCH_ONLY"}
