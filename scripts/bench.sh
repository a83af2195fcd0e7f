#!/usr/bin/env bash
# Every bench: criterion client/latency/archive benches (wrapper vs raw C twins in one process),
# then the Java archive baseline, then a summary table of all figures and ratios
# (<target>/bench-results/summary.md). The client and latency benches run BENCH_RUNS times (default
# 3) and the summary quotes the median of the runs' medians. Usage: scripts/bench.sh [--summary-only]
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
if [ "${1:-}" != "--summary-only" ]; then
  start=$(date +%s)
  runs="${BENCH_RUNS:-3}"
  rm -rf "$target/bench-results"/run-*
  for i in $(seq 1 "$runs"); do
    echo "bench: client and latency benches, run $i of $runs"
    cargo bench -p rusteron-archive --bench client --bench latency
    mkdir -p "$target/bench-results/run-$i"
    cp -r "$target/criterion" "$target/bench-results/run-$i/criterion"
    cp "$target"/bench-results/latency_*.json "$target/bench-results/run-$i/"
  done
  # The archive benches add a subscription per replay. The C client's conductor idles 16 ms by
  # default, which lands in every measured replay; both clients (C here, Java in bench-java.sh)
  # run their conductor with a 1 ms idle sleep so that setup latency does not dominate.
  AERON_CLIENT_IDLE_SLEEP_DURATION=1ms cargo bench -p rusteron-archive --bench archive
  bash scripts/bench-java.sh
  bash scripts/bench-instructions.sh
  echo "bench: all benches took $(( $(date +%s) - start )) s"
fi
python3 - "$target" <<'PY'
import glob, json, os, statistics, sys
target = sys.argv[1]
res = os.path.join(target, "bench-results")
runs = sorted(glob.glob(os.path.join(res, "run-*"))) or [None]
def med(*parts):
    vals = []
    for r in runs:
        crit = os.path.join(r, "criterion") if r else os.path.join(target, "criterion")
        try:
            vals.append(json.load(open(os.path.join(crit, *parts, "new", "estimates.json")))["median"]["point_estimate"])
        except OSError:
            pass
    return statistics.median(vals) if vals else None
def load(name):
    try:
        return json.load(open(os.path.join(res, name + ".json")))
    except OSError:
        return None
def load_latency(name):
    hs = []
    for r in runs:
        try:
            hs.append(json.load(open(os.path.join(r or res, name + ".json"))))
        except OSError:
            pass
    if not hs:
        return None
    out = {}
    for side in ["raw", "rust"]:
        out[side] = {k: int(statistics.median(h[side][k] for h in hs)) for k in ["p50_ns", "p99_ns", "p999_ns", "max_ns", "count"]}
    return out
w0 = f"Runs of the client and latency benches: {len([r for r in runs if r])} (medians of the per-run medians)"
out = []
w = out.append
w("| Bench (32-byte messages) | raw C | Rust wrapper | Rust / raw |")
w("|---|---:|---:|---:|")
for name, parts in [("empty poll, ns per call", ("poll_empty",)), ("back-pressured offer, ns per call", ("offer_back_pressured",))]:
    r, s = med(*parts, "raw"), med(*parts, "rust")
    if r and s:
        w(f"| {name} | {r:.2f} | {s:.2f} | {s/r:.3f} (time) |")
for kind in ["exclusive_offer", "exclusive_try_claim", "concurrent_offer", "concurrent_try_claim"]:
    r, s = med("ipc_throughput_32B", kind, "raw"), med("ipc_throughput_32B", kind, "rust")
    if r and s:
        w(f"| IPC throughput {kind.replace('_', ' ')}, M msg/s | {1e3/r:.2f} | {1e3/s:.2f} | {r/s:.3f} (throughput) |")
for t in ["ipc", "udp"]:
    r, s = med(f"ping_pong_{t}", "rtt", "raw"), med(f"ping_pong_{t}", "rtt", "rust")
    if r and s:
        w(f"| ping-pong {t.upper()} mean RTT (criterion), ns | {r:.0f} | {s:.0f} | {s/r:.3f} (time) |")
    h = load_latency(f"latency_{t}")
    if h:
        for q, label in [("p50_ns", "p50"), ("p99_ns", "p99"), ("p999_ns", "p99.9"), ("max_ns", "max")]:
            a, b = h["raw"][q], h["rust"][q]
            w(f"| ping-pong {t.upper()} RTT {label} ({h['rust']['count']} RTTs), ns | {a} | {b} | {b/a:.3f} ({b-a:+d} ns) |")
a, j = load("archive"), load("archive_java")
if a:
    w("")
    w(f"| Archive ({a['messages']} x {a['msg_len']} B per run, median of {a['runs']} runs) | raw C | Rust wrapper | Java | Rust / raw | Rust / Java |")
    w("|---|---:|---:|---:|---:|---:|")
    for op in ["record", "replay"]:
        r, s = a["raw"][f"{op}_msgs_per_s"], a["rust"][f"{op}_msgs_per_s"]
        jv = j[f"{op}_msgs_per_s"] if j else None
        js = f"{jv/1e6:.2f}" if jv else "n/a"
        jr = f"{s/jv:.3f}" if jv else "n/a"
        w(f"| {op} throughput, M msg/s | {r/1e6:.2f} | {s/1e6:.2f} | {js} | {s/r:.3f} | {jr} |")
text = w0 + "\n\n" + "\n".join(out) + "\n"
print(text)
open(os.path.join(res, "summary.md"), "w").write(text)
print("wrote", os.path.join(res, "summary.md"))
PY
