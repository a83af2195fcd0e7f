#!/usr/bin/env bash
# Checks, on Linux, the macOS archives made by scripts/build-artifacts-cross.sh (arguments: the
# triples, default aarch64-apple-darwin x86_64-apple-darwin). What can be proved without a Mac:
#  - every file's Mach-O architecture and type, minimum macOS (rustc's: 11.0 arm64, 10.12 x86_64),
#    install names (@rpath/...) and rpaths (@loader_path/../lib), that arm64 signatures still match
#    the files, that every undefined symbol resolves in libSystem (zig's libSystem.tbd) or in the
#    archive's own dylibs, that each dylib exports the same aeron* symbols as the Linux build's .so,
#    that the static archives are Darwin-format with objects of the right architecture
#    (scripts/darwin-cross/macho.py, which reads Mach-O itself; `file` and llvm-otool, when present,
#    give a second opinion);
#  - that a C program links against the static and against the shared libraries for the target
#    (zig cc, with the libraries build.rs names), and what the results load;
#  - that the sys crate's build script, run with TARGET=<apple triple> and the `precompile` feature,
#    accepts the archive (its MANIFEST, required files, VERSION/TARGET and NEEDS checks), copies its
#    bindings.rs and emits the link directives, and that it refuses a modified or mismatched one;
#  - that scripts/cross-bindgen gives byte-identical bindings to the build script for the host, and
#    that each archive's bindings.rs declares the same aeron_* functions and types as Linux's and
#    type-checks as Rust.
# Not provable here: running anything (aeronmd, a client, the archive) on macOS, Apple's linker on a
# Rust binary, Gatekeeper on a downloaded aeronmd. Ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
passed=0
failed=0
ok() { # condition-exit-status message
  if [ "$1" = 0 ]; then echo "  ok   $2"; passed=$((passed + 1)); else echo "  FAIL $2"; failed=$((failed + 1)); fi
}
count() { # the ok/FAIL lines of macho.py's output
  passed=$((passed + $(grep -c '^  ok ' "$1" || true)))
  failed=$((failed + $(grep -c '^  FAIL' "$1" || true)))
}

triples=("$@")
[ ${#triples[@]} -gt 0 ] || triples=(aarch64-apple-darwin x86_64-apple-darwin)
venv="$cache/zig-venv"
[ -x "$venv/bin/python" ] || die "no zig in $venv: run scripts/build-artifacts-cross.sh first"
zig_dir=$("$venv/bin/python" -c 'import os, ziglang; print(os.path.dirname(ziglang.__file__))')
zig="$zig_dir/zig"
export ZIG_GLOBAL_CACHE_DIR="$target_dir/aeron-cross/zig-cache" ZIG_LOCAL_CACHE_DIR="$target_dir/aeron-cross/zig-cache"
tbd="$zig_dir/lib/libc/darwin/libSystem.tbd"
otool=$(command -v llvm-otool || ls /usr/lib/llvm-*/bin/llvm-otool 2>/dev/null | sort -V | tail -1 || true)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rusteron-macos-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The host build: the Linux libraries (exported symbols to compare), the build script binary, and
# the bindings the build script wrote for the host.
sys_build
linux_lib=$(sys_env RUSTERON_AERON_CMAKE_DIR)/lib
host_out=$(sys_out_dir)
# The tree the build compiled: the patched copy (build/patches.rs).
src=$(sys_env RUSTERON_AERON_PATCHED_DIR)
# The build script run below must have the `precompile` feature compiled in (its sha256 checks
# use the optional build dependency sha2): a precompile build for the host, from its archive.
host_archive=$(bash scripts/build-artifacts.sh | tail -1)
RUSTERON_PRECOMPILED="$host_archive" cargo_sys_json build -q -p rusteron-archive-sys --features precompile
build_script=$sys_script
[ -x "$build_script" ] && [ -f "$linux_lib/libaeron.so" ] && [ -f "$host_out/bindings.rs" ] ||
  die "cannot find the host build (build script '$build_script', libs '$linux_lib')"

say "bindings: scripts/cross-bindgen against the build script, for the host"
(cd scripts/cross-bindgen && CARGO_TARGET_DIR="$target_dir/cross-bindgen" cargo build -q --release --locked)
"$target_dir/cross-bindgen/release/rusteron-cross-bindgen" --out "$tmp/host-bindings.rs" \
  --header rusteron-archive-sys/wrapper.h \
  --include "$src/aeron-client/src/main/c" --include "$src/aeron-driver/src/main/c" \
  --include "$src/aeron-archive/src/main/c/client" \
  --include "$src/aeron-archive/src/main/c" --include "$(dirname "$linux_lib")/generated"
cmp -s "$tmp/host-bindings.rs" "$host_out/bindings.rs" && r=0 || r=1
ok $r "cross-bindgen's host bindings are byte-identical to the build script's ($(wc -l < "$host_out/bindings.rs") lines): same bindgen options"
items() { # the aeron* functions, types and constants a bindings.rs declares
  grep -oE 'pub (fn|struct|union|type|const|static) [Aa][Ee][Rr][Oo][Nn]_[A-Za-z0-9_]*' "$1" | sort -u
}
items "$host_out/bindings.rs" > "$tmp/linux-items"

for triple in "${triples[@]}"; do
  case "$triple" in
    aarch64-apple-darwin) arch=arm64; zig_target=aarch64-macos.11.0 ;;
    x86_64-apple-darwin) arch=x86_64; zig_target=x86_64-macos.10.12 ;;
    *) die "unsupported target $triple" ;;
  esac
  name="rusteron-aeron-$AERON_VERSION-$triple"
  archive="$target_dir/artifacts/$name.tar.gz"
  [ -f "$archive" ] || die "no $archive: run scripts/build-artifacts-cross.sh $triple"
  echo
  say "$triple: $archive ($(du -h "$archive" | cut -f1))"
  mkdir -p "$tmp/$triple"
  tar -xzf "$archive" -C "$tmp/$triple"
  a="$tmp/$triple/$name"

  # 1. The binaries, read by macho.py; `file` and llvm-otool as a second opinion.
  python3 scripts/darwin-cross/macho.py check "$a" "$triple" "$tbd" "$linux_lib" | tee "$tmp/macho.log" | sed 1d
  count "$tmp/macho.log"
  if command -v file >/dev/null; then
    for f in "$a"/lib/*.dylib "$a/bin/aeronmd"; do
      desc=$(file -b "$f")
      case "$desc" in "Mach-O 64-bit $arch "*) r=0 ;; *) r=1 ;; esac
      ok $r "file: ${f#"$a"/}: ${desc%%, flags*}"
    done
  fi
  if [ -n "$otool" ]; then
    ids=$("$otool" -D "$a"/lib/*.dylib | grep '^@rpath/' | wc -l)
    rpaths=$("$otool" -l "$a"/lib/*.dylib "$a/bin/aeronmd" | grep -c 'path @loader_path/../lib (offset')
    [ "$ids" = 3 ] && [ "$rpaths" = 4 ] && r=0 || r=1
    ok $r "$(basename "$otool"): 3 install names @rpath/..., 4 rpaths @loader_path/../lib"
  fi

  # 1b. Aeron's C carries our patches (rusteron-archive-sys/patches): each patch's marker string.
  for p in $(echo "$AERON_PATCHES" | tr ',' ' '); do
    marker=$(sed -n 's/^Marker: //p' "rusteron-archive-sys/patches/$p" | head -1)
    lib=$(sed -n 's/^Library: //p' "rusteron-archive-sys/patches/$p" | head -1)
    [ -n "$marker" ] || continue # proved by a test (its Test: line), not by a string
    for f in "$a/lib/$lib.dylib" "$a/lib/${lib}_static.a"; do
      [ -n "$marker" ] && grep -aqF -- "$marker" "$f" && r=0 || r=1
      ok $r "patch ${p%%-*} is in ${f#"$a"/}"
    done
  done

  # 2. A C program linked statically and dynamically, as build.rs links (static: the two archives
  #    plus pthread, m, dl; dynamic: the two dylibs with an rpath).
  for how in static dynamic; do
    exe="$tmp/$triple/link-check-$how"
    if [ $how = static ]; then libs=(-laeron_archive_c_client_static -laeron_static -lpthread -lm -ldl)
    else libs=(-laeron_archive_c_client -laeron -Wl,-rpath,@loader_path/../lib); fi
    if "$zig" cc -target "$zig_target" -O2 -I"$a/include" scripts/darwin-cross/link-check.c -L"$a/lib" "${libs[@]}" \
      -o "$exe" 2> "$tmp/link.log"; then
      ok 0 "zig cc -target $zig_target links scripts/darwin-cross/link-check.c ($how, $(wc -c < "$exe") bytes)"
      python3 scripts/darwin-cross/macho.py linked "$a" "$triple" "$tbd" "$exe" $how > "$tmp/linked.log" || true
      cat "$tmp/linked.log"
      count "$tmp/linked.log"
    else
      ok 1 "zig cc -target $zig_target links scripts/darwin-cross/link-check.c ($how): $(head -3 "$tmp/link.log")"
    fi
  done

  # 3. The sys crate's build script, precompile path, for the apple triple (nothing is linked).
  run_build_script() { # out_dir archive target [static]
    env -i PATH="$PATH" HOME="$HOME" OUT_DIR="$1" RUSTERON_PRECOMPILED="$2" TARGET="$3" \
      HOST="$(rustc -vV | sed -n 's/^host: //p')" CARGO_MANIFEST_DIR="$root/rusteron-archive-sys" \
      CARGO_CFG_TARGET_OS=macos CARGO_FEATURE_PRECOMPILE=1 ${4:+CARGO_FEATURE_STATIC=1} "$build_script"
  }
  for how in static dynamic; do
    out="$tmp/$triple/out-$how"
    mkdir -p "$out"
    if run_build_script "$out" "$archive" "$triple" $([ $how = static ] && echo 1) > "$tmp/bs.log" 2>&1; then
      r=0
      if [ $how = static ]; then
        grep -qx 'cargo:rustc-link-lib=static=aeron_archive_c_client_static' "$tmp/bs.log" &&
          grep -qx 'cargo:rustc-link-lib=static=aeron_static' "$tmp/bs.log" && ! grep -q 'link-lib=dylib=rt' "$tmp/bs.log" || r=1
      else
        grep -qx 'cargo:rustc-link-lib=dylib=aeron_archive_c_client' "$tmp/bs.log" &&
          grep -qx "cargo:rustc-link-arg=-Wl,-rpath,$out/aeron-precompiled/$name/lib" "$tmp/bs.log" || r=1
      fi
      cmp -s "$out/bindings.rs" "$a/bindings.rs" || r=1
      ok $r "build script (TARGET=$triple, precompile$([ $how = static ] && echo ,static)) accepts the archive, copies its bindings.rs, links $(grep -o 'rustc-link-lib=[a-z]*=aeron[a-z_]*' "$tmp/bs.log" | sed 's/rustc-link-lib=//' | paste -sd' ')"
    else
      ok 1 "build script (TARGET=$triple, precompile, $how) refused the archive: $(grep -m1 'cargo::error' "$tmp/bs.log")"
    fi
  done
  # ... and refuses a modified archive and one made for the other triple.
  bad="$tmp/$triple/bad"
  mkdir -p "$bad" && cp -r "$a" "$bad/"
  printf 'x' >> "$bad/$name/lib/libaeron.dylib"
  run_build_script "$tmp/$triple/out-bad" "$bad/$name" "$triple" 1 > "$tmp/bs.log" 2>&1 && r=1 || r=0
  grep -q 'checksum mismatch for lib/libaeron.dylib' "$tmp/bs.log" || r=1
  ok $r "build script refuses the archive with a modified lib/libaeron.dylib (checksum mismatch)"
  other=$([ "$triple" = aarch64-apple-darwin ] && echo x86_64-apple-darwin || echo aarch64-apple-darwin)
  run_build_script "$tmp/$triple/out-other" "$archive" "$other" 1 > "$tmp/bs.log" 2>&1 && r=1 || r=0
  grep -q "was built for $triple, but this build targets $other" "$tmp/bs.log" || r=1
  ok $r "build script refuses it for TARGET=$other (built for $triple)"

  # 4. The bindings: the same aeron* items as Linux's (platform constants aside), valid Rust.
  items "$a/bindings.rs" > "$tmp/darwin-items"
  only_darwin=$(comm -13 "$tmp/linux-items" "$tmp/darwin-items" | sed 's/^pub [a-z]* //' | paste -sd' ')
  only_linux=$(comm -23 "$tmp/linux-items" "$tmp/darwin-items" | sed 's/^pub [a-z]* //' | paste -sd' ')
  fns=$(grep -c '^pub fn' "$tmp/darwin-items")
  diff <(grep -v '^pub const' "$tmp/linux-items") <(grep -v '^pub const' "$tmp/darwin-items") > /dev/null && r=0 || r=1
  ok $r "bindings.rs: the same $fns aeron_* functions and $(grep -cv '^pub \(fn\|const\)' "$tmp/darwin-items") aeron types as Linux's; constants only here: ${only_darwin:-none}; only on Linux: ${only_linux:-none}"
  printf '#![allow(non_upper_case_globals, non_camel_case_types, non_snake_case, dead_code)]\n#![allow(clippy::all, unnecessary_transmutes)]\ninclude!("%s");\n' "$a/bindings.rs" > "$tmp/bindings_check.rs"
  rustc --edition 2021 --crate-type lib --crate-name darwin_bindings --emit=metadata -o "$tmp/darwin_bindings.rmeta" "$tmp/bindings_check.rs" 2> "$tmp/rustc.log" && r=0 || r=1
  ok $r "bindings.rs type-checks as Rust (rustc --emit=metadata, host target: no Darwin std here)$([ -s "$tmp/rustc.log" ] && echo ": $(grep -m3 error "$tmp/rustc.log" | paste -sd' ')")"
done

echo
say "$passed passed, $failed failed"
[ "$failed" = 0 ]
