//! The seven-step archive workflow against the real Java archive, plus bounded replay, replay
//! from a position, listing by URI and stream, and the position queries.

use crate::common::*;
use rusteron_archive::testing::*;
use rusteron_archive::*;

#[test]
fn seven_step_workflow_then_replays_and_queries() {
    let t0 = std::time::Instant::now();
    // 1. Contexts and clients.
    let archive_process = EmbeddedArchiveMediaDriverProcess::start().expect("archive starts");
    let (aeron, archive) = archive_process.connect().expect("connect");
    assert!(archive.get_archive_id() == archive_process.archive_id());
    assert!(archive.control_session_id() >= 0);

    // 2. Start recording.
    let channel = "aeron:ipc?term-length=65536";
    let stream_id = 1001;
    let subscription_id =
        archive.start_recording(&c(channel), stream_id, SOURCE_LOCATION_LOCAL, false).expect("start recording");
    assert!(subscription_id >= 0);
    let mut subs = Vec::new();
    let n = archive
        .list_recording_subscriptions(
            0,
            10,
            c"aeron:ipc",
            stream_id,
            true,
            |d: AeronArchiveRecordingSubscriptionDescriptor| subs.push(d),
        )
        .expect("list subscriptions");
    assert_eq!(n, 1);
    assert_eq!(subs[0].subscription_id, subscription_id);
    assert_eq!(subs[0].stream_id, stream_id);
    assert!(subs[0].stripped_channel().starts_with("aeron:ipc"), "{}", subs[0].stripped_channel());

    // 3. Publish.
    let publication = aeron.add_exclusive_publication(&c(channel), stream_id, TIMEOUT).expect("publication");
    let count = 5_000u64;
    let end = publish_sequence(&publication, 0, count);
    let recording_id = await_recording_position(&aeron, &archive, publication.session_id(), end);
    assert!(archive.get_recording_position(recording_id).unwrap() >= end);
    assert_eq!(archive.get_stop_position(recording_id).unwrap(), -1, "active recording has no stop position");

    // 4. Stop recording.
    archive.stop_recording_subscription(subscription_id).expect("stop recording");
    assert!(wait_until(TIMEOUT, || archive.get_stop_position(recording_id).unwrap_or(-1) == end));
    assert!(!archive.try_stop_recording_subscription(subscription_id).unwrap(), "already stopped");

    // 5. Find the recording.
    let found =
        archive.find_last_matching_recording(0, c"aeron:ipc", stream_id, publication.session_id()).expect("find");
    assert_eq!(found, recording_id);
    let mut descriptors = Vec::new();
    assert_eq!(
        archive.list_recording(recording_id, |d: AeronArchiveRecordingDescriptor| descriptors.push(d)).unwrap(),
        1
    );
    let d = &descriptors[0];
    assert_eq!(d.recording_id, recording_id);
    assert_eq!(d.stream_id, stream_id);
    assert_eq!(d.session_id, publication.session_id());
    assert_eq!(d.start_position, 0);
    assert_eq!(d.stop_position, end);
    assert_eq!(d.term_buffer_length, 65536);
    assert!(d.original_channel().starts_with("aeron:ipc"), "{}", d.original_channel());
    assert_eq!(archive.get_start_position(recording_id).unwrap(), 0);
    assert_eq!(archive.get_max_recorded_position(recording_id).unwrap(), end);

    eprintln!("recorded in {:?}", t0.elapsed());
    // 6 + 7. Replay everything and check every message.
    let replay_ch = replay_channel();
    let params = AeronArchiveReplayParams::new_default().unwrap();
    assert!(!params.is_bounded());
    let replay = archive.replay(recording_id, &c(&replay_ch), 2001, &params).expect("replay");
    let got = collect_u64(&replay, count as usize);
    assert_eq!(got, (0..count).collect::<Vec<_>>());
    drop(replay);

    eprintln!("replayed in {:?}", t0.elapsed());
    // Replay from a position, with a length: message i starts at i * 64 (8 bytes + 32 header
    // bytes, aligned to 32: 64).
    let from = 1000u64;
    let len = 500u64;
    let params =
        AeronArchiveReplayParams::new_default().unwrap().with_position(from as i64 * 64).with_length(len as i64 * 64);
    let replay = archive.replay(recording_id, &c(&replay_channel()), 2002, &params).expect("replay from position");
    let got = collect_u64(&replay, len as usize);
    assert_eq!(got, (from..from + len).collect::<Vec<_>>());
    // Nothing beyond the length.
    assert_eq!(collect_more(&replay), 0);
    drop(replay);

    // Start replay (the caller subscribes) and stop it.
    let ch = replay_channel();
    let sub = add_subscription(&aeron, &ch, 2003);
    let session = archive
        .start_replay(recording_id, &c(&ch), 2003, &AeronArchiveReplayParams::new_default().unwrap())
        .expect("start replay");
    let got = collect_u64(&sub, 10);
    assert_eq!(got.len(), 10);
    // A replay that already finished may be gone: either outcome is fine, but not a crash.
    let _ = archive.stop_replay(session);
    archive.stop_all_replays(recording_id).expect("stop all replays");

    // Bounded replay: bounded by a counter whose value is the limit position.
    let limit_counter = aeron.add_counter(1001, &[], "replay limit", TIMEOUT).expect("counter");
    let limit = 100 * 64;
    limit_counter.set_value(limit);
    let params =
        AeronArchiveReplayParams::new_default().unwrap().with_bounding_limit_counter_id(limit_counter.counter_id());
    assert!(params.is_bounded());
    let replay = archive.replay(recording_id, &c(&replay_channel()), 2004, &params).expect("bounded replay");
    let got = collect_u64(&replay, 100);
    assert_eq!(got, (0..100).collect::<Vec<_>>());
    assert_eq!(collect_more(&replay), 0, "bounded replay stops at the counter's value");
    drop(replay);

    eprintln!("bounded in {:?}", t0.elapsed());
    // Listing by URI and stream: a second recording on another stream.
    let sub2 = archive.start_recording(c"aeron:ipc", 1002, SOURCE_LOCATION_LOCAL, true).unwrap();
    let publication2 = aeron.add_exclusive_publication(c"aeron:ipc", 1002, TIMEOUT).unwrap();
    let end2 = publish_sequence(&publication2, 0, 10);
    let recording2 = await_recording_position(&aeron, &archive, publication2.session_id(), end2);
    archive.stop_recording_subscription(sub2).unwrap();
    let mut on_1001 = Vec::new();
    archive
        .list_recordings_for_uri(0, 100, c"aeron:ipc", 1001, |d: AeronArchiveRecordingDescriptor| {
            on_1001.push(d.recording_id)
        })
        .unwrap();
    assert_eq!(on_1001, vec![recording_id]);
    let mut on_1002 = Vec::new();
    archive
        .list_recordings_for_uri(0, 100, c"ipc", 1002, |d: AeronArchiveRecordingDescriptor| {
            on_1002.push(d.recording_id)
        })
        .unwrap();
    assert_eq!(on_1002, vec![recording2]);
    let mut none = 0;
    archive
        .list_recordings_for_uri(0, 100, c"aeron:udp", 1001, |_d: AeronArchiveRecordingDescriptor| none += 1)
        .unwrap();
    assert_eq!(none, 0);
    let all = archive.list_recordings_vec(0, 100).unwrap();
    assert_eq!(all.iter().map(|d| d.recording_id).collect::<Vec<_>>(), vec![recording_id, recording2]);
    println!(
        "workflow: {} messages recorded and replayed, recordings {:?}",
        count,
        all.iter().map(|d| (d.recording_id, d.stop_position)).collect::<Vec<_>>()
    );
}

/// Polls a little longer and counts anything that still arrives.
fn collect_more(sub: &AeronSubscription) -> usize {
    let mut n = 0;
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(300);
    while std::time::Instant::now() < deadline {
        n += sub.poll_once(|_b: &[u8], _h: AeronHeader<'_>| {}, 100).unwrap() as usize;
    }
    n
}
