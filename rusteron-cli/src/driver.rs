//! The subcommands that read a media driver's CnC file: stat, backlog, streams, errors, loss.

use crate::{CliError, DirArgs, Result};
use clap::Args;
use rusteron_client::metrics::{sample_counters, AeronCounterSample, AeronStreamCounterKind, AeronStreamKey};
use rusteron_client::{AeronCnc, AeronCncConstants, IntoCString, AERON_CNC_FILE, DRIVER_TIMEOUT_MS_DEFAULT};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

/// The Aeron directory the C client would use: `--dir`, else `AERON_DIR`, else
/// `aeron_default_path` (`/dev/shm/aeron-$USER` on Linux, `$TMPDIR/aeron-$USER` elsewhere).
pub fn resolve_dir(dir: &Option<String>) -> Result<String> {
    if let Some(d) = dir {
        return Ok(d.clone());
    }
    if let Some(d) = std::env::var_os(rusteron_client::AERON_DIR_ENV_VAR).filter(|d| !d.is_empty()) {
        return d.into_string().map_err(|d| CliError::Input(format!("AERON_DIR {d:?} is not UTF-8")));
    }
    rusteron_client::default_path()
        .map_err(|e| CliError::Failed(format!("cannot work out Aeron's default directory: {e}")))
}

impl DirArgs {
    /// `--driver-timeout-ms`, else `AERON_DRIVER_TIMEOUT`, else Aeron's default (10 s).
    pub fn driver_timeout(&self) -> Result<Duration> {
        if let Some(ms) = self.driver_timeout_ms {
            return Ok(Duration::from_millis(ms));
        }
        match std::env::var(rusteron_client::AERON_DRIVER_TIMEOUT_ENV_VAR) {
            Ok(v) if !v.is_empty() => v
                .trim()
                .parse()
                .map(Duration::from_millis)
                .map_err(|_| CliError::Input(format!("AERON_DRIVER_TIMEOUT {v:?} is not a number of milliseconds"))),
            _ => Ok(Duration::from_millis(DRIVER_TIMEOUT_MS_DEFAULT)),
        }
    }

    /// The directory, checked: it exists, holds a media driver's CnC file, and (unless
    /// `--allow-stale`) that driver's heartbeat is younger than the driver timeout. Reads only;
    /// nothing is created or changed.
    pub fn live_dir(&self) -> Result<(String, AeronCnc)> {
        let dir = resolve_dir(&self.dir)?;
        let timeout = self.driver_timeout()?;
        let path = Path::new(&dir);
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(CliError::Input(format!(
                    "no Aeron directory {dir}: it does not exist (is the media driver running? give --dir or set \
                     AERON_DIR)"
                )))
            }
            Err(e) => return Err(CliError::Input(format!("cannot read the Aeron directory {dir}: {e}"))),
            Ok(m) if !m.is_dir() => {
                return Err(CliError::Input(format!("{dir} is not an Aeron directory: it is not a directory")))
            }
            Ok(_) => {}
        }
        let cnc_path = path.join(AERON_CNC_FILE);
        if !cnc_path.exists() {
            return Err(CliError::Input(format!(
                "{dir} is not an Aeron directory: it has no {AERON_CNC_FILE} (no media driver ran there)"
            )));
        }
        let c_dir = dir
            .as_str()
            .into_c_string_for("--dir")
            .map_err(|e| CliError::Input(format!("the Aeron directory {dir:?} is not usable: {e}")))?;
        // A CnC file whose version is still 0 (a driver starting) is waited for, briefly.
        let cnc = AeronCnc::new(&c_dir, timeout.min(Duration::from_secs(1))).map_err(|e| {
            CliError::Input(format!("{} is not a usable media driver CnC file: {e}", cnc_path.display()))
        })?;
        if !self.allow_stale {
            let age = rusteron_client::epoch_clock() - cnc.to_driver_heartbeat();
            if age > timeout.as_millis() as i64 {
                let pid = cnc.get_constants().map(|c| c.pid()).unwrap_or(-1);
                return Err(CliError::Input(format!(
                    "{dir} is stale: its media driver (pid {pid}) last heartbeat was {age} ms ago, more than the \
                     {} ms driver timeout (give --allow-stale to read what it left)",
                    timeout.as_millis()
                )));
            }
        }
        Ok((dir, cnc))
    }
}

/// A CnC version packed as `major << 16 | minor << 8 | patch`, as text.
fn semantic_version(v: i32) -> String {
    format!("{}.{}.{}", (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff)
}

/// Epoch milliseconds as `YYYY-MM-DD HH:MM:SS.mmm` (UTC).
pub fn utc(epoch_ms: i64) -> String {
    let (secs, ms) = (epoch_ms.div_euclid(1000), epoch_ms.rem_euclid(1000));
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{ms:03}", sod / 3600, sod / 60 % 60, sod % 60)
}

// ---------------------------------------------------------------------------------------------
// stat

#[derive(Args, Debug)]
pub struct StatArgs {
    #[command(flatten)]
    pub dir: DirArgs,
    /// Refresh every --interval-ms (the screen is redrawn on a terminal) until interrupted
    #[arg(long, conflicts_with = "serve")]
    pub watch: bool,
    /// How often --watch refreshes
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub interval_ms: u64,
    /// Stop after N snapshots (implies --watch when above 1)
    #[arg(long, value_name = "N", conflicts_with = "serve")]
    pub count: Option<u64>,
    /// One JSON object per snapshot (one per line with --watch)
    #[arg(long, conflicts_with = "serve")]
    pub json: bool,
    /// Serve the counters as Prometheus/OpenMetrics metrics on http://ADDR/metrics until
    /// interrupted (read at each scrape); ADDR like 127.0.0.1:9091 (port 0: any free port)
    #[arg(long, value_name = "ADDR")]
    pub serve: Option<String>,
}

fn stat_text(out: &mut impl Write, cnc: &AeronCnc, constants: &AeronCncConstants) -> Result<()> {
    let samples = sample_counters(&cnc.counters_reader());
    let age = rusteron_client::epoch_clock() - cnc.to_driver_heartbeat();
    writeln!(
        out,
        "{} - Aeron Stat (CnC v{}), driver pid {}, heartbeat {age} ms ago",
        cnc.filename(),
        semantic_version(constants.cnc_version()),
        constants.pid()
    )?;
    writeln!(out, "======================================================================")?;
    for s in &samples {
        writeln!(out, "{:>3}: {:>20} - {}", s.id, s.value, s.label)?;
    }
    writeln!(out, "--")?;
    Ok(())
}

fn stat_json(out: &mut impl Write, cnc: &AeronCnc, constants: &AeronCncConstants) -> Result<()> {
    let samples = sample_counters(&cnc.counters_reader());
    let now = rusteron_client::epoch_clock();
    let counters: Vec<_> = samples
        .iter()
        .map(|s| {
            let mut c = serde_json::json!({ "id": s.id, "type_id": s.type_id, "value": s.value, "label": s.label });
            if let Some((kind, key)) = &s.stream {
                c["stream"] = serde_json::json!({
                    "kind": kind.short_name(),
                    "registration_id": key.registration_id,
                    "session_id": key.session_id,
                    "stream_id": key.stream_id,
                    "channel": key.channel,
                });
            }
            c
        })
        .collect();
    let snapshot = serde_json::json!({
        "cnc_file": cnc.filename(),
        "cnc_version": semantic_version(constants.cnc_version()),
        "pid": constants.pid(),
        "start_timestamp_ms": constants.start_timestamp(),
        "timestamp_ms": now,
        "heartbeat_age_ms": now - cnc.to_driver_heartbeat(),
        "counters": counters,
    });
    writeln!(out, "{snapshot}")?;
    Ok(())
}

pub fn stat(args: &StatArgs) -> Result<()> {
    let (dir, cnc) = args.dir.live_dir()?;
    if let Some(addr) = &args.serve {
        return crate::serve::serve(&dir, &cnc, addr);
    }
    let constants = cnc.get_constants()?;
    let snapshots = match (args.watch, args.count) {
        (_, Some(n)) => n,
        (true, None) => u64::MAX,
        (false, None) => 1,
    };
    let stdout = std::io::stdout();
    let redraw = snapshots > 1 && !args.json && stdout.is_terminal();
    let mut out = stdout.lock();
    for i in 0..snapshots {
        if i > 0 {
            std::thread::sleep(Duration::from_millis(args.interval_ms));
        }
        if redraw {
            write!(out, "\x1b[H\x1b[2J")?;
        }
        if args.json {
            stat_json(&mut out, &cnc, &constants)?;
        } else {
            stat_text(&mut out, &cnc, &constants)?;
        }
        out.flush()?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// backlog and streams

/// The per-stream counters, by (channel, stream id, session id), each with its kind, key and
/// value.
type Streams = BTreeMap<(String, i32, i32), Vec<(AeronStreamCounterKind, AeronStreamKey, i64)>>;

fn streams_of(samples: Vec<AeronCounterSample>) -> Streams {
    let mut streams = Streams::new();
    for s in samples {
        if let Some((kind, key)) = s.stream {
            streams.entry((key.channel.clone(), key.stream_id, key.session_id)).or_default().push((kind, key, s.value));
        }
    }
    for counters in streams.values_mut() {
        counters.sort_by_key(|(kind, key, _)| (*kind, key.registration_id));
    }
    streams
}

#[derive(Args, Debug)]
pub struct BacklogArgs {
    #[command(flatten)]
    pub dir: DirArgs,
}

fn show(v: Option<i64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

pub fn backlog(args: &BacklogArgs) -> Result<()> {
    let (_, cnc) = args.dir.live_dir()?;
    let streams = streams_of(sample_counters(&cnc.counters_reader()));
    let mut out = std::io::stdout().lock();
    for ((channel, stream_id, session_id), counters) in &streams {
        let first = |kind| counters.iter().find(|(k, _, _)| *k == kind).map(|(_, _, v)| *v);
        let pub_pos = first(AeronStreamCounterKind::PublisherPosition);
        let pub_lmt = first(AeronStreamCounterKind::PublisherLimit);
        let snd_pos = first(AeronStreamCounterKind::SenderPosition);
        let snd_lmt = first(AeronStreamCounterKind::SenderLimit);
        let rcv_hwm = first(AeronStreamCounterKind::ReceiverHwm);
        let rcv_pos = first(AeronStreamCounterKind::ReceiverPosition);
        let diff = |a: Option<i64>, b: Option<i64>| a.zip(b).map(|(a, b)| a - b);
        writeln!(out, "{channel} stream {stream_id} session {session_id}")?;
        if pub_pos.is_some() || pub_lmt.is_some() {
            writeln!(
                out,
                "  publisher   position {:>12}  limit {:>12}  window left {}",
                show(pub_pos),
                show(pub_lmt),
                show(diff(pub_lmt, pub_pos))
            )?;
        }
        if snd_pos.is_some() || snd_lmt.is_some() {
            writeln!(
                out,
                "  sender      position {:>12}  limit {:>12}  backlog {}",
                show(snd_pos),
                show(snd_lmt),
                show(diff(pub_pos, snd_pos))
            )?;
        }
        if rcv_hwm.is_some() || rcv_pos.is_some() {
            writeln!(
                out,
                "  receiver    position {:>12}  hwm   {:>12}  backlog {}",
                show(rcv_pos),
                show(rcv_hwm),
                show(diff(rcv_hwm, rcv_pos))
            )?;
        }
        // A subscriber is behind what has arrived: the receiver's HWM over the network, the
        // publisher's position over IPC.
        let arrived = rcv_hwm.or(pub_pos);
        for (_, key, pos) in counters.iter().filter(|(k, _, _)| *k == AeronStreamCounterKind::SubscriberPosition) {
            writeln!(
                out,
                "  subscriber  position {:>12}  (registration {})  backlog {}",
                pos,
                key.registration_id,
                show(diff(arrived, Some(*pos)))
            )?;
        }
    }
    writeln!(out, "{} stream(s)", streams.len())?;
    Ok(())
}

#[derive(Args, Debug)]
pub struct StreamsArgs {
    #[command(flatten)]
    pub dir: DirArgs,
}

pub fn streams(args: &StreamsArgs) -> Result<()> {
    let (_, cnc) = args.dir.live_dir()?;
    let streams = streams_of(sample_counters(&cnc.counters_reader()));
    let mut out = std::io::stdout().lock();
    let mut last: Option<(&str, i32)> = None;
    for ((channel, stream_id, session_id), counters) in &streams {
        if last != Some((channel.as_str(), *stream_id)) {
            writeln!(out, "{channel} stream {stream_id}")?;
            last = Some((channel.as_str(), *stream_id));
        }
        let values: Vec<String> = counters
            .iter()
            .map(|(kind, key, v)| match kind {
                AeronStreamCounterKind::SubscriberPosition => format!("{kind}({}) {v}", key.registration_id),
                _ => format!("{kind} {v}"),
            })
            .collect();
        writeln!(out, "  session {session_id}: {}", values.join(", "))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// errors and loss

#[derive(Args, Debug)]
pub struct ErrorsArgs {
    #[command(flatten)]
    pub dir: DirArgs,
}

pub fn errors(args: &ErrorsArgs) -> Result<()> {
    let (_, cnc) = args.dir.live_dir()?;
    let errors = cnc.errors(0);
    let mut out = std::io::stdout().lock();
    for e in &errors {
        writeln!(
            out,
            "***\n{} observations from {} to {} UTC for:\n {}",
            e.observation_count,
            utc(e.first_observation_timestamp),
            utc(e.last_observation_timestamp),
            e.message.trim_end()
        )?;
    }
    writeln!(out, "\n{} distinct errors observed.", errors.len())?;
    Ok(())
}

#[derive(Args, Debug)]
pub struct LossArgs {
    #[command(flatten)]
    pub dir: DirArgs,
}

pub fn loss(args: &LossArgs) -> Result<()> {
    let (_, cnc) = args.dir.live_dir()?;
    let mut out = std::io::stdout().lock();
    let mut failed = None;
    writeln!(
        out,
        "#OBSERVATION_COUNT,TOTAL_BYTES_LOST,FIRST_OBSERVATION,LAST_OBSERVATION,SESSION_ID,STREAM_ID,CHANNEL,SOURCE"
    )?;
    let n = cnc.loss_reporter_read_once(|count, bytes, first, last, session, stream, channel, source| {
        if let Err(e) = writeln!(out, "{count},{bytes},{first},{last},{session},{stream},{channel},{source}") {
            failed.get_or_insert(e);
        }
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    writeln!(out, "# {n} loss entries")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_formats_epoch_milliseconds() {
        assert_eq!(super::utc(0), "1970-01-01 00:00:00.000");
        assert_eq!(super::utc(951_782_400_123), "2000-02-29 00:00:00.123");
        assert_eq!(super::utc(1_767_225_599_999), "2025-12-31 23:59:59.999");
    }

    #[test]
    fn cnc_versions_read_as_semantic_versions() {
        assert_eq!(super::semantic_version((1 << 16) | (2 << 8) | 3), "1.2.3");
    }
}
