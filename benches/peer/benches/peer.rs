//! The published `rusteron-client` (crates.io) running the workloads of `benches/client.rs` and
//! `benches/latency.rs`, with the same criterion settings, message size, fragment limits and
//! media driver (the one `scripts/bench.sh` starts and names in `RUSTERON_BENCH_AERON_DIR_BACKOFF`
//! / `RUSTERON_BENCH_AERON_DIR_YIELD`). Criterion ids end in `/peer`, beside ours (`/rust`) and
//! raw C (`/raw`); latency histograms go to `<results>/latency_<transport>_peer.json`.
//!
//! The published crate pins each handle to the thread whose client created it (its default build,
//! without `multi-threaded`), so every thread here has its own client, as the crate's own samples do.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use peer::*;

/// The refusal as Aeron's negative code (what ours and raw C hand on).
#[inline(always)]
fn code(e: &AeronOfferError) -> i64 {
    match e {
        AeronOfferError::NotConnected => -1,
        AeronOfferError::BackPressured => -2,
        AeronOfferError::AdminAction => -3,
        AeronOfferError::Closed => -4,
        AeronOfferError::MaxPositionExceeded => -5,
        _ => -6,
    }
}
#[path = "../../harness.rs"]
mod harness;
use harness::*;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const FRAGMENT_LIMIT: usize = 256;
const TIMEOUT: Duration = Duration::from_secs(10);
const BLOCKS: usize = 10;
const BLOCK_LEN: usize = 2_000;
const WARMUP: usize = 2_000;

fn dir(idle: &str) -> String {
    let var = format!("RUSTERON_BENCH_AERON_DIR_{}", idle.to_uppercase());
    std::env::var(&var).unwrap_or_else(|_| panic!("{var} is not set: run the peer bench through scripts/bench.sh"))
}

fn results_dir() -> std::path::PathBuf {
    let target = std::env::var("RUSTERON_BENCH_RESULTS").expect("RUSTERON_BENCH_RESULTS (set by scripts/bench.sh)");
    let dir = std::path::PathBuf::from(target);
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn connect(dir: &str) -> Aeron {
    let ctx = AeronContext::new().expect("context");
    ctx.set_dir(&dir.into_c_string()).expect("set_dir");
    let aeron = Aeron::new(&ctx).expect("client");
    aeron.start().expect("start");
    aeron
}

fn sub(aeron: &Aeron, ch: &str, stream: i32) -> AeronSubscription {
    aeron
        .async_add_subscription(&ch.into_c_string(), stream, Handlers::NONE, Handlers::NONE)
        .expect("add subscription")
        .poll_blocking(TIMEOUT)
        .expect("subscription")
}

fn xpub(aeron: &Aeron, ch: &str, stream: i32) -> AeronExclusivePublication {
    aeron
        .async_add_exclusive_publication(&ch.into_c_string(), stream)
        .expect("add exclusive publication")
        .poll_blocking(TIMEOUT)
        .expect("exclusive publication")
}

fn cpub(aeron: &Aeron, ch: &str, stream: i32) -> AeronPublication {
    aeron
        .async_add_publication(&ch.into_c_string(), stream)
        .expect("add publication")
        .poll_blocking(TIMEOUT)
        .expect("publication")
}

fn wait_until(mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < TIMEOUT, "timed out");
        std::thread::sleep(Duration::from_millis(1));
    }
}

impl Sender for AeronExclusivePublication {
    #[inline(always)]
    fn offer(&self, msg: &[u8]) -> bool {
        AeronExclusivePublication::offer(self, msg).is_ok()
    }
    #[inline(always)]
    fn claim(&self, msg: &[u8]) -> bool {
        match self.try_claim_owned(msg.len()) {
            Ok(mut c) => {
                c.data().copy_from_slice(msg);
                c.commit().is_ok()
            }
            Err(_) => false,
        }
    }
}

impl Sender for AeronPublication {
    #[inline(always)]
    fn offer(&self, msg: &[u8]) -> bool {
        AeronPublication::offer(self, msg).is_ok()
    }
    #[inline(always)]
    fn claim(&self, msg: &[u8]) -> bool {
        match self.try_claim_owned(msg.len()) {
            Ok(mut c) => {
                c.data().copy_from_slice(msg);
                c.commit().is_ok()
            }
            Err(_) => false,
        }
    }
}

/// A receiver thread with its own client (the published crate pins handles to their thread)
/// polling a subscription (limit 256), as benches/client.rs does.
fn spawn_receiver(dir: String, stream: i32, ready: Arc<AtomicBool>) -> Receiver {
    Receiver::spawn(move || {
        let aeron = connect(&dir);
        let sub = sub(&aeron, "aeron:ipc", stream);
        ready.store(true, Ordering::Release);
        wait_until(|| sub.is_connected());
        move || {
            let _client = &aeron;
            sub.poll_fn(|msg: &[u8], _h: AeronHeader| touch(msg), FRAGMENT_LIMIT).unwrap_or(0)
        }
    })
}

fn throughput(c: &mut Criterion) {
    let dir = dir("backoff");
    let aeron = connect(&dir);
    let mut g = c.benchmark_group("ipc_throughput_32B");
    g.throughput(Throughput::Elements(1));
    let mut stream = 6000;
    for (kind, claim) in [
        ("exclusive_offer", false),
        ("exclusive_try_claim", true),
        ("concurrent_offer", false),
        ("concurrent_try_claim", true),
    ] {
        stream += 1;
        let ready = Arc::new(AtomicBool::new(false));
        let rx = spawn_receiver(dir.clone(), stream, ready.clone());
        wait_until(|| ready.load(Ordering::Acquire));
        let mut sent = 0u64;
        if kind.starts_with("exclusive") {
            let p = xpub(&aeron, "aeron:ipc", stream);
            wait_until(|| p.is_connected());
            g.bench_function(BenchmarkId::new(kind, "peer"), |b| {
                b.iter_custom(|n| publish_batch(&p, &rx, &mut sent, n, claim))
            });
        } else {
            let p = cpub(&aeron, "aeron:ipc", stream);
            wait_until(|| p.is_connected());
            g.bench_function(BenchmarkId::new(kind, "peer"), |b| {
                b.iter_custom(|n| publish_batch(&p, &rx, &mut sent, n, claim))
            });
        }
        drop(rx);
    }
    g.finish();
}

fn empty_poll(c: &mut Criterion) {
    let aeron = connect(&dir("backoff"));
    let s = sub(&aeron, "aeron:ipc", 6101);
    let p = xpub(&aeron, "aeron:ipc", 6101);
    wait_until(|| s.is_connected() && p.is_connected());
    let mut g = c.benchmark_group("poll_empty");
    g.bench_function("peer", |b| b.iter(|| black_box(s.poll_fn(|_m: &[u8], _h: AeronHeader| {}, 10).unwrap())));
    g.finish();
}

fn back_pressured_offer(c: &mut Criterion) {
    let aeron = connect(&dir("backoff"));
    let s = sub(&aeron, "aeron:ipc", 6102);
    let p = xpub(&aeron, "aeron:ipc", 6102);
    wait_until(|| s.is_connected() && p.is_connected());
    let msg = [1u8; MSG_LEN];
    while p.offer_raw::<AeronReservedValueSupplierLogger>(&msg, None) != -2 {}
    let mut g = c.benchmark_group("offer_back_pressured");
    // One i64 to black_box, as ours and raw C do: the position, or the refusal code.
    g.bench_function("peer", |b| {
        b.iter(|| {
            black_box(match p.offer(black_box(&msg)) {
                Ok(pos) => pos,
                Err(e) => code(&e),
            })
        })
    });
    g.finish();
    assert_eq!(p.offer_raw::<AeronReservedValueSupplierLogger>(&msg, None), -2);
}

fn per_call_32b(c: &mut Criterion) {
    let aeron = connect(&dir("backoff"));
    let mut g = c.benchmark_group("per_call_32B");
    for (op, claim, stream) in [("offer", false, 6103), ("try_claim", true, 6104)] {
        let s = sub(&aeron, "aeron:ipc", stream);
        let p = xpub(&aeron, "aeron:ipc", stream);
        wait_until(|| s.is_connected() && p.is_connected());
        g.bench_function(BenchmarkId::new(op, "peer"), |b| {
            b.iter_custom(|n| {
                per_call(
                    n,
                    |m| if claim { Sender::claim(&p, m) } else { Sender::offer(&p, m) },
                    || {
                        while s
                            .poll_fn(
                                |m: &[u8], _h: AeronHeader| {
                                    black_box(m.len());
                                },
                                256,
                            )
                            .unwrap_or(0)
                            > 0
                        {}
                    },
                )
            })
        });
    }
    g.finish();
}

/// Ping-pong: the ping side (this thread) offers and waits for the echo; a pong thread with its
/// own client polls and offers each message back (limit 10), as in benches/latency.rs.
fn ping_pong(c: &mut Criterion, transport: &str) {
    let udp = transport == "udp";
    let idle = move || {
        if udp {
            std::thread::yield_now()
        } else {
            std::hint::spin_loop()
        }
    };
    let dir = dir(if udp { "yield" } else { "backoff" });
    let (ping_ch, pong_ch) = if udp {
        let port = |start: u16| (start..start + 1000).find(|p| std::net::UdpSocket::bind(("127.0.0.1", *p)).is_ok());
        let a = port(23000).expect("free port");
        let b = port(a + 1).expect("free port");
        (format!("aeron:udp?endpoint=127.0.0.1:{a}"), format!("aeron:udp?endpoint=127.0.0.1:{b}"))
    } else {
        ("aeron:ipc".to_string(), "aeron:ipc".to_string())
    };
    let (ping_stream, pong_stream) = (6201, 6202);
    let stop = Arc::new(AtomicBool::new(false));
    let ready = Arc::new(AtomicU8::new(0));
    let pong = {
        let (stop, ready, dir, ping_ch, pong_ch) =
            (stop.clone(), ready.clone(), dir.clone(), ping_ch.clone(), pong_ch.clone());
        std::thread::spawn(move || {
            let aeron = connect(&dir);
            let s = sub(&aeron, &ping_ch, ping_stream);
            let p = xpub(&aeron, &pong_ch, pong_stream);
            ready.store(1, Ordering::Release);
            while !stop.load(Ordering::Relaxed) {
                let n = s
                    .poll_fn(
                        |m: &[u8], _h: AeronHeader| {
                            while p.offer(m).is_err() {
                                std::hint::spin_loop();
                            }
                        },
                        10,
                    )
                    .unwrap_or(0);
                if n == 0 {
                    idle();
                }
            }
        })
    };
    wait_until(|| ready.load(Ordering::Acquire) == 1);
    let aeron = connect(&dir);
    let p = xpub(&aeron, &ping_ch, ping_stream);
    let s = sub(&aeron, &pong_ch, pong_stream);
    wait_until(|| p.is_connected() && s.is_connected());
    let msg = [3u8; MSG_LEN];
    let round_trip = || {
        while p.offer(&msg).is_err() {
            idle();
        }
        while s.poll_fn(|_m: &[u8], _h: AeronHeader| {}, 1).unwrap_or(0) == 0 {
            idle();
        }
    };
    let mut g = c.benchmark_group(format!("ping_pong_{transport}"));
    g.bench_function(BenchmarkId::new("rtt", "peer"), |b| {
        b.iter_custom(|n| {
            let start = Instant::now();
            for _ in 0..n {
                round_trip();
            }
            start.elapsed()
        })
    });
    g.finish();
    let mut samples = Vec::with_capacity(BLOCKS * BLOCK_LEN);
    for _ in 0..BLOCKS {
        for _ in 0..WARMUP / 4 {
            round_trip();
        }
        for _ in 0..BLOCK_LEN {
            let t = Instant::now();
            round_trip();
            samples.push(t.elapsed().as_nanos() as u64);
        }
    }
    let p = Percentiles::of(&mut samples);
    let json = format!("{{\"transport\":\"{transport}\",\"msg_len\":{MSG_LEN},\"peer\":{}}}\n", p.json());
    println!("ping_pong_{transport} peer histogram: {json}");
    std::fs::write(results_dir().join(format!("latency_{transport}_peer.json")), json).expect("write");
    stop.store(true, Ordering::Relaxed);
    let _ = pong.join();
}

/// `RUSTERON_BENCH_TRANSPORTS` (set by scripts/bench.sh: `ipc` while the backoff driver runs,
/// `udp` while the yield driver runs) selects which part runs.
fn enabled(transport: &str) -> bool {
    std::env::var("RUSTERON_BENCH_TRANSPORTS").map(|t| t.split(',').any(|x| x == transport)).unwrap_or(true)
}

/// BENCH_FILTER (scripts/bench.sh passes it to criterion too) that is not part of the ping-pong
/// group's name skips the histogram as well as criterion's part.
fn ping_pong_enabled(transport: &str) -> bool {
    std::env::var("BENCH_FILTER")
        .map(|f| f.is_empty() || format!("ping_pong_{transport}").contains(f.as_str()) || f.contains("ping_pong"))
        .unwrap_or(true)
}

fn ipc(c: &mut Criterion) {
    if enabled("ipc") {
        empty_poll(c);
        back_pressured_offer(c);
        per_call_32b(c);
        throughput(c);
        if ping_pong_enabled("ipc") {
            ping_pong(c, "ipc");
        }
    }
}

fn udp(c: &mut Criterion) {
    if enabled("udp") && ping_pong_enabled("udp") {
        ping_pong(c, "udp");
    }
}

criterion_group! {
    name = benches;
    config = criterion();
    targets = ipc, udp
}
criterion_main!(benches);
