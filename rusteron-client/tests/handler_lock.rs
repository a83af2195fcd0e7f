//! A `Handler` shared by several pollers (or registered with several C objects) is never entered
//! by two threads at once, and a thread re-entering its own handler is refused rather than
//! aliasing `&mut`. Against a real aeronmd.

use rusteron_client::testing::*;
use rusteron_client::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

/// Records overlap: `inside` is set for the whole callback, and a second entry while it is set
/// counts as an overlap (what two threads holding `&mut self` at once would do).
struct OverlapDetector {
    inside: Arc<AtomicBool>,
    overlaps: Arc<AtomicUsize>,
    seen: Arc<AtomicUsize>,
}

impl AeronFragmentHandlerCallback for OverlapDetector {
    fn handle_aeron_fragment_handler(&mut self, _buffer: &[u8], _header: AeronHeader<'_>) {
        if self.inside.swap(true, Ordering::SeqCst) {
            self.overlaps.fetch_add(1, Ordering::SeqCst);
        }
        // Stay inside long enough for another thread to try to enter.
        for _ in 0..20_000 {
            std::hint::spin_loop();
        }
        std::thread::yield_now();
        self.inside.store(false, Ordering::SeqCst);
        self.seen.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_handler_polled_from_two_threads_is_never_entered_twice() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let (inside, overlaps, seen) =
        (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let handler = Handlers::leak(OverlapDetector { inside, overlaps: overlaps.clone(), seen: seen.clone() });
    let per_stream = 300usize; // fits the test driver's 64 KiB IPC term window unpolled
    let mut pairs = Vec::new();
    for stream in [3001, 3002] {
        let sub = aeron
            .add_subscription(
                &"aeron:ipc".into_c_string(),
                stream,
                no_available_image_handler(),
                no_unavailable_image_handler(),
                TIMEOUT,
            )
            .unwrap();
        let publication = aeron.add_exclusive_publication(&"aeron:ipc".into_c_string(), stream, TIMEOUT).unwrap();
        assert!(wait_until(TIMEOUT, || publication.is_connected()));
        for i in 0..per_stream as u64 {
            assert!(wait_until(TIMEOUT, || publication.offer(&i.to_le_bytes()).is_ok()));
        }
        // Each pair moves to its poller thread (single-threaded objects are not `Send`).
        pairs.push((sub.handoff().unwrap(), publication.handoff().unwrap()));
    }
    // Both pollers start together, each on its own subscription, sharing the one handler.
    let barrier = Arc::new(std::sync::Barrier::new(2));
    let mut threads = Vec::new();
    for (sub, publication) in pairs {
        let (h, seen, barrier) = (handler.clone(), seen.clone(), barrier.clone());
        threads.push(std::thread::spawn(move || {
            let (sub, _keep) = (sub.into_inner(), publication.into_inner());
            barrier.wait();
            assert!(wait_until(TIMEOUT, || {
                sub.poll(Some(&h), 1).unwrap();
                seen.load(Ordering::SeqCst) >= 2 * per_stream
            }));
        }));
    }
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(seen.load(Ordering::SeqCst), 2 * per_stream);
    assert_eq!(overlaps.load(Ordering::SeqCst), 0, "two threads were inside the same handler at once");
}

thread_local! {
    /// The subscription `Reentrant` polls from inside its callback (a handler must be `Send`,
    /// a subscription is not: it stays on the polling thread).
    static REENTRANT_SUB: std::cell::RefCell<Option<AeronSubscription>> = const { std::cell::RefCell::new(None) };
}

/// A handler that polls its own subscription with itself from inside the callback.
struct Reentrant {
    me: Option<Handler<Reentrant>>,
    nested_result: Option<Result<i32, AeronCError>>,
}

impl AeronFragmentHandlerCallback for Reentrant {
    fn handle_aeron_fragment_handler(&mut self, _buffer: &[u8], _header: AeronHeader<'_>) {
        if self.nested_result.is_none() {
            let (sub, me) = (REENTRANT_SUB.with(|s| s.borrow().clone().unwrap()), self.me.clone().unwrap());
            self.nested_result = Some(sub.poll(Some(&me), 10));
        }
    }
}

#[test]
fn re_entering_a_handler_from_its_own_callback_is_an_error_not_aliasing() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let sub = aeron
        .add_subscription(
            &"aeron:ipc".into_c_string(),
            3003,
            no_available_image_handler(),
            no_unavailable_image_handler(),
            TIMEOUT,
        )
        .unwrap();
    let publication = aeron.add_publication(&"aeron:ipc".into_c_string(), 3003, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected()));
    for i in 0..3u64 {
        assert!(wait_until(TIMEOUT, || publication.offer(&i.to_le_bytes()).is_ok()));
    }
    REENTRANT_SUB.with(|s| *s.borrow_mut() = Some(sub.clone()));
    let handler = Handlers::leak(Reentrant { me: None, nested_result: None });
    handler.with_mut(|r| r.me = Some(handler.clone())).unwrap();
    assert!(wait_until(TIMEOUT, || sub.poll(Some(&handler), 10).unwrap() > 0));
    let nested = handler.with_mut(|r| r.nested_result.take()).unwrap().expect("callback ran");
    let err = nested.expect_err("a re-entrant poll with the running handler must be refused");
    assert!(err.message().unwrap_or("").contains("re-entrant"), "{err}");
    // Break the cycle (handler -> itself) so it can be freed.
    handler.with_mut(|r| {
        r.me = None;
    });
    REENTRANT_SUB.with(|s| s.borrow_mut().take());
}

#[test]
fn a_released_handler_handle_cannot_be_polled_with() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let sub = aeron
        .add_subscription(
            &"aeron:ipc".into_c_string(),
            3004,
            no_available_image_handler(),
            no_unavailable_image_handler(),
            TIMEOUT,
        )
        .unwrap();
    let mut h = Handlers::leak(|_m: &[u8], _h: AeronHeader<'_>| {});
    h.release();
    assert!(sub.poll(Some(&h), 10).is_err());
    assert_eq!(sub.poll(no_fragment_handler_handler(), 10).unwrap(), 0);
}
