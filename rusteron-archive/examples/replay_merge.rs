//! Replay merge: a late subscriber replays a recording, then merges into the live stream
//! without a gap, while the publisher keeps publishing.
//!
//! Run: `just replay-merge` (or `cargo run --release -p rusteron-archive --example replay_merge`).

use rusteron_archive::testing::{wait_until, EmbeddedArchiveMediaDriverProcess};
use rusteron_archive::*;
use std::ffi::CString;
use std::time::{Duration, Instant};

fn port() -> Result<u16, Box<dyn std::error::Error>> {
    Ok(find_unused_udp_port(31_000).ok_or("no free UDP port")?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // rusteron logs through the `log` crate: warnings and errors by default, more with
    // RUST_LOG (e.g. RUST_LOG=rusteron_client=debug,rusteron_archive=debug).
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let before: u64 = 50_000;
    let total: u64 = 200_000;
    let timeout = Duration::from_secs(30);
    let archive_process = EmbeddedArchiveMediaDriverProcess::start()?;
    let (aeron, archive) = archive_process.connect()?;

    let control_port = port()?;
    let stream_id = 1002;
    let live_channel =
        CString::new(format!("aeron:udp?control-mode=dynamic|control=localhost:{control_port}|term-length=1m"))?;
    let publication = aeron.add_exclusive_publication(&live_channel, stream_id, timeout)?;
    let sub_id = archive.start_recording(&live_channel, stream_id, SOURCE_LOCATION_LOCAL, false)?;

    let mut next = 0u64;
    let offer = |n: &mut u64| -> bool { publication.offer(&n.to_le_bytes()).map(|_| *n += 1).is_ok() };
    while next < before {
        if !offer(&mut next) {
            std::thread::yield_now();
        }
    }
    let reader = counters_reader_of(&aeron);
    let mut counter_id = -1;
    wait_until(timeout, || {
        counter_id =
            RecordingPos::find_counter_id_by_session_id(&reader, publication.session_id(), archive.get_archive_id());
        counter_id >= 0
    });
    let recording_id = RecordingPos::get_recording_id(&reader, counter_id);
    println!("published {before} messages before the subscriber joined (recording {recording_id})");

    let subscription = aeron.add_subscription(
        c"aeron:udp?control-mode=manual",
        stream_id,
        no_available_image_handler(),
        no_unavailable_image_handler(),
        timeout,
    )?;
    let merge = AeronArchiveReplayMerge::new(
        &subscription,
        &archive,
        &CString::new(format!("aeron:udp?session-id={}", publication.session_id()))?,
        &CString::new(format!("aeron:udp?endpoint=localhost:{}", port()?))?,
        &CString::new(format!("aeron:udp?endpoint=localhost:{}|control=localhost:{control_port}", port()?))?,
        recording_id,
        0,
        AeronArchiveReplayMerge::epoch_clock_ms(),
        REPLAY_MERGE_PROGRESS_TIMEOUT_DEFAULT_MS,
    )?;

    let t0 = Instant::now();
    let mut received = 0u64;
    let mut gaps = 0u64;
    let mut merged_at = None;
    // Keep publishing until the subscriber has merged and received everything.
    while received < next || next < total || !merge.is_merged() {
        if t0.elapsed() > Duration::from_secs(60) || merge.has_failed() {
            return Err(format!("merge did not complete: received {received}, failed={}", merge.has_failed()).into());
        }
        // The live stream runs at about 100,000 msg/s, so the replay can catch up with it.
        let paced = before + t0.elapsed().as_micros() as u64 / 10;
        if (next < total || !merge.is_merged()) && next < paced {
            offer(&mut next);
        }
        merge.poll_once(
            |buf: &[u8], _h: AeronHeader<'_>| {
                if u64::from_le_bytes(buf[..8].try_into().unwrap()) != received {
                    gaps += 1;
                }
                received += 1;
            },
            64,
        )?;
        if merged_at.is_none() && merge.is_merged() {
            merged_at = Some(received);
            println!("merged into the live stream after {received} messages ({:?})", t0.elapsed());
        }
    }
    println!(
        "received {received} messages in {:?}: {gaps} gaps or reorders; merged={}",
        t0.elapsed(),
        merge.is_merged()
    );
    archive.stop_recording_subscription(sub_id)?;
    if gaps != 0 {
        return Err("messages were lost or reordered".into());
    }
    Ok(())
}
