#!/usr/bin/env bash
# Every bench: criterion client/latency benches of our wrapper and its raw C twins (one process)
# and of the published rusteron-client from crates.io (the peer: benches/peer, its own process and
# Aeron build), in alternating runs against one shared aeronmd; then the archive benches, the Java
# archive baseline, the callgrind instruction counts, and a summary table of all figures and ratios
# (<target>/bench-results/summary.md). BENCH_RUNS (default 3) runs of the client/latency part;
# the summary quotes the median of the runs' medians. Usage: scripts/bench.sh [--summary-only]
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
source scripts/bench-lib.sh
res="$target/bench-results"
if [ "${1:-}" != "--summary-only" ]; then
  start=$(date +%s)
  runs="${BENCH_RUNS:-3}"
  mkdir -p "$res"
  rm -rf "$res"/run-* "$res/load.txt"
  echo "bench: building (ours: static; the peer: rusteron-client 0.2.16 from crates.io)"
  bench_build client latency archive instructions
  peer_cargo bench --bench peer --no-run -q
  export RUSTERON_BENCH_RESULTS="$res"
  # The load of the machine while the timed benches run, every 5 s (1-minute load average; our
  # own busy threads count: 2-3 during throughput and ping-pong).
  ( while :; do echo "$(date +%s) $(cut -d' ' -f1-3 /proc/loadavg)" >> "$res/load.txt"; sleep 5; done ) &
  sampler=$!
  trap 'kill $sampler 2>/dev/null || true; stop_driver' EXIT
  ours() { cargo bench -q -p rusteron-archive "${BENCH_FEATURES[@]}" "$@"; }
  peer() { peer_cargo bench -q --bench peer; }
  for i in $(seq 1 "$runs"); do
    # One aeronmd per idle strategy, shared by ours and the peer: backoff for IPC (client benches,
    # IPC ping-pong), yield for UDP ping-pong. Odd runs start with ours, even runs with the peer.
    start_driver backoff
    if [ $((i % 2)) = 1 ]; then order="ours peer"; else order="peer ours"; fi
    for who in $order; do
      echo "bench: run $i of $runs, IPC, $who"
      if [ "$who" = ours ]; then
        RUSTERON_BENCH_TRANSPORTS=ipc ours --bench client --bench latency
      else
        RUSTERON_BENCH_TRANSPORTS=ipc peer
      fi
    done
    stop_driver
    start_driver yield
    for who in $order; do
      echo "bench: run $i of $runs, UDP ping-pong, $who"
      if [ "$who" = ours ]; then
        RUSTERON_BENCH_TRANSPORTS=udp ours --bench latency
      else
        RUSTERON_BENCH_TRANSPORTS=udp peer
      fi
    done
    stop_driver
    mkdir -p "$res/run-$i"
    cp -r "$target/criterion" "$res/run-$i/criterion"
    cp -r "$peer_target/criterion" "$res/run-$i/criterion-peer"
    cp "$res"/latency_*.json "$res/run-$i/"
  done
  kill $sampler 2>/dev/null || true
  # The archive benches add a subscription per replay. The C client's conductor idles 16 ms by
  # default, which lands in every measured replay; both clients (C here, Java in bench-java.sh)
  # run their conductor with a 1 ms idle sleep so that setup latency does not dominate.
  AERON_CLIENT_IDLE_SLEEP_DURATION=1ms ours --bench archive
  bash scripts/bench-java.sh
  bash scripts/bench-instructions.sh
  echo "bench: all benches took $(( $(date +%s) - start )) s"
  echo "$(( $(date +%s) - start ))" > "$res/duration.txt"
fi
python3 - "$target" <<'PY'
import glob, json, os, statistics, sys
target = sys.argv[1]
res = os.path.join(target, "bench-results")
runs = sorted(glob.glob(os.path.join(res, "run-*")))
def est(crit, parts):
    try:
        return json.load(open(os.path.join(crit, *parts, "new", "estimates.json")))["median"]["point_estimate"]
    except OSError:
        return None
def med(side, *parts):
    """Median over runs of criterion's median (ns per iteration); side: rust, raw or peer."""
    vals = []
    for r in runs or [None]:
        if side == "peer":
            crit = os.path.join(r, "criterion-peer") if r else os.path.join(target, "peer", "criterion")
        else:
            crit = os.path.join(r, "criterion") if r else os.path.join(target, "criterion")
        v = est(crit, parts + (side,))
        if v is not None:
            vals.append(v)
    return (statistics.median(vals), vals) if vals else (None, [])
def load(name):
    try:
        return json.load(open(os.path.join(res, name + ".json")))
    except OSError:
        return None
def latency(t):
    hs = {"raw": [], "rust": [], "peer": []}
    for r in runs or [res]:
        for f, sides in [(f"latency_{t}.json", ["raw", "rust"]), (f"latency_{t}_peer.json", ["peer"])]:
            try:
                h = json.load(open(os.path.join(r, f)))
                for sd in sides:
                    hs[sd].append(h[sd])
            except OSError:
                pass
    out = {}
    for sd, l in hs.items():
        if l:
            out[sd] = {k: int(statistics.median(x[k] for x in l)) for k in ["p50_ns", "p99_ns", "p999_ns", "max_ns", "count"]}
    return out
def f(v, spec):
    return format(v, spec) if v is not None else "n/a"
def ratio(a, b):
    return f"{a / b:.3f}" if a and b else "n/a"
out = []
w = out.append
w(f"Runs: {len(runs)} (client and latency benches; figures are the median of the runs' criterion medians;")
w("ours and the peer alternate run by run against one shared aeronmd; raw C runs in our process right after ours).")
try:
    loads = [float(l.split()[1]) for l in open(os.path.join(res, "load.txt"))]
    w(f"Load (1-minute average, sampled every 5 s during the timed runs, our own busy threads included): "
      f"min {min(loads):.2f}, median {statistics.median(loads):.2f}, max {max(loads):.2f}, on {os.cpu_count()} CPUs.")
except (OSError, ValueError):
    pass
try:
    w(f"Whole `just bench`: {int(open(os.path.join(res, 'duration.txt')).read())} s.")
except (OSError, ValueError):
    pass
w("")
w("Ratios: time rows compare times (below 1: faster than raw C); throughput rows compare rates (above 1: more")
w("than raw C). Last column: how many times faster ours is than the published crate (above 1: ours faster).")
w("")
w("| Bench (32-byte messages) | raw C | ours | published 0.2.16 | ours / raw | published / raw | ours speed-up over published |")
w("|---|---:|---:|---:|---:|---:|---:|")
def time_row(name, parts):
    (r, _), (s, _), (p, _) = med("raw", *parts), med("rust", *parts), med("peer", *parts)
    if r and s:
        w(f"| {name} | {f(r, '.2f')} | {f(s, '.2f')} | {f(p, '.2f')} | {ratio(s, r)} (time) | {ratio(p, r)} (time) | {ratio(p, s)} |")
time_row("empty poll, ns per call", ("poll_empty",))
time_row("back-pressured offer, ns per call", ("offer_back_pressured",))
time_row("offer (no back pressure), ns per call", ("per_call_32B", "offer"))
time_row("try_claim + copy + commit, ns per call", ("per_call_32B", "try_claim"))
for kind in ["exclusive_offer", "exclusive_try_claim", "concurrent_offer", "concurrent_try_claim"]:
    (r, rv), (s, sv), (p, pv) = [med(sd, "ipc_throughput_32B", kind) for sd in ["raw", "rust", "peer"]]
    if r and s:
        tp = lambda v: 1e3 / v if v else None
        w(f"| IPC throughput {kind.replace('_', ' ')}, M msg/s | {f(tp(r), '.2f')} | {f(tp(s), '.2f')} | {f(tp(p), '.2f')} | "
          f"{ratio(r, s)} (rate) | {ratio(r, p)} (rate) | {ratio(p, s)} |")
for t in ["ipc", "udp"]:
    (r, _), (s, _), (p, _) = [med(sd, f"ping_pong_{t}", "rtt") for sd in ["raw", "rust", "peer"]]
    if r and s:
        w(f"| ping-pong {t.upper()} mean RTT (criterion), ns | {f(r, '.0f')} | {f(s, '.0f')} | {f(p, '.0f')} | {ratio(s, r)} (time) | {ratio(p, r)} (time) | {ratio(p, s)} |")
    h = latency(t)
    if "raw" in h and "rust" in h:
        for q, label in [("p50_ns", "p50"), ("p99_ns", "p99"), ("p999_ns", "p99.9"), ("max_ns", "max")]:
            a, b = h["raw"][q], h["rust"][q]
            c = h["peer"][q] if "peer" in h else None
            w(f"| ping-pong {t.upper()} RTT {label} ({h['rust']['count']} RTTs each), ns | {a} | {b} | {f(c, 'd')} | {b/a:.3f} ({b-a:+d} ns) | "
              f"{ratio(c, a)} (time) | {ratio(c, b)} |")
w("")
w("Per-run values (criterion medians, ns per iteration; throughput rows: ns per message):")
w("")
w("| bench | raw C | ours | published |")
w("|---|---|---|---|")
for parts in [("poll_empty",), ("offer_back_pressured",), ("per_call_32B", "offer"), ("per_call_32B", "try_claim")] + \
        [("ipc_throughput_32B", k) for k in ["exclusive_offer", "exclusive_try_claim", "concurrent_offer", "concurrent_try_claim"]] + \
        [("ping_pong_ipc", "rtt"), ("ping_pong_udp", "rtt")]:
    cells = [", ".join(f"{v:.2f}" for v in med(sd, *parts)[1]) for sd in ["raw", "rust", "peer"]]
    w(f"| {'/'.join(parts)} | {cells[0]} | {cells[1]} | {cells[2]} |")
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
try:
    w("")
    w(open(os.path.join(res, "instructions.md")).read().rstrip())
except OSError:
    pass
text = "\n".join(out) + "\n"
print(text)
open(os.path.join(res, "summary.md"), "w").write(text)
print("wrote", os.path.join(res, "summary.md"))
PY
