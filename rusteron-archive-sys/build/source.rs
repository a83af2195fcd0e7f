//! Finds the Aeron C source tree and checks that it is the pinned version.
//!
//! Order: `AERON_SOURCE_DIR`; the sources shipped inside the packaged crate (`vendor/aeron`); the
//! populated `aeron/` git submodule; the tree `just setup` copies into `<cache>/aeron-<version>`
//! from the crates.io package `libaeron-sys` (which ships the same tree under `aeron/`). The build
//! script itself never downloads anything nor looks into cargo's registry.

use crate::versions::Versions;
use std::path::{Path, PathBuf};

pub struct AeronSource {
    pub root: PathBuf,
}

impl AeronSource {
    pub fn client_c(&self) -> PathBuf {
        self.root.join("aeron-client/src/main/c")
    }
    pub fn driver_c(&self) -> PathBuf {
        self.root.join("aeron-driver/src/main/c")
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
    let packaged = packaged_tree(manifest_dir);
    if packaged.join("version.txt").exists() {
        return accept(packaged, "the Aeron sources shipped in this package", versions);
    }
    let submodule = manifest_dir.join("../aeron");
    if submodule.join("version.txt").exists() {
        return accept(submodule.canonicalize().unwrap_or(submodule), "the aeron/ submodule", versions);
    }
    let cached = cache_dir.join(format!("aeron-{}", versions.aeron));
    if cached.join("version.txt").exists() {
        return accept(cached, "the cached tree", versions);
    }
    crate::fail(format!(
        "no Aeron {v} source tree found (looked at AERON_SOURCE_DIR, {}, {} and {}): set AERON_SOURCE_DIR to an Aeron {v} tree, run `git submodule update --init aeron`, or, in the rusteron repository, `just setup` (it copies the tree that crates.io's libaeron-sys {} ships)",
        packaged.display(),
        manifest_dir.join("../aeron").display(),
        cached.display(),
        versions.libaeron_sys_crate,
        v = versions.aeron,
    ))
}

/// Where a packaged crate carries the Aeron C sources (copied in by `scripts/package.sh`, never
/// committed): the openssl-src / libsqlite3-sys `bundled` pattern.
pub fn packaged_tree(manifest_dir: &Path) -> PathBuf {
    manifest_dir.join("vendor/aeron")
}

/// Copies a folder (`RUSTERON_PRECOMPILED` naming an unpacked archive) through a `.partial` copy.
#[cfg(feature = "precompile")]
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    let tmp = to.with_extension("partial");
    let _ = std::fs::remove_dir_all(&tmp);
    copy_dir(from, &tmp)?;
    let _ = std::fs::remove_dir_all(to);
    std::fs::rename(&tmp, to)
}

pub fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
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
