#!/usr/bin/env bash
# Instructions per hot-path operation, counted by valgrind's callgrind (repeatable on a noisy
# machine: counts do not depend on load): raw C and our wrapper (benches/instructions.rs, one
# process), and the published rusteron-client from crates.io (benches/peer/src/instructions.rs,
# its own process and its own Aeron build), same operations, data and call pattern, against one
# aeronmd. Prints a table, also written to <target>/bench-results/instructions.{md,json}.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
source scripts/bench-lib.sh
if ! command -v valgrind >/dev/null; then
  say "valgrind not found (apt-get install -y valgrind); skipped"; exit 0
fi
res="$target/bench-results"
mkdir -p "$res"
bench_build instructions
ours=$(bench_bin instructions)
peer_cargo build -q --release --bin peer-instructions
peer_bin="$peer_target/release/peer-instructions"
trap stop_driver EXIT
start_driver backoff
ops=()
[ -n "${RUSTERON_INSTRUCTIONS_OPS:-}" ] && ops=(RUSTERON_INSTRUCTIONS_OPS="$RUSTERON_INSTRUCTIONS_OPS")
callgrind_counts "$ours" "$res/callgrind.instructions.out" "${ops[@]}" > "$res/instructions.counts"
callgrind_counts "$peer_bin" "$res/callgrind.peer.out" AERON_DIR="$RUSTERON_BENCH_AERON_DIR_BACKOFF" "${ops[@]}" >> "$res/instructions.counts"
stop_driver
python3 - "$res" <<'PY'
import json, os, sys
res = sys.argv[1]
per = {}
for line in open(os.path.join(res, "instructions.counts")):
    name, ir, calls = line.split()
    per[name] = int(ir) / int(calls)
rows = [
    "| operation | raw C | ours | published 0.2.16 | ours / raw | published / raw | ours / published |",
    "|---|---:|---:|---:|---:|---:|---:|",
]
out = {}
for op, label in [("offer", "exclusive offer (32 B)"), ("try_claim", "try_claim + copy + commit (32 B)"),
                  ("poll", "poll reading fragments (up to 10 per poll)"), ("poll_empty", "poll, nothing to read")]:
    r, w, p = per.get("raw_" + op), per.get("wrapper_" + op), per.get("peer_" + op)
    out[op] = {"raw": r, "ours": w, "peer": p}
    ps = f"{p:.1f}" if p else "n/a"
    pr = f"{p / r:.3f}" if p else "n/a"
    wp = f"{w / p:.3f}" if p else "n/a"
    rows.append(f"| {label} | {r:.1f} | {w:.1f} | {ps} | {w / r:.3f} ({w - r:+.1f}) | {pr} | {wp} |")
table = "Instructions per operation (callgrind, inclusive: C included)\n\n" + "\n".join(rows)
print(table)
open(os.path.join(res, "instructions.md"), "w").write(table + "\n")
json.dump(out, open(os.path.join(res, "instructions.json"), "w"), indent=1)
PY
