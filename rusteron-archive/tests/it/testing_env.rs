//! `testing::find_aeron_all_jar` and `testing::find_java`: the environment overrides, the places
//! searched, and errors that say what to run or set from a crate that depends on this one. The
//! lookups are tested as pure functions (no change to this process's environment), and the jar
//! override end to end in a child process of this test binary.

use rusteron_archive::testing::{
    aeron_all_fetch_command, aeron_all_version, find_aeron_all_jar, find_aeron_all_jar_from, find_java, find_java_from,
    unique_dir, EmbeddedArchiveMediaDriverProcess, AERON_ALL_JAR_ENV,
};
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

const CHILD_MODE: &str = "RUSTERON_TESTING_ENV_CHILD";
const CHILD_OK: &str = "testing-env-child-ok";

/// An environment made of these pairs only.
fn env_of(pairs: &[(&str, &Path)]) -> impl Fn(&str) -> Option<OsString> {
    let map: HashMap<String, OsString> =
        pairs.iter().map(|(k, v)| (k.to_string(), v.as_os_str().to_os_string())).collect();
    move |k| map.get(k).cloned()
}

/// A fresh folder laid out like a checkout: `<root>/sys/versions.env` pinning `version`.
fn fake_workspace(version: &str) -> (PathBuf, PathBuf) {
    let root = unique_dir("rusteron-testing-env");
    std::fs::create_dir_all(root.join("sys")).unwrap();
    let versions = root.join("sys/versions.env");
    std::fs::write(&versions, format!("# pins\nAERON_ALL_VERSION={version}\n")).unwrap();
    (root, versions)
}

fn touch(p: &Path) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, b"not really a jar").unwrap();
}

fn message(e: rusteron_archive::AeronCError) -> String {
    e.message().unwrap_or_default().to_string()
}

#[test]
fn jar_variable_naming_a_missing_file_is_an_error_naming_it() {
    let missing = unique_dir("rusteron-no-jar").join("aeron-all.jar");
    let err = find_aeron_all_jar_from(env_of(&[(AERON_ALL_JAR_ENV, &missing)]), Path::new("/nonexistent/versions.env"))
        .unwrap_err();
    let msg = message(err);
    assert!(msg.contains(&format!("RUSTERON_AERON_ALL_JAR={}", missing.display())), "{msg}");
    assert!(msg.contains("does not exist"), "{msg}");
}

#[test]
fn jar_variable_naming_a_real_jar_is_taken() {
    let real = find_aeron_all_jar().expect("this machine has the jar (`just setup`)");
    let got =
        find_aeron_all_jar_from(env_of(&[(AERON_ALL_JAR_ENV, &real)]), Path::new("/nonexistent/versions.env")).unwrap();
    assert_eq!(got, real);
}

#[test]
fn no_jar_anywhere_names_the_maven_command_and_the_variable() {
    let (root, versions) = fake_workspace("9.8.7");
    let home = root.join("home");
    let err = find_aeron_all_jar_from(env_of(&[("HOME", &home)]), &versions).unwrap_err();
    let msg = message(err);
    assert!(msg.contains("`mvn -q dependency:get -Dtransitive=false -Dartifact=io.aeron:aeron-all:9.8.7`"), "{msg}");
    assert!(msg.contains("set RUSTERON_AERON_ALL_JAR=/path/to/aeron-all-9.8.7.jar"), "{msg}");
    assert!(msg.contains("inside the rusteron repository, `just setup`"), "{msg}");
    // Every place looked at is named.
    assert!(msg.contains(&root.join(".cache/jars/aeron-all-9.8.7.jar").display().to_string()), "{msg}");
    assert!(msg.contains(".m2/repository/io/aeron/aeron-all/9.8.7/aeron-all-9.8.7.jar"), "{msg}");
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn jar_is_found_in_the_cache_dir_the_workspace_and_maven() {
    let (root, versions) = fake_workspace("9.8.7");
    let home = root.join("home");
    let m2 = home.join(".m2/repository/io/aeron/aeron-all/9.8.7/aeron-all-9.8.7.jar");
    touch(&m2);
    assert_eq!(find_aeron_all_jar_from(env_of(&[("HOME", &home)]), &versions).unwrap(), m2);
    let workspace = root.join(".cache/jars/aeron-all-9.8.7.jar");
    touch(&workspace);
    assert_eq!(find_aeron_all_jar_from(env_of(&[("HOME", &home)]), &versions).unwrap(), workspace);
    let cache = root.join("elsewhere");
    let cached = cache.join("jars/aeron-all-9.8.7.jar");
    touch(&cached);
    assert_eq!(
        find_aeron_all_jar_from(env_of(&[("HOME", &home), ("RUSTERON_CACHE_DIR", &cache)]), &versions).unwrap(),
        cached
    );
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn unreadable_versions_file_says_to_set_the_variable() {
    let err = find_aeron_all_jar_from(env_of(&[]), Path::new("/nonexistent/versions.env")).unwrap_err();
    let msg = message(err);
    assert!(msg.contains("/nonexistent/versions.env") && msg.contains("RUSTERON_AERON_ALL_JAR="), "{msg}");
}

#[test]
fn fetch_command_uses_the_pinned_version() {
    let version = aeron_all_version().expect("versions.env pins AERON_ALL_VERSION");
    assert_eq!(
        aeron_all_fetch_command(&version),
        format!("mvn -q dependency:get -Dtransitive=false -Dartifact=io.aeron:aeron-all:{version}")
    );
}

#[test]
fn java_from_java_home_then_path() {
    let root = unique_dir("rusteron-testing-java");
    let home_java = root.join("jdk/bin/java");
    touch(&home_java);
    let path_java = root.join("bin/java");
    touch(&path_java);
    let jdk = root.join("jdk");
    let bin = root.join("bin");
    assert_eq!(find_java_from(env_of(&[("JAVA_HOME", &jdk), ("PATH", &bin)])).unwrap(), home_java);
    // A JAVA_HOME without bin/java falls back to the PATH.
    assert_eq!(find_java_from(env_of(&[("JAVA_HOME", &root), ("PATH", &bin)])).unwrap(), path_java);
    let _ = std::fs::remove_dir_all(root);
    // The real lookup finds the java this machine runs the archive with.
    assert!(find_java().unwrap().is_file());
}

#[test]
fn no_java_names_java_home_and_the_package() {
    let empty = unique_dir("rusteron-testing-nojava");
    std::fs::create_dir_all(&empty).unwrap();
    let msg = message(find_java_from(env_of(&[("PATH", &empty)])).unwrap_err());
    assert!(msg.contains("JAVA_HOME is not set"), "{msg}");
    assert!(msg.contains("openjdk-17-jre-headless") && msg.contains("set JAVA_HOME"), "{msg}");
    assert!(msg.contains("inside the rusteron repository, `just setup`"), "{msg}");
    let bad_home = Path::new("/nonexistent/jdk");
    let msg = message(find_java_from(env_of(&[("JAVA_HOME", bad_home), ("PATH", &empty)])).unwrap_err());
    assert!(msg.contains("JAVA_HOME=/nonexistent/jdk has no bin/java"), "{msg}");
    let _ = std::fs::remove_dir_all(empty);
}

/// The libtest name of `child_start_archive` in this binary (its module path without the crate).
fn child_test_name() -> String {
    match module_path!().split_once("::") {
        Some((_, module)) => format!("{module}::child_start_archive"),
        None => "child_start_archive".to_string(),
    }
}

/// Runs `child_start_archive` in a new process of this test binary with
/// `RUSTERON_AERON_ALL_JAR=jar`.
fn run_child(mode: &str, jar: &Path) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", &child_test_name(), "--nocapture", "--test-threads=1"])
        .env(CHILD_MODE, mode)
        .env(AERON_ALL_JAR_ENV, jar)
        .output()
        .expect("run the test binary");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed ({}):\n{stdout}\n{stderr}", out.status);
    assert!(stdout.contains(CHILD_OK), "child did not run its checks:\n{stdout}\n{stderr}");
}

#[test]
fn starting_the_archive_with_a_missing_jar_variable_fails_naming_it() {
    run_child("missing", &unique_dir("rusteron-no-jar").join("aeron-all.jar"));
}

#[test]
fn starting_the_archive_with_the_jar_variable_set_to_the_real_jar_works() {
    run_child("real", &find_aeron_all_jar().expect("this machine has the jar (`just setup`)"));
}

/// The child side of the two tests above; does nothing unless started by them.
#[test]
fn child_start_archive() {
    let Ok(mode) = std::env::var(CHILD_MODE) else { return };
    let set_to = PathBuf::from(std::env::var_os(AERON_ALL_JAR_ENV).expect("the parent sets the variable"));
    match mode.as_str() {
        "missing" => {
            let msg = message(EmbeddedArchiveMediaDriverProcess::start().expect_err("no jar, no archive"));
            assert!(msg.contains(&format!("RUSTERON_AERON_ALL_JAR={}", set_to.display())), "{msg}");
        }
        "real" => {
            assert_eq!(find_aeron_all_jar().unwrap(), set_to);
            let archive = EmbeddedArchiveMediaDriverProcess::start().expect("the archive starts");
            let (_aeron, client) = archive.connect().expect("an archive client connects");
            assert_eq!(client.get_archive_id(), archive.archive_id());
        }
        other => panic!("unknown child mode {other}"),
    }
    println!("{CHILD_OK}");
}
