#!/usr/bin/env bash
# make demo: start the built collector on free ports with a temporary data directory, send a few agent
# sessions with agentsim, then show what the audit trail holds.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; wait 2>/dev/null || true; echo "(data kept in $work)"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export AGENTAUDIT_DATA_DIR="$work/data"
export AGENTAUDIT_OTLP_GRPC_ENDPOINT="127.0.0.1:$(free_port)"
export AGENTAUDIT_OTLP_HTTP_ENDPOINT="127.0.0.1:$(free_port)"
export AGENTAUDIT_HEALTH_ENDPOINT="127.0.0.1:$(free_port)"
export AGENTAUDIT_METRICS_PORT="$(free_port)"
./bin/otelcol-agentaudit --config config/local.yaml >"$work/collector.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fsS "http://$AGENTAUDIT_HEALTH_ENDPOINT/" >/dev/null 2>&1 && break; sleep 0.2; done
echo "== collector up (log: $work/collector.log); sending 3 agent sessions"
go run ./cmd/agentsim -endpoint "$AGENTAUDIT_OTLP_GRPC_ENDPOINT" -sessions 3 -seed 7
sleep 3
echo "== stored objects"
find "$work/data" -name '*.jsonl*' | sort
session=$(zcat "$work"/data/audit/year=*/*/*/*/*.jsonl.gz | python3 -c 'import sys,json; print(next(json.loads(l)["session_id"] for l in sys.stdin if json.loads(l).get("session_id")))')
echo "== timeline of session $session"
./bin/auditctl timeline "$session" --store "file://$work/data"
echo "== integrity"
./bin/auditctl verify --store "file://$work/data"
