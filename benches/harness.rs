//! The measuring harness that our benches (`benches/common/mod.rs` includes it) and the published
//! crate's peer bench (`benches/peer/benches/peer.rs` includes it with `#[path]`) share, so both
//! sides are timed by the same code: criterion's settings, the throughput receiver thread and
//! batch publisher, the per-call chunk timer and the latency percentiles. It uses neither client
//! crate: each side passes its own poll and send calls in.
#![allow(dead_code)]

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Payload bytes of every message (64-byte frames with Aeron's 32-byte header).
pub const MSG_LEN: usize = 32;

/// Criterion settings shared by every bench: short, so `just bench` fits its time budget.
pub fn criterion() -> criterion::Criterion {
    criterion::Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
        .without_plots()
        .configure_from_args()
}

/// A publication as the throughput and per-call benches drive it: `offer`, or `try_claim` + copy
/// + `commit`; `false` when the publication refused (back pressure and the like).
pub trait Sender {
    fn offer(&self, msg: &[u8]) -> bool;
    fn claim(&self, msg: &[u8]) -> bool;
}

/// A thread polling a subscription until stopped, publishing how many fragments it has seen.
pub struct Receiver {
    received: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    /// Runs the poll loop that `make_poll` builds on the receiver thread (so a single-threaded
    /// subscription can be opened, or handed over, there). The poll returns the fragment count.
    pub fn spawn<P: FnMut() -> i32>(make_poll: impl FnOnce() -> P + Send + 'static) -> Receiver {
        let received = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, s) = (received.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut poll = make_poll();
            let mut total = 0u64;
            while !s.load(Ordering::Relaxed) {
                let n = poll();
                if n > 0 {
                    total += n as u64;
                    r.store(total, Ordering::Release);
                } else {
                    std::hint::spin_loop();
                }
            }
        });
        Receiver { received, stop, thread: Some(thread) }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What a receiver's handler does with each fragment on every side: read its first byte.
#[inline(always)]
pub fn touch(msg: &[u8]) {
    if let Some(b) = msg.first() {
        black_box(*b);
    }
}

/// Publishes `iters` messages (spinning on refusals) and waits until the receiver has them all;
/// the elapsed time.
pub fn publish_batch<S: Sender>(sender: &S, receiver: &Receiver, sent: &mut u64, iters: u64, claim: bool) -> Duration {
    let msg = [7u8; MSG_LEN];
    let target = *sent + iters;
    let start = Instant::now();
    for _ in 0..iters {
        if claim {
            while !sender.claim(&msg) {
                std::hint::spin_loop();
            }
        } else {
            while !sender.offer(&msg) {
                std::hint::spin_loop();
            }
        }
    }
    while receiver.received.load(Ordering::Acquire) < target {
        std::hint::spin_loop();
    }
    *sent = target;
    start.elapsed()
}

/// `n` messages through `send` (offer, or try_claim + copy + commit), timed in chunks of 4,096 that
/// fit in the publication window, with `drain` (polling the subscription in this thread until a
/// poll finds nothing: over IPC every sent message is readable at once) outside the clock: the
/// cost of one call with no back pressure.
pub fn per_call(n: u64, mut send: impl FnMut(&[u8]) -> bool, mut drain: impl FnMut()) -> Duration {
    let msg = [7u8; MSG_LEN];
    let (mut done, mut total) = (0u64, Duration::ZERO);
    while done < n {
        let chunk = (n - done).min(4096);
        drain();
        let start = Instant::now();
        for _ in 0..chunk {
            while !send(black_box(&msg)) {
                std::hint::spin_loop();
            }
        }
        total += start.elapsed();
        done += chunk;
    }
    drain();
    total
}

/// Latency percentiles (nanoseconds) of a set of samples.
#[derive(Clone, Copy, Debug)]
pub struct Percentiles {
    pub count: usize,
    pub p50: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
    pub mean: f64,
}

impl Percentiles {
    /// Sorts `samples` (not empty) and reads the percentiles off them (nearest rank).
    pub fn of(samples: &mut [u64]) -> Percentiles {
        samples.sort_unstable();
        let n = samples.len();
        let at = |q: f64| samples[(((n as f64) * q).ceil() as usize).clamp(1, n) - 1];
        Percentiles {
            count: n,
            p50: at(0.50),
            p99: at(0.99),
            p999: at(0.999),
            max: samples[n - 1],
            mean: samples.iter().map(|&x| x as f64).sum::<f64>() / n as f64,
        }
    }

    pub fn json(&self) -> String {
        format!(
            "{{\"count\":{},\"p50_ns\":{},\"p99_ns\":{},\"p999_ns\":{},\"max_ns\":{},\"mean_ns\":{:.1}}}",
            self.count, self.p50, self.p99, self.p999, self.max, self.mean
        )
    }
}
