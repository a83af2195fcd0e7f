//! Record a stream into an embedded Java Aeron Archive, then replay it and check every message.
//!
//! Run: `just run` (or `cargo run --release -p rusteron-archive --example record_and_replay [COUNT]`).

use rusteron_archive::testing::{wait_until, EmbeddedArchiveMediaDriverProcess};
use rusteron_archive::*;
use std::ffi::CString;
use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // rusteron logs through the `log` crate: warnings and errors by default, more with
    // RUST_LOG (e.g. RUST_LOG=rusteron_client=debug,rusteron_archive=debug).
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let count: u64 = std::env::args().nth(1).map(|a| a.parse()).transpose()?.unwrap_or(100_000);
    let timeout = Duration::from_secs(30);

    let t0 = Instant::now();
    let archive_process = EmbeddedArchiveMediaDriverProcess::start()?;
    println!(
        "archive started in {:?} (pid {}, control channel {})",
        t0.elapsed(),
        archive_process.pid(),
        archive_process.control_request_channel()
    );

    // 1. Contexts and clients.
    let aeron = archive_process.connect_aeron()?;
    let archive = AeronArchive::connect(&archive_process.archive_context(&aeron)?)?;
    println!("connected: archive id {}, control session {}", archive.get_archive_id(), archive.control_session_id());

    // 2. Start recording an IPC stream.
    let channel = CString::new("aeron:ipc?term-length=4m")?;
    let stream_id = 1001;
    let subscription_id = archive.start_recording(&channel, stream_id, SOURCE_LOCATION_LOCAL, false)?;
    println!("recording {} stream {stream_id} (subscription {subscription_id})", channel.to_str()?);

    // 3. Publish `count` messages: an 8-byte sequence number and 24 bytes of text.
    let publication = aeron.add_exclusive_publication(&channel, stream_id, timeout)?;
    let t1 = Instant::now();
    let mut msg = [0u8; 32];
    msg[8..].copy_from_slice(b"rusteron record & replay");
    let mut end = 0;
    let mut i = 0u64;
    while i < count {
        msg[..8].copy_from_slice(&i.to_le_bytes());
        match publication.offer(&msg) {
            Ok(p) => {
                end = p;
                i += 1;
            }
            Err(e) if e.kind().is_retryable() => std::thread::yield_now(),
            Err(e) => return Err(e.into()),
        }
    }
    let publish_time = t1.elapsed();
    println!(
        "published {count} messages ({} bytes of stream) in {publish_time:?} ({:.0} msg/s)",
        end,
        count as f64 / publish_time.as_secs_f64()
    );

    // Wait for the archive to record everything, then 4. stop the recording.
    let reader = counters_reader_of(&aeron);
    let mut counter_id = -1;
    if !wait_until(timeout, || {
        counter_id =
            RecordingPos::find_counter_id_by_session_id(&reader, publication.session_id(), archive.get_archive_id());
        counter_id >= 0
    }) {
        return Err("the archive did not start recording".into());
    }
    let recording_id = RecordingPos::get_recording_id(&reader, counter_id);
    if !wait_until(timeout, || archive.get_recording_position(recording_id).unwrap_or(-1) >= end) {
        return Err("the archive did not record the whole stream".into());
    }
    archive.stop_recording_subscription(subscription_id)?;
    wait_until(timeout, || archive.get_stop_position(recording_id).unwrap_or(-1) == end);
    println!("recording stopped at position {}", archive.get_stop_position(recording_id)?);

    // 5. Find the recording in the catalog.
    let found = archive.find_last_matching_recording(0, c"aeron:ipc", stream_id, publication.session_id())?;
    let mut descriptor = None;
    archive.list_recording(found, |d: AeronArchiveRecordingDescriptor| descriptor = Some(d))?;
    let d = descriptor.ok_or("recording not in the catalog")?;
    println!(
        "found recording {}: channel {} stream {} session {} positions {}..{}",
        d.recording_id,
        d.original_channel(),
        d.stream_id,
        d.session_id,
        d.start_position,
        d.stop_position
    );

    // 6. Replay it to a UDP channel and 7. receive and check every message.
    let port = rusteron_archive::find_unused_udp_port(30_000).ok_or("no free UDP port")?;
    let replay_channel = CString::new(format!("aeron:udp?endpoint=localhost:{port}"))?;
    let t2 = Instant::now();
    let replay = archive.replay(d.recording_id, &replay_channel, 2001, &AeronArchiveReplayParams::new_default()?)?;
    let mut expected = 0u64;
    let mut errors = 0u64;
    let deadline = Instant::now() + Duration::from_secs(60);
    while expected < count {
        let n = replay.poll_once(
            |buf: &[u8], _h: AeronHeader<'_>| {
                let seq = u64::from_le_bytes(buf[..8].try_into().unwrap());
                if seq != expected || &buf[8..] != b"rusteron record & replay" {
                    errors += 1;
                }
                expected += 1;
            },
            1024,
        )?;
        if n == 0 {
            if Instant::now() > deadline {
                return Err(format!("replay stalled after {expected} of {count} messages").into());
            }
            std::thread::yield_now();
        }
    }
    let replay_time = t2.elapsed();
    println!(
        "replayed {expected} messages over {} in {replay_time:?} ({:.0} msg/s): {errors} wrong or out of order",
        replay_channel.to_str()?,
        expected as f64 / replay_time.as_secs_f64()
    );
    if errors != 0 {
        return Err(format!("{errors} messages did not match").into());
    }
    println!("OK: every one of the {count} messages was recorded and replayed, once and in order");
    Ok(())
}
