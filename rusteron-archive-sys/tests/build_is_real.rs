//! Proves the build is real: the linked libraries report the pinned version, the built `aeronmd`
//! runs, a client connects to it through the raw bindings, and the linkage is what the features say.

use rusteron_archive_sys::*;
use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

fn cstr(p: *const std::os::raw::c_char) -> String {
    assert!(!p.is_null());
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

#[test]
fn client_library_is_the_pinned_version() {
    let full = cstr(unsafe { aeron_version_full() });
    assert!(full.contains(AERON_VERSION), "aeron_version_full() = {full:?}, expected {AERON_VERSION}");
    assert_eq!(AERON_VERSION, "1.54.0");
    let text = cstr(unsafe { aeron_version_text() });
    assert_eq!(text, AERON_VERSION);
    let v = unsafe { (aeron_version_major(), aeron_version_minor(), aeron_version_patch()) };
    assert_eq!(v, (1, 54, 0));
}

#[test]
fn archive_client_library_is_the_pinned_version() {
    let text = cstr(unsafe { aeron_archive_client_version_text() });
    assert_eq!(text, AERON_VERSION);
    let v = unsafe {
        (
            aeron_archive_client_version_major(),
            aeron_archive_client_version_minor(),
            aeron_archive_client_version_patch(),
        )
    };
    assert_eq!(v, (1, 54, 0));
}

struct Driver {
    child: Child,
    dir: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start_driver() -> Driver {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("rusteron-sys-test-{}-{nanos}", std::process::id()));
    assert!(Path::new(AERONMD_PATH).exists(), "aeronmd missing at {AERONMD_PATH}");
    let child = Command::new(AERONMD_PATH)
        .env("AERON_DIR", &dir)
        .env("AERON_THREADING_MODE", "SHARED")
        .env("AERON_DIR_DELETE_ON_START", "1")
        .env("AERON_DIR_DELETE_ON_SHUTDOWN", "1")
        .spawn()
        .expect("start aeronmd");
    let driver = Driver { child, dir };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !driver.dir.join("cnc.dat").exists() {
        assert!(Instant::now() < deadline, "aeronmd did not create cnc.dat within 10s");
        std::thread::sleep(Duration::from_millis(5));
    }
    driver
}

#[test]
fn raw_client_connects_to_the_built_media_driver() {
    let mut driver = start_driver();
    let dir = CString::new(driver.dir.to_str().unwrap()).unwrap();
    unsafe {
        let mut ctx: *mut aeron_context_t = std::ptr::null_mut();
        assert_eq!(aeron_context_init(&mut ctx), 0, "{}", cstr(aeron_errmsg()));
        assert_eq!(aeron_context_set_dir(ctx, dir.as_ptr()), 0);
        let mut client: *mut aeron_t = std::ptr::null_mut();
        assert_eq!(aeron_init(&mut client, ctx), 0, "aeron_init: {}", cstr(aeron_errmsg()));
        assert_eq!(aeron_start(client), 0, "aeron_start: {}", cstr(aeron_errmsg()));
        let client_id = aeron_client_id(client);
        assert!(client_id >= 0);
        // The driver answers requests: a counter registered by this client shows up.
        assert!(!aeron_counters_reader(client).is_null());
        assert_eq!(aeron_close(client), 0);
        assert_eq!(aeron_context_close(ctx), 0);
    }
    assert!(driver.child.try_wait().unwrap().is_none(), "aeronmd exited while the client was connected");
}

#[test]
fn a_client_without_a_driver_fails_with_aerons_message() {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = CString::new(format!("/tmp/rusteron-no-driver-{nanos}")).unwrap();
    unsafe {
        let mut ctx: *mut aeron_context_t = std::ptr::null_mut();
        assert_eq!(aeron_context_init(&mut ctx), 0);
        aeron_context_set_dir(ctx, dir.as_ptr());
        aeron_context_set_driver_timeout_ms(ctx, 200);
        let mut client: *mut aeron_t = std::ptr::null_mut();
        let rc = aeron_init(&mut client, ctx);
        if rc == 0 {
            assert!(aeron_start(client) < 0 || aeron_close(client) == 0);
        } else {
            let msg = cstr(aeron_errmsg());
            assert!(!msg.is_empty(), "aeron_init failed without a message");
        }
        aeron_context_close(ctx);
    }
}

/// With `static`, no Aeron shared object is loaded; by default, libaeron.so is (from the rpath).
#[test]
fn linkage_matches_the_features() {
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("ldd").arg(&exe).output().expect("run ldd");
    let text = String::from_utf8_lossy(&out.stdout);
    let aeron_libs: Vec<&str> = text.lines().filter(|l| l.contains("libaeron")).collect();
    println!("static={STATIC_LINKED}; Aeron objects ldd lists for {}: {aeron_libs:#?}", exe.display());
    if STATIC_LINKED {
        assert!(aeron_libs.is_empty(), "static build still needs: {aeron_libs:?}");
    } else {
        assert!(aeron_libs.iter().any(|l| l.contains("libaeron.so") && l.contains(AERON_LIB_DIR)), "ldd: {text}");
        assert!(aeron_libs.iter().all(|l| !l.contains("not found")), "ldd: {text}");
    }
}

/// Aeron's CMake would use libbsd and libuuid when their -dev packages are installed; the build
/// turns both off so every machine gets the same libraries. Neither the driver nor any Aeron
/// library (shared or static) may name them, nor need a symbol only they provide.
#[test]
fn optional_system_libraries_are_not_used() {
    let mut files = vec![PathBuf::from(AERONMD_PATH)];
    for entry in std::fs::read_dir(AERON_LIB_DIR).expect("read AERON_LIB_DIR").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("libaeron") && (name.ends_with(".so") || name.ends_with(".a")) {
            files.push(entry.path());
        }
    }
    assert!(files.len() >= 3, "expected aeronmd and Aeron libraries in {AERON_LIB_DIR}: {files:?}");
    for file in &files {
        let is_archive = file.extension().is_some_and(|e| e == "a");
        if !is_archive {
            let out = Command::new("readelf").arg("-d").arg(file).output().expect("run readelf");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "readelf -d {}: {text}", file.display());
            // Only the NEEDED entries: the RUNPATH line holds the build's own path, which may
            // contain any word (a target directory named ".../libbsd-check/..." say).
            let needed: Vec<&str> = text.lines().filter(|l| l.contains("(NEEDED)")).collect();
            for lib in ["libbsd", "libuuid"] {
                let hit = needed.iter().find(|l| l.contains(&format!("[{lib}.")));
                assert!(hit.is_none(), "{} needs {lib}: {hit:?}", file.display());
            }
        }
        let out = Command::new("nm").arg("-u").arg(file).output().expect("run nm");
        let text = String::from_utf8_lossy(&out.stdout);
        for sym in ["reallocf", "uuid_generate", "strlcpy"] {
            let hit =
                text.lines().find(|l| l.split_whitespace().last().is_some_and(|s| s.split('@').next() == Some(sym)));
            assert!(hit.is_none(), "{} needs {sym} (from libbsd/libuuid): {hit:?}", file.display());
        }
    }
}

/// The patches of `patches/` (listed by `AERON_PATCHES` in `versions.env`) are in the libraries
/// this crate links: each patch names, on its `Marker:` line, a string it adds to Aeron's C (an
/// error message), and on its `Library:` line the library its file goes into; every such
/// library in `AERON_LIB_DIR` (shared or static, built from source or unpacked from a
/// precompiled archive) must hold the marker. A build, or a precompiled archive, without one of
/// the patches fails here. A patch that adds no string names instead, on a `Test:` line, the
/// test of this crate that fails without it (run against the same libraries).
#[test]
fn the_libraries_carry_every_patch() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let versions = std::fs::read_to_string(VERSIONS_FILE).unwrap();
    let list = versions
        .lines()
        .find_map(|l| l.strip_prefix("AERON_PATCHES="))
        .expect("versions.env has an AERON_PATCHES= line");
    let names: Vec<&str> = list.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
    assert!(!names.is_empty(), "AERON_PATCHES lists no patch");
    let files: Vec<String> = std::fs::read_dir(AERON_LIB_DIR)
        .expect("read AERON_LIB_DIR")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    for name in &names {
        let text = std::fs::read_to_string(manifest.join("patches").join(name)).unwrap();
        let header = |key: &str| text.lines().find_map(|l| l.strip_prefix(key)).map(str::to_string);
        let library = header("Library: ").unwrap_or_else(|| panic!("patches/{name} has no 'Library: ' line"));
        let Some(marker) = header("Marker: ") else {
            // A patch that adds no string is proved by behaviour: `Test: <file> <test>` names the
            // test of this crate that fails without it.
            let test = header("Test: ").unwrap_or_else(|| panic!("patches/{name} has neither 'Marker: ' nor 'Test: '"));
            let (file, test_name) = test.split_once(' ').expect("Test: <file in tests/> <test name>");
            let source = std::fs::read_to_string(manifest.join("tests").join(file)).unwrap();
            assert!(
                source.contains(&format!("fn {test_name}()")),
                "patches/{name}: no test {test_name} in tests/{file}"
            );
            println!("{name}: proved by tests/{file} {test_name}");
            continue;
        };
        assert!(
            text.lines().any(|l| l.starts_with('+') && !l.starts_with("+++") && l.contains(&marker)),
            "patches/{name}: its marker {marker:?} is not on a line the patch adds"
        );
        let libs: Vec<&String> = files
            .iter()
            .filter(|f| [".so", ".dylib", "_static.a"].iter().any(|ext| f.strip_suffix(ext) == Some(library.as_str())))
            .collect();
        assert!(!libs.is_empty(), "patches/{name}: no {library} library in {AERON_LIB_DIR}: {files:?}");
        for lib in libs {
            let bytes = std::fs::read(Path::new(AERON_LIB_DIR).join(lib)).unwrap();
            let found = bytes.windows(marker.len()).any(|w| w == marker.as_bytes());
            assert!(found, "{AERON_LIB_DIR}/{lib} lacks patch {name}: no {marker:?} in it");
            println!("{lib}: has patch {name}");
        }
    }
}
