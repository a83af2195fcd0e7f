//! `testing::aeronmd_path`: `RUSTERON_AERONMD` first, then the build's `aeronmd`, with errors that
//! say what to set. The lookup is tested as a pure function (no change to this process's
//! environment, so the other tests running in parallel are not affected), and end to end in a
//! child process of this test binary that gets the variable in its own environment.

use rusteron_client::bindings::AERONMD_PATH;
use rusteron_client::testing::{aeronmd_path, aeronmd_path_from, unique_dir, MediaDriverProcess, AERONMD_ENV};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Tells the child test what to check; unset in a normal run, where the child test does nothing.
const CHILD_MODE: &str = "RUSTERON_TESTING_ENV_CHILD";
const CHILD_OK: &str = "testing-env-child-ok";

#[test]
fn unset_variable_gives_the_build_copy() {
    assert_eq!(aeronmd_path_from(None, Path::new(AERONMD_PATH)).unwrap(), PathBuf::from(AERONMD_PATH));
    // An empty value counts as unset.
    assert_eq!(aeronmd_path_from(Some(OsString::new()), Path::new(AERONMD_PATH)).unwrap(), PathBuf::from(AERONMD_PATH));
}

#[test]
fn variable_wins_over_the_build_copy() {
    // The build copy is missing here; the variable names a real binary and is taken.
    let got = aeronmd_path_from(Some(AERONMD_PATH.into()), Path::new("/nonexistent/build/aeronmd")).unwrap();
    assert_eq!(got, PathBuf::from(AERONMD_PATH));
}

#[test]
fn variable_naming_a_missing_file_is_an_error_naming_it() {
    let missing = "/nonexistent/rusteron/aeronmd";
    let err = aeronmd_path_from(Some(missing.into()), Path::new(AERONMD_PATH)).unwrap_err();
    let msg = err.message().unwrap().to_string();
    assert!(msg.contains(&format!("RUSTERON_AERONMD={missing}")), "{msg}");
    assert!(msg.contains("does not exist"), "{msg}");
}

#[test]
fn variable_naming_a_directory_is_an_error() {
    let dir = std::env::temp_dir();
    let err = aeronmd_path_from(Some(dir.clone().into()), Path::new(AERONMD_PATH)).unwrap_err();
    let msg = err.message().unwrap().to_string();
    assert!(msg.contains("RUSTERON_AERONMD=") && msg.contains("is not a file"), "{msg}");
}

#[test]
fn no_variable_and_no_build_copy_names_both() {
    let built = "/nonexistent/target/aeron-build/aeronmd";
    let err = aeronmd_path_from(None, Path::new(built)).unwrap_err();
    let msg = err.message().unwrap().to_string();
    assert!(msg.contains(built), "{msg}");
    assert!(msg.contains("set RUSTERON_AERONMD=/path/to/aeronmd"), "{msg}");
}

#[test]
fn default_lookup_finds_a_binary() {
    // Whatever this process's environment says, the answer is an existing file.
    assert!(aeronmd_path().unwrap().is_file());
}

/// The libtest name of `child_start_driver` in this binary (its module path without the crate).
fn child_test_name() -> String {
    match module_path!().split_once("::") {
        Some((_, module)) => format!("{module}::child_start_driver"),
        None => "child_start_driver".to_string(),
    }
}

/// Runs `child_start_driver` in a new process of this test binary with `RUSTERON_AERONMD=value`.
fn run_child(mode: &str, aeronmd: &str) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", &child_test_name(), "--nocapture", "--test-threads=1"])
        .env(CHILD_MODE, mode)
        .env(AERONMD_ENV, aeronmd)
        .output()
        .expect("run the test binary");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed ({}):\n{stdout}\n{stderr}", out.status);
    assert!(stdout.contains(CHILD_OK), "child did not run its checks:\n{stdout}\n{stderr}");
}

#[test]
fn starting_the_driver_with_a_missing_rusteron_aeronmd_fails_naming_it() {
    let missing = unique_dir("rusteron-no-aeronmd").join("aeronmd");
    run_child("missing", missing.to_str().unwrap());
}

#[test]
fn starting_the_driver_with_rusteron_aeronmd_set_to_the_real_binary_works() {
    run_child("real", AERONMD_PATH);
}

/// The child side of the two tests above; does nothing unless started by them.
#[test]
fn child_start_driver() {
    let Ok(mode) = std::env::var(CHILD_MODE) else { return };
    let set_to = std::env::var(AERONMD_ENV).expect("the parent sets RUSTERON_AERONMD");
    match mode.as_str() {
        "missing" => {
            let err = MediaDriverProcess::start().expect_err("no driver can start from a missing file");
            let msg = err.message().unwrap().to_string();
            assert!(msg.contains(&format!("RUSTERON_AERONMD={set_to}")), "{msg}");
        }
        "real" => {
            assert_eq!(aeronmd_path().unwrap(), PathBuf::from(&set_to));
            let driver = MediaDriverProcess::start().expect("the driver starts");
            let aeron = driver.connect().expect("a client connects");
            assert!(aeron.client_id() >= 0);
        }
        other => panic!("unknown child mode {other}"),
    }
    println!("{CHILD_OK}");
}
