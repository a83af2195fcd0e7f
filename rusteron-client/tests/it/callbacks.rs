//! Conductor callbacks fire against a real driver: images, new publications/subscriptions,
//! counters, client close, agent start; and the close notifications of publications.

use rusteron_client::testing::*;
use rusteron_client::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

#[test]
fn image_callbacks_fire_when_publication_appears_and_goes() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let available = Arc::new(Mutex::new(Vec::<i32>::new()));
    let unavailable = Arc::new(Mutex::new(Vec::<i32>::new()));
    let a = available.clone();
    let u = unavailable.clone();
    let on_available = Handlers::leak(move |_s: AeronSubscriptionRef<'_>, img: AeronImageRef<'_>| {
        a.lock().unwrap().push(img.session_id())
    });
    let on_unavailable = Handlers::leak(move |_s: AeronSubscriptionRef<'_>, img: AeronImageRef<'_>| {
        u.lock().unwrap().push(img.session_id())
    });
    let sub = aeron.add_subscription(c"aeron:ipc", 10, Some(&on_available), Some(&on_unavailable), TIMEOUT).unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 10, TIMEOUT).unwrap();
    let session = publication.session_id();
    assert!(wait_until(TIMEOUT, || available.lock().unwrap().contains(&session)), "available image callback");
    let mut seen = Vec::new();
    sub.for_each_image(|img| seen.push(img.session_id()));
    assert_eq!(seen, vec![session]);
    let images = sub.images();
    assert_eq!(images.len(), 1);
    let retained = sub.image_retain(&images[0]).unwrap();
    drop(publication);
    assert!(wait_until(TIMEOUT, || unavailable.lock().unwrap().contains(&session)), "unavailable image callback");
    // Retained images stay usable after they went away.
    let _ = retained.position();
    assert!(sub.image_release(retained).is_ok());
    drop(images);
    // The handlers are still alive here (the subscription holds them); releasing our handles is fine.
    let mut a = on_available;
    a.release();
}

/// What an image callback sees through its views, and keeping the image past the call.
#[derive(Default)]
struct Seen {
    channel: String,
    stream_id: i32,
    registration_id: i64,
    session_id: i32,
    source_identity: String,
    join_position: i64,
    closed_when_unavailable: Option<bool>,
}

#[test]
fn image_callback_views_describe_the_image_and_its_session_finds_it_later() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let seen = Arc::new(Mutex::new(Seen::default()));
    // The image callbacks get lent views; the image is kept by looking its session up later.
    let (s1, s2) = (seen.clone(), seen.clone());
    let on_available = Handlers::leak(move |sub: AeronSubscriptionRef<'_>, img: AeronImageRef<'_>| {
        let mut s = s1.lock().unwrap();
        s.channel = sub.channel().to_string();
        s.stream_id = sub.stream_id();
        s.registration_id = sub.registration_id();
        s.session_id = img.session_id();
        s.source_identity = img.source_identity().to_string();
        s.join_position = img.join_position();
        assert_eq!(img.get_constants().unwrap().session_id, img.session_id());
    });
    let on_unavailable = Handlers::leak(move |_sub: AeronSubscriptionRef<'_>, img: AeronImageRef<'_>| {
        s2.lock().unwrap().closed_when_unavailable = Some(img.is_closed());
    });
    let sub = aeron.add_subscription(c"aeron:ipc", 12, Some(&on_available), Some(&on_unavailable), TIMEOUT).unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 12, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || seen.lock().unwrap().session_id == publication.session_id()));
    {
        let s = seen.lock().unwrap();
        assert_eq!(s.channel, "aeron:ipc");
        assert_eq!(s.stream_id, 12);
        assert_eq!(s.registration_id, sub.get_constants().unwrap().registration_id);
        assert_eq!(s.source_identity, "aeron:ipc");
        assert_eq!(s.join_position, 0);
    }
    // From this (the polling) thread, the session id gives a retained, owned image: poll it.
    let kept = sub.image_by_session_id(seen.lock().unwrap().session_id).expect("image of the session");
    assert_eq!(kept.session_id(), publication.session_id());
    assert!(wait_until(TIMEOUT, || publication.offer(b"kept").is_ok()));
    let mut got = Vec::new();
    assert!(wait_until(TIMEOUT, || {
        kept.poll_once(|msg: &[u8], _h: AeronHeader<'_>| got.push(msg.to_vec()), 10).unwrap();
        !got.is_empty()
    }));
    assert_eq!(got, vec![b"kept".to_vec()]);
    drop(publication);
    assert!(
        wait_until(TIMEOUT, || seen.lock().unwrap().closed_when_unavailable.is_some()),
        "unavailable image callback"
    );
    // It outlives its own unavailability (retained: C keeps its memory) and says it is closed.
    assert!(kept.is_closed());
    assert_eq!(kept.position(), got.len() as i64 * 64);
    drop(kept);
}

#[test]
fn constants_keep_their_object_alive() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let sub = aeron
        .add_subscription(
            c"aeron:ipc?term-length=64k",
            13,
            None::<&Handler<AeronAvailableImageLogger>>,
            None::<&Handler<AeronUnavailableImageLogger>>,
            TIMEOUT,
        )
        .unwrap();
    let publication = aeron.add_publication(c"aeron:ipc?term-length=64k", 13, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || sub.is_connected()));
    // `channel` points into the publication: the constants and their copies hold it open.
    let constants = publication.get_constants().unwrap();
    let copy = constants.clone();
    let sub_constants = sub.get_constants().unwrap().clone();
    drop(publication);
    drop(constants);
    assert_eq!(copy.channel(), "aeron:ipc?term-length=64k");
    assert!(sub.is_connected(), "the publication closed while a copy of its constants lived");
    drop(copy);
    assert!(wait_until(TIMEOUT, || !sub.is_connected()), "the publication closed with its last constants");
    assert_eq!(sub_constants.channel(), "aeron:ipc?term-length=64k");
}

#[test]
fn context_notifications_fire() {
    let md = MediaDriverProcess::start().unwrap();
    let ctx = md.context().unwrap();
    let new_pubs = Arc::new(Mutex::new(Vec::<(String, i32)>::new()));
    let new_excl = Arc::new(AtomicUsize::new(0));
    let new_subs = Arc::new(Mutex::new(Vec::<(String, i32)>::new()));
    let counters_up = Arc::new(Mutex::new(Vec::<i64>::new()));
    let counters_down = Arc::new(Mutex::new(Vec::<i64>::new()));
    let agent_roles = Arc::new(Mutex::new(Vec::<String>::new()));
    let closes = Arc::new(AtomicUsize::new(0));

    let p = new_pubs.clone();
    let h_pub =
        Handlers::leak(move |ch: &str, stream: i32, _s: i32, _c: i64| p.lock().unwrap().push((ch.to_string(), stream)));
    let e = new_excl.clone();
    let h_excl = Handlers::leak(move |_ch: &str, _stream: i32, _s: i32, _c: i64| {
        e.fetch_add(1, Ordering::SeqCst);
    });
    let s = new_subs.clone();
    let h_sub = Handlers::leak(move |ch: &str, stream: i32, _c: i64| s.lock().unwrap().push((ch.to_string(), stream)));
    let cu = counters_up.clone();
    let h_cup = Handlers::leak(move |_r: AeronCountersReaderRef<'_>, reg: i64, _id: i32| cu.lock().unwrap().push(reg));
    let cd = counters_down.clone();
    let h_cdown =
        Handlers::leak(move |_r: AeronCountersReaderRef<'_>, reg: i64, _id: i32| cd.lock().unwrap().push(reg));
    let ar = agent_roles.clone();
    let h_agent = Handlers::leak(move |role: &str| ar.lock().unwrap().push(role.to_string()));
    let cl = closes.clone();
    let h_close = Handlers::leak(move || {
        cl.fetch_add(1, Ordering::SeqCst);
    });
    let h_err_frame = Handlers::leak(AeronPublicationErrorFrameHandlerLogger);

    ctx.set_on_new_publication(Some(&h_pub)).unwrap();
    ctx.set_on_new_exclusive_publication(Some(&h_excl)).unwrap();
    ctx.set_on_new_subscription(Some(&h_sub)).unwrap();
    ctx.set_on_available_counter(Some(&h_cup)).unwrap();
    ctx.set_on_unavailable_counter(Some(&h_cdown)).unwrap();
    ctx.set_agent_on_start_function(Some(&h_agent)).unwrap();
    ctx.set_on_close_client(Some(&h_close)).unwrap();
    ctx.set_publication_error_frame_handler(Some(&h_err_frame)).unwrap();
    assert!(ctx.get_on_new_publication().is_some());
    assert_eq!(ctx.get_on_new_publication_clientd(), h_pub.as_raw());
    assert!(ctx.get_publication_error_frame_handler().is_some());
    assert!(ctx.get_agent_on_start_function().is_some());
    assert_eq!(ctx.get_agent_on_start_state(), h_agent.as_raw());

    let aeron = Aeron::connect(&ctx).unwrap();
    assert!(wait_until(TIMEOUT, || !agent_roles.lock().unwrap().is_empty()), "agent start not called");

    // Extra counter handlers added at run time through pairs.
    let extra_up = Arc::new(AtomicUsize::new(0));
    let x = extra_up.clone();
    let h_extra = Handlers::leak(move |_r: AeronCountersReaderRef<'_>, _reg: i64, _id: i32| {
        x.fetch_add(1, Ordering::SeqCst);
    });
    let pair = aeron.add_available_counter_handler(&h_extra).unwrap();
    let down_pair = aeron.add_unavailable_counter_handler(&Handlers::leak(AeronUnavailableCounterLogger)).unwrap();
    let extra_close = Arc::new(AtomicUsize::new(0));
    let xc = extra_close.clone();
    let close_pair = aeron
        .add_close_handler(&Handlers::leak(move || {
            xc.fetch_add(1, Ordering::SeqCst);
        }))
        .unwrap();

    let _sub = aeron
        .add_subscription(c"aeron:ipc", 11, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 11, TIMEOUT).unwrap();
    let _excl = aeron.add_exclusive_publication(c"aeron:ipc", 12, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || new_pubs.lock().unwrap().iter().any(|(c, s)| c == "aeron:ipc" && *s == 11)));
    assert!(wait_until(TIMEOUT, || new_excl.load(Ordering::SeqCst) >= 1));
    assert!(wait_until(TIMEOUT, || new_subs.lock().unwrap().iter().any(|(c, s)| c == "aeron:ipc" && *s == 11)));
    // A publication brings counters (publisher limit, ...) with it.
    assert!(wait_until(TIMEOUT, || !counters_up.lock().unwrap().is_empty()), "available counter not called");
    assert!(wait_until(TIMEOUT, || extra_up.load(Ordering::SeqCst) > 0), "added counter handler not called");
    aeron.remove_available_counter_handler(&pair).unwrap();
    aeron.remove_unavailable_counter_handler(&down_pair).unwrap();
    aeron.remove_close_handler(&close_pair).unwrap();

    let reg = publication.get_constants().unwrap().registration_id;
    let closed = Arc::new(AtomicUsize::new(0));
    let c2 = closed.clone();
    let notify = Handlers::leak(move || {
        c2.fetch_add(1, Ordering::SeqCst);
    });
    assert!(publication.close(Some(&notify)).unwrap(), "last clone closes now");
    assert!(wait_until(TIMEOUT, || closed.load(Ordering::SeqCst) == 1), "close notification");
    let _ = reg;
    // A client counter coming and going is seen by both counter handlers.
    let counter = aeron.add_counter(1001, b"", "rusteron test counter", TIMEOUT).unwrap();
    let counter_reg = counter.registration_id();
    assert!(
        wait_until(TIMEOUT, || counters_up.lock().unwrap().contains(&counter_reg)),
        "available counter for own counter"
    );
    drop(counter);
    assert!(
        wait_until(TIMEOUT, || counters_down.lock().unwrap().contains(&counter_reg)),
        "unavailable counter not called"
    );

    drop(_sub);
    drop(_excl);
    drop(aeron);
    assert!(closes.load(Ordering::SeqCst) >= 1, "close-client handler not called on close");
    assert_eq!(extra_close.load(Ordering::SeqCst), 0, "removed close handler was called");
}

#[test]
fn close_is_deferred_while_clones_live() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let sub = aeron
        .add_subscription(c"aeron:ipc", 13, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 13, TIMEOUT).unwrap();
    let clone = publication.clone();
    let closed = Arc::new(AtomicUsize::new(0));
    let c2 = closed.clone();
    let notify = Handlers::leak(move || {
        c2.fetch_add(1, Ordering::SeqCst);
    });
    assert!(!publication.close(Some(&notify)).unwrap(), "a clone still lives: close deferred");
    assert!(!clone.is_closed());
    assert!(wait_until(TIMEOUT, || clone.is_connected()));
    assert!(wait_until(TIMEOUT, || clone.offer(b"still open").is_ok()), "offer on the live clone");
    drop(clone);
    assert!(wait_until(TIMEOUT, || closed.load(Ordering::SeqCst) == 1));
    let sub_closed = Arc::new(AtomicUsize::new(0));
    let s2 = sub_closed.clone();
    assert!(sub
        .close(Some(&Handlers::leak(move || {
            s2.fetch_add(1, Ordering::SeqCst);
        })))
        .unwrap());
    assert!(wait_until(TIMEOUT, || sub_closed.load(Ordering::SeqCst) == 1));
    // Borrowed wrappers cannot close.
    let next = aeron.next_session_id(13, TIMEOUT).unwrap();
    let _ = next;
}

#[test]
fn free_functions() {
    assert_eq!(version_major(), 1);
    assert_eq!(version_minor(), 54);
    assert!(version_text().starts_with("1.54"));
    assert!(!version_full().is_empty());
    let _ = version_gitsha();
    let _ = version_patch();
    let t0 = nano_clock();
    assert!(nano_clock() >= t0);
    assert!(epoch_clock() > 1_600_000_000_000);
    assert!(!default_path().unwrap().is_empty());
    let md = MediaDriverProcess::start().unwrap();
    properties_buffer_load(c"rusteron.test.property=1\n").unwrap();
    let _ = (errcode(), errmsg());
    let aeron = md.connect().unwrap();
    let mut lines = Vec::new();
    aeron.print_counters_with(|line: &str| lines.push(line.to_string()));
    assert!(!lines.is_empty(), "no counters printed");
}

#[test]
fn invoker_mode_getters_headers_and_end_of_stream() {
    let md = MediaDriverProcess::start().unwrap();
    let ctx = md.context().unwrap();
    ctx.set_use_conductor_agent_invoker(true).unwrap();
    let h_err = Handlers::leak(AeronErrorHandlerLogger);
    ctx.set_error_handler(Some(&h_err)).unwrap();
    assert!(ctx.get_error_handler().is_some());
    assert_eq!(ctx.get_error_handler_clientd(), h_err.as_raw());
    let h_sub = Handlers::leak(AeronNewSubscriptionLogger);
    ctx.set_on_new_subscription(Some(&h_sub)).unwrap();
    assert_eq!(ctx.get_on_new_subscription_clientd(), h_sub.as_raw());
    assert!(ctx.get_on_new_subscription().is_some());
    ctx.set_on_new_exclusive_publication(no_new_publication_handler()).unwrap();
    assert!(ctx.get_on_new_exclusive_publication().is_none());
    assert!(ctx.get_on_new_exclusive_publication_clientd().is_null());
    ctx.set_on_available_counter(no_available_counter_handler()).unwrap();
    ctx.set_on_unavailable_counter(no_unavailable_counter_handler()).unwrap();
    ctx.set_on_close_client(no_close_client_handler()).unwrap();
    assert!(ctx.get_on_available_counter().is_none() && ctx.get_on_available_counter_clientd().is_null());
    assert!(ctx.get_on_unavailable_counter().is_none() && ctx.get_on_unavailable_counter_clientd().is_null());
    assert!(ctx.get_on_close_client().is_none() && ctx.get_on_close_client_clientd().is_null());
    ctx.set_publication_error_frame_handler(no_publication_error_frame_handler_handler()).unwrap();
    assert!(ctx.get_publication_error_frame_handler_clientd().is_null());

    let aeron = Aeron::connect(&ctx).unwrap();
    let sub = aeron
        .add_subscription(c"aeron:ipc", 20, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 20, TIMEOUT).unwrap();
    let _ = sub.channel_status(); // IPC has no channel status indicator (C reports -1)
    assert!(wait_until(TIMEOUT, || {
        let w = aeron.main_do_work().unwrap();
        aeron.main_idle_strategy(w);
        publication.is_connected()
    }));
    while publication.offer(b"hdr").is_err() {
        aeron.main_do_work().unwrap();
    }
    let mut checked = false;
    // In invoker mode the image reaches the subscription only through a duty cycle run here:
    // a connected publication does not mean the client has processed the image yet.
    assert!(wait_until(TIMEOUT, || {
        aeron.main_do_work().unwrap();
        sub.poll_once(
            |m: &[u8], h: AeronHeader<'_>| {
                assert_eq!(m, b"hdr");
                assert_eq!(h.flags(), AeronHeader::UNFRAGMENTED);
                assert_eq!(h.stream_id(), 20);
                assert_eq!(h.session_id(), publication.session_id());
                assert_eq!(h.frame_length(), 32 + 3);
                assert_eq!(h.term_offset(), 0);
                assert_eq!(h.next_term_offset(), 64);
                assert!(h.position_bits_to_shift() > 0);
                assert_eq!(h.term_id(), h.initial_term_id());
                assert_eq!(h.position(), 64);
                let _ = (h.fragmented_frame_length(), h.context(), h.values().unwrap().frame());
                checked = true;
            },
            10,
        )
        .unwrap();
        checked
    }));
    let image = sub.image_at_index(0).unwrap();
    assert!(!image.is_end_of_stream());
    assert_eq!(image.end_of_stream_position(), i64::MAX);
    let end = publication.position();
    assert!(publication.close(no_notification_handler()).unwrap());
    assert!(wait_until(TIMEOUT, || {
        aeron.main_do_work().unwrap();
        image.end_of_stream_position() == end
    }));
    assert!(image.is_end_of_stream() || image.position() == end);

    // Properties from a file.
    let path = md.dir().with_extension("properties");
    std::fs::write(&path, "rusteron.test.a=1\n").unwrap();
    properties_file_load(&path.to_str().unwrap().into_c_string()).unwrap();
    properties_load(&path.to_str().unwrap().into_c_string()).unwrap();
    let _ = std::fs::remove_file(&path);
    // A driver that does not accept termination requests ignores the request; the call itself works.
    request_driver_termination(&md.dir_str().into_c_string(), b"").unwrap();
}

/// An unavailable-image handler that notes whether C called it after it was freed.
struct DropProbe {
    dropped: Arc<std::sync::atomic::AtomicBool>,
    calls: Arc<AtomicUsize>,
    calls_after_drop: Arc<AtomicUsize>,
}

impl Drop for DropProbe {
    fn drop(&mut self) {
        self.dropped.store(true, Ordering::SeqCst);
    }
}

impl AeronUnavailableImageCallback for DropProbe {
    fn handle_aeron_on_unavailable_image(&mut self, _s: AeronSubscriptionRef<'_>, _i: AeronImageRef<'_>) {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.dropped.load(Ordering::SeqCst) {
            self.calls_after_drop.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Closing a subscription makes the conductor call `on_unavailable_image` for each of its images,
/// after `aeron_subscription_close` has returned: the handler must live until then (it used to be
/// freed first, and was called freed on every one of these rounds).
#[test]
fn image_handlers_live_until_the_conductor_has_closed_the_subscription() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 21, TIMEOUT).unwrap();
    for round in 0..10 {
        let dropped = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let calls = Arc::new(AtomicUsize::new(0));
        let after = Arc::new(AtomicUsize::new(0));
        let handler = Handlers::leak(DropProbe {
            dropped: dropped.clone(),
            calls: calls.clone(),
            calls_after_drop: after.clone(),
        });
        let sub =
            aeron.add_subscription(c"aeron:ipc", 21, no_available_image_handler(), Some(&handler), TIMEOUT).unwrap();
        assert!(wait_until(TIMEOUT, || sub.is_connected()), "round {round}: not connected");
        drop(handler);
        drop(sub);
        // The drop returned once the conductor had finished: the handler ran, then was freed.
        assert_eq!(calls.load(Ordering::SeqCst), 1, "round {round}: on_unavailable_image during the close");
        assert!(dropped.load(Ordering::SeqCst), "round {round}: handler freed after the close");
        assert_eq!(after.load(Ordering::SeqCst), 0, "round {round}: handler called after it was freed");
    }
    // An explicit close with a notification: the notification runs after the image handler,
    // and both before close() returns.
    let order = Arc::new(Mutex::new(Vec::<&'static str>::new()));
    let (o1, o2) = (order.clone(), order.clone());
    let on_unavailable = Handlers::leak(move |_s: AeronSubscriptionRef<'_>, _i: AeronImageRef<'_>| {
        o1.lock().unwrap().push("unavailable")
    });
    let on_closed = Handlers::leak(move || o2.lock().unwrap().push("closed"));
    let sub =
        aeron.add_subscription(c"aeron:ipc", 21, no_available_image_handler(), Some(&on_unavailable), TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || sub.is_connected()));
    assert!(sub.close(Some(&on_closed)).unwrap(), "last handle: closed now");
    assert_eq!(*order.lock().unwrap(), vec!["unavailable", "closed"]);
    drop(publication);
}

/// An async add dropped before it was polled to completion is cancelled; if the conductor had
/// already created the subscription (and given it an image), it closes it later and calls the
/// image handlers then, so the cancelled add keeps them alive instead of freeing them.
#[test]
fn cancelled_async_subscription_keeps_its_image_handlers() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 31, TIMEOUT).unwrap();
    let dropped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let calls = Arc::new(AtomicUsize::new(0));
    let after = Arc::new(AtomicUsize::new(0));
    let available = Arc::new(AtomicUsize::new(0));
    let a = available.clone();
    let on_available = Handlers::leak(move |_s: AeronSubscriptionRef<'_>, _i: AeronImageRef<'_>| {
        a.fetch_add(1, Ordering::SeqCst);
    });
    let on_unavailable =
        Handlers::leak(DropProbe { dropped: dropped.clone(), calls: calls.clone(), calls_after_drop: after.clone() });
    let pending =
        AeronAsyncAddSubscription::new(&aeron, c"aeron:ipc", 31, Some(&on_available), Some(&on_unavailable)).unwrap();
    // Never polled: the conductor creates the subscription and its image on its own.
    assert!(wait_until(TIMEOUT, || available.load(Ordering::SeqCst) == 1), "image of the unpolled subscription");
    drop(on_available);
    drop(on_unavailable);
    drop(pending);
    assert!(wait_until(TIMEOUT, || calls.load(Ordering::SeqCst) == 1), "image handler called on the cancel's close");
    assert_eq!(after.load(Ordering::SeqCst), 0, "image handler called after it was freed");
    assert!(!dropped.load(Ordering::SeqCst), "a cancelled add keeps its handlers");
    drop(publication);
}

/// A subscription dropped by a thread that holds a lock its image handler needs: the conductor
/// blocks in the handler, so the drop cannot wait for the close. It returns after its bounded
/// wait, and the handler is freed only once the conductor has finished with it.
#[test]
fn subscription_dropped_while_its_handler_waits_for_the_dropping_thread() {
    struct Locking {
        lock: Arc<Mutex<()>>,
        probe: DropProbe,
    }
    impl AeronUnavailableImageCallback for Locking {
        fn handle_aeron_on_unavailable_image(&mut self, s: AeronSubscriptionRef<'_>, i: AeronImageRef<'_>) {
            let _held = self.lock.lock().unwrap();
            self.probe.handle_aeron_on_unavailable_image(s, i);
        }
    }
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 22, TIMEOUT).unwrap();
    let lock = Arc::new(Mutex::new(()));
    let dropped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let calls = Arc::new(AtomicUsize::new(0));
    let after = Arc::new(AtomicUsize::new(0));
    let handler = Handlers::leak(Locking {
        lock: lock.clone(),
        probe: DropProbe { dropped: dropped.clone(), calls: calls.clone(), calls_after_drop: after.clone() },
    });
    let sub = aeron.add_subscription(c"aeron:ipc", 22, no_available_image_handler(), Some(&handler), TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || sub.is_connected()));
    drop(handler);
    {
        let _held = lock.lock().unwrap();
        drop(sub); // returns after its bounded wait: the conductor is stuck on our lock
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        assert!(!dropped.load(Ordering::SeqCst), "handler freed while the conductor was inside it");
    }
    assert!(wait_until(TIMEOUT, || calls.load(Ordering::SeqCst) == 1), "handler ran once the lock was free");
    assert!(wait_until(TIMEOUT, || dropped.load(Ordering::SeqCst)), "handler freed after the close");
    assert_eq!(after.load(Ordering::SeqCst), 0);
    drop(publication);
}

impl AeronNotificationCallback for DropProbe {
    fn handle_aeron_notification(&mut self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.dropped.load(Ordering::SeqCst) {
            self.calls_after_drop.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// `(handler, dropped, calls, calls after the drop)` of a fresh [`DropProbe`].
fn notification_probe() -> (Handler<DropProbe>, Arc<std::sync::atomic::AtomicBool>, Arc<AtomicUsize>, Arc<AtomicUsize>)
{
    let dropped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let calls = Arc::new(AtomicUsize::new(0));
    let after = Arc::new(AtomicUsize::new(0));
    let handler =
        Handlers::leak(DropProbe { dropped: dropped.clone(), calls: calls.clone(), calls_after_drop: after.clone() });
    (handler, dropped, calls, after)
}

/// A close notification given while clones keep the publication open is kept by the publication
/// until its close; one given later through another clone replaces it: the first is freed at
/// once without being called, the second runs once when the last clone drops.
#[test]
fn a_later_close_notification_replaces_the_earlier_one() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 15, TIMEOUT).unwrap();
    let (clone, last) = (publication.clone(), publication.clone());
    let (first, first_dropped, first_calls, _) = notification_probe();
    assert!(!publication.close(Some(&first)).unwrap(), "clones live: close deferred");
    drop(first);
    assert!(!first_dropped.load(Ordering::SeqCst), "the publication keeps the notification until its close");
    let (second, second_dropped, second_calls, second_after) = notification_probe();
    assert!(!clone.close(Some(&second)).unwrap(), "a clone still lives: close deferred");
    drop(second);
    assert!(first_dropped.load(Ordering::SeqCst), "the replaced notification is freed at once");
    assert!(!second_dropped.load(Ordering::SeqCst));
    drop(last);
    assert!(wait_until(TIMEOUT, || second_calls.load(Ordering::SeqCst) == 1), "the later notification runs");
    assert!(wait_until(TIMEOUT, || second_dropped.load(Ordering::SeqCst)), "and is freed after its call");
    assert_eq!(second_after.load(Ordering::SeqCst), 0);
    assert_eq!(first_calls.load(Ordering::SeqCst), 0, "the replaced notification never runs");
}

/// A wrapper that views a subscription owned elsewhere cannot give its owner's close a
/// notification: closing the view frees the notification at once (never called, never kept), and
/// leaves the subscription open.
#[test]
fn a_close_notification_on_a_view_is_freed_not_kept() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let sub = aeron
        .add_subscription(c"aeron:ipc", 16, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    // SAFETY: `sub` is alive and the view keeps it alive.
    let view = unsafe { AeronSubscription::from_borrowed_kept_alive(sub.get_inner(), sub.as_dependency()) };
    let (handler, dropped, calls, _) = notification_probe();
    assert!(view.close(Some(&handler)).unwrap(), "the view's last handle");
    drop(handler);
    assert!(dropped.load(Ordering::SeqCst), "the notification is freed at once");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert!(!sub.is_closed(), "the owner's subscription stays open");
    let publication = aeron.add_publication(c"aeron:ipc", 16, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || sub.is_connected()), "and works");
    drop(publication);
}
