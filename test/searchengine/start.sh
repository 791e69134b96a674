#!/usr/bin/env bash
# Starts an embedded single-node search engine for tests and returns once it answers
# GET /_cluster/health. Usage: start.sh PORT DATA_DIR [elasticsearch|opensearch]
#   elasticsearch (default): Elasticsearch 8.17.0 (elasticsearch/)
#   opensearch:              OpenSearch 2.19.6 (opensearch/)
# Builds the launcher with Maven first when it is missing or older than its sources (jars are
# cached in ~/.m2). With SEARCHENGINE_PARENT_PID set, the node exits once that process is gone.
# The node keeps running in the background; its pid is printed and kept in DATA_DIR/engine.pid,
# its output in DATA_DIR/engine.log. Stop it with: kill "$(cat DATA_DIR/engine.pid)".
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
  echo "usage: $0 PORT DATA_DIR [elasticsearch|opensearch]" >&2
  exit 2
fi
port=$1
data_dir=$2
flavor=${3:-elasticsearch}
here=$(cd "$(dirname "$0")" && pwd)
case "$flavor" in
  elasticsearch) main=org.elasticsearch.node.EmbeddedSearchEngine ;;
  opensearch) main=org.agentaudit.searchengine.EmbeddedOpenSearch ;;
  *) echo "unknown flavor $flavor (elasticsearch|opensearch)" >&2; exit 2 ;;
esac
launcher="$here/$flavor"

# Serialises the build when several test binaries start engines at once.
(
  flock 9
  marker="$launcher/target/.built"
  if [[ ! -f "$marker" || -n "$(find "$launcher/pom.xml" "$launcher/src" "$here/common" -newer "$marker" -print -quit)" ]]; then
    rm -rf "$launcher/target/dependency"
    mvn -q -B -Dstyle.color=never -f "$launcher/pom.xml" package >&2
    touch "$marker"
  fi
) 9>"$launcher/.build.lock"

mkdir -p "$data_dir"
log="$data_dir/engine.log"
java_bin=${JAVA_HOME:+$JAVA_HOME/bin/}java
"$java_bin" -Xms512m -Xmx1g -XX:+UseSerialGC -Djava.awt.headless=true \
  -cp "$launcher/target/classes:$launcher/target/dependency/*" \
  "$main" "$port" "$data_dir" >>"$log" 2>&1 &
pid=$!
echo "$pid" >"$data_dir/engine.pid"

deadline=$((SECONDS + ${SEARCHENGINE_START_TIMEOUT:-180}))
while (( SECONDS < deadline )); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "search engine exited during start; log follows" >&2
    cat "$log" >&2
    exit 1
  fi
  if curl -fsS "http://127.0.0.1:$port/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; then
    echo "$pid"
    exit 0
  fi
  sleep 0.5
done
echo "search engine did not answer on 127.0.0.1:$port in time; log follows" >&2
cat "$log" >&2
kill "$pid" 2>/dev/null || true
exit 1
