//! A panic inside a callback never unwinds into C: the poll returns, the panic resumes in the
//! caller, and the client keeps working. The plain poll keeps the panic in a thread-local slot
//! (a borrowed handler) or in the polling frame (a handler passed by value), read only when C
//! reports fragments: the poll's later fragments are skipped, nothing is left
//! behind for the next poll, and polls nested in a handler hand a panic outwards. (Panics on the
//! conductor thread, kept in the process-wide list: `tests/conductor_panics.rs`.)

use rusteron_client::testing::*;
use rusteron_client::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

fn setup(md: &MediaDriverProcess, stream: i32) -> (Aeron, AeronPublication, AeronSubscription) {
    let aeron = md.connect().unwrap();
    let sub = aeron
        .add_subscription(c"aeron:ipc", stream, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", stream, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected()));
    (aeron, publication, sub)
}

fn send(publication: &AeronPublication, v: u32) {
    assert!(wait_until(TIMEOUT, || publication.offer(&v.to_le_bytes()).is_ok()));
}

#[test]
fn panicking_fragment_handler_resumes_in_caller_then_polls_work() {
    let md = MediaDriverProcess::start().unwrap();
    let (_aeron, publication, sub) = setup(&md, 1);
    send(&publication, 1);
    send(&publication, 2);
    let mut polled_ok = false;
    let r = catch_unwind(AssertUnwindSafe(|| {
        assert!(wait_until(TIMEOUT, || {
            sub.poll_once(|_m: &[u8], _h: AeronHeader<'_>| panic!("boom in handler"), 10).unwrap() > 0
        }));
        polled_ok = true;
    }));
    let payload = r.expect_err("the panic must resume in the caller");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom in handler"));
    assert!(!polled_ok);
    // The stream continues.
    send(&publication, 3);
    let mut got = Vec::new();
    assert!(wait_until(TIMEOUT, || {
        sub.poll_once(|m: &[u8], _h: AeronHeader<'_>| got.push(u32::from_le_bytes(m.try_into().unwrap())), 10).unwrap();
        got.contains(&3)
    }));
}

#[test]
fn panicking_controlled_handler_and_assembler_delegate() {
    let md = MediaDriverProcess::start().unwrap();
    let (_aeron, publication, sub) = setup(&md, 2);
    send(&publication, 10);
    let r = catch_unwind(AssertUnwindSafe(|| {
        wait_until(TIMEOUT, || {
            sub.controlled_poll_once(
                |_m: &[u8], _h: AeronHeader<'_>| -> AeronControlledFragmentHandlerAction { panic!("controlled boom") },
                10,
            )
            .unwrap();
            false
        })
    }));
    assert!(r.is_err());
    // ABORT on panic: the fragment is delivered again.
    let mut got = Vec::new();
    assert!(wait_until(TIMEOUT, || {
        sub.poll_once(|m: &[u8], _h: AeronHeader<'_>| got.push(u32::from_le_bytes(m.try_into().unwrap())), 10).unwrap();
        !got.is_empty()
    }));
    assert_eq!(got[0], 10);

    // A panic in an assembler's delegate crosses C's assembler code only as a caught value.
    let assembler =
        AeronFragmentAssembler::with_handler(|_m: &[u8], _h: AeronHeader<'_>| panic!("delegate boom")).unwrap();
    send(&publication, 11);
    let r = catch_unwind(AssertUnwindSafe(|| wait_until(TIMEOUT, || assembler.poll(&sub, 10).unwrap() > 0)));
    assert_eq!(r.expect_err("resumed").downcast_ref::<&str>(), Some(&"delegate boom"));
    // Same through the callback-object path.
    let mut as_cb =
        AeronFragmentAssembler::with_handler(|_m: &[u8], _h: AeronHeader<'_>| panic!("delegate boom 2")).unwrap();
    send(&publication, 12);
    let r = catch_unwind(AssertUnwindSafe(|| wait_until(TIMEOUT, || sub.poll_with(&mut as_cb, 10).unwrap() > 0)));
    assert_eq!(r.expect_err("resumed").downcast_ref::<&str>(), Some(&"delegate boom 2"));
    send(&publication, 13);
    let mut got = Vec::new();
    assert!(wait_until(TIMEOUT, || {
        sub.poll_once(|m: &[u8], _h: AeronHeader<'_>| got.push(u32::from_le_bytes(m.try_into().unwrap())), 10).unwrap();
        got.contains(&13)
    }));
}

#[test]
fn panicking_reserved_value_supplier_and_counter_printer() {
    let md = MediaDriverProcess::start().unwrap();
    let (aeron, publication, _sub) = setup(&md, 4);
    let r = catch_unwind(AssertUnwindSafe(|| {
        let mut supplier = |_f: &mut [u8]| -> i64 { panic!("supplier boom") };
        let _ = publication.offer_with_reserved_value(b"abc", &mut supplier);
    }));
    assert!(r.is_err());
    let r = catch_unwind(AssertUnwindSafe(|| aeron.print_counters_with(|_l: &str| panic!("printer boom"))));
    assert_eq!(r.expect_err("resumed").downcast_ref::<&str>(), Some(&"printer boom"));
    // A later print works (the panic slot was emptied).
    let mut lines = 0;
    aeron.print_counters_with(|_l: &str| lines += 1);
    assert!(lines > 0);
    assert!(wait_until(TIMEOUT, || publication.offer(b"after").is_ok()));
}

// -------------------------------------------------------------------------------------------
// The plain poll's panic slot.

fn pair(aeron: &Aeron, stream: i32) -> (AeronExclusivePublication, AeronSubscription) {
    let sub = aeron
        .add_subscription(c"aeron:ipc", stream, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    let p = aeron.add_exclusive_publication(c"aeron:ipc", stream, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || p.is_connected() && sub.is_connected()));
    (p, sub)
}

fn send_exclusive(p: &AeronExclusivePublication, v: u32) {
    assert!(wait_until(TIMEOUT, || p.offer(&v.to_le_bytes()).is_ok()));
}

fn value(m: &[u8]) -> u32 {
    u32::from_le_bytes(m.try_into().unwrap())
}

#[test]
fn panic_skips_the_rest_of_the_poll_and_leaves_nothing_behind() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let (p, sub) = pair(&aeron, 11);
    for v in 1..=3 {
        send_exclusive(&p, v);
    }
    let mut seen = Vec::new();
    let r = catch_unwind(AssertUnwindSafe(|| {
        sub.poll_with(
            &mut |m: &[u8], _h: AeronHeader<'_>| {
                seen.push(value(m));
                panic!("boom at {}", value(m));
            },
            10,
        )
    }));
    let payload = r.expect_err("the panic resumes in the caller");
    assert_eq!(payload.downcast_ref::<String>().map(String::as_str), Some("boom at 1"));
    // Fragments 2 and 3 were consumed by the same poll without reaching the handler.
    assert_eq!(seen, vec![1]);
    // Empty polls (which never look at the slot) and then new messages: the handler runs again.
    for _ in 0..100 {
        assert_eq!(sub.poll_once(|_m: &[u8], _h: AeronHeader<'_>| unreachable!(), 10).unwrap(), 0);
    }
    send_exclusive(&p, 4);
    let mut got = Vec::new();
    assert!(wait_until(TIMEOUT, || {
        sub.poll_once(|m: &[u8], _h: AeronHeader<'_>| got.push(value(m)), 10).unwrap();
        !got.is_empty()
    }));
    assert_eq!(got, vec![4]);
}

#[test]
fn a_panic_in_a_nested_poll_unwinds_through_the_outer_poll() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let (outer_p, outer) = pair(&aeron, 12);
    let (inner_p, inner) = pair(&aeron, 13);
    send_exclusive(&outer_p, 1);
    send_exclusive(&outer_p, 2);
    send_exclusive(&inner_p, 7);
    let mut outer_calls = 0;
    let r = catch_unwind(AssertUnwindSafe(|| {
        outer.poll_once(
            |_m: &[u8], _h: AeronHeader<'_>| {
                outer_calls += 1;
                assert!(wait_until(TIMEOUT, || {
                    inner.poll_once(|m: &[u8], _h: AeronHeader<'_>| panic!("inner {}", value(m)), 10).unwrap() > 0
                }));
            },
            10,
        )
    }));
    let payload = r.expect_err("the inner panic reaches the outer caller");
    assert_eq!(payload.downcast_ref::<String>().map(String::as_str), Some("inner 7"));
    assert_eq!(outer_calls, 1, "the outer poll skipped its second fragment");
    send_exclusive(&outer_p, 3);
    send_exclusive(&inner_p, 8);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    assert!(wait_until(TIMEOUT, || {
        outer.poll_once(|m: &[u8], _h: AeronHeader<'_>| a.push(value(m)), 10).unwrap();
        inner.poll_once(|m: &[u8], _h: AeronHeader<'_>| b.push(value(m)), 10).unwrap();
        !a.is_empty() && !b.is_empty()
    }));
    assert_eq!((a, b), (vec![3], vec![8]));
}

#[test]
fn image_poll_resumes_a_panic_too() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let (p, sub) = pair(&aeron, 14);
    send_exclusive(&p, 5);
    send_exclusive(&p, 6);
    let image = sub.image_at_index(0).expect("an image");
    let mut seen = Vec::new();
    let r = catch_unwind(AssertUnwindSafe(|| {
        image.poll_with(
            &mut |m: &[u8], _h: AeronHeader<'_>| {
                seen.push(value(m));
                panic!("image boom");
            },
            10,
        )
    }));
    assert_eq!(r.expect_err("resumed").downcast_ref::<&str>(), Some(&"image boom"));
    assert_eq!(seen, vec![5]);
    send_exclusive(&p, 9);
    let mut got = Vec::new();
    assert!(wait_until(TIMEOUT, || {
        image.poll_once(|m: &[u8], _h: AeronHeader<'_>| got.push(value(m)), 10).unwrap();
        !got.is_empty()
    }));
    assert_eq!(got, vec![9]);
}

/// A handler with no spare bit pattern (so `Option<Self>` needs a tag of its own) that counts
/// its drops.
struct NoNiche {
    calls: u32,
}

static NO_NICHE_DROPS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

impl Drop for NoNiche {
    fn drop(&mut self) {
        NO_NICHE_DROPS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl AeronFragmentHandlerCallback for NoNiche {
    fn handle_aeron_fragment_handler(&mut self, m: &[u8], _h: AeronHeader<'_>) {
        self.calls += 1;
        panic!("no niche {} at call {}", value(m), self.calls);
    }
}

#[test]
fn handlers_passed_by_value_skip_the_rest_of_the_poll_after_a_panic() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let (p, sub) = pair(&aeron, 15);
    let image = sub.image_at_index(0).expect("an image");
    let resumed = |r: std::thread::Result<Result<i32, AeronCError>>| -> String {
        let payload = r.expect_err("the panic resumes in the caller");
        payload.downcast_ref::<String>().cloned().unwrap_or_else(|| "not a String".into())
    };
    // A closure capturing a reference (`poll_once`, `poll_fn`) and a handler type without a
    // niche, on the subscription and on the image: three fragments per poll, the handler panics
    // at the first, sees nothing more of that poll, and the next poll finds nothing left.
    let mut v = 0;
    for round in 0..5 {
        for _ in 0..3 {
            v += 1;
            send_exclusive(&p, v);
        }
        let first = v - 2;
        let mut seen = Vec::new();
        let drops_before = NO_NICHE_DROPS.load(std::sync::atomic::Ordering::SeqCst);
        let msg = match round {
            0 => resumed(catch_unwind(AssertUnwindSafe(|| {
                sub.poll_once(
                    |m: &[u8], _h: AeronHeader<'_>| {
                        seen.push(value(m));
                        panic!("closure {}", value(m))
                    },
                    10,
                )
            }))),
            1 => resumed(catch_unwind(AssertUnwindSafe(|| {
                sub.poll_fn(
                    |m, _h| {
                        seen.push(value(m));
                        panic!("closure {}", value(m))
                    },
                    10,
                )
            }))),
            2 => resumed(catch_unwind(AssertUnwindSafe(|| {
                image.poll_fn(
                    |m, _h| {
                        seen.push(value(m));
                        panic!("closure {}", value(m))
                    },
                    10,
                )
            }))),
            3 => resumed(catch_unwind(AssertUnwindSafe(|| sub.poll_once(NoNiche { calls: 0 }, 10)))),
            _ => resumed(catch_unwind(AssertUnwindSafe(|| image.poll_once(NoNiche { calls: 0 }, 10)))),
        };
        if round < 3 {
            assert_eq!(msg, format!("closure {first}"), "round {round}");
            assert_eq!(seen, vec![first], "round {round}: the later fragments of the poll were skipped");
        } else {
            assert_eq!(msg, format!("no niche {first} at call 1"), "round {round}");
            let drops = NO_NICHE_DROPS.load(std::sync::atomic::Ordering::SeqCst) - drops_before;
            assert_eq!(drops, 1, "round {round}: the handler that panicked is dropped once");
        }
        assert_eq!(sub.poll_once(|_m: &[u8], _h: AeronHeader<'_>| unreachable!(), 10).unwrap(), 0, "round {round}");
    }
    // Nothing pending on this thread: a borrowed-handler poll delivers the next message.
    send_exclusive(&p, 100);
    let mut got = Vec::new();
    assert!(wait_until(TIMEOUT, || {
        sub.poll_with(&mut |m: &[u8], _h: AeronHeader<'_>| got.push(value(m)), 10).unwrap();
        !got.is_empty()
    }));
    assert_eq!(got, vec![100]);
}
