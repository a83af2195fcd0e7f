//! The Java archive test harness with named settings, the way programs written for the published
//! rusteron start it: on a given Aeron directory, archive directory and channels (`start_on`,
//! `builder()`), refused at once when a setting is bad, and its JVMs killed by
//! `kill_all_java_processes` (only this process's own, never another Java process).
//!
//! One test function: `kill_all_java_processes` kills every JVM this test binary started, so
//! nothing else may run beside it: a binary of its own, not a module of `tests/it`.

use rusteron_archive::testing::*;
use rusteron_archive::*;
use std::ffi::CString;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(20);

fn c(s: &str) -> CString {
    CString::new(s).expect("no NUL")
}

/// Connects the way a program written for the published crate does: its own client context on
/// the Aeron directory and an archive context on the channels it chose.
fn connect_by_hand(aeron_dir: &Path, control: &str, response: &str, events: &str) -> (Aeron, AeronArchive) {
    let ctx = AeronContext::new().unwrap();
    ctx.set_dir(&c(aeron_dir.to_str().unwrap())).unwrap();
    let aeron = Aeron::connect(&ctx).unwrap();
    let archive_ctx = AeronArchiveContext::new().unwrap();
    archive_ctx.set_aeron(&aeron).unwrap();
    archive_ctx.set_control_request_channel(&c(control)).unwrap();
    archive_ctx.set_control_response_channel(&c(response)).unwrap();
    archive_ctx.set_recording_events_channel(&c(events)).unwrap();
    archive_ctx.set_message_timeout(TIMEOUT).unwrap();
    let archive = AeronArchive::connect(&archive_ctx).unwrap();
    (aeron, archive)
}

/// A child process killed and reaped on drop (also when the test fails).
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn port(from: u16) -> u16 {
    find_unused_udp_port(from).expect("a free UDP port")
}

#[test]
fn harness_with_named_settings_and_kill_all() {
    // 1. Bad settings are refused before a JVM starts, naming the setter.
    let before = EmbeddedArchiveMediaDriverProcess::started_java_processes();
    assert!(before.is_empty(), "{before:?}");
    let started = Instant::now();
    let err = EmbeddedArchiveMediaDriverProcess::builder()
        .control_request_channel("localhost:8010")
        .start()
        .expect_err("not a channel");
    assert_eq!(err.code, libc::EINVAL, "{err}");
    assert!(err.to_string().contains("control_request_channel"), "{err}");
    let err = EmbeddedArchiveMediaDriverProcess::start_on(
        "",
        "/tmp/x",
        "aeron:udp?endpoint=localhost:8010",
        "aeron:udp?endpoint=localhost:8011",
        "aeron:udp?endpoint=localhost:8012",
    )
    .expect_err("empty Aeron directory");
    assert!(err.to_string().contains("aeron_dir"), "{err}");
    let err = EmbeddedArchiveMediaDriverProcess::builder()
        .recording_events_channel("aeron:carrier-pigeon")
        .start()
        .expect_err("bad channel");
    assert!(err.to_string().contains("recording_events_channel"), "{err}");
    println!("three bad settings refused in {:?}: {err}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert!(EmbeddedArchiveMediaDriverProcess::started_java_processes().is_empty());

    // 2. The published crate's five arguments: a given Aeron directory, archive directory (new,
    // so the helper's) and channels on chosen ports. The helper reports them and a client built
    // by hand on them connects.
    let root = unique_dir("rusteron-harness");
    let aeron_dir = root.join("shm");
    let archive_dir = root.join("archive");
    let control = format!("aeron:udp?endpoint=localhost:{}", port(24_100));
    let response = format!("aeron:udp?endpoint=localhost:{}", port(24_200));
    let events = format!("aeron:udp?endpoint=localhost:{}", port(24_300));
    let started = Instant::now();
    let mut a = EmbeddedArchiveMediaDriverProcess::start_on(
        aeron_dir.to_str().unwrap(),
        archive_dir.to_str().unwrap(),
        &control,
        &response,
        &events,
    )
    .unwrap();
    println!("start_on ready in {:?}", started.elapsed());
    assert_eq!(a.aeron_dir(), aeron_dir.to_str().unwrap());
    assert_eq!(a.archive_dir(), archive_dir.to_str().unwrap());
    assert_eq!(a.control_request_channel(), control);
    assert_eq!(a.control_response_channel(), response);
    assert_eq!(a.recording_events_channel(), events);
    {
        let (_aeron, client) = connect_by_hand(&aeron_dir, &control, &response, &events);
        assert_eq!(client.get_archive_id(), a.archive_id());
    }
    {
        let (_aeron, client) = a.connect().unwrap();
        assert_eq!(client.get_archive_id(), a.archive_id());
    }
    assert!(archive_dir.join("archive.catalog").exists(), "the archive runs in the given directory");

    // 3. The builder, on an archive directory that exists (the caller's: kept), with an id and a
    // property.
    let kept_dir = root.join("kept-archive");
    std::fs::create_dir_all(&kept_dir).unwrap();
    let control_b = format!("aeron:udp?endpoint=localhost:{}", port(24_400));
    let mut b = EmbeddedArchiveMediaDriverProcess::builder()
        .archive_dir(&kept_dir)
        .control_request_channel(&control_b)
        .archive_id(4243)
        .property("aeron.archive.segment.file.length", "8388608")
        .build()
        .unwrap();
    assert_eq!(b.archive_id(), 4243);
    assert_eq!(b.setting("aeron.archive.segment.file.length"), Some("8388608"));
    {
        let (_aeron, client) = b.connect().unwrap();
        assert_eq!(client.get_archive_id(), 4243);
    }

    // Dropped (not killed by kill_all): the given Aeron directory and the archive directory the
    // helper created are removed.
    let dropped_root = unique_dir("rusteron-harness-drop");
    let dropped = EmbeddedArchiveMediaDriverProcess::start_on(
        dropped_root.join("shm").to_str().unwrap(),
        dropped_root.join("archive").to_str().unwrap(),
        &format!("aeron:udp?endpoint=localhost:{}", port(24_500)),
        "aeron:udp?endpoint=localhost:0",
        &format!("aeron:udp?endpoint=localhost:{}", port(24_600)),
    )
    .unwrap();
    let dropped_pid = dropped.pid();
    assert!(dropped_root.join("archive").join("archive.catalog").exists());
    drop(dropped);
    assert!(!dropped_root.join("shm").exists() && !dropped_root.join("archive").exists());
    assert!(!EmbeddedArchiveMediaDriverProcess::started_java_processes().contains(&dropped_pid));
    let _ = std::fs::remove_dir_all(&dropped_root);

    // 4. A Java process this test started itself, not through the helper: kill_all must leave it.
    // A Java media driver that runs until killed.
    let other = Command::new(find_java().unwrap())
        .args([
            "--add-opens",
            "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens",
            "java.base/sun.nio.ch=ALL-UNNAMED",
        ])
        .arg(format!("-Daeron.dir={}", root.join("other-driver").display()))
        .arg("-cp")
        .arg(find_aeron_all_jar().unwrap())
        .arg("io.aeron.driver.MediaDriver")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut other = KillOnDrop(other);

    let mut pids = EmbeddedArchiveMediaDriverProcess::started_java_processes();
    pids.sort();
    let mut expected = vec![a.pid(), b.pid()];
    expected.sort();
    assert_eq!(pids, expected);
    let b_aeron_dir = b.aeron_dir().to_string();

    // 5. kill_all: both archives die, their own directories go; the caller's archive directory
    // and the other Java process stay.
    let started = Instant::now();
    let killed = EmbeddedArchiveMediaDriverProcess::kill_all_java_processes().unwrap();
    println!("kill_all_java_processes: {killed} killed in {:?}", started.elapsed());
    assert_eq!(killed, 2);
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(!a.is_running() && !b.is_running());
    assert!(!aeron_dir.exists(), "{} left", aeron_dir.display());
    assert!(!archive_dir.exists(), "{} left (the helper created it)", archive_dir.display());
    assert!(!Path::new(&b_aeron_dir).exists(), "{b_aeron_dir} left");
    assert!(kept_dir.join("archive.catalog").exists(), "the caller's archive directory was removed");
    assert!(matches!(other.0.try_wait(), Ok(None)), "kill_all killed a Java process the helper did not start");
    assert!(EmbeddedArchiveMediaDriverProcess::started_java_processes().is_empty());
    assert_eq!(EmbeddedArchiveMediaDriverProcess::kill_all_java_processes().unwrap(), 0);

    // Dropping the killed helpers returns at once; the caller's directory stays.
    let started = Instant::now();
    drop(a);
    drop(b);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert!(kept_dir.exists());
    drop(other);
    std::fs::remove_dir_all(&root).unwrap();
}
