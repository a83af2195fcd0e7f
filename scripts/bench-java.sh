#!/usr/bin/env bash
# Java archive baseline: compiles benches/java/ArchiveBench.java against the aeron-all jar (javac
# only, no Maven plugins) and runs it. Results: <target>/bench-results/archive_java.json.
# Usage: scripts/bench-java.sh [messages per run] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
source <(grep -E '^[A-Z_]+=' rusteron-archive-sys/versions.env)
jar="${RUSTERON_CACHE_DIR:-$PWD/.cache}/jars/aeron-all-$AERON_ALL_VERSION.jar"
[ -f "$jar" ] || { echo "bench-java: $jar missing: run 'just setup'"; exit 1; }
target="${CARGO_TARGET_DIR:-$PWD/target}"
classes="$target/bench-java/classes"
mkdir -p "$classes"
javac -nowarn -d "$classes" -cp "$jar" benches/java/ArchiveBench.java
# Same conductor idle sleep as the C clients in scripts/bench.sh (1 ms).
java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -Daeron.client.idle.sleep.duration=1ms -cp "$jar:$classes" ArchiveBench "$PWD/benches/java/archive.properties" "$target/bench-results/archive_java.json" "${1:-1000000}" "${2:-9}"
