//! The subcommands that talk to an archive: recordings, replay, and embedded-archive (a Java
//! archive with sample recordings to try them on).

use crate::{CliError, DirArgs, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rusteron_archive::testing::{wait_until, EmbeddedArchiveMediaDriverProcess};
use rusteron_archive::*;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Where the archive is.
#[derive(Args, Clone, Debug)]
pub struct ArchiveArgs {
    #[command(flatten)]
    pub dir: DirArgs,
    /// The archive's control request channel
    #[arg(long, value_name = "CHANNEL", default_value = "aeron:udp?endpoint=localhost:8010")]
    pub control: String,
    /// The channel the archive answers on
    #[arg(long, value_name = "CHANNEL", default_value = "aeron:udp?endpoint=localhost:0")]
    pub control_response: String,
    /// How long to wait for the archive to answer the connect
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    pub connect_timeout_ms: u64,
}

impl ArchiveArgs {
    /// A client of the driver (checked first: a missing or stale directory is bad input) and a
    /// connected archive client.
    fn connect(&self) -> Result<(Aeron, AeronArchive)> {
        let (dir, _cnc) = self.dir.live_dir()?;
        let ctx = AeronContext::new()?;
        ctx.set_dir(&dir.as_str().into_c_string_for("--dir")?)?;
        ctx.set_driver_timeout_ms(self.dir.driver_timeout()?.as_millis() as u64)?;
        let aeron = Aeron::connect(&ctx).map_err(|e| CliError::Failed(format!("cannot connect to {dir}: {e}")))?;
        let archive_ctx = AeronArchiveContext::new()?;
        archive_ctx.set_aeron(&aeron)?;
        archive_ctx.set_control_request_channel(
            &self.control.as_str().into_c_string_for("--control").map_err(|e| CliError::Input(e.to_string()))?,
        )?;
        archive_ctx.set_control_response_channel(
            &self
                .control_response
                .as_str()
                .into_c_string_for("--control-response")
                .map_err(|e| CliError::Input(e.to_string()))?,
        )?;
        archive_ctx.set_message_timeout(Duration::from_millis(self.connect_timeout_ms))?;
        // Aeron 1.54's C archive client asks the driver for a session id while it concludes the
        // context and waits for the answer with no deadline: a driver that dies in that window
        // leaves `aeron_archive_connect` spinning for ever. Bound it here.
        let limit =
            Duration::from_millis(self.connect_timeout_ms) + self.dir.driver_timeout()? + Duration::from_secs(5);
        let control = self.control.clone();
        let archive = within(
            limit,
            move || {
                format!(
                    "no archive answered on {control} within {limit:?}, and the connect did not return (did the \
                     media driver die?)"
                )
            },
            || AeronArchive::connect(&archive_ctx),
        )
        .map_err(|e| CliError::Failed(format!("no archive answered on {} (driver {dir}): {e}", self.control)))?;
        Ok((aeron, archive))
    }
}

/// Runs `f`; if it has not returned within `limit`, prints the line `what` gives as the error
/// and ends the process with exit status 1 (for calls into C that may never return).
fn within<T>(limit: Duration, what: impl FnOnce() -> String + Send + 'static, f: impl FnOnce() -> T) -> T {
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = finished.recv_timeout(limit) {
            eprintln!("rusteron: {}", what());
            std::process::exit(1);
        }
    });
    let result = f();
    let _ = done.send(());
    let _ = watchdog.join();
    result
}

#[derive(Args, Debug)]
pub struct RecordingsArgs {
    #[command(flatten)]
    pub archive: ArchiveArgs,
}

pub fn recordings(args: &RecordingsArgs) -> Result<()> {
    let (_aeron, archive) = args.archive.connect()?;
    let mut lines = Vec::new();
    let n = archive.list_recordings(0, i32::MAX, |d: AeronArchiveRecordingDescriptor| {
        let stop = if d.stop_position < 0 { "active".to_string() } else { d.stop_position.to_string() };
        lines.push(format!(
            "{:>6} {:>11} {:>7} {:>12} {:>12}  {}",
            d.recording_id,
            d.session_id,
            d.stream_id,
            d.start_position,
            stop,
            d.original_channel()
        ));
    })?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{:>6} {:>11} {:>7} {:>12} {:>12}  channel", "id", "session", "stream", "start", "stop")?;
    for l in lines {
        writeln!(out, "{l}")?;
    }
    writeln!(out, "{n} recording(s) in archive {}", archive.get_archive_id())?;
    Ok(())
}

#[derive(Args, Debug)]
pub struct ReplayArgs {
    #[command(flatten)]
    pub archive: ArchiveArgs,
    /// The recording to replay
    #[arg(long, value_name = "ID")]
    pub recording: i64,
    /// The channel to replay on
    #[arg(long, value_name = "CHANNEL", default_value = "aeron:ipc")]
    pub channel: String,
    /// The stream id to replay on
    #[arg(long, value_name = "ID", default_value_t = 9_999)]
    pub stream: i32,
    /// Give up when no message arrives for this long
    #[arg(long, value_name = "MS", default_value_t = 30_000)]
    pub stall_timeout_ms: u64,
}

/// A progress bar on stderr when stderr is a terminal, hidden otherwise.
fn progress_bar(total_bytes: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr_with_hz(10));
    let style = ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg} ETA {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

pub fn replay(args: &ReplayArgs) -> Result<()> {
    let (aeron, archive) = args.archive.connect()?;
    let id = args.recording;
    let mut found = 0;
    archive.list_recording(id, |_: AeronArchiveRecordingDescriptor| found += 1)?;
    if found == 0 {
        return Err(CliError::Input(format!(
            "recording {id} does not exist in archive {} (see rusteron recordings)",
            archive.get_archive_id()
        )));
    }
    let start = archive.get_start_position(id)?;
    let stop = archive.get_stop_position(id)?;
    let end = if stop >= 0 { stop } else { archive.get_recording_position(id)? };
    let channel = args.channel.as_str().into_c_string_for("--channel").map_err(|e| CliError::Input(e.to_string()))?;
    let params = AeronArchiveReplayParams::new_default()?.with_position(start).with_length(end - start);
    let subscription = archive.replay(id, &channel, args.stream, &params)?;
    let bar = progress_bar((end - start).max(0) as u64);
    let mut out = std::io::stdout().lock();
    let (mut messages, mut position, mut failed) = (0u64, start, None);
    let stall = Duration::from_millis(args.stall_timeout_ms);
    let mut last_progress = Instant::now();
    while position < end {
        let n = subscription.poll_fn(
            |msg, header| {
                if failed.is_none() {
                    if let Err(e) = out.write_all(msg) {
                        failed = Some(e);
                    }
                }
                messages += 1;
                position = header.position();
            },
            256,
        )?;
        if let Some(e) = failed.take() {
            bar.finish_and_clear();
            return Err(e.into());
        }
        if n > 0 {
            last_progress = Instant::now();
            bar.set_message(format!("{messages} messages"));
            bar.set_position((position - start) as u64);
        } else if aeron.is_closed() {
            bar.finish_and_clear();
            return Err(CliError::Failed(format!(
                "the replay ended at position {position} of {end}: the media driver stopped answering (driver \
                 timeout)"
            )));
        } else if messages > 0 && subscription.image_count()? == 0 {
            bar.finish_and_clear();
            return Err(CliError::Failed(format!(
                "the replay ended at position {position} of {end}: the archive closed it (did the archive stop?)"
            )));
        } else if last_progress.elapsed() > stall {
            bar.finish_and_clear();
            return Err(CliError::Failed(format!("the replay stalled at position {position} of {end}")));
        } else {
            std::thread::yield_now();
        }
    }
    out.flush()?;
    bar.finish_and_clear();
    eprintln!("rusteron: replayed recording {id}: {messages} messages, positions {start}..{end}");
    Ok(())
}

#[derive(Args, Debug)]
pub struct EmbeddedArchiveArgs {
    /// Also write the AERON_DIR=... and CONTROL=... lines to FILE; the archive stops when FILE
    /// is removed
    #[arg(long, value_name = "FILE")]
    pub info: Option<std::path::PathBuf>,
    /// Stop after this many seconds
    #[arg(long, value_name = "S", default_value_t = 60)]
    pub seconds: u64,
}

/// Starts the Java archive of the testing helpers (it needs Java and Aeron's aeron-all jar: see
/// `rusteron_archive::testing`), records two sample streams, prints where it is and stays up.
pub fn embedded_archive(args: &EmbeddedArchiveArgs) -> Result<()> {
    let process = EmbeddedArchiveMediaDriverProcess::start()?;
    let (aeron, archive) = process.connect()?;
    let mut out = std::io::stdout().lock();
    for (stream_id, lines) in [(10, 5u64), (20, 3)] {
        let subscription_id = archive.start_recording(c"aeron:ipc", stream_id, SOURCE_LOCATION_LOCAL, false)?;
        let publication = aeron.add_exclusive_publication(c"aeron:ipc", stream_id, Duration::from_secs(10))?;
        for i in 0..lines {
            let line = format!("stream {stream_id} line {i}\n");
            if !wait_until(Duration::from_secs(10), || publication.offer(line.as_bytes()).is_ok()) {
                return Err(CliError::Failed("could not publish the sample lines".into()));
            }
        }
        // The archive starts the recording when it sees the stream: wait for it to be in the
        // catalog, then for everything to be recorded, then for the stop.
        let end = publication.position();
        let mut id = -1;
        let recorded = wait_until(Duration::from_secs(10), || {
            id = archive
                .find_last_matching_recording(0, c"aeron:ipc", stream_id, publication.session_id())
                .unwrap_or(-1);
            id >= 0 && archive.get_recording_position(id).unwrap_or(-1) >= end
        });
        if !recorded {
            return Err(CliError::Failed(format!("stream {stream_id} was not recorded within 10 s (recording {id})")));
        }
        archive.stop_recording_subscription(subscription_id)?;
        if !wait_until(Duration::from_secs(10), || archive.get_stop_position(id).unwrap_or(-1) == end) {
            return Err(CliError::Failed(format!("recording {id} did not stop at {end} within 10 s")));
        }
        writeln!(out, "recording {id}: {lines} lines on aeron:ipc stream {stream_id}")?;
    }
    let text = format!("AERON_DIR={}\nCONTROL={}\n", process.aeron_dir(), process.control_request_channel());
    write!(out, "{text}")?;
    out.flush()?;
    drop(out);
    if let Some(info) = &args.info {
        std::fs::write(info, &text)?;
    }
    drop((archive, aeron));
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    while Instant::now() < deadline && args.info.as_ref().is_none_or(|i| i.exists()) {
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}
