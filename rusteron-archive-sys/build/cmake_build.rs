//! Configures and builds Aeron's CMake project: the C client (`aeron`), the C archive client
//! (`aeron_archive_c_client`) and the C media driver (`aeronmd`), or the static libraries.

use crate::codecs::Codecs;
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

/// The `-D` options of the configure step (tool paths aside). The build folder's name hashes them,
/// so changing one configures a fresh folder instead of reusing a stale CMakeCache.txt.
///
/// Aeron's CMake links libbsd and libuuid when it happens to find them (and compiles against
/// `<bsd/stdlib.h>`), so the same sources gave different libraries on machines with and without
/// `libbsd-dev`/`uuid-dev`, and a static link then failed on `reallocf`. The cache entries below
/// give every machine the result of a machine without them: `arc4random` and `posix_memalign`
/// come from libc (glibc >= 2.36, macOS), `reallocf` from Aeron's own fallback, and the driver's
/// receiver id from Aeron's random fallback instead of `uuid_generate`. A value set in the cache
/// makes CMake skip the check (`check_include_file`, `check_symbol_exists`), and an empty
/// `find_library` result is taken as found-and-false.
pub fn configure_options() -> Vec<&'static str> {
    vec![
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
        // Optional system libraries: never used, whatever is installed.
        "-DLIBBSD_EXISTS=",
        "-DBSDSTDLIB_H_EXISTS=0",
        "-DLIBUUID_EXISTS=",
        "-DUUID_H_EXISTS=0",
        "-DUUID_GENERATE_PROTOTYPE_EXISTS=0",
    ]
}

/// Aeron's CMake asks git for the commit it reports in `aeron_version_full()`. Stop git at the
/// tree's parent so a tree copied into another repository (ours, a dependent's) does not report
/// that repository's HEAD (and `+guilty` when it is dirty) as Aeron's commit.
fn blind_git(cmd: &mut Command, src: &AeronSource) {
    if let Some(parent) = src.root.parent() {
        cmd.env("GIT_CEILING_DIRECTORIES", parent);
    }
}

pub fn build(src: &AeronSource, build_dir: &Path, tools: &Tools, codecs: &Codecs, static_link: bool) -> Built {
    std::fs::create_dir_all(build_dir)
        .unwrap_or_else(|e| crate::fail(format!("cannot create {}: {e}", build_dir.display())));
    // Serialise concurrent cargo invocations that share this build folder.
    let lock = File::create(build_dir.join(".rusteron.lock"))
        .unwrap_or_else(|e| crate::fail(format!("cannot create lock in {}: {e}", build_dir.display())));
    let _ = lock.lock();

    let generated_dir = build_dir.join("generated");
    crate::codecs::provide(src, &generated_dir, codecs);

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
        cfg.args(configure_options())
            .arg(format!("-DGRADLE_WRAPPER={gradle_stub}"))
            .arg(format!("-DJava_JAVA_EXECUTABLE={}", java_for_cmake(tools, build_dir).display()));
        blind_git(&mut cfg, src);
        run(&mut cfg, "cmake configure of Aeron", &build_dir.join("rusteron-configure.log"));
    }

    let targets: &[&str] = if static_link {
        &["aeron_static", "aeron_archive_c_client_static", "aeron_driver_static", "aeronmd"]
    } else {
        &["aeron", "aeron_archive_c_client", "aeron_driver", "aeronmd"]
    };
    let mut b = Command::new(&tools.cmake);
    blind_git(&mut b, src);
    b.arg("--build").arg(build_dir).arg("--parallel").arg(&jobs).arg("--target").args(targets);
    run(&mut b, "cmake build of Aeron", &build_dir.join("rusteron-build.log"));

    let lib_dir = build_dir.join("lib");
    let aeronmd = build_dir.join("binaries/aeronmd");
    if !aeronmd.exists() {
        crate::fail(format!("the Aeron build finished but {} is missing", aeronmd.display()));
    }
    Built { lib_dir, aeronmd, generated_dir }
}

/// Aeron's archive CMakeLists asks for `find_package(Java 17 REQUIRED)` although, with the codecs
/// provided and Gradle stubbed out, nothing runs Java during the build. Without a JDK (a build
/// from the package) CMake gets a stub that only answers `-version`.
fn java_for_cmake(tools: &Tools, build_dir: &Path) -> PathBuf {
    if let Some(java) = &tools.java {
        return java.clone();
    }
    let stub = build_dir.join("java-version-stub/java");
    let script = "#!/bin/sh\n# Answers CMake's find_package(Java 17); rusteron runs no Java when the codecs are shipped.\necho 'openjdk version \"17.0.0\" (rusteron stub: no Java is run)' >&2\n";
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(stub.parent().unwrap())?;
        std::fs::write(&stub, script)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755))?;
        }
        Ok(())
    };
    write().unwrap_or_else(|e| crate::fail(format!("cannot write {}: {e}", stub.display())));
    stub
}
