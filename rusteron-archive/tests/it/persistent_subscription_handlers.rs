//! Issue 26, "look for the same patterns elsewhere": the fragments and headers a persistent
//! subscription delivers. The handler's `&[u8]` and `AeronHeader` point into the term buffer (or
//! the reassembly buffer) of the poll that runs it, so the handler must not be able to poll the
//! same persistent subscription again (an inner poll would move the image on and could let the
//! publisher overwrite the outer fragment, or grow the assembler's buffer under it). `poll_once`
//! takes `&mut self`, so re-entry needs interior mutability the caller builds: here, a
//! `thread_local!` `RefCell`, as a hostile handler would. The inner borrow fails; nothing is
//! polled twice. Written without `unsafe`; `scripts/memcheck.sh` runs it under valgrind.
#![forbid(unsafe_code)]

use crate::common::*;
use rusteron_archive::testing::*;
use rusteron_archive::*;
use std::cell::RefCell;
use std::time::{Duration, Instant};

thread_local! {
    static PS: RefCell<Option<AeronArchivePersistentSubscription>> = const { RefCell::new(None) };
}

#[test]
fn persistent_subscription_reached_from_its_own_handler_is_not_polled_twice() {
    let deadline = Instant::now() + Duration::from_secs(120);
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let (aeron, archive) = process.connect().unwrap();
    let control_port = find_unused_udp_port(44_000).unwrap();
    let live = format!("aeron:udp?control-mode=dynamic|control=localhost:{control_port}|term-length=65536");
    let stream_id = 8101;
    let publication = aeron.add_exclusive_publication(&c(&live), stream_id, TIMEOUT).unwrap();
    archive.start_recording(&c(&live), stream_id, SOURCE_LOCATION_LOCAL, false).unwrap();
    let end = publish_sequence(&publication, 0, 200);
    let recording_id = await_recording_position(&aeron, &archive, publication.session_id(), end);

    let ctx = AeronArchivePersistentSubscriptionContext::new().unwrap();
    ctx.set_aeron(&aeron).unwrap();
    ctx.set_archive_context(&process.archive_context(&aeron).unwrap()).unwrap();
    ctx.set_recording_id(recording_id).unwrap();
    ctx.set_live_channel(&c(&format!("aeron:udp?control-mode=dynamic|control=localhost:{control_port}"))).unwrap();
    ctx.set_live_stream_id(stream_id).unwrap();
    ctx.set_replay_channel(c"aeron:udp?endpoint=localhost:0").unwrap();
    ctx.set_replay_stream_id(8102).unwrap();
    ctx.set_start_position(AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START).unwrap();
    PS.with(|ps| *ps.borrow_mut() = Some(AeronArchivePersistentSubscription::create(&ctx).expect("create")));

    // Every handler call tries to poll the subscription it is called from. The attempt is
    // refused (the RefCell is borrowed by the outer poll); the fragment and header stay valid
    // and consistent while the handler runs.
    let mut received: Vec<u64> = Vec::new();
    let mut last_position = 0i64;
    let mut refused = 0usize;
    let mut next = 200u64;
    while !(received.len() as u64 == next && next >= 400) {
        assert!(Instant::now() < deadline, "received {} of {next}", received.len());
        if next < 400 && publication.offer(&next.to_le_bytes()).is_ok() {
            next += 1;
        }
        let polled = PS.with(|cell| {
            let mut outer = cell.borrow_mut();
            let ps = outer.as_mut().unwrap();
            assert!(!ps.has_failed(), "{:?}", ps.failure_reason());
            ps.poll_once(
                |msg: &[u8], header: AeronHeader<'_>| {
                    let before = msg.to_vec();
                    let inner = PS.with(|cell| match cell.try_borrow_mut() {
                        Ok(mut inner) => inner.as_mut().map(|ps| ps.poll_once(|_m: &[u8], _h: AeronHeader<'_>| {}, 10)),
                        Err(_) => None,
                    });
                    assert!(inner.is_none(), "the persistent subscription was polled from its own handler");
                    refused += 1;
                    assert_eq!(msg, &before[..], "the fragment changed while the handler ran");
                    assert_eq!(header.frame_length() as usize, msg.len() + 32);
                    assert!([stream_id, 8102].contains(&header.stream_id()), "live or replay stream");
                    let position = header.position();
                    assert!(position > last_position, "positions move on: {position} after {last_position}");
                    last_position = position;
                    received.push(u64::from_le_bytes(msg[..8].try_into().unwrap()));
                },
                10,
            )
        });
        polled.unwrap();
    }
    assert_eq!(received, (0..next).collect::<Vec<_>>());
    assert_eq!(refused, received.len());
    PS.with(|ps| drop(ps.borrow_mut().take()));
}
