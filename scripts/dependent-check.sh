#!/usr/bin/env bash
# Builds examples/dependent (a crate outside this workspace that depends on rusteron-archive by
# path) in its own target folder and runs it in each linking configuration, three ways:
# `cargo run`, `cargo test`, and the binary started directly from another folder with no
# LD_LIBRARY_PATH. Configurations: default (dynamic), static, precompile (dynamic libraries from
# the archive), static+precompile. The precompiled archive is the one `just build-artifacts` makes.
# CONFIGS="default static" limits the run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
start=$SECONDS
target="${DEPENDENT_TARGET_DIR:-$target_dir/dependent}"
manifest="$root/examples/dependent/Cargo.toml"
exe_name=rusteron-dependent-example
configs=${CONFIGS:-"default static precompile static,precompile"}

archive=""
if [[ "$configs" == *precompile* ]]; then
  archive=$(bash scripts/build-artifacts.sh | tail -1)
  [ -f "$archive" ] || die "build-artifacts produced no archive"
fi

elsewhere=$(mktemp -d "${TMPDIR:-/tmp}/rusteron-dependent.XXXXXX")
trap 'rm -rf "$elsewhere"' EXIT
for config in $configs; do
  t0=$SECONDS
  features=()
  [ "$config" = default ] || features=(--features "$config")
  envs=(env -u LD_LIBRARY_PATH CARGO_TARGET_DIR="$target")
  [[ "$config" == *precompile* ]] && envs+=(RUSTERON_PRECOMPILED="$archive")
  say "[$config] cargo run"
  "${envs[@]}" cargo run -q --manifest-path "$manifest" "${features[@]}"
  say "[$config] cargo test"
  "${envs[@]}" cargo test -q --manifest-path "$manifest" "${features[@]}" 2>&1 | grep -E 'test result|FAILED|panicked' 
  exe="$target/debug/$exe_name"
  say "[$config] $exe, run directly from $elsewhere without LD_LIBRARY_PATH"
  (cd "$elsewhere" && env -u LD_LIBRARY_PATH "$exe")
  aeron_libs=$(ldd "$exe" | grep libaeron || true)
  if [[ "$config" == static* ]]; then
    [ -z "$aeron_libs" ] || die "[$config] the static binary loads: $aeron_libs"
    say "[$config] ldd: no Aeron shared library"
  else
    echo "$aeron_libs" | grep -q 'libaeron.so => /' || die "[$config] libaeron.so unresolved: $aeron_libs"
    if echo "$aeron_libs" | grep -q 'not found'; then die "[$config] ldd: $aeron_libs"; fi
    say "[$config] ldd: $(echo "$aeron_libs" | sed 's/(0x[0-9a-f]*)//' | tr -s ' \t\n' ' ')"
  fi
  say "[$config] ok in $((SECONDS - t0))s"
done
say "ok in $((SECONDS - start))s ($configs)"
