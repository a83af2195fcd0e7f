#!/usr/bin/env python3
"""The summary of `just bench` (scripts/bench.sh): <target>/bench-results/summary.md.

Reads the per-run criterion results and latency histograms (run-N/), the blocks' load records
(run-N/blocks.jsonl, from bench-measure.py), archive.json (benches/archive.rs) and
instructions.md. Every timed figure is the median over the counted runs with its spread
(min-max); ratios are medians of per-run ratios (ours and raw C run in one process, one right
after the other, so each run's ratio is paired), not ratios of medians.
Usage: bench-summary.py TARGET_DIR
"""
import glob
import json
import os
import statistics
import sys

OTHERS_LIMIT = float(os.environ.get("OTHERS_LIMIT", "0.5"))
target = sys.argv[1]
res = os.path.join(target, "bench-results")
runs = sorted(glob.glob(os.path.join(res, "run-*")), key=lambda p: int(p.rsplit("-", 1)[1]))
cores = os.cpu_count()
out = []
w = out.append


def blocks(run):
    try:
        return [json.loads(l) for l in open(os.path.join(run, "blocks.jsonl")) if l.strip()]
    except OSError:
        return []


def marked(run):
    return any(b["others_cores"] > OTHERS_LIMIT for b in blocks(run))


quiet_runs = [r for r in runs if not marked(r)]
counted = quiet_runs if len(quiet_runs) * 2 >= len(runs) and quiet_runs else runs
loaded = counted is runs and len(quiet_runs) < len(runs)


def est(crit, parts):
    try:
        return json.load(open(os.path.join(crit, *parts, "new", "estimates.json")))["median"]["point_estimate"]
    except OSError:
        return None


def per_run(side, *parts):
    """Criterion's median (ns per iteration) in each counted run, None where missing."""
    vals = []
    for r in counted:
        crit = os.path.join(r, "criterion-peer" if side == "peer" else "criterion")
        vals.append(est(crit, parts + (side,)))
    return vals


def spread(vals, spec, scale=lambda v: v):
    vals = [scale(v) for v in vals if v is not None]
    if not vals:
        return "n/a", None
    m = statistics.median(vals)
    if len(vals) == 1:
        return format(m, spec), m
    return f"{format(m, spec)} ({format(min(vals), spec)}-{format(max(vals), spec)})", m


def paired(a, b, rate=False):
    """Median (min-max) of per-run ratios a/b (rate: b/a, for ns per message turned into rates)."""
    rs = [(y / x if rate else x / y) for x, y in zip(a, b) if x and y]
    return spread(rs, ".3f")[0]


w("# `just bench` summary")
w("")
w(f"Runs of the client and latency benches: {len(runs)}; counted: {len(counted)}"
  + (f" ({', '.join(os.path.basename(r) for r in counted)})" if len(counted) != len(runs) else "")
  + f". A run is marked when, in any of its blocks, other processes used more than {OTHERS_LIMIT} cores"
  " (machine CPU from /proc/stat minus ours and the shared aeronmd's); the medians use the unmarked runs"
  " when at least half are unmarked.")
if loaded:
    w("")
    w(f"**LOADED MACHINE: more than half of the runs were marked; every timed figure below is from runs in which "
      f"other processes competed for the {cores} cores. Judge by the instruction counts and the archive table's CPU per message (for the clients: the rows without waiting).**")
w("")
w("| run | block | wall, s | load before -> after | others, cores | our CPU, s | marked |")
w("|---|---|---:|---|---:|---:|---|")
for r in runs:
    for b in blocks(r):
        w(f"| {os.path.basename(r)} | {b['label']} | {b['wall_s']:.0f} | {b['load_before']:.2f} -> {b['load_after']:.2f} | "
          f"{b['others_cores']:.2f} | {b['own_cpu_s'] + b['driver_cpu_s']:.0f} | {'yes' if b['others_cores'] > OTHERS_LIMIT else ''} |")
try:
    w("")
    w(f"Whole `just bench`: {int(open(os.path.join(res, 'duration.txt')).read())} s, on {cores} CPUs.")
except (OSError, ValueError):
    pass
w("")
w("Cells: median over the counted runs (min-max). Ratio columns: median of the per-run ratios (min-max);")
w("time rows compare times (below 1: faster than raw C), throughput rows rates (above 1: more than raw C).")
w("")
w("| Bench (32-byte messages) | raw C | ours | published 0.2.16 | ours / raw | published / raw | ours speed-up over published |")
w("|---|---:|---:|---:|---:|---:|---:|")
for name, parts in [("empty poll, ns per call", ("poll_empty",)),
                    ("back-pressured offer, ns per call", ("offer_back_pressured",)),
                    ("offer (no back pressure), ns per call", ("per_call_32B", "offer")),
                    ("try_claim + copy + commit, ns per call", ("per_call_32B", "try_claim"))]:
    r, s, p = per_run("raw", *parts), per_run("rust", *parts), per_run("peer", *parts)
    if any(r) and any(s):
        w(f"| {name} | {spread(r, '.2f')[0]} | {spread(s, '.2f')[0]} | {spread(p, '.2f')[0]} | {paired(s, r)} | "
          f"{paired(p, r)} | {paired(p, s)} |")
for kind in ["exclusive_offer", "exclusive_try_claim", "concurrent_offer", "concurrent_try_claim"]:
    r, s, p = [per_run(sd, "ipc_throughput_32B", kind) for sd in ["raw", "rust", "peer"]]
    if any(r) and any(s):
        tp = lambda v: 1e3 / v
        w(f"| IPC throughput {kind.replace('_', ' ')}, M msg/s | {spread(r, '.2f', tp)[0]} | {spread(s, '.2f', tp)[0]} | "
          f"{spread(p, '.2f', tp)[0]} | {paired(s, r, rate=True)} | {paired(p, r, rate=True)} | {paired(p, s)} |")


def latency(t, side):
    """Per counted run: the histogram of `side` (raw, rust: latency_T.json; peer: latency_T_peer.json)."""
    out = []
    for r in counted:
        f = f"latency_{t}_peer.json" if side == "peer" else f"latency_{t}.json"
        try:
            out.append(json.load(open(os.path.join(r, f)))[side])
        except (OSError, KeyError):
            out.append(None)
    return out


for t in ["ipc", "udp"]:
    hs = {sd: latency(t, sd) for sd in ["raw", "rust", "peer"]}
    if not any(hs["raw"]) or not any(hs["rust"]):
        continue
    count = next(h["count"] for h in hs["rust"] if h)
    for q, label in [("p50_ns", "p50"), ("p99_ns", "p99"), ("p999_ns", "p99.9"), ("max_ns", "max")]:
        v = {sd: [h[q] if h else None for h in hs[sd]] for sd in hs}
        w(f"| ping-pong {t.upper()} RTT {label} ({count} RTTs per run and side), ns | {spread(v['raw'], '.0f')[0]} | "
          f"{spread(v['rust'], '.0f')[0]} | {spread(v['peer'], '.0f')[0]} | {paired(v['rust'], v['raw'])} | "
          f"{paired(v['peer'], v['raw'])} | {paired(v['peer'], v['rust'])} |")
w("")
w("Ping-pong is reported as percentiles of 20,000 round trips per side and run (alternating blocks of 2,000),")
w("not as a mean: one stall of a descheduled thread moves a mean by milliseconds.")
w("")
w("Per-run values (criterion medians, ns per iteration; throughput rows: ns per message; * marked run):")
w("")
w("| bench | raw C | ours | published |")
w("|---|---|---|---|")
all_counted = counted
for parts in [("poll_empty",), ("offer_back_pressured",), ("per_call_32B", "offer"), ("per_call_32B", "try_claim")] + \
        [("ipc_throughput_32B", k) for k in ["exclusive_offer", "exclusive_try_claim", "concurrent_offer", "concurrent_try_claim"]]:
    cells = []
    for sd in ["raw", "rust", "peer"]:
        vals = []
        for r in runs:
            v = est(os.path.join(r, "criterion-peer" if sd == "peer" else "criterion"), parts + (sd,))
            vals.append(("n/a" if v is None else f"{v:.2f}") + ("*" if marked(r) else ""))
        cells.append(", ".join(vals))
    if any(not c.replace("*", "").replace(",", "").replace("n/a", "").strip() == "" for c in cells):
        w(f"| {'/'.join(parts)} | {cells[0]} | {cells[1]} | {cells[2]} |")
for t in ["ipc", "udp"]:
    for q in ["p50_ns", "p99_ns"]:
        cells = []
        for sd in ["raw", "rust", "peer"]:
            vals = []
            for r in runs:
                f = f"latency_{t}_peer.json" if sd == "peer" else f"latency_{t}.json"
                try:
                    v = f"{json.load(open(os.path.join(r, f)))[sd][q]}"
                except (OSError, KeyError, ValueError):
                    v = "n/a"
                vals.append(v + ("*" if marked(r) else ""))
            cells.append(", ".join(vals))
        if any(c.replace("*", "").replace(",", "").replace("n/a", "").strip() for c in cells):
            w(f"| ping_pong_{t} RTT {q[:-3]}, ns | {cells[0]} | {cells[1]} | {cells[2]} |")

try:
    a = json.load(open(os.path.join(res, "archive.json")))
except (OSError, ValueError):
    a = None
if a:
    names = a["clients"]
    label = {"rust": "ours", "raw": "raw C", "java": "Java"}
    w("")
    w(f"## Archive: {a['messages']:,} x {a['msg_len']} B per run, {len(names)} clients alternating in each round")
    w("")
    ld = a["load"]
    w(f"Median (min-max) of {a['rounds_used']} rounds of {a['runs']} (after {a['warmup']} warm-up rounds); "
      f"load (1-minute average) before/after the runs: min {ld['min']:.2f}, median {ld['median']:.2f}, max {ld['max']:.2f} "
      f"on {a['cores']} cores (the bench's own busy threads hold it near 3 on a quiet machine); "
      f"rounds with a marked run (other processes above {OTHERS_LIMIT} cores during its timed parts): {len(a['loaded_rounds'])}"
      + ("" if a["quiet"] else " (fewer than 3 rounds without one: ALL rounds counted, a loaded-machine result)") + ".")
    try:
        ab = [json.loads(l) for l in open(os.path.join(res, "archive-blocks.jsonl")) if l.strip()][-1]
        w(f"Other processes used {ab['others_cores']:.2f} cores on average during the archive bench "
          f"(load {ab['load_before']:.2f} -> {ab['load_after']:.2f}).")
    except (OSError, ValueError, IndexError):
        pass
    others = [r["others_cores"] for r in a["per_run"]]
    if others:
        w(f"Other processes during the timed parts, per run: median {statistics.median(others):.2f} cores, max {max(others):.2f}.")
    w("")
    w(f"| metric | {' | '.join(label.get(n, n) for n in names)} |")
    w("|---|" + "---:|" * len(names))
    for metric, m in a["metrics"].items():
        d = 2 if "msg/s" in metric else (1 if "ns/msg" in metric else 0)
        w(f"| {metric} | " + " | ".join(f"{m[n]['median']:.{d}f} ({m[n]['min']:.{d}f}-{m[n]['max']:.{d}f})" for n in names) + " |")
    if a.get("ratios"):
        pairs = []
        for k in a["ratios"]:
            if k.rsplit(" ", 1)[1] not in pairs:
                pairs.append(k.rsplit(" ", 1)[1])
        w("")
        w("| ours / other: median of per-round ratios (min-max) | " + " | ".join(f"ours / {label.get(p.split('/')[1], p)}" for p in pairs) + " |")
        w("|---|" + "---:|" * len(pairs))
        metrics = []
        for k in a["ratios"]:
            mname = k.rsplit(" ", 1)[0]
            if mname not in metrics:
                metrics.append(mname)
        for mname in metrics:
            cells = []
            for p in pairs:
                v = a["ratios"].get(f"{mname} {p}")
                cells.append(f"{v['median']:.3f} ({v['min']:.3f}-{v['max']:.3f})" if v else "n/a")
            w(f"| {mname} | " + " | ".join(cells) + " |")
try:
    w("")
    w(open(os.path.join(res, "instructions.md")).read().rstrip())
except OSError:
    pass
text = "\n".join(out) + "\n"
print(text)
open(os.path.join(res, "summary.md"), "w").write(text)
print("wrote", os.path.join(res, "summary.md"))
