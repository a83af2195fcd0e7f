#!/usr/bin/env bash
# Installs or locates everything the build and the tests need. Idempotent: a second run only checks.
#   - a C compiler is assumed (Rust needs one to link); a C++ compiler (g++) is installed when
#     missing (Aeron's CMake project declares C++); apt-get runs through sudo when not root;
#   - libclang (bindgen), a JDK 17+ (SbeTool, the Java archive), Maven (fetches jars), ninja (faster
#     C builds), from Debian's packages when missing;
#   - CMake >= 3.30 from PyPI, in a virtualenv under .cache, when the one on PATH is older (Debian's is
#     3.25); python3-venv from Debian when python3 or its venv module is missing;
#   - the Aeron source tree, from the crates.io package libaeron-sys (unless AERON_SOURCE_DIR is set
#     or the aeron/ submodule is populated), into .cache/aeron-<version>;
#   - the SbeTool jar and the Java archive jar from Maven Central into .cache/jars.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
mkdir -p "$cache/jars"

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
apt_updated=""
apt_install() {
  if ! command -v apt-get >/dev/null; then
    die "missing $*, and no apt-get here: install it with your package manager"
  fi
  if [ -z "$apt_updated" ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

# libclang for bindgen, checked by capability: a library that exports libclang's C API and parses a
# file including clang's builtin headers (stdbool.h lives in libclang-common-N-dev, not in libc).
# A file-name glob is not enough: libclang-cpp.so (LLVM's C++ library) matches it and is useless.
probe="$cache/tools/libclang-probe"
mkdir -p "$cache/tools"
if [ ! -x "$probe" ] || [ scripts/libclang-probe.c -nt "$probe" ]; then
  cc -O1 -o "$probe" scripts/libclang-probe.c -ldl
fi
libclang_candidates() {
  local dirs=()
  if [ -n "${LIBCLANG_PATH:-}" ]; then
    if [ -f "$LIBCLANG_PATH" ]; then echo "$LIBCLANG_PATH"; return; fi
    dirs+=("$LIBCLANG_PATH")
  fi
  if command -v llvm-config >/dev/null; then dirs+=("$(llvm-config --libdir)"); fi
  dirs+=($(ls -d /usr/lib/llvm-*/lib 2>/dev/null | sort -t- -k2 -V -r) "/usr/lib/$(cc -print-multiarch 2>/dev/null)" /usr/lib64 /usr/lib /usr/local/lib)
  for d in "${dirs[@]}"; do
    ls "$d"/libclang.so* "$d"/libclang-*.so* 2>/dev/null | grep -v -- '-cpp' || true
  done
}
libclang_ok() {
  local lib why
  libclang_report=""
  for lib in $(libclang_candidates); do
    if why=$("$probe" "$lib" 2>&1); then say "libclang ok: $lib"; return 0; fi
    libclang_report+="${libclang_report:+ }$lib: $(echo "$why" | head -1);"
  done
  return 1
}
if ! libclang_ok; then
  say "no usable libclang for bindgen (${libclang_report:-none found})"
  apt_install libclang-dev
  if ! libclang_ok; then
    say "libclang still unusable after installing libclang-dev ($libclang_report): set LIBCLANG_PATH to a libclang.so whose clang resource headers are installed"
    exit 1
  fi
fi
# JDK (javac not needed, but SbeTool and the archive need java 17+)
if ! command -v java >/dev/null; then apt_install openjdk-17-jdk-headless; fi
if ! command -v mvn >/dev/null; then apt_install maven; fi
# A C++ compiler: Aeron's top CMakeLists declares `project(... C CXX)`, so configuring fails without
# one although only C is compiled (a machine with gcc alone has none).
if [ -z "${CXX:-}" ] && ! command -v c++ >/dev/null && ! command -v g++ >/dev/null && ! command -v clang++ >/dev/null; then
  apt_install g++
fi
# ninja runs the C build; without it CMake needs make (a bare Debian with gcc has neither).
if ! command -v ninja >/dev/null; then
  if command -v make >/dev/null; then apt_install ninja-build || true; else apt_install ninja-build; fi
fi
# valgrind: `just memcheck` (part of `just test`) and `just bench-instructions`
if ! command -v valgrind >/dev/null; then apt_install valgrind; fi

# CMake >= 3.30, from PyPI into a virtualenv under the cache (Debian's pip refuses system-wide
# installs, PEP 668). build.rs looks for <cache>/cmake-venv/bin/cmake too.
cmake_ok() { "$1" --version 2>/dev/null | head -1 | awk '{split($3,v,"."); exit !((v[1]>3)||(v[1]==3&&v[2]>=30))}'; }
venv="$cache/cmake-venv"
if cmake_ok "${CMAKE:-cmake}"; then
  say "cmake ok: $(command -v "${CMAKE:-cmake}") ($("${CMAKE:-cmake}" --version | head -1))"
elif cmake_ok "$venv/bin/cmake"; then
  say "cmake ok: $venv/bin/cmake ($("$venv/bin/cmake" --version | head -1))"
else
  say "CMake >= 3.30 needed (found: $(cmake --version 2>/dev/null | head -1 || echo none)): pip install into $venv"
  if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    apt_install python3-venv
  fi
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q "cmake>=3.30,<4"
  cmake_ok "$venv/bin/cmake" || die "$venv/bin/cmake is not >= 3.30"
  say "cmake ok: $venv/bin/cmake ($("$venv/bin/cmake" --version | head -1))"
fi

# Aeron source tree
if [ -n "${AERON_SOURCE_DIR:-}" ]; then
  say "using AERON_SOURCE_DIR=$AERON_SOURCE_DIR"
elif [ -f aeron/version.txt ]; then
  say "using the aeron/ submodule ($(cat aeron/version.txt))"
elif [ -f "$cache/aeron-$AERON_VERSION/version.txt" ]; then
  say "Aeron $AERON_VERSION tree cached in $cache/aeron-$AERON_VERSION"
else
  fetch="$cache/fetch-libaeron-sys"
  mkdir -p "$fetch/src"; : > "$fetch/src/lib.rs"
  cat > "$fetch/Cargo.toml" <<TOML
[package]
name = "rusteron-fetch-aeron-source"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
libaeron-sys = "=$LIBAERON_SYS_CRATE_VERSION"
TOML
  say "cargo fetch libaeron-sys $LIBAERON_SYS_CRATE_VERSION (ships Aeron's tree under aeron/)"
  (cd "$fetch" && cargo fetch -q)
  tree=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/libaeron-sys-"$LIBAERON_SYS_CRATE_VERSION"/aeron | head -1)
  got=$(cat "$tree/version.txt")
  if [ "$got" != "$AERON_VERSION" ]; then die "libaeron-sys ships Aeron $got, expected $AERON_VERSION"; fi
  rm -rf "$cache/aeron-$AERON_VERSION.partial"
  cp -r "$tree" "$cache/aeron-$AERON_VERSION.partial"
  mv "$cache/aeron-$AERON_VERSION.partial" "$cache/aeron-$AERON_VERSION"
  say "Aeron $AERON_VERSION tree copied to $cache/aeron-$AERON_VERSION"
fi

# Jars from Maven Central
fetch_jar() { # group artifact version
  local g=$1 a=$2 v=$3
  local dest="$cache/jars/$a-$v.jar"
  if [ -f "$dest" ]; then return; fi
  local m2="$HOME/.m2/repository/${g//.//}/$a/$v/$a-$v.jar"
  if [ ! -f "$m2" ]; then
    say "mvn dependency:get $g:$a:$v"
    mvn -q -B dependency:get -Dtransitive=false -Dartifact="$g:$a:$v" >/dev/null
  fi
  cp "$m2" "$dest"
  say "$a $v -> $dest"
}
fetch_jar uk.co.real-logic sbe-all "$SBE_VERSION"
fetch_jar io.aeron aeron-all "$AERON_ALL_VERSION"
say "ok"
