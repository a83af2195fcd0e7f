//! Soundness audit (archive): views handed out by safe calls keep what they point into alive,
//! whatever is dropped first; wrappers never close what the caller owns; contexts that C reads
//! while it runs cannot be changed. Before the fixes these read freed C memory.

use crate::common::*;
use rusteron_archive::testing::*;
use rusteron_archive::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `AeronArchiveContext::get_aeron` used to return a bare borrow of the client, which dangled
/// once the context and the caller's own client were dropped.
#[test]
fn archive_context_client_view_outlives_context_and_client() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let client_id = aeron.client_id();
    let ctx = AeronArchiveContext::new().unwrap();
    ctx.set_aeron(&aeron).unwrap();
    let view = ctx.get_aeron().expect("client set");
    assert_eq!(view.client_id(), client_id);
    drop(aeron);
    drop(ctx);
    let junk: Vec<Vec<u8>> = (0..1000).map(|i| vec![0xAB; 16 + i % 200]).collect();
    assert_eq!(view.client_id(), client_id);
    assert!(!view.is_closed());
    drop(junk);
}

/// `counters_reader_of` used to return a bare borrow of the client's counters reader, which
/// dangled (the CnC file unmapped) once the client was dropped.
#[test]
fn recording_pos_counters_reader_outlives_client() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let reader = counters_reader_of(&aeron);
    let max = reader.max_counter_id();
    assert!(max > 0);
    drop(aeron);
    let junk: Vec<Vec<u8>> = (0..1000).map(|i| vec![0xAB; 16 + i % 200]).collect();
    assert_eq!(reader.max_counter_id(), max);
    // Reading a counter touches the mapped CnC file: a crash here if it was unmapped.
    assert_eq!(RecordingPos::find_counter_id_by_recording_id(&reader, 123_456, -1), -1);
    drop(junk);
}

/// Asserts that `r` is the `EBUSY` refusal of `setter`.
fn assert_busy<T: std::fmt::Debug>(r: Result<T, AeronCError>, setter: &str) {
    let e = r.expect_err(setter);
    assert_eq!(e.code, libc::EBUSY, "{setter}: {e}");
    assert!(e.message().unwrap_or("").contains(setter), "the error names {setter}: {e}");
}

/// Finding #1: C's `aeron_archive_proxy_delete` (and `_close`) closed the exclusive publication
/// the proxy was given, which belongs to the caller: the caller's next offer was a use after
/// free, and dropping the publication closed it a second time.
#[test]
fn archive_proxy_never_closes_the_callers_publication() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let sub = add_subscription(&aeron, "aeron:ipc", 4242);
    let publication = aeron.add_exclusive_publication(c"aeron:ipc", 4242, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected()));
    let ctx = AeronArchiveContext::new().unwrap();

    // A request goes out on the caller's publication; then the proxy is dropped.
    let proxy = AeronArchiveProxy::new(&ctx, &publication, 3).unwrap();
    assert!(proxy.archive_id(aeron.next_correlation_id()));
    drop(proxy);
    assert!(!publication.is_closed());
    assert!(publication.is_connected());
    offer_exclusive(&publication, b"after the proxy dropped");

    // `close` only detaches the proxy: it sends nothing more, the publication stays open.
    let proxy = AeronArchiveProxy::new(&ctx, &publication, 3).unwrap();
    proxy.close().unwrap();
    assert!(!proxy.archive_id(aeron.next_correlation_id()), "a closed proxy sends nothing");
    // A request that retries idles between attempts: the fresh context has no idle strategy
    // of its own yet (C would call a NULL function), the proxy's copy yields.
    assert!(!proxy.list_recordings(aeron.next_correlation_id(), 0, 10));
    drop(proxy);
    assert!(!publication.is_closed());
    assert!(publication.is_connected());
    offer_exclusive(&publication, b"after close");
    drop(ctx);

    // The subscription got the request and both messages.
    let mut received = 0;
    assert!(wait_until(TIMEOUT, || {
        sub.poll_once(|_b: &[u8], _h: AeronHeader<'_>| received += 1, 10).unwrap();
        received == 3
    }));
    // Closed exactly once, by its own wrapper.
    drop(publication);
    drop(sub);
}

/// Finding #2: the archive's own context is read by C on every request, and a handler set
/// through a view of it was kept alive only by the view. The getters now hand out copies
/// (issue 26): `get_archive_context` a read-only one (every setter refuses), and
/// `get_and_own_archive_context` a settable one that changes nothing in the archive. The context
/// the archive was connected with (C copies it) stays settable.
#[test]
fn archive_own_context_refuses_setters_while_the_archive_is_open() {
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let aeron = process.connect_aeron().unwrap();
    let ctx = process.archive_context(&aeron).unwrap();
    let archive = AeronArchive::connect(&ctx).unwrap();

    let own = archive.get_archive_context();
    assert_busy(own.set_idle_strategy(|_w: i32| {}), "set_idle_strategy");
    assert_busy(own.set_message_timeout_ns(1), "set_message_timeout_ns");
    assert_busy(own.set_message_timeout(Duration::from_secs(1)), "set_message_timeout_ns");
    assert_busy(own.set_control_request_channel(c"aeron:ipc"), "set_control_request_channel");
    assert_busy(own.set_client_name(c"x"), "set_client_name");
    assert_busy(own.set_aeron(&aeron), "set_aeron");
    assert_busy(unsafe { own.set_owns_aeron_client(true) }, "set_owns_aeron_client");
    let error_handler = Handlers::leak(|_code: i32, _msg: &str| {});
    assert_busy(own.set_error_handler(Some(&error_handler)), "set_error_handler");
    assert_busy(own.set_error_handler::<AeronErrorHandlerLogger>(None), "set_error_handler");
    let signals = Handlers::leak(|_s: AeronArchiveRecordingSignal| {});
    assert_busy(own.set_recording_signal_consumer(Some(&signals)), "set_recording_signal_consumer");
    let invoker = Handlers::leak(|| {});
    assert_busy(own.set_delegating_invoker(Some(&invoker)), "set_delegating_invoker");
    let encoded = Handlers::leak(|| None::<AeronArchiveEncodedCredentials>);
    let challenge = Handlers::leak(|_c: &[u8]| None::<AeronArchiveEncodedCredentials>);
    let on_free = Handlers::leak(|_c: &[u8]| {});
    assert_busy(
        own.set_credentials_supplier(Some(&encoded), Some(&challenge), Some(&on_free)),
        "set_credentials_supplier",
    );
    let owned = archive.get_and_own_archive_context();
    owned.set_client_name(c"x").unwrap();
    owned.set_idle_strategy(|_w: i32| {}).unwrap();
    // Reading works, and the archive is unaffected.
    assert_eq!(own.get_control_request_channel(), owned.get_control_request_channel());
    assert_eq!(archive.get_archive_context().get_client_name(), "");
    assert!(archive.list_recordings_vec(0, 10).is_ok());

    // The caller's context was copied at connect: it stays settable, and a second archive
    // connected from it uses the new settings. Setting an idle strategy on a context a connect
    // loaded Aeron's default one into used to make C free the Rust handler at close.
    let idled = Arc::new(AtomicUsize::new(0));
    let i = idled.clone();
    ctx.set_idle_strategy(move |_w: i32| {
        i.fetch_add(1, Ordering::SeqCst);
        std::thread::yield_now();
    })
    .unwrap();
    ctx.set_message_timeout(Duration::from_secs(10)).unwrap();
    ctx.set_client_name(c"second").unwrap();
    let second = AeronArchive::connect(&ctx).unwrap();
    assert_eq!(second.get_archive_context().get_client_name(), "second");
    assert!(second.list_recordings_vec(0, 10).is_ok());
    assert!(idled.load(Ordering::SeqCst) > 0, "the new idle strategy runs while the second archive waits");
    assert!(archive.list_recordings_vec(0, 10).is_ok(), "the first archive keeps its idle strategy");

    // The copies outlive the archive.
    drop(own);
    drop(archive);
    owned.set_client_name(c"after close").unwrap();
    assert_eq!(owned.get_client_name(), "after close");
    drop(owned);
    drop(second);
    drop(ctx);
}

/// Findings #6 and #7: the persistent subscription wrote its client into the caller's archive
/// context (dangling once the subscription closed the client it created), read that context
/// while it polled, and its own context stayed settable (setters freeing strings the poll
/// reads) and was freed under the caller's wrapper when the subscription closed.
#[test]
fn persistent_subscription_leaves_the_contexts_sound() {
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let (aeron, archive) = process.connect().unwrap();
    let control_port = find_unused_udp_port(45_000).unwrap();
    let live = format!("aeron:udp?control-mode=dynamic|control=localhost:{control_port}|term-length=65536");
    let stream_id = 8101;
    let publication = aeron.add_exclusive_publication(&c(&live), stream_id, TIMEOUT).unwrap();
    archive.start_recording(&c(&live), stream_id, SOURCE_LOCATION_LOCAL, false).unwrap();
    let end = publish_sequence(&publication, 0, 100);
    let recording_id = await_recording_position(&aeron, &archive, publication.session_id(), end);

    // The archive context has the caller's client; the persistent subscription context has
    // none, so C creates (and, with the subscription, closes) a client of its own.
    let actx = process.archive_context(&aeron).unwrap();
    let pctx = AeronArchivePersistentSubscriptionContext::new().unwrap();
    pctx.set_aeron_directory_name(&c(process.aeron_dir())).unwrap();
    pctx.set_archive_context(&actx).unwrap();
    pctx.set_recording_id(recording_id).unwrap();
    pctx.set_live_channel(&c(&format!("aeron:udp?control-mode=dynamic|control=localhost:{control_port}"))).unwrap();
    pctx.set_live_stream_id(stream_id).unwrap();
    pctx.set_replay_channel(c"aeron:udp?endpoint=localhost:0").unwrap();
    pctx.set_replay_stream_id(8102).unwrap();
    pctx.set_start_position(AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START).unwrap();
    let mut ps = AeronArchivePersistentSubscription::create(&pctx).expect("create");

    // #7: the context's setters refuse once the subscription exists, on any thread.
    assert_busy(pctx.set_live_channel(c"aeron:ipc"), "set_live_channel");
    assert_busy(pctx.set_live_stream_id(1), "set_live_stream_id");
    assert_busy(pctx.set_aeron(&aeron), "set_aeron");
    assert_busy(pctx.set_archive_context(&actx), "set_archive_context");
    let listener = Handlers::leak(NoListener);
    assert_busy(pctx.set_listener(&listener), "set_listener");
    let other = pctx.clone();
    std::thread::spawn(move || assert_busy(other.set_replay_channel(c"aeron:ipc"), "set_replay_channel"))
        .join()
        .unwrap();
    assert_eq!(pctx.get_live_stream_id(), stream_id);
    // #6: the caller's archive context still has the caller's client. It stays settable: the
    // subscription runs on the copy `set_archive_context` made (which keeps the handlers the
    // copy shares), so a change here does not reach it (the subscription still goes live below).
    assert_eq!(actx.get_aeron().expect("client").client_id(), aeron.client_id());
    actx.set_control_request_channel(c"aeron:ipc").expect("the caller's context stays settable");

    let mut received = Vec::new();
    let mut next = 100u64;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !(ps.is_live() && received.len() as u64 == next) {
        assert!(Instant::now() < deadline, "not live: failed={:?} received={}", ps.failure_reason(), received.len());
        assert!(!ps.has_failed(), "{:?}", ps.failure_reason());
        if next < 300 && publication.offer(&next.to_le_bytes()).is_ok() {
            next += 1;
        }
        ps.poll_once(|b: &[u8], _h: AeronHeader<'_>| received.push(u64::from_le_bytes(b[..8].try_into().unwrap())), 10)
            .unwrap();
    }
    assert_eq!(received, (0..next).collect::<Vec<_>>());
    assert_eq!(actx.get_aeron().expect("client").client_id(), aeron.client_id());

    // After the subscription closed (and with it the client C created), both contexts are
    // still valid: the caller's one has its own client and is settable again.
    drop(ps);
    let junk: Vec<Vec<u8>> = (0..1000).map(|i| vec![0xAB; 16 + i % 200]).collect();
    assert_eq!(pctx.get_live_stream_id(), stream_id);
    assert_eq!(pctx.get_recording_id(), recording_id);
    assert!(pctx.get_live_channel().contains("control-mode=dynamic"));
    assert!(AeronArchivePersistentSubscription::create(&pctx).is_err(), "a context serves one subscription");
    drop(pctx);
    drop(junk);
    assert_eq!(actx.get_aeron().expect("client").client_id(), aeron.client_id());
    actx.set_client_name(c"after-persistent-subscription").unwrap();
    let again = AeronArchive::connect(&actx).expect("connect with the caller's context");
    assert_eq!(again.get_archive_id(), archive.get_archive_id());
}

struct NoListener;
impl AeronArchivePersistentSubscriptionListener for NoListener {}
