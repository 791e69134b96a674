#!/usr/bin/env bash
# Builds bench-pipeline's contrib reference collector (test/bench/reference/builder-config.yaml, contrib
# v0.161.0) with ocb v0.161.0 into .cache/contrib-reference-v0.161.0/, once, and prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."
version=v0.161.0
out=.cache/contrib-reference-$version
bin=$out/otelcol-contrib-reference
manifest=test/bench/reference/builder-config.yaml
stamp=$out/manifest.built
if [[ -x $bin ]] && cmp -s "$manifest" "$stamp"; then
  echo "$bin"
  exit 0
fi
ocb=.cache/bin/builder-$version
if [[ ! -x $ocb ]]; then
  mkdir -p .cache/bin
  GOBIN="$PWD/.cache/bin" go install "go.opentelemetry.io/collector/cmd/builder@$version" >&2
  mv .cache/bin/builder "$ocb"
fi
# ocb resolves output_path against the working directory (the repository root).
"$ocb" --config "$manifest" >&2
cp "$manifest" "$stamp"
echo "$bin"
