//! Issue 26 (client half): safe code written as an attacker would (`forbid(unsafe_code)`,
//! clones reached through `thread_local!`, callbacks that re-enter what called them, panicking
//! `Drop`s, files that lie) against a real media driver. Each test must end without a signal and
//! without an invalid read or write under valgrind (`just memcheck` runs this file).
#![forbid(unsafe_code)]

use rusteron_client::testing::*;
use rusteron_client::*;
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(20);

fn ipc(md: &MediaDriverProcess, stream: i32) -> (Aeron, AeronExclusivePublication, AeronSubscription) {
    let aeron = md.connect().unwrap();
    let sub = aeron
        .add_subscription(c"aeron:ipc", stream, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    let publication = aeron.add_exclusive_publication(c"aeron:ipc", stream, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected() && sub.is_connected()));
    (aeron, publication, sub)
}

fn offer(publication: &AeronExclusivePublication, msg: &[u8]) {
    assert!(wait_until(TIMEOUT, || publication.offer(msg).is_ok()), "offer of {} bytes never accepted", msg.len());
}

/// Waits (bounded) until a callback panic whose message contains `needle` was recorded.
fn wait_for_callback_panic(needle: &str) -> bool {
    let mut seen = Vec::new();
    let found = wait_until(TIMEOUT, || {
        while let Some(m) = take_callback_panic() {
            seen.push(m);
        }
        seen.iter().any(|m| m.contains(needle))
    });
    if !found {
        eprintln!("callback panics seen: {seen:?}");
    }
    found
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
