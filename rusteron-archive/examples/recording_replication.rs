//! Replicate a recording from one archive to another and replay the copy.
//!
//! Run: `just recording-replication`.

use rusteron_archive::testing::{wait_until, EmbeddedArchiveMediaDriverProcess};
use rusteron_archive::*;
use std::ffi::CString;
use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // rusteron logs through the `log` crate: warnings and errors by default, more with
    // RUST_LOG (e.g. RUST_LOG=rusteron_client=debug,rusteron_archive=debug).
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let count = 50_000u64;
    let timeout = Duration::from_secs(30);
    let src_process = EmbeddedArchiveMediaDriverProcess::start()?;
    let dst_process = EmbeddedArchiveMediaDriverProcess::start()?;
    let (src_aeron, src) = src_process.connect()?;
    let (_dst_aeron, dst) = dst_process.connect()?;
    println!(
        "source archive {} on {}, destination archive {} on {}",
        src.get_archive_id(),
        src_process.control_request_channel(),
        dst.get_archive_id(),
        dst_process.control_request_channel()
    );

    let channel = c"aeron:ipc?term-length=1m";
    let sub_id = src.start_recording(channel, 1003, SOURCE_LOCATION_LOCAL, false)?;
    let publication = src_aeron.add_exclusive_publication(channel, 1003, timeout)?;
    let mut end = 0;
    let mut i = 0u64;
    while i < count {
        match publication.offer(&i.to_le_bytes()) {
            Ok(p) => {
                end = p;
                i += 1;
            }
            Err(e) if e.kind().is_retryable() => std::thread::yield_now(),
            Err(e) => return Err(e.into()),
        }
    }
    let recording_id = src.find_last_matching_recording(0, c"aeron:ipc", 1003, publication.session_id())?;
    wait_until(timeout, || src.get_recording_position(recording_id).unwrap_or(-1) >= end);
    src.stop_recording_subscription(sub_id)?;
    println!("source recording {recording_id}: {count} messages, {end} bytes");

    let t0 = Instant::now();
    let replication_id = dst.replicate(
        recording_id,
        &CString::new(src_process.control_request_channel())?,
        src.get_archive_context().get_control_request_stream_id(),
        &AeronArchiveReplicationParams::new()?,
    )?;
    let mut copy = None;
    if !wait_until(timeout, || {
        copy = dst.list_recordings_vec(0, 100).ok().and_then(|v| v.into_iter().find(|d| d.stop_position == end));
        copy.is_some()
    }) {
        return Err("replication did not complete".into());
    }
    let copy = copy.unwrap();
    let took = t0.elapsed();
    println!(
        "replication {replication_id} copied {} bytes into recording {} in {took:?} ({:.1} MB/s)",
        copy.stop_position,
        copy.recording_id,
        copy.stop_position as f64 / took.as_secs_f64() / 1e6
    );

    let port = find_unused_udp_port(32_000).ok_or("no free port")?;
    let replay = dst.replay(
        copy.recording_id,
        &CString::new(format!("aeron:udp?endpoint=localhost:{port}"))?,
        2003,
        &AeronArchiveReplayParams::new_default()?,
    )?;
    let mut got = 0u64;
    let mut wrong = 0u64;
    let deadline = Instant::now() + timeout;
    while got < count && Instant::now() < deadline {
        replay.poll_once(
            |b: &[u8], _h: AeronHeader<'_>| {
                if u64::from_le_bytes(b[..8].try_into().unwrap()) != got {
                    wrong += 1;
                }
                got += 1;
            },
            1024,
        )?;
    }
    println!("replayed the copy: {got} of {count} messages, {wrong} out of order");
    if got != count || wrong != 0 {
        return Err("the copy does not match".into());
    }
    Ok(())
}
