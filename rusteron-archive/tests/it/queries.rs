//! Queries and stop operations against one real Java archive: listing recording subscriptions
//! (filters and paging), find_last_matching_recording, get_max_recorded_position, stopping
//! recordings by subscription / channel and stream / identity, stop_all_replays with two active
//! replays, the descriptor pollers driven by hand, and the error codes the archive gives.

use crate::common::*;
use rusteron_archive::testing::*;
use rusteron_archive::*;
use std::sync::{Arc, Mutex};

const CHANNEL: &str = "aeron:ipc?term-length=65536";
/// Archive error codes arrive as `-(200 + code)` (`aeron_archive_client_map_archive_to_client_error_code`).
const UNKNOWN_SUBSCRIPTION: i32 = -(200 + 4);
const UNKNOWN_RECORDING: i32 = -(200 + 5);
const UNKNOWN_REPLAY: i32 = -(200 + 6);

fn subscriptions(
    archive: &AeronArchive,
    pseudo_index: i32,
    count: i32,
    fragment: &str,
    stream_id: i32,
    apply_stream_id: bool,
) -> Vec<AeronArchiveRecordingSubscriptionDescriptor> {
    let mut v = Vec::new();
    let n = archive
        .list_recording_subscriptions(
            pseudo_index,
            count,
            &c(fragment),
            stream_id,
            apply_stream_id,
            |d: AeronArchiveRecordingSubscriptionDescriptor| v.push(d),
        )
        .unwrap();
    assert_eq!(n as usize, v.len(), "the count returned is the number of descriptors delivered");
    v
}

#[test]
fn queries_stops_replays_pollers_and_error_codes() {
    let t0 = std::time::Instant::now();
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive starts");
    let (aeron, archive) = process.connect().unwrap();

    // ---- Recording subscriptions: filters and paging ---------------------------------------
    let udp = format!("aeron:udp?endpoint=localhost:{}", find_unused_udp_port(43_000).unwrap());
    let s_ipc_1 = archive.start_recording(c"aeron:ipc", 8001, SOURCE_LOCATION_LOCAL, false).unwrap();
    let s_ipc_2 = archive.start_recording(c"aeron:ipc", 8002, SOURCE_LOCATION_LOCAL, false).unwrap();
    let s_udp_1 = archive.start_recording(&c(&udp), 8001, SOURCE_LOCATION_LOCAL, false).unwrap();
    let ids = |v: Vec<AeronArchiveRecordingSubscriptionDescriptor>| {
        let mut ids: Vec<i64> = v.iter().map(|d| d.subscription_id).collect();
        ids.sort();
        ids
    };
    let mut all = vec![s_ipc_1, s_ipc_2, s_udp_1];
    all.sort();
    assert_eq!(ids(subscriptions(&archive, 0, 10, "", 0, false)), all, "empty fragment, any stream: all three");
    assert_eq!(ids(subscriptions(&archive, 0, 10, "ipc", 0, false)), sorted(vec![s_ipc_1, s_ipc_2]));
    assert_eq!(ids(subscriptions(&archive, 0, 10, "", 8001, true)), sorted(vec![s_ipc_1, s_udp_1]));
    let one = subscriptions(&archive, 0, 10, "udp", 8001, true);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].subscription_id, s_udp_1);
    assert_eq!(one[0].stream_id, 8001);
    assert_eq!(one[0].stripped_channel(), format!("aeron-spy:{udp}"), "a local UDP recording is a spy");
    assert!(subscriptions(&archive, 0, 10, "udp", 8002, true).is_empty());
    assert!(subscriptions(&archive, 0, 10, "aeron:ipc?alias=none", 0, false).is_empty());
    // Paging: one at a time, by pseudo index, covers all three exactly once.
    let mut paged = Vec::new();
    for i in 0..3 {
        let page = subscriptions(&archive, i, 1, "", 0, false);
        assert_eq!(page.len(), 1, "page {i}");
        paged.push(page[0].subscription_id);
    }
    assert_eq!(sorted(paged), all);
    assert!(subscriptions(&archive, 3, 10, "", 0, false).is_empty(), "past the last subscription");
    assert!(subscriptions(&archive, 0, 0, "", 0, false).is_empty(), "asking for none");

    // ---- Stopping recordings --------------------------------------------------------------
    // By channel and stream: only the matching subscription goes.
    archive.stop_recording_channel_and_stream(&c(&udp), 8001).expect("stop by channel and stream");
    assert_eq!(ids(subscriptions(&archive, 0, 10, "", 0, false)), sorted(vec![s_ipc_1, s_ipc_2]));
    assert!(!archive.try_stop_recording_channel_and_stream(&c(&udp), 8001).unwrap(), "already stopped");
    let e = archive.stop_recording_channel_and_stream(&c(&udp), 8001).expect_err("already stopped");
    println!("stop by channel and stream twice: {e}");
    assert_eq!(e.code, UNKNOWN_SUBSCRIPTION, "{e}");
    // By subscription id.
    assert!(archive.try_stop_recording_subscription(s_ipc_2).unwrap());
    assert!(!archive.try_stop_recording_subscription(s_ipc_2).unwrap());
    let e = archive.stop_recording_subscription(s_ipc_2).expect_err("already stopped");
    assert_eq!(e.code, UNKNOWN_SUBSCRIPTION, "{e}");
    assert_eq!(ids(subscriptions(&archive, 0, 10, "", 0, false)), vec![s_ipc_1]);

    // ---- A live recording: positions, identity stop, find_last_matching -------------------
    // s_ipc_1 records every IPC publication on 8001. Two publications = two recordings.
    let p1 = aeron.add_exclusive_publication(&c(CHANNEL), 8001, TIMEOUT).unwrap();
    let p2 = aeron.add_exclusive_publication(&c(CHANNEL), 8001, TIMEOUT).unwrap();
    let end1 = publish_sequence(&p1, 0, 300);
    let end2 = publish_sequence(&p2, 0, 200);
    let r1 = await_recording_position(&aeron, &archive, p1.session_id(), end1);
    let r2 = await_recording_position(&aeron, &archive, p2.session_id(), end2);
    assert_ne!(r1, r2);
    // Active: the max recorded position is the live position; there is no stop position.
    assert_eq!(archive.get_stop_position(r1).unwrap(), -1);
    assert_eq!(archive.get_max_recorded_position(r1).unwrap(), end1);
    assert_eq!(archive.get_recording_position(r1).unwrap(), end1);
    let end1b = publish_sequence(&p1, 300, 100);
    assert!(wait_until(TIMEOUT, || archive.get_max_recorded_position(r1).unwrap() == end1b));

    // find_last_matching_recording: by session, channel fragment, stream and minimum id.
    assert_eq!(archive.find_last_matching_recording(0, c"aeron:ipc", 8001, p1.session_id()).unwrap(), r1);
    assert_eq!(archive.find_last_matching_recording(0, c"ipc", 8001, p2.session_id()).unwrap(), r2);
    assert_eq!(archive.find_last_matching_recording(0, c"udp", 8001, p1.session_id()).unwrap(), -1);
    assert_eq!(archive.find_last_matching_recording(0, c"aeron:ipc", 8002, p1.session_id()).unwrap(), -1);
    assert_eq!(archive.find_last_matching_recording(0, c"aeron:ipc", 8001, p1.session_id() ^ 0x5555).unwrap(), -1);
    assert_eq!(archive.find_last_matching_recording(r1.max(r2) + 1, c"aeron:ipc", 8001, p1.session_id()).unwrap(), -1);

    // Stop r1 by identity: true, its stop position is where it got to, r2 goes on; again: false.
    assert!(archive.try_stop_recording_by_identity(r1).unwrap());
    assert!(wait_until(TIMEOUT, || archive.get_stop_position(r1).unwrap_or(-1) == end1b));
    assert_eq!(archive.get_max_recorded_position(r1).unwrap(), end1b, "stopped: the stop position");
    assert!(!archive.try_stop_recording_by_identity(r1).unwrap(), "no longer active");
    let e = archive.try_stop_recording_by_identity(987_654).expect_err("unknown recording");
    assert_eq!(e.code, UNKNOWN_RECORDING, "{e}");
    // The subscription that recorded r1 is no longer listed; r2 records until its image goes.
    println!(
        "after stop by identity: r2 stop={:?}, subscriptions={:?}",
        archive.get_stop_position(r2),
        subscriptions(&archive, 0, 10, "", 0, false)
    );
    assert!(subscriptions(&archive, 0, 10, "", 0, false).is_empty());
    drop(p2);
    assert!(wait_until(TIMEOUT, || archive.get_stop_position(r2).unwrap_or(-1) == end2));
    assert_eq!(archive.get_max_recorded_position(r2).unwrap(), end2);

    // The same session recorded again (a recording subscription for its session only): the last
    // matching recording is the newer one, and it starts where the publication had got to.
    let sub = archive
        .start_recording(&c(&format!("aeron:ipc?session-id={}", p1.session_id())), 8001, SOURCE_LOCATION_LOCAL, false)
        .unwrap();
    let end1c = publish_sequence(&p1, 400, 50);
    let r3 = await_recording_position(&aeron, &archive, p1.session_id(), end1c);
    assert!(r3 > r2);
    assert_eq!(archive.get_start_position(r3).unwrap(), end1b, "the new recording starts where p1 was");
    assert_eq!(archive.find_last_matching_recording(0, c"aeron:ipc", 8001, p1.session_id()).unwrap(), r3);
    assert_eq!(archive.find_last_matching_recording(0, c"aeron:ipc", 8001, p2_session(r2, &archive)).unwrap(), r2);
    // stop_recording_exclusive_publication names the channel with the publication's session id.
    archive.stop_recording_exclusive_publication(&p1).expect("stop recording the publication");
    assert!(wait_until(TIMEOUT, || archive.get_stop_position(r3).unwrap_or(-1) == end1c));
    assert!(!archive.try_stop_recording_subscription(sub).unwrap(), "stopped with the publication");
    drop(p1);

    // Unknown recordings: the archive's UNKNOWN_RECORDING code, for every query.
    for (what, r) in [
        ("get_start_position", archive.get_start_position(987_654)),
        ("get_stop_position", archive.get_stop_position(987_654)),
        ("get_max_recorded_position", archive.get_max_recorded_position(987_654)),
        ("get_recording_position", archive.get_recording_position(987_654)),
        ("truncate_recording", archive.truncate_recording(987_654, 0)),
        ("purge_recording", archive.purge_recording(987_654)),
    ] {
        match r {
            Err(e) => {
                assert_eq!(e.code, UNKNOWN_RECORDING, "{what}: {e}");
                assert!(e.message().unwrap_or("").contains("errorCode=5"), "{what}: {e}");
            }
            // The position of a recording that is not active is -1, known or not.
            Ok(v) => assert!(what == "get_recording_position" && v == -1, "{what} gave {v}"),
        }
    }
    println!("queries done in {:?}", t0.elapsed());

    // ---- stop_all_replays with two active replays --------------------------------------------
    // A recording long enough that replays into subscriptions nobody polls stay active (flow
    // controlled by the receivers' windows).
    let count = 40_000u64;
    let rec_sub = archive.start_recording(&c(CHANNEL), 8003, SOURCE_LOCATION_LOCAL, false).unwrap();
    let p = aeron.add_exclusive_publication(&c(CHANNEL), 8003, TIMEOUT).unwrap();
    let end = publish_sequence(&p, 0, count);
    let long = await_recording_position(&aeron, &archive, p.session_id(), end);
    archive.stop_recording_subscription(rec_sub).unwrap();
    assert!(wait_until(TIMEOUT, || archive.get_stop_position(long).unwrap_or(-1) == end));
    drop(p);

    let params = AeronArchiveReplayParams::new_default().unwrap();
    let ch_a = replay_channel();
    let ch_b = replay_channel();
    let sub_a = add_subscription(&aeron, &ch_a, 8101);
    let sub_b = add_subscription(&aeron, &ch_b, 8102);
    let replay_a = archive.start_replay(long, &c(&ch_a), 8101, &params).unwrap();
    let replay_b = archive.start_replay(long, &c(&ch_b), 8102, &params).unwrap();
    assert_ne!(replay_a, replay_b);
    assert!(wait_until(TIMEOUT, || sub_a.is_connected() && sub_b.is_connected()), "both replays connect");
    // Read a little of each, so both are known to be running.
    assert_eq!(collect_u64(&sub_a, 10), (0..10).collect::<Vec<_>>());
    assert_eq!(collect_u64(&sub_b, 10), (0..10).collect::<Vec<_>>());
    // Another recording's replays are not touched by stop_all_replays(long)... there are none,
    // and stopping all replays of an unknown recording is not an error.
    archive.stop_all_replays(long + 1000).expect("no replays of that recording");
    archive.stop_all_replays(long).expect("stop all replays");
    assert!(
        wait_until(TIMEOUT, || {
            let _ = sub_a.poll_once(|_b: &[u8], _h: AeronHeader<'_>| {}, 1000);
            let _ = sub_b.poll_once(|_b: &[u8], _h: AeronHeader<'_>| {}, 1000);
            !sub_a.is_connected() && !sub_b.is_connected()
        }),
        "both replay images went away"
    );
    // Both replay sessions are gone. Stopping one again is harmless: the pinned Java archive
    // (1.51) answers OK for a replay it does not know; newer ones answer UNKNOWN_REPLAY.
    for id in [replay_a, replay_b, 999_999_999] {
        match archive.stop_replay(id) {
            Ok(_) => {}
            Err(e) => assert_eq!(e.code, UNKNOWN_REPLAY, "{e}"),
        }
    }
    // stop_all_replays with no recording (-1) stops every replay of every recording.
    let sub_c = add_subscription(&aeron, &ch_a, 8103);
    let replay_c = archive.start_replay(long, &c(&ch_a), 8103, &params).unwrap();
    assert_eq!(collect_u64(&sub_c, 10), (0..10).collect::<Vec<_>>());
    archive.stop_all_replays(-1).expect("stop every replay");
    assert!(wait_until(TIMEOUT, || {
        let _ = sub_c.poll_once(|_b: &[u8], _h: AeronHeader<'_>| {}, 1000);
        !sub_c.is_connected()
    }));
    if let Err(e) = archive.stop_replay(replay_c) {
        assert_eq!(e.code, UNKNOWN_REPLAY, "{e}");
    }
    println!("replays done in {:?}", t0.elapsed());

    // ---- The descriptor pollers, driven by hand through a proxy -------------------------------
    let response_channel = format!("aeron:udp?endpoint=localhost:{}", find_unused_udp_port(44_000).unwrap());
    let responses = add_subscription(&aeron, &response_channel, 88);
    let request = aeron.add_exclusive_publication(&c(process.control_request_channel()), 10, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || request.is_connected()));
    let proxy_ctx = process.archive_context(&aeron).unwrap();
    let proxy = AeronArchiveProxy::new(&proxy_ctx, &request, 3).unwrap();
    let poller = AeronArchiveControlResponsePoller::new(&responses, 10).unwrap();
    let connect_id = aeron.next_correlation_id();
    assert!(wait_until(TIMEOUT, || proxy.try_connect(&c(&response_channel), 88, connect_id)));
    assert!(wait_until(TIMEOUT, || {
        poller.poll().unwrap();
        poller.is_poll_complete() && poller.correlation_id() == connect_id
    }));
    assert!(poller.is_code_ok(), "{}", poller.error_message());
    let session = poller.relevant_id();
    proxy.set_control_session_id(session).unwrap();

    // Recording descriptors: all five recordings (r1, r2, r3, long and whatever else exists),
    // asked for in a page of 2 and then the rest.
    let expected = archive.list_recordings_vec(0, 100).unwrap();
    assert!(expected.len() >= 4, "{expected:?}");
    let got: Arc<Mutex<Vec<AeronArchiveRecordingDescriptor>>> = Arc::default();
    let sink = got.clone();
    let consumer = Handlers::leak(move |d: AeronArchiveRecordingDescriptor| sink.lock().unwrap().push(d));
    let rec_poller = AeronArchiveRecordingDescriptorPoller::new(&proxy_ctx, &responses, session, 10).unwrap();
    let list_id = aeron.next_correlation_id();
    rec_poller.reset(list_id, 2, &consumer);
    assert_eq!(rec_poller.remaining_record_count(), 2);
    assert!(proxy.list_recordings(list_id, 0, 2));
    assert!(wait_until(TIMEOUT, || {
        rec_poller.poll().unwrap();
        rec_poller.is_dispatch_complete()
    }));
    assert_eq!(rec_poller.remaining_record_count(), 0);
    assert_eq!(keys(&got.lock().unwrap()), keys(&expected[..2]), "the same descriptors as list_recordings");
    assert!(got.lock().unwrap().iter().all(|d| d.control_session_id == session && d.correlation_id == list_id));
    got.lock().unwrap().clear();
    let list_id = aeron.next_correlation_id();
    rec_poller.reset(list_id, 100, &consumer);
    assert!(proxy.list_recordings(list_id, expected[2].recording_id, 100));
    assert!(wait_until(TIMEOUT, || {
        rec_poller.poll().unwrap();
        rec_poller.is_dispatch_complete()
    }));
    assert_eq!(keys(&got.lock().unwrap()), keys(&expected[2..]));
    assert!(rec_poller.remaining_record_count() > 0, "fewer than asked for: the rest stays unfilled");

    // Recording subscription descriptors: two live subscriptions, listed through the poller.
    let live_a = archive.start_recording(c"aeron:ipc", 8201, SOURCE_LOCATION_LOCAL, false).unwrap();
    let live_b = archive.start_recording(c"aeron:ipc", 8202, SOURCE_LOCATION_LOCAL, false).unwrap();
    let subs_got: Arc<Mutex<Vec<AeronArchiveRecordingSubscriptionDescriptor>>> = Arc::default();
    let sink = subs_got.clone();
    let sub_consumer =
        Handlers::leak(move |d: AeronArchiveRecordingSubscriptionDescriptor| sink.lock().unwrap().push(d));
    let sub_poller =
        AeronArchiveRecordingSubscriptionDescriptorPoller::new(&proxy_ctx, &responses, session, 10).unwrap();
    let list_id = aeron.next_correlation_id();
    sub_poller.reset(list_id, 10, &sub_consumer);
    assert!(proxy.list_recording_subscriptions(list_id, 0, 10, c"ipc", 0, false));
    assert!(wait_until(TIMEOUT, || {
        sub_poller.poll().unwrap();
        sub_poller.is_dispatch_complete()
    }));
    let listed = subs_got.lock().unwrap().clone();
    assert_eq!(sorted(listed.iter().map(|d| d.subscription_id).collect()), sorted(vec![live_a, live_b]));
    assert!(listed.iter().all(|d| d.control_session_id == session && d.correlation_id == list_id));
    assert_eq!(sub_poller.remaining_subscription_count(), 8);
    // Filtered by stream through the proxy: only one.
    subs_got.lock().unwrap().clear();
    let list_id = aeron.next_correlation_id();
    sub_poller.reset(list_id, 10, &sub_consumer);
    assert!(proxy.list_recording_subscriptions(list_id, 0, 10, c"ipc", 8202, true));
    assert!(wait_until(TIMEOUT, || {
        sub_poller.poll().unwrap();
        sub_poller.is_dispatch_complete()
    }));
    assert_eq!(subs_got.lock().unwrap().iter().map(|d| d.subscription_id).collect::<Vec<_>>(), vec![live_b]);
    assert!(proxy.close_session());
    archive.stop_recording_subscription(live_a).unwrap();
    archive.stop_recording_subscription(live_b).unwrap();
    drop(consumer);
    drop(sub_consumer);
    println!("all done in {:?}", t0.elapsed());
}

/// A descriptor without the request's ids (control session and correlation id).
fn keys(v: &[AeronArchiveRecordingDescriptor]) -> Vec<(i64, i64, i64, i32, i32, String)> {
    v.iter()
        .map(|d| {
            (d.recording_id, d.start_position, d.stop_position, d.session_id, d.stream_id, d.original_channel().into())
        })
        .collect()
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort();
    v
}

fn p2_session(recording_id: i64, archive: &AeronArchive) -> i32 {
    let mut s = 0;
    archive.list_recording(recording_id, |d: AeronArchiveRecordingDescriptor| s = d.session_id).unwrap();
    s
}
