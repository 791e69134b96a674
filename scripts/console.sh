#!/usr/bin/env bash
# make console: start the built collector, send a few agent sessions with agentsim, then serve the
# web console over the trail it wrote, with a demo auditor and a demo viewer. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/collector-up.sh
echo "== collector up (log: $work/collector.log); sending 5 agent sessions"
go run ./cmd/agentsim -endpoint "$AGENTAUDIT_OTLP_GRPC_ENDPOINT" -sessions 5 -seed 7
sleep 3
users="$work/console-users"
password="demo-$(python3 -c 'import secrets; print(secrets.token_hex(4))')"
echo "$password" | ./bin/auditctl users add auditor --role auditor --users "$users"
echo "$password" | ./bin/auditctl users add viewer --role viewer --users "$users"
addr="127.0.0.1:${CONSOLE_PORT:-8443}"
./bin/auditctl serve --store "file://$work/data" --users "$users" --addr "$addr" &
console_pid=$!
echo "== console on http://$addr/  sign in as auditor or viewer, password $password (Ctrl-C stops)"
wait "$console_pid"
