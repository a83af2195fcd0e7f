//! Applies our patches to Aeron's C sources (`patches/*.patch`, listed in order by
//! `AERON_PATCHES` in `versions.env`).
//!
//! The source candidate is never modified: it may be a user's read-only checkout, or a tree
//! shared by several builds at once. The parts of the tree the C build reads are copied under
//! `<target>/aeron-build/src-<version>-<key>/`, where the key hashes the candidate's path and the
//! patches' names and contents (a changed patch gets a fresh copy, and so a fresh CMake build
//! folder, whose name hashes the tree's path). The copy is made once and reused while its stamp
//! is there, so incremental C builds stay incremental.
//!
//! The patches are unified diffs applied by the small code below (a bare system may have no
//! `patch` binary): each hunk's context and removed lines must match the file exactly at the
//! line the hunk names, or the build stops naming the patch, file and hunk.

use crate::source::AeronSource;
use std::fs::File;
use std::path::{Path, PathBuf};

/// What the C build reads from the tree; the copy holds only this (`scripts/package.sh` ships
/// the same parts).
const TREE_PARTS: &[&str] = &[
    "CMakeLists.txt",
    "version.txt",
    "LICENSE",
    "aeron-client/src/main/c",
    "aeron-client/src/main/cpp_wrapper",
    "aeron-driver/src/main/c",
    "aeron-archive/src/main/c",
    "aeron-archive/src/main/cpp_wrapper",
    "aeron-archive/src/main/resources/archive",
];

pub struct Patch {
    pub name: String,
    text: String,
}

/// The patches named by `AERON_PATCHES` (comma-separated), read from `patches/`. A file in
/// `patches/` that the list leaves out stops the build too: a patch cannot be forgotten.
pub fn load(manifest_dir: &Path, list: &str) -> Vec<Patch> {
    let dir = manifest_dir.join("patches");
    println!("cargo:rerun-if-changed={}", dir.display());
    let names: Vec<&str> = list.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
    let mut patches = Vec::new();
    for name in &names {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            crate::fail(format!("versions.env lists the patch {name}, but {} cannot be read: {e}", path.display()))
        });
        patches.push(Patch { name: name.to_string(), text });
    }
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if file.ends_with(".patch") && !names.contains(&file.as_str()) {
                crate::fail(format!(
                    "{} is not listed in AERON_PATCHES of versions.env: list it (in order) or remove it",
                    entry.path().display()
                ));
            }
        }
    }
    patches
}

fn fnv(h: &mut u64, bytes: &[u8]) {
    for b in bytes {
        *h = (*h ^ *b as u64).wrapping_mul(0x100000001b3);
    }
}

/// The tree the C build uses: `src` itself when there is no patch, else a patched copy under
/// `aeron_build` (made once per source path and patch set).
pub fn patched_tree(src: AeronSource, patches: &[Patch], aeron_build: &Path, version: &str) -> AeronSource {
    if patches.is_empty() {
        return src;
    }
    let mut h: u64 = 0xcbf29ce484222325;
    fnv(&mut h, src.root.to_string_lossy().as_bytes());
    for p in patches {
        fnv(&mut h, b"\0");
        fnv(&mut h, p.name.as_bytes());
        fnv(&mut h, b"\0");
        fnv(&mut h, p.text.as_bytes());
    }
    let dest = aeron_build.join(format!("src-{version}-{:08x}", h as u32));
    let stamp = dest.join(".rusteron-patched");
    let fail_io = |what: &str, p: &Path, e: std::io::Error| -> ! {
        crate::fail(format!("cannot {what} {} (patched copy of the Aeron tree): {e}", p.display()))
    };
    std::fs::create_dir_all(aeron_build).unwrap_or_else(|e| fail_io("create", aeron_build, e));
    // Several cargo builds may share this folder: one makes the copy, the others wait for it.
    let lock_path = aeron_build.join(format!(".{}.lock", dest.file_name().unwrap().to_string_lossy()));
    let lock = File::create(&lock_path).unwrap_or_else(|e| fail_io("create", &lock_path, e));
    let _ = lock.lock();
    if !stamp.exists() {
        let tmp: PathBuf = aeron_build.join(format!("{}.partial", dest.file_name().unwrap().to_string_lossy()));
        let _ = std::fs::remove_dir_all(&tmp);
        for part in TREE_PARTS {
            let from = src.root.join(part);
            let to = tmp.join(part);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap_or_else(|e| fail_io("create", &to, e));
            let r =
                if from.is_dir() { crate::source::copy_dir(&from, &to) } else { std::fs::copy(&from, &to).map(|_| ()) };
            r.unwrap_or_else(|e| fail_io("copy into", &to, e));
        }
        // Aeron's CMake makes the output folder of its (unused) aeron-all jar rule in the tree.
        let jar_dir = tmp.join("aeron-all/build/libs");
        std::fs::create_dir_all(&jar_dir).unwrap_or_else(|e| fail_io("create", &jar_dir, e));
        for p in patches {
            apply(p, &tmp, &src.root);
        }
        let names: Vec<&str> = patches.iter().map(|p| p.name.as_str()).collect();
        let note = format!("Aeron tree {} with the patches:\n{}\n", src.root.display(), names.join("\n"));
        std::fs::write(tmp.join(".rusteron-patched"), note).unwrap_or_else(|e| fail_io("write", &tmp, e));
        let _ = std::fs::remove_dir_all(&dest);
        std::fs::rename(&tmp, &dest).unwrap_or_else(|e| fail_io("rename to", &dest, e));
    }
    AeronSource { root: dest }
}

struct Hunk {
    header: String,
    old_start: usize,
    /// (' ' | '-' | '+', text without the marker)
    lines: Vec<(char, String)>,
}

struct FilePatch {
    path: String,
    hunks: Vec<Hunk>,
}

/// Parses the unified diff part of a patch (everything before the first `--- ` line is prose).
fn parse(p: &Patch) -> Vec<FilePatch> {
    let bad = |what: String| -> ! { crate::fail(format!("patch {}: {what}", p.name)) };
    let mut files: Vec<FilePatch> = Vec::new();
    let mut lines = p.text.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(old) = line.strip_prefix("--- ") {
            let Some(new) = lines.next().and_then(|l| l.strip_prefix("+++ ")) else {
                bad(format!("'--- {old}' is not followed by a '+++ ' line"));
            };
            let path = new.split('\t').next().unwrap().trim();
            let path = path.strip_prefix("b/").unwrap_or_else(|| bad(format!("'+++ {new}': expected a b/ path")));
            files.push(FilePatch { path: path.to_string(), hunks: Vec::new() });
        } else if line.starts_with("@@ ") {
            let Some(file) = files.last_mut() else { bad(format!("hunk '{line}' before any file")) };
            // @@ -l[,s] +l[,s] @@
            let range = |sign: char| -> (usize, usize) {
                let field = line
                    .split_whitespace()
                    .find(|f| f.starts_with(sign))
                    .unwrap_or_else(|| bad(format!("bad hunk header '{line}'")));
                let mut it = field[1..].split(',');
                let start =
                    it.next().and_then(|s| s.parse().ok()).unwrap_or_else(|| bad(format!("bad hunk header '{line}'")));
                let len = it
                    .next()
                    .map_or(Some(1), |s| s.parse().ok())
                    .unwrap_or_else(|| bad(format!("bad hunk header '{line}'")));
                (start, len)
            };
            let (old_start, old_len) = range('-');
            let (_, new_len) = range('+');
            let (mut old_seen, mut new_seen) = (0, 0);
            let mut hunk = Hunk { header: line.to_string(), old_start, lines: Vec::new() };
            while old_seen < old_len || new_seen < new_len {
                let Some(l) = lines.next() else { bad(format!("hunk '{line}' of {} ends early", file.path)) };
                let (kind, text) = match l.chars().next() {
                    Some(c @ (' ' | '-' | '+')) => (c, &l[1..]),
                    None => (' ', ""),
                    Some(_) => bad(format!("hunk '{line}' of {}: unexpected line '{l}'", file.path)),
                };
                if kind != '+' {
                    old_seen += 1;
                }
                if kind != '-' {
                    new_seen += 1;
                }
                hunk.lines.push((kind, text.to_string()));
            }
            if lines.peek().is_some_and(|l| l.starts_with('\\')) {
                bad(format!("hunk '{line}' of {}: '\\ No newline at end of file' is not supported", file.path));
            }
            file.hunks.push(hunk);
        }
    }
    if files.is_empty() || files.iter().any(|f| f.hunks.is_empty()) {
        bad("no file or hunk found (not a unified diff?)".into());
    }
    files
}

/// Applies `p` to the tree at `root`, in place (our copy of `origin`). Every hunk must match
/// exactly at its line.
fn apply(p: &Patch, root: &Path, origin: &Path) {
    for file in parse(p) {
        let path = root.join(&file.path);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| crate::fail(format!("patch {}: cannot read {} ({e})", p.name, file.path)));
        let old: Vec<&str> = text.lines().collect();
        let mut out: Vec<String> = Vec::with_capacity(old.len() + 64);
        let mut next = 0; // first line of `old` not yet copied
        for hunk in &file.hunks {
            let start = hunk.old_start.saturating_sub(1);
            let expected: Vec<&str> = hunk.lines.iter().filter(|(k, _)| *k != '+').map(|(_, t)| t.as_str()).collect();
            let matches = start >= next
                && start + expected.len() <= old.len()
                && old[start..start + expected.len()].iter().zip(&expected).all(|(a, b)| a == b);
            if !matches {
                crate::fail(format!(
                    "patch {} does not apply to {} of the Aeron tree {}: hunk '{}' does not match the file at line {} (is the tree Aeron's pinned version, unmodified?)",
                    p.name,
                    file.path,
                    origin.display(),
                    hunk.header,
                    hunk.old_start
                ));
            }
            out.extend(old[next..start].iter().map(|s| s.to_string()));
            out.extend(hunk.lines.iter().filter(|(k, _)| *k != '-').map(|(_, t)| t.clone()));
            next = start + expected.len();
        }
        out.extend(old[next..].iter().map(|s| s.to_string()));
        let mut body = out.join("\n");
        if text.ends_with('\n') {
            body.push('\n');
        }
        std::fs::write(&path, body)
            .unwrap_or_else(|e| crate::fail(format!("patch {}: cannot write {} ({e})", p.name, path.display())));
    }
}
