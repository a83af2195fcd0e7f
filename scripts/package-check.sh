#!/usr/bin/env bash
# Proves the packages work on their own (`just package-check`):
#  1. scripts/package.sh: `cargo package --workspace` (verification build without java/mvn);
#  2. a scratch crate outside this repository uses the three .crate files through [patch] with a
#     fresh CARGO_HOME; `cargo vendor` fetches its other dependencies once;
#  3. offline (CARGO_NET_OFFLINE, vendored sources) with no java, mvn or network: build, run the
#     testing driver round trip (examples/dependent's main.rs), then `--release` must not build
#     Aeron again;
#  4. `DOCS_RS=1 cargo doc` of the three crates, offline, with no cmake and no libclang.
# Prints each .crate's size and the time of each step.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
start=$SECONDS
step() { say "$1 ($((SECONDS - t0))s)"; t0=$SECONDS; }
t0=$SECONDS
crates=$(bash scripts/package.sh | tail -1)
step "cargo package --workspace done"
for c in "$crates"/*.crate; do say "$(basename "$c"): $(du -k "$c" | cut -f1) KiB ($(stat -c %s "$c") bytes)"; done

check="$target_dir/package-check"
rm -rf "$check"
mkdir -p "$check/crates" "$check/app/src" "$check/app/.cargo"
for c in "$crates"/*.crate; do tar -xzf "$c" -C "$check/crates"; done
v=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
cat > "$check/app/Cargo.toml" <<TOML
[package]
name = "rusteron-package-check"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[features]
static = ["rusteron-archive/static"]
precompile = ["rusteron-archive/precompile"]

[dependencies]
rusteron-archive = "=$v"

# The .crate files as they would come from a registry (the names rusteron-client and
# rusteron-archive belong to another project on crates.io, so they are patched, not published).
[patch.crates-io]
rusteron-archive = { path = "../crates/rusteron-archive-$v" }
rusteron-client = { path = "../crates/rusteron-client-$v" }
rusteron-archive-sys = { path = "../crates/rusteron-archive-sys-$v" }
TOML
cp examples/dependent/src/main.rs "$check/app/src/main.rs"

export CARGO_HOME="$check/cargo-home"
cd "$check/app"
cargo vendor -q "$check/vendor" > .cargo/config.toml
step "cargo vendor with a fresh CARGO_HOME: $(ls "$check/vendor" | wc -l) crates"

# A PATH without java, mvn (and, for the docs, without cmake and clang).
path_without "$check/bin-nojava" java javac mvn jshell jar
cmake_bin=$(command -v cmake || true)
[ -x "$root/.cache/cmake-venv/bin/cmake" ] && cmake_bin="$root/.cache/cmake-venv/bin/cmake"
offline=(env -u JAVA_HOME -u RUSTERON_CACHE_DIR -u AERON_SOURCE_DIR CARGO_NET_OFFLINE=true
  CARGO_TARGET_DIR="$check/app/target" CMAKE="$cmake_bin" PATH="$check/bin-nojava"
  http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9)
"${offline[@]}" cargo build -q --offline
step "offline debug build from the packages (no java, no mvn, proxies pointing nowhere)"
"${offline[@]}" cargo run -q --offline
step "testing driver round trip"
build_log=$(ls "$check"/app/target/aeron-build/*/rusteron-build.log)
[ "$(echo "$build_log" | wc -l)" = 1 ] || die "expected one Aeron build folder: $build_log"
"${offline[@]}" cargo build -q --offline --release
# The two stub steps (Gradle's jar and codec rules, `cmake -E true`) always run; no C file may compile.
if grep -E 'Building C|Linking C' "$build_log"; then die "the release build rebuilt Aeron (above)"; fi
step "release build after the debug build: Aeron not rebuilt (CMake log: $(grep -c '^\[' "$build_log") steps, none compiling)"

path_without "$check/bin-docs" java javac mvn jshell jar cmake ctest cpack clang clang-14 llvm-config llvm-config-14
for t in cmake java mvn clang llvm-config; do
  if PATH="$check/bin-docs" command -v "$t" >/dev/null 2>&1; then die "$t is still reachable for the docs build"; fi
done
env -u JAVA_HOME -u CMAKE DOCS_RS=1 CARGO_NET_OFFLINE=true CARGO_TARGET_DIR="$check/docs-target" \
  PATH="$check/bin-docs" LIBCLANG_PATH=/nonexistent/libclang \
  cargo doc -q --offline --no-deps -p rusteron-archive-sys -p rusteron-client -p rusteron-archive
for c in rusteron_archive_sys rusteron_client rusteron_archive; do
  [ -f "$check/docs-target/doc/$c/index.html" ] || die "no docs for $c"
done
step "DOCS_RS=1 cargo doc of the three crates, offline, without cmake, java or libclang"
say "ok in $((SECONDS - start))s"
