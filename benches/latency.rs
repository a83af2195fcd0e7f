//! Ping-pong round-trip latency with 32-byte messages over IPC and over UDP on loopback.
//!
//! The ping side (this thread) offers on one stream and waits for the echo on another; a pong
//! thread polls the first stream and offers each message back. Criterion gives the mean round
//! trip (kept for `cargo bench` users; `just bench` does not report it: one descheduled thread
//! moves a mean by milliseconds on a shared machine); then a fixed number of round trips per variant, run in alternating blocks so machine noise
//! hits the wrapper and the raw twin alike, gives p50, p99, p99.9 and max, printed and written to
//! `<target>/bench-results/latency_<transport>.json`.

mod common;

use common::*;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rusteron_client::bindings as raw;
use rusteron_client::*;
use std::os::raw::c_void;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const PING_STREAM: i32 = 2001;
const PONG_STREAM: i32 = 2002;
const BLOCKS: usize = 10;
const BLOCK_LEN: usize = 2_000; // round trips per block: 20,000 per variant in all
const WARMUP: usize = 2_000;

const RUST: u8 = 1;
const RAW: u8 = 2;

/// How a busy thread waits while there is nothing to read. IPC: spin. UDP on 2 cores: yield,
/// so the driver thread (which carries UDP traffic) gets the CPU.
#[derive(Clone, Copy)]
struct Idle {
    yield_: bool,
}

impl Idle {
    #[inline(always)]
    fn idle(self) {
        if self.yield_ {
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
}

/// A pong thread, busy only while `mode` names it.
struct Pong {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Pong {
    /// Runs the step that `make_step` builds on the pong thread (subscriptions and exclusive
    /// publications are single-threaded: moved there with `handoff`, opened there).
    fn spawn<S: FnMut() -> i32>(
        me: u8,
        mode: Arc<AtomicU8>,
        idle: Idle,
        make_step: impl FnOnce() -> S + Send + 'static,
    ) -> Pong {
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut step = make_step();
            while !s.load(Ordering::Relaxed) {
                if mode.load(Ordering::Acquire) != me {
                    // Parked, not polling on a timer: a sleeping thread that wakes every few
                    // hundred microseconds competes with the three busy threads (ping, pong,
                    // driver) on two cores and shows in the other variant's tail latency.
                    // `Pong::wake` unparks it when the mode changes; the timeout is a backstop.
                    std::thread::park_timeout(Duration::from_millis(100));
                    continue;
                }
                if step() == 0 {
                    idle.idle();
                }
            }
        });
        Pong { stop, thread: Some(thread) }
    }
}

impl Pong {
    /// Wakes the thread to look at the mode again (after a change of mode).
    fn wake(&self) {
        if let Some(t) = &self.thread {
            t.thread().unpark();
        }
    }
}

/// Makes `m` the variant whose pong thread runs (0: none); the other pong stays parked.
fn set_mode(mode: &AtomicU8, m: u8, pongs: &[&Pong]) {
    mode.store(m, Ordering::Release);
    for p in pongs {
        p.wake();
    }
}

impl Drop for Pong {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.wake();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The ping side of one variant: one round trip per call.
trait Ping {
    fn round_trip(&mut self, msg: &[u8]);
}

struct RustPing {
    p: AeronExclusivePublication,
    s: AeronSubscription,
    idle: Idle,
}

impl Ping for RustPing {
    #[inline(always)]
    fn round_trip(&mut self, msg: &[u8]) {
        while self.p.offer(msg).is_err() {
            self.idle.idle();
        }
        let mut on_echo = |_m: &[u8], _h: AeronHeader<'_>| {};
        while self.s.poll_with(&mut on_echo, 1).unwrap_or(0) == 0 {
            self.idle.idle();
        }
    }
}

struct RawPing {
    p: *mut raw::aeron_exclusive_publication_t,
    s: *mut raw::aeron_subscription_t,
    idle: Idle,
}

unsafe extern "C" fn raw_nothing(_c: *mut c_void, _b: *const u8, _l: usize, _h: *mut raw::aeron_header_t) {}

impl Ping for RawPing {
    #[inline(always)]
    fn round_trip(&mut self, msg: &[u8]) {
        unsafe {
            while raw::aeron_exclusive_publication_offer(self.p, msg.as_ptr(), msg.len(), None, std::ptr::null_mut())
                < 0
            {
                self.idle.idle();
            }
            while raw::aeron_subscription_poll(self.s, Some(raw_nothing), std::ptr::null_mut(), 1) == 0 {
                self.idle.idle();
            }
        }
    }
}

/// Raw pong: echo each fragment on the publication passed as clientd.
unsafe extern "C" fn raw_echo(clientd: *mut c_void, buffer: *const u8, length: usize, _h: *mut raw::aeron_header_t) {
    let p = clientd as *mut raw::aeron_exclusive_publication_t;
    while raw::aeron_exclusive_publication_offer(p, buffer, length, None, std::ptr::null_mut()) < 0 {
        std::hint::spin_loop();
    }
}

fn rtts(ping: &mut impl Ping, n: u64) -> Duration {
    let msg = [3u8; MSG_LEN];
    let start = Instant::now();
    for _ in 0..n {
        ping.round_trip(&msg);
    }
    start.elapsed()
}

fn record(ping: &mut impl Ping, n: usize, out: &mut Vec<u64>) {
    let msg = [3u8; MSG_LEN];
    for _ in 0..n {
        let t = Instant::now();
        ping.round_trip(&msg);
        out.push(t.elapsed().as_nanos() as u64);
    }
}

fn ping_pong(c: &mut Criterion, transport: &str) {
    let udp = transport == "udp";
    let idle = Idle { yield_: udp };
    let md = driver(if udp { "yield" } else { "backoff" });
    let (ping_ch, pong_ch) =
        if udp { (udp_channel(), udp_channel()) } else { ("aeron:ipc".to_string(), "aeron:ipc".to_string()) };
    let mode = Arc::new(AtomicU8::new(0));

    // Wrapper pair (streams 2001/2002) and raw pair (streams 3001/3002) on their own clients.
    let aeron = md.connect().expect("client");
    let add_sub = |ch: &str, stream: i32| {
        aeron
            .add_subscription(
                &ch.into_c_string(),
                stream,
                no_available_image_handler(),
                no_unavailable_image_handler(),
                TIMEOUT,
            )
            .expect("subscription")
    };
    let add_pub = |ch: &str, stream: i32| {
        aeron.add_exclusive_publication(&ch.into_c_string(), stream, TIMEOUT).expect("publication")
    };
    let pong_sub = add_sub(&ping_ch, PING_STREAM);
    let pong_pub = add_pub(&pong_ch, PONG_STREAM);
    let mut rust_ping = RustPing { p: add_pub(&ping_ch, PING_STREAM), s: add_sub(&pong_ch, PONG_STREAM), idle };
    assert!(testing::wait_until(TIMEOUT, || pong_sub.is_connected()
        && rust_ping.s.is_connected()
        && rust_ping.p.is_connected()));
    let (pong_sub, pong_pub) = (pong_sub.handoff().expect("only handle"), pong_pub.handoff().expect("only handle"));
    let rust_pong = Pong::spawn(RUST, mode.clone(), idle, move || {
        let (pong_sub, pong_pub) = (pong_sub.into_inner(), pong_pub.into_inner());
        move || {
            let mut echo = |m: &[u8], _h: AeronHeader<'_>| {
                while pong_pub.offer(m).is_err() {
                    std::hint::spin_loop();
                }
            };
            pong_sub.poll_with(&mut echo, 10).unwrap_or(0)
        }
    });

    let rc = RawClient::connect(md.dir_str());
    let raw_pong_sub = rc.add_subscription(&ping_ch, PING_STREAM + 1000);
    let raw_pong_pub = rc.add_exclusive_publication(&pong_ch, PONG_STREAM + 1000);
    let mut raw_ping = RawPing {
        p: rc.add_exclusive_publication(&ping_ch, PING_STREAM + 1000),
        s: rc.add_subscription(&pong_ch, PONG_STREAM + 1000),
        idle,
    };
    raw_wait_connected(raw_pong_sub);
    raw_wait_connected(raw_ping.s);
    let (ps, pp) = (SendPtr(raw_pong_sub), SendPtr(raw_pong_pub));
    let raw_pong = Pong::spawn(RAW, mode.clone(), idle, move || {
        let (s, p) = (ps, pp);
        move || unsafe { raw::aeron_subscription_poll(s.0, Some(raw_echo), p.0 as *mut c_void, 10) }
    });

    // Criterion: mean round trip.
    let mut g = c.benchmark_group(format!("ping_pong_{transport}"));
    set_mode(&mode, RUST, &[&rust_pong, &raw_pong]);
    g.bench_function(BenchmarkId::new("rtt", "rust"), |b| b.iter_custom(|n| rtts(&mut rust_ping, n)));
    set_mode(&mode, RAW, &[&rust_pong, &raw_pong]);
    g.bench_function(BenchmarkId::new("rtt", "raw"), |b| b.iter_custom(|n| rtts(&mut raw_ping, n)));
    g.finish();

    // Histogram: alternating blocks of a fixed number of round trips.
    let load_before = Load::now();
    let mut rust_samples = Vec::with_capacity(BLOCKS * BLOCK_LEN);
    let mut raw_samples = Vec::with_capacity(BLOCKS * BLOCK_LEN);
    let mut scratch = Vec::with_capacity(WARMUP);
    for _ in 0..BLOCKS {
        set_mode(&mode, RUST, &[&rust_pong, &raw_pong]);
        record(&mut rust_ping, WARMUP / 4, &mut scratch);
        record(&mut rust_ping, BLOCK_LEN, &mut rust_samples);
        set_mode(&mode, RAW, &[&rust_pong, &raw_pong]);
        record(&mut raw_ping, WARMUP / 4, &mut scratch);
        record(&mut raw_ping, BLOCK_LEN, &mut raw_samples);
        scratch.clear();
    }
    set_mode(&mode, 0, &[&rust_pong, &raw_pong]);
    let load_after = Load::now();
    let r = Percentiles::of(&mut rust_samples);
    let w = Percentiles::of(&mut raw_samples);
    println!("ping_pong_{transport} histogram ({} round trips each, {MSG_LEN}-byte messages), ns:", r.count);
    println!("  {:<6} {:>9} {:>9} {:>9} {:>10} {:>10}", "", "p50", "p99", "p99.9", "max", "mean");
    for (name, p) in [("rust", r), ("raw", w)] {
        println!("  {:<6} {:>9} {:>9} {:>9} {:>10} {:>10.0}", name, p.p50, p.p99, p.p999, p.max, p.mean);
    }
    println!("  p50 difference rust - raw: {} ns", r.p50 as i64 - w.p50 as i64);
    println!(
        "  load (1-minute average) {:.2} -> {:.2} on {} cores (our ping and pong threads count in it)",
        load_before.avg1,
        load_after.avg1,
        cores()
    );
    write_result(
        &format!("latency_{transport}"),
        &format!(
            "{{\"transport\":\"{transport}\",\"msg_len\":{MSG_LEN},\"load_before\":{:.2},\"load_after\":{:.2},\"rust\":{},\"raw\":{}}}\n",
            load_before.avg1,
            load_after.avg1,
            r.json(),
            w.json()
        ),
    );

    drop(rust_pong);
    drop(raw_pong);
    unsafe {
        raw::aeron_exclusive_publication_close(raw_ping.p, None, std::ptr::null_mut());
        raw::aeron_subscription_close(raw_ping.s, None, std::ptr::null_mut());
        raw::aeron_exclusive_publication_close(raw_pong_pub, None, std::ptr::null_mut());
        raw::aeron_subscription_close(raw_pong_sub, None, std::ptr::null_mut());
    }
    drop(rc);
}

/// `RUSTERON_BENCH_TRANSPORTS=ipc` or `udp` (scripts/bench.sh, which shares one driver per idle
/// strategy with the peer bench) runs one part; unset, both.
fn enabled(transport: &str) -> bool {
    // BENCH_FILTER (scripts/bench.sh passes it to criterion too) that is not part of this group's
    // name skips the histogram as well as criterion's part.
    let filtered_out = std::env::var("BENCH_FILTER")
        .map(|f| !f.is_empty() && !format!("ping_pong_{transport}").contains(f.as_str()) && !f.contains("ping_pong"))
        .unwrap_or(false);
    !filtered_out
        && std::env::var("RUSTERON_BENCH_TRANSPORTS").map(|t| t.split(',').any(|x| x == transport)).unwrap_or(true)
}

fn ipc(c: &mut Criterion) {
    if enabled("ipc") {
        ping_pong(c, "ipc");
    }
}

fn udp(c: &mut Criterion) {
    if enabled("udp") {
        ping_pong(c, "udp");
    }
}

criterion_group! {
    name = benches;
    config = criterion();
    targets = ipc, udp
}
criterion_main!(benches);
