//! The persistent subscription of Aeron 1.54: replay a recording, then join the live stream.

use crate::common::*;
use rusteron_archive::testing::*;
use rusteron_archive::*;
use std::time::{Duration, Instant};

#[test]
fn persistent_subscription_replays_then_goes_live() {
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let (aeron, archive) = process.connect().unwrap();
    let control_port = find_unused_udp_port(43_000).unwrap();
    let live = format!("aeron:udp?control-mode=dynamic|control=localhost:{control_port}|term-length=65536");
    let stream_id = 8001;
    let publication = aeron.add_exclusive_publication(&c(&live), stream_id, TIMEOUT).unwrap();
    archive.start_recording(&c(&live), stream_id, SOURCE_LOCATION_LOCAL, false).unwrap();
    let end = publish_sequence(&publication, 0, 1_000);
    let recording_id = await_recording_position(&aeron, &archive, publication.session_id(), end);

    let ctx = AeronArchivePersistentSubscriptionContext::new().unwrap();
    ctx.set_aeron(&aeron).unwrap();
    let archive_context = process.archive_context(&aeron).unwrap();
    ctx.set_archive_context(&archive_context).unwrap();
    // The persistent subscription took a copy: the original stays settable, and a broken
    // control channel set on it now does not reach the subscription.
    archive_context.set_control_request_channel(c"aeron:udp?endpoint=localhost:9").unwrap();
    ctx.set_recording_id(recording_id).unwrap();
    ctx.set_live_channel(&c(&format!("aeron:udp?control-mode=dynamic|control=localhost:{control_port}"))).unwrap();
    ctx.set_live_stream_id(stream_id).unwrap();
    ctx.set_replay_channel(c"aeron:udp?endpoint=localhost:0").unwrap();
    ctx.set_replay_stream_id(8002).unwrap();
    ctx.set_start_position(AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START).unwrap();
    assert_eq!(ctx.get_live_stream_id(), stream_id);
    let mut ps = AeronArchivePersistentSubscription::create(&ctx).expect("create");
    assert!(AeronArchivePersistentSubscription::create(&ctx).is_err(), "a context serves one subscription");
    archive_context.set_message_timeout_ns(1_000_000_000).expect("the original stays settable while it runs");

    let mut received = Vec::new();
    let mut next = 1_000u64;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !(ps.is_live() && received.len() as u64 == next) {
        assert!(
            Instant::now() < deadline,
            "not live: replaying={} failed={:?} received={}",
            ps.is_replaying(),
            ps.failure_reason(),
            received.len()
        );
        assert!(!ps.has_failed(), "{:?}", ps.failure_reason());
        if next < 3_000 && publication.offer(&next.to_le_bytes()).is_ok() {
            next += 1;
        }
        ps.poll_once(|b: &[u8], _h: AeronHeader<'_>| received.push(u64::from_le_bytes(b[..8].try_into().unwrap())), 10)
            .unwrap();
    }
    assert_eq!(received, (0..next).collect::<Vec<_>>());
    println!("persistent subscription: {} messages, live={}", received.len(), ps.is_live());
}
