# Sourced by scripts/bench.sh, bench-archive.sh, bench-instructions.sh and bench-guard.sh; it
# sources scripts/lib.sh (say, die, cargo_sys_json).
source scripts/lib.sh
# Expects to run from the repository root with $target set (CARGO_TARGET_DIR or ./target).
#
# Our benches are built with `--features static` (Aeron linked in, no PLT hop), as the published
# crate's peer bench is (its `static` feature): both sides call Aeron's C code the same way.

BENCH_FEATURES=(--features static)
peer_target="$target/peer"
peer_manifest="benches/peer/Cargo.toml"

# bench_build BENCH...: builds our bench binaries (static, bench profile) and sets $aeronmd to the
# media driver the sys crate built alongside them.
bench_build() {
  local args=() b
  for b in "$@"; do args+=(--bench "$b"); done
  cargo_sys_json bench -p rusteron-archive "${BENCH_FEATURES[@]}" "${args[@]}" --no-run
  aeronmd=$(sys_env RUSTERON_AERONMD_PATH)
  [ -x "$aeronmd" ] || { echo "bench: no aeronmd found in the sys crate's build output" >&2; return 1; }
}

# bench_bin NAME: the newest bench binary NAME-<hash> in our target dir.
bench_bin() {
  ls -t "$target"/release/deps/"$1"-* | grep -v '\.d$' | head -n 1
}

# peer_cargo ARGS...: cargo in the peer project (benches/peer: the published rusteron-client from
# crates.io, built with its own copy of Aeron 1.54.0 from the sources the crate ships).
#
# The published crate's build script needs cmake >= 3.30 (ours from .cache/cmake-venv when the
# system one is older) and always links `-lbsd` on Linux (and `-latomic` with `static`): this
# machine has the runtime libraries (libbsd.so.0, libatomic.so.1) but not the -dev symlinks, so
# $peer_target/syslibs holds `libbsd.so` and `libatomic.so` symlinks to them, passed with `-L`.
# Nothing is downloaded from GitHub: the crate ships Aeron's sources (aeron/, version 1.54.0) and
# builds them with cmake (its default `build-from-source`; no `precompile` feature).
#
# Its C is built for the CPU the crate's build script is told: by default `-march=native`, which
# on a CPU with AVX-512 emits instructions valgrind 3.19 (Debian 12) cannot decode, so
# `just bench-instructions` died with "Illegal instruction" on such machines. The build script
# reads RUSTERON_C_MARCH (rusteron-code-gen 0.2.16, c_build::release_c_flags) for the -march it
# uses: we set baseline x86-64 (RUSTERON_PEER_C_MARCH overrides), so the peer runs under
# valgrind everywhere and its C is built for the same generic target as ours.
peer_cargo() {
  local libdir="$peer_target/syslibs" l
  mkdir -p "$libdir"
  for l in bsd.so.0 atomic.so.1; do
    local real
    real=$(ldconfig -p | grep -o "/[^ ]*/lib$l\$" | head -n 1 || true)
    [ -n "$real" ] && ln -sfn "$real" "$libdir/lib${l%%.so*}.so"
  done
  local path="$PATH"
  [ -x "$PWD/.cache/cmake-venv/bin/cmake" ] && path="$PWD/.cache/cmake-venv/bin:$PATH"
  local march="${RUSTERON_PEER_C_MARCH:-}"
  [ -z "$march" ] && [ "$(uname -m)" = x86_64 ] && march=x86-64
  PATH="$path" CARGO_TARGET_DIR="$peer_target" RUSTFLAGS="-L native=$libdir" RUSTERON_C_MARCH="$march" \
    cargo "$1" --manifest-path "$peer_manifest" "${@:2}"
}

# start_driver IDLE: starts $aeronmd with benches/driver.env and AERON_SHARED_IDLE_STRATEGY=IDLE
# on a fresh directory, waits for its CnC file, exports RUSTERON_BENCH_AERON_DIR_<IDLE>.
start_driver() {
  local idle="$1" var dir
  var="RUSTERON_BENCH_AERON_DIR_$(echo "$idle" | tr '[:lower:]' '[:upper:]')"
  dir="/dev/shm/rusteron-bench-$idle-$$"
  env $(grep -v '^#' benches/driver.env | grep = | xargs) AERON_SHARED_IDLE_STRATEGY="$idle" \
    AERON_DIR="$dir" AERON_DIR_DELETE_ON_START=1 AERON_DIR_DELETE_ON_SHUTDOWN=1 "$aeronmd" >/dev/null 2>&1 &
  driver_pid=$!
  for _ in $(seq 1 100); do
    [ -s "$dir/cnc.dat" ] && break
    sleep 0.1
  done
  [ -s "$dir/cnc.dat" ] || { echo "bench: aeronmd did not start" >&2; return 1; }
  export "$var=$dir"
  driver_var="$var"
}

stop_driver() {
  if [ -n "${driver_pid:-}" ]; then
    kill "$driver_pid" 2>/dev/null || true
    wait "$driver_pid" 2>/dev/null || true
    driver_pid=""
  fi
  [ -n "${driver_var:-}" ] && unset "$driver_var"
  driver_var=""
}

# callgrind_counts BIN OUT [ENV=VALUE...]: runs BIN under callgrind and prints, per function of
# the instruction bench, "name instructions calls": the inclusive instructions (C included) of the
# calls to it, from callgrind_annotate's call lines ("=> file:crate::name (Nx)"). Those count the
# whole call; a function's own lines are split by the source file of inlined code.
callgrind_counts() {
  local bin="$1" out="$2"
  shift 2
  env "$@" valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" --bench >/dev/null 2>&1
  callgrind_annotate --inclusive=yes --tree=calling --threshold=100 "$out" 2>/dev/null > "$out.txt"
  python3 - "$out.txt" <<'PY'
import re, sys
ir, calls = {}, {}
for m in re.finditer(r"^\s*([\d,]+) \([^)]*\)\s+=> \S*?instructions::(\w+) \(([\d,]+)x\)", open(sys.argv[1]).read(), re.M):
    name = m.group(2)
    ir[name] = ir.get(name, 0) + int(m.group(1).replace(",", ""))
    calls[name] = calls.get(name, 0) + int(m.group(3).replace(",", ""))
for name in sorted(ir):
    print(name, ir[name], calls[name])
PY
}
