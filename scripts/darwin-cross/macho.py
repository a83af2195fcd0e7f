#!/usr/bin/env python3
"""Reads the Mach-O files of a macOS archive made on Linux (scripts/build-artifacts-cross.sh) with
no Apple tool: the header, load commands, symbol table, code signature, and BSD `ar` archives.

  macho.py needs FILE...          NEEDS lines: `needed <system dylib>`, `macos <minimum version>`
  macho.py check ROOT TRIPLE TBD LINUX_LIB_DIR
                                  the checks of scripts/check-macos-artifacts.sh on an unpacked
                                  archive ROOT, against zig's libSystem.tbd and the Linux build's
                                  shared libraries (exported aeron_* symbols); exit 1 on a failure
  macho.py linked ROOT TRIPLE TBD EXE static|dynamic
                                  checks a program linked against the archive ROOT
  macho.py info FILE              what this reader sees in one file
"""

import hashlib
import re
import struct
import subprocess
import sys
from pathlib import Path

CPU = {0x01000007: "x86_64", 0x0100000C: "arm64"}
ARCH_OF_TRIPLE = {"x86_64-apple-darwin": "x86_64", "aarch64-apple-darwin": "arm64"}
FILETYPE = {1: "object", 2: "executable", 6: "dylib"}
LC_SYMTAB, LC_LOAD_DYLIB, LC_ID_DYLIB, LC_CODE_SIGNATURE = 0x2, 0xC, 0xD, 0x1D
LC_VERSION_MIN_MACOSX, LC_BUILD_VERSION, LC_RPATH = 0x24, 0x32, 0x8000001C
# Load commands that name a dylib, in the order the two-level namespace ordinals count them.
DYLIB_LOADS = {0xC: "load", 0x80000018: "weak", 0x8000001F: "reexport", 0x20: "lazy", 0x80000023: "upward"}
MH_TWOLEVEL = 0x80
PLATFORM_MACOS = 1


def version(v):
    text = f"{v >> 16}.{(v >> 8) & 0xFF}"
    return text + (f".{v & 0xFF}" if v & 0xFF else "")


class MachO:
    """One thin 64-bit little-endian Mach-O file (what zig writes for arm64 and x86_64)."""

    def __init__(self, data, name):
        self.name = name
        self.data = data
        if len(data) < 32 or data[:4] != b"\xcf\xfa\xed\xfe":
            raise ValueError(f"{name}: not a 64-bit Mach-O file (magic {data[:4].hex()})")
        _, cputype, _, filetype, ncmds, _, flags, _ = struct.unpack_from("<IiIIIIII", data, 0)
        self.arch = CPU.get(cputype & 0xFFFFFFFF, hex(cputype))
        self.filetype = FILETYPE.get(filetype, str(filetype))
        self.twolevel = bool(flags & MH_TWOLEVEL)
        self.install_name = None
        self.dylibs = []  # (kind, path)
        self.rpaths = []
        self.minos = None  # from LC_BUILD_VERSION (platform macOS) or LC_VERSION_MIN_MACOSX
        self.platform = None
        self.signature = None  # (offset, size)
        self.symtab = None
        off = 32
        for _ in range(ncmds):
            cmd, size = struct.unpack_from("<II", data, off)
            if cmd in DYLIB_LOADS or cmd == LC_ID_DYLIB:
                path = self._cstr(off + struct.unpack_from("<I", data, off + 8)[0])
                if cmd == LC_ID_DYLIB:
                    self.install_name = path
                else:
                    self.dylibs.append((DYLIB_LOADS[cmd], path))
            elif cmd == LC_RPATH:
                self.rpaths.append(self._cstr(off + struct.unpack_from("<I", data, off + 8)[0]))
            elif cmd == LC_BUILD_VERSION:
                self.platform, minos = struct.unpack_from("<II", data, off + 8)
                self.minos = version(minos)
            elif cmd == LC_VERSION_MIN_MACOSX:
                self.platform = PLATFORM_MACOS
                self.minos = version(struct.unpack_from("<I", data, off + 8)[0])
            elif cmd == LC_CODE_SIGNATURE:
                self.signature = struct.unpack_from("<II", data, off + 8)
            elif cmd == LC_SYMTAB:
                self.symtab = struct.unpack_from("<IIII", data, off + 8)
            off += size

    def _cstr(self, at):
        end = self.data.index(b"\0", at)
        return self.data[at:end].decode()

    def symbols(self):
        """(name, defined, external, library ordinal) of every non-debug symbol."""
        if not self.symtab:
            return []
        symoff, nsyms, stroff, _ = self.symtab
        out = []
        for i in range(nsyms):
            strx, ntype, _, desc, _ = struct.unpack_from("<IBBHQ", self.data, symoff + 16 * i)
            if ntype & 0xE0:  # N_STAB: debugging entry
                continue
            name = self._cstr(stroff + strx)
            defined = (ntype & 0x0E) != 0  # N_TYPE != N_UNDF
            out.append((name, defined, bool(ntype & 0x01), (desc >> 8) & 0xFF))
        return out

    def exported(self):
        return {n for n, d, ext, _ in self.symbols() if d and ext}

    def undefined(self):
        """{name: library path or a marker} of the undefined external symbols."""
        out = {}
        for name, defined, ext, ordinal in self.symbols():
            if defined or not ext:
                continue
            if not self.twolevel:
                out[name] = "(flat namespace)"
            elif 1 <= ordinal <= len(self.dylibs):
                out[name] = self.dylibs[ordinal - 1][1]
            else:
                out[name] = {0: "(self)", 0xFE: "(dynamic lookup)", 0xFF: "(executable)"}.get(ordinal, f"(ordinal {ordinal})")
        return out

    def check_signature(self):
        """Verifies the code directory's page hashes: None when valid, else why not."""
        if not self.signature:
            return "no LC_CODE_SIGNATURE"
        off, size = self.signature
        blob = self.data[off:off + size]
        magic, _, count = struct.unpack_from(">III", blob, 0)
        if magic != 0xFADE0CC0:
            return f"signature superblob magic {magic:#x}"
        for i in range(count):
            kind, at = struct.unpack_from(">II", blob, 12 + 8 * i)
            if kind != 0:  # CSSLOT_CODEDIRECTORY
                continue
            cd = blob[at:]
            cmagic, _, _, _, hash_off, _, _, ncode, limit, hsize, htype, _, page = struct.unpack_from(">IIIIIIIIIBBBB", cd, 0)
            if cmagic != 0xFADE0C02:
                return f"code directory magic {cmagic:#x}"
            algo = {1: hashlib.sha1, 2: hashlib.sha256}.get(htype)
            if algo is None:
                return f"unknown hash type {htype}"
            step = 1 << page
            for p in range(ncode):
                chunk = self.data[p * step:min((p + 1) * step, limit)]
                want = cd[hash_off + p * hsize:hash_off + (p + 1) * hsize]
                if algo(chunk).digest()[:hsize] != want:
                    return f"page {p} does not match its hash (file changed after signing)"
            if ncode * step < limit:
                return "code directory covers less than the code limit"
            return None
        return "no code directory"


def ar_members(data, name):
    """(member name, bytes) of a BSD-format `ar` archive (Darwin's), symbol index first."""
    if data[:8] != b"!<arch>\n":
        raise ValueError(f"{name}: not an ar archive")
    off, out = 8, []
    while off + 60 <= len(data):
        header = data[off:off + 60]
        mname = header[:16].decode().rstrip()
        size = int(header[48:58].decode().strip())
        body = data[off + 60:off + 60 + size]
        if mname.startswith("#1/"):  # BSD long name, stored at the start of the member
            n = int(mname[3:])
            mname, body = body[:n].rstrip(b"\0").decode(), body[n:]
        out.append((mname, body))
        off += 60 + size + (size & 1)
    return out


def tbd_symbols(path, arch):
    """The symbols a .tbd (text stub of a dylib, possibly with its re-exported libraries as more
    documents) exports for one architecture (arm64 also takes arm64e entries)."""
    names = set()
    wanted = {f"{arch}-macos", f"{arch}e-macos"} if arch == "arm64" else {f"{arch}-macos"}
    text = Path(path).read_text()
    for doc in text.split("--- !tapi-tbd")[1:]:
        # Top-level sections start at column 0; only exports and reexports hold what is exported.
        for section in re.split(r"\n(?=[a-z][a-z-]*:)", doc):
            key = section.split(":", 1)[0].strip()
            if key not in ("exports", "reexports"):
                continue
            targets = set()
            for m in re.finditer(r"([a-z-]+):\s*\[([^\]]*)\]", section):
                items = [s.strip().strip("'\"") for s in m.group(2).replace("\n", " ").split(",")]
                items = [s for s in items if s]
                if m.group(1) == "targets":
                    targets = set(items)
                elif m.group(1) in ("symbols", "weak-symbols", "thread-local-symbols") and targets & wanted:
                    names.update(items)
                elif m.group(1) == "objc-classes" and targets & wanted:
                    names.update(f"_OBJC_CLASS_$_{c}" for c in items)
    return names


def needs(files):
    system, minos = set(), set()
    for f in files:
        m = MachO(Path(f).read_bytes(), f)
        system.update(p for _, p in m.dylibs if not p.startswith("@rpath/"))
        minos.add(m.minos)
    if len(minos) != 1 or None in minos:
        sys.exit(f"macho.py: the files declare different or no minimum macOS versions: {sorted(map(str, minos))}")
    print("# system libraries the archive's dylibs and aeronmd load, and the oldest macOS they declare")
    for s in sorted(system):
        print(f"needed {s}")
    print(f"macos {minos.pop()}")


def linux_exports(so):
    out = subprocess.run(["nm", "-D", "--defined-only", "--extern-only", str(so)], capture_output=True, text=True, check=True)
    return {line.split()[-1].split("@")[0] for line in out.stdout.splitlines() if line.split()}


class Report:
    def __init__(self):
        self.failures = 0

    def ok(self, cond, what):
        print(f"  {'ok  ' if cond else 'FAIL'} {what}")
        self.failures += 0 if cond else 1
        return cond


def resolve(m, libsystem, ours):
    """The undefined symbols of `m` ({name: library}) and those its libraries do not export."""
    undefined = m.undefined()
    unresolved = []
    for sym, lib in sorted(undefined.items()):
        if lib == "/usr/lib/libSystem.B.dylib":
            if sym not in libsystem:
                unresolved.append(f"{sym} (not in libSystem)")
        elif lib in ours:
            if sym not in ours[lib].exported():
                unresolved.append(f"{sym} (not exported by {lib})")
        else:
            unresolved.append(f"{sym} from {lib}")
    return undefined, unresolved


def linked(root, triple, tbd, exe, how):
    """Checks a program linked against the archive (statically or dynamically) for its target."""
    root, arch = Path(root), ARCH_OF_TRIPLE[triple]
    want_min = {"arm64": "11.0", "x86_64": "10.12"}[arch]
    ours = {f"@rpath/{p.name}": MachO(p.read_bytes(), p.name) for p in (root / "lib").glob("*.dylib")}
    m = MachO(Path(exe).read_bytes(), exe)
    name = Path(exe).name
    r = Report()
    r.ok(m.arch == arch and m.filetype == "executable" and m.minos == want_min, f"{name}: Mach-O {m.arch} {m.filetype}, minimum macOS {m.minos}")
    loads = [p for _, p in m.dylibs]
    want = ["/usr/lib/libSystem.B.dylib"] if how == "static" else ["/usr/lib/libSystem.B.dylib", "@rpath/libaeron.dylib", "@rpath/libaeron_archive_c_client.dylib"]
    r.ok(sorted(loads) == sorted(want), f"{name}: loads {loads}")
    undefined, unresolved = resolve(m, tbd_symbols(tbd, arch), ours)
    r.ok(not unresolved, f"{name}: its {len(undefined)} undefined symbols resolve in libSystem or the archive's dylibs" + (f"; not: {unresolved[:10]}" if unresolved else ""))
    if arch == "arm64":
        why = m.check_signature()
        r.ok(why is None, f"{name}: ad-hoc code signature matches every page" + (f" ({why})" if why else ""))
    return r.failures


def check(root, triple, tbd, linux_lib):
    root, linux_lib = Path(root), Path(linux_lib)
    arch = ARCH_OF_TRIPLE[triple]
    minos_want = (root / "NEEDS").read_text().split("\nmacos ")[1].split()[0]
    want_min = {"arm64": "11.0", "x86_64": "10.12"}[arch]
    r = Report()
    print(f"{triple} ({arch}), {root}")
    r.ok(minos_want == want_min, f"NEEDS says macos {minos_want} (rustc's minimum for {triple}: {want_min})")
    libsystem = tbd_symbols(tbd, arch)
    r.ok(len(libsystem) > 1000, f"zig's libSystem.tbd lists {len(libsystem)} symbols for {arch}")

    dylibs = {p.name: MachO(p.read_bytes(), p.name) for p in sorted((root / "lib").glob("*.dylib"))}
    aeronmd = MachO((root / "bin/aeronmd").read_bytes(), "bin/aeronmd")
    ours = {f"@rpath/{n}": m for n, m in dylibs.items()}
    for name, m in list(dylibs.items()) + [("bin/aeronmd", aeronmd)]:
        kind = "executable" if name == "bin/aeronmd" else "dylib"
        r.ok(m.arch == arch and m.filetype == kind, f"{name}: Mach-O 64-bit {m.arch} {m.filetype}")
        r.ok(m.platform == PLATFORM_MACOS and m.minos == want_min, f"{name}: platform macOS, minimum {m.minos}")
        if kind == "dylib":
            r.ok(m.install_name == f"@rpath/{name}", f"{name}: install name {m.install_name}")
        r.ok(m.rpaths == ["@loader_path/../lib"], f"{name}: rpaths {m.rpaths}")
        r.ok(m.twolevel, f"{name}: two-level namespace (each undefined symbol names its library)")
        bad_loads = [p for _, p in m.dylibs if p not in ours and p != "/usr/lib/libSystem.B.dylib"]
        r.ok(not bad_loads, f"{name}: loads {[p for _, p in m.dylibs]}" + (f", unexpected {bad_loads}" if bad_loads else ""))
        undefined, unresolved = resolve(m, libsystem, ours)
        from_system = sum(1 for lib in undefined.values() if lib == "/usr/lib/libSystem.B.dylib")
        r.ok(not unresolved, f"{name}: {len(undefined)} undefined symbols, {from_system} from libSystem (all in its .tbd), "
             f"{len(undefined) - from_system} from the archive's own dylibs" + (f"; unresolved: {unresolved[:10]}" if unresolved else ""))
        if arch == "arm64":
            why = m.check_signature()
            r.ok(why is None, f"{name}: ad-hoc code signature matches every page" + (f" ({why})" if why else ""))

    for name, m in dylibs.items():
        so = linux_lib / name.replace(".dylib", ".so")
        mac = {s[1:] for s in m.exported() if s.startswith("_")}
        linux = linux_exports(so)
        mac_a = {s for s in mac if s.lower().startswith("aeron")}
        lin_a = {s for s in linux if s.lower().startswith("aeron")}
        extra, missing = sorted(mac_a - lin_a), sorted(lin_a - mac_a)
        r.ok(not extra and not missing, f"{name}: exports the same {len(mac_a)} aeron* symbols as {so.name} of the Linux build"
             + (f"; only on macOS: {extra[:10]}; only on Linux: {missing[:10]}" if extra or missing else ""))

    # Static archives: Darwin ar format with a symbol index; arch and minimum of every object; what
    # the client + archive client archives leave undefined together is in libSystem.
    defined, undefined = set(), set()
    for lib in ("libaeron_static.a", "libaeron_archive_c_client_static.a"):
        members = ar_members((root / "lib" / lib).read_bytes(), lib)
        r.ok(members and members[0][0].startswith("__.SYMDEF"), f"{lib}: BSD (Darwin) ar format, symbol index {members[0][0]!r}")
        objects = [MachO(body, f"{lib}({n})") for n, body in members[1:] if n.endswith(".o")]
        wrong = [o.name for o in objects if o.arch != arch or o.filetype != "object" or o.minos != want_min]
        r.ok(objects and not wrong, f"{lib}: {len(objects)} Mach-O {arch} objects, minimum macOS {want_min}" + (f"; wrong: {wrong[:5]}" if wrong else ""))
        for o in objects:
            for n, d, ext, _ in o.symbols():
                if ext:
                    (defined if d else undefined).add(n)
    left = sorted(undefined - defined)
    not_system = [s for s in left if s not in libsystem]
    r.ok(not not_system, f"static archives: {len(left)} symbols left undefined, all exported by libSystem" + (f"; not: {not_system[:10]}" if not_system else ""))
    print(f"{triple}: {'all checks passed' if r.failures == 0 else f'{r.failures} checks FAILED'}")
    return r.failures


def info(path):
    data = Path(path).read_bytes()
    files = [MachO(b, f"{path}({n})") for n, b in ar_members(data, path)[1:] if n.endswith(".o")] if data[:8] == b"!<arch>\n" else [MachO(data, path)]
    for m in files[:3]:
        print(f"{m.name}: {m.arch} {m.filetype} minos={m.minos} id={m.install_name} rpaths={m.rpaths}")
        print(f"  loads {m.dylibs}; signature {m.check_signature() or 'valid'}")
        print(f"  {len(m.exported())} exported, {len(m.undefined())} undefined")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "needs":
        needs(sys.argv[2:])
    elif len(sys.argv) == 6 and sys.argv[1] == "check":
        sys.exit(1 if check(*sys.argv[2:]) else 0)
    elif len(sys.argv) == 7 and sys.argv[1] == "linked" and sys.argv[6] in ("static", "dynamic"):
        sys.exit(1 if linked(*sys.argv[2:]) else 0)
    elif len(sys.argv) == 3 and sys.argv[1] == "info":
        info(sys.argv[2])
    else:
        sys.exit(__doc__)
