//! Soak: rounds of publishing into one recording while the archive (with its embedded media
//! driver) is SIGKILLed at random points and restarted on the same directories. After each
//! restart the recording is extended (`extend_recording`) from the position the archive
//! recovered. At the end everything is replayed and checked: every message the archive
//! acknowledged (its recording position counter had passed it before the kill) must be present
//! once, in order, byte for byte.
//!
//! Run: `just soak` (defaults), or
//! `cargo run --release -p rusteron-archive --example soak -- [--messages N] [--restarts R]
//!  [--seed S] [--size BYTES] [--checksum] [--fresh-dir-per-round]`.
//!
//! `--checksum` runs the archive with record checksums (CRC-32 of every recorded frame);
//! `--fresh-dir-per-round` starts a new archive on new directories each round instead of
//! restarting on the same ones (a new recording each round): the control for comparing rates.

use rusteron_archive::testing::{wait_until, EmbeddedArchiveMediaDriverProcess, CRC32_CHECKSUM, RECORD_CHECKSUM_PROP};
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

const STREAM_ID: i32 = 4242;
const REPLAY_STREAM_ID: i32 = 4243;
const TERM_LENGTH: i64 = 16 * 1024 * 1024;
const SEGMENT_LENGTH: i64 = 128 * 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(30);

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// splitmix64: a small seeded generator, so a run can be repeated with its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [lo, hi).
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }
}

/// Message `id`: its number, then bytes derived from it.
fn fill_message(buf: &mut [u8], id: u64) {
    buf[..8].copy_from_slice(&id.to_le_bytes());
    for (k, b) in buf[8..].iter_mut().enumerate() {
        *b = (id.wrapping_mul(0x9E37).wrapping_add(k as u64 * 13) >> 3) as u8;
    }
}

fn cstring(s: &str) -> Result<std::ffi::CString> {
    Ok(std::ffi::CString::new(s)?)
}

fn proc_status(key: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(key)).map(|l| l[key.len()..].trim().to_string()))
        .unwrap_or_else(|| "?".into())
}

fn fd_count() -> usize {
    std::fs::read_dir("/proc/self/fd").map(|d| d.count()).unwrap_or(0)
}

fn resources() -> String {
    format!("RSS {}, {} fds, {} threads", proc_status("VmRSS:"), fd_count(), proc_status("Threads:"))
}

/// CPU time (user + system) of process `pid` so far.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (in parentheses): state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = rest.split_whitespace().skip(11).take(2).filter_map(|v| v.parse().ok()).collect();
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_nanos(f.iter().sum::<u64>() * 1_000_000_000 / ticks)
}

/// Size of a directory's files (catalog and segments), in bytes.
fn dir_bytes(dir: &str) -> u64 {
    std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum())
        .unwrap_or(0)
}

/// One round's contribution to the recording: messages `first_id..first_id + recorded` were
/// recorded at `[start, stop)`; the first `acked` of them were acknowledged before the kill.
#[derive(Clone, Copy, Debug)]
struct Span {
    recording_id: i64,
    first_id: u64,
    acked: u64,
    recorded: u64,
}

struct Options {
    messages: u64,
    restarts: u32,
    seed: u64,
    size: usize,
    checksum: bool,
    fresh_dir_per_round: bool,
}

fn options() -> Result<Options> {
    let mut o = Options {
        messages: 10_000_000,
        restarts: 6,
        seed: std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos() as u64,
        size: 32,
        checksum: false,
        fresh_dir_per_round: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--messages" => o.messages = value()?.replace('_', "").parse()?,
            "--restarts" => o.restarts = value()?.parse()?,
            "--seed" => o.seed = value()?.parse()?,
            "--size" => o.size = value()?.parse()?,
            "--checksum" => o.checksum = true,
            "--fresh-dir-per-round" => o.fresh_dir_per_round = true,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if o.size < 8 {
        return Err("--size must be at least 8".into());
    }
    Ok(o)
}

/// The recording position counter of the session's recording, once the archive has it.
fn recording_counter(aeron: &Aeron, session_id: i32, archive_id: i64) -> Result<(AeronCountersReader, i32)> {
    let reader = counters_reader_of(aeron);
    let mut counter_id = -1;
    if !wait_until(TIMEOUT, || {
        counter_id = RecordingPos::find_counter_id_by_session_id(&reader, session_id, archive_id);
        counter_id >= 0
    }) {
        return Err("the archive did not start recording the publication".into());
    }
    Ok((reader, counter_id))
}

fn descriptor(archive: &AeronArchive, recording_id: i64) -> Result<AeronArchiveRecordingDescriptor> {
    let mut found = None;
    archive.list_recording(recording_id, |d: AeronArchiveRecordingDescriptor| found = Some(d))?;
    found.ok_or_else(|| format!("recording {recording_id} is not in the catalog").into())
}

fn main() -> Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let o = options()?;
    let frame = ((32 + o.size as i64) + 31) & !31;
    if TERM_LENGTH % frame != 0 {
        return Err(format!("a frame of {frame} bytes must divide the term length (no padding frames)").into());
    }
    let mut rng = Rng(o.seed);
    println!(
        "soak: seed {} (repeat with --seed {}), {} messages of {} bytes ({frame}-byte frames), {} restarts, record \
         checksum {}, {}",
        o.seed,
        o.seed,
        o.messages,
        o.size,
        o.restarts,
        if o.checksum { "CRC-32" } else { "off" },
        if o.fresh_dir_per_round { "a fresh archive each round" } else { "restarts on the same directories" }
    );
    let start_resources = resources();
    println!("client at start: {start_resources}");

    let term = TERM_LENGTH.to_string();
    let segment = SEGMENT_LENGTH.to_string();
    let mut props: Vec<(&str, &str)> =
        vec![("aeron.ipc.term.buffer.length", &term), ("aeron.archive.segment.file.length", &segment)];
    if o.checksum {
        props.push((RECORD_CHECKSUM_PROP, CRC32_CHECKSUM));
    }
    let t_all = Instant::now();
    let mut process = EmbeddedArchiveMediaDriverProcess::start_with(&props)?;
    // Archives of earlier rounds (only with --fresh-dir-per-round), kept for the replay.
    let mut old_processes: Vec<EmbeddedArchiveMediaDriverProcess> = Vec::new();
    let mut spans: Vec<Span> = Vec::new();
    let mut next_id = 0u64;
    let mut acked_total = 0u64;
    let mut sent_total = 0u64;
    let mut restarts = 0u32;
    let mut recording_id = -1i64;
    let mut msg = vec![0u8; o.size];
    let mut round = 0u32;

    loop {
        let last = restarts >= o.restarts;
        let remaining = o.messages.saturating_sub(acked_total);
        // Rounds left (this one included); the kill point is random in [0.4, 1.4) of an even share.
        let share = remaining / (o.restarts - restarts + 1) as u64;
        let kill_after = if last { remaining } else { rng.range(share * 2 / 5, share * 7 / 5).max(1) };

        let t_connect = Instant::now();
        let (aeron, archive) = process.connect()?;
        let (publication, subscription_id) = if recording_id < 0 {
            let channel = format!("aeron:ipc?term-length={TERM_LENGTH}");
            let sub = archive.start_recording(&cstring(&channel)?, STREAM_ID, SOURCE_LOCATION_LOCAL, false)?;
            let publication = aeron.add_exclusive_publication(&cstring(&channel)?, STREAM_ID, TIMEOUT)?;
            (publication, sub)
        } else {
            // Continue the recording where the archive recovered it: same initial term id, term
            // length and MTU, starting at its stop position.
            let d = descriptor(&archive, recording_id)?;
            let tl = d.term_buffer_length as i64;
            let term_id = d.initial_term_id.wrapping_add((d.stop_position / tl) as i32);
            let channel = format!(
                "aeron:ipc?term-length={tl}|mtu={}|init-term-id={}|term-id={term_id}|term-offset={}",
                d.mtu_length,
                d.initial_term_id,
                d.stop_position % tl
            );
            let publication = aeron.add_exclusive_publication(&cstring(&channel)?, STREAM_ID, TIMEOUT)?;
            assert_eq!(publication.position(), d.stop_position, "the extension starts at the recovered stop position");
            let sub = archive.extend_recording(
                recording_id,
                &cstring(&format!("aeron:ipc?session-id={}", publication.session_id()))?,
                STREAM_ID,
                SOURCE_LOCATION_LOCAL,
                false,
            )?;
            (publication, sub)
        };
        let (reader, counter_id) = recording_counter(&aeron, publication.session_id(), process.archive_id())?;
        let rid = RecordingPos::get_recording_id(&reader, counter_id);
        if recording_id < 0 {
            recording_id = rid;
        }
        assert_eq!(rid, recording_id, "one recording, extended");
        let start = publication.position();
        let connect_took = t_connect.elapsed();

        // Publish until the kill point (or, in the last round, the end).
        let first_id = next_id;
        let jvm_cpu0 = cpu_time(process.pid());
        let t0 = Instant::now();
        let mut sent = 0u64;
        let mut back_pressured = 0u64;
        // When half of the round was sent: the rates of the two halves show a warming JVM.
        let mut half_at = None;
        let bar = progress(kill_after, &format!("round {round}: publishing"));
        while sent < kill_after {
            if sent.is_multiple_of(65_536) {
                bar.set_position(sent);
            }
            if half_at.is_none() && sent >= kill_after / 2 {
                half_at = Some((t0.elapsed(), reader.get_counter_value(counter_id)?));
            }
            fill_message(&mut msg, next_id);
            match publication.offer(&msg) {
                Ok(p) => {
                    debug_assert_eq!(p, start + (sent as i64 + 1) * frame);
                    next_id += 1;
                    sent += 1;
                }
                Err(e) if e.kind().is_retryable() => {
                    back_pressured += 1;
                    std::hint::spin_loop();
                }
                Err(e) => return Err(format!("round {round}: offer failed: {e}").into()),
            }
        }
        let publish_took = t0.elapsed();
        bar.finish_and_clear();
        let end = publication.position();
        sent_total += sent;

        let (ack, stop, took, how, jvm_cpu);
        if last {
            // The end: wait until everything is recorded, stop the recording, wait for its stop.
            if !wait_until(TIMEOUT, || reader.get_counter_value(counter_id).unwrap_or(-1) >= end) {
                return Err("the last round was not recorded in time".into());
            }
            took = t0.elapsed();
            ack = reader.get_counter_value(counter_id)?;
            jvm_cpu = (cpu_time(process.pid()), process.pid());
            archive.stop_recording_subscription(subscription_id)?;
            if !wait_until(TIMEOUT, || archive.get_stop_position(recording_id).unwrap_or(-1) == end) {
                return Err("the recording did not stop at the end".into());
            }
            stop = end;
            how = "stopped".to_string();
        } else {
            // Acknowledged: what the recording counter says now, just before the kill.
            ack = reader.get_counter_value(counter_id)?;
            took = t0.elapsed();
            jvm_cpu = (cpu_time(process.pid()), process.pid());
            process.kill();
            restarts += 1;
            let t_drop = Instant::now();
            drop(publication);
            drop(archive);
            drop(reader);
            drop(aeron);
            let drop_took = t_drop.elapsed();
            let t_restart = Instant::now();
            if o.fresh_dir_per_round {
                // The control: a new archive on new directories. The killed one is restarted
                // later, only to replay its recording.
                let new = EmbeddedArchiveMediaDriverProcess::start_with(&props)?;
                old_processes.push(std::mem::replace(&mut process, new));
            } else {
                process.restart()?;
            }
            let restart_took = t_restart.elapsed();
            if o.fresh_dir_per_round {
                let old = old_processes.last_mut().expect("just pushed");
                old.restart()?;
                let (_a, archive) = old.connect()?;
                stop = archive.get_stop_position(recording_id)?;
                old.kill();
            } else {
                let (_a, archive) = process.connect()?;
                stop = archive.get_stop_position(recording_id)?;
            }
            how = format!("killed at {}; clients dropped in {drop_took:.0?}, archive back in {restart_took:.2?}", ack);
        }
        if stop < ack || stop > end || (stop - start) % frame != 0 {
            return Err(format!(
                "round {round}: recovered stop position {stop} outside [acknowledged {ack}, sent {end}] or not on a frame"
            )
            .into());
        }
        let (half_t, half_pos) = half_at.unwrap_or((Duration::ZERO, start));
        let halves = format!(
            "recorded {:.2} then {:.2} M msg/s in the round's two halves",
            ((half_pos - start) / frame) as f64 / half_t.as_secs_f64().max(1e-9) / 1e6,
            ((ack - half_pos) / frame) as f64 / (took - half_t).as_secs_f64().max(1e-9) / 1e6
        );
        let acked = ((ack - start) / frame) as u64;
        let round_cpu = jvm_cpu.0.saturating_sub(jvm_cpu0);
        let cpu = format!(
            "archive JVM CPU {:.0} ns per recorded message ({round_cpu:.2?} in the round, {:.2?} since it started)",
            round_cpu.as_nanos() as f64 / acked.max(1) as f64,
            jvm_cpu.0
        );
        let recorded = ((stop - start) / frame) as u64;
        acked_total += acked;
        spans.push(Span { recording_id, first_id, acked, recorded });
        let archive_dir_mb = dir_bytes(process.archive_dir()) as f64 / 1e6;
        println!(
            "round {round}: sent {sent} in {publish_took:.2?} ({:.2} M msg/s offered), acknowledged {acked} ({:.2} M \
             msg/s recorded), recovered {recorded} (+{} past the acknowledgement, {} sent but not recorded), {} \
             back-pressured offers, {halves}, {cpu}, connect+extend {connect_took:.0?}, archive dir {archive_dir_mb:.0} MB; {how}; {}",
            sent as f64 / publish_took.as_secs_f64() / 1e6,
            acked as f64 / took.as_secs_f64() / 1e6,
            recorded - acked,
            sent - recorded,
            back_pressured,
            resources()
        );
        round += 1;
        if o.fresh_dir_per_round && !last {
            recording_id = -1;
        }
        if last {
            break;
        }
    }

    // Replay everything and check it: one recording (or, with --fresh-dir-per-round, one per
    // round, each on its own archive).
    let t_replay = Instant::now();
    let mut checked = 0u64;
    let mut lost = 0u64;
    let mut unexpected = 0u64;
    let mut corrupt = 0u64;
    let mut extra_recorded = 0u64;
    let mut expected = vec![0u8; o.size];
    let groups: Vec<Vec<Span>> =
        if o.fresh_dir_per_round { spans.iter().map(|s| vec![*s]).collect() } else { vec![spans.clone()] };
    for (index, group) in groups.iter().enumerate() {
        let p = if index < old_processes.len() {
            let p = &mut old_processes[index];
            p.restart()?;
            p
        } else {
            &mut process
        };
        let rid = group[0].recording_id;
        let (_aeron, archive) = p.connect()?;
        let stop = archive.get_stop_position(rid)?;
        let params = AeronArchiveReplayParams::new_default()?.with_position(0).with_length(stop);
        let replay = archive.replay(
            rid,
            &cstring(&format!("aeron:ipc?term-length={TERM_LENGTH}"))?,
            REPLAY_STREAM_ID + index as i32,
            &params,
        )?;
        // The messages the recording must hold, in order: each round's recorded ids, and
        // whether the archive had acknowledged them.
        let mut want = group
            .iter()
            .flat_map(|s| (s.first_id..s.first_id + s.recorded).map(move |id| (id, id < s.first_id + s.acked)))
            .peekable();
        let total: u64 = group.iter().map(|s| s.recorded).sum();
        let mut got = 0u64;
        let mut last_progress = Instant::now();
        let bar = progress(total, &format!("replaying recording {rid}"));
        loop {
            let n = replay.poll_once(
                |buf: &[u8], _h: AeronHeader<'_>| {
                    got += 1;
                    let id = u64::from_le_bytes(buf[..8].try_into().unwrap());
                    // Skip (and count) expected messages that did not come.
                    while let Some(&(w, was_acked)) = want.peek() {
                        if w >= id {
                            break;
                        }
                        if was_acked {
                            lost += 1;
                        }
                        want.next();
                    }
                    match want.peek() {
                        Some(&(w, was_acked)) if w == id => {
                            want.next();
                            fill_message(&mut expected, id);
                            if buf != expected.as_slice() {
                                corrupt += 1;
                            }
                            if !was_acked {
                                extra_recorded += 1;
                            }
                            checked += 1;
                        }
                        // A duplicate, a message out of order, or one never sent into this recording.
                        _ => unexpected += 1,
                    }
                },
                4096,
            )?;
            if got >= total {
                break;
            }
            if n > 0 {
                last_progress = Instant::now();
                bar.set_position(got);
            } else if (got > 0 && replay.image_count()? == 0) || last_progress.elapsed() > TIMEOUT {
                bar.finish_and_clear();
                println!("the replay of recording {rid} ended at {got} of {total} messages");
                break;
            } else {
                std::thread::yield_now();
            }
        }
        bar.finish_and_clear();
        // Acknowledged messages never seen.
        lost += want.filter(|&(_, was_acked)| was_acked).count() as u64;
    }
    let replay_took = t_replay.elapsed();
    let recorded_total: u64 = spans.iter().map(|s| s.recorded).sum();
    drop(process);
    drop(old_processes);
    println!(
        "replayed {checked} messages in {replay_took:.2?} ({:.2} M msg/s): {recorded_total} recorded, {acked_total} \
         acknowledged, {extra_recorded} recorded past an acknowledgement, {corrupt} corrupt, {unexpected} unexpected",
        checked as f64 / replay_took.as_secs_f64() / 1e6
    );
    println!(
        "soak: {sent_total} messages sent, {recorded_total} recorded, {restarts} restarts, {lost} acknowledged \
         messages lost, {:.1?} in all (seed {})",
        t_all.elapsed(),
        o.seed
    );
    println!("client at start: {start_resources}");
    println!("client at end:   {}", resources());
    if lost != 0 || corrupt != 0 || unexpected != 0 || recorded_total < o.messages.min(acked_total) {
        return Err(format!("FAILED: {lost} lost, {corrupt} corrupt, {unexpected} unexpected").into());
    }
    Ok(())
}
