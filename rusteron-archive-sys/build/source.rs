//! Finds the Aeron C source tree and checks that it is the pinned version.
//!
//! Order: `AERON_SOURCE_DIR`; the populated `aeron/` git submodule; the tree cached in
//! `<cache>/aeron-<version>`; the crates.io package `libaeron-sys` (which ships the same tree under
//! `aeron/`), located in cargo's registry or fetched there with `cargo fetch`, then copied into the
//! cache.

use crate::versions::Versions;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct AeronSource {
    pub root: PathBuf,
}

impl AeronSource {
    pub fn client_c(&self) -> PathBuf {
        self.root.join("aeron-client/src/main/c")
    }
    pub fn archive_c(&self) -> PathBuf {
        self.root.join("aeron-archive/src/main/c")
    }
    pub fn codecs_xml(&self) -> PathBuf {
        self.root.join("aeron-archive/src/main/resources/archive/aeron-archive-codecs.xml")
    }
}

fn read_version(root: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root.join("version.txt")).ok()?;
    Some(text.trim().to_string())
}

fn accept(root: PathBuf, what: &str, versions: &Versions) -> AeronSource {
    match read_version(&root) {
        Some(v) if v == versions.aeron => {
            println!("cargo:rerun-if-changed={}", root.join("version.txt").display());
            AeronSource { root }
        }
        Some(v) => crate::fail(format!(
            "{what} {} holds Aeron {v}, but this crate is pinned to Aeron {} (versions.env): point AERON_SOURCE_DIR at a {} tree or check out the submodule at the pinned commit",
            root.display(),
            versions.aeron,
            versions.aeron
        )),
        None => crate::fail(format!(
            "{what} {} has no version.txt: it is not an Aeron source tree",
            root.display()
        )),
    }
}

pub fn locate(manifest_dir: &Path, cache_dir: &Path, versions: &Versions) -> AeronSource {
    if let Some(dir) = crate::env_path("AERON_SOURCE_DIR") {
        return accept(dir, "AERON_SOURCE_DIR", versions);
    }
    let submodule = manifest_dir.join("../aeron");
    if submodule.join("version.txt").exists() {
        return accept(submodule.canonicalize().unwrap_or(submodule), "the aeron/ submodule", versions);
    }
    let cached = cache_dir.join(format!("aeron-{}", versions.aeron));
    if cached.join("version.txt").exists() {
        return accept(cached, "the cached tree", versions);
    }
    let from_registry = registry_copy(versions).or_else(|| {
        fetch_with_cargo(cache_dir, versions);
        registry_copy(versions)
    });
    match from_registry {
        Some(tree) => {
            copy_tree(&tree, &cached).unwrap_or_else(|e| {
                crate::fail(format!("cannot copy {} to {}: {e}", tree.display(), cached.display()))
            });
            accept(cached, "the tree copied from libaeron-sys", versions)
        }
        None => crate::fail(format!(
            "no Aeron {} source tree found: set AERON_SOURCE_DIR, run `git submodule update --init aeron`, or run `just setup` (it fetches crates.io's libaeron-sys {} which ships the tree)",
            versions.aeron, versions.libaeron_sys_crate
        )),
    }
}

fn cargo_home() -> Option<PathBuf> {
    crate::env_path("CARGO_HOME").or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

/// `$CARGO_HOME/registry/src/<index>/libaeron-sys-<v>/aeron`, if cargo has unpacked it.
fn registry_copy(versions: &Versions) -> Option<PathBuf> {
    let src = cargo_home()?.join("registry/src");
    let wanted = format!("libaeron-sys-{}", versions.libaeron_sys_crate);
    for index in std::fs::read_dir(src).ok()?.flatten() {
        let tree = index.path().join(&wanted).join("aeron");
        if tree.join("version.txt").exists() {
            return Some(tree);
        }
    }
    None
}

/// Asks cargo to download and unpack `libaeron-sys` through a throw-away manifest.
fn fetch_with_cargo(cache_dir: &Path, versions: &Versions) {
    let dir = cache_dir.join("fetch-libaeron-sys");
    let _ = std::fs::create_dir_all(dir.join("src"));
    let manifest = format!(
        "[package]\nname = \"rusteron-fetch-aeron-source\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n[dependencies]\nlibaeron-sys = \"={}\"\n",
        versions.libaeron_sys_crate
    );
    let _ = std::fs::write(dir.join("Cargo.toml"), manifest);
    let _ = std::fs::write(dir.join("src/lib.rs"), "");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .arg("fetch")
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .env_remove("CARGO_TARGET_DIR")
        .status();
    if !matches!(status, Ok(s) if s.success()) {
        println!("cargo:warning=`cargo fetch` of libaeron-sys {} failed", versions.libaeron_sys_crate);
    }
}

pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    let tmp = to.with_extension("partial");
    let _ = std::fs::remove_dir_all(&tmp);
    copy_dir(from, &tmp)?;
    let _ = std::fs::remove_dir_all(to);
    std::fs::rename(&tmp, to)
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}
