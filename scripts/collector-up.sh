# Sourced by make demo and make console: start the built collector on free ports with a temporary
# data directory ($work/data) and wait until it is healthy; $pid is the collector, stopped on exit.
work=$(mktemp -d)
trap 'kill "${pid:-0}" "${console_pid:-0}" 2>/dev/null || true; wait 2>/dev/null || true; echo "(data kept in $work)"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export AGENTAUDIT_DATA_DIR="$work/data"
export AGENTAUDIT_OTLP_GRPC_ENDPOINT="127.0.0.1:$(free_port)"
export AGENTAUDIT_OTLP_HTTP_ENDPOINT="127.0.0.1:$(free_port)"
export AGENTAUDIT_HEALTH_ENDPOINT="127.0.0.1:$(free_port)"
export AGENTAUDIT_METRICS_PORT="$(free_port)"
./bin/otelcol-agentaudit --config config/local.yaml >"$work/collector.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fsS "http://$AGENTAUDIT_HEALTH_ENDPOINT/" >/dev/null 2>&1 && break; sleep 0.2; done
