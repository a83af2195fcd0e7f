//! The Java archive test helper honours every setting it is given (its accessors and its wait
//! report what the JVM runs with) and refuses, at once, an Aeron directory a live driver uses
//! (the JVM's driver deletes its directory at start).

use rusteron_archive::testing::*;
use rusteron_client::testing::{find_unused_udp_port, unique_dir, MediaDriverProcess};
use std::time::{Duration, Instant};

#[test]
fn overrides_are_honoured_or_refused_at_once() {
    // A live aeronmd: its directory must survive an archive pointed at it.
    let md = MediaDriverProcess::start().unwrap();
    let cnc = md.dir().join("cnc.dat");
    let len = std::fs::metadata(&cnc).unwrap().len();
    let started = Instant::now();
    let err = EmbeddedArchiveMediaDriverProcess::start_with(&[("aeron.dir", md.dir_str())])
        .expect_err("the JVM would delete a live driver's directory");
    println!("aeron.dir of a live driver refused in {:?}: {err}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(err.code, libc::EBUSY, "{err}");
    assert_eq!(std::fs::metadata(&cnc).unwrap().len(), len, "{} changed", cnc.display());
    md.connect().expect("the live driver still accepts clients");

    // A bad archive id is refused before a JVM starts.
    let err =
        EmbeddedArchiveMediaDriverProcess::start_with(&[("aeron.archive.id", "seven")]).expect_err("not a number");
    assert!(err.to_string().contains("aeron.archive.id"), "{err}");

    // Aeron directory and control channel overridden: the helper waits on them and reports them.
    let aeron_dir = unique_dir("rusteron-override-aeron");
    let port = find_unused_udp_port(23_000).unwrap();
    let control = format!("aeron:udp?endpoint=localhost:{port}");
    let started = Instant::now();
    let archive = EmbeddedArchiveMediaDriverProcess::start_with(&[
        ("aeron.dir", aeron_dir.to_str().unwrap()),
        ("aeron.archive.control.channel", &control),
        ("aeron.archive.id", "4242"),
    ])
    .unwrap();
    println!("archive with overrides ready in {:?}", started.elapsed());
    assert_eq!(archive.aeron_dir(), aeron_dir.to_str().unwrap());
    assert_eq!(archive.control_request_channel(), control);
    assert_eq!(archive.archive_id(), 4242);
    assert_eq!(archive.setting("aeron.archive.control.channel"), Some(control.as_str()));
    let (_aeron, client) = archive.connect().unwrap();
    assert_eq!(client.get_archive_id(), 4242);
    drop(client);
    drop(_aeron);
    drop(archive);
    assert!(!aeron_dir.exists(), "the Aeron directory the JVM's driver ran in is removed on drop");
}
