//! Archive recording and replay throughput, 32-byte messages over aeron:ipc, against Aeron's Java
//! archive (`ArchivingMediaDriver`, started by `rusteron_archive::testing` with the properties of
//! `benches/java/archive.properties`, the same file the Java baseline uses).
//!
//! Method (identical to benches/java/ArchiveBench.java):
//!   record: start_recording(aeron:ipc, stream, LOCAL), offer N messages on an exclusive
//!           publication, stop the clock when the archive's recording position counter reaches
//!           the publication's position;
//!   replay: start_replay(recording of N messages, from 0, whole length, aeron:ipc) and poll a
//!           subscription to the replay's session until all N messages arrived.
//! WARMUP unmeasured runs, then RUNS measured runs, the wrapper (`rust`) and the raw C twin
//! (`raw`) alternating run by run so noise hits both alike; medians are printed and written to
//! `<target>/bench-results/archive.json`.
//!
//! A recording grows by N x 64 bytes per run and one archive is reused, so the runs are fixed
//! rather than scaled by criterion's iteration counts (which would record gigabytes into
//! /dev/shm). `ARCHIVE_BENCH_MESSAGES` and `ARCHIVE_BENCH_RUNS` override N and RUNS.

mod common;

use common::*;
use rusteron_archive::testing::EmbeddedArchiveMediaDriverProcess;
use rusteron_archive::*;
use rusteron_client::bindings as raw;
use std::ffi::CString;
use std::os::raw::c_void;
use std::time::{Duration, Instant};

const IPC: &str = "aeron:ipc";
const FRAGMENT_LIMIT: usize = 256;
const WARMUP: usize = 1;

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

#[inline(always)]
fn idle() {
    std::thread::yield_now();
}

/// One client flavour: record `n` messages on `stream` (returns recording id and elapsed time),
/// replay the first `n` messages of a recording (returns elapsed time).
trait Client {
    fn record(&mut self, stream: i32, n: usize) -> (i64, Duration);
    fn replay(&mut self, recording_id: i64, stream: i32, n: usize) -> Duration;
    fn purge(&mut self, recording_id: i64);
}

struct RustClient {
    aeron: Aeron,
    archive: AeronArchive,
}

impl Client for RustClient {
    fn record(&mut self, stream: i32, n: usize) -> (i64, Duration) {
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
        let start = Instant::now();
        for i in 0..n {
            msg[..4].copy_from_slice(&(i as u32).to_le_bytes());
            while publication.offer(&msg).is_err() {
                idle();
            }
        }
        let end = publication.position();
        while reader.get_counter_value(counter_id).unwrap_or(0) < end {
            idle();
        }
        let elapsed = start.elapsed();
        self.archive.stop_recording_subscription(sub_id).expect("stop_recording");
        (recording_id, elapsed)
    }

    fn replay(&mut self, recording_id: i64, stream: i32, n: usize) -> Duration {
        let mut received = 0usize;
        let mut handler = |_m: &[u8], _h: AeronHeader<'_>| received += 1;
        let params = AeronArchiveReplayParams::new_default().expect("replay params");
        let start = Instant::now();
        let session =
            self.archive.start_replay(recording_id, &IPC.into_c_string(), stream, &params).expect("start_replay");
        let ch = format!("{IPC}?session-id={}", session as i32).into_c_string();
        let sub = self
            .aeron
            .add_subscription(&ch, stream, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
            .expect("replay subscription");
        let mut left = n;
        while left > 0 {
            let got = sub.poll_with(&mut handler, FRAGMENT_LIMIT).expect("poll") as usize;
            if got == 0 {
                idle();
            }
            left -= got.min(left);
        }
        let elapsed = start.elapsed();
        assert_eq!(received, n);
        let _ = self.archive.stop_replay(session);
        elapsed
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
    fn connect(process: &EmbeddedArchiveMediaDriverProcess) -> RawArchiveClient {
        let client = RawClient::connect(process.aeron_dir());
        unsafe {
            let mut ctx = std::ptr::null_mut();
            assert!(raw::aeron_archive_context_init(&mut ctx) >= 0);
            assert!(raw::aeron_archive_context_set_aeron(ctx, client.aeron) >= 0);
            let req = CString::new(process.control_request_channel()).unwrap();
            let rsp = CString::new(process.control_response_channel()).unwrap();
            assert!(raw::aeron_archive_context_set_control_request_channel(ctx, req.as_ptr()) >= 0);
            assert!(raw::aeron_archive_context_set_control_response_channel(ctx, rsp.as_ptr()) >= 0);
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
    fn record(&mut self, stream: i32, n: usize) -> (i64, Duration) {
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
            let start = Instant::now();
            for i in 0..n {
                msg[..4].copy_from_slice(&(i as u32).to_le_bytes());
                while raw::aeron_exclusive_publication_offer(
                    publication,
                    msg.as_ptr(),
                    MSG_LEN,
                    None,
                    std::ptr::null_mut(),
                ) < 0
                {
                    idle();
                }
            }
            let end = raw::aeron_exclusive_publication_position(publication);
            while std::ptr::read_volatile(counter) < end {
                idle();
            }
            let elapsed = start.elapsed();
            assert!(raw::aeron_archive_stop_recording_subscription(self.archive, sub_id) >= 0);
            raw::aeron_exclusive_publication_close(publication, None, std::ptr::null_mut());
            (recording_id, elapsed)
        }
    }

    fn replay(&mut self, recording_id: i64, stream: i32, n: usize) -> Duration {
        unsafe {
            let mut received = 0usize;
            let mut params: raw::aeron_archive_replay_params_t = std::mem::zeroed();
            assert!(raw::aeron_archive_replay_params_init(&mut params) >= 0);
            let ch = CString::new(IPC).unwrap();
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
            while received < n {
                let got = raw::aeron_subscription_poll(
                    sub,
                    Some(raw_count),
                    &mut received as *mut usize as *mut c_void,
                    FRAGMENT_LIMIT,
                );
                if got == 0 {
                    idle();
                }
            }
            let elapsed = start.elapsed();
            assert_eq!(received, n);
            raw::aeron_archive_stop_replay(self.archive, session);
            raw::aeron_subscription_close(sub, None, std::ptr::null_mut());
            elapsed
        }
    }

    fn purge(&mut self, recording_id: i64) {
        let mut deleted = 0i64;
        unsafe { raw::aeron_archive_purge_recording(&mut deleted, self.archive, recording_id) };
    }
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn list(xs: &[f64]) -> String {
    format!("[{}]", xs.iter().map(|x| format!("{x:.0}")).collect::<Vec<_>>().join(","))
}

fn main() {
    // `cargo bench` passes --bench; a filter that is not "archive" skips this bench.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    if args.iter().any(|a| !"archive".contains(a.as_str())) {
        return;
    }
    let n = env_or("ARCHIVE_BENCH_MESSAGES", 1_000_000);
    let runs = env_or("ARCHIVE_BENCH_RUNS", 9);
    let props = archive_properties();
    let prop_refs: Vec<(&str, &str)> = props.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let process = EmbeddedArchiveMediaDriverProcess::start_with(&prop_refs).expect("archive starts");

    let (aeron, archive) = process.connect().expect("connect");
    let mut rust = RustClient { aeron, archive };
    let mut rawc = RawArchiveClient::connect(&process);

    // One recording of N messages per flavour, replayed by every run of that flavour.
    let mut stream = 5001;
    let mut first: [Option<i64>; 2] = [None, None];
    let mut record_rates: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut replay_rates: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let names = ["rust", "raw"];
    for run in 0..WARMUP + runs {
        for (k, client) in [&mut rust as &mut dyn Client, &mut rawc as &mut dyn Client].into_iter().enumerate() {
            stream += 1;
            let (rec_id, rec_time) = client.record(stream, n);
            let rid = *first[k].get_or_insert(rec_id);
            let rep_time = client.replay(rid, 6000 + stream, n);
            if rec_id != rid {
                client.purge(rec_id);
            }
            let (rec, rep) = (n as f64 / rec_time.as_secs_f64(), n as f64 / rep_time.as_secs_f64());
            println!(
                "archive run {run}{} {:<4}: record {rec:>10.0} msg/s, replay {rep:>10.0} msg/s",
                if run < WARMUP { " (warm-up)" } else { "" },
                names[k]
            );
            if run >= WARMUP {
                record_rates[k].push(rec);
                replay_rates[k].push(rep);
            }
        }
    }
    let mut json = format!("{{\"msg_len\":{MSG_LEN},\"messages\":{n},\"runs\":{runs}");
    for k in 0..2 {
        let (rec, rep) = (median(&record_rates[k]), median(&replay_rates[k]));
        println!(
            "archive {:<4} median of {runs} runs ({n} x {MSG_LEN}-byte messages): record {rec:.0} msg/s ({:.1} MB/s), replay {rep:.0} msg/s ({:.1} MB/s)",
            names[k],
            rec * MSG_LEN as f64 / 1e6,
            rep * MSG_LEN as f64 / 1e6
        );
        json.push_str(&format!(
            ",\"{}\":{{\"record_msgs_per_s\":{rec:.0},\"replay_msgs_per_s\":{rep:.0},\"record_runs\":{},\"replay_runs\":{}}}",
            names[k],
            list(&record_rates[k]),
            list(&replay_rates[k])
        ));
    }
    json.push_str("}\n");
    write_result("archive", &json);
    drop(rawc);
    drop(rust);
}
