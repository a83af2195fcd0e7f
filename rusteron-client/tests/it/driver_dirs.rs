//! Who may delete an Aeron directory: only a driver that ran on it, at its shutdown. A driver
//! context dropped unused, a refused start (another driver is alive there) or a start that failed
//! must leave a live driver's directory and its clients alone. Against a real `aeronmd` and real
//! embedded drivers.

use rusteron_client::testing::*;
use rusteron_client::*;
use std::ffi::CString;
use std::path::Path;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(10);

fn c_dir(dir: &Path) -> CString {
    dir.to_string_lossy().as_ref().into_c_string()
}

/// Every file under `dir` with its length, to compare before and after.
fn listing(dir: &Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                out.push((entry.path().display().to_string(), meta.len()));
            }
        }
    }
    out.sort();
    out
}

/// A client connects to the driver on `dir` and exchanges a message over IPC with itself.
fn driver_serves_clients(dir: &Path, stream: i32) {
    let ctx = AeronContext::new().unwrap();
    ctx.set_dir(&c_dir(dir)).unwrap();
    ctx.set_driver_timeout_ms(10_000).unwrap();
    let aeron =
        Aeron::connect(&ctx).unwrap_or_else(|e| panic!("no client connects to {} any more: {e}", dir.display()));
    let publication = aeron.add_publication(c"aeron:ipc", stream, TIMEOUT).unwrap();
    let subscription = aeron
        .add_subscription(c"aeron:ipc", stream, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    assert!(wait_until(TIMEOUT, || publication.offer(b"still here").is_ok()), "offer on {}", dir.display());
    let mut got = Vec::new();
    assert!(
        wait_until(TIMEOUT, || {
            subscription.poll_fn(|msg, _| got.push(msg.to_vec()), 10).unwrap();
            !got.is_empty()
        }),
        "nothing arrived through the driver on {}",
        dir.display()
    );
    assert_eq!(got[0], b"still here");
}

#[test]
fn a_context_dropped_unused_leaves_a_running_aeronmd_alone() {
    let md = MediaDriverProcess::start().unwrap();
    let dir = md.dir().to_path_buf();
    driver_serves_clients(&dir, 4101);
    let before = listing(&dir);
    assert!(before.iter().any(|(p, _)| p.ends_with("cnc.dat")), "{before:?}");

    // Aeron's default for a driver context of ours is delete-on-shutdown; it never ran a driver.
    let ctx = AeronDriverContext::new().unwrap();
    ctx.set_dir(&c_dir(&dir)).unwrap();
    assert!(ctx.get_dir_delete_on_shutdown());
    drop(ctx);
    // Even when asked for explicitly, a context that never ran a driver deletes nothing.
    let ctx = AeronDriverContext::new().unwrap();
    ctx.set_dir(&c_dir(&dir)).unwrap();
    ctx.set_dir_delete_on_shutdown(true).unwrap();
    let clone = ctx.clone();
    drop(ctx);
    drop(clone);

    assert_eq!(listing(&dir), before, "the files of {} changed", dir.display());
    driver_serves_clients(&dir, 4102);
}

#[test]
fn a_refused_start_on_a_live_directory_is_quick_and_harmless() {
    let first = start_embedded_driver().unwrap();
    let dir = first.dir().to_path_buf();
    driver_serves_clients(&dir, 4201);
    let before = listing(&dir);

    // The plain way: start_on the live directory (Aeron's defaults, delete-on-shutdown on).
    let started = Instant::now();
    let err = EmbeddedMediaDriver::start_on(&c_dir(&dir)).expect_err("a driver is alive on that directory");
    let refused_in = started.elapsed();
    println!("start_on a live directory refused in {refused_in:?}: {err}");
    assert_eq!(err.code, libc::EBUSY, "{err}");
    assert!(err.to_string().contains(&dir.display().to_string()), "the error names the directory: {err}");
    assert!(refused_in < Duration::from_secs(1), "refused only after {refused_in:?}");

    // With delete-on-start, which Aeron would honour by deleting the live directory.
    let ctx = AeronDriverContext::new().unwrap();
    ctx.set_dir(&c_dir(&dir)).unwrap();
    ctx.set_dir_delete_on_start(true).unwrap();
    let started = Instant::now();
    let err = EmbeddedMediaDriver::start(ctx).expect_err("delete-on-start must not remove a live driver's directory");
    println!("delete-on-start on a live directory refused in {:?}: {err}", started.elapsed());
    assert_eq!(err.code, libc::EBUSY, "{err}");

    // A stepped driver, the same.
    let ctx = AeronDriverContext::new().unwrap();
    ctx.set_dir(&c_dir(&dir)).unwrap();
    ctx.set_threading_mode(AeronThreadingMode::Invoker).unwrap();
    let err = SteppedMediaDriver::start(ctx).expect_err("a driver is alive on that directory");
    assert_eq!(err.code, libc::EBUSY, "{err}");

    assert_eq!(listing(&dir), before, "the files of {} changed", dir.display());
    driver_serves_clients(&dir, 4202);
    drop(first);
    assert!(!dir.exists(), "the driver that ran still removes its own directory");
}

#[test]
fn a_refused_start_next_to_a_running_aeronmd_is_harmless() {
    let md = MediaDriverProcess::start().unwrap();
    let dir = md.dir().to_path_buf();
    driver_serves_clients(&dir, 4300);
    let before = listing(&dir);
    let started = Instant::now();
    let err = EmbeddedMediaDriver::start_on(&c_dir(&dir)).expect_err("aeronmd is alive on that directory");
    println!("start_on aeronmd's directory refused in {:?}: {err}", started.elapsed());
    assert_eq!(err.code, libc::EBUSY, "{err}");
    assert_eq!(listing(&dir), before);
    driver_serves_clients(&dir, 4301);
}

#[test]
fn a_failed_start_leaves_the_directory_as_it_found_it() {
    // Aeron's init recreates the directory and its CnC file, then checks the timeouts: an unblock
    // timeout shorter than the client liveness timeout fails it there, with the files made.
    let failing = |dir: &Path| {
        let ctx = embedded_driver_context().unwrap();
        ctx.set_dir(&c_dir(dir)).unwrap();
        ctx.set_dir_delete_on_start(false).unwrap();
        assert!(ctx.get_dir_delete_on_shutdown());
        ctx.set_publication_unblock_timeout_ns(1_000).unwrap();
        ctx.set_driver_timeout(Duration::from_secs(1)).unwrap();
        let err = EmbeddedMediaDriver::start(ctx).expect_err("unblock timeout below the client liveness timeout");
        assert!(err.to_string().contains("publication_unblock_timeout_ns"), "{err}");
    };

    // A directory that did not exist: absent again afterwards.
    let dir = unique_dir("rusteron-dirs");
    failing(&dir);
    assert!(!dir.exists(), "the failed start left {} behind", dir.display());

    // A directory left by a driver that ran and is gone (kept on shutdown): Aeron's init
    // recreates it, and the failed start removes nothing afterwards.
    let ctx = embedded_driver_context().unwrap();
    ctx.set_dir(&c_dir(&dir)).unwrap();
    ctx.set_dir_delete_on_shutdown(false).unwrap();
    drop(EmbeddedMediaDriver::start(ctx).unwrap());
    assert!(dir.join("cnc.dat").is_file());
    // Its heartbeat ages past a 1 s driver timeout: from then on nobody is alive there.
    assert!(wait_until(TIMEOUT, || !is_driver_active(&c_dir(&dir), Duration::from_secs(1))));
    failing(&dir);
    assert!(dir.join("cnc.dat").is_file(), "the failed start removed {}", dir.display());

    // The CnC file that failed init left was never marked ready (its version word is 0), which
    // Aeron reads as "a driver is initialising here": the next start waits for it up to the
    // driver timeout (10 s by default; 1 s here), then recreates the directory.
    let started = Instant::now();
    failing(&dir);
    let waited = started.elapsed();
    println!("a start on a never-ready CnC file with a 1 s driver timeout returned after {waited:?}");
    assert!(waited >= Duration::from_millis(900) && waited < Duration::from_secs(5), "{waited:?}");
    assert!(dir.join("cnc.dat").is_file(), "the failed start removed {}", dir.display());

    // A context dropped unused: still there. A driver that then runs there owns it, and removes
    // it when dropped.
    let ctx = AeronDriverContext::new().unwrap();
    ctx.set_dir(&c_dir(&dir)).unwrap();
    drop(ctx);
    assert!(dir.join("cnc.dat").is_file());
    let ctx = embedded_driver_context().unwrap();
    ctx.set_dir(&c_dir(&dir)).unwrap();
    ctx.set_driver_timeout(Duration::from_secs(1)).unwrap();
    let driver = EmbeddedMediaDriver::start(ctx).unwrap();
    driver_serves_clients(&dir, 4501);
    drop(driver);
    assert!(!dir.exists(), "{} is still there", dir.display());
}

#[test]
fn a_driver_that_ran_removes_its_own_directory() {
    let driver = start_embedded_driver().unwrap();
    let dir = driver.dir().to_path_buf();
    driver_serves_clients(&dir, 4401);
    drop(driver);
    assert!(!dir.exists(), "{} is still there", dir.display());

    let mut stepped = {
        let ctx = embedded_driver_context().unwrap();
        ctx.set_threading_mode(AeronThreadingMode::Invoker).unwrap();
        SteppedMediaDriver::start(ctx).unwrap()
    };
    let dir = stepped.dir().to_path_buf();
    stepped.do_work().unwrap();
    assert!(dir.join("cnc.dat").is_file());
    drop(stepped);
    assert!(!dir.exists(), "{} is still there", dir.display());
}

#[test]
fn the_aeronmd_helper_honours_its_directory_and_refuses_a_live_one() {
    let first = MediaDriverProcess::start().unwrap();
    driver_serves_clients(first.dir(), 4601);
    let before = listing(first.dir());
    let started = Instant::now();
    let err = MediaDriverProcess::start_with_env(&[("AERON_DIR", first.dir_str())])
        .expect_err("aeronmd with delete-on-start on a live driver's directory");
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!(err.code, libc::EBUSY, "{err}");
    assert_eq!(listing(first.dir()), before);
    driver_serves_clients(first.dir(), 4602);

    let dir = unique_dir("rusteron-dirs-md");
    let second = MediaDriverProcess::start_with_env(&[("AERON_DIR", dir.to_str().unwrap())]).unwrap();
    assert_eq!(second.dir(), dir.as_path(), "the helper reports the directory its driver runs in");
    driver_serves_clients(&dir, 4603);
    drop(second);
    assert!(!dir.exists(), "the helper removes the directory its driver ran in");
}
