//! The conveniences for programs coming from the published rusteron (issue 24), against a real
//! embedded driver: per-poll reassembly, callbacks by value, `NoOp`/`Handlers::NONE`, the typed
//! offer error, the channel URI builder and the `launch` helpers.

use rusteron_client::testing::*;
use rusteron_client::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(10);

fn pattern(seed: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i as u32).wrapping_mul(31).wrapping_add(seed as u32) as u8).collect()
}

fn offer_until_accepted(publication: &AeronExclusivePublication, msg: &[u8]) {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        match publication.offer_typed(msg) {
            Ok(_) => return,
            Err(e) if e.is_retryable() && Instant::now() < deadline => std::thread::yield_now(),
            Err(e) => panic!("offer of {} bytes: {e}", msg.len()),
        }
    }
}

/// Two sessions interleave single-frame and multi-frame messages; each poll lends a different
/// closure (borrowing a different local) and every message arrives whole, in order, once.
#[test]
fn reassembler_takes_a_closure_per_poll_and_delivers_whole_messages_per_session() {
    let driver = start_embedded_driver().unwrap();
    let aeron = driver.connect().unwrap();
    let sub = aeron.add_subscription(c"aeron:ipc", 51, Handlers::NONE, Handlers::NONE, TIMEOUT).unwrap();
    let a = aeron.add_exclusive_publication(c"aeron:ipc", 51, TIMEOUT).unwrap();
    let b = aeron.add_exclusive_publication(c"aeron:ipc", 51, TIMEOUT).unwrap();
    assert_ne!(a.session_id(), b.session_id());
    assert!(wait_until(TIMEOUT, || a.is_connected() && b.is_connected()));
    let frame = a.max_payload_length().unwrap();
    let sizes = [10, 3 * frame + 17, 1, frame, frame + 1, 5 * frame];
    let mut expected: Vec<(i32, Vec<u8>)> = Vec::new();
    for (i, &len) in sizes.iter().enumerate() {
        for (j, publication) in [&a, &b].into_iter().enumerate() {
            let msg = pattern((i * 2 + j) as u8, len);
            offer_until_accepted(publication, &msg);
            expected.push((publication.session_id(), msg));
        }
    }

    let mut assembler = AeronFragmentReassembler::with_capacity(16);
    let mut got: Vec<(i32, Vec<u8>)> = Vec::new();
    fn keep(out: &mut Vec<(i32, Vec<u8>)>, msg: &[u8], header: AeronHeader<'_>) {
        out.push((header.session_id(), msg.to_vec()));
    }
    let mut round = 0;
    assert!(wait_until(TIMEOUT, || {
        round += 1;
        // Alternate the two forms, with a small fragment limit so messages straddle polls.
        if round % 2 == 0 {
            assembler.poll(&sub, |msg, header| got.push((header.session_id(), msg.to_vec())), 3).unwrap();
        } else {
            assembler.poll_with_context(&sub, &mut got, keep, 3).unwrap();
        }
        got.len() >= expected.len()
    }));
    assert!(round > 2, "several polls, both forms");
    for session in [a.session_id(), b.session_id()] {
        let want: Vec<&Vec<u8>> = expected.iter().filter(|(s, _)| *s == session).map(|(_, m)| m).collect();
        let have: Vec<&Vec<u8>> = got.iter().filter(|(s, _)| *s == session).map(|(_, m)| m).collect();
        assert_eq!(have.len(), want.len(), "session {session}: every message once");
        assert!(have == want, "session {session}: messages whole and in order");
    }
    assert_eq!(assembler.session_count(), 2, "both sessions sent fragmented messages");
    assert!(assembler.delete_session_buffer(a.session_id()));
    assert!(!assembler.delete_session_buffer(a.session_id()));
}

/// The same reassembler as a handler of an image poll, and a panic in the per-poll closure
/// resumes in the caller.
#[test]
fn reassembler_polls_an_image_and_a_panic_in_the_closure_reaches_the_caller() {
    let driver = start_embedded_driver().unwrap();
    let aeron = driver.connect().unwrap();
    let sub = aeron.add_subscription(c"aeron:ipc", 52, Handlers::NONE, Handlers::NONE, TIMEOUT).unwrap();
    let publication = aeron.add_exclusive_publication(c"aeron:ipc", 52, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected()));
    let big = pattern(9, 2 * publication.max_payload_length().unwrap() + 3);
    offer_until_accepted(&publication, &big);
    offer_until_accepted(&publication, &big);
    let image = sub.image_by_session_id(publication.session_id()).expect("image");
    let mut assembler = AeronFragmentReassembler::new();
    let mut first = Vec::new();
    assert!(wait_until(TIMEOUT, || {
        assembler.poll_image(&image, |msg, _| first.push(msg.to_vec()), 1).unwrap();
        !first.is_empty()
    }));
    assert_eq!(first, std::slice::from_ref(&big));
    let mut polls = 0;
    let caught = catch_unwind(AssertUnwindSafe(|| {
        while polls < 1000 {
            polls += 1;
            assembler.poll_image(&image, |_, _| panic!("handler says no"), 10).unwrap();
        }
    }));
    let payload = caught.expect_err("the panic must reach the caller");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"handler says no"));
    drop(image);
}

/// Controlled reassembly: a handler that aborts each whole message once, or panics on it once,
/// sees it again whole and byte-exact (its last fragment is not doubled); every message is
/// accepted once, in order.
#[test]
fn controlled_reassembly_redelivers_aborted_messages_whole() {
    let driver = start_embedded_driver().unwrap();
    let aeron = driver.connect().unwrap();
    let sub = aeron.add_subscription(c"aeron:ipc", 59, Handlers::NONE, Handlers::NONE, TIMEOUT).unwrap();
    let publication = aeron.add_exclusive_publication(c"aeron:ipc", 59, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected()));
    let frame = publication.max_payload_length().unwrap();
    let sent: Vec<Vec<u8>> =
        [2 * frame + 9, 7, 4 * frame, frame + 1].iter().enumerate().map(|(i, &n)| pattern(40 + i as u8, n)).collect();
    for m in &sent {
        offer_until_accepted(&publication, m);
    }
    let abort = bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_ABORT;
    let commit = bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_COMMIT;
    let mut assembler = AeronFragmentReassembler::new();
    let mut accepted: Vec<Vec<u8>> = Vec::new();
    let mut seen_before: Vec<Vec<u8>> = Vec::new();
    let mut aborts = 0;
    let mut panics = 0;
    let mut round = 0;
    assert!(wait_until(TIMEOUT, || {
        round += 1;
        let result = catch_unwind(AssertUnwindSafe(|| {
            assembler
                .controlled_poll(
                    &sub,
                    |msg, _header| {
                        if msg.len() > frame && !seen_before.iter().any(|m| m == msg) {
                            seen_before.push(msg.to_vec());
                            // The first message panics the first time, the others abort.
                            if seen_before.len() == 1 {
                                panic!("first look");
                            }
                            aborts += 1;
                            return abort;
                        }
                        accepted.push(msg.to_vec());
                        commit
                    },
                    2,
                )
                .unwrap()
        }));
        if result.is_err() {
            panics += 1;
        }
        accepted.len() == sent.len()
    }));
    assert_eq!(panics, 1, "the panic reached the caller once");
    assert_eq!(aborts, 2, "each other fragmented message was aborted once");
    assert_eq!(accepted, sent, "every message whole, once, in order");
    assert_eq!(seen_before.len(), 3);
    for m in &seen_before {
        assert!(sent.contains(m), "an aborted delivery was already whole ({} bytes)", m.len());
    }
}

/// `Handlers::NONE` fits image handlers, context setters and `close`; `NoOp` is a fragment,
/// controlled fragment and reserved value handler.
#[test]
fn no_op_and_handlers_none_fit_every_handler_parameter() {
    let driver = start_embedded_driver().unwrap();
    let context = driver.client_context().unwrap();
    context.set_error_handler(Handlers::NONE).unwrap();
    context.set_on_new_publication(Handlers::NONE).unwrap();
    context.set_on_new_subscription(Handlers::NONE).unwrap();
    context.set_on_available_counter(Handlers::NONE).unwrap();
    context.set_on_close_client(Handlers::NONE).unwrap();
    context.set_publication_error_frame_handler(Handlers::NONE).unwrap();
    let aeron = Aeron::connect(&context).unwrap();
    let sub = aeron.add_subscription(c"aeron:ipc", 53, Handlers::NONE, Handlers::NONE, TIMEOUT).unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 53, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected()));

    // NoOp as a reserved value supplier: the reserved value is 0.
    let deadline = Instant::now() + TIMEOUT;
    while publication.offer_with_reserved_value(b"first", &mut NoOp).is_err() {
        assert!(Instant::now() < deadline, "offer with NoOp supplier");
    }
    let mut reserved = Vec::new();
    assert!(wait_until(TIMEOUT, || {
        sub.poll_fn(|_, header| reserved.push(header.reserved_value()), 10).unwrap();
        !reserved.is_empty()
    }));
    assert_eq!(reserved, [0]);

    // NoOp as a fragment handler and as a controlled one: both consume (CONTINUE).
    assert!(wait_until(TIMEOUT, || publication.offer(b"second").is_ok()));
    assert!(wait_until(TIMEOUT, || sub.poll_once(NoOp, 10).unwrap() == 1));
    assert!(wait_until(TIMEOUT, || publication.offer(b"third").is_ok()));
    assert!(wait_until(TIMEOUT, || sub.controlled_poll_once(NoOp, 10).unwrap() == 1));
    assert_eq!(sub.poll_once(NoOp, 10).unwrap(), 0, "nothing left: the controlled poll consumed it");

    assert!(publication.close(Handlers::NONE).is_ok());
    assert!(sub.close(Handlers::NONE).is_ok());
}

/// Closures registered by value are called; the returned handler is the one the context keeps.
#[test]
fn context_callbacks_by_value_are_called() {
    let driver = start_embedded_driver().unwrap();
    let context = driver.client_context().unwrap();
    let new_publications = Arc::new(Mutex::new(Vec::<(String, i32)>::new()));
    let new_subscriptions = Arc::new(AtomicUsize::new(0));
    let closed = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(Mutex::new(Vec::<String>::new()));
    let (p, s, c, st) = (new_publications.clone(), new_subscriptions.clone(), closed.clone(), started.clone());
    let handler = context
        .set_on_new_publication_fn(Some(move |channel: &str, stream: i32, _session: i32, _id: i64| {
            p.lock().unwrap().push((channel.to_string(), stream))
        }))
        .unwrap();
    assert!(handler.is_some());
    context
        .set_on_new_subscription_fn(Some(move |_channel: &str, _stream: i32, _id: i64| {
            s.fetch_add(1, Ordering::SeqCst);
        }))
        .unwrap();
    context
        .set_on_close_client_fn(Some(move || {
            c.fetch_add(1, Ordering::SeqCst);
        }))
        .unwrap();
    context.set_agent_on_start_function_fn(Some(move |role: &str| st.lock().unwrap().push(role.to_string()))).unwrap();
    context.set_error_handler_fn(Some(|_code: i32, _message: &str| {})).unwrap();
    // `None` by value: no handler, as with the reference setters.
    assert!(context.set_on_available_counter_fn(None::<NoOp>).unwrap().is_none());

    let aeron = Aeron::connect(&context).unwrap();
    let _sub = aeron.add_subscription(c"aeron:ipc", 54, Handlers::NONE, Handlers::NONE, TIMEOUT).unwrap();
    let _publication = aeron.add_publication(c"aeron:ipc", 54, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || new_publications.lock().unwrap().contains(&("aeron:ipc".to_string(), 54))));
    assert!(wait_until(TIMEOUT, || new_subscriptions.load(Ordering::SeqCst) == 1));
    assert!(wait_until(TIMEOUT, || !started.lock().unwrap().is_empty()), "agent start function");
    drop((_sub, _publication, aeron, context));
    assert!(wait_until(TIMEOUT, || closed.load(Ordering::SeqCst) == 1), "close client callback");
}

/// Each refusal comes back as its variant: not connected (no subscriber), back pressure (a
/// subscriber that does not poll, 64 KiB terms), max position (a publication started in the
/// last term of the stream); and the conversions keep code and kind.
#[test]
fn offer_errors_are_matched_by_variant() {
    let driver = start_embedded_driver().unwrap();
    let aeron = driver.connect().unwrap();
    let small = ChannelUriBuilder::ipc().term_length(64 * 1024).build_c_string().unwrap();

    let publication = aeron.add_exclusive_publication(&small, 55, TIMEOUT).unwrap();
    assert_eq!(publication.offer_typed(b"x"), Err(AeronOfferError::NotConnected));
    assert!(matches!(publication.try_claim_typed(8), Err(AeronOfferError::NotConnected)));
    assert_eq!(publication.offer_with_reserved_value_typed(b"x", &mut NoOp), Err(AeronOfferError::NotConnected));

    let _sub = aeron.add_subscription(&small, 55, Handlers::NONE, Handlers::NONE, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected()));
    let msg = [1u8; 1024];
    let mut accepted = 0;
    let deadline = Instant::now() + TIMEOUT;
    let refusal = loop {
        match publication.offer_typed(&msg) {
            Ok(_) => accepted += 1,
            Err(AeronOfferError::AdminAction) => {}
            Err(e) => break e,
        }
        assert!(Instant::now() < deadline, "no back pressure after {accepted} offers");
    };
    assert_eq!(refusal, AeronOfferError::BackPressured, "after {accepted} accepted offers");
    assert!(refusal.is_retryable() && !refusal.is_fatal());
    let iov = [AeronIovec::from_slice(&msg)];
    assert_eq!(publication.offerv_typed(&iov), Err(AeronOfferError::BackPressured));

    // The last term of the stream: (term-id - init-term-id) = 2^31 - 1, 64 bytes from its end.
    let last_term = ChannelUriBuilder::ipc()
        .term_length(64 * 1024)
        .initial_position(0, i32::MAX, 64 * 1024 - 64)
        .build_c_string()
        .unwrap();
    let at_end = aeron.add_exclusive_publication(&last_term, 56, TIMEOUT).unwrap();
    let _sub_end = aeron.add_subscription(&last_term, 56, Handlers::NONE, Handlers::NONE, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || at_end.is_connected()));
    let refusal = at_end.offer_typed(&[2u8; 200]).unwrap_err();
    assert_eq!(refusal, AeronOfferError::MaxPositionExceeded);
    assert!(refusal.is_fatal());
    let as_c: AeronCError = refusal.clone().into();
    assert_eq!(as_c.kind(), AeronErrorType::PublicationMaxPositionExceeded);
    assert_eq!(AeronOfferError::from(as_c), refusal);

    for (variant, kind) in [
        (AeronOfferError::NotConnected, AeronErrorType::NullOrNotConnected),
        (AeronOfferError::BackPressured, AeronErrorType::PublicationBackPressured),
        (AeronOfferError::AdminAction, AeronErrorType::PublicationAdminAction),
        (AeronOfferError::Closed, AeronErrorType::PublicationClosed),
        (AeronOfferError::MaxPositionExceeded, AeronErrorType::PublicationMaxPositionExceeded),
    ] {
        let e: AeronCError = variant.clone().into();
        assert_eq!(e.kind(), kind);
        assert_eq!(AeronOfferError::from(e.clone()), variant);
        assert_eq!(AeronOfferError::from_position(e.code as i64), Err(variant.clone()));
        assert!(variant.to_string().contains(&e.code.to_string()), "{variant}");
    }
    // A failed call's -1 is not "not connected".
    let call = AeronCError::with_message(-1, "some call failed");
    assert!(matches!(AeronOfferError::from(call), AeronOfferError::Error(_)));
    assert_eq!(AeronOfferError::from_position(42), Ok(42));
}

/// A UDP channel made by the builder carries messages; mistakes are refused with their name.
#[test]
fn uri_builder_channels_work_and_mistakes_are_named() {
    let driver = start_embedded_driver().unwrap();
    let aeron = driver.connect().unwrap();
    let port = find_unused_udp_port(24_500).expect("a free UDP port");
    let channel = ChannelUriBuilder::udp()
        .endpoint(&format!("localhost:{port}"))
        .mtu(4096)
        .term_length(128 * 1024)
        .reliable(true)
        .linger(Duration::from_millis(10))
        .alias("builder-test")
        .build()
        .unwrap();
    assert_eq!(ChannelUri::parse(&channel.to_string()).unwrap(), channel);
    assert_eq!(channel.get("linger"), Some("10000000"));
    let c = channel.to_c_string().unwrap();
    let sub = aeron.add_subscription(&c, 57, Handlers::NONE, Handlers::NONE, TIMEOUT).unwrap();
    let publication = aeron.add_publication(&c, 57, TIMEOUT).unwrap();
    assert_eq!(publication.max_payload_length().unwrap(), 4096 - 32);
    assert!(wait_until(TIMEOUT, || publication.offer(b"over udp").is_ok()));
    let mut got = Vec::new();
    assert!(wait_until(TIMEOUT, || {
        sub.poll_fn(|msg, _| got.push(msg.to_vec()), 10).unwrap();
        !got.is_empty()
    }));
    assert_eq!(got, [b"over udp".to_vec()]);

    let spy = ChannelUriBuilder::ipc().session_id(7).spy().build().unwrap();
    assert_eq!(spy.to_string(), "aeron-spy:aeron:ipc?session-id=7");
    let mds = ChannelUriBuilder::udp().control_mode(ControlMode::Manual).build().unwrap();
    assert_eq!(mds.to_string(), "aeron:udp?control-mode=manual");

    let refused = |b: ChannelUriBuilder, needle: &str| {
        let e = b.build().unwrap_err();
        assert!(e.to_string().contains(needle), "expected {needle:?} in: {e}");
        assert_eq!(e.code, 22, "EINVAL");
    };
    refused(ChannelUriBuilder::udp().endpoint("localhost"), "endpoint 'localhost' has no port");
    refused(ChannelUriBuilder::udp().endpoint("localhost:70000"), "0..=65535");
    refused(ChannelUriBuilder::udp().control("::1:40000"), "IPv6 address without brackets");
    refused(ChannelUriBuilder::udp(), "needs an endpoint or a control address");
    refused(ChannelUriBuilder::ipc().endpoint("localhost:40000"), "endpoint is for aeron:udp");
    refused(ChannelUriBuilder::ipc().alias("a|b"), "alias value \"a|b\"");
    refused(ChannelUriBuilder::ipc().param("", 1), "parameter name");
    refused(ChannelUriBuilder::ipc().tags(""), "tags is empty");
    // The first mistake is the one reported.
    refused(ChannelUriBuilder::udp().endpoint("nope").alias("x|y"), "endpoint 'nope'");
    assert!(ChannelUriBuilder::udp().endpoint("[::1]:40000").build().is_ok());
}

/// `media_driver::launch` and friends start a working driver; `dir_str` is its directory; an
/// error from the configuration closure starts nothing.
#[test]
fn launch_helpers_start_a_driver_and_name_its_directory() {
    let driver = media_driver::launch().unwrap();
    assert_eq!(std::path::Path::new(driver.dir_str()), driver.dir());
    assert!(driver.dir().join("cnc.dat").exists());
    let context = AeronContext::new().unwrap();
    context.set_dir(&driver.dir_str().into_c_string()).unwrap();
    let aeron = Aeron::connect(&context).unwrap();
    assert!(aeron.client_id() >= 0);
    drop((aeron, context));
    let dir = driver.dir().to_path_buf();
    drop(driver);
    assert!(!dir.exists(), "the directory goes with the driver");

    let driver = media_driver::testing::EmbeddedDriver::launch_with(|context| {
        context.set_ipc_term_buffer_length(256 * 1024)?;
        Ok(())
    })
    .unwrap();
    let aeron = driver.connect().unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 58, TIMEOUT).unwrap();
    assert_eq!(publication.get_constants().unwrap().term_buffer_length, 256 * 1024);
    drop((publication, aeron, driver));

    let e = media_driver::launch_with(|_| Err(AeronCError::with_message(22, "not today"))).unwrap_err();
    assert_eq!(e.message(), Some("not today"));
    let e = media_driver::launch_with(|context| {
        context.set_term_buffer_length(1000)?; // not a power of two: the driver refuses it
        Ok(())
    })
    .unwrap_err();
    assert!(!e.to_string().is_empty());
}
