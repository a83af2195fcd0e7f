//! try_claim commit/abort, and how offer results map to error kinds against a real driver.

use rusteron_client::testing::*;
use rusteron_client::*;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(10);

fn no_image() -> Option<&'static Handler<AeronAvailableImageLogger>> {
    no_available_image_handler()
}

#[test]
fn try_claim_commit_delivers_and_abort_delivers_nothing() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let sub = aeron.add_subscription(c"aeron:ipc", 3, no_image(), no_unavailable_image_handler(), TIMEOUT).unwrap();
    let publication = aeron.add_exclusive_publication(c"aeron:ipc", 3, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected()));

    let mut claim = publication.try_claim(8).unwrap();
    claim.data().copy_from_slice(&1u64.to_le_bytes());
    claim.set_reserved_value(77);
    claim.commit().unwrap();

    let mut aborted = publication.try_claim(8).unwrap();
    aborted.data().copy_from_slice(&2u64.to_le_bytes());
    aborted.abort().unwrap();

    {
        // Dropped without commit: aborted too.
        let mut dropped = publication.try_claim(8).unwrap();
        dropped.data().copy_from_slice(&3u64.to_le_bytes());
    }

    let mut claim = publication.try_claim(8).unwrap();
    claim.data().copy_from_slice(&4u64.to_le_bytes());
    let last_pos = claim.position();
    claim.commit().unwrap();

    let mut got = Vec::new();
    let mut reserved = Vec::new();
    assert!(wait_until(TIMEOUT, || {
        sub.poll_once(
            |m: &[u8], h: AeronHeader<'_>| {
                got.push(u64::from_le_bytes(m.try_into().unwrap()));
                reserved.push(h.reserved_value());
            },
            10,
        )
        .unwrap();
        got.len() >= 2 && sub.image_at_index(0).map(|i| i.position() >= last_pos).unwrap_or(false)
    }));
    assert_eq!(got, vec![1, 4], "aborted claims must not be delivered; the stream must continue");
    assert_eq!(reserved[0], 77);
}

#[test]
fn offer_without_subscriber_is_not_connected() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 4, TIMEOUT).unwrap();
    let e = publication.offer(b"hello").unwrap_err();
    assert_eq!(e.kind(), AeronErrorType::NullOrNotConnected);
    assert!(e.kind().is_retryable());
    let e = publication.try_claim(5).unwrap_err();
    assert_eq!(e.kind(), AeronErrorType::NullOrNotConnected);
}

#[test]
fn offer_is_back_pressured_when_subscriber_does_not_poll() {
    // Term length 64 KiB (the helper's default): a few hundred KiB unread fills the window.
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let _sub = aeron.add_subscription(c"aeron:ipc", 5, no_image(), no_unavailable_image_handler(), TIMEOUT).unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 5, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected()));
    let msg = [7u8; 1000];
    let deadline = Instant::now() + TIMEOUT;
    let kind = loop {
        match publication.offer(&msg) {
            Ok(_) => {}
            Err(e) if e.kind() == AeronErrorType::PublicationAdminAction => {}
            Err(e) => break e.kind(),
        }
        assert!(Instant::now() < deadline, "never back pressured");
    };
    assert_eq!(kind, AeronErrorType::PublicationBackPressured);
    assert!(publication.position() <= publication.position_limit() + 2048);
}

#[test]
fn offer_fails_closed_after_driver_dies_and_error_handler_fires() {
    let mut md = MediaDriverProcess::start().unwrap();
    let ctx = md.context().unwrap();
    ctx.set_driver_timeout_ms(1000).unwrap();
    let errors = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(i32, String)>::new()));
    let e2 = errors.clone();
    let handler = Handlers::leak(move |code: i32, msg: &str| e2.lock().unwrap().push((code, msg.to_string())));
    ctx.set_error_handler(Some(&handler)).unwrap();
    let aeron = Aeron::connect(&ctx).unwrap();
    let sub = aeron.add_subscription(c"aeron:ipc", 6, no_image(), no_unavailable_image_handler(), TIMEOUT).unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 6, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected()));
    publication.offer(b"before").unwrap();

    md.kill();
    let mut last = None;
    let ok = wait_until(Duration::from_secs(15), || match publication.offer(b"after") {
        Err(e)
            if matches!(e.kind(), AeronErrorType::PublicationClosed | AeronErrorType::NullOrNotConnected)
                && aeron.is_closed() =>
        {
            last = Some(e.kind());
            true
        }
        _ => false,
    });
    assert!(ok, "publication did not report closed after the driver timeout");
    assert!(last.is_some());
    assert!(
        wait_until(TIMEOUT, || errors.lock().unwrap().iter().any(|(code, msg)| {
            AeronErrorType::from_code(*code) == AeronErrorType::ClientErrorDriverTimeout || msg.contains("timeout")
        })),
        "error handler did not report the driver timeout: {:?}",
        errors.lock().unwrap()
    );
    drop(sub);
    drop(publication);
    drop(aeron);
}

#[test]
fn malformed_uri_gives_aeron_message() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let e = aeron.add_publication(c"aeron:udp?endpoint=", 1, TIMEOUT).unwrap_err();
    let msg = e.message().expect("Aeron's own message");
    assert!(!msg.is_empty());
    let lower = msg.to_lowercase();
    assert!(
        lower.contains("uri") || lower.contains("channel") || lower.contains("endpoint"),
        "unhelpful message: {msg}"
    );
    let e = aeron.add_subscription(c"not-a-uri", 1, no_image(), no_unavailable_image_handler(), TIMEOUT).unwrap_err();
    assert!(!e.message().unwrap_or("").is_empty());
}

#[test]
fn exclusive_publication_padding_sockaddrs_and_offer_block_errors() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let port = find_unused_udp_port(22000).unwrap();
    let channel = format!("aeron:udp?endpoint=127.0.0.1:{port}").into_c_string();
    let sub = aeron.add_subscription(&channel, 8, no_image(), no_unavailable_image_handler(), TIMEOUT).unwrap();
    let publication = aeron.add_exclusive_publication(&channel, 8, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected()));
    let p0 = publication.position();
    let p1 = publication.append_padding(256).unwrap();
    assert!(p1 > p0);
    publication.offer(b"after padding").unwrap();
    let mut got = Vec::new();
    assert!(wait_until(TIMEOUT, || {
        sub.poll_once(|m: &[u8], _h: AeronHeader<'_>| got.push(m.to_vec()), 10).unwrap();
        !got.is_empty()
    }));
    assert_eq!(got[0], b"after padding");
    // A block that is not a valid frame is refused with Aeron's message, not a crash.
    let e = publication.offer_block(&[0u8; 64]).unwrap_err();
    assert!(e.message().is_some(), "{e:?}");
    // Short or torn blocks are refused before C reads a header from them.
    for bad in [&[][..], &[0u8; 4][..], &[0u8; 40][..]] {
        let e = publication.offer_block(bad).unwrap_err();
        assert!(e.message().unwrap_or("").contains("offer_block"), "{e:?}");
    }
    let mut runs_past = [0u8; 64];
    runs_past[..4].copy_from_slice(&100i32.to_le_bytes());
    assert!(publication.offer_block(&runs_past).unwrap_err().message().unwrap_or("").contains("runs past"));
    // A well-formed block of one frame is appended and received.
    let c = publication.get_constants().unwrap();
    let position = publication.position();
    let term_offset = (position & (c.term_buffer_length as i64 - 1)) as i32;
    let term_id = c.initial_term_id + (position >> c.position_bits_to_shift) as i32;
    let mut frame = [0u8; 64];
    frame[0..4].copy_from_slice(&64i32.to_le_bytes()); // frame length: header + 32 bytes
    frame[5] = 0xC0; // begin and end of message
    frame[6..8].copy_from_slice(&1u16.to_le_bytes()); // data frame
    frame[8..12].copy_from_slice(&term_offset.to_le_bytes());
    frame[12..16].copy_from_slice(&c.session_id.to_le_bytes());
    frame[16..20].copy_from_slice(&c.stream_id.to_le_bytes());
    frame[20..24].copy_from_slice(&term_id.to_le_bytes());
    frame[32..].copy_from_slice(&[7u8; 32]);
    assert!(publication.offer_block(&frame).unwrap() > position);
    let mut block = Vec::new();
    assert!(wait_until(TIMEOUT, || {
        sub.poll_once(|m: &[u8], _h: AeronHeader<'_>| block.push(m.to_vec()), 10).unwrap();
        !block.is_empty()
    }));
    assert_eq!(block[0], vec![7u8; 32]);
    let addrs = sub.local_sockaddrs().unwrap();
    assert!(addrs.iter().any(|a| a.ends_with(&format!(":{port}"))), "{addrs:?}");
    assert_eq!(sub.resolved_endpoint().unwrap().unwrap(), format!("127.0.0.1:{port}"));
    let resolved = sub.try_resolve_channel_endpoint_port().unwrap().unwrap();
    assert!(resolved.contains(&port.to_string()), "{resolved}");
    let _ = publication.local_sockaddrs().unwrap();
    let img = sub.image_at_index(0).unwrap();
    assert!(img.active_transport_count().unwrap() >= 0);
    assert!(!img.is_publication_revoked());
}

#[test]
fn revoke_closes_exclusive_publication_and_notifies() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let sub = aeron.add_subscription(c"aeron:ipc", 9, no_image(), no_unavailable_image_handler(), TIMEOUT).unwrap();
    let publication = aeron.add_exclusive_publication(c"aeron:ipc", 9, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || sub.is_connected()));
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let d = done.clone();
    let notify = Handlers::leak(move || d.store(true, std::sync::atomic::Ordering::SeqCst));
    assert!(publication.revoke(Some(&notify)).unwrap());
    assert!(wait_until(TIMEOUT, || done.load(std::sync::atomic::Ordering::SeqCst)), "close notification not called");
    assert!(wait_until(TIMEOUT, || sub.image_count().unwrap() == 0));
}
