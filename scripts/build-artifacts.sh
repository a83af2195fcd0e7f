#!/usr/bin/env bash
# Builds the precompiled Aeron archive that the `precompile` feature of rusteron-archive-sys uses:
#   <target dir>/artifacts/rusteron-aeron-<AERON_VERSION>-<host triple>.tar.gz
# holding, under one top folder of the same name:
#   VERSION, TARGET, MANIFEST (sha256 of every other file, `sha256sum -c` format), bindings.rs,
#   lib/ (shared + static client, archive client and driver libraries), bin/aeronmd (rpath
#   $ORIGIN/../lib, so it runs where it is unpacked), include/ (client, archive client and the
#   generated codec headers, the driver's aeronmd.h, plus wrapper.h).
# It reuses the normal source build (CMake build folder + bindgen output of build.rs), so it needs
# what `just setup` installs. Target-generic: run it on the machine whose triple you want.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
triple=$(host_triple)
name="rusteron-aeron-$AERON_VERSION-$triple"
out="$target_dir/artifacts"

case "$(uname -s)" in
  Darwin) so=dylib; origin='@loader_path/../lib'; rpath_flags=(-Wl,-rpath,"$origin") ;;
  *) so=so; origin='$ORIGIN/../lib'; rpath_flags=(-Wl,--disable-new-dtags -Wl,-rpath,"$origin") ;;
esac

# 1. The normal source build, dynamic then static: both sets of libraries land in one CMake folder.
say "cargo build -p rusteron-archive-sys (dynamic, then static) for $triple"
sys_build
sys_build --features static
out_dir=$(sys_out_dir)
lib_dir=$(sys_env RUSTERON_AERON_LIB_DIR)
[ -f "$out_dir/bindings.rs" ] || die "no bindings.rs in '$out_dir'"
[ -d "$lib_dir" ] || die "no Aeron lib dir '$lib_dir'"
build_dir=$(dirname "$lib_dir")
src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build_dir/CMakeCache.txt")
[ "$(cat "$src/version.txt")" = "$AERON_VERSION" ] || die "$src is not Aeron $AERON_VERSION"

# 2. Stage the archive contents.
stage_root="$target_dir/artifacts/stage"
stage="$stage_root/$name"
rm -rf "$stage_root"
mkdir -p "$stage/lib" "$stage/bin" "$stage/include/c/aeron_archive_client" "$out"
for f in libaeron.$so libaeron_archive_c_client.$so libaeron_driver.$so libaeron_static.a libaeron_archive_c_client_static.a libaeron_driver_static.a; do
  [ -f "$lib_dir/$f" ] || die "missing $lib_dir/$f"
  cp "$lib_dir/$f" "$stage/lib/"
done
# aeronmd from CMake carries the build folder as rpath; relink its object with a relative rpath.
obj="$build_dir/aeron-driver/src/main/c/CMakeFiles/aeronmd.dir/aeronmd.c.o"
[ -f "$obj" ] || die "missing $obj (aeronmd was not built)"
"${CC:-cc}" -O3 -o "$stage/bin/aeronmd" "$obj" -L"$stage/lib" "${rpath_flags[@]}" \
  -laeron_driver -laeron -ldl -lm -lpthread
cp "$out_dir/bindings.rs" "$stage/bindings.rs"
# The libraries carry our patches to Aeron's C (rusteron-archive-sys/patches): each one's marker.
for p in $(echo "$AERON_PATCHES" | tr ',' ' '); do
  marker=$(sed -n 's/^Marker: //p' "rusteron-archive-sys/patches/$p" | head -1)
  lib=$(sed -n 's/^Library: //p' "rusteron-archive-sys/patches/$p" | head -1)
  [ -n "$marker" ] || continue # proved by a test (its Test: line), not by a string
  for f in "$stage/lib/$lib.$so" "$stage/lib/${lib}_static.a"; do
    [ -n "$marker" ] && grep -aqF -- "$marker" "$f" || die "$f lacks patch $p (no '$marker')"
  done
done
copy_headers() { # from to
  (cd "$1" && find . -name '*.h' | tar -cf - -T -) | (cd "$2" && tar -xf -)
}
copy_headers "$src/aeron-client/src/main/c" "$stage/include"
copy_headers "$src/aeron-archive/src/main/c/client" "$stage/include"
cp "$src/aeron-driver/src/main/c/aeronmd.h" "$stage/include/aeronmd.h"
copy_headers "$build_dir/generated/c/aeron_archive_client" "$stage/include/c/aeron_archive_client"
cp rusteron-archive-sys/wrapper.h "$stage/include/wrapper.h"
# The binaries are Aeron's (Apache-2.0; Aeron ships no NOTICE file): its license travels with them.
cp "$src/LICENSE" "$stage/LICENSE-aeron"
# NEEDS: what the archive's binaries need from the system, checked by build.rs when it is used.
# Aeron is configured without libbsd/libuuid (cmake_build.rs), so only libc's family appears.
if [ "$so" = so ]; then
  {
    echo "# system libraries the archive's shared libraries and aeronmd link, and the newest glibc symbol version they use"
    for f in "$stage"/lib/*.so "$stage/bin/aeronmd"; do
      readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
    done | grep -v '^libaeron' | LC_ALL=C sort -u | sed 's/^/needed /'
    for f in "$stage"/lib/*.so "$stage"/lib/*.a "$stage/bin/aeronmd"; do
      objdump -T "$f" 2>/dev/null || nm "$f" 2>/dev/null || true
    done | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n -k3,3n -u | tail -1 | sed 's/^/glibc /'
  } > "$stage/NEEDS"
  if grep -E 'libbsd|libuuid' "$stage/NEEDS"; then die "the archive needs libbsd/libuuid (above)"; fi
fi
echo "$AERON_VERSION" > "$stage/VERSION"
echo "$triple" > "$stage/TARGET"
(cd "$stage" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | while read -r f; do sha256 "$f"; done) > "$stage_root/MANIFEST"
mv "$stage_root/MANIFEST" "$stage/MANIFEST"

# 3. The relinked aeronmd resolves its libraries next to itself.
if [ "$so" = so ] && command -v ldd >/dev/null; then
  if (cd / && ldd "$stage/bin/aeronmd") | grep -E 'not found|aeron-build'; then
    die "bin/aeronmd does not resolve its libraries from ../lib"
  fi
fi

# 4. Pack.
archive="$out/$name.tar.gz"
tar -czf "$archive.partial" -C "$stage_root" "$name"
mv "$archive.partial" "$archive"
(cd "$out" && sha256 "$name.tar.gz" > "$name.tar.gz.sha256")
rm -rf "$stage_root"
say "PRECOMPILED_SHA256 entry (versions.env) if this file is published as the release asset: $triple:$(cut -d' ' -f1 "$archive.sha256")"
say "$(wc -l < <(tar -tzf "$archive" | grep -v '/$')) files, $(du -h "$archive" | cut -f1): $archive"
echo "$archive"
