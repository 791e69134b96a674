#!/usr/bin/env bash
# make demo: start the built collector on free ports with a temporary data directory, send a few agent
# sessions with agentsim, then show what the audit trail holds.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/collector-up.sh
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
