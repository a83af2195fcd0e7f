//! `AeronArchiveReplicationParams` options against one real Java archive replicating from
//! itself (its own control channel as the source): a stop position, replicating into an
//! existing recording (dst recording id), tagged replication, and the errors for a bad
//! destination.

use crate::common::*;
use rusteron_archive::testing::*;
use rusteron_archive::*;

const CHANNEL: &str = "aeron:ipc?term-length=65536";
const UNKNOWN_RECORDING: i32 = -(200 + 5);
const ACTIVE_RECORDING: i32 = -(200 + 2);

fn descriptor(archive: &AeronArchive, recording_id: i64) -> AeronArchiveRecordingDescriptor {
    let mut found = Vec::new();
    assert_eq!(archive.list_recording(recording_id, |d: AeronArchiveRecordingDescriptor| found.push(d)).unwrap(), 1);
    found.remove(0)
}

#[test]
fn replication_stop_position_dst_recording_and_tags() {
    let t0 = std::time::Instant::now();
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive starts");
    let (aeron, archive) = process.connect().unwrap();
    let control = c(process.control_request_channel());
    let control_stream = archive.get_archive_context().get_control_request_stream_id();

    // The source: 3000 messages.
    let count = 3000u64;
    let sub = archive.start_recording(&c(CHANNEL), 9001, SOURCE_LOCATION_LOCAL, false).unwrap();
    let publication = aeron.add_exclusive_publication(&c(CHANNEL), 9001, TIMEOUT).unwrap();
    let end = publish_sequence(&publication, 0, count);
    let src = await_recording_position(&aeron, &archive, publication.session_id(), end);
    drop(publication);
    assert!(wait_until(TIMEOUT, || archive.get_stop_position(src).unwrap_or(-1) == end));
    archive.stop_recording_subscription(sub).unwrap();

    // 1. A stop position: a new recording holding only the first 1000 messages.
    let half = 1000 * 64;
    let mut params = AeronArchiveReplicationParams::new().unwrap();
    params.set_stop_position(half);
    assert_eq!(params.stop_position(), half);
    assert_eq!(params.dst_recording_id(), -1, "default: a new recording");
    let id = archive.replicate(src, &control, control_stream, &params).expect("replicate with a stop position");
    let mut copy = None;
    assert!(
        wait_until(TIMEOUT, || {
            let _ = archive.poll_for_recording_signals();
            copy = archive.list_recordings_vec(0, 10).unwrap().into_iter().find(|d| d.recording_id != src);
            copy.as_ref().map(|d| d.stop_position == half).unwrap_or(false)
        }),
        "replication to {half} did not finish: {copy:?}"
    );
    let dst = copy.unwrap().recording_id;
    assert!(!archive.try_stop_replication(id).unwrap(), "finished by itself");
    let d = descriptor(&archive, dst);
    assert_eq!((d.start_position, d.stop_position, d.stream_id), (0, half, 9001));
    let replay =
        archive.replay(dst, &c(&replay_channel()), 9101, &AeronArchiveReplayParams::new_default().unwrap()).unwrap();
    assert_eq!(collect_u64(&replay, 1000), (0..1000).collect::<Vec<_>>());
    drop(replay);
    println!("partial replication in {:?}", t0.elapsed());

    // 2. Into the existing recording (dst recording id): it continues to the source's end, and
    //    no new recording is made. With channel / subscription tags and a small file I/O size
    //    (only checked to be accepted and to complete: their effect is not observable here).
    let mut params = AeronArchiveReplicationParams::new().unwrap();
    params.set_dst_recording_id(dst).set_channel_tag_id(4242).set_subscription_tag_id(4343);
    params.set_file_io_max_length(4096);
    assert_eq!(params.dst_recording_id(), dst);
    let id = archive.replicate(src, &control, control_stream, &params).expect("replicate into dst");
    assert!(
        wait_until(TIMEOUT, || {
            let _ = archive.poll_for_recording_signals();
            archive.get_stop_position(dst).unwrap_or(-1) == end
        }),
        "dst not extended to {end}: {:?}",
        descriptor(&archive, dst)
    );
    assert!(!archive.try_stop_replication(id).unwrap());
    assert_eq!(archive.list_recordings_vec(0, 10).unwrap().len(), 2, "no third recording");
    assert_eq!(archive.get_start_position(dst).unwrap(), 0);
    let replay =
        archive.replay(dst, &c(&replay_channel()), 9102, &AeronArchiveReplayParams::new_default().unwrap()).unwrap();
    assert_eq!(collect_u64(&replay, count as usize), (0..count).collect::<Vec<_>>(), "old part then the rest");
    drop(replay);
    println!("replication into dst in {:?}", t0.elapsed());

    // 3. Bad destinations are refused at once.
    let mut params = AeronArchiveReplicationParams::new().unwrap();
    params.set_dst_recording_id(987_654);
    let e = archive.replicate(src, &control, control_stream, &params).expect_err("unknown dst");
    println!("unknown dst: {e}");
    assert_eq!(e.code, UNKNOWN_RECORDING, "{e}");
    let live = archive.start_recording(c"aeron:ipc", 9002, SOURCE_LOCATION_LOCAL, false).unwrap();
    let p = aeron.add_exclusive_publication(&c(CHANNEL), 9002, TIMEOUT).unwrap();
    let pend = publish_sequence(&p, 0, 10);
    let active = await_recording_position(&aeron, &archive, p.session_id(), pend);
    let mut params = AeronArchiveReplicationParams::new().unwrap();
    params.set_dst_recording_id(active);
    let e = archive.replicate(src, &control, control_stream, &params).expect_err("active dst");
    println!("active dst: {e}");
    assert_eq!(e.code, ACTIVE_RECORDING, "{e}");
    // A live destination needs an active source: the replication is accepted, then fails.
    let mut params = AeronArchiveReplicationParams::new().unwrap();
    params.set_live_destination(Some(c"aeron:udp?endpoint=localhost:0"));
    assert_eq!(params.live_destination(), "aeron:udp?endpoint=localhost:0");
    let id = archive.replicate(src, &control, control_stream, &params).expect("accepted");
    let mut error = None;
    assert!(
        wait_until(TIMEOUT, || {
            error = archive.poll_for_error_response().unwrap();
            error.is_some()
        }),
        "no error for a live merge from a stopped source"
    );
    let error = error.unwrap();
    println!("live merge from a stopped recording: {error}");
    assert!(error.contains("live"), "{error}");
    assert!(!archive.try_stop_replication(id).unwrap());
    archive.stop_recording_subscription(live).unwrap();
    drop(p);
    println!("all done in {:?}", t0.elapsed());
}
