#!/usr/bin/env bash
# The three-way archive bench (benches/archive.rs): our wrapper, raw C and Aeron's Java client,
# each its own process, alternating run by run against one Java archive; wall-clock rates, CPU per
# message of each client and of the archive, context switches, the load before and after each
# run. The Java client (benches/java/ArchiveBench.java) is compiled by the bench with javac.
# Results: printed, and <target>/bench-results/archive.json.
# Environment: ARCHIVE_BENCH_CLIENTS (default rust,raw,java), ARCHIVE_BENCH_RUNS (45),
# ARCHIVE_BENCH_MESSAGES (1000000). Usage: scripts/bench-archive.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
source scripts/bench-lib.sh
[ "${1:-}" = "--no-build" ] || bench_build archive
# The C clients' conductor idles 1 ms between duty cycles (Aeron's default is 16 ms, which lands
# in every measured replay through the replay subscription's setup); the Java client gets the same
# through -Daeron.client.idle.sleep.duration=1ms (set by the bench).
export AERON_CLIENT_IDLE_SLEEP_DURATION="${AERON_CLIENT_IDLE_SLEEP_DURATION:-1ms}"
exec "$(bench_bin archive)" --bench
