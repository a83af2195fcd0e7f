//! Replication between two real Java archives, and a replay merge that catches up with a live
//! stream.

use crate::common::*;
use rusteron_archive::testing::*;
use rusteron_archive::*;
use std::time::{Duration, Instant};

#[test]
fn replicate_a_recording_between_two_archives() {
    let src_process = EmbeddedArchiveMediaDriverProcess::start().expect("source archive");
    let dst_process = EmbeddedArchiveMediaDriverProcess::start().expect("destination archive");
    let (src_aeron, src) = src_process.connect().unwrap();
    let (_dst_aeron, dst) = dst_process.connect().unwrap();

    let channel = "aeron:ipc?term-length=65536";
    let sub_id = src.start_recording(&c(channel), 5001, SOURCE_LOCATION_LOCAL, false).unwrap();
    let publication = src_aeron.add_exclusive_publication(&c(channel), 5001, TIMEOUT).unwrap();
    let count = 3_000;
    let end = publish_sequence(&publication, 0, count);
    let src_recording = await_recording_position(&src_aeron, &src, publication.session_id(), end);
    src.stop_recording_subscription(sub_id).unwrap();
    assert!(wait_until(TIMEOUT, || src.get_stop_position(src_recording).unwrap_or(-1) == end));

    let src_stream = src.get_archive_context().get_control_request_stream_id();
    let params = AeronArchiveReplicationParams::new().unwrap();
    let t0 = Instant::now();
    let replication_id = dst
        .replicate(src_recording, &c(src_process.control_request_channel()), src_stream, &params)
        .expect("replicate");
    assert!(replication_id >= 0);

    let mut replicated = None;
    assert!(
        wait_until(TIMEOUT, || {
            let _ = dst.poll_for_recording_signals();
            let all = dst.list_recordings_vec(0, 10).unwrap();
            replicated = all.into_iter().find(|d| d.stop_position == end);
            replicated.is_some()
        }),
        "replication did not finish"
    );
    let d = replicated.unwrap();
    println!(
        "replicated recording {src_recording} -> {} ({} bytes) in {:?}",
        d.recording_id,
        d.stop_position,
        t0.elapsed()
    );
    assert_eq!(d.stream_id, 5001);
    assert_eq!(d.start_position, 0);
    // The replication stopped by itself; stopping it again is reported, not a crash.
    assert!(!dst.try_stop_replication(replication_id).unwrap());
    assert!(dst.stop_replication(replication_id).is_err());

    // The copy replays the same messages.
    let replay = dst
        .replay(d.recording_id, &c(&replay_channel()), 5002, &AeronArchiveReplayParams::new_default().unwrap())
        .unwrap();
    assert_eq!(collect_u64(&replay, count as usize), (0..count).collect::<Vec<_>>());
}

#[test]
fn replay_merge_catches_up_with_the_live_stream() {
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let (aeron, archive) = process.connect().unwrap();
    let control_port = find_unused_udp_port(41_000).unwrap();
    let live_port = find_unused_udp_port(41_000).unwrap();
    let replay_port = find_unused_udp_port(41_000).unwrap();
    let stream_id = 6001;
    let publication_channel =
        format!("aeron:udp?control-mode=dynamic|control=localhost:{control_port}|term-length=65536");
    let subscription_channel = "aeron:udp?control-mode=manual";
    let live_destination = format!("aeron:udp?endpoint=localhost:{live_port}|control=localhost:{control_port}");
    let replay_destination = format!("aeron:udp?endpoint=localhost:{replay_port}");

    let publication = aeron.add_exclusive_publication(&c(&publication_channel), stream_id, TIMEOUT).unwrap();
    let sub_id = archive.start_recording(&c(&publication_channel), stream_id, SOURCE_LOCATION_LOCAL, false).unwrap();
    let initial = 2_000u64;
    let end = publish_sequence(&publication, 0, initial);
    let recording_id = await_recording_position(&aeron, &archive, publication.session_id(), end);

    let replay_channel = format!("aeron:udp?session-id={}", publication.session_id());
    let subscription = add_subscription(&aeron, subscription_channel, stream_id);
    let merge = AeronArchiveReplayMerge::new(
        &subscription,
        &archive,
        &c(&replay_channel),
        &c(&replay_destination),
        &c(&live_destination),
        recording_id,
        0,
        AeronArchiveReplayMerge::epoch_clock_ms(),
        REPLAY_MERGE_PROGRESS_TIMEOUT_DEFAULT_MS,
    )
    .expect("replay merge");

    // Keep publishing while the merge replays, then until it is merged.
    let total_target = 20_000u64;
    let mut next_to_send = initial;
    let mut received = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while (received.len() as u64) < next_to_send || !merge.is_merged() || next_to_send < total_target {
        assert!(
            Instant::now() < deadline,
            "merge stuck: merged={} live_added={} received={} sent={}",
            merge.is_merged(),
            merge.is_live_added(),
            received.len(),
            next_to_send
        );
        assert!(!merge.has_failed(), "merge failed");
        if next_to_send < total_target && publication.offer(&next_to_send.to_le_bytes()).is_ok() {
            next_to_send += 1;
        }
        let n = merge
            .poll_once(
                |buf: &[u8], _h: AeronHeader<'_>| received.push(u64::from_le_bytes(buf[..8].try_into().unwrap())),
                64,
            )
            .unwrap();
        if n == 0 {
            std::thread::yield_now();
        }
    }
    assert!(merge.is_merged());
    assert!(merge.is_live_added());
    assert!(merge.image().is_some());
    assert_eq!(received, (0..total_target).collect::<Vec<_>>(), "every message once, in order, across the merge");
    println!("replay merge: {} messages, {} recorded before the merge started", received.len(), initial);
    drop(merge);
    archive.stop_recording_subscription(sub_id).unwrap();
}

/// Finding #9: the C replay merge uses the archive's proxy and control response poller without
/// the archive's lock. The wrapper now takes that lock around each merge step, so archive calls
/// on another thread never run at the same time as one, and each call gets its own response
/// (before, a merge step polled the shared poller in the middle of a call, which then timed
/// out). Between steps a call can still read a response the merge waits for, which makes the
/// merge fail: a documented limitation, so the merge's outcome is not asserted here.
#[test]
fn replay_merge_steps_and_archive_calls_on_another_thread_are_serialised() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let (aeron, archive) = process.connect().unwrap();
    let control_port = find_unused_udp_port(46_000).unwrap();
    let live_port = find_unused_udp_port(46_000).unwrap();
    let replay_port = find_unused_udp_port(46_000).unwrap();
    let stream_id = 6101;
    let publication_channel =
        format!("aeron:udp?control-mode=dynamic|control=localhost:{control_port}|term-length=65536");
    let publication = aeron.add_exclusive_publication(&c(&publication_channel), stream_id, TIMEOUT).unwrap();
    let sub_id = archive.start_recording(&c(&publication_channel), stream_id, SOURCE_LOCATION_LOCAL, false).unwrap();
    let end = publish_sequence(&publication, 0, 1_000);
    let recording_id = await_recording_position(&aeron, &archive, publication.session_id(), end);

    let subscription = add_subscription(&aeron, "aeron:udp?control-mode=manual", stream_id);
    let merge = AeronArchiveReplayMerge::new(
        &subscription,
        &archive,
        &c(&format!("aeron:udp?session-id={}", publication.session_id())),
        &c(&format!("aeron:udp?endpoint=localhost:{replay_port}")),
        &c(&format!("aeron:udp?endpoint=localhost:{live_port}|control=localhost:{control_port}")),
        recording_id,
        0,
        AeronArchiveReplayMerge::epoch_clock_ms(),
        REPLAY_MERGE_PROGRESS_TIMEOUT_DEFAULT_MS,
    )
    .expect("replay merge");

    // Another thread calls the archive (each call polls the control stream) the whole time.
    let stop = Arc::new(AtomicBool::new(false));
    let (other, stop2) = (archive.clone(), stop.clone());
    let calls = std::thread::spawn(move || {
        let mut n = 0u64;
        while !stop2.load(Ordering::Acquire) {
            let position = other.get_recording_position(recording_id).expect("archive call during the merge");
            assert!(position >= end);
            n += 1;
        }
        n
    });

    let mut received = 0u64;
    let mut next = 1_000u64;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !(merge.is_merged() || merge.has_failed()) {
        assert!(Instant::now() < deadline, "the merge neither merged nor failed");
        if next < 20_000 && publication.offer(&next.to_le_bytes()).is_ok() {
            next += 1;
        }
        merge.poll_once(|_b: &[u8], _h: AeronHeader<'_>| received += 1, 64).ok();
    }
    stop.store(true, Ordering::Release);
    let n = calls.join().expect("the archive calls succeed");
    assert!(n > 0);
    println!(
        "{n} archive calls on another thread during the merge; merged={} failed={} received={received}",
        merge.is_merged(),
        merge.has_failed()
    );
    drop(merge);
    // The archive is still usable, from any thread.
    assert!(archive.get_recording_position(recording_id).unwrap() >= end);
    archive.stop_recording_subscription(sub_id).unwrap();
}
