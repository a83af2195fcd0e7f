# Sourced by every script in scripts/ (`source scripts/lib.sh` from the repository root, or
# `source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"`): what they all need, defined once.
#
#   say MSG / die MSG     a line prefixed with the script's name (die: on stderr, then exit 1);
#                         SAY_FD=2 sends `say` to stderr (a script whose stdout is its result)
#   root, target_dir, cache, and every NAME=value of rusteron-archive-sys/versions.env
#   host_triple           rustc's host triple
#   runner_var            the name of cargo's target runner variable for the host
#                         (CARGO_TARGET_<TRIPLE>_RUNNER)
#   sha256 FILE...        sha256sum, or `shasum -a 256` where there is none (macOS)
#   sys_build ARGS...     cargo build of the sys crate, reading its build script's output from
#                         cargo's JSON; then sys_out_dir, `sys_env NAME`, sys_script
#   cargo_sys_json ARGS...  the same for any cargo command (`cargo_sys_json bench ... --no-run`)
#   path_without DIR NAME...  DIR of symlinks to every command on PATH except the NAMEs
# Sets no shell options: the sourcing script chooses them.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target_dir="${CARGO_TARGET_DIR:-$root/target}"
cache="${RUSTERON_CACHE_DIR:-$root/.cache}"
script_name=$(basename "$0" .sh)
source <(grep -E '^[A-Z_]+=' "$root/rusteron-archive-sys/versions.env")

say() { echo "$script_name: $*" >&"${SAY_FD:-1}"; }
die() {
  echo "$script_name: $*" >&2
  exit 1
}

host_triple() { rustc -vV | sed -n 's/^host: //p'; }
runner_var() { echo "CARGO_TARGET_$(host_triple | tr 'a-z-' 'A-Z_')_RUNNER"; }

sha256() { if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }

# cargo_sys_json ARGS...: runs `cargo ARGS --message-format=json` and keeps, from cargo's JSON,
# the message of rusteron-archive-sys's build script (sys_line: its out_dir and the
# cargo:rustc-env values it printed) and the path of the build script's binary (sys_script).
cargo_sys_json() {
  local json
  json=$(cargo "$@" --message-format=json) || return 1
  sys_line=$(grep '"reason":"build-script-executed"' <<<"$json" | grep 'rusteron-archive-sys' | tail -1 || true)
  sys_script=$(grep '"reason":"compiler-artifact"' <<<"$json" | grep '"custom-build"' | grep 'rusteron-archive-sys' |
    grep -o '"filenames":\["[^"]*"' | sed 's/^"filenames":\["//; s/"$//' | tail -1 || true)
  [ -n "$sys_line" ] || { echo "no build-script output for rusteron-archive-sys in cargo $*" >&2; return 1; }
}
sys_build() { cargo_sys_json build -q -p rusteron-archive-sys "$@"; }
sys_out_dir() { echo "$sys_line" | grep -o '"out_dir":"[^"]*"' | sed 's/^"out_dir":"//; s/"$//'; }
sys_env() { echo "$sys_line" | grep -o "\"$1\",\"[^\"]*\"" | sed 's/^[^,]*,"//; s/"$//'; }

path_without() {
  local dir=$1 t p x skip
  shift
  mkdir -p "$dir"
  for t in $(compgen -c | sort -u); do
    skip=""
    for x in "$@"; do [ "$t" = "$x" ] && skip=1; done
    [ -n "$skip" ] && continue
    p=$(command -v "$t" 2>/dev/null || true)
    case "$p" in /*) [ -e "$dir/$t" ] || ln -s "$p" "$dir/$t" ;; esac
  done
}
