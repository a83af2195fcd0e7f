//! Recording throughput: publish N messages of a given size as fast as the archive records
//! them, then replay them, and print the rates.
//!
//! Run: `just recording-throughput [MESSAGES] [SIZE]`.

use rusteron_archive::testing::{wait_until, EmbeddedArchiveMediaDriverProcess};
use rusteron_archive::*;
use std::time::{Duration, Instant};

/// A progress bar on stderr when stderr is a terminal (hidden otherwise, so logs and pipes stay
/// clean): `what`, position of `len`, rate and ETA.
fn progress(len: u64, what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} {bar:30} {human_pos}/{human_len} {per_sec} ETA {eta}")
    {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    bar
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // rusteron logs through the `log` crate: warnings and errors by default, more with
    // RUST_LOG (e.g. RUST_LOG=rusteron_client=debug,rusteron_archive=debug).
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let mut args = std::env::args().skip(1);
    let count: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(2_000_000);
    let size: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(32).max(8);
    let archive_process = EmbeddedArchiveMediaDriverProcess::start_with(&[
        ("aeron.archive.segment.file.length", "134217728"),
        ("aeron.ipc.term.buffer.length", "16777216"),
    ])?;
    let (aeron, archive) = archive_process.connect()?;
    let channel = c"aeron:ipc?term-length=16m";
    let sub_id = archive.start_recording(channel, 1004, SOURCE_LOCATION_LOCAL, false)?;
    let publication = aeron.add_exclusive_publication(channel, 1004, Duration::from_secs(10))?;
    let mut msg = vec![0u8; size];
    let t0 = Instant::now();
    let mut end = 0;
    let mut i = 0u64;
    let mut back_pressured = 0u64;
    let bar = progress(count, "publishing");
    while i < count {
        if i.is_multiple_of(65_536) {
            bar.set_position(i);
        }
        msg[..8].copy_from_slice(&i.to_le_bytes());
        match publication.offer(&msg) {
            Ok(p) => {
                end = p;
                i += 1;
            }
            Err(e) if e.kind().is_retryable() => {
                back_pressured += 1;
                std::thread::yield_now()
            }
            Err(e) => return Err(e.into()),
        }
    }
    bar.finish_and_clear();
    let recording_id = archive.find_last_matching_recording(0, c"aeron:ipc", 1004, publication.session_id())?;
    wait_until(Duration::from_secs(60), || archive.get_recording_position(recording_id).unwrap_or(-1) >= end);
    let rec = t0.elapsed();
    archive.stop_recording_subscription(sub_id)?;
    println!(
        "recorded {count} messages of {size} bytes ({:.1} MB of stream) in {rec:?}: {:.0} msg/s, {:.1} MB/s ({back_pressured} back-pressured offers)",
        end as f64 / 1e6,
        count as f64 / rec.as_secs_f64(),
        end as f64 / rec.as_secs_f64() / 1e6
    );
    let t1 = Instant::now();
    let replay =
        archive.replay(recording_id, c"aeron:ipc?term-length=16m", 2004, &AeronArchiveReplayParams::new_default()?)?;
    let mut got = 0u64;
    let bar = progress(count, "replaying");
    while got < count {
        bar.set_position(got);
        if replay.poll_once(|_b: &[u8], _h: AeronHeader<'_>| got += 1, 4096)? == 0 {
            if t1.elapsed() > Duration::from_secs(120) {
                return Err("replay stalled".into());
            }
            std::thread::yield_now();
        }
    }
    let rep = t1.elapsed();
    bar.finish_and_clear();
    println!(
        "replayed {got} messages in {rep:?}: {:.0} msg/s, {:.1} MB/s",
        got as f64 / rep.as_secs_f64(),
        end as f64 / rep.as_secs_f64() / 1e6
    );
    Ok(())
}
