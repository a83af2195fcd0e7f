#!/usr/bin/env bash
# Instructions per hot-path operation, wrapper vs raw C, counted by valgrind's callgrind (repeatable
# on a noisy machine: counts do not depend on load). Builds and runs benches/instructions.rs under
# callgrind and prints a table (also written to <target>/bench-results/instructions.md).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
if ! command -v valgrind >/dev/null; then
  echo "bench-instructions: valgrind not found (apt-get install -y valgrind); skipped"; exit 0
fi
cargo bench -p rusteron-archive --bench instructions --no-run -q 2>/dev/null
bin=$(ls -t "$target"/release/deps/instructions-* | grep -v '\.d$' | head -n 1)
out="$target/bench-results/callgrind.instructions.out"
mkdir -p "$target/bench-results"
log=$(valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" --bench 2>/dev/null)
echo "$log"
callgrind_annotate --inclusive=yes "$out" 2>/dev/null > "$out.txt"
python3 - "$out.txt" "$target/bench-results/instructions.md" <<PY
import re, sys
text = open(sys.argv[1]).read()
calls = {}
for line in """$log""".splitlines():
    if line.startswith("calls "):
        parts = line.split()[1:]
        for name, n in zip(parts[0::2], parts[1::2]):
            calls[name] = int(n)
ir = {}
for m in re.finditer(r"^\s*([\d,]+) \([^)]*\)\s+\S*instructions::(\w+) \[", text, re.M):
    ir[m.group(2)] = int(m.group(1).replace(",", ""))
rows = ["| operation | raw C, instructions/op | Rust wrapper, instructions/op | wrapper - raw |", "|---|---:|---:|---:|"]
for op, label in [("offer", "exclusive offer (32 B)"), ("try_claim", "try_claim + copy + commit (32 B)"), ("poll", "poll (mix: 20,000 empty, 4,000 with 10 fragments)")]:
    w = ir["wrapper_" + op] / calls["wrapper_" + op]
    r = ir["raw_" + op] / calls["raw_" + op]
    rows.append(f"| {label} | {r:.1f} | {w:.1f} | {w - r:+.1f} ({w / r:.3f}x) |")
table = "\n".join(rows)
print(table)
open(sys.argv[2], "w").write(table + "\n")
PY
