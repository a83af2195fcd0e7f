//! Generates the archive client's C codecs with SbeTool, the job Aeron's CMake hands to Gradle.

use crate::source::AeronSource;
use crate::tools::find_mvn;
use crate::versions::Versions;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Finds `sbe-all-<v>.jar`: `RUSTERON_SBE_JAR`, the cache, the local Maven repository, or asks
/// Maven to download it from Maven Central and copies it into the cache.
pub fn sbe_jar(cache_dir: &Path, versions: &Versions) -> PathBuf {
    if let Some(jar) = crate::env_path("RUSTERON_SBE_JAR") {
        if !jar.exists() {
            crate::fail(format!("RUSTERON_SBE_JAR={} does not exist", jar.display()));
        }
        return jar;
    }
    let v = &versions.sbe;
    let cached = cache_dir.join("jars").join(format!("sbe-all-{v}.jar"));
    if cached.exists() {
        return cached;
    }
    let m2 = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default()
        .join(format!(".m2/repository/uk/co/real-logic/sbe-all/{v}/sbe-all-{v}.jar"));
    if !m2.exists() {
        let mvn = find_mvn().unwrap_or_else(|| {
            crate::fail(format!(
                "SbeTool jar uk.co.real-logic:sbe-all:{v} not found and mvn is not installed: run `just setup`, `apt-get install -y maven`, or set RUSTERON_SBE_JAR"
            ))
        });
        let status = Command::new(mvn)
            .args(["-q", "-B", "dependency:get", "-Dtransitive=false"])
            .arg(format!("-Dartifact=uk.co.real-logic:sbe-all:{v}"))
            .status();
        if !matches!(status, Ok(s) if s.success()) || !m2.exists() {
            crate::fail(format!(
                "mvn could not download uk.co.real-logic:sbe-all:{v} from Maven Central: check the network or set RUSTERON_SBE_JAR"
            ));
        }
    }
    let _ = std::fs::create_dir_all(cached.parent().unwrap());
    match std::fs::copy(&m2, &cached) {
        Ok(_) => cached,
        Err(_) => m2,
    }
}

/// Where the archive client's C codecs come from.
pub enum Codecs {
    /// Generated when the package was made (`scripts/package.sh`) and shipped in it.
    Shipped(PathBuf),
    /// Generated here by SbeTool: `java -jar sbe-all.jar`.
    SbeTool { java: PathBuf, jar: PathBuf },
}

/// The codecs a packaged crate carries: `vendor/codecs/aeron_archive_client/*.h`.
pub fn packaged(manifest_dir: &Path) -> Option<PathBuf> {
    let dir = manifest_dir.join("vendor/codecs/aeron_archive_client");
    dir.join("controlResponse.h").is_file().then_some(dir)
}

/// Puts the codecs in `<generated>/c/aeron_archive_client/*.h`, where the archive client's sources
/// include them from (`#include "c/aeron_archive_client/controlResponse.h"`).
pub fn provide(src: &AeronSource, generated: &Path, codecs: &Codecs) {
    match codecs {
        Codecs::Shipped(dir) => copy_changed(dir, &generated.join("c/aeron_archive_client")),
        Codecs::SbeTool { java, jar } => generate(src, generated, java, jar),
    }
}

/// Copies the shipped headers, leaving unchanged files untouched so ninja does not rebuild.
fn copy_changed(from: &Path, to: &Path) {
    let fail = |e: std::io::Error| -> ! {
        crate::fail(format!("cannot copy the shipped codecs from {} to {}: {e}", from.display(), to.display()))
    };
    println!("cargo:rerun-if-changed={}", from.display());
    std::fs::create_dir_all(to).unwrap_or_else(|e| fail(e));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| fail(e)).flatten() {
        let target = to.join(entry.file_name());
        let new = std::fs::read(entry.path()).unwrap_or_else(|e| fail(e));
        if std::fs::read(&target).ok().as_deref() != Some(new.as_slice()) {
            std::fs::write(&target, &new).unwrap_or_else(|e| fail(e));
        }
    }
}

fn generate(src: &AeronSource, generated: &Path, java: &Path, jar: &Path) {
    let out = generated.join("c");
    let marker = out.join("aeron_archive_client/controlResponse.h");
    let schema = src.codecs_xml();
    println!("cargo:rerun-if-changed={}", schema.display());
    let fresh = match (marker.metadata().and_then(|m| m.modified()), schema.metadata().and_then(|m| m.modified())) {
        (Ok(g), Ok(s)) => g >= s,
        _ => false,
    };
    if fresh {
        return;
    }
    let xsd = schema.parent().unwrap().join("fpl/sbe.xsd");
    let output = Command::new(java)
        .arg("--add-opens")
        .arg("java.base/jdk.internal.misc=ALL-UNNAMED")
        .arg(format!("-Dsbe.output.dir={}", out.display()))
        .arg("-Dsbe.target.language=C")
        .arg("-Dsbe.target.namespace=aeron.archive.client")
        .arg(format!("-Dsbe.validation.xsd={}", xsd.display()))
        .arg("-Dsbe.validation.stop.on.error=true")
        .arg("-jar")
        .arg(jar)
        .arg(&schema)
        .output()
        .unwrap_or_else(|e| crate::fail(format!("cannot run {}: {e}", java.display())));
    if !output.status.success() || !marker.exists() {
        let err = String::from_utf8_lossy(&output.stderr);
        let first = err.lines().find(|l| !l.trim().is_empty()).unwrap_or("no output");
        crate::fail(format!("SbeTool ({}) failed to generate the archive C codecs: {first}", jar.display()));
    }
}
