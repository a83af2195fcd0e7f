//! What errors look like: an archive that is not running, an unknown recording, stopping a
//! recording that does not exist, a malformed channel, a panic in a callback.
//!
//! Run: `just archive-error-handling`.

use rusteron_archive::testing::{EmbeddedArchiveMediaDriverProcess, MediaDriverProcess};
use rusteron_archive::*;
use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // rusteron logs through the `log` crate: warnings and errors by default, more with
    // RUST_LOG (e.g. RUST_LOG=rusteron_client=debug,rusteron_archive=debug).
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    // 1. No archive: connect fails once the message timeout passes, with Aeron's message.
    let driver = MediaDriverProcess::start()?;
    let aeron = driver.connect()?;
    let ctx = AeronArchiveContext::new()?;
    ctx.set_aeron(&aeron)?;
    let port = find_unused_udp_port(33_000).ok_or("no free port")?;
    ctx.set_control_request_channel(&format!("aeron:udp?endpoint=localhost:{port}").into_c_string())?;
    ctx.set_control_response_channel(c"aeron:udp?endpoint=localhost:0")?;
    ctx.set_message_timeout(Duration::from_millis(500))?;
    let t0 = Instant::now();
    match AeronArchive::connect(&ctx) {
        Ok(_) => println!("unexpected: connected"),
        Err(e) => println!(
            "1. connect without an archive failed after {:?}: kind {:?}, code {}\n   message: {}",
            t0.elapsed(),
            e.kind(),
            e.code,
            e.message().unwrap_or("").lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" | ")
        ),
    }
    drop(aeron);
    drop(driver);

    // 2..5 against a real archive.
    let archive_process = EmbeddedArchiveMediaDriverProcess::start()?;
    let (aeron, archive) = archive_process.connect()?;
    // One small recording, so the catalog is not empty.
    let sub = archive.start_recording(c"aeron:ipc", 7, SOURCE_LOCATION_LOCAL, false)?;
    let publication = aeron.add_exclusive_publication(c"aeron:ipc", 7, Duration::from_secs(10))?;
    let mut end = 0;
    while end <= 0 {
        end = publication.offer(b"one message").unwrap_or(0);
    }
    let id = archive.find_last_matching_recording(0, c"aeron:ipc", 7, publication.session_id())?;
    rusteron_archive::testing::wait_until(Duration::from_secs(10), || {
        archive.get_recording_position(id).unwrap_or(-1) >= end
    });
    archive.stop_recording_subscription(sub)?;
    match archive.get_stop_position(123_456) {
        Ok(p) => println!("unexpected: {p}"),
        Err(e) => println!("2. unknown recording id: {}", e.message().unwrap_or("").lines().next().unwrap_or("")),
    }
    match archive.stop_recording_subscription(777) {
        Ok(_) => println!("unexpected: stopped"),
        Err(e) => println!(
            "3. stopping a recording that does not exist: {}",
            e.message().unwrap_or("").lines().next().unwrap_or("")
        ),
    }
    println!("   try_stop_recording_subscription(777) = {}", archive.try_stop_recording_subscription(777)?);
    match archive.start_recording(c"aeron:udp?endpoint=", 1, SOURCE_LOCATION_REMOTE, false) {
        Ok(id) => println!("unexpected: recording {id}"),
        Err(e) => println!("4. malformed channel: {}", e.message().unwrap_or("").lines().next().unwrap_or("")),
    }
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = archive.list_recordings(0, 10, |_d: AeronArchiveRecordingDescriptor| panic!("boom in a consumer"));
    }));
    println!("5. a panic in a list consumer was resumed on the Rust side: {}", caught.is_err());
    println!("   the archive still answers: archive id {}", archive.get_archive_id());
    println!("   recording {id} stopped at {}", archive.get_stop_position(id)?);
    println!("done: every error was a Result with Aeron's message, no crash");
    Ok(())
}
