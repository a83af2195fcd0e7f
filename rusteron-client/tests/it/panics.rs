//! A panic inside a callback never unwinds into C: the poll returns, the panic resumes in the
//! caller, and the client keeps working.

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
fn panicking_conductor_callback_is_stopped_and_reported() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let on_image = Handlers::leak(|_s: AeronSubscriptionRef<'_>, _i: AeronImageRef<'_>| panic!("image callback boom"));
    let sub =
        aeron.add_subscription(c"aeron:ipc", 3, Some(&on_image), no_unavailable_image_handler(), TIMEOUT).unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 3, TIMEOUT).unwrap();
    let mut msg = None;
    assert!(wait_until(TIMEOUT, || {
        msg = take_callback_panic();
        msg.is_some()
    }));
    assert!(msg.unwrap().contains("image callback boom"));
    // The client still works.
    assert!(wait_until(TIMEOUT, || publication.offer(b"ok").is_ok()));
    let mut n = 0;
    assert!(wait_until(TIMEOUT, || {
        sub.poll_once(|_m: &[u8], _h: AeronHeader<'_>| n += 1, 10).unwrap();
        n > 0
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
