//! Publish/subscribe round trips against a real `aeronmd`.

use rusteron_client::testing::*;
use rusteron_client::*;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

fn connected_pair(md: &MediaDriverProcess, channel: &str, stream: i32) -> (Aeron, AeronPublication, AeronSubscription) {
    let aeron = md.connect().expect("client connects");
    let sub = aeron
        .add_subscription(
            &channel.into_c_string(),
            stream,
            no_available_image_handler(),
            no_unavailable_image_handler(),
            TIMEOUT,
        )
        .expect("subscription");
    // No timeout at all (`Duration::MAX`) is a valid wait, not a deadline overflow.
    let publication = aeron.add_publication(&channel.into_c_string(), stream, Duration::MAX).expect("publication");
    assert!(wait_until(TIMEOUT, || publication.is_connected() && sub.is_connected()), "pub/sub did not connect");
    (aeron, publication, sub)
}

fn round_trip(channel: &str) {
    let md = MediaDriverProcess::start().expect("driver");
    let (_aeron, publication, sub) = connected_pair(&md, channel, 1001);
    let n = 1000u64;
    let mut sent = 0u64;
    let mut received = Vec::new();
    let deadline = std::time::Instant::now() + TIMEOUT;
    while (received.len() as u64) < n {
        assert!(std::time::Instant::now() < deadline, "only {} of {n} messages arrived", received.len());
        if sent < n {
            match publication.offer(&sent.to_le_bytes()) {
                Ok(pos) => {
                    assert!(pos > 0);
                    sent += 1;
                }
                Err(e) => assert!(e.kind().is_retryable(), "offer failed: {e}"),
            }
        }
        sub.poll_once(
            |msg: &[u8], _h: AeronHeader<'_>| received.push(u64::from_le_bytes(msg.try_into().unwrap())),
            100,
        )
        .unwrap();
    }
    assert_eq!(received, (0..n).collect::<Vec<_>>());
}

#[test]
fn ipc_round_trip() {
    round_trip("aeron:ipc");
}

#[test]
fn udp_round_trip() {
    let port = find_unused_udp_port(20000).unwrap();
    round_trip(&format!("aeron:udp?endpoint=127.0.0.1:{port}"));
}

fn offer_until(publication: &AeronPublication, msg: &[u8]) {
    assert!(wait_until(TIMEOUT, || publication.offer(msg).is_ok()), "offer never succeeded");
}

#[test]
fn image_polls_controlled_bounded_and_block() {
    let md = MediaDriverProcess::start().unwrap();
    let (_aeron, publication, sub) = connected_pair(&md, "aeron:ipc", 2002);
    for i in 0..10u32 {
        offer_until(&publication, &i.to_le_bytes());
    }
    let image = sub.image_by_session_id(publication.session_id()).unwrap();
    assert!(wait_until(TIMEOUT, || image.position() < publication.position()));
    // Controlled: BREAK after the first fragment.
    let mut seen = Vec::new();
    let n = image
        .controlled_poll_once(
            |m: &[u8], _h: AeronHeader<'_>| {
                seen.push(u32::from_le_bytes(m.try_into().unwrap()));
                bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_BREAK
            },
            10,
        )
        .unwrap();
    assert_eq!((n, seen.clone()), (1, vec![0]));
    // Bounded: stop after two more fragments (32-byte header + 4-byte payload, aligned to 64).
    const FRAME: i64 = 64;
    let limit = image.position() + 2 * FRAME;
    let n = image
        .bounded_poll(|m: &[u8], _h: AeronHeader<'_>| seen.push(u32::from_le_bytes(m.try_into().unwrap())), limit, 10)
        .unwrap();
    assert_eq!(n, 2);
    let limit = image.position() + FRAME;
    let n = image
        .bounded_controlled_poll(
            |m: &[u8], _h: AeronHeader<'_>| {
                seen.push(u32::from_le_bytes(m.try_into().unwrap()));
                bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_CONTINUE
            },
            limit,
            10,
        )
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(seen, vec![0, 1, 2, 3]);
    // Block poll: the rest, as raw frames.
    let mut bytes = 0usize;
    let consumed = image
        .block_poll(
            |b: &[u8], session: i32, _term: i32| {
                assert_eq!(session, publication.session_id());
                bytes += b.len();
            },
            1 << 16,
        )
        .unwrap();
    assert_eq!(consumed as usize, bytes);
    assert_eq!(bytes as i64, 6 * FRAME);
    assert_eq!(image.position(), publication.position());
    // Subscription block poll sees the next message.
    offer_until(&publication, b"blocky");
    let mut blocks = 0;
    assert!(wait_until(TIMEOUT, || {
        sub.block_poll_once(|_b: &[u8], _s: i32, _t: i32| blocks += 1, 1 << 16).unwrap();
        blocks > 0
    }));
    assert_eq!(image.active_transport_count().unwrap(), 0, "IPC images have no transports");
    assert!(image.join_position() >= 0);
    assert!(image.correlation_id() > 0);
}

#[test]
fn multi_destination_publication_and_subscription() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let control = find_unused_udp_port(23000).unwrap();
    let d1 = find_unused_udp_port(23100).unwrap();
    let d2 = find_unused_udp_port(23200).unwrap();
    let s1 = aeron
        .add_subscription(
            &format!("aeron:udp?endpoint=127.0.0.1:{d1}").into_c_string(),
            9,
            no_available_image_handler(),
            no_unavailable_image_handler(),
            TIMEOUT,
        )
        .unwrap();
    // A multi-destination subscription with one destination added by hand.
    let s2 = aeron
        .add_subscription(
            c"aeron:udp?control-mode=manual",
            9,
            no_available_image_handler(),
            no_unavailable_image_handler(),
            TIMEOUT,
        )
        .unwrap();
    s2.add_destination(&aeron, &format!("aeron:udp?endpoint=127.0.0.1:{d2}").into_c_string(), TIMEOUT).unwrap();
    let publication = aeron
        .add_publication(
            &format!("aeron:udp?control-mode=manual|control=127.0.0.1:{control}").into_c_string(),
            9,
            TIMEOUT,
        )
        .unwrap();
    let add1 = publication
        .async_add_destination(&aeron, &format!("aeron:udp?endpoint=127.0.0.1:{d1}").into_c_string())
        .unwrap();
    let d1_reg = add1.get_registration_id();
    assert!(d1_reg > 0);
    add1.poll_blocking(TIMEOUT).unwrap();
    assert!(add1.poll().is_err(), "a completed request cannot be polled again");
    publication
        .add_destination(&aeron, &format!("aeron:udp?endpoint=127.0.0.1:{d2}").into_c_string(), TIMEOUT)
        .unwrap();
    assert!(wait_until(TIMEOUT, || s1.is_connected() && s2.is_connected()));
    offer_until(&publication, b"to both");
    for s in [&s1, &s2] {
        let mut got = Vec::new();
        assert!(wait_until(TIMEOUT, || {
            s.poll_once(|m: &[u8], _h: AeronHeader<'_>| got.push(m.to_vec()), 10).unwrap();
            !got.is_empty()
        }));
        assert_eq!(got[0], b"to both");
    }
    assert!(s2.local_sockaddrs().unwrap().iter().any(|a| a.ends_with(&format!(":{d2}"))));
    // Remove by id and by URI.
    publication.async_remove_destination_by_id(&aeron, d1_reg).unwrap().poll_blocking(TIMEOUT).unwrap();
    publication
        .remove_destination(&aeron, &format!("aeron:udp?endpoint=127.0.0.1:{d2}").into_c_string(), TIMEOUT)
        .unwrap();
    s2.remove_destination(&aeron, &format!("aeron:udp?endpoint=127.0.0.1:{d2}").into_c_string(), TIMEOUT).unwrap();
    // A bad destination URI is refused with Aeron's message.
    let e = publication.add_destination(&aeron, c"aeron:udp?endpoint=", TIMEOUT).unwrap_err();
    assert!(!e.message().unwrap_or("").is_empty(), "{e:?}");

    // Exclusive publications have the same destination API.
    let control2 = find_unused_udp_port(23300).unwrap();
    let excl = aeron
        .add_exclusive_publication(
            &format!("aeron:udp?control-mode=manual|control=127.0.0.1:{control2}").into_c_string(),
            10,
            TIMEOUT,
        )
        .unwrap();
    let d3 = find_unused_udp_port(23400).unwrap();
    let uri3 = format!("aeron:udp?endpoint=127.0.0.1:{d3}").into_c_string();
    excl.add_destination(&aeron, &uri3, TIMEOUT).unwrap();
    excl.remove_destination(&aeron, &uri3, TIMEOUT).unwrap();
    let add = excl.async_add_destination(&aeron, &uri3).unwrap();
    let id = add.get_registration_id();
    add.poll_blocking(TIMEOUT).unwrap();
    excl.async_remove_destination_by_id(&aeron, id).unwrap().poll_blocking(TIMEOUT).unwrap();
}

#[test]
fn rejected_image_sends_error_frame_to_publisher() {
    let md = MediaDriverProcess::start().unwrap();
    let ctx = md.context().unwrap();
    let frames = std::sync::Arc::new(std::sync::Mutex::new(Vec::<AeronPublicationErrorValues>::new()));
    let f2 = frames.clone();
    let handler = Handlers::leak(move |v: AeronPublicationErrorValues| f2.lock().unwrap().push(v.copy().unwrap()));
    ctx.set_publication_error_frame_handler(Some(&handler)).unwrap();
    let aeron = Aeron::connect(&ctx).unwrap();
    let port = find_unused_udp_port(23500).unwrap();
    let channel = format!("aeron:udp?endpoint=127.0.0.1:{port}").into_c_string();
    let sub = aeron
        .add_subscription(&channel, 11, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    let publication = aeron.add_publication(&channel, 11, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected() && sub.is_connected()));
    let image = sub.image_at_index(0).unwrap();
    image.reject(c"not wanted here").unwrap();
    assert!(wait_until(TIMEOUT, || !frames.lock().unwrap().is_empty()), "no error frame reached the publisher");
    let v = frames.lock().unwrap()[0].clone();
    assert_eq!(v.session_id(), publication.session_id());
    assert_eq!(v.stream_id(), 11);
    assert!(v.error_message().contains("not wanted here"), "{}", v.error_message());
    let _ = (
        v.registration_id(),
        v.destination_registration_id(),
        v.receiver_id(),
        v.group_tag(),
        v.address_type(),
        v.source_port(),
        v.source_address(),
        v.error_code(),
    );
}

#[test]
fn exclusive_async_add_and_next_session_id() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let a = aeron.async_add_exclusive_publication(c"aeron:ipc", 12).unwrap();
    assert!(a.get_registration_id() > 0);
    let p = a.poll_blocking(TIMEOUT).unwrap();
    assert_eq!(a.get_registration_id(), -1);
    assert!(a.poll().is_err());
    assert_eq!(p.stream_id(), 12);
    assert_eq!(p.channel(), "aeron:ipc");
    let ns = AeronAsyncNextSessionId::new(&aeron, 12).unwrap();
    let id = ns.poll_blocking(TIMEOUT).unwrap();
    assert_ne!(id, p.session_id());
    assert!(ns.poll().is_err());
    let sid = aeron.next_session_id(12, TIMEOUT).unwrap();
    assert_ne!(sid, id);
}
