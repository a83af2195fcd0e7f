//! Archive recording and replay throughput, 32-byte messages over aeron:ipc, three clients against
//! one Aeron Java archive (`ArchivingMediaDriver`, started by `rusteron_archive::testing` with the
//! properties of `benches/java/archive.properties`): our wrapper (`rust`), the raw C archive client
//! driven by raw calls (`raw`), and Aeron's Java `AeronArchive` client (`java`,
//! `benches/java/ArchiveBench.java`).
//!
//! Every client is its own process, started once by this bench (the bench binary itself with
//! `--archive-client rust|raw`, and a JVM), and driven over its stdin/stdout one run at a time, in
//! alternating order within one run of the bench: round r runs the clients in the order
//! `rust raw java` rotated by r (A B C, B C A, C A B, ...), so each client runs first, second
//! and third equally often and load that comes and goes hits all three alike.
//!
//! One run of a client (method identical in Rust and Java):
//!   record: start_recording(aeron:ipc, stream, LOCAL), offer N messages on an exclusive
//!           publication (yield on back pressure), stop the clock when the archive's recording
//!           position counter reaches the publication's position;
//!   replay: start_replay(the reference recording of N messages, from 0, whole length, aeron:ipc)
//!           and poll a subscription to the replay's session (limit 256, yield when empty) until
//!           all N messages arrived; the clock includes the replay request and the subscription.
//! The reference recording is the first one made (in the first warm-up round); every client
//! replays that one, and each run's new recording is purged.
//!
//! Around each timed part the client stops twice (`ready` before its clock starts, `done` after
//! it stops), and this process samples both the client's and the archive's `/proc/<pid>` there:
//! CPU time of all threads (ns, from schedstat), context switches, and ticks; and the load before
//! and after each run (record + replay). Figures per message: CPU ns / N. Each client also
//! reports the CPU its thread spent in its yield loops waiting for the archive ([`Waits`]), so the
//! table shows the client's CPU with and without waiting. The 1-minute load average before and
//! after each run is printed, but it does not decide which runs count: the bench's own busy threads
//! (the archive's, the client's) hold it near 3 on a quiet 2-core machine. A run is marked when
//! other processes used more than `OTHERS_LIMIT` cores (default 0.5, as in `scripts/bench.sh`)
//! during its timed parts (machine CPU from `/proc/stat` minus the client's and the archive's);
//! the medians use the rounds without a marked run when at least three are left, all rounds
//! otherwise (and say so).
//!
//! `WARMUP` rounds are not measured, then `ARCHIVE_BENCH_RUNS` (45) rounds of
//! `ARCHIVE_BENCH_MESSAGES` (1,000,000) each; `ARCHIVE_BENCH_CLIENTS=rust,raw,java` picks clients;
//! `ARCHIVE_BENCH_CLIENT_PREFIX` runs the Rust and raw C clients under a tool (`{name}` in it
//! becomes the client's name), e.g. `valgrind --tool=callgrind --callgrind-out-file=cg.{name}`.
//! Results: printed, and `<target>/bench-results/archive.json` (per-run values included).

mod common;

use common::*;
use rusteron_archive::testing::EmbeddedArchiveMediaDriverProcess;
use rusteron_archive::*;
use rusteron_client::bindings as raw;
use std::ffi::CString;
use std::io::{BufRead, BufReader, Write};
use std::os::raw::c_void;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const IPC: &str = "aeron:ipc";
const FRAGMENT_LIMIT: usize = 256;
/// Unmeasured rounds first: the JVM compiles its hot paths, pages of every client are touched.
const WARMUP: usize = 2;
/// How long the orchestrator waits for any one answer of a client.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(120);
const ALL_CLIENTS: [&str; 3] = ["rust", "raw", "java"];

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// `benches/java/archive.properties` as (key, value) pairs.
fn archive_properties() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../benches/java/archive.properties"))
        .expect("benches/java/archive.properties");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.trim().to_string(), v.trim().to_string())))
        .collect()
}

// ------------------------------------------------------------------------------------------
// The client side: one process per flavour, commands on stdin, answers on stdout.
// ------------------------------------------------------------------------------------------

#[inline(always)]
fn idle() {
    std::thread::yield_now();
}

/// This thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`, ns).
fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// The CPU a client's thread spends waiting for the archive (its yield loops), so the bench can
/// tell the client's work from its waiting: from the first refused try until just before the try
/// that succeeds (that one is work), read from the thread's CPU clock, which is only read when a
/// try failed. The Java client counts the same way (`ThreadMXBean.getCurrentThreadCpuTime`).
#[derive(Default)]
struct Waits {
    ns: u64,
}

impl Waits {
    /// `try_once` until it gives a value, yielding between tries.
    #[inline(always)]
    fn until<T>(&mut self, mut try_once: impl FnMut() -> Option<T>) -> T {
        if let Some(v) = try_once() {
            return v;
        }
        let t0 = thread_cpu_ns();
        loop {
            idle();
            let t1 = thread_cpu_ns();
            if let Some(v) = try_once() {
                self.ns += t1 - t0;
                return v;
            }
        }
    }

    /// Yields until `done()`; all of it is waiting.
    fn wait(&mut self, mut done: impl FnMut() -> bool) {
        let t0 = thread_cpu_ns();
        while !done() {
            idle();
        }
        self.ns += thread_cpu_ns() - t0;
    }
}

/// The client's end of the protocol: `ready` / `go` before the clock starts, `done` / `finish`
/// after it stops, so the orchestrator samples `/proc` exactly around the timed part.
struct Gate {
    lines: std::io::Lines<std::io::StdinLock<'static>>,
}

impl Gate {
    fn say(&self, line: &str) {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}").and_then(|_| out.flush()).expect("stdout");
    }

    fn next(&mut self) -> Option<String> {
        self.lines.next().map(|l| l.expect("stdin"))
    }

    fn expect(&mut self, word: &str) {
        let got = self.next();
        assert_eq!(got.as_deref(), Some(word), "archive client: expected {word:?} from the bench");
    }

    /// Before the clock starts.
    fn start(&mut self) {
        self.say("ready");
        self.expect("go");
    }

    /// After the clock stopped: reports the time, `value` and the CPU spent waiting, then waits
    /// until the bench has sampled.
    fn stop(&mut self, elapsed: Duration, value: i64, waits: &Waits) {
        self.say(&format!("done {} {value} {}", elapsed.as_nanos(), waits.ns));
        self.expect("finish");
    }
}

/// One client flavour: record `n` messages on `stream` (returns the recording id), replay the
/// first `n` messages of a recording; each calls `gate.start()` / `gate.stop()` around its clock.
trait Client {
    fn record(&mut self, stream: i32, n: usize, gate: &mut Gate) -> i64;
    fn replay(&mut self, recording_id: i64, stream: i32, n: usize, gate: &mut Gate);
    fn purge(&mut self, recording_id: i64);
}

/// Where the client connects: the archive's Aeron directory and control channels.
struct Target {
    aeron_dir: String,
    request: String,
    response: String,
}

struct RustClient {
    aeron: Aeron,
    archive: AeronArchive,
}

impl RustClient {
    fn connect(t: &Target) -> RustClient {
        let ctx = AeronContext::new().expect("context");
        ctx.set_dir(&t.aeron_dir.as_str().into_c_string()).expect("dir");
        ctx.set_driver_timeout_ms(20_000).expect("driver timeout");
        let aeron = Aeron::connect(&ctx).expect("aeron connect");
        let actx = AeronArchiveContext::new().expect("archive context");
        actx.set_aeron(&aeron).expect("aeron");
        actx.set_control_request_channel(&t.request.as_str().into_c_string()).expect("request channel");
        actx.set_control_response_channel(&t.response.as_str().into_c_string()).expect("response channel");
        actx.set_message_timeout(Duration::from_secs(10)).expect("message timeout");
        let archive = AeronArchive::connect(&actx).expect("archive connect");
        RustClient { aeron, archive }
    }
}

impl Client for RustClient {
    fn record(&mut self, stream: i32, n: usize, gate: &mut Gate) -> i64 {
        let ch = IPC.into_c_string();
        let sub_id = self.archive.start_recording(&ch, stream, SOURCE_LOCATION_LOCAL, false).expect("start_recording");
        let publication = self.aeron.add_exclusive_publication(&ch, stream, TIMEOUT).expect("publication");
        let reader = self.aeron.counters_reader();
        let archive_id = self.archive.get_archive_id();
        let mut counter_id = -1;
        assert!(rusteron_client::testing::wait_until(TIMEOUT, || {
            counter_id = RecordingPos::find_counter_id_by_session_id(&reader, publication.session_id(), archive_id);
            counter_id >= 0
        }));
        let recording_id = RecordingPos::get_recording_id(&reader, counter_id);
        let mut msg = [0u8; MSG_LEN];
        let mut waits = Waits::default();
        gate.start();
        let start = Instant::now();
        for i in 0..n {
            msg[..4].copy_from_slice(&(i as u32).to_le_bytes());
            waits.until(|| publication.offer(&msg).ok());
        }
        let end = publication.position();
        waits.wait(|| reader.get_counter_value(counter_id).unwrap_or(0) >= end);
        gate.stop(start.elapsed(), recording_id, &waits);
        self.archive.stop_recording_subscription(sub_id).expect("stop_recording");
        recording_id
    }

    fn replay(&mut self, recording_id: i64, stream: i32, n: usize, gate: &mut Gate) {
        let mut received = 0usize;
        let mut handler = |_m: &[u8], _h: AeronHeader<'_>| received += 1;
        let params = AeronArchiveReplayParams::new_default().expect("replay params");
        let ch = IPC.into_c_string();
        let mut waits = Waits::default();
        gate.start();
        let start = Instant::now();
        let session = self.archive.start_replay(recording_id, &ch, stream, &params).expect("start_replay");
        let sub_ch = format!("{IPC}?session-id={}", session as i32).into_c_string();
        let sub = self
            .aeron
            .add_subscription(&sub_ch, stream, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
            .expect("replay subscription");
        let mut left = n;
        while left > 0 {
            let got = waits.until(|| match sub.poll_with(&mut handler, FRAGMENT_LIMIT).expect("poll") {
                0 => None,
                got => Some(got as usize),
            });
            left -= got.min(left);
        }
        let elapsed = start.elapsed();
        gate.stop(elapsed, received as i64, &waits);
        assert_eq!(received, n);
        let _ = self.archive.stop_replay(session);
    }

    fn purge(&mut self, recording_id: i64) {
        let _ = self.archive.purge_recording(recording_id);
    }
}

/// The raw twin: a C client and a C archive client made and used with raw calls only.
struct RawArchiveClient {
    client: RawClient,
    ctx: *mut raw::aeron_archive_context_t,
    archive: *mut raw::aeron_archive_t,
}

impl RawArchiveClient {
    fn connect(t: &Target) -> RawArchiveClient {
        let client = RawClient::connect(&t.aeron_dir);
        unsafe {
            let mut ctx = std::ptr::null_mut();
            assert!(raw::aeron_archive_context_init(&mut ctx) >= 0);
            assert!(raw::aeron_archive_context_set_aeron(ctx, client.aeron) >= 0);
            let req = CString::new(t.request.as_str()).unwrap();
            let rsp = CString::new(t.response.as_str()).unwrap();
            assert!(raw::aeron_archive_context_set_control_request_channel(ctx, req.as_ptr()) >= 0);
            assert!(raw::aeron_archive_context_set_control_response_channel(ctx, rsp.as_ptr()) >= 0);
            assert!(raw::aeron_archive_context_set_message_timeout_ns(ctx, 10_000_000_000) >= 0);
            let mut archive = std::ptr::null_mut();
            assert!(raw::aeron_archive_connect(&mut archive, ctx) >= 0, "raw archive connect");
            RawArchiveClient { client, ctx, archive }
        }
    }
}

impl Drop for RawArchiveClient {
    fn drop(&mut self) {
        unsafe {
            raw::aeron_archive_close(self.archive);
            raw::aeron_archive_context_close(self.ctx);
        }
    }
}

unsafe extern "C" fn raw_count(clientd: *mut c_void, _b: *const u8, _l: usize, _h: *mut raw::aeron_header_t) {
    *(clientd as *mut usize) += 1;
}

impl Client for RawArchiveClient {
    fn record(&mut self, stream: i32, n: usize, gate: &mut Gate) -> i64 {
        unsafe {
            let ch = CString::new(IPC).unwrap();
            let mut sub_id = 0i64;
            let local = raw::aeron_archive_source_location_en_AERON_ARCHIVE_SOURCE_LOCATION_LOCAL;
            assert!(
                raw::aeron_archive_start_recording(&mut sub_id, self.archive, ch.as_ptr(), stream, local, false) >= 0
            );
            let publication = self.client.add_exclusive_publication(IPC, stream);
            let mut constants: raw::aeron_publication_constants_t = std::mem::zeroed();
            assert!(raw::aeron_exclusive_publication_constants(publication, &mut constants) >= 0);
            let reader = raw::aeron_counters_reader(self.client.aeron);
            let archive_id = raw::aeron_archive_get_archive_id(self.archive);
            let mut counter_id = -1;
            assert!(rusteron_client::testing::wait_until(TIMEOUT, || {
                counter_id = raw::aeron_archive_recording_pos_find_counter_id_by_session_id(
                    reader,
                    constants.session_id,
                    archive_id,
                );
                counter_id >= 0
            }));
            let recording_id = raw::aeron_archive_recording_pos_get_recording_id(reader, counter_id);
            let counter = raw::aeron_counters_reader_addr(reader, counter_id);
            let mut msg = [0u8; MSG_LEN];
            let mut waits = Waits::default();
            gate.start();
            let start = Instant::now();
            for i in 0..n {
                msg[..4].copy_from_slice(&(i as u32).to_le_bytes());
                waits.until(|| {
                    let rc = raw::aeron_exclusive_publication_offer(
                        publication,
                        msg.as_ptr(),
                        MSG_LEN,
                        None,
                        std::ptr::null_mut(),
                    );
                    (rc >= 0).then_some(rc)
                });
            }
            let end = raw::aeron_exclusive_publication_position(publication);
            waits.wait(|| std::ptr::read_volatile(counter) >= end);
            gate.stop(start.elapsed(), recording_id, &waits);
            assert!(raw::aeron_archive_stop_recording_subscription(self.archive, sub_id) >= 0);
            raw::aeron_exclusive_publication_close(publication, None, std::ptr::null_mut());
            recording_id
        }
    }

    fn replay(&mut self, recording_id: i64, stream: i32, n: usize, gate: &mut Gate) {
        unsafe {
            let mut received = 0usize;
            let mut params: raw::aeron_archive_replay_params_t = std::mem::zeroed();
            assert!(raw::aeron_archive_replay_params_init(&mut params) >= 0);
            let ch = CString::new(IPC).unwrap();
            let mut waits = Waits::default();
            gate.start();
            let start = Instant::now();
            let mut session = 0i64;
            assert!(
                raw::aeron_archive_start_replay(
                    &mut session,
                    self.archive,
                    recording_id,
                    ch.as_ptr(),
                    stream,
                    &mut params
                ) >= 0
            );
            let sub = self.client.add_subscription(&format!("{IPC}?session-id={}", session as i32), stream);
            let counter = &mut received as *mut usize as *mut c_void;
            let mut left = n;
            while left > 0 {
                let got = waits.until(|| {
                    let got = raw::aeron_subscription_poll(sub, Some(raw_count), counter, FRAGMENT_LIMIT);
                    assert!(got >= 0, "raw replay poll failed: {got}");
                    (got != 0).then_some(got as usize)
                });
                left -= got.min(left);
            }
            gate.stop(start.elapsed(), received as i64, &waits);
            assert_eq!(received, n);
            raw::aeron_archive_stop_replay(self.archive, session);
            raw::aeron_subscription_close(sub, None, std::ptr::null_mut());
        }
    }

    fn purge(&mut self, recording_id: i64) {
        let mut deleted = 0i64;
        unsafe { raw::aeron_archive_purge_recording(&mut deleted, self.archive, recording_id) };
    }
}

/// `--archive-client FLAVOUR AERON_DIR REQUEST_CHANNEL RESPONSE_CHANNEL`: serve the bench's
/// commands (`record S N`, `replay ID S N`, `purge ID`, `quit`) on stdin until it closes.
fn client_main(args: &[String]) {
    let t = Target { aeron_dir: args[1].clone(), request: args[2].clone(), response: args[3].clone() };
    let mut client: Box<dyn Client> = match args[0].as_str() {
        "rust" => Box::new(RustClient::connect(&t)),
        "raw" => Box::new(RawArchiveClient::connect(&t)),
        other => panic!("--archive-client {other}: expected rust or raw"),
    };
    let mut gate = Gate { lines: std::io::stdin().lock().lines() };
    gate.say(&format!("hello {}", std::process::id()));
    while let Some(line) = gate.next() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let num = |i: usize| f[i].parse::<i64>().unwrap_or_else(|_| panic!("bad command {line:?}"));
        match f.first().copied() {
            Some("record") => {
                client.record(num(1) as i32, num(2) as usize, &mut gate);
            }
            Some("replay") => client.replay(num(1), num(2) as i32, num(3) as usize, &mut gate),
            Some("purge") => client.purge(num(1)),
            Some("quit") | None => break,
            Some(other) => panic!("archive client: unknown command {other:?}"),
        }
        gate.say("ok");
    }
}

// ------------------------------------------------------------------------------------------
// The orchestrator: starts the archive and the clients, runs the rounds, samples /proc.
// ------------------------------------------------------------------------------------------

/// A client process driven over its stdin/stdout (a reader thread feeds `lines`, so every wait
/// has a deadline).
struct Remote {
    name: &'static str,
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
    pid: u32,
}

/// What one timed part cost: wall time, the client's and the archive's use of the machine.
#[derive(Clone, Copy, Debug, Default)]
struct Part {
    wall_ns: u64,
    client: ProcDelta,
    archive: ProcDelta,
    /// Busy CPU time of the whole machine over the same window (`/proc/stat`, 10 ms ticks).
    machine_ns: u64,
    /// CPU the client's thread spent in its yield loops, waiting for the archive (its own count).
    client_wait_ns: u64,
}

impl Part {
    /// The client's CPU without its waiting (all threads, less the main thread's yield loops).
    fn work_ns(&self) -> u64 {
        self.client.cpu_ns.saturating_sub(self.client_wait_ns)
    }

    /// CPU that processes other than the client and the archive used in this part, in cores.
    fn others_cores(&self) -> f64 {
        let ours = self.client.cpu_ns + self.archive.cpu_ns;
        self.machine_ns.saturating_sub(ours) as f64 / self.wall_ns.max(1) as f64
    }
}

impl Remote {
    fn spawn(name: &'static str, mut cmd: Command) -> Remote {
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("archive bench: cannot start the {name} client: {e}"));
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut r = Remote { name, child, stdin, lines: rx, pid: 0 };
        let hello = r.read();
        let pid = hello.strip_prefix("hello ").and_then(|p| p.trim().parse().ok());
        r.pid = pid.unwrap_or_else(|| panic!("archive bench: the {name} client said {hello:?}, not hello <pid>"));
        r
    }

    fn send(&mut self, line: &str) {
        writeln!(self.stdin, "{line}")
            .and_then(|_| self.stdin.flush())
            .unwrap_or_else(|e| panic!("archive bench: the {} client stopped reading: {e}", self.name));
    }

    fn read(&mut self) -> String {
        match self.lines.recv_timeout(CLIENT_TIMEOUT) {
            Ok(l) => l,
            Err(e) => {
                let status = self.child.try_wait();
                panic!(
                    "archive bench: no answer from the {} client within {CLIENT_TIMEOUT:?} ({e}; process: {status:?})",
                    self.name
                )
            }
        }
    }

    fn expect(&mut self, word: &str) -> Vec<String> {
        let line = self.read();
        let f: Vec<String> = line.split_whitespace().map(String::from).collect();
        assert_eq!(f.first().map(String::as_str), Some(word), "archive bench: the {} client said {line:?}", self.name);
        f
    }

    /// Sends `cmd`, samples both processes around the client's timed part; returns the part and
    /// the value the client reported with `done`.
    fn timed(&mut self, cmd: &str, archive_pid: u32) -> (Part, i64) {
        self.send(cmd);
        self.expect("ready");
        let (c0, a0, m0) = (ProcSample::read(self.pid), ProcSample::read(archive_pid), machine_busy_ns());
        self.send("go");
        let done = self.expect("done");
        let (m1, a1, c1) = (machine_busy_ns(), ProcSample::read(archive_pid), ProcSample::read(self.pid));
        self.send("finish");
        self.expect("ok");
        let wall_ns = done[1].parse().expect("done <ns>");
        let value = done[2].parse().expect("done <ns> <value>");
        let client_wait_ns = done[3].parse().expect("done <ns> <value> <wait ns>");
        let (client, archive, machine_ns) = (c0.until(&c1), a0.until(&a1), m1.saturating_sub(m0));
        (Part { wall_ns, client, archive, machine_ns, client_wait_ns }, value)
    }

    fn purge(&mut self, recording_id: i64) {
        self.send(&format!("purge {recording_id}"));
        self.expect("ok");
    }

    fn quit(mut self) {
        self.send("quit");
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Java client's classes, compiled from `benches/java/ArchiveBench.java` with `javac` (the one
/// beside `java`, else the one on PATH) into `<target>/bench-java/classes` when older than the source.
fn java_classes(jar: &Path, java: &Path) -> PathBuf {
    let src = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../benches/java/ArchiveBench.java"));
    let classes = results_dir().parent().unwrap().join("bench-java/classes");
    let class = classes.join("ArchiveBench.class");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if modified(&class).is_none() || modified(&class) < modified(&src) {
        std::fs::create_dir_all(&classes).expect("classes dir");
        let javac = std::fs::canonicalize(java)
            .ok()
            .and_then(|j| j.parent().map(|d| d.join("javac")))
            .filter(|j| j.is_file())
            .unwrap_or_else(|| PathBuf::from("javac"));
        let status = Command::new(&javac)
            .args(["-nowarn", "-d"])
            .arg(&classes)
            .arg("-cp")
            .arg(jar)
            .arg(&src)
            .status()
            .unwrap_or_else(|e| panic!("archive bench: cannot run {}: {e}", javac.display()));
        assert!(status.success(), "archive bench: javac failed on {}", src.display());
    }
    classes
}

fn start_client(name: &'static str, process: &EmbeddedArchiveMediaDriverProcess) -> Remote {
    let t = [process.aeron_dir(), process.control_request_channel(), process.control_response_channel()];
    if name == "java" {
        let java = rusteron_archive::testing::find_java().expect("java");
        let jar = rusteron_archive::testing::find_aeron_all_jar().expect("aeron-all jar");
        let classes = java_classes(&jar, &java);
        let mut cmd = Command::new(java);
        // The C clients run their conductor with a 1 ms idle sleep (AERON_CLIENT_IDLE_SLEEP_DURATION,
        // set below unless given), the Java client the same. Compiler threads
        // are kept for the whole run, so no thread's CPU time is lost when it ends.
        cmd.args(["--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-XX:-UseDynamicNumberOfCompilerThreads"])
            .arg("-Daeron.client.idle.sleep.duration=1ms")
            .arg("-cp")
            .arg(format!("{}:{}", jar.display(), classes.display()))
            .arg("ArchiveBench")
            .args(t);
        Remote::spawn(name, cmd)
    } else {
        // ARCHIVE_BENCH_CLIENT_PREFIX runs our clients under a tool, e.g. `valgrind
        // --tool=callgrind` for a profile of the work per message (slowed down that much, a
        // client never waits for the archive, so its instructions are its own work).
        let exe = std::env::current_exe().expect("bench binary");
        let prefix = std::env::var("ARCHIVE_BENCH_CLIENT_PREFIX").unwrap_or_default();
        let mut words = prefix.split_whitespace().map(|w| w.replace("{name}", name));
        let mut cmd = match words.next() {
            Some(tool) => {
                let mut c = Command::new(tool);
                c.args(words).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        cmd.arg("--archive-client").arg(name).args(t);
        if std::env::var_os("AERON_CLIENT_IDLE_SLEEP_DURATION").is_none() {
            cmd.env("AERON_CLIENT_IDLE_SLEEP_DURATION", "1ms");
        }
        Remote::spawn(name, cmd)
    }
}

/// One run of one client: its record and replay parts, and the load around them.
#[derive(Clone, Copy, Debug)]
struct Run {
    round: usize,
    record: Part,
    replay: Part,
    load_before: Load,
    load_after: Load,
}

impl Run {
    /// CPU used by other processes during the timed parts, in cores (wall-weighted).
    fn others_cores(&self) -> f64 {
        let wall = (self.record.wall_ns + self.replay.wall_ns).max(1) as f64;
        (self.record.others_cores() * self.record.wall_ns as f64
            + self.replay.others_cores() * self.replay.wall_ns as f64)
            / wall
    }

    /// Other processes competed for the CPU during the timed parts (see the file's header).
    fn loaded(&self) -> bool {
        self.others_cores() > others_limit()
    }
}

/// `OTHERS_LIMIT` (cores), default 0.5: above it, other processes competed with a run.
fn others_limit() -> f64 {
    std::env::var("OTHERS_LIMIT").ok().and_then(|v| v.parse().ok()).unwrap_or(0.5)
}

/// Per-message figures of one part: rate (msg/s), client CPU ns, archive CPU ns; per run:
/// context switches of client and archive.
fn rate(p: &Part, n: usize) -> f64 {
    n as f64 / (p.wall_ns as f64 / 1e9)
}

struct Stat {
    median: f64,
    min: f64,
    max: f64,
}

fn stat(xs: &[f64]) -> Stat {
    Stat {
        median: median(xs),
        min: xs.iter().cloned().fold(f64::INFINITY, f64::min),
        max: xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--archive-client") {
        return client_main(&args[1..]);
    }
    // `cargo bench` passes --bench; a filter that is not "archive" skips this bench.
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    if filters.iter().any(|a| !"archive".contains(a.as_str())) {
        return;
    }
    let n = env_or("ARCHIVE_BENCH_MESSAGES", 1_000_000);
    let rounds = env_or("ARCHIVE_BENCH_RUNS", 45);
    let wanted = std::env::var("ARCHIVE_BENCH_CLIENTS").unwrap_or_else(|_| ALL_CLIENTS.join(","));
    let names: Vec<&'static str> = ALL_CLIENTS.iter().copied().filter(|c| wanted.split(',').any(|w| w == *c)).collect();
    assert!(!names.is_empty(), "ARCHIVE_BENCH_CLIENTS={wanted}: expected some of rust,raw,java");
    let cores = cores();

    let props = archive_properties();
    let prop_refs: Vec<(&str, &str)> = props.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let process = EmbeddedArchiveMediaDriverProcess::start_with(&prop_refs).expect("archive starts");
    let archive_pid = process.pid();
    let mut clients: Vec<Remote> = names.iter().map(|name| start_client(name, &process)).collect();
    println!(
        "archive bench: {} clients ({}), {WARMUP} warm-up + {rounds} rounds of {n} x {MSG_LEN} B, archive pid {archive_pid}, {cores} cores",
        names.len(),
        names.join(", ")
    );

    let mut reference: Option<i64> = None;
    let mut stream = 5001;
    let mut runs: Vec<Vec<Run>> = vec![Vec::new(); names.len()];
    for round in 0..WARMUP + rounds {
        for k in 0..names.len() {
            let c = (k + round) % names.len();
            stream += 1;
            let load_before = Load::now();
            let (record, rec_id) = clients[c].timed(&format!("record {stream} {n}"), archive_pid);
            let rid = *reference.get_or_insert(rec_id);
            let (replay, received) = clients[c].timed(&format!("replay {rid} {} {n}", 6000 + stream), archive_pid);
            assert_eq!(received, n as i64, "{} replay: messages received", names[c]);
            if rec_id != rid {
                clients[c].purge(rec_id);
            }
            let run = Run { round, record, replay, load_before, load_after: Load::now() };
            println!(
                "archive round {round}{} {:<4}: record {:>6.2} M msg/s cpu {:>5.0} ns/msg (work {:>4.0}, archive {:>5.0}), replay {:>6.2} M msg/s cpu {:>5.0} ns/msg (work {:>4.0}, archive {:>5.0}); load {:.2} -> {:.2}, others {:.2} cores{}",
                if round < WARMUP { " (warm-up)" } else { "" },
                names[c],
                rate(&record, n) / 1e6,
                record.client.cpu_ns as f64 / n as f64,
                record.work_ns() as f64 / n as f64,
                record.archive.cpu_ns as f64 / n as f64,
                rate(&replay, n) / 1e6,
                replay.client.cpu_ns as f64 / n as f64,
                replay.work_ns() as f64 / n as f64,
                replay.archive.cpu_ns as f64 / n as f64,
                load_before.avg1,
                run.load_after.avg1,
                run.others_cores(),
                if run.loaded() { " (MARKED: other processes competed)" } else { "" }
            );
            if round >= WARMUP {
                runs[c].push(run);
            }
        }
    }
    for c in clients {
        c.quit();
    }
    drop(process);
    report(&names, &runs, n, rounds, cores);
}

/// Prints the three-way table and writes `archive.json`.
fn report(names: &[&str], runs: &[Vec<Run>], n: usize, rounds: usize, cores: usize) {
    // A round counts when none of its runs is marked (other processes used more than
    // OTHERS_LIMIT cores in it); when fewer than three rounds are left, all of them count and the
    // result says it is from a loaded machine.
    let loaded_rounds: Vec<usize> =
        (0..rounds).filter(|&r| runs.iter().any(|rs| rs.iter().any(|x| x.round == r + WARMUP && x.loaded()))).collect();
    let quiet = rounds - loaded_rounds.len() >= 3;
    let used = |r: &Run| !quiet || !loaded_rounds.contains(&(r.round - WARMUP));
    let loads: Vec<f64> = runs.iter().flatten().flat_map(|r| [r.load_before.avg1, r.load_after.avg1]).collect();
    let (lmin, lmed, lmax) = (
        loads.iter().cloned().fold(f64::INFINITY, f64::min),
        median(&loads),
        loads.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
    );
    let used_count = runs.first().map(|rs| rs.iter().filter(|r| used(r)).count()).unwrap_or(0);
    println!();
    println!(
        "Archive, {n} x {MSG_LEN} B per run, clients alternating in each round; median (min-max) of {used_count} rounds{}",
        if quiet {
            format!(" (of {rounds}; {} with other processes above {} cores left out)", loaded_rounds.len(), others_limit())
        } else {
            format!(
                " of {rounds}, ALL COUNTED (fewer than 3 rounds in which no other process used more than {} cores): not a quiet-machine result",
                others_limit()
            )
        }
    );
    println!("Load (1-minute average) before/after the runs: min {lmin:.2}, median {lmed:.2}, max {lmax:.2}, on {cores} cores");
    let fmt = |s: &Stat, d: usize| format!("{:.d$} ({:.d$}-{:.d$})", s.median, s.min, s.max);
    let metric = |rs: &[Run], f: &dyn Fn(&Run) -> f64| -> Vec<f64> { rs.iter().filter(|r| used(r)).map(f).collect() };
    type Metric = (&'static str, usize, Box<dyn Fn(&Run) -> f64>);
    let per_msg = move |x: u64| x as f64 / n as f64;
    let metrics: Vec<Metric> = vec![
        ("record, M msg/s", 2, Box::new(move |r: &Run| rate(&r.record, n) / 1e6)),
        ("record, client CPU ns/msg", 1, Box::new(move |r: &Run| per_msg(r.record.client.cpu_ns))),
        ("record, client CPU ns/msg without waiting", 1, Box::new(move |r: &Run| per_msg(r.record.work_ns()))),
        ("record, archive CPU ns/msg", 1, Box::new(move |r: &Run| per_msg(r.record.archive.cpu_ns))),
        ("record, client context switches", 0, Box::new(|r: &Run| r.record.client.cs as f64)),
        ("record, archive context switches", 0, Box::new(|r: &Run| r.record.archive.cs as f64)),
        ("replay, M msg/s", 2, Box::new(move |r: &Run| rate(&r.replay, n) / 1e6)),
        ("replay, client CPU ns/msg", 1, Box::new(move |r: &Run| per_msg(r.replay.client.cpu_ns))),
        ("replay, client CPU ns/msg without waiting", 1, Box::new(move |r: &Run| per_msg(r.replay.work_ns()))),
        ("replay, archive CPU ns/msg", 1, Box::new(move |r: &Run| per_msg(r.replay.archive.cpu_ns))),
        ("replay, client context switches", 0, Box::new(|r: &Run| r.replay.client.cs as f64)),
        ("replay, archive context switches", 0, Box::new(|r: &Run| r.replay.archive.cs as f64)),
    ];
    println!();
    println!("| metric | {} |", names.join(" | "));
    println!("|---|{}", "---:|".repeat(names.len()));
    let mut json = format!(
        "{{\"msg_len\":{MSG_LEN},\"messages\":{n},\"runs\":{rounds},\"warmup\":{WARMUP},\"cores\":{cores},\"quiet\":{quiet},\"rounds_used\":{used_count},\"loaded_rounds\":{:?},\"load\":{{\"min\":{lmin:.2},\"median\":{lmed:.2},\"max\":{lmax:.2}}},\"clients\":{:?},\"metrics\":{{",
        loaded_rounds, names
    );
    for (i, (label, digits, f)) in metrics.iter().enumerate() {
        let cells: Vec<String> = runs.iter().map(|rs| fmt(&stat(&metric(rs, f.as_ref())), *digits)).collect();
        println!("| {label} | {} |", cells.join(" | "));
        let per: Vec<String> = runs
            .iter()
            .zip(names)
            .map(|(rs, name)| {
                let all: Vec<f64> = rs.iter().map(f.as_ref()).collect();
                let s = stat(&metric(rs, f.as_ref()));
                format!(
                    "\"{name}\":{{\"median\":{:.3},\"min\":{:.3},\"max\":{:.3},\"runs\":{}}}",
                    s.median,
                    s.min,
                    s.max,
                    json_list(&all, 3)
                )
            })
            .collect();
        json.push_str(&format!("{}\"{label}\":{{{}}}", if i > 0 { "," } else { "" }, per.join(",")));
    }
    json.push_str("},\"ratios\":{");
    // Paired ratios: ours against each other client in the same round, then their median, so a
    // round that load slowed for everyone does not move the ratio.
    println!();
    let ours = names.iter().position(|n| *n == "rust");
    let mut first = true;
    if let Some(o) = ours {
        let others: Vec<usize> = (0..names.len()).filter(|&k| k != o).collect();
        println!(
            "| ours / other, median of per-round ratios (min-max) | {} |",
            others.iter().map(|&k| names[k]).collect::<Vec<_>>().join(" | ")
        );
        println!("|---|{}", "---:|".repeat(others.len()));
        for (label, digits, f) in metrics.iter().filter(|(l, _, _)| !l.contains("context")) {
            let _ = digits;
            let mut cells = Vec::new();
            for &k in &others {
                let ratios: Vec<f64> = runs[o]
                    .iter()
                    .filter(|r| used(r))
                    .filter_map(|r| runs[k].iter().find(|x| x.round == r.round).map(|x| f(r) / f(x)))
                    .collect();
                let s = stat(&ratios);
                cells.push(format!("{:.3} ({:.3}-{:.3})", s.median, s.min, s.max));
                json.push_str(&format!(
                    "{}\"{label} {}/{}\":{{\"median\":{:.4},\"min\":{:.4},\"max\":{:.4}}}",
                    if first { "" } else { "," },
                    names[o],
                    names[k],
                    s.median,
                    s.min,
                    s.max
                ));
                first = false;
            }
            println!("| {label} | {} |", cells.join(" | "));
        }
    }
    json.push_str("},\"cpu_check\":{");
    // The schedstat CPU figures against /proc/<pid>/stat's ticks (all threads, dead ones too),
    // summed over all measured runs, and the user/system split; threads that ended in a run.
    println!();
    println!("CPU cross-check over all measured runs (schedstat ns vs /proc/<pid>/stat ticks of 10 ms; user/system split from ticks):");
    for (k, rs) in runs.iter().enumerate() {
        for (who, pick) in [("client", 0usize), ("archive", 1usize)] {
            let parts = rs.iter().flat_map(|r| [r.record, r.replay]);
            let d: Vec<ProcDelta> = parts.map(|p| if pick == 0 { p.client } else { p.archive }).collect();
            let ns: u64 = d.iter().map(|x| x.cpu_ns).sum();
            let ut: u64 = d.iter().map(|x| x.utime_ticks).sum();
            let st: u64 = d.iter().map(|x| x.stime_ticks).sum();
            let ended: usize = d.iter().map(|x| x.threads_ended).sum();
            println!(
                "  {:<5} {who:<7}: schedstat {:>8.1} ms, ticks {:>6} ms (user {ut}, system {st} ticks){}",
                names[k],
                ns as f64 / 1e6,
                (ut + st) * 10,
                if ended > 0 { format!(", {ended} threads ended during runs (lower bound)") } else { String::new() }
            );
            json.push_str(&format!(
                "{}\"{} {who}\":{{\"schedstat_ms\":{:.1},\"user_ticks\":{ut},\"system_ticks\":{st},\"threads_ended\":{ended}}}",
                if k == 0 && pick == 0 { "" } else { "," },
                names[k],
                ns as f64 / 1e6
            ));
        }
    }
    json.push_str("},\"per_run\":[");
    let mut first = true;
    for (k, rs) in runs.iter().enumerate() {
        for r in rs {
            json.push_str(&format!(
                "{}{{\"client\":\"{}\",\"round\":{},\"load_before\":{:.2},\"load_after\":{:.2},\"running_before\":{},\"running_after\":{},\"others_cores\":{:.3},\"loaded\":{}}}",
                if first { "" } else { "," },
                names[k],
                r.round - WARMUP,
                r.load_before.avg1,
                r.load_after.avg1,
                r.load_before.running,
                r.load_after.running,
                r.others_cores(),
                r.loaded()
            ));
            first = false;
        }
    }
    json.push_str("]}\n");
    write_result("archive", &json);
}
