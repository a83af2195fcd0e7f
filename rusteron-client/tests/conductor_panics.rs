//! Panics in callbacks that C calls from its own conductor thread (no Rust caller to resume them
//! in): each is stopped at the C boundary, kept in the process-wide list `take_callback_panic`
//! reads, and the client keeps working. Against a real aeronmd.
//!
//! A test binary of its own: the conductor-panic list belongs to the process, and a test that
//! drains it would take the messages another test in the same binary waits for. Here every test
//! reads it through [`wait_for_callback_panic`], which keeps what it drained for the others.
#![forbid(unsafe_code)]

use rusteron_client::testing::*;
use rusteron_client::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(20);

/// Every message drained from `take_callback_panic` by any test of this binary.
static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Waits (bounded) until a callback panic whose message contains `needle` was recorded.
fn wait_for_callback_panic(needle: &str) -> bool {
    let found = wait_until(TIMEOUT, || {
        let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(m) = take_callback_panic() {
            seen.push(m);
        }
        seen.iter().any(|m| m.contains(needle))
    });
    if !found {
        eprintln!("callback panics seen: {:?}", SEEN.lock().unwrap_or_else(|e| e.into_inner()));
    }
    found
}

// -------------------------------------------------------------------------------------------
// A panicking available-image handler (called on the conductor thread).

#[test]
fn panicking_conductor_callback_is_stopped_and_reported() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let on_image = Handlers::leak(|_s: AeronSubscriptionRef<'_>, _i: AeronImageRef<'_>| panic!("image callback boom"));
    let sub =
        aeron.add_subscription(c"aeron:ipc", 3, Some(&on_image), no_unavailable_image_handler(), TIMEOUT).unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 3, TIMEOUT).unwrap();
    assert!(wait_for_callback_panic("image callback boom"), "the image callback's panic must be stopped and recorded");
    // The client still works.
    assert!(wait_until(TIMEOUT, || publication.offer(b"ok").is_ok()));
    let mut n = 0;
    assert!(wait_until(TIMEOUT, || {
        sub.poll_once(|_m: &[u8], _h: AeronHeader<'_>| n += 1, 10).unwrap();
        n > 0
    }));
}

// -------------------------------------------------------------------------------------------
// Item 5: a panicking `Drop` of a user value inside an `extern "C"` trampoline.

struct PanicsOnDrop {
    called: Arc<AtomicBool>,
}

impl AeronNotificationCallback for PanicsOnDrop {
    fn handle_aeron_notification(&mut self) {
        self.called.store(true, Ordering::Release);
    }
}

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("close handler dropped: boom in Drop");
    }
}

#[test]
fn close_notification_whose_drop_panics_does_not_end_the_process() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 501, TIMEOUT).unwrap();
    let called = Arc::new(AtomicBool::new(false));
    // The panic happens on the client conductor thread: a hook that prints a whole backtrace
    // (RUST_BACKTRACE=1) there takes seconds under valgrind, long enough for the driver to time
    // the client out. Print the message only.
    std::panic::set_hook(Box::new(|info| eprintln!("{info}")));
    let handler = Handlers::leak(PanicsOnDrop { called: called.clone() });
    assert!(publication.close(Some(&handler)).unwrap(), "the only clone: the close starts now");
    // C's copy is now the last reference: it is dropped at the end of the notification, on
    // the conductor thread, and its `Drop` panics there.
    drop(handler);
    assert!(wait_until(TIMEOUT, || called.load(Ordering::Acquire)), "the close notification never came");
    assert!(wait_for_callback_panic("boom in Drop"), "the Drop's panic must be stopped and recorded");
    // The client still works after it.
    let _sub = aeron
        .add_subscription(c"aeron:ipc", 502, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    let again = aeron.add_publication(c"aeron:ipc", 502, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || again.is_connected()), "the client must keep working");
}
