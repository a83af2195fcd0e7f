//! Build script of `rusteron-archive-sys`.
//!
//! Steps, each in its own module:
//! 1. `versions`: read the pinned versions from `versions.env`.
//! 2. `source`: find the Aeron C tree (AERON_SOURCE_DIR, the `aeron/` submodule, or the copy
//!    shipped by the crates.io package `libaeron-sys`) and check its `version.txt`.
//! 3. `tools`: locate cmake (>= 3.30), java and, when needed, mvn; fail with one clear line.
//! 4. `codecs`: generate the archive client's C codecs with SbeTool (no Gradle).
//! 5. `patches`: copy the parts of the tree the C build reads and apply `patches/*.patch`
//!    (listed by `AERON_PATCHES` in `versions.env`); the source candidate is never modified.
//! 6. `cmake_build`: configure and build the client, archive client and media driver.
//! 7. `bindings`: run bindgen over the headers listed in `wrapper.h`.
//! 8. link: emit the cargo link directives (dynamic with rpath, or static).
//!
//! With `DOCS_RS` set (docs.rs), only the bindings shipped in the package are used: nothing is built
//! or linked. With the `precompile` feature, steps 2-6 are replaced by `precompile`: an archive made once by
//! `just build-artifacts` is checked, unpacked into OUT_DIR and linked (no cmake, java, bindgen).

mod bindings;
mod cmake_build;
mod codecs;
mod patches;
#[cfg(feature = "precompile")]
mod precompile;
mod source;
mod tools;
mod versions;

use std::path::{Path, PathBuf};

/// Print one clear line and stop the build. Used for every environment problem.
pub fn fail(msg: impl AsRef<str>) -> ! {
    // cargo shows the `error=` line prominently (Rust >= 1.77); the eprintln keeps it visible on
    // older cargo or when the output is captured.
    println!("cargo::error={}", msg.as_ref());
    eprintln!("rusteron-archive-sys: {}", msg.as_ref());
    std::process::exit(1);
}

pub fn env_path(name: &str) -> Option<PathBuf> {
    println!("cargo:rerun-if-env-changed={name}");
    std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from)
}

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-changed=build");
    println!("cargo:rerun-if-changed=wrapper.h");
    println!("cargo:rerun-if-changed=versions.env");

    let versions = versions::Versions::load(&manifest_dir.join("versions.env"));
    println!("cargo:rerun-if-env-changed=DOCS_RS");
    if std::env::var_os("DOCS_RS").is_some() {
        docs_only(&manifest_dir, &out_dir, &versions);
        return;
    }
    let cache_dir = cache_dir(&manifest_dir, &out_dir);

    let static_link = std::env::var_os("CARGO_FEATURE_STATIC").is_some();
    // With `precompile` (compiled in only with the feature: its sha256 check is the optional
    // build dependency `sha2`), never reaches cmake, SbeTool, java or bindgen (libclang is only
    // loaded by bindgen).
    #[cfg(feature = "precompile")]
    let precompiled = Some(precompile::prepare(&out_dir, &versions));
    #[cfg(not(feature = "precompile"))]
    let precompiled: Option<cmake_build::Built> = None;
    let built = if let Some(built) = precompiled {
        built
    } else {
        // The checks come before the long C build: a missing tool fails in seconds.
        let shipped = codecs::packaged(&manifest_dir);
        let tools = tools::Tools::locate(&cache_dir, shipped.is_none());
        bindings::check_libclang(&out_dir);
        let pristine = source::locate(&manifest_dir, &cache_dir, &versions);
        let pristine_root = pristine.root.clone();
        let patches = patches::load(&manifest_dir, &versions.patches);
        let src = patches::patched_tree(pristine, &patches, &aeron_build_root(&out_dir), &versions.aeron);
        let codecs = match (shipped, &tools.java) {
            (Some(dir), _) => codecs::Codecs::Shipped(dir),
            (None, Some(java)) => {
                codecs::Codecs::SbeTool { java: java.clone(), jar: codecs::sbe_jar(&cache_dir, &versions) }
            }
            (None, None) => unreachable!("Tools::locate requires java when no codecs are shipped"),
        };

        let build_dir = shared_build_dir(&out_dir, &src, &versions);
        let built = cmake_build::build(&src, &build_dir, &tools, &codecs, static_link);
        // For scripts (build-artifacts, package): the CMake folder and the tree it built.
        println!("cargo:rustc-env=RUSTERON_AERON_CMAKE_DIR={}", build_dir.display());
        // The tree as found (what the package ships; the build applies the patches to a copy).
        println!("cargo:rustc-env=RUSTERON_AERON_SOURCE_DIR={}", pristine_root.display());
        println!("cargo:rustc-env=RUSTERON_AERON_PATCHED_DIR={}", src.root.display());

        bindings::generate(&src, &built, &out_dir);
        built
    };
    let lib_dir = link(&built, &out_dir, static_link);

    println!("cargo:rustc-env=RUSTERON_AERON_VERSION={}", versions.aeron);
    println!("cargo:rustc-env=RUSTERON_AERONMD_PATH={}", built.aeronmd.display());
    println!("cargo:rustc-env=RUSTERON_AERON_LIB_DIR={}", lib_dir.display());
    // Exposed to dependents' build scripts as DEP_AERON_* (this crate `links = "aeron"`).
    println!("cargo:LIB_DIR={}", lib_dir.display());
    println!("cargo:include={}", built.generated_dir.display());
    println!("cargo:AERONMD={}", built.aeronmd.display());
    println!("cargo:VERSION={}", versions.aeron);
    println!("cargo:STATIC={}", if static_link { "1" } else { "0" });
}

/// docs.rs builds documentation without network, cmake, Java or libclang: use the bindings that
/// `scripts/package.sh` generated with the normal build and shipped in the package, link nothing.
fn docs_only(manifest_dir: &Path, out_dir: &Path, versions: &versions::Versions) {
    let shipped = manifest_dir.join("vendor/bindings-docs.rs");
    if let Err(e) = std::fs::copy(&shipped, out_dir.join("bindings.rs")) {
        fail(format!(
            "DOCS_RS is set, so the docs are built from {}, which cannot be read ({e}): it is added by `scripts/package.sh` (`just package-check`); outside docs.rs, unset DOCS_RS",
            shipped.display()
        ));
    }
    println!("cargo:rustc-env=RUSTERON_AERON_VERSION={}", versions.aeron);
    println!("cargo:rustc-env=RUSTERON_AERONMD_PATH=(docs build: no aeronmd)");
    println!("cargo:rustc-env=RUSTERON_AERON_LIB_DIR=(docs build: no libraries)");
    println!("cargo:VERSION={}", versions.aeron);
    println!("cargo:STATIC=1");
}

/// Where downloaded inputs (Aeron tree copy, jars) are cached: `RUSTERON_CACHE_DIR`, else the
/// git-ignored `.cache/` of the workspace this crate sits in, else a folder under OUT_DIR.
fn cache_dir(manifest_dir: &Path, out_dir: &Path) -> PathBuf {
    if let Some(dir) = env_path("RUSTERON_CACHE_DIR") {
        return dir;
    }
    let ws = manifest_dir.parent().map(Path::to_path_buf);
    match ws {
        Some(ws) if ws.join("Cargo.toml").exists() && ws.join("justfile").exists() => ws.join(".cache"),
        _ => out_dir.join("cache"),
    }
}

/// The CMake build lives beside cargo's profile folders (`target/aeron-build/...`) rather than in
/// OUT_DIR, so switching between the default and `static` features, or touching build.rs, reuses
/// the compiled Aeron objects instead of rebuilding Aeron from scratch.
fn shared_build_dir(out_dir: &Path, src: &source::AeronSource, versions: &versions::Versions) -> PathBuf {
    if let Some(dir) = env_path("RUSTERON_AERON_BUILD_DIR") {
        return dir;
    }
    // Keyed by the tree and the configure options: a changed option gets a fresh CMake cache.
    let mut key = src.root.to_string_lossy().into_owned();
    for opt in cmake_build::configure_options() {
        key.push('\n');
        key.push_str(opt);
    }
    let mut h: u64 = 0xcbf29ce484222325;
    for b in key.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100000001b3);
    }
    aeron_build_root(out_dir).join(format!("{}-{:08x}", versions.aeron, h as u32))
}

/// `<target>/aeron-build`: the CMake build folders and the patched copies of the tree.
fn aeron_build_root(out_dir: &Path) -> PathBuf {
    // OUT_DIR = <target>/<profile>/build/<pkg>-<hash>/out
    out_dir.ancestors().nth(4).unwrap_or(out_dir).join("aeron-build")
}

/// Emits the link directives and returns the folder the binaries load Aeron from at run time.
///
/// Dynamic: the shared libraries are copied into `OUT_DIR/lib`. Cargo puts a build script's
/// search paths on the dynamic library path of `cargo run`/`cargo test` only when they lie inside
/// `target/<profile>/`, and the CMake folder (`target/aeron-build/`) does not; OUT_DIR does, so a
/// dependent crate's binaries run under cargo with no setup. For running a binary directly, this
/// crate's own targets get an rpath here, the safe crates add one for theirs, and forward the
/// folder to their dependents as `DEP_RUSTERON_CLIENT_LIB_DIR` / `DEP_RUSTERON_ARCHIVE_LIB_DIR`.
fn link(built: &cmake_build::Built, out_dir: &Path, static_link: bool) -> PathBuf {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if static_link {
        println!("cargo:rustc-link-search=native={}", built.lib_dir.display());
        println!("cargo:rustc-link-lib=static=aeron_archive_c_client_static");
        // The embedded media driver (`aeronmd.h`). Its archive repeats the client's common
        // objects (collections, concurrent, util) from the same sources; the linker takes each
        // from whichever archive first resolves a symbol, so nothing is defined twice.
        println!("cargo:rustc-link-lib=static=aeron_driver_static");
        println!("cargo:rustc-link-lib=static=aeron_static");
        for lib in ["pthread", "m", "dl", "rt"] {
            if target_os == "linux" || lib != "rt" {
                println!("cargo:rustc-link-lib=dylib={lib}");
            }
        }
        if target_os == "linux" {
            // Aeron C resolves idle strategies by name with dlsym(); export our symbols.
            println!("cargo:rustc-link-arg=-rdynamic");
        }
        return built.lib_dir.clone();
    }
    let lib_dir = if built.lib_dir.starts_with(out_dir) {
        built.lib_dir.clone() // precompile: already unpacked into OUT_DIR
    } else {
        let dest = out_dir.join("lib");
        copy_shared_libs(&built.lib_dir, &dest);
        dest
    };
    println!("cargo:rustc-link-search=native={}", lib_dir.display());
    println!("cargo:rustc-link-lib=dylib=aeron_archive_c_client");
    // The embedded media driver (`aeronmd.h`); libaeron_driver itself needs libaeron.
    println!("cargo:rustc-link-lib=dylib=aeron_driver");
    println!("cargo:rustc-link-lib=dylib=aeron");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib_dir.display());
    lib_dir
}

/// Copies Aeron's shared libraries (`libaeron*.so*` / `.dylib`) from the CMake folder to `dest`.
fn copy_shared_libs(from: &Path, dest: &Path) {
    let fail = |e: std::io::Error| -> ! {
        crate::fail(format!("cannot copy Aeron's shared libraries from {} to {}: {e}", from.display(), dest.display()))
    };
    std::fs::create_dir_all(dest).unwrap_or_else(|e| fail(e));
    let mut copied = 0;
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| fail(e)).flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let shared = name.contains(".so") || name.ends_with(".dylib");
        if name.starts_with("libaeron") && shared {
            let target = dest.join(&name);
            let tmp = dest.join(format!(".{name}.partial"));
            std::fs::copy(entry.path(), &tmp).unwrap_or_else(|e| fail(e));
            std::fs::rename(&tmp, &target).unwrap_or_else(|e| fail(e));
            copied += 1;
        }
    }
    if copied == 0 {
        crate::fail(format!("the Aeron build left no shared library (libaeron*.so) in {}", from.display()));
    }
}
