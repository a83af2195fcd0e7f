#!/usr/bin/env bash
# Installs or locates everything the build and the tests need. Idempotent: a second run only checks.
#   - libclang (bindgen), a JDK 17+ (SbeTool, the Java archive), Maven (fetches jars), ninja (faster
#     C builds), from Debian's packages when missing;
#   - CMake >= 3.30 from PyPI when the one on PATH is older (Debian's is 3.25);
#   - the Aeron source tree, from the crates.io package libaeron-sys (unless AERON_SOURCE_DIR is set
#     or the aeron/ submodule is populated), into .cache/aeron-<version>;
#   - the SbeTool jar and the Java archive jar from Maven Central into .cache/jars.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source <(grep -E '^[A-Z_]+=' rusteron-archive-sys/versions.env)
cache="${RUSTERON_CACHE_DIR:-$root/.cache}"
mkdir -p "$cache/jars"

say() { echo "setup: $*"; }
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
apt_updated=""
apt_install() {
  if ! command -v apt-get >/dev/null; then
    say "missing $*, and no apt-get here: install it with your package manager"; exit 1
  fi
  if [ -z "$apt_updated" ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

# libclang for bindgen
if [ -z "${LIBCLANG_PATH:-}" ] && ! ls /usr/lib/llvm-*/lib/libclang*.so* /usr/lib/x86_64-linux-gnu/libclang*.so* >/dev/null 2>&1; then
  apt_install libclang-dev
fi
# JDK (javac not needed, but SbeTool and the archive need java 17+)
if ! command -v java >/dev/null; then apt_install openjdk-17-jdk-headless; fi
if ! command -v mvn >/dev/null; then apt_install maven; fi
if ! command -v ninja >/dev/null; then apt_install ninja-build || true; fi
# valgrind: `just memcheck` (part of `just test`) and `just bench-instructions`
if ! command -v valgrind >/dev/null; then apt_install valgrind; fi

# CMake >= 3.30
cmake_ok() { command -v cmake >/dev/null && cmake --version | head -1 | awk '{split($3,v,"."); exit !((v[1]>3)||(v[1]==3&&v[2]>=30))}'; }
if ! cmake_ok; then
  say "pip install cmake>=3.30,<4 (found: $(cmake --version 2>/dev/null | head -1 || echo none))"
  python3 -m pip install -q "cmake>=3.30,<4"
  hash -r
  if ! cmake_ok; then
    bin=$(python3 -c 'import cmake; print(cmake.CMAKE_BIN_DIR)')
    say "cmake from PyPI is at $bin (build.rs finds it there too)"
  fi
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
  if [ "$got" != "$AERON_VERSION" ]; then say "libaeron-sys ships Aeron $got, expected $AERON_VERSION"; exit 1; fi
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
