#!/usr/bin/env bash
# Type-checks the safe crates (rusteron-client, rusteron-archive) against the bindings.rs of each
# macOS archive (arguments: triples, default aarch64-apple-darwin x86_64-apple-darwin). There is no
# Rust standard library for Darwin here, so this is `cargo check` for the host with the features
# `static,precompile` and a host archive whose bindings.rs is replaced by the macOS one (MANIFEST
# recomputed); nothing is linked. It finds uses of Linux-only bindgen items (glibc's pthread
# internals, for example) that would break the build on a Mac; it cannot see `cfg(target_os)` code.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
triples=("$@")
[ ${#triples[@]} -gt 0 ] || triples=(aarch64-apple-darwin x86_64-apple-darwin)
host=$(host_triple)
host_archive="$target_dir/artifacts/rusteron-aeron-$AERON_VERSION-$host.tar.gz"
[ -f "$host_archive" ] || die "no $host_archive: run scripts/build-artifacts.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rusteron-macos-rust.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failed=0
for triple in "${triples[@]}"; do
  archive="$target_dir/artifacts/rusteron-aeron-$AERON_VERSION-$triple.tar.gz"
  [ -f "$archive" ] || die "no $archive: run scripts/build-artifacts-cross.sh $triple"
  rm -rf "$tmp/host" && mkdir -p "$tmp/host"
  tar -xzf "$host_archive" -C "$tmp/host"
  a="$tmp/host/rusteron-aeron-$AERON_VERSION-$host"
  tar -xzf "$archive" -O "rusteron-aeron-$AERON_VERSION-$triple/bindings.rs" > "$a/bindings.rs"
  (cd "$a" && find . -type f ! -name MANIFEST | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum > "$tmp/MANIFEST" && mv "$tmp/MANIFEST" MANIFEST)
  say "$triple: cargo check -p rusteron-client -p rusteron-archive --features static,precompile with its bindings.rs"
  if RUSTERON_PRECOMPILED="$a" CARGO_TARGET_DIR="$target_dir/macos-bindings-check" \
    cargo check -q -p rusteron-client -p rusteron-archive --all-targets --features static,precompile 2> "$tmp/check.log"; then
    echo "  ok   $triple: the safe crates type-check against the macOS bindings"
  else
    mkdir -p "$target_dir/macos-bindings-check" && cp "$tmp/check.log" "$target_dir/macos-bindings-check/$triple.log"
    grep -E '^error' "$tmp/check.log" | sort | uniq -c | sed 's/^/    /'
    echo "  FAIL $triple: the safe crates do not type-check against the macOS bindings (log: $target_dir/macos-bindings-check/$triple.log)"
    failed=$((failed + 1))
  fi
done
say "$(( ${#triples[@]} - failed )) passed, $failed failed"
[ "$failed" = 0 ]
