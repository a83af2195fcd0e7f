//! Context callbacks (credentials supplier, delegating invoker, idle strategy) and the
//! low-level proxy / pollers against a real Java archive.

use crate::common::*;
use rusteron_archive::testing::*;
use rusteron_archive::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[test]
fn context_callbacks_are_called_and_pollers_read_responses() {
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let aeron = process.connect_aeron().unwrap();
    let ctx = process.archive_context(&aeron).unwrap();

    let supplied = Arc::new(AtomicUsize::new(0));
    let freed = Arc::new(AtomicUsize::new(0));
    let invoked = Arc::new(AtomicUsize::new(0));
    let idled = Arc::new(AtomicUsize::new(0));
    let (s, f, i, d) = (supplied.clone(), freed.clone(), invoked.clone(), idled.clone());
    let encoded = Handlers::leak(move || {
        s.fetch_add(1, Ordering::SeqCst);
        Some(AeronArchiveEncodedCredentials::new(b"user:pass".to_vec()))
    });
    let on_free = Handlers::leak(move |c: &[u8]| {
        assert_eq!(c, b"user:pass");
        f.fetch_add(1, Ordering::SeqCst);
    });
    ctx.set_credentials_supplier(
        Some(&encoded),
        no_aeron_archive_credentials_challenge_supplier_func_handler(),
        Some(&on_free),
    )
    .unwrap();
    let invoker = Handlers::leak(move || {
        i.fetch_add(1, Ordering::SeqCst);
    });
    ctx.set_delegating_invoker(Some(&invoker)).unwrap();
    ctx.set_idle_strategy(move |_work: i32| {
        d.fetch_add(1, Ordering::SeqCst);
        std::thread::yield_now();
    })
    .unwrap();
    ctx.set_client_name(c"callbacks-test").unwrap();
    assert_eq!(ctx.get_client_name(), "callbacks-test");
    ctx.set_message_retry_attempts(5).unwrap();
    assert_eq!(ctx.get_message_retry_attempts(), 5);

    let archive = AeronArchive::connect(&ctx).expect("connect with credentials");
    // The C client asks the supplier once per connect-request attempt (an attempt whose offer is
    // back-pressured or not yet connected asks again), and hands every supplied buffer back.
    let (asked, given_back) = (supplied.load(Ordering::SeqCst), freed.load(Ordering::SeqCst));
    assert!(asked >= 1, "credentials never supplied on connect");
    assert_eq!(given_back, asked, "every supplied credentials buffer is given back exactly once");
    assert!(idled.load(Ordering::SeqCst) > 0 || invoked.load(Ordering::SeqCst) > 0);
    archive.list_recordings(0, 10, |_d: AeronArchiveRecordingDescriptor| {}).unwrap();
    println!(
        "credentials supplied {} / freed {}, invoker called {} times, idle called {} times",
        supplied.load(Ordering::SeqCst),
        freed.load(Ordering::SeqCst),
        invoked.load(Ordering::SeqCst),
        idled.load(Ordering::SeqCst)
    );

    // Low level: our own proxy on our own control publication, and a response poller.
    let (_, other) = process.connect().unwrap();
    drop(other);
    let response_channel = format!("aeron:udp?endpoint=localhost:{}", find_unused_udp_port(42_000).unwrap());
    let responses = add_subscription(&aeron, &response_channel, 77);
    let request = aeron.add_exclusive_publication(&c(process.control_request_channel()), 10, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || request.is_connected()));
    let proxy_ctx = process.archive_context(&aeron).unwrap();
    let proxy = AeronArchiveProxy::new(&proxy_ctx, &request, 3).unwrap();
    let poller = AeronArchiveControlResponsePoller::new(&responses, 10).unwrap();
    let correlation_id = aeron.next_correlation_id();
    assert!(wait_until(TIMEOUT, || proxy.try_connect(&c(&response_channel), 77, correlation_id)));
    assert!(
        wait_until(TIMEOUT, || {
            poller.poll().unwrap();
            poller.is_poll_complete() && poller.correlation_id() == correlation_id
        }),
        "no connect response"
    );
    assert!(poller.is_code_ok(), "connect refused: {}", poller.error_message());
    let session = poller.relevant_id();
    proxy.set_control_session_id(session).unwrap();
    let rec_poller = AeronArchiveRecordingDescriptorPoller::new(&proxy_ctx, &responses, session, 10).unwrap();
    let listed = Arc::new(AtomicUsize::new(0));
    let l = listed.clone();
    let consumer = Handlers::leak(move |_d: AeronArchiveRecordingDescriptor| {
        l.fetch_add(1, Ordering::SeqCst);
    });
    let list_id = aeron.next_correlation_id();
    rec_poller.reset(list_id, 10, &consumer);
    assert!(proxy.list_recordings(list_id, 0, 10));
    assert!(wait_until(TIMEOUT, || {
        rec_poller.poll().unwrap();
        rec_poller.is_dispatch_complete()
    }));
    assert_eq!(listed.load(Ordering::SeqCst), 0, "empty catalog");
    assert!(proxy.close_session());
}
