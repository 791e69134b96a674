#!/usr/bin/env bash
# Starts an embedded single-node search engine for tests and returns once it answers
# GET /_cluster/health.
#   start.sh PORT DATA_DIR [ENGINE]   build if needed, start, wait for health
#   start.sh --build [ENGINE]         only build the launcher (make test-deps)
#   start.sh --check [ENGINE]         print what is missing to run ENGINE and exit 1, or exit 0
# ENGINE is one of
#   elasticsearch (default): Elasticsearch 8.17.0 (elasticsearch/), Java 17+
#   opensearch:              OpenSearch 2.19.6 (opensearch/), Java 17+
#   opensearch3:             OpenSearch 3.9.0 (opensearch3/), Java 21+
# Java 17+ is JAVA_HOME's java, else the one on PATH. Java 21+ is SEARCHENGINE_JAVA21_HOME when set,
# else the first of /usr/lib/jvm/temurin-25-jdk-amd64, JAVA_HOME and the java on PATH that is 21+.
# Builds the launcher with Maven first when it is missing or older than its sources (jars are
# cached in ~/.m2). With SEARCHENGINE_PARENT_PID set, the node exits once that process is gone.
# The node keeps running in the background; its pid is printed and kept in DATA_DIR/engine.pid,
# its output in DATA_DIR/engine.log. Stop it with: kill "$(cat DATA_DIR/engine.pid)".
set -euo pipefail

usage() {
  echo "usage: $0 PORT DATA_DIR [elasticsearch|opensearch|opensearch3]" >&2
  echo "       $0 --build|--check [elasticsearch|opensearch|opensearch3]" >&2
  exit 2
}

mode=start
case "${1:-}" in
  --build | --check)
    mode=${1#--}
    [[ $# -le 2 ]] || usage
    engine=${2:-elasticsearch}
    ;;
  *)
    [[ $# -ge 2 && $# -le 3 ]] || usage
    port=$1
    data_dir=$2
    engine=${3:-elasticsearch}
    ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
jvm_opts=()
case "$engine" in
  elasticsearch) main=org.elasticsearch.node.EmbeddedSearchEngine min_java=17 ;;
  opensearch) main=org.agentaudit.searchengine.EmbeddedOpenSearch min_java=17 ;;
  opensearch3)
    main=org.agentaudit.searchengine.EmbeddedOpenSearch3 min_java=21
    # Lucene 10 calls native code (madvise) through the FFM API.
    jvm_opts=(--enable-native-access=ALL-UNNAMED)
    ;;
  *) echo "unknown engine $engine (elasticsearch|opensearch|opensearch3)" >&2; exit 2 ;;
esac
launcher="$here/$engine"

# java_feature JAVA prints the feature release of the java binary JAVA (17 for "17.0.15"), or
# nothing when it does not run.
java_feature() {
  local version
  version=$("$1" -version 2>&1 | sed -n 's/.* version "\([0-9][0-9]*\).*/\1/p' | head -1) || true
  echo "$version"
}

# java_home_for MIN prints the JDK home (possibly empty, meaning the java on PATH) whose java is
# release MIN or newer, or fails.
java_home_for() {
  local min=$1 candidates=() home java feature
  if [[ $min -ge 21 ]]; then
    if [[ -n ${SEARCHENGINE_JAVA21_HOME:-} ]]; then
      candidates=("$SEARCHENGINE_JAVA21_HOME")
    else
      candidates=(/usr/lib/jvm/temurin-25-jdk-amd64 "${JAVA_HOME:-}" "")
    fi
  else
    candidates=("${JAVA_HOME:-}")
  fi
  for home in "${candidates[@]}"; do
    java=${home:+$home/bin/}java
    command -v "$java" >/dev/null || continue
    feature=$(java_feature "$java")
    if [[ -n $feature && $feature -ge $min ]]; then
      echo "$home"
      return 0
    fi
  done
  return 1
}

# Everything the engine needs that is not there, one phrase each.
missing=()
if ! java_home=$(java_home_for "$min_java"); then
  if [[ $min_java -ge 21 ]]; then
    missing+=("a Java $min_java+ JDK (set SEARCHENGINE_JAVA21_HOME, or install one at /usr/lib/jvm/temurin-25-jdk-amd64)")
  else
    missing+=("a Java $min_java+ JDK (java on PATH, or JAVA_HOME)")
  fi
fi
for tool in mvn curl flock; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  printf -v message '%s, ' "${missing[@]}"
  message="embedded $engine needs ${message%, }"
  if [[ $mode == check ]]; then echo "$message"; else echo "$message" >&2; fi
  exit 1
fi
[[ $mode == check ]] && exit 0
java_bin=${java_home:+$java_home/bin/}java

# Serialises the build when several test binaries start engines at once. Maven runs on the JDK the
# node runs on, since OpenSearch 3's jars are Java 21 class files that an older javac cannot read.
(
  flock 9
  marker="$launcher/target/.built"
  if [[ ! -f "$marker" || -n "$(find "$launcher/pom.xml" "$launcher/src" "$here/common" -newer "$marker" -print -quit)" ]]; then
    rm -rf "$launcher/target/dependency"
    maven_opts=${MAVEN_OPTS:-}
    # Maven's bundled Guava uses sun.misc.Unsafe, which Java 24+ warns about on every run.
    if [[ $(java_feature "$java_bin") -ge 24 ]]; then
      maven_opts="$maven_opts --sun-misc-unsafe-memory-access=allow"
    fi
    JAVA_HOME=${java_home:-${JAVA_HOME:-}} MAVEN_OPTS=$maven_opts \
      mvn -q -B -Dstyle.color=never -f "$launcher/pom.xml" package >&2
    touch "$marker"
  fi
) 9>"$launcher/.build.lock"
[[ $mode == build ]] && exit 0

mkdir -p "$data_dir"
log="$data_dir/engine.log"
"$java_bin" -Xms512m -Xmx1g -XX:+UseSerialGC -Djava.awt.headless=true "${jvm_opts[@]}" \
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
