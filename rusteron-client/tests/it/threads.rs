//! The threading model against a real `aeronmd`: single-threaded objects (subscription, exclusive
//! publication, context, assemblers) reach another thread only through `handoff`, which refuses
//! while any other handle on the C object exists; a handed-off subscription and exclusive
//! publication deliver every message exactly once, in order. (That a clone cannot be sent at
//! all is shown by the `compile_fail` doctests of each type.) A `Handler` shared by several
//! pollers (or registered with several C objects) is never entered by two threads at once, and a
//! thread re-entering its own handler is refused rather than aliasing `&mut`.

use rusteron_client::testing::*;
use rusteron_client::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(20);
const EBUSY: i32 = 16;

fn subscribe(aeron: &Aeron, channel: &str, stream: i32) -> AeronSubscription {
    aeron
        .add_subscription(
            &channel.into_c_string(),
            stream,
            no_available_image_handler(),
            no_unavailable_image_handler(),
            TIMEOUT,
        )
        .expect("subscription")
}

#[test]
fn handoff_is_refused_while_another_handle_exists() {
    let md = MediaDriverProcess::start().expect("driver");
    let aeron = md.connect().expect("client");
    let sub = subscribe(&aeron, "aeron:ipc", 4001);

    // A clone: refused, and the subscription comes back intact.
    let clone = sub.clone();
    let e = sub.handoff().expect_err("a clone exists");
    assert!(e.to_string().contains("cannot hand this AeronSubscription to another thread"), "{e}");
    assert!(e.reason().contains("other handles"), "{e}");
    let sub = e.into_inner();
    drop(clone);

    // An image retained from it keeps the subscription: refused while the image lives.
    let publication = aeron.add_exclusive_publication(&"aeron:ipc".into_c_string(), 4001, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || sub.image_count() == Ok(1)));
    let image = sub.image_at_index(0).expect("image");
    let sub = sub.handoff().expect_err("an image of it exists").into_inner();
    drop(image);

    // Through `?` the refusal is an AeronCError (EBUSY) with the same message.
    let as_error = |s: AeronSubscription| -> Result<Handoff<AeronSubscription>, AeronCError> { Ok(s.handoff()?) };
    let clone = sub.clone();
    let err = as_error(clone).expect_err("the original still exists");
    assert_eq!(err.code, EBUSY);
    assert!(err.message().unwrap_or("").contains("AeronSubscription"), "{err}");

    // Alone again: accepted. So are the exclusive publication and a fresh context.
    let (sub, publication) = (sub.handoff().expect("the only handle"), publication.handoff().expect("the only handle"));
    let ctx = AeronContext::new().unwrap().handoff().expect("a new context is its only handle");
    let there = std::thread::spawn(move || {
        let (sub, publication, ctx) = (sub.into_inner(), publication.into_inner(), ctx.into_inner());
        (sub.get_constants().unwrap().stream_id, publication.stream_id(), ctx.get_dir().is_empty())
    });
    assert_eq!(there.join().unwrap(), (4001, 4001, false));

    // A context a client runs on: the client holds it (refused), and `Aeron::context` views
    // are never handed off.
    let ctx = AeronContext::new().unwrap();
    ctx.set_dir(&md.dir_str().into_c_string()).unwrap();
    let client = Aeron::new(&ctx).unwrap();
    let e = ctx.handoff().expect_err("the client holds its context");
    assert!(e.reason().contains("other handles"), "{e}");
    let view = client.context();
    let e = view.handoff().expect_err("a view");
    assert!(e.reason().contains("view"), "{e}");
}

/// The poller-thread pattern: a subscription made here is handed to a thread that polls it,
/// an exclusive publication made here to a thread that offers; the receiver checks that every
/// message arrives once and in order. (With shared clones, the same program had 23,468
/// duplicates out of 200,000, and 395 lost offers: it no longer compiles.)
#[test]
fn handed_off_subscription_and_exclusive_publication_deliver_everything_once_in_order() {
    let md = MediaDriverProcess::start().expect("driver");
    let aeron = md.connect().expect("client");
    let sub = subscribe(&aeron, "aeron:ipc", 4002);
    let publication = aeron.add_exclusive_publication(&"aeron:ipc".into_c_string(), 4002, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected()));
    const N: u64 = 100_000;

    let sub = sub.handoff().expect("only handle");
    let receiver = std::thread::spawn(move || {
        let sub = sub.into_inner();
        let (mut next, mut duplicates_or_gaps) = (0u64, 0u64);
        let deadline = Instant::now() + TIMEOUT * 3;
        while next < N && Instant::now() < deadline {
            sub.poll_once(
                |msg: &[u8], _h: AeronHeader<'_>| {
                    let v = u64::from_le_bytes(msg[..8].try_into().unwrap());
                    if v != next {
                        duplicates_or_gaps += 1;
                    }
                    next = v + 1;
                },
                64,
            )
            .unwrap();
        }
        (next, duplicates_or_gaps)
    });
    let publication = publication.handoff().expect("only handle");
    let sender = std::thread::spawn(move || {
        let publication = publication.into_inner();
        let deadline = Instant::now() + TIMEOUT * 3;
        let mut i = 0u64;
        while i < N && Instant::now() < deadline {
            match publication.offer(&i.to_le_bytes()) {
                Ok(_) => i += 1,
                Err(e) if e.kind().is_retryable() => std::hint::spin_loop(),
                Err(e) => panic!("offer {i} failed: {e}"),
            }
        }
        i
    });
    assert_eq!(sender.join().unwrap(), N, "every offer accepted");
    let (received, disorder) = receiver.join().unwrap();
    assert_eq!((received, disorder), (N, 0), "every message once, in order");
}

/// Async adds are `Send + Sync` and take turns: clones polled from several threads at once
/// complete the add exactly once (the others see it consumed), with no use after free.
#[test]
fn an_async_add_polled_from_several_threads_completes_once() {
    let md = MediaDriverProcess::start().expect("driver");
    let aeron = md.connect().expect("client");
    for round in 0..20 {
        let add = aeron
            .async_add_subscription(
                &"aeron:ipc".into_c_string(),
                4100 + round,
                no_available_image_handler(),
                no_unavailable_image_handler(),
            )
            .unwrap();
        let pollers: Vec<_> = (0..3)
            .map(|_| {
                let add = add.clone();
                std::thread::spawn(move || {
                    let deadline = Instant::now() + TIMEOUT;
                    while Instant::now() < deadline {
                        let _ = add.get_registration_id();
                        match add.poll() {
                            Ok(Some(sub)) => return Some(sub.get_constants().unwrap().stream_id),
                            Ok(None) => std::thread::yield_now(),
                            Err(e) => {
                                assert!(e.message().unwrap_or("").contains("already completed"), "{e}");
                                return None;
                            }
                        }
                    }
                    panic!("the add did not complete within {TIMEOUT:?}");
                })
            })
            .collect();
        let got: Vec<i32> = pollers.into_iter().filter_map(|t| t.join().unwrap()).collect();
        assert_eq!(got, vec![4100 + round], "exactly one poll completes the add");
        assert_eq!(add.get_registration_id(), -1);
    }
}

// -------------------------------------------------------------------------------------------
// One handler, several pollers: the handler's lock.

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
