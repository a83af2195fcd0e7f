#!/usr/bin/env bash
# The archive bench with the Java client only (Aeron's Java AeronArchive client, record and replay
# throughput, CPU per message): benches/archive.rs with ARCHIVE_BENCH_CLIENTS=java. The Java
# client is no longer a separate baseline run at another time: `just bench` and
# scripts/bench-archive.sh run it alternating with ours and raw C.
set -euo pipefail
cd "$(dirname "$0")/.."
ARCHIVE_BENCH_CLIENTS=java exec bash scripts/bench-archive.sh "$@"
