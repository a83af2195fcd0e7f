//! IPC throughput with 32-byte messages (exclusive and concurrent publications, `offer` and
//! `try_claim`, a subscriber polling on another thread), the cost of a `poll` that finds nothing
//! and of an `offer` refused by back pressure. Every bench runs twice in the same process: through
//! the safe wrapper (`rust`) and through raw `rusteron_archive_sys` calls (`raw`).

mod common;

use common::*;
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rusteron_client::bindings as raw;
use rusteron_client::*;
use std::os::raw::c_void;

const IPC: &str = "aeron:ipc";
const FRAGMENT_LIMIT: usize = 256;

// The wrapper's publications as the harness drives them (`harness::Sender`).
impl Sender for AeronExclusivePublication {
    #[inline(always)]
    fn offer(&self, msg: &[u8]) -> bool {
        AeronExclusivePublication::offer(self, msg).is_ok()
    }
    #[inline(always)]
    fn claim(&self, msg: &[u8]) -> bool {
        match self.try_claim(msg.len()) {
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
        match self.try_claim(msg.len()) {
            Ok(mut c) => {
                c.data().copy_from_slice(msg);
                c.commit().is_ok()
            }
            Err(_) => false,
        }
    }
}

struct RawExclusive(*mut raw::aeron_exclusive_publication_t);
struct RawConcurrent(*mut raw::aeron_publication_t);

fn empty_claim() -> raw::aeron_buffer_claim_t {
    raw::aeron_buffer_claim_t { frame_header: std::ptr::null_mut(), data: std::ptr::null_mut(), length: 0 }
}

impl Sender for RawExclusive {
    #[inline(always)]
    fn offer(&self, msg: &[u8]) -> bool {
        unsafe {
            raw::aeron_exclusive_publication_offer(self.0, msg.as_ptr(), msg.len(), None, std::ptr::null_mut()) > 0
        }
    }
    #[inline(always)]
    fn claim(&self, msg: &[u8]) -> bool {
        unsafe {
            let mut c = empty_claim();
            if raw::aeron_exclusive_publication_try_claim(self.0, msg.len(), &mut c) > 0 {
                std::ptr::copy_nonoverlapping(msg.as_ptr(), c.data, msg.len());
                raw::aeron_buffer_claim_commit(&mut c) == 0
            } else {
                false
            }
        }
    }
}

impl Sender for RawConcurrent {
    #[inline(always)]
    fn offer(&self, msg: &[u8]) -> bool {
        unsafe { raw::aeron_publication_offer(self.0, msg.as_ptr(), msg.len(), None, std::ptr::null_mut()) > 0 }
    }
    #[inline(always)]
    fn claim(&self, msg: &[u8]) -> bool {
        unsafe {
            let mut c = empty_claim();
            if raw::aeron_publication_try_claim(self.0, msg.len(), &mut c) > 0 {
                std::ptr::copy_nonoverlapping(msg.as_ptr(), c.data, msg.len());
                raw::aeron_buffer_claim_commit(&mut c) == 0
            } else {
                false
            }
        }
    }
}

/// The raw fragment handler: reads the first byte, like the wrapper's handler does.
unsafe extern "C" fn raw_count(_clientd: *mut c_void, buffer: *const u8, length: usize, _h: *mut raw::aeron_header_t) {
    if length > 0 {
        black_box(*buffer);
    }
}

fn rust_receiver(sub: AeronSubscription) -> Receiver {
    let mut handler = |msg: &[u8], _h: AeronHeader<'_>| touch(msg);
    let parcel = sub.handoff().expect("the bench holds the only handle on its subscription");
    Receiver::spawn(move || {
        let sub = parcel.into_inner();
        move || sub.poll_with(&mut handler, FRAGMENT_LIMIT).unwrap_or(0)
    })
}

fn raw_receiver(sub: *mut raw::aeron_subscription_t) -> Receiver {
    let sub = SendPtr(sub);
    Receiver::spawn(move || {
        let s = sub;
        move || unsafe { raw::aeron_subscription_poll(s.0, Some(raw_count), std::ptr::null_mut(), FRAGMENT_LIMIT) }
    })
}

struct Clients {
    _md: BenchDriver,
    aeron: Aeron,
    raw: RawClient,
    stream: i32,
}

impl Clients {
    fn new() -> Clients {
        let md = driver("backoff");
        let aeron = md.connect().expect("client");
        let raw = RawClient::connect(md.dir_str());
        Clients { _md: md, aeron, raw, stream: 1000 }
    }

    fn next_stream(&mut self) -> i32 {
        self.stream += 1;
        self.stream
    }

    fn rust_sub(&mut self, stream: i32) -> AeronSubscription {
        self.aeron
            .add_subscription(
                &IPC.into_c_string(),
                stream,
                no_available_image_handler(),
                no_unavailable_image_handler(),
                TIMEOUT,
            )
            .expect("subscription")
    }
}

fn throughput(c: &mut Criterion) {
    let mut cl = Clients::new();
    let mut g = c.benchmark_group("ipc_throughput_32B");
    g.throughput(Throughput::Elements(1));

    for (kind, claim) in [
        ("exclusive_offer", false),
        ("exclusive_try_claim", true),
        ("concurrent_offer", false),
        ("concurrent_try_claim", true),
    ] {
        let exclusive = kind.starts_with("exclusive");
        // Wrapper: subscription and publication through rusteron-client.
        {
            let stream = cl.next_stream();
            let sub = cl.rust_sub(stream);
            let uri = IPC.into_c_string();
            let rx;
            let mut sent = 0u64;
            if exclusive {
                let p = cl.aeron.add_exclusive_publication(&uri, stream, TIMEOUT).expect("publication");
                assert!(testing::wait_until(TIMEOUT, || p.is_connected() && sub.is_connected()));
                rx = rust_receiver(sub);
                g.bench_function(BenchmarkId::new(kind, "rust"), |b| {
                    b.iter_custom(|n| publish_batch(&p, &rx, &mut sent, n, claim))
                });
            } else {
                let p = cl.aeron.add_publication(&uri, stream, TIMEOUT).expect("publication");
                assert!(testing::wait_until(TIMEOUT, || p.is_connected() && sub.is_connected()));
                rx = rust_receiver(sub);
                g.bench_function(BenchmarkId::new(kind, "rust"), |b| {
                    b.iter_custom(|n| publish_batch(&p, &rx, &mut sent, n, claim))
                });
            }
            drop(rx);
        }
        // Twin: the same through raw C calls only.
        {
            let stream = cl.next_stream();
            let sub = cl.raw.add_subscription(IPC, stream);
            let mut sent = 0u64;
            if exclusive {
                let p = RawExclusive(cl.raw.add_exclusive_publication(IPC, stream));
                raw_wait_connected(sub);
                let rx = raw_receiver(sub);
                g.bench_function(BenchmarkId::new(kind, "raw"), |b| {
                    b.iter_custom(|n| publish_batch(&p, &rx, &mut sent, n, claim))
                });
                drop(rx);
                unsafe { raw::aeron_exclusive_publication_close(p.0, None, std::ptr::null_mut()) };
            } else {
                let p = RawConcurrent(cl.raw.add_publication(IPC, stream));
                raw_wait_connected(sub);
                let rx = raw_receiver(sub);
                g.bench_function(BenchmarkId::new(kind, "raw"), |b| {
                    b.iter_custom(|n| publish_batch(&p, &rx, &mut sent, n, claim))
                });
                drop(rx);
                unsafe { raw::aeron_publication_close(p.0, None, std::ptr::null_mut()) };
            }
            unsafe { raw::aeron_subscription_close(sub, None, std::ptr::null_mut()) };
        }
    }
    g.finish();
}

/// One offer, and one try_claim + copy + commit, per call (32 bytes, exclusive IPC publication).
fn per_call_32b(c: &mut Criterion) {
    let mut cl = Clients::new();
    let mut g = c.benchmark_group("per_call_32B");
    for (op, claim) in [("offer", false), ("try_claim", true)] {
        let stream = cl.next_stream();
        let sub = cl.rust_sub(stream);
        let p = cl.aeron.add_exclusive_publication(&IPC.into_c_string(), stream, TIMEOUT).expect("publication");
        assert!(testing::wait_until(TIMEOUT, || p.is_connected() && sub.is_connected()));
        let mut count = |m: &[u8], _h: AeronHeader<'_>| {
            black_box(m.len());
        };
        g.bench_function(BenchmarkId::new(op, "rust"), |b| {
            b.iter_custom(|n| {
                per_call(
                    n,
                    |m| if claim { Sender::claim(&p, m) } else { Sender::offer(&p, m) },
                    || while sub.poll_with(&mut count, 256).unwrap_or(0) > 0 {},
                )
            })
        });

        let stream = cl.next_stream();
        let rsub = cl.raw.add_subscription(IPC, stream);
        let rp = RawExclusive(cl.raw.add_exclusive_publication(IPC, stream));
        raw_wait_connected(rsub);
        g.bench_function(BenchmarkId::new(op, "raw"), |b| {
            b.iter_custom(|n| {
                per_call(
                    n,
                    |m| if claim { rp.claim(m) } else { rp.offer(m) },
                    || {
                        while unsafe { raw::aeron_subscription_poll(rsub, Some(raw_count), std::ptr::null_mut(), 256) }
                            > 0
                        {}
                    },
                )
            })
        });
        unsafe {
            raw::aeron_exclusive_publication_close(rp.0, None, std::ptr::null_mut());
            raw::aeron_subscription_close(rsub, None, std::ptr::null_mut());
        }
    }
    g.finish();
}

unsafe extern "C" fn raw_nothing(_c: *mut c_void, _b: *const u8, _l: usize, _h: *mut raw::aeron_header_t) {}

/// One poll of a connected subscription with nothing to read.
fn empty_poll(c: &mut Criterion) {
    let mut cl = Clients::new();
    let mut g = c.benchmark_group("poll_empty");

    let stream = cl.next_stream();
    let sub = cl.rust_sub(stream);
    let p = cl.aeron.add_exclusive_publication(&IPC.into_c_string(), stream, TIMEOUT).expect("publication");
    assert!(testing::wait_until(TIMEOUT, || sub.is_connected()));
    let mut handler = |_m: &[u8], _h: AeronHeader<'_>| {};
    g.bench_function("rust", |b| b.iter(|| black_box(sub.poll_with(&mut handler, 10).unwrap())));

    let stream = cl.next_stream();
    let rsub = cl.raw.add_subscription(IPC, stream);
    let rp = cl.raw.add_exclusive_publication(IPC, stream);
    raw_wait_connected(rsub);
    g.bench_function("raw", |b| {
        b.iter(|| black_box(unsafe { raw::aeron_subscription_poll(rsub, Some(raw_nothing), std::ptr::null_mut(), 10) }))
    });
    g.finish();
    drop(p);
    unsafe {
        raw::aeron_exclusive_publication_close(rp, None, std::ptr::null_mut());
        raw::aeron_subscription_close(rsub, None, std::ptr::null_mut());
    }
}

/// One offer refused with BACK_PRESSURED (the subscriber never polls, the window is full).
fn back_pressured_offer(c: &mut Criterion) {
    let mut cl = Clients::new();
    let mut g = c.benchmark_group("offer_back_pressured");
    let msg = [1u8; MSG_LEN];

    let stream = cl.next_stream();
    let sub = cl.rust_sub(stream);
    let p = cl.aeron.add_exclusive_publication(&IPC.into_c_string(), stream, TIMEOUT).expect("publication");
    assert!(testing::wait_until(TIMEOUT, || sub.is_connected() && p.is_connected()));
    loop {
        match p.offer(&msg) {
            Ok(_) => {}
            Err(e) if e.code == raw::AERON_PUBLICATION_BACK_PRESSURED => break,
            Err(e) if e.kind().is_retryable() => {}
            Err(e) => panic!("filling the window: {e}"),
        }
    }
    assert_eq!(p.offer(&msg).unwrap_err().code, raw::AERON_PUBLICATION_BACK_PRESSURED);
    // The result is consumed as the raw twin's is: one i64 (position or refusal code). Handing
    // the whole `Result` to black_box instead forces it through the stack and costs a
    // store-forwarding stall (~6 ns) that real code, which matches on it in registers, never pays.
    g.bench_function("rust", |b| {
        b.iter(|| {
            black_box(match p.offer(black_box(&msg)) {
                Ok(pos) => pos,
                Err(e) => e.code as i64,
            })
        })
    });

    let stream = cl.next_stream();
    let rsub = cl.raw.add_subscription(IPC, stream);
    let rp = cl.raw.add_exclusive_publication(IPC, stream);
    raw_wait_connected(rsub);
    let offer = |m: &[u8]| unsafe {
        raw::aeron_exclusive_publication_offer(rp, m.as_ptr(), m.len(), None, std::ptr::null_mut())
    };
    while offer(&msg) != raw::AERON_PUBLICATION_BACK_PRESSURED as i64 {}
    g.bench_function("raw", |b| b.iter(|| black_box(offer(black_box(&msg)))));
    assert_eq!(offer(&msg), raw::AERON_PUBLICATION_BACK_PRESSURED as i64);
    g.finish();
    drop((p, sub));
    unsafe {
        raw::aeron_exclusive_publication_close(rp, None, std::ptr::null_mut());
        raw::aeron_subscription_close(rsub, None, std::ptr::null_mut());
    }
}

criterion_group! {
    name = benches;
    config = criterion();
    targets = empty_poll, back_pressured_offer, per_call_32b, throughput
}
criterion_main!(benches);
