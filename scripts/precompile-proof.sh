#!/usr/bin/env bash
# Proves the `precompile` feature: builds the artifact archive, copies the workspace (tracked and
# untracked-but-not-ignored files: no .cache, no target) into a temp dir and there runs the sys and
# client tests with `--features static,precompile` in an environment where cmake, java, mvn,
# python and libclang cannot be found: PATH is a folder of symlinks to the few tools a Rust build
# needs, LIBCLANG_PATH points nowhere, JAVA_HOME and the Aeron source variables are unset.
# With strace available, the sys crate's build is traced and must not open libclang nor start
# cmake, java or mvn.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
start=$SECONDS
proof_target="${PRECOMPILE_PROOF_TARGET_DIR:-$target_dir/precompile-proof}"

# 1. The archive (reuses the normal build; a no-op when nothing changed).
archive=$(bash scripts/build-artifacts.sh | tail -1)
[ -f "$archive" ] || die "build-artifacts produced no archive"
say "archive $archive"

# 2. A clean copy of the workspace.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rusteron-precompile-proof.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ws="$tmp/ws"
mkdir -p "$ws"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -f "$f" ] && printf '%s\0' "$f"
done | tar --null -T - -cf - | tar -xf - -C "$ws"
if [ -e "$ws/.cache" ] || ls -d "$ws"/target* >/dev/null 2>&1; then die "the copy holds .cache or target"; fi

# 3. A PATH without cmake, java, mvn, python, clang: only symlinks to what cargo and cc need.
bin="$tmp/bin"
mkdir -p "$bin"
sysroot=$(rustc --print sysroot)
for t in cargo rustc rustdoc; do ln -s "$sysroot/bin/$t" "$bin/$t"; done
for t in cc gcc ld as ar nm readelf tar gzip sh bash env ldd sed grep cat uname ls mkdir rm cp mv ln readlink dirname basename tr cut head tail sort; do
  p=$(command -v "$t" || true)
  if [ -n "$p" ]; then ln -s "$(readlink -f "$p")" "$bin/$t"; fi
done
run_clean() {
  env -i HOME="$HOME" USER="${USER:-root}" TERM="${TERM:-dumb}" PATH="$bin" \
    CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" CARGO_TARGET_DIR="$proof_target" \
    LIBCLANG_PATH=/nonexistent/libclang CLANG_PATH=/nonexistent/clang LLVM_CONFIG_PATH=/nonexistent/llvm-config \
    RUSTERON_PRECOMPILED="$archive" RUSTERON_PRECOMPILED_SHA256="${RUSTERON_PRECOMPILED_SHA256:-}" \
    TMPDIR="${TMPDIR:-/tmp}" "$@"
}
for t in cmake java mvn python3 python llvm-config clang; do
  if run_clean bash -c "command -v $t" >/dev/null 2>&1; then die "$t is still reachable"; fi
done
say "cmake, java, mvn, python, llvm-config and clang are unreachable; LIBCLANG_PATH=/nonexistent/libclang"

# 4. The archive file against a sha256 pinned outside it: a wrong one is refused naming the file,
#    the expected and the actual hash; the release download (RUSTERON_PRECOMPILED unset) of a
#    target versions.env pins nothing for is refused before any download. The builds below then
#    run with the right hash set, so the accepted path is the checked one.
cd "$ws"
actual=$(sha256 "$archive" | cut -d' ' -f1)
wrong=$(printf '%064d' 0)
if run_clean env RUSTERON_PRECOMPILED_SHA256="$wrong" cargo build -q -p rusteron-archive-sys --features static,precompile \
  > "$tmp/wrong-sha.log" 2>&1; then
  die "a wrong RUSTERON_PRECOMPILED_SHA256 was accepted"
fi
grep -qF "precompiled archive $archive: sha256 mismatch: expected $wrong (RUSTERON_PRECOMPILED_SHA256), actual $actual" \
  "$tmp/wrong-sha.log" || { cat "$tmp/wrong-sha.log"; die "no clear error for a wrong sha256 (above)"; }
say "a wrong sha256 is refused: expected $wrong, actual $actual"
if ! grep -q "^PRECOMPILED_SHA256=.*$(host_triple):" rusteron-archive-sys/versions.env; then
  if run_clean env -u RUSTERON_PRECOMPILED cargo build -q -p rusteron-archive-sys --features static,precompile \
    > "$tmp/no-pin.log" 2>&1; then
    die "the release archive was used without a pinned sha256"
  fi
  grep -q "is pinned for target $(host_triple) (PRECOMPILED_SHA256 in versions.env" "$tmp/no-pin.log" ||
    { cat "$tmp/no-pin.log"; die "no clear error for an unpinned release archive (above)"; }
  say "the release download is refused while versions.env pins no sha256 for $(host_triple)"
fi
export RUSTERON_PRECOMPILED_SHA256=$actual

# 5. Build and test the sys crate (traced when strace exists), then the client crate.
if command -v strace >/dev/null; then
  trace="$tmp/strace.log"
  run_clean "$(command -v strace)" -f -qq -e trace=execve,openat -o "$trace" \
    cargo test -q -p rusteron-archive-sys --features static,precompile --no-run
  if grep -E 'libclang(-[0-9.]+)?\.(so|dylib)|execve\("[^"]*/(cmake|java|mvn|python3?)"' "$trace" | head -5 | grep .; then
    die "the precompile build used libclang, cmake, java or mvn (above)"
  fi
  say "strace: the build opened no libclang and started no cmake/java/mvn"
fi
run_clean cargo test -q -p rusteron-archive-sys --features static,precompile
say "rusteron-archive-sys tests passed with static,precompile"
# The client's coverage test reads aeronc.h from AERON_SOURCE_DIR; give it the archive's headers
# laid out like a source tree (headers only: no CMakeLists, nothing the build could use).
mkdir -p "$tmp/unpacked" "$tmp/headers/aeron-client/src/main"
tar -xzf "$archive" -C "$tmp/unpacked"
ln -s "$(ls -d "$tmp"/unpacked/*/include)" "$tmp/headers/aeron-client/src/main/c"
run_clean env AERON_SOURCE_DIR="$tmp/headers" cargo test -q -p rusteron-client --features static,precompile
say "rusteron-client tests passed with static,precompile"
say "ok in $((SECONDS - start))s"
