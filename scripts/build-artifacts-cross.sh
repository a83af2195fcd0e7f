#!/usr/bin/env bash
# Builds the precompiled Aeron archives for macOS on this Linux machine, with zig's C compiler (the
# `ziglang` package from PyPI, installed into <cache>/zig-venv by this script):
#   <target dir>/artifacts/rusteron-aeron-<AERON_VERSION>-<triple>.tar.gz
# for each triple given (default: aarch64-apple-darwin x86_64-apple-darwin), in the layout that
# scripts/build-artifacts.sh gives the host's archive and rusteron-archive-sys/build/precompile.rs
# checks: VERSION, TARGET, MANIFEST, NEEDS, bindings.rs (bindgen for that triple), lib/ (the dylibs
# with @rpath install names and the static archives), bin/aeronmd (rpath @loader_path/../lib),
# include/, LICENSE-aeron.
#
# How: Aeron's CMake project, configured with the options of rusteron-archive-sys's build script
# (read from build/cmake_build.rs) for CMAKE_SYSTEM_NAME=Darwin, compiled by `zig cc -target
# <arch>-macos.<min>`, the same minimum macOS as rustc's targets (11.0 for arm64, 10.12 for x86_64).
# scripts/darwin-cross/project-include.cmake turns rpaths on (CMake cannot ask sw_vers here), and
# CMAKE_FIND_ROOT_PATH is an empty folder, so nothing of the Linux host (libbsd, libuuid) is found.
# The archive codecs are the ones the host build generated; the bindings come from
# scripts/cross-bindgen, which uses the sys crate's bindgen options, parsing for the Darwin triple
# against zig's macOS libc headers. Needs what `just setup` installs plus python3 (venv, pip).
# Checked by scripts/check-macos-artifacts.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
# zig from PyPI, pinned: a new zig can change the code or the minimum-version stamps.
ZIGLANG_VERSION=0.17.1
out="$target_dir/artifacts"
start=$SECONDS

triples=("$@")
[ ${#triples[@]} -gt 0 ] || triples=(aarch64-apple-darwin x86_64-apple-darwin)
for t in "${triples[@]}"; do
  case "$t" in
    aarch64-apple-darwin | x86_64-apple-darwin) ;;
    *) die "unsupported target $t (this script cross-builds aarch64-apple-darwin and x86_64-apple-darwin; build-artifacts.sh makes the host's archive)" ;;
  esac
done

# 1. zig, from PyPI into a virtualenv (Debian's pip refuses system-wide installs, PEP 668).
venv="$cache/zig-venv"
zig_version() { "$venv/bin/python" -m ziglang version 2>/dev/null || true; }
if [ "$(zig_version)" != "$ZIGLANG_VERSION" ]; then
  say "pip install ziglang==$ZIGLANG_VERSION into $venv"
  if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    command -v apt-get >/dev/null || die "python3 with its venv module is needed: install it"
    sudo=""; [ "$(id -u)" != 0 ] && command -v sudo >/dev/null && sudo=sudo
    say "apt-get install python3-venv"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q "ziglang==$ZIGLANG_VERSION"
  [ "$(zig_version)" = "$ZIGLANG_VERSION" ] || die "zig in $venv is not $ZIGLANG_VERSION"
fi
zig_dir=$("$venv/bin/python" -c 'import os, ziglang; print(os.path.dirname(ziglang.__file__))')
zig="$zig_dir/zig"
darwin_headers="$zig_dir/lib/libc/include/any-darwin-any"
[ -x "$zig" ] && [ -d "$darwin_headers" ] || die "no zig or no Darwin libc headers in $zig_dir"
say "zig $ZIGLANG_VERSION: $zig"

# 2. The host's source build: its Aeron tree, generated codecs and tools (cmake, ninja, java).
say "cargo build -p rusteron-archive-sys (host: the Aeron tree and the archive codecs)"
sys_build
host_build=$(sys_env RUSTERON_AERON_CMAKE_DIR)
# The tree the host build compiled: the Aeron sources with our patches applied (build/patches.rs).
src=$(sys_env RUSTERON_AERON_PATCHED_DIR)
[ -z "$AERON_PATCHES" ] || [ -f "$src/.rusteron-patched" ] || die "'$src' is not the patched Aeron tree of the sys build"
[ -f "$host_build/CMakeCache.txt" ] || die "no host CMake build in '$host_build'"
[ "$(cat "$src/version.txt")" = "$AERON_VERSION" ] || die "$src is not Aeron $AERON_VERSION"
codecs="$host_build/generated/c/aeron_archive_client"
[ -f "$codecs/controlResponse.h" ] || die "no generated archive codecs in $codecs"
cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$host_build/CMakeCache.txt" | head -1; }
cmake=$(cache_value CMAKE_COMMAND)
generator=$(cache_value CMAKE_GENERATOR)
make_program=$(cache_value CMAKE_MAKE_PROGRAM)
java=$(cache_value Java_JAVA_EXECUTABLE)
gradle_stub="$cmake;-E;true"

# The configure options of the sys crate's build script (build/cmake_build.rs, configure_options()).
mapfile -t options < <(sed -n '/pub fn configure_options/,/^}/p' rusteron-archive-sys/build/cmake_build.rs |
  grep -o '"-D[^"]*"' | tr -d '"')
printf '%s\n' "${options[@]}" | grep -qx -- '-DCMAKE_BUILD_TYPE=Release' &&
  printf '%s\n' "${options[@]}" | grep -qx -- '-DLIBBSD_EXISTS=' ||
  die "cannot read configure_options() from rusteron-archive-sys/build/cmake_build.rs"

# bindgen for another triple: scripts/cross-bindgen (the sys crate's bindgen options).
say "cargo build scripts/cross-bindgen"
(cd scripts/cross-bindgen && CARGO_TARGET_DIR="$target_dir/cross-bindgen" cargo build -q --release --locked)
cross_bindgen="$target_dir/cross-bindgen/release/rusteron-cross-bindgen"
# libclang: the one bindgen loads (LIBCLANG_PATH, else llvm-config's, else the newest LLVM), with
# its own resource folder (stddef.h, stdbool.h) for -resource-dir.
libclang_dir=${LIBCLANG_PATH:-}
[ -f "$libclang_dir" ] && libclang_dir=$(dirname "$libclang_dir")
[ -n "$libclang_dir" ] || libclang_dir=$(llvm-config --libdir 2>/dev/null || true)
[ -n "$libclang_dir" ] || libclang_dir=$(ls -d /usr/lib/llvm-*/lib 2>/dev/null | sort -t- -k2 -V | tail -1)
resource_dir=$(ls -d "$libclang_dir"/clang/* 2>/dev/null | sort -V | tail -1)
[ -f "$resource_dir/include/stddef.h" ] || die "no clang resource headers under $libclang_dir/clang (set LIBCLANG_PATH)"

copy_headers() { # from to
  (cd "$1" && find . -name '*.h' | tar -cf - -T -) | (cd "$2" && tar -xf -)
}

build_one() { # triple
  local triple=$1 arch zig_target clang_target min_macos
  case "$triple" in
    aarch64-apple-darwin) arch=arm64; zig_target=aarch64-macos.11.0; clang_target=arm64-apple-macosx11.0; min_macos=11.0 ;;
    x86_64-apple-darwin) arch=x86_64; zig_target=x86_64-macos.10.12; clang_target=x86_64-apple-macosx10.12; min_macos=10.12 ;;
  esac
  local t0=$SECONDS
  local work="$target_dir/aeron-cross/$AERON_VERSION-$triple"
  local build="$work/build" tools="$work/tools" empty="$work/empty-root"
  mkdir -p "$tools" "$empty"
  # zig's subcommands behind one-program wrappers, which is what CMake expects of a compiler/ar.
  local zig_env="ZIG_GLOBAL_CACHE_DIR='$target_dir/aeron-cross/zig-cache' ZIG_LOCAL_CACHE_DIR='$target_dir/aeron-cross/zig-cache'"
  printf '#!/bin/sh\n%s exec "%s" cc -target %s "$@"\n' "$zig_env" "$zig" "$zig_target" > "$tools/cc"
  # Aeron's project() enables C++ although every target built here is C: -nostdlib++ spares zig
  # compiling libc++ for CMake's compiler checks.
  printf '#!/bin/sh\n%s exec "%s" c++ -target %s -nostdlib++ "$@"\n' "$zig_env" "$zig" "$zig_target" > "$tools/c++"
  # Darwin's ar format (BSD names, __.SYMDEF index), which Apple's linker reads.
  printf '#!/bin/sh\nexec "%s" ar --format=darwin "$@"\n' "$zig" > "$tools/ar"
  printf '#!/bin/sh\nexec "%s" ranlib "$@"\n' "$zig" > "$tools/ranlib"
  chmod +x "$tools"/*

  local cfg=(-S "$src" -B "$build" -G "$generator")
  [ -n "$make_program" ] && cfg+=("-DCMAKE_MAKE_PROGRAM=$make_program")
  cfg+=(
    -DCMAKE_SYSTEM_NAME=Darwin "-DCMAKE_SYSTEM_PROCESSOR=$arch" "-DCMAKE_SYSTEM_VERSION=$min_macos"
    "-DCMAKE_C_COMPILER=$tools/cc" "-DCMAKE_CXX_COMPILER=$tools/c++"
    "-DCMAKE_AR=$tools/ar" "-DCMAKE_RANLIB=$tools/ranlib"
    -DCMAKE_OSX_SYSROOT= -DCMAKE_OSX_ARCHITECTURES= -DCMAKE_OSX_DEPLOYMENT_TARGET=
    "-DCMAKE_FIND_ROOT_PATH=$empty" -DCMAKE_FIND_ROOT_PATH_MODE_PROGRAM=NEVER
    -DCMAKE_FIND_ROOT_PATH_MODE_LIBRARY=ONLY -DCMAKE_FIND_ROOT_PATH_MODE_INCLUDE=ONLY
    -DCMAKE_FIND_ROOT_PATH_MODE_PACKAGE=ONLY
    "-DCMAKE_PROJECT_INCLUDE=$root/scripts/darwin-cross/project-include.cmake"
    "${options[@]}"
    "-DGRADLE_WRAPPER=$gradle_stub" "-DJava_JAVA_EXECUTABLE=$java"
  )
  # A changed command line (options, zig, paths) configures a fresh folder.
  local stamp
  stamp=$(printf '%s\n' "zig $ZIGLANG_VERSION" "${cfg[@]}" "$(cat scripts/darwin-cross/project-include.cmake)" | sha256sum | cut -c1-16)
  if [ "$(cat "$build/rusteron-configure.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$build"
  fi
  mkdir -p "$build/generated/c/aeron_archive_client"
  # The host's codecs, copied only when changed (ninja would rebuild the archive client otherwise).
  local f
  for f in "$codecs"/*.h; do
    cmp -s "$f" "$build/generated/c/aeron_archive_client/${f##*/}" || cp "$f" "$build/generated/c/aeron_archive_client/"
  done
  # git stops at the tree's parent, as in build.rs: Aeron's version reports no foreign commit.
  if [ ! -f "$build/CMakeCache.txt" ]; then
    say "$triple: cmake configure (zig cc -target $zig_target)"
    GIT_CEILING_DIRECTORIES="$(dirname "$src")" "$cmake" "${cfg[@]}" > "$build/rusteron-configure.log" 2>&1 ||
      { tail -30 "$build/rusteron-configure.log"; die "$triple: configure failed (log: $build/rusteron-configure.log)"; }
    echo "$stamp" > "$build/rusteron-configure.stamp"
  fi
  say "$triple: cmake build"
  GIT_CEILING_DIRECTORIES="$(dirname "$src")" "$cmake" --build "$build" --parallel "${NUM_JOBS:-2}" --target \
    aeron aeron_static aeron_archive_c_client aeron_archive_c_client_static aeron_driver aeron_driver_static aeronmd \
    > "$build/rusteron-build.log" 2>&1 ||
    { grep -m5 -E 'error|FAILED' "$build/rusteron-build.log" || tail -30 "$build/rusteron-build.log"; die "$triple: build failed (log: $build/rusteron-build.log)"; }

  say "$triple: bindgen --target=$clang_target"
  LIBCLANG_PATH="$libclang_dir" "$cross_bindgen" --out "$work/bindings.rs" \
    --header rusteron-archive-sys/wrapper.h \
    --include "$src/aeron-client/src/main/c" --include "$src/aeron-driver/src/main/c" --include "$src/aeron-archive/src/main/c/client" \
    --include "$src/aeron-archive/src/main/c" --include "$build/generated" \
    --clang-arg "--target=$clang_target" --clang-arg -resource-dir --clang-arg "$resource_dir" \
    --clang-arg -nostdlibinc --clang-arg -isystem --clang-arg "$darwin_headers"

  # Stage, as build-artifacts.sh does for the host.
  local name="rusteron-aeron-$AERON_VERSION-$triple"
  local stage_root="$work/stage"
  local stage="$stage_root/$name"
  rm -rf "$stage_root"
  mkdir -p "$stage/lib" "$stage/bin" "$stage/include/c/aeron_archive_client" "$out"
  for f in libaeron.dylib libaeron_archive_c_client.dylib libaeron_driver.dylib libaeron_static.a libaeron_archive_c_client_static.a libaeron_driver_static.a; do
    [ -f "$build/lib/$f" ] || die "missing $build/lib/$f"
    cp "$build/lib/$f" "$stage/lib/"
  done
  # aeronmd as CMake linked it: its rpath @loader_path/../lib was set at link time, and arm64
  # binaries carry an ad-hoc signature that editing the file afterwards would break.
  cp "$build/binaries/aeronmd" "$stage/bin/aeronmd"
  cp "$work/bindings.rs" "$stage/bindings.rs"
  copy_headers "$src/aeron-client/src/main/c" "$stage/include"
  copy_headers "$src/aeron-archive/src/main/c/client" "$stage/include"
  cp "$src/aeron-driver/src/main/c/aeronmd.h" "$stage/include/aeronmd.h"
  copy_headers "$build/generated/c/aeron_archive_client" "$stage/include/c/aeron_archive_client"
  cp rusteron-archive-sys/wrapper.h "$stage/include/wrapper.h"
  cp "$src/LICENSE" "$stage/LICENSE-aeron"
  # NEEDS: the system libraries the dylibs and aeronmd load, and the oldest macOS they declare.
  python3 scripts/darwin-cross/macho.py needs "$stage"/lib/*.dylib "$stage/bin/aeronmd" > "$stage/NEEDS"
  grep -qx "macos $min_macos" "$stage/NEEDS" || { cat "$stage/NEEDS"; die "$triple: minimum macOS is not $min_macos"; }
  echo "$AERON_VERSION" > "$stage/VERSION"
  echo "$triple" > "$stage/TARGET"
  (cd "$stage" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | while read -r f; do sha256 "$f"; done) > "$stage_root/MANIFEST"
  mv "$stage_root/MANIFEST" "$stage/MANIFEST"

  local archive="$out/$name.tar.gz"
  tar -czf "$archive.partial" -C "$stage_root" "$name"
  mv "$archive.partial" "$archive"
  (cd "$out" && sha256 "$name.tar.gz" > "$name.tar.gz.sha256")
  rm -rf "$stage_root"
  say "$triple: $(tar -tzf "$archive" | grep -vc '/$') files, $(du -h "$archive" | cut -f1) in $((SECONDS - t0))s: $archive"
  say "$triple: PRECOMPILED_SHA256 entry (versions.env) if published as the release asset: $triple:$(cut -d' ' -f1 "$archive.sha256")"
}

for t in "${triples[@]}"; do build_one "$t"; done
say "done in $((SECONDS - start))s"
for t in "${triples[@]}"; do echo "$out/rusteron-aeron-$AERON_VERSION-$t.tar.gz"; done
