#!/usr/bin/env bash
# Every bench: criterion client/latency benches of our wrapper and its raw C twins (one process)
# and of the published rusteron-client from crates.io (the peer: benches/peer, its own process and
# Aeron build), in alternating runs against one shared aeronmd; then the three-way archive bench
# (our wrapper, raw C and Aeron's Java client alternating against one Java archive, with CPU per
# message), the callgrind instruction counts, and a summary table of all figures and ratios
# (<target>/bench-results/summary.md).
#
# BENCH_RUNS (default 3) runs of the client/latency part. Each block (one bench of one side in one
# run) runs under scripts/bench-measure.py, which records the load before and after and the CPU
# that other processes used meanwhile (`others_cores`); a run in which any block saw others use
# more than OTHERS_LIMIT cores (default 0.5, a quarter of a 2-core machine) is marked, and the
# summary's medians use the unmarked runs when at least half the runs are unmarked (all runs
# otherwise, and the summary says the figures are from a loaded machine).
# BENCH_FILTER (a criterion filter, e.g. poll_empty) limits the client/latency benches of both
# sides, for a quick check of the machinery. Usage: scripts/bench.sh [--summary-only]
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
source scripts/bench-lib.sh
res="$target/bench-results"
if [ "${1:-}" != "--summary-only" ]; then
  start=$(date +%s)
  runs="${BENCH_RUNS:-3}"
  mkdir -p "$res"
  rm -rf "$res"/run-* "$res/load.txt" "$res/archive-blocks.jsonl"
  say "building (ours: static; the peer: rusteron-client 0.2.16 from crates.io)"
  bench_build client latency archive instructions
  peer_cargo bench --bench peer --no-run -q
  export RUSTERON_BENCH_RESULTS="$res"
  trap stop_driver EXIT
  # measure OUT LABEL CMD...: one block under bench-measure.py (the shared aeronmd's CPU is ours).
  measure() {
    local out="$1" label="$2"
    shift 2
    python3 scripts/bench-measure.py "$out" "$label" ${driver_pid:+--pid "$driver_pid"} -- "$@"
  }
  ours=(cargo bench -q -p rusteron-archive "${BENCH_FEATURES[@]}")
  filter=()
  [ -n "${BENCH_FILTER:-}" ] && filter=(-- "$BENCH_FILTER")
  peer=(bash -c "target='$target'; source scripts/bench-lib.sh; peer_cargo bench -q --bench peer ${BENCH_FILTER:+-- '$BENCH_FILTER'}")
  for i in $(seq 1 "$runs"); do
    mkdir -p "$res/run-$i"
    blocks="$res/run-$i/blocks.jsonl"
    # Each run's copy holds only what this run measured.
    rm -rf "$target/criterion" "$peer_target/criterion" "$res"/latency_*.json
    # One aeronmd per idle strategy, shared by ours and the peer: backoff for IPC (client benches,
    # IPC ping-pong), yield for UDP ping-pong. Odd runs start with ours, even runs with the peer.
    start_driver backoff
    if [ $((i % 2)) = 1 ]; then order="ours peer"; else order="peer ours"; fi
    for who in $order; do
      say "run $i of $runs, IPC, $who"
      if [ "$who" = ours ]; then
        RUSTERON_BENCH_TRANSPORTS=ipc measure "$blocks" "ipc ours" "${ours[@]}" --bench client --bench latency "${filter[@]}"
      else
        RUSTERON_BENCH_TRANSPORTS=ipc measure "$blocks" "ipc peer" "${peer[@]}"
      fi
    done
    stop_driver
    start_driver yield
    for who in $order; do
      say "run $i of $runs, UDP ping-pong, $who"
      if [ "$who" = ours ]; then
        RUSTERON_BENCH_TRANSPORTS=udp measure "$blocks" "udp ours" "${ours[@]}" --bench latency "${filter[@]}"
      else
        RUSTERON_BENCH_TRANSPORTS=udp measure "$blocks" "udp peer" "${peer[@]}"
      fi
    done
    stop_driver
    cp -r "$target/criterion" "$res/run-$i/criterion"
    cp -r "$peer_target/criterion" "$res/run-$i/criterion-peer"
    cp "$res"/latency_*.json "$res/run-$i/" 2>/dev/null || true
  done
  # The archive bench: our wrapper, raw C and the Java client, alternating within one run against
  # one Java archive, each its own process (see benches/archive.rs); it prints its own table.
  measure "$res/archive-blocks.jsonl" "archive" bash scripts/bench-archive.sh --no-build
  bash scripts/bench-instructions.sh
  say "all benches took $(( $(date +%s) - start )) s"
  echo "$(( $(date +%s) - start ))" > "$res/duration.txt"
fi
python3 scripts/bench-summary.py "$target"
