//! Configures and builds Aeron's CMake project: the C client (`aeron`), the C archive client
//! (`aeron_archive_c_client`) and the C media driver (`aeronmd`), or the static libraries.

use crate::source::AeronSource;
use crate::tools::Tools;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Built {
    pub lib_dir: PathBuf,
    pub aeronmd: PathBuf,
    /// Holds `c/aeron_archive_client/*.h`, the generated codecs.
    pub generated_dir: PathBuf,
}

fn run(cmd: &mut Command, what: &str, log: &Path) {
    let out = cmd.output().unwrap_or_else(|e| crate::fail(format!("cannot start {what}: {e}")));
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::write(log, &text);
    if !out.status.success() {
        // Show the first real error, not the whole trace; the full log stays on disk.
        let first = text
            .lines()
            .find(|l| l.contains("error") || l.contains("Error") || l.contains("FAILED"))
            .unwrap_or("(no error line)");
        eprintln!("{text}");
        crate::fail(format!("{what} failed: {} (full log: {})", first.trim(), log.display()));
    }
}

pub fn build(src: &AeronSource, build_dir: &Path, tools: &Tools, sbe_jar: &Path, static_link: bool) -> Built {
    std::fs::create_dir_all(build_dir)
        .unwrap_or_else(|e| crate::fail(format!("cannot create {}: {e}", build_dir.display())));
    // Serialise concurrent cargo invocations that share this build folder.
    let lock = File::create(build_dir.join(".rusteron.lock"))
        .unwrap_or_else(|e| crate::fail(format!("cannot create lock in {}: {e}", build_dir.display())));
    let _ = lock.lock();

    let generated_dir = build_dir.join("generated");
    crate::codecs::generate(src, &generated_dir, &tools.java, sbe_jar);

    let jobs = std::env::var("NUM_JOBS").unwrap_or_else(|_| "2".into());
    if !build_dir.join("CMakeCache.txt").exists() {
        let mut cfg = Command::new(&tools.cmake);
        cfg.arg("-S").arg(&src.root).arg("-B").arg(build_dir);
        if let Some(ninja) = &tools.ninja {
            cfg.arg("-G").arg("Ninja").arg(format!("-DCMAKE_MAKE_PROGRAM={}", ninja.display()));
        }
        // Aeron's CMake calls Gradle for the codecs (done above with SbeTool) and for a Java jar
        // we do not need. Gradle cannot run here, so the wrapper it calls is `cmake -E true`.
        let gradle_stub = format!("{};-E;true", tools.cmake.display());
        cfg.args([
            "-DCMAKE_BUILD_TYPE=Release",
            "-DCMAKE_POSITION_INDEPENDENT_CODE=ON",
            "-DBUILD_AERON_DRIVER=ON",
            "-DBUILD_AERON_ARCHIVE_API=ON",
            "-DAERON_TESTS=OFF",
            "-DAERON_UNIT_TESTS=OFF",
            "-DAERON_SYSTEM_TESTS=OFF",
            "-DAERON_BUILD_SAMPLES=OFF",
            "-DAERON_BUILD_DOCUMENTATION=OFF",
            "-DAERON_INSTALL_TARGETS=OFF",
        ])
        .arg(format!("-DGRADLE_WRAPPER={gradle_stub}"))
        .arg(format!("-DJava_JAVA_EXECUTABLE={}", tools.java.display()));
        run(&mut cfg, "cmake configure of Aeron", &build_dir.join("rusteron-configure.log"));
    }

    let targets: &[&str] = if static_link {
        &["aeron_static", "aeron_archive_c_client_static", "aeronmd"]
    } else {
        &["aeron", "aeron_archive_c_client", "aeronmd"]
    };
    let mut b = Command::new(&tools.cmake);
    b.arg("--build").arg(build_dir).arg("--parallel").arg(&jobs).arg("--target").args(targets);
    run(&mut b, "cmake build of Aeron", &build_dir.join("rusteron-build.log"));

    let lib_dir = build_dir.join("lib");
    let aeronmd = build_dir.join("binaries/aeronmd");
    if !aeronmd.exists() {
        crate::fail(format!("the Aeron build finished but {} is missing", aeronmd.display()));
    }
    Built { lib_dir, aeronmd, generated_dir }
}
