//! Issue 26 item 6: a descriptor poller reset from inside its own consumer. The consumer reaches
//! the poller through a `thread_local!` and calls `reset` with another consumer: the poller
//! drops the last reference to the consumer that is running. The trampoline holds its own
//! reference for the call, so the consumer is freed only once it has returned (valgrind:
//! `just memcheck` runs this file). Written as a user would, without `unsafe`.
#![forbid(unsafe_code)]

use crate::common::*;
use rusteron_archive::testing::*;
use rusteron_archive::*;
use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

thread_local! {
    static REC_POLLER: RefCell<Option<AeronArchiveRecordingDescriptorPoller>> = const { RefCell::new(None) };
    static SUB_POLLER: RefCell<Option<AeronArchiveRecordingSubscriptionDescriptorPoller>> = const { RefCell::new(None) };
}

/// Counts its calls and its drop; on its first call it resets the poller with `next`.
struct ResetsItsPoller<N: Send + 'static> {
    calls: Arc<AtomicUsize>,
    drops: Arc<AtomicUsize>,
    next: Option<Handler<N>>,
    /// Bytes the consumer reads after the reset, to touch its own (possibly freed) memory.
    scratch: Vec<u8>,
}

impl<N: Send + 'static> Drop for ResetsItsPoller<N> {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

impl AeronArchiveRecordingDescriptorConsumerFuncCallback for ResetsItsPoller<Counting> {
    fn handle_aeron_archive_recording_descriptor_consumer_func(&mut self, _d: AeronArchiveRecordingDescriptor) {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(next) = self.next.take() {
            REC_POLLER.with(|p| p.borrow().as_ref().unwrap().reset(-12345, 10, &next));
            // Our poller's only reference to us is gone: we must still be alive.
            self.scratch.iter_mut().for_each(|b| *b = b.wrapping_add(1));
        }
    }
}

impl AeronArchiveRecordingSubscriptionDescriptorConsumerFuncCallback for ResetsItsPoller<Counting> {
    fn handle_aeron_archive_recording_subscription_descriptor_consumer_func(
        &mut self,
        _d: AeronArchiveRecordingSubscriptionDescriptor,
    ) {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(next) = self.next.take() {
            SUB_POLLER.with(|p| p.borrow().as_ref().unwrap().reset(-12345, 10, &next));
            self.scratch.iter_mut().for_each(|b| *b = b.wrapping_add(1));
        }
    }
}

/// The consumer put in place by the reset.
struct Counting(Arc<AtomicUsize>);

impl AeronArchiveRecordingDescriptorConsumerFuncCallback for Counting {
    fn handle_aeron_archive_recording_descriptor_consumer_func(&mut self, _d: AeronArchiveRecordingDescriptor) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl AeronArchiveRecordingSubscriptionDescriptorConsumerFuncCallback for Counting {
    fn handle_aeron_archive_recording_subscription_descriptor_consumer_func(
        &mut self,
        _d: AeronArchiveRecordingSubscriptionDescriptor,
    ) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn descriptor_pollers_reset_from_inside_their_own_consumer() {
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let (aeron, archive) = process.connect().unwrap();
    // Two recordings (so two descriptors answer one list request) and two live recording
    // subscriptions.
    let sub_a = archive.start_recording(c"aeron:ipc", 9301, SOURCE_LOCATION_LOCAL, false).unwrap();
    let sub_b = archive.start_recording(c"aeron:ipc", 9302, SOURCE_LOCATION_LOCAL, false).unwrap();
    let pub_a = aeron.add_exclusive_publication(c"aeron:ipc", 9301, TIMEOUT).unwrap();
    let pub_b = aeron.add_exclusive_publication(c"aeron:ipc", 9302, TIMEOUT).unwrap();
    let pos_a = publish_sequence(&pub_a, 0, 4);
    let pos_b = publish_sequence(&pub_b, 0, 4);
    await_recording_position(&aeron, &archive, pub_a.session_id(), pos_a);
    await_recording_position(&aeron, &archive, pub_b.session_id(), pos_b);

    // Our own control session, driven by hand through a proxy.
    let response_channel = format!("aeron:udp?endpoint=localhost:{}", find_unused_udp_port(45_000).unwrap());
    let responses = add_subscription(&aeron, &response_channel, 89);
    let request = aeron.add_exclusive_publication(&c(process.control_request_channel()), 10, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || request.is_connected()));
    let proxy_ctx = process.archive_context(&aeron).unwrap();
    let proxy = AeronArchiveProxy::new(&proxy_ctx, &request, 3).unwrap();
    let poller = AeronArchiveControlResponsePoller::new(&responses, 10).unwrap();
    let connect_id = aeron.next_correlation_id();
    assert!(wait_until(TIMEOUT, || proxy.try_connect(&c(&response_channel), 89, connect_id)));
    assert!(wait_until(TIMEOUT, || {
        poller.poll().unwrap();
        poller.is_poll_complete() && poller.correlation_id() == connect_id
    }));
    assert!(poller.is_code_ok(), "{}", poller.error_message());
    let session = poller.relevant_id();
    proxy.set_control_session_id(session).unwrap();

    // Recording descriptors.
    let (calls, drops, after) =
        (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let rec_poller = AeronArchiveRecordingDescriptorPoller::new(&proxy_ctx, &responses, session, 10).unwrap();
    REC_POLLER.with(|p| *p.borrow_mut() = Some(rec_poller.clone()));
    let mut first = Handlers::leak(ResetsItsPoller {
        calls: calls.clone(),
        drops: drops.clone(),
        next: Some(Handlers::leak(Counting(after.clone()))),
        scratch: vec![0; 4096],
    });
    let list_id = aeron.next_correlation_id();
    rec_poller.reset(list_id, 10, &first);
    // The poller keeps the only reference from here on.
    first.release();
    assert!(proxy.list_recordings(list_id, 0, 10));
    assert!(
        wait_until(TIMEOUT, || {
            rec_poller.poll().unwrap();
            calls.load(Ordering::SeqCst) > 0 && drops.load(Ordering::SeqCst) > 0
        }),
        "the first consumer was called {} times and dropped {} times",
        calls.load(Ordering::SeqCst),
        drops.load(Ordering::SeqCst)
    );
    // It ran once (the reset moved the request on), and was dropped exactly once, after it returned.
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    // The replacement serves the next request.
    let list_id = aeron.next_correlation_id();
    let next = Handlers::leak(Counting(after.clone()));
    rec_poller.reset(list_id, 10, &next);
    assert!(proxy.list_recordings(list_id, 0, 10));
    assert!(wait_until(TIMEOUT, || {
        rec_poller.poll().unwrap();
        rec_poller.is_dispatch_complete()
    }));
    assert!(after.load(Ordering::SeqCst) >= 2, "both recordings listed to the replacement");
    REC_POLLER.with(|p| p.borrow_mut().take());

    // Recording subscription descriptors: the same attack on the other poller.
    let (calls, drops, after) =
        (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let sub_poller =
        AeronArchiveRecordingSubscriptionDescriptorPoller::new(&proxy_ctx, &responses, session, 10).unwrap();
    SUB_POLLER.with(|p| *p.borrow_mut() = Some(sub_poller.clone()));
    let mut first = Handlers::leak(ResetsItsPoller {
        calls: calls.clone(),
        drops: drops.clone(),
        next: Some(Handlers::leak(Counting(after.clone()))),
        scratch: vec![0; 4096],
    });
    let list_id = aeron.next_correlation_id();
    sub_poller.reset(list_id, 10, &first);
    first.release();
    assert!(proxy.list_recording_subscriptions(list_id, 0, 10, c"ipc", 0, false));
    assert!(wait_until(TIMEOUT, || {
        sub_poller.poll().unwrap();
        calls.load(Ordering::SeqCst) > 0 && drops.load(Ordering::SeqCst) > 0
    }));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    SUB_POLLER.with(|p| p.borrow_mut().take());

    assert!(proxy.close_session());
    archive.stop_recording_subscription(sub_a).unwrap();
    archive.stop_recording_subscription(sub_b).unwrap();
}
