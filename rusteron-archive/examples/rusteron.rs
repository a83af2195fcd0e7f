//! `rusteron`: a small command-line tool for a running media driver and archive.
//!
//! ```text
//! rusteron stat       [--dir AERON_DIR] [--count N] [--interval-ms MS]   counters, refreshed (AeronStat)
//! rusteron errors     [--dir AERON_DIR]                                  the driver's distinct error log
//! rusteron loss       [--dir AERON_DIR]                                  the driver's loss report
//! rusteron recordings --control CHANNEL [--dir AERON_DIR]                an archive's catalog
//! rusteron replay     --control CHANNEL --recording ID [--dir AERON_DIR] one recording's messages to stdout
//! rusteron embedded-archive [--info FILE] [--seconds S]                  a Java archive with two sample
//!                                                                         recordings, for trying the others
//! ```
//!
//! AERON_DIR defaults to `AERON_DIR`, else Aeron's default directory. Run it with
//! `cargo run -p rusteron-archive --example rusteron -- stat --dir /dev/shm/aeron-$USER`;
//! `just rusteron-cli` runs every subcommand against an embedded archive.

use rusteron_archive::testing::{wait_until, EmbeddedArchiveMediaDriverProcess};
use rusteron_archive::*;
use std::collections::HashMap;
use std::io::Write;
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// `--key value` options after the subcommand.
struct Options(HashMap<String, String>);

impl Options {
    fn parse(args: &[String]) -> Result<Self> {
        let mut map = HashMap::new();
        let mut it = args.iter();
        while let Some(key) = it.next() {
            let name = key.strip_prefix("--").ok_or_else(|| format!("expected an --option, found {key:?}"))?;
            let value = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
            map.insert(name.to_string(), value.clone());
        }
        Ok(Options(map))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    fn require(&self, name: &str) -> Result<&str> {
        self.get(name).ok_or_else(|| format!("--{name} is required").into())
    }

    fn number<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| format!("--{name}: {v:?} is not a number").into()),
        }
    }

    /// The Aeron directory: `--dir`, else `AERON_DIR`, else Aeron's default.
    fn dir(&self) -> Result<String> {
        if let Some(d) = self.get("dir") {
            return Ok(d.to_string());
        }
        if let Ok(d) = std::env::var("AERON_DIR") {
            return Ok(d);
        }
        Ok(AeronContext::new()?.get_dir())
    }
}

fn cnc(options: &Options) -> Result<AeronCnc> {
    let dir = options.dir()?;
    AeronCnc::new(&dir.as_str().into_c_string(), Duration::from_secs(5))
        .map_err(|e| format!("no media driver's CnC file in {dir}: {e}").into())
}

fn stat(options: &Options) -> Result<()> {
    let cnc = cnc(options)?;
    let count: u64 = options.number("count", u64::MAX)?;
    let interval = Duration::from_millis(options.number("interval-ms", 1000)?);
    let constants = cnc.get_constants()?;
    let reader = cnc.counters_reader();
    for round in 0..count {
        if round > 0 {
            std::thread::sleep(interval);
        }
        let heartbeat_age = epoch_clock() - cnc.to_driver_heartbeat();
        println!(
            "{} - driver pid {}, heartbeat {heartbeat_age} ms ago, CnC version {}",
            cnc.filename(),
            constants.pid(),
            constants.cnc_version()
        );
        println!("=========================");
        reader.foreach_counter_once(|value, id, _type_id, _key, label| println!("{id:>3}: {value:>20} - {label}"));
        println!("--");
    }
    Ok(())
}

fn errors(options: &Options) -> Result<()> {
    let cnc = cnc(options)?;
    let errors = cnc.errors(0);
    for e in &errors {
        println!(
            "***\n{} observations from {} to {} for:\n {}",
            e.observation_count, e.first_observation_timestamp, e.last_observation_timestamp, e.message
        );
    }
    println!("\n{} distinct errors observed.", errors.len());
    Ok(())
}

fn loss(options: &Options) -> Result<()> {
    let cnc = cnc(options)?;
    println!(
        "#OBSERVATION_COUNT,TOTAL_BYTES_LOST,FIRST_OBSERVATION,LAST_OBSERVATION,SESSION_ID,STREAM_ID,CHANNEL,SOURCE"
    );
    let n = cnc.loss_reporter_read_once(|count, bytes, first, last, session, stream, channel, source| {
        println!("{count},{bytes},{first},{last},{session},{stream},{channel},{source}")
    })?;
    println!("# {n} loss entries");
    Ok(())
}

fn archive(options: &Options) -> Result<(Aeron, AeronArchive)> {
    let dir = options.dir()?;
    let control = options.require("control")?;
    let ctx = AeronContext::new()?;
    ctx.set_dir(&dir.as_str().into_c_string())?;
    let aeron = Aeron::connect(&ctx)?;
    let archive_ctx = AeronArchiveContext::new()?;
    archive_ctx.set_aeron(&aeron)?;
    archive_ctx.set_control_request_channel(&control.into_c_string())?;
    archive_ctx.set_control_response_channel(c"aeron:udp?endpoint=localhost:0")?;
    let archive = AeronArchive::connect(&archive_ctx)?;
    Ok((aeron, archive))
}

fn recordings(options: &Options) -> Result<()> {
    let (_aeron, archive) = archive(options)?;
    println!("{:>6} {:>11} {:>7} {:>12} {:>12}  channel", "id", "session", "stream", "start", "stop");
    let n = archive.list_recordings(0, i32::MAX, |d: AeronArchiveRecordingDescriptor| {
        let stop = if d.stop_position < 0 { "active".to_string() } else { d.stop_position.to_string() };
        println!(
            "{:>6} {:>11} {:>7} {:>12} {:>12}  {}",
            d.recording_id,
            d.session_id,
            d.stream_id,
            d.start_position,
            stop,
            d.original_channel()
        )
    })?;
    println!("{n} recording(s) in archive {}", archive.get_archive_id());
    Ok(())
}

fn replay(options: &Options) -> Result<()> {
    let recording_id: i64 = options.require("recording")?.parse().map_err(|_| "--recording must be a number")?;
    let (_aeron, archive) = archive(options)?;
    let start = archive.get_start_position(recording_id)?;
    let stop = archive.get_stop_position(recording_id)?;
    let end = if stop >= 0 { stop } else { archive.get_recording_position(recording_id)? };
    let params = AeronArchiveReplayParams::new_default()?.with_position(start).with_length(end - start);
    let subscription = archive.replay(recording_id, c"aeron:ipc", 9_999, &params)?;
    let mut out = std::io::stdout().lock();
    let (mut messages, mut position, mut failed) = (0u64, start, None);
    let deadline = Instant::now() + Duration::from_secs(30);
    while position < end {
        let n = subscription.poll_fn(
            |msg, header| {
                if let Err(e) = out.write_all(msg) {
                    failed.get_or_insert(e);
                }
                messages += 1;
                position = header.position();
            },
            100,
        )?;
        if let Some(e) = failed {
            return Err(e.into());
        }
        if n == 0 && Instant::now() > deadline {
            return Err(format!("replay stalled at position {position} of {end}").into());
        }
    }
    out.flush()?;
    eprintln!("rusteron: replayed recording {recording_id}: {messages} messages, positions {start}..{end}");
    Ok(())
}

/// Starts the Java archive of the testing helpers, records two sample streams and writes where it
/// is to `--info` (`AERON_DIR=...` and `CONTROL=...` lines); stays up until that file is removed
/// or `--seconds` pass.
fn embedded_archive(options: &Options) -> Result<()> {
    let info = options.get("info").map(std::path::PathBuf::from);
    let seconds: u64 = options.number("seconds", 60)?;
    let process = EmbeddedArchiveMediaDriverProcess::start()?;
    let (aeron, archive) = process.connect()?;
    for (stream_id, lines) in [(10, 5u64), (20, 3)] {
        let subscription_id = archive.start_recording(c"aeron:ipc", stream_id, SOURCE_LOCATION_LOCAL, false)?;
        let publication = aeron.add_exclusive_publication(c"aeron:ipc", stream_id, Duration::from_secs(10))?;
        for i in 0..lines {
            let line = format!("stream {stream_id} line {i}\n");
            if !wait_until(Duration::from_secs(10), || publication.offer(line.as_bytes()).is_ok()) {
                return Err("could not publish the sample lines".into());
            }
        }
        let id = archive.find_last_matching_recording(0, c"aeron:ipc", stream_id, publication.session_id())?;
        let end = publication.position();
        wait_until(Duration::from_secs(10), || archive.get_recording_position(id).unwrap_or(-1) >= end);
        archive.stop_recording_subscription(subscription_id)?;
        wait_until(Duration::from_secs(10), || archive.get_stop_position(id).unwrap_or(-1) == end);
        println!("recording {id}: {lines} lines on aeron:ipc stream {stream_id}");
    }
    let text = format!("AERON_DIR={}\nCONTROL={}\n", process.aeron_dir(), process.control_request_channel());
    print!("{text}");
    std::io::stdout().flush()?;
    if let Some(info) = &info {
        std::fs::write(info, &text)?;
    }
    drop((archive, aeron));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < deadline && info.as_ref().is_none_or(|i| i.exists()) {
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

fn usage() -> &'static str {
    "usage: rusteron <stat|errors|loss|recordings|replay|embedded-archive> [--dir AERON_DIR] [--control CHANNEL] \
     [--recording ID] [--count N] [--interval-ms MS] [--info FILE] [--seconds S]"
}

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.split_first() {
        None => Err(usage().into()),
        Some((command, rest)) => Options::parse(rest).and_then(|options| match command.as_str() {
            "stat" => stat(&options),
            "errors" => errors(&options),
            "loss" => loss(&options),
            "recordings" => recordings(&options),
            "replay" => replay(&options),
            "embedded-archive" => embedded_archive(&options),
            other => Err(format!("unknown command {other:?}; {}", usage()).into()),
        }),
    };
    if let Err(e) = result {
        eprintln!("rusteron: {e}");
        std::process::exit(1);
    }
}
