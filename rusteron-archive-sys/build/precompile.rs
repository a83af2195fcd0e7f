//! The `precompile` feature: use an archive made once by `just build-artifacts` instead of building
//! Aeron here. No cmake, SbeTool, java or bindgen (so no libclang) runs on this path.
//!
//! The archive comes from `RUSTERON_PRECOMPILED` (a `.tar.gz`, an unpacked folder, or an
//! http(s) URL), else from this project's release URL for the Aeron version and target triple.
//! Its layout (one top folder `rusteron-aeron-<version>-<target>/`):
//!
//! ```text
//! VERSION        Aeron version, e.g. 1.54.0
//! TARGET         target triple it was built for
//! MANIFEST       `<sha256>  <path>` for every other file (sha256sum format)
//! NEEDS          Linux: `needed <soname>` per system library linked, `glibc <newest symbol version>`;
//!                macOS: `needed /usr/lib/libSystem.B.dylib`, `macos <minimum version>` (informational)
//! bindings.rs    bindgen output for wrapper.h (for that target: system types differ)
//! lib/           libaeron*, libaeron_archive_c_client*, libaeron_driver.*, the static archives
//! bin/aeronmd    the C media driver, rpath $ORIGIN/../lib (macOS: @loader_path/../lib)
//! include/       client, archive client and generated codec headers
//! LICENSE-aeron  Aeron's Apache-2.0 license (the binaries are built from its sources)
//! ```
//!
//! The Linux archive is made on the machine of its triple (`just build-artifacts`); the two macOS
//! archives are cross-built on Linux (`just build-artifacts-macos`).
//!
//! Two checksums. `MANIFEST` travels inside the archive: it catches a corrupt or edited file, not
//! a swapped archive. So the `.tar.gz` itself is checked against a sha256 that does not come with
//! it: for the release download, the one `PRECOMPILED_SHA256` in `versions.env` pins for the
//! target (no pin: no download); for an archive named by `RUSTERON_PRECOMPILED`, the one in
//! `RUSTERON_PRECOMPILED_SHA256` when set (the archive is then the user's own choice).

use crate::cmake_build::Built;
use crate::versions::Versions;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Release URL pattern: the archive `just build-artifacts` makes, attached to a release per Aeron version.
pub const RELEASE_URL: &str =
    "https://github.com/rusteron/rusteron/releases/download/aeron-{version}/rusteron-aeron-{version}-{target}.tar.gz";

/// Files every archive must carry (static and shared for the target's library suffix).
fn required(target: &str) -> Vec<String> {
    let so = if target.contains("apple") { "dylib" } else { "so" };
    let mut v: Vec<String> = [
        "VERSION",
        "bindings.rs",
        "bin/aeronmd",
        "lib/libaeron_static.a",
        "lib/libaeron_archive_c_client_static.a",
        "lib/libaeron_driver_static.a",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for lib in ["aeron", "aeron_archive_c_client", "aeron_driver"] {
        v.push(format!("lib/lib{lib}.{so}"));
    }
    v
}

pub fn archive_name(version: &str, target: &str) -> String {
    format!("rusteron-aeron-{version}-{target}")
}

pub fn prepare(out_dir: &Path, versions: &Versions) -> Built {
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".into());
    let name = archive_name(&versions.aeron, &target);
    let unpack = out_dir.join("aeron-precompiled");

    println!("cargo:rerun-if-env-changed=RUSTERON_PRECOMPILED");
    println!("cargo:rerun-if-env-changed=RUSTERON_PRECOMPILED_SHA256");
    let given_sha = std::env::var("RUSTERON_PRECOMPILED_SHA256").ok().map(|v| v.trim().to_ascii_lowercase());
    let given_sha = given_sha.filter(|v| !v.is_empty());
    if let Some(sha) = &given_sha {
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            crate::fail(format!(
                "RUSTERON_PRECOMPILED_SHA256={sha} is not a sha256 (64 hexadecimal digits, as `sha256sum` prints)"
            ));
        }
    }
    let (source, expected) = match std::env::var("RUSTERON_PRECOMPILED").ok().filter(|v| !v.trim().is_empty()) {
        Some(v) => (v.trim().to_string(), given_sha.map(|sha| (sha, "RUSTERON_PRECOMPILED_SHA256".to_string()))),
        None => {
            let url = RELEASE_URL.replace("{version}", &versions.aeron).replace("{target}", &target);
            let pinned = match given_sha {
                Some(sha) => (sha, "RUSTERON_PRECOMPILED_SHA256".to_string()),
                None => match versions.precompiled_sha256(&target) {
                    Some(sha) => (sha, "PRECOMPILED_SHA256 in versions.env".to_string()),
                    None => crate::fail(format!(
                        "no release archive of Aeron {} is pinned for target {target} (PRECOMPILED_SHA256 in versions.env has no `{target}:<sha256>`), so {url} is not downloaded: build the archive with `just build-artifacts` and set RUSTERON_PRECOMPILED=/path/to/{name}.tar.gz, or drop the `precompile` feature to build Aeron from source",
                        versions.aeron
                    )),
                },
            };
            (url, Some(pinned))
        }
    };

    let _ = std::fs::remove_dir_all(&unpack);
    std::fs::create_dir_all(&unpack)
        .unwrap_or_else(|e| crate::fail(format!("cannot create {}: {e}", unpack.display())));

    if source.contains("://") {
        let file = download(&source, &target, out_dir, &name);
        if let Some((sha, from)) = &expected {
            check_archive_sha256(&file, &source, sha, from, true);
        }
        untar(&file, &unpack);
    } else {
        let path = PathBuf::from(&source);
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() && expected.is_some() {
            crate::fail(format!(
                "RUSTERON_PRECOMPILED_SHA256 is set, but RUSTERON_PRECOMPILED={} is a folder: the sha256 is that of the .tar.gz (point RUSTERON_PRECOMPILED at the archive file, or unset RUSTERON_PRECOMPILED_SHA256)",
                path.display()
            ));
        }
        if path.is_dir() {
            crate::source::copy_tree(&path, &unpack).unwrap_or_else(|e| {
                crate::fail(format!(
                    "cannot copy RUSTERON_PRECOMPILED={} into {}: {e}",
                    path.display(),
                    unpack.display()
                ))
            });
        } else if path.is_file() {
            if let Some((sha, from)) = &expected {
                check_archive_sha256(&path, &source, sha, from, false);
            }
            untar(&path, &unpack);
        } else {
            crate::fail(format!(
                "RUSTERON_PRECOMPILED={} does not exist: point it at {name}.tar.gz (made by `just build-artifacts`), its unpacked folder, or a URL",
                path.display()
            ));
        }
    }

    let root = find_root(&unpack, &source);
    check(&root, &source, versions, &target);

    std::fs::copy(root.join("bindings.rs"), out_dir.join("bindings.rs"))
        .unwrap_or_else(|e| crate::fail(format!("cannot copy bindings.rs into {}: {e}", out_dir.display())));
    let aeronmd = root.join("bin/aeronmd");
    make_executable(&aeronmd);
    Built { lib_dir: root.join("lib"), aeronmd, generated_dir: root.join("include") }
}

/// Lower-case hex SHA-256 of `data`.
fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// Lower-case hex SHA-256 of the file at `path`, read in blocks (an archive is tens of MB).
fn file_sha256_hex(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut block)?;
        if n == 0 {
            break;
        }
        hasher.update(&block[..n]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// The `.tar.gz` itself against the sha256 pinned outside it (`from` says where the pin is). A
/// download that does not match is deleted, so the next build fetches it again.
fn check_archive_sha256(file: &Path, source: &str, expected: &str, from: &str, downloaded: bool) {
    let actual = file_sha256_hex(file).unwrap_or_else(|e| {
        crate::fail(format!("cannot read the precompiled archive {} to check its sha256: {e}", file.display()))
    });
    if actual != expected {
        let shown = file.display().to_string();
        let origin = if shown == source { String::new() } else { format!(" (downloaded from {source})") };
        if downloaded {
            let _ = std::fs::remove_file(file);
        }
        crate::fail(format!(
            "precompiled archive {shown}{origin}: sha256 mismatch: expected {expected} ({from}), actual {actual}; the archive is not the one pinned: a different build or a swapped file"
        ));
    }
}

/// The folder holding `MANIFEST`: the unpack folder itself or its single top folder.
fn find_root(unpack: &Path, source: &str) -> PathBuf {
    if unpack.join("MANIFEST").is_file() {
        return unpack.to_path_buf();
    }
    let dirs: Vec<PathBuf> = std::fs::read_dir(unpack)
        .map(|it| it.flatten().map(|e| e.path()).filter(|p| p.join("MANIFEST").is_file()).collect())
        .unwrap_or_default();
    match dirs.as_slice() {
        [one] => one.clone(),
        _ => crate::fail(format!(
            "{source} is not a rusteron precompiled Aeron archive: no MANIFEST at its top or in its single top folder"
        )),
    }
}

/// Checks every MANIFEST checksum, that the required files are listed, the Aeron version and the target.
fn check(root: &Path, source: &str, versions: &Versions, target: &str) {
    let manifest = std::fs::read_to_string(root.join("MANIFEST"))
        .unwrap_or_else(|e| crate::fail(format!("cannot read MANIFEST of {source}: {e}")));
    let mut listed = Vec::new();
    for line in manifest.lines().filter(|l| !l.trim().is_empty()) {
        let Some((sum, file)) = line.split_once(char::is_whitespace) else {
            crate::fail(format!("MANIFEST of {source} has a malformed line: {line:?}"));
        };
        let file = file.trim_start().trim_start_matches('*').trim_start_matches("./");
        let path = root.join(file);
        let data = std::fs::read(&path).unwrap_or_else(|e| {
            crate::fail(format!("precompiled archive {source}: {file} is listed in MANIFEST but cannot be read: {e}"))
        });
        let got = sha256_hex(&data);
        if !got.eq_ignore_ascii_case(sum.trim()) {
            crate::fail(format!(
                "precompiled archive {source}: checksum mismatch for {file} (MANIFEST says {sum}, file has {got}); the archive is corrupt or was modified, rebuild it with `just build-artifacts`"
            ));
        }
        listed.push(file.to_string());
    }
    for need in required(target) {
        if !listed.contains(&need) {
            crate::fail(format!("precompiled archive {source} lacks {need} (or it is not in its MANIFEST)"));
        }
    }
    check_needs(root, source, target);
    let found = std::fs::read_to_string(root.join("VERSION")).unwrap_or_default().trim().to_string();
    if found != versions.aeron {
        crate::fail(format!(
            "precompiled archive {source} holds Aeron {found}, but this crate expects Aeron {} (versions.env): use rusteron-aeron-{}-{target}.tar.gz",
            versions.aeron, versions.aeron
        ));
    }
    if let Ok(t) = std::fs::read_to_string(root.join("TARGET")) {
        let t = t.trim();
        if !t.is_empty() && t != target {
            crate::fail(format!(
                "precompiled archive {source} was built for {t}, but this build targets {target}: use rusteron-aeron-{}-{target}.tar.gz",
                versions.aeron
            ));
        }
    }
}

/// `NEEDS` (Linux archives) lists the system libraries the archive links and the newest glibc
/// symbol version it uses. When building for this machine, refuse an archive that needs a newer
/// glibc than the one here: the link would fail on an unresolved versioned symbol instead.
/// Required for linux-gnu targets only; a macOS archive's NEEDS (libSystem, minimum macOS, the
/// same as rustc's for the triple) has no glibc line and is not enforced.
fn check_needs(root: &Path, source: &str, target: &str) {
    let Ok(text) = std::fs::read_to_string(root.join("NEEDS")) else {
        if target.contains("linux-gnu") {
            crate::fail(format!(
                "precompiled archive {source} has no NEEDS file (which system libraries and glibc it needs): rebuild it with `just build-artifacts`"
            ));
        }
        return;
    };
    let Some(want) = text.lines().find_map(|l| l.strip_prefix("glibc ")).map(str::trim) else { return };
    if std::env::var("HOST").ok().as_deref() != Some(target) {
        return; // cross build: the build machine's glibc says nothing about the target's
    }
    let have = Command::new("getconf")
        .arg("GNU_LIBC_VERSION")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().trim_start_matches("glibc ").to_string());
    let parse = |v: &str| v.split('.').map(|p| p.parse::<u32>().unwrap_or(0)).collect::<Vec<_>>();
    if let Some(have) = have.filter(|h| !h.is_empty()) {
        if parse(&have) < parse(want) {
            crate::fail(format!(
                "precompiled archive {source} needs glibc >= {want}, this machine has glibc {have}: build Aeron from source (drop the `precompile` feature) or make the archive with `just build-artifacts` on a system with glibc <= {have}"
            ));
        }
    }
}

fn untar(file: &Path, into: &Path) {
    let out = Command::new("tar")
        .arg("-xzf")
        .arg(file)
        .arg("-C")
        .arg(into)
        .output()
        .unwrap_or_else(|e| crate::fail(format!("cannot run `tar` to unpack {}: {e}", file.display())));
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        crate::fail(format!(
            "cannot unpack {} (not a .tar.gz?): {}",
            file.display(),
            err.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("tar failed")
        ));
    }
}

/// Downloads with `curl` into OUT_DIR. A 404 means no archive is published for this target.
fn download(url: &str, target: &str, out_dir: &Path, name: &str) -> PathBuf {
    let dir = out_dir.join("aeron-precompiled-download");
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join(format!("{name}.tar.gz"));
    if file.is_file() {
        return file;
    }
    let partial = file.with_extension("partial");
    let make = if target.ends_with("-apple-darwin") {
        "`just build-artifacts-macos` on Linux".to_string()
    } else {
        format!("`just build-artifacts` on a machine whose host triple is {target}")
    };
    let hint = format!(
        "download it yourself (or build it with {make}) and set RUSTERON_PRECOMPILED=/path/to/{name}.tar.gz, or drop the `precompile` feature to build Aeron from source"
    );
    let out = Command::new("curl")
        .args(["-sSL", "--retry", "2", "--connect-timeout", "20", "-w", "%{http_code}", "-o"])
        .arg(&partial)
        .arg(url)
        .output()
        .unwrap_or_else(|e| {
            crate::fail(format!("cannot download {url} for target {target}: `curl` cannot run ({e}); {hint}"))
        });
    let code = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if out.status.success() && code == "200" || (url.starts_with("file:") && out.status.success()) {
        std::fs::rename(&partial, &file)
            .unwrap_or_else(|e| crate::fail(format!("cannot move the download to {}: {e}", file.display())));
        return file;
    }
    let _ = std::fs::remove_file(&partial);
    if code == "404" {
        crate::fail(format!(
            "no precompiled Aeron archive for target {target}: {url} answered 404 (not found); {hint}"
        ));
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let why = match err.lines().find(|l| !l.trim().is_empty()) {
        Some(l) => l.trim().to_string(),
        None => format!("HTTP {code}"),
    };
    crate::fail(format!(
        "download of the precompiled Aeron archive for target {target} from {url} failed ({why}); {hint}"
    ))
}

fn make_executable(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mut p = meta.permissions();
            p.set_mode(p.mode() | 0o755);
            let _ = std::fs::set_permissions(path, p);
        }
    }
    let _ = path;
}
