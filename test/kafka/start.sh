#!/usr/bin/env bash
# Starts a single-node Apache Kafka (KRaft, broker and controller in one JVM) for tests and returns
# once the broker answers a metadata request. Usage: start.sh PORT CONTROLLER_PORT DATA_DIR
# (start.sh --build-only only builds, for `make test-deps`).
# Clients use 127.0.0.1:PORT; the controller listens on 127.0.0.1:CONTROLLER_PORT.
# Builds the launcher with Maven first when it is missing or older than its sources (jars are
# cached in ~/.m2). With KAFKA_PARENT_PID set, the broker exits once that process is gone.
# The broker keeps running in the background; its pid is printed and kept in DATA_DIR/broker.pid,
# its output in DATA_DIR/broker.log. Stop it with: kill "$(cat DATA_DIR/broker.pid)".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

# Builds the launcher and copies the broker's jars when missing or older than the sources;
# serialised for several test binaries starting brokers at once.
build() {
  (
    flock 9
    marker="$here/target/.built"
    if [[ ! -f "$marker" || -n "$(find "$here/pom.xml" "$here/src" -newer "$marker" -print -quit)" ]]; then
      rm -rf "$here/target/lib"
      mvn -q -B -Dstyle.color=never -f "$here/pom.xml" package >&2
      touch "$marker"
    fi
  ) 9>"$here/.build.lock"
}

if [[ $# -eq 1 && $1 == --build-only ]]; then
  build
  exit 0
fi
if [[ $# -ne 3 ]]; then
  echo "usage: $0 PORT CONTROLLER_PORT DATA_DIR | $0 --build-only" >&2
  exit 2
fi
port=$1
controller_port=$2
data_dir=$(mkdir -p "$3" && cd "$3" && pwd)
build

config="$data_dir/server.properties"
cat >"$config" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$data_dir/kraft-logs
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS

log="$data_dir/broker.log"
java_bin=${JAVA_HOME:+$JAVA_HOME/bin/}java
"$java_bin" -Xms256m -Xmx512m -XX:+UseSerialGC -Djava.awt.headless=true \
  -cp "$here/target/classes:$here/target/lib/*" \
  org.agentaudit.kafka.TestBroker "$config" >>"$log" 2>&1 &
pid=$!
echo "$pid" >"$data_dir/broker.pid"

# TestBroker prints this line once a metadata request succeeds (keep in step with TestBroker.java).
ready="kafka test broker ready on 127.0.0.1:$port"
deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-180}))
while (( SECONDS < deadline )); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "kafka broker exited during start; log follows" >&2
    cat "$log" >&2
    exit 1
  fi
  if grep -qF "$ready" "$log"; then
    echo "$pid"
    exit 0
  fi
  sleep 0.3
done
echo "kafka broker did not answer on 127.0.0.1:$port in time; log follows" >&2
cat "$log" >&2
kill "$pid" 2>/dev/null || true
exit 1
