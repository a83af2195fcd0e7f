//! The `rusteron` binary against a real `aeronmd` (and, for recordings and replay, a real Java
//! archive): each subcommand runs and its output is checked against what the test did; bad
//! directories and unknown recordings are one line and exit status 2 with nothing written; the
//! metrics served by `stat --serve` move with traffic.

use rusteron_archive::testing::{wait_until, EmbeddedArchiveMediaDriverProcess, MediaDriverProcess};
use rusteron_archive::*;
use rusteron_client::metrics::{sample_counters, AeronMetrics, AeronStreamCounterKind};
use std::ffi::CString;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(10);
/// Longest any one run of the tool may take.
const RUN_DEADLINE: Duration = Duration::from_secs(60);

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rusteron"));
    cmd.env_remove("AERON_DIR").env_remove("AERON_DRIVER_TIMEOUT").env_remove("RUST_LOG");
    cmd
}

/// Runs the tool to the end (killed and failed past `RUN_DEADLINE`).
fn run(args: &[&str]) -> Output {
    run_cmd(bin().args(args))
}

fn run_cmd(cmd: &mut Command) -> Output {
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + RUN_DEADLINE;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("rusteron {:?} did not end within {RUN_DEADLINE:?}", cmd.get_args().collect::<Vec<_>>());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output { status, stdout: out_reader.join().unwrap(), stderr: err_reader.join().unwrap() }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A successful run's stdout.
fn ok(args: &[&str]) -> String {
    let o = run(args);
    assert!(o.status.success(), "rusteron {args:?} failed: {o:?}\nstderr: {}", text(&o.stderr));
    text(&o.stdout)
}

/// A run that must be refused as bad input: exit status 2, nothing on stdout, one line on
/// stderr (returned).
fn refused(args: &[&str]) -> String {
    let o = run(args);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "rusteron {args:?}: {o:?}\nstderr: {err}");
    assert!(o.stdout.is_empty(), "rusteron {args:?} wrote to stdout: {}", text(&o.stdout));
    assert_eq!(err.lines().count(), 1, "rusteron {args:?}: not one line: {err:?}");
    assert!(err.starts_with("rusteron: "), "{err}");
    err
}

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// A UDP stream on one driver: an exclusive publication and a subscription that polls only when
/// told to.
struct UdpStream {
    aeron: Aeron,
    publication: AeronExclusivePublication,
    subscription: AeronSubscription,
    channel: String,
}

impl UdpStream {
    fn new(md: &MediaDriverProcess, stream_id: i32) -> Self {
        let port = rusteron_client::find_unused_udp_port(21_000).expect("a free UDP port");
        let channel = format!("aeron:udp?endpoint=127.0.0.1:{port}");
        let aeron = md.connect().expect("client");
        let subscription = aeron
            .add_subscription(
                &c(&channel),
                stream_id,
                rusteron_client::no_available_image_handler(),
                rusteron_client::no_unavailable_image_handler(),
                TIMEOUT,
            )
            .expect("subscription");
        let publication = aeron.add_exclusive_publication(&c(&channel), stream_id, TIMEOUT).expect("publication");
        assert!(wait_until(TIMEOUT, || publication.is_connected() && subscription.is_connected()), "not connected");
        UdpStream { aeron, publication, subscription, channel }
    }

    /// Publishes `count` messages of `size` bytes; returns the publication's position.
    fn publish(&self, count: usize, size: usize) -> i64 {
        let msg = vec![7u8; size];
        for _ in 0..count {
            assert!(wait_until(TIMEOUT, || self.publication.offer(&msg).is_ok()), "offer refused for {TIMEOUT:?}");
        }
        self.publication.position()
    }

    /// Polls until the subscriber has consumed `messages` messages.
    fn consume(&self, messages: usize) {
        let mut got = 0;
        assert!(
            wait_until(TIMEOUT, || {
                got += self.subscription.poll_fn(|_, _| {}, 100).expect("poll") as usize;
                got >= messages
            }),
            "consumed {got} of {messages}"
        );
    }

    /// Waits until this stream's counters of `kind` (all of them) read `value`.
    fn await_counter(&self, kind: AeronStreamCounterKind, value: i64) {
        let reader = self.aeron.counters_reader();
        let session = self.publication.session_id();
        let mut last = Vec::new();
        let reached = wait_until(TIMEOUT, || {
            last = sample_counters(&reader)
                .into_iter()
                .filter_map(|s| s.stream.filter(|(k, key)| *k == kind && key.session_id == session).map(|_| s.value))
                .collect();
            !last.is_empty() && last.iter().all(|v| *v == value)
        });
        assert!(reached, "{kind} of session {session} is {last:?}, expected {value}");
    }
}

#[test]
fn help_is_there_for_the_tool_and_every_subcommand() {
    let top = ok(&["--help"]);
    for sub in ["stat", "backlog", "streams", "errors", "loss", "recordings", "replay", "embedded-archive"] {
        assert!(top.contains(sub), "--help does not list {sub}: {top}");
        let help = ok(&[sub, "--help"]);
        assert!(help.contains(&format!("Usage: rusteron {sub}")), "{sub} --help: {help}");
        if sub != "embedded-archive" {
            assert!(help.contains("--dir <AERON_DIR>"), "{sub} --help has no --dir: {help}");
        }
    }
    assert!(ok(&["stat", "--help"]).contains("--serve <ADDR>"));
    // A bad option is a usage error: exit status 2, as for bad input.
    let o = run(&["stat", "--no-such-option"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(o.stdout.is_empty());
}

#[test]
fn stat_prints_the_counters_as_text_json_and_watched() {
    let md = MediaDriverProcess::start().expect("driver");
    let dir = md.dir_str();
    let stream = UdpStream::new(&md, 1001);
    let end = stream.publish(10, 100);
    stream.await_counter(AeronStreamCounterKind::PublisherPosition, end);

    let out = ok(&["stat", "--dir", dir]);
    println!("$ rusteron stat\n{out}");
    let mut lines = out.lines();
    let header = lines.next().unwrap();
    assert!(header.contains("cnc.dat - Aeron Stat (CnC v"), "{header}");
    assert!(header.contains(&format!("driver pid {}", md.pid())), "{header}");
    assert!(out.contains("  0: "), "{out}");
    assert!(out.lines().any(|l| l.ends_with("- Bytes sent")), "{out}");
    let line = out
        .lines()
        .find(|l| l.contains("pub-pos (exclusive): ") && l.contains(&stream.channel))
        .expect("a pub-pos line");
    assert!(line.contains(&format!(": {:>20} - ", end)), "pub-pos line {line:?} does not show {end}");

    // Without --dir: AERON_DIR, as the C client does.
    let o = run_cmd(bin().args(["stat", "--count", "1"]).env("AERON_DIR", dir));
    assert!(o.status.success(), "{o:?}");
    assert!(text(&o.stdout).starts_with(&format!("{dir}/cnc.dat - Aeron Stat")), "{}", text(&o.stdout));

    let json = ok(&["stat", "--dir", dir, "--json"]);
    assert_eq!(json.lines().count(), 1, "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("stat --json is JSON");
    assert_eq!(v["pid"], md.pid() as i64);
    assert!(v["heartbeat_age_ms"].as_i64().unwrap() < 10_000);
    let counters = v["counters"].as_array().unwrap();
    assert_eq!(counters[0]["label"].as_str().unwrap().split(':').next(), Some("Bytes sent"));
    let pub_pos = counters
        .iter()
        .find(|c| {
            c["stream"]["kind"] == "pub-pos"
                && c["stream"]["session_id"] == stream.publication.session_id()
                && c["stream"]["stream_id"] == 1001
                && c["stream"]["channel"] == stream.channel.as_str()
        })
        .expect("the publication's pub-pos counter in --json");
    assert_eq!(pub_pos["value"], end);

    let watched = ok(&["stat", "--dir", dir, "--watch", "--count", "3", "--interval-ms", "50"]);
    assert_eq!(watched.matches("Aeron Stat (CnC v").count(), 3, "{watched}");
    assert!(!watched.contains('\x1b'), "no screen redraw when stdout is not a terminal");
    let watched = ok(&["stat", "--dir", dir, "--json", "--count", "2", "--interval-ms", "50"]);
    assert_eq!(watched.lines().count(), 2);
    for l in watched.lines() {
        serde_json::from_str::<serde_json::Value>(l).expect("each --watch --json line is JSON");
    }
}

#[test]
fn backlog_and_streams_follow_a_subscriber_that_falls_behind_and_catches_up() {
    let md = MediaDriverProcess::start().expect("driver");
    let dir = md.dir_str();
    let stream = UdpStream::new(&md, 1002);
    let end = stream.publish(10, 100);
    assert_eq!(end, 10 * 160, "10 frames of 32 + 100 bytes, aligned to 32");
    for kind in [
        AeronStreamCounterKind::PublisherPosition,
        AeronStreamCounterKind::SenderPosition,
        AeronStreamCounterKind::ReceiverHwm,
        AeronStreamCounterKind::ReceiverPosition,
    ] {
        stream.await_counter(kind, end);
    }
    stream.await_counter(AeronStreamCounterKind::SubscriberPosition, 0);
    let session = stream.publication.session_id();
    let title = format!("{} stream 1002 session {session}", stream.channel);

    let out = ok(&["backlog", "--dir", dir]);
    println!("$ rusteron backlog\n{out}");
    let section: Vec<&str> =
        out.lines().skip_while(|l| *l != title).skip(1).take_while(|l| l.starts_with("  ")).collect();
    assert_eq!(section.len(), 4, "publisher, sender, receiver, subscriber under {title:?}: {out}");
    assert!(section[0].starts_with("  publisher   position         1600  limit"), "{out}");
    assert!(
        section[1].starts_with("  sender      position         1600") && section[1].ends_with("backlog 0"),
        "{out}"
    );
    assert_eq!(section[2], "  receiver    position         1600  hwm           1600  backlog 0", "{out}");
    assert!(
        section[3].starts_with("  subscriber  position            0") && section[3].ends_with("backlog 1600"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("1 stream(s)"), "{out}");

    let out = ok(&["streams", "--dir", dir]);
    println!("$ rusteron streams\n{out}");
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some(format!("{} stream 1002", stream.channel).as_str()), "{out}");
    let row = lines.next().unwrap();
    assert!(row.starts_with(&format!("  session {session}: pub-pos 1600, pub-lmt ")), "{out}");
    for part in ["snd-pos 1600", "rcv-hwm 1600", "rcv-pos 1600", "sub-pos("] {
        assert!(row.contains(part), "no {part} in {row:?}");
    }
    assert!(row.ends_with(") 0"), "{row}");

    stream.consume(10);
    stream.await_counter(AeronStreamCounterKind::SubscriberPosition, end);
    let out = ok(&["backlog", "--dir", dir]);
    let sub = out.lines().find(|l| l.starts_with("  subscriber")).unwrap();
    assert!(sub.starts_with("  subscriber  position         1600") && sub.ends_with("backlog 0"), "{out}");
    drop(stream);
}

#[test]
fn errors_show_the_driver_error_log_and_loss_its_loss_report() {
    let md = MediaDriverProcess::start().expect("driver");
    let dir = md.dir_str();
    let out = ok(&["errors", "--dir", dir]);
    assert_eq!(out.trim(), "0 distinct errors observed.", "a fresh driver: {out}");

    // A subscription on a UDP port something else holds: the driver cannot bind it and records
    // the error in its distinct error log.
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    let aeron = md.connect().expect("client");
    let refused = aeron.add_subscription(
        &c(&format!("aeron:udp?endpoint=127.0.0.1:{port}")),
        1003,
        rusteron_client::no_available_image_handler(),
        rusteron_client::no_unavailable_image_handler(),
        TIMEOUT,
    );
    assert!(refused.is_err(), "the driver bound a port another socket holds");
    let mut out = String::new();
    assert!(
        wait_until(TIMEOUT, || {
            out = ok(&["errors", "--dir", dir]);
            out.contains("1 distinct errors observed.")
        }),
        "{out}"
    );
    assert!(out.starts_with("***\n1 observations from 20"), "{out}");
    assert!(out.contains(&port.to_string()), "the error names the port {port}: {out}");

    let out = ok(&["loss", "--dir", dir]);
    assert_eq!(
        out,
        "#OBSERVATION_COUNT,TOTAL_BYTES_LOST,FIRST_OBSERVATION,LAST_OBSERVATION,SESSION_ID,STREAM_ID,CHANNEL,SOURCE\n\
         # 0 loss entries\n"
    );
}

#[test]
fn without_dir_or_aeron_dir_the_tool_uses_aerons_default_directory() {
    let default = rusteron_client::default_path().unwrap();
    let o = run(&["loss"]);
    if o.status.success() {
        // A driver runs in the default directory on this machine: it was read.
        assert!(text(&o.stdout).ends_with("loss entries\n"), "{o:?}");
    } else {
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(&format!(" {default}")), "the error names {default}: {err}");
    }
    #[cfg(target_os = "linux")]
    assert!(default.starts_with("/dev/shm/aeron-"), "{default}");
}

#[test]
fn missing_foreign_and_stale_directories_are_one_line_and_exit_status_2() {
    let root = rusteron_client::testing::unique_dir("rusteron-cli-bad");
    std::fs::create_dir_all(&root).unwrap();
    let missing = root.join("missing");
    let missing = missing.to_str().unwrap();
    for sub in ["stat", "backlog", "streams", "errors", "loss"] {
        let err = refused(&[sub, "--dir", missing]);
        assert!(err.contains(&format!("no Aeron directory {missing}: it does not exist")), "{err}");
    }
    let err = refused(&["recordings", "--dir", missing]);
    assert!(err.contains("does not exist"), "{err}");
    let err = refused(&["replay", "--dir", missing, "--recording", "0"]);
    assert!(err.contains("does not exist"), "{err}");
    let err = refused(&["stat", "--dir", missing, "--serve", "127.0.0.1:0"]);
    assert!(err.contains("does not exist"), "{err}");
    assert!(!Path::new(missing).exists(), "the tool created {missing}");

    let file = root.join("a-file");
    std::fs::write(&file, b"not a directory").unwrap();
    let err = refused(&["stat", "--dir", file.to_str().unwrap()]);
    assert!(err.contains("is not an Aeron directory: it is not a directory"), "{err}");

    let empty = root.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let err = refused(&["errors", "--dir", empty.to_str().unwrap()]);
    assert!(err.contains("is not an Aeron directory: it has no cnc.dat"), "{err}");
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0, "the tool wrote into {empty:?}");

    // A cnc.dat that no driver wrote: a version Aeron does not know, and an empty file.
    let foreign = root.join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("cnc.dat"), [0xabu8; 8192]).unwrap();
    let err = refused(&["stat", "--dir", foreign.to_str().unwrap()]);
    assert!(err.contains("is not a usable media driver CnC file"), "{err}");
    std::fs::write(foreign.join("cnc.dat"), b"").unwrap();
    let err = refused(&["loss", "--dir", foreign.to_str().unwrap()]);
    assert!(err.contains("is not a usable media driver CnC file"), "{err}");

    // A driver killed where it stood: its directory stays, its heartbeat ages.
    let mut md = MediaDriverProcess::start().expect("driver");
    let dir = md.dir_str().to_string();
    assert!(ok(&["stat", "--dir", &dir, "--driver-timeout-ms", "2000"]).contains("Bytes sent"));
    md.kill();
    let mut err = String::new();
    let deadline = Instant::now() + TIMEOUT;
    while !err.contains("is stale") {
        assert!(Instant::now() < deadline, "still not stale: {err}");
        let o = run(&["stat", "--dir", &dir, "--driver-timeout-ms", "300"]);
        if !o.status.success() {
            err = refused(&["stat", "--dir", &dir, "--driver-timeout-ms", "300"]);
        }
    }
    assert!(err.contains(&format!("its media driver (pid {})", md.pid())), "{err}");
    for sub in ["backlog", "streams", "errors", "loss"] {
        assert!(refused(&[sub, "--dir", &dir, "--driver-timeout-ms", "300"]).contains("is stale"));
    }
    // What it left can still be read on purpose.
    let out = ok(&["stat", "--dir", &dir, "--driver-timeout-ms", "300", "--allow-stale"]);
    assert!(out.contains("Bytes sent"), "{out}");
    assert!(ok(&["errors", "--dir", &dir, "--driver-timeout-ms", "300", "--allow-stale"]).contains("distinct errors"));
    drop(md);
    let _ = std::fs::remove_dir_all(&root);
}

/// `rusteron stat --serve` on a free port, killed on drop.
struct Served {
    child: Child,
    addr: String,
}

impl Served {
    fn start(dir: &str) -> Self {
        let mut child = bin()
            .args(["stat", "--dir", dir, "--serve", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(TIMEOUT).expect("stat --serve printed its address");
        let addr = line
            .trim()
            .split("http://")
            .nth(1)
            .and_then(|a| a.strip_suffix("/metrics"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        Served { child, addr }
    }

    fn get(&self, path: &str) -> (String, String) {
        let mut s = TcpStream::connect(&self.addr).expect("connect");
        s.set_read_timeout(Some(TIMEOUT)).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", self.addr).unwrap();
        let mut response = String::new();
        s.read_to_string(&mut response).expect("read the response");
        let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
        (head.to_string(), body.to_string())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of the metric line starting with `prefix` (name and labels).
fn metric(body: &str, prefix: &str) -> Option<i64> {
    body.lines().find(|l| l.starts_with(prefix)).and_then(|l| l.rsplit(' ').next()).and_then(|v| v.parse().ok())
}

#[test]
fn served_metrics_move_with_traffic() {
    let md = MediaDriverProcess::start().expect("driver");
    let served = Served::start(md.dir_str());
    let stream = UdpStream::new(&md, 1004);
    let session = stream.publication.session_id();
    let pub_pos = format!(
        "aeron_publisher_position{{session_id=\"{session}\",stream_id=\"1004\",channel=\"{}\",registration_id=",
        stream.channel
    );

    let (head, before) = served.get("/metrics");
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert!(head.contains("Content-Type: application/openmetrics-text"), "{head}");
    assert!(before.ends_with("# EOF\n"), "{before}");
    assert!(before.contains("# TYPE aeron_bytes_sent counter"), "{before}");
    assert!(before.contains("# HELP aeron_bytes_sent Bytes sent"), "{before}");
    let sent_before = metric(&before, "aeron_bytes_sent_total ").expect("aeron_bytes_sent_total");
    assert_eq!(metric(&before, "aeron_driver_distinct_errors "), Some(0));
    assert!(metric(&before, "aeron_driver_heartbeat_age_ms ").unwrap() < 10_000);
    assert!(before.contains("aeron_counter{id=\""), "client heartbeats and the like: {before}");

    let end = stream.publish(100, 200);
    let mut after = String::new();
    // The publisher's position moves at offer; the sender and receiver follow on the driver's
    // duty cycle: wait until all three show the traffic.
    let moved = |after: &str| {
        metric(after, &pub_pos) == Some(end)
            && metric(after, "aeron_bytes_sent_total ").is_some_and(|sent| sent - sent_before >= end)
            && metric(after, "aeron_bytes_received_total ").is_some_and(|received| received >= end)
    };
    assert!(
        wait_until(TIMEOUT, || {
            after = served.get("/metrics").1;
            moved(&after)
        }),
        "{pub_pos}... never reached {end}, or bytes sent/received did not follow (sent before: {sent_before}): {after}"
    );
    println!("$ curl http://{}/metrics\n{after}", served.addr);
    let sub_pos = format!("aeron_subscriber_position{{session_id=\"{session}\",stream_id=\"1004\"");
    assert_eq!(metric(&after, &sub_pos), Some(0), "nothing polled yet: {after}");
    stream.consume(100);
    assert!(wait_until(TIMEOUT, || metric(&served.get("/metrics").1, &sub_pos) == Some(end)));

    let (head, _) = served.get("/nope");
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    let err = refused(&["stat", "--dir", md.dir_str(), "--serve", "no-such-address"]);
    assert!(err.contains("--serve no-such-address: cannot listen there"), "{err}");
}

#[test]
fn served_metrics_outlive_a_driver_killed_at_a_random_moment() {
    let mut md = MediaDriverProcess::start().expect("driver");
    let served = Served::start(md.dir_str());
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let kill_after = Duration::from_micros(u64::from(nanos) % 300_000);
    println!("killing the driver after {kill_after:?} of scraping");
    let t0 = Instant::now();
    let mut scrapes = 0;
    while t0.elapsed() < kill_after || scrapes == 0 {
        let (head, body) = served.get("/metrics");
        assert!(head.starts_with("HTTP/1.1 200 OK") && body.ends_with("# EOF\n"), "{head}");
        scrapes += 1;
    }
    md.kill();
    // The CnC file stays mapped: scrapes go on, and the heartbeat's age shows the driver is gone.
    let mut age = None;
    assert!(
        wait_until(TIMEOUT, || {
            let (head, body) = served.get("/metrics");
            assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
            age = metric(&body, "aeron_driver_heartbeat_age_ms ");
            age.is_some_and(|a| a > 1_500)
        }),
        "heartbeat age {age:?} after the kill"
    );
    // And once its directory is gone too.
    let dir = md.dir().to_path_buf();
    drop(md);
    assert!(!dir.exists());
    assert!(served.get("/metrics").1.contains("aeron_bytes_sent_total "));
}

#[test]
fn the_collector_reads_a_clients_counters_at_each_encode() {
    let md = MediaDriverProcess::start().expect("driver");
    let stream = UdpStream::new(&md, 1005);
    let metrics = AeronMetrics::from_counters_reader(stream.aeron.counters_reader());
    let prefix = format!("aeron_publisher_position{{session_id=\"{}\"", stream.publication.session_id());
    let before = metrics.encode_text().unwrap();
    assert_eq!(metric(&before, &prefix), Some(0), "{before}");
    assert!(!before.contains("aeron_driver_heartbeat_age_ms"), "a client's reader has no CnC file");
    let end = stream.publish(5, 64);
    assert!(wait_until(TIMEOUT, || metric(&metrics.encode_text().unwrap(), &prefix) == Some(end)));
}

#[test]
fn recordings_and_replay_against_a_java_archive() {
    let archive_process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let (aeron, archive) = archive_process.connect().expect("connect");
    let mut ids = Vec::new();
    for (stream_id, lines) in [(10, 5u64), (20, 3)] {
        let sub_id = archive.start_recording(c"aeron:ipc", stream_id, SOURCE_LOCATION_LOCAL, false).unwrap();
        let publication = aeron.add_exclusive_publication(c"aeron:ipc", stream_id, TIMEOUT).unwrap();
        for i in 0..lines {
            let line = format!("stream {stream_id} line {i}\n");
            assert!(wait_until(TIMEOUT, || publication.offer(line.as_bytes()).is_ok()));
        }
        let end = publication.position();
        let mut id = -1;
        assert!(wait_until(TIMEOUT, || {
            id = archive.find_last_matching_recording(0, c"aeron:ipc", stream_id, publication.session_id()).unwrap();
            id >= 0 && archive.get_recording_position(id).unwrap_or(-1) >= end
        }));
        archive.stop_recording_subscription(sub_id).unwrap();
        assert!(wait_until(TIMEOUT, || archive.get_stop_position(id).unwrap_or(-1) == end));
        ids.push((id, stream_id, end));
    }
    let dir = archive_process.aeron_dir();
    let control = archive_process.control_request_channel();

    let out = ok(&["recordings", "--dir", dir, "--control", control]);
    println!("$ rusteron recordings\n{out}");
    let mut lines = out.lines();
    assert!(lines.next().unwrap().trim_start().starts_with("id     session  stream"), "{out}");
    for (id, stream_id, end) in &ids {
        let row = lines.next().unwrap();
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[0], id.to_string(), "{row}");
        assert_eq!(cols[2], stream_id.to_string(), "{row}");
        assert_eq!((cols[3], cols[4], cols[5]), ("0", end.to_string().as_str(), "aeron:ipc"), "{row}");
    }
    assert_eq!(lines.next(), Some(format!("2 recording(s) in archive {}", archive_process.archive_id()).as_str()));

    let (id, _, _) = ids[0];
    let o = run(&["replay", "--dir", dir, "--control", control, "--recording", &id.to_string()]);
    assert!(o.status.success(), "{o:?}");
    let expected: String = (0..5).map(|i| format!("stream 10 line {i}\n")).collect();
    assert_eq!(text(&o.stdout), expected);
    let err = text(&o.stderr);
    assert_eq!(err, format!("rusteron: replayed recording {id}: 5 messages, positions 0..{}\n", ids[0].2));
    assert!(!err.contains('\x1b'), "no progress bar when stderr is not a terminal");

    let err = refused(&["replay", "--dir", dir, "--control", control, "--recording", "4242"]);
    assert!(
        err.contains(&format!("recording 4242 does not exist in archive {}", archive_process.archive_id())),
        "{err}"
    );

    // On a terminal (script(1) gives the tool a pseudo-terminal) the progress bar is drawn.
    if Path::new("/usr/bin/script").exists() {
        let cmd = format!(
            "{} replay --dir {dir} --control '{control}' --recording {}",
            env!("CARGO_BIN_EXE_rusteron"),
            ids[1].0
        );
        // A terminal has a TERM; a CI job or a chroot may not, and without one (or with
        // TERM=dumb) the progress bar library draws nothing.
        let o = run_cmd(
            Command::new("script")
                .args(["-qefc", &cmd, "/dev/null"])
                .env_remove("AERON_DIR")
                .env("TERM", "xterm-256color"),
        );
        assert!(o.status.success(), "{o:?}");
        let screen = text(&o.stdout);
        assert!(screen.contains("stream 20 line 2"), "{screen}");
        assert!(screen.contains("3 messages") && screen.contains("ETA"), "no progress bar on a terminal: {screen:?}");
    }
    drop((archive, aeron));
}

#[test]
fn embedded_archive_serves_its_sample_recordings_until_its_info_file_is_removed() {
    let info = rusteron_client::testing::unique_dir("rusteron-cli-info");
    let info_str = info.to_str().unwrap().to_string();
    struct Kill(Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Kill(
        bin()
            .args(["embedded-archive", "--info", &info_str, "--seconds", "120"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn"),
    );
    let deadline = Instant::now() + Duration::from_secs(90);
    while !info.exists() {
        assert!(child.0.try_wait().unwrap().is_none(), "embedded-archive ended before writing {info_str}");
        assert!(Instant::now() < deadline, "no {info_str} within 90 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let lines = std::fs::read_to_string(&info).unwrap();
    let var = |name: &str| {
        lines.lines().find_map(|l| l.strip_prefix(&format!("{name}="))).unwrap_or_else(|| panic!("{lines}")).to_string()
    };
    let (dir, control) = (var("AERON_DIR"), var("CONTROL"));
    let out = ok(&["recordings", "--dir", &dir, "--control", &control]);
    assert!(out.contains("2 recording(s) in archive"), "{out}");
    let o = run(&["replay", "--dir", &dir, "--control", &control, "--recording", "1"]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(text(&o.stdout), "stream 20 line 0\nstream 20 line 1\nstream 20 line 2\n");
    std::fs::remove_file(&info).unwrap();
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline + TIMEOUT, "embedded-archive did not stop after its info file went");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    let mut printed = String::new();
    child.0.stdout.take().unwrap().read_to_string(&mut printed).unwrap();
    assert_eq!(
        printed,
        format!("recording 0: 5 lines on aeron:ipc stream 10\nrecording 1: 3 lines on aeron:ipc stream 20\n{lines}")
    );
}

#[test]
fn a_replay_whose_archive_is_killed_at_a_random_moment_ends_with_whole_messages_and_one_line() {
    let mut archive_process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let (aeron, archive) = archive_process.connect().expect("connect");
    const COUNT: usize = 100_000;
    let line = |i: usize| format!("{i:>99}\n");
    let sub_id = archive.start_recording(c"aeron:ipc", 30, SOURCE_LOCATION_LOCAL, false).unwrap();
    let publication = aeron.add_exclusive_publication(c"aeron:ipc", 30, TIMEOUT).unwrap();
    for i in 0..COUNT {
        let msg = line(i);
        assert!(wait_until(TIMEOUT, || publication.offer(msg.as_bytes()).is_ok()), "offer {i}");
    }
    let end = publication.position();
    let mut id = -1;
    assert!(wait_until(TIMEOUT, || {
        id = archive.find_last_matching_recording(0, c"aeron:ipc", 30, publication.session_id()).unwrap();
        id >= 0 && archive.get_recording_position(id).unwrap_or(-1) >= end
    }));
    archive.stop_recording_subscription(sub_id).unwrap();
    drop((publication, archive, aeron));

    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let kill_after = Duration::from_micros(u64::from(nanos) % 400_000);
    println!("killing the archive {kill_after:?} after the replay starts");
    let dir = archive_process.aeron_dir().to_string();
    let control = archive_process.control_request_channel().to_string();
    let mut cmd = bin();
    cmd.args(["replay", "--dir", &dir, "--control", &control, "--recording", &id.to_string()]);
    cmd.args(["--driver-timeout-ms", "1000", "--stall-timeout-ms", "3000"]);
    let killer = std::thread::spawn(move || {
        std::thread::sleep(kill_after);
        archive_process.kill();
        archive_process
    });
    let t0 = Instant::now();
    let o = run_cmd(&mut cmd);
    let took = t0.elapsed();
    drop(killer.join().unwrap());
    let out = text(&o.stdout);
    let err = text(&o.stderr);
    // Whatever it got, it wrote whole messages, in order, from the first.
    assert_eq!(out.len() % 100, 0, "a partial message at the end ({} bytes)", out.len());
    for (i, l) in out.lines().enumerate() {
        assert_eq!(format!("{l}\n"), line(i), "message {i}");
    }
    let got = out.len() / 100;
    println!("replayed {got} of {COUNT} messages in {took:?}, exit status {:?}: {err}", o.status.code());
    if o.status.success() {
        assert_eq!(got, COUNT, "{err}");
        assert!(err.starts_with(&format!("rusteron: replayed recording {id}: {COUNT} messages")), "{err}");
    } else {
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("rusteron: "), "{err}");
        assert!(took < Duration::from_secs(30), "took {took:?} to notice");
    }
}
