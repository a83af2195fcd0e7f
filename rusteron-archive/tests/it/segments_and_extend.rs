//! Segment management, extending a stopped recording and migrating segments, against one real
//! Java archive whose segment files are one 64 KiB term long, so a few thousand small messages
//! span several segment files.
//!
//! Every message is 8 bytes (a sequence number), so each frame takes 64 bytes and message `i`
//! of a recording that starts at 0 begins at position `i * 64`: 1024 messages per segment.

use crate::common::*;
use rusteron_archive::testing::*;
use rusteron_archive::*;
use std::path::Path;

const TERM_LENGTH: i32 = 64 * 1024;
const SEGMENT_LENGTH: i64 = TERM_LENGTH as i64;
const FRAME: i64 = 64;
const CHANNEL: &str = "aeron:ipc?term-length=65536";

/// Positions of the segment files of `recording_id` in the archive directory, sorted.
fn segment_files(dir: &str, recording_id: i64) -> Vec<i64> {
    let prefix = format!("{recording_id}-");
    let mut v: Vec<i64> = std::fs::read_dir(Path::new(dir))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_prefix(&prefix)?.strip_suffix(".rec")?.parse().ok()
        })
        .collect();
    v.sort();
    v
}

fn descriptor(archive: &AeronArchive, recording_id: i64) -> AeronArchiveRecordingDescriptor {
    let mut found = Vec::new();
    assert_eq!(archive.list_recording(recording_id, |d: AeronArchiveRecordingDescriptor| found.push(d)).unwrap(), 1);
    found.remove(0)
}

/// Records `count` messages (sequence numbers from 0) on `stream_id`; returns the recording id,
/// its stop position and the publication's session id. The publication is closed first and the
/// recording ends when its image goes away, so no lingering publication can join a later
/// subscription on the same stream; then the recording subscription is stopped.
fn record(aeron: &Aeron, archive: &AeronArchive, stream_id: i32, count: u64) -> (i64, i64, i32) {
    let sub_id = archive.start_recording(&c(CHANNEL), stream_id, SOURCE_LOCATION_LOCAL, false).unwrap();
    let publication = aeron.add_exclusive_publication(&c(CHANNEL), stream_id, TIMEOUT).unwrap();
    let session_id = publication.session_id();
    let end = publish_sequence(&publication, 0, count);
    let recording_id = await_recording_position(aeron, archive, session_id, end);
    drop(publication);
    assert!(wait_until(TIMEOUT, || archive.get_stop_position(recording_id).unwrap_or(-1) == end));
    archive.stop_recording_subscription(sub_id).unwrap();
    (recording_id, end, session_id)
}

/// Replays `recording_id` from `position` to its end and returns every message.
fn replay_from(archive: &AeronArchive, recording_id: i64, position: i64, expected: usize, stream: i32) -> Vec<u64> {
    let params = AeronArchiveReplayParams::new_default().unwrap().with_position(position);
    let replay = archive.replay(recording_id, &c(&replay_channel()), stream, &params).expect("replay");
    collect_u64(&replay, expected)
}

/// A publication channel that starts at `position` of a stream with `initial_term_id`.
fn continuing_channel(position: i64, initial_term_id: i32) -> String {
    let b = AeronUriStringBuilder::init_on_string(c"aeron:ipc").unwrap();
    b.set_initial_position(position, initial_term_id, TERM_LENGTH).unwrap();
    b.sprint().unwrap()
}

#[test]
fn detach_attach_delete_purge_extend_and_migrate_segments() {
    let t0 = std::time::Instant::now();
    let process = EmbeddedArchiveMediaDriverProcess::start_with(&[(
        "aeron.archive.segment.file.length",
        &SEGMENT_LENGTH.to_string(),
    )])
    .expect("archive starts");
    let (aeron, archive) = process.connect().unwrap();
    let dir = process.archive_dir().to_string();

    // ---- Detach, attach, delete detached, purge ---------------------------------------------
    let count = 5 * 1024 + 100;
    let (rec, end, _) = record(&aeron, &archive, 7001, count);
    assert_eq!(end, count as i64 * FRAME);
    let d = descriptor(&archive, rec);
    assert_eq!(d.segment_file_length as i64, SEGMENT_LENGTH);
    assert_eq!(d.term_buffer_length, TERM_LENGTH);
    let all_segments: Vec<i64> = (0..6).map(|i| i * SEGMENT_LENGTH).collect();
    assert_eq!(segment_files(&dir, rec), all_segments, "six segment files of 64 KiB");
    assert_eq!(archive.get_max_recorded_position(rec).unwrap(), end);

    // Not a segment boundary, and beyond the last segment: refused with the archive's reason.
    let e = archive.detach_segments(rec, 12_345).expect_err("not a segment boundary");
    assert!(e.message().unwrap_or("").contains("invalid segment start"), "{e}");
    let e = archive.detach_segments(rec, 10 * SEGMENT_LENGTH).expect_err("past the end");
    assert!(e.message().unwrap_or("").contains("invalid detach"), "{e}");
    let e = archive.detach_segments(rec, 0).expect_err("nothing before the first segment");
    assert!(e.message().unwrap_or("").contains("invalid detach"), "{e}");
    assert_eq!(archive.get_start_position(rec).unwrap(), 0, "refused detaches change nothing");

    // Detach the first two segments: the start moves, the files stay.
    archive.detach_segments(rec, 2 * SEGMENT_LENGTH).expect("detach");
    assert_eq!(archive.get_start_position(rec).unwrap(), 2 * SEGMENT_LENGTH);
    assert_eq!(descriptor(&archive, rec).start_position, 2 * SEGMENT_LENGTH);
    assert_eq!(segment_files(&dir, rec), all_segments, "detached files are still on disk");
    // Replaying before the new start is refused; a replay from the start begins at message 2048.
    let e = archive
        .replay(rec, &c(&replay_channel()), 7101, &AeronArchiveReplayParams::new_default().unwrap().with_position(0))
        .expect_err("replay before the start");
    println!("replay before start: {e}");
    assert_eq!(e.code, -(200 + 16), "INVALID_POSITION mapped to a client code: {e}");
    let got = replay_from(&archive, rec, 2 * SEGMENT_LENGTH, (count - 2048) as usize, 7102);
    assert_eq!(got, (2048..count).collect::<Vec<_>>());

    // Attach them back: start at 0 again, the whole recording replays.
    assert_eq!(archive.attach_segments(rec).unwrap(), 2, "two segments attached");
    assert_eq!(archive.get_start_position(rec).unwrap(), 0);
    assert_eq!(archive.attach_segments(rec).unwrap(), 0, "nothing left to attach");
    let got = replay_from(&archive, rec, 0, count as usize, 7103);
    assert_eq!(got, (0..count).collect::<Vec<_>>());

    // Detach again and delete the detached files: they go, and cannot be attached any more.
    archive.detach_segments(rec, 2 * SEGMENT_LENGTH).unwrap();
    assert_eq!(archive.delete_detached_segments(rec).unwrap(), 2, "two files to delete");
    assert!(
        wait_until(TIMEOUT, || segment_files(&dir, rec) == all_segments[2..]),
        "detached files not deleted: {:?}",
        segment_files(&dir, rec)
    );
    assert_eq!(archive.delete_detached_segments(rec).unwrap(), 0, "nothing left to delete");
    assert_eq!(archive.attach_segments(rec).unwrap(), 0, "deleted segments cannot be attached");
    assert_eq!(archive.get_start_position(rec).unwrap(), 2 * SEGMENT_LENGTH);

    // Purge = detach + delete in one step.
    assert_eq!(archive.purge_segments(rec, 3 * SEGMENT_LENGTH).unwrap(), 1);
    assert_eq!(archive.get_start_position(rec).unwrap(), 3 * SEGMENT_LENGTH);
    assert!(
        wait_until(TIMEOUT, || segment_files(&dir, rec) == all_segments[3..]),
        "purged file not deleted: {:?}",
        segment_files(&dir, rec)
    );
    let got = replay_from(&archive, rec, 3 * SEGMENT_LENGTH, (count - 3072) as usize, 7104);
    assert_eq!(got, (3072..count).collect::<Vec<_>>());
    assert_eq!(archive.get_stop_position(rec).unwrap(), end, "the stop position never moved");
    let e = archive.purge_segments(rec, 3 * SEGMENT_LENGTH).expect_err("purging up to the start");
    assert!(e.message().unwrap_or("").contains("invalid detach"), "{e}");
    let e = archive.purge_segments(987_654, SEGMENT_LENGTH).expect_err("unknown recording");
    assert_eq!(e.code, -(200 + 5), "UNKNOWN_RECORDING: {e}");
    println!("segments done in {:?}", t0.elapsed());

    // ---- Extend a stopped recording ---------------------------------------------------------
    let first = 1000u64;
    let (rec2, end2, _) = record(&aeron, &archive, 7002, first);
    let d2 = descriptor(&archive, rec2);

    // Extending on another stream is refused at once.
    let e = archive.extend_recording(rec2, c"aeron:ipc", 7012, SOURCE_LOCATION_LOCAL, false).expect_err("other stream");
    println!("extend on another stream: {e}");
    assert!(e.message().unwrap_or("").contains("cannot extend recording"), "{e}");

    // A publication that does not continue the recording (it starts at 0) is refused: the error
    // comes back asynchronously, and with auto stop the extension subscription goes away. Both
    // extension subscriptions name their publication's session (the publications come first), so
    // this publication cannot join the real extension below even while it lingers.
    let bad_publication = aeron.add_exclusive_publication(&c(CHANNEL), 7002, TIMEOUT).unwrap();
    let bad_session = bad_publication.session_id();
    let bad_sub = archive
        .extend_recording(rec2, &c(&format!("aeron:ipc?session-id={bad_session}")), 7002, SOURCE_LOCATION_LOCAL, true)
        .unwrap();
    let mut error = None;
    assert!(
        wait_until(TIMEOUT, || {
            error = archive.poll_for_error_response().unwrap();
            error.is_some()
        }),
        "no error for a bad extension"
    );
    let error = error.unwrap();
    println!("bad extension: {error}");
    assert!(error.contains("cannot extend recording"), "{error}");
    drop(bad_publication);
    assert!(wait_until(TIMEOUT, || !archive.try_stop_recording_subscription(bad_sub).unwrap()));
    assert_eq!(archive.get_stop_position(rec2).unwrap(), end2, "the refused extension changed nothing");

    // A publication that continues the stream from the stop position extends it.
    // (A new session: the old publication's session id stays taken while the driver lingers it.)
    let ext_channel = continuing_channel(end2, d2.initial_term_id);
    println!("extension channel: {ext_channel}");
    let ext = aeron.add_exclusive_publication(&c(&ext_channel), 7002, TIMEOUT).unwrap();
    assert_eq!(ext.position(), end2, "the new publication starts where the recording stopped");
    let session_id = ext.session_id();
    let ext_sub = archive
        .extend_recording(rec2, &c(&format!("aeron:ipc?session-id={session_id}")), 7002, SOURCE_LOCATION_LOCAL, false)
        .unwrap();
    let second = 700u64;
    let end3 = publish_sequence(&ext, first, second);
    assert_eq!(end3, end2 + second as i64 * FRAME);
    assert_eq!(await_recording_position(&aeron, &archive, session_id, end3), rec2);
    assert_eq!(archive.get_stop_position(rec2).unwrap(), -1, "active again while extended");
    assert_eq!(archive.get_max_recorded_position(rec2).unwrap(), archive.get_recording_position(rec2).unwrap());
    let mut subs = Vec::new();
    archive
        .list_recording_subscriptions(0, 10, c"ipc", 7002, true, |s: AeronArchiveRecordingSubscriptionDescriptor| {
            subs.push(s.subscription_id)
        })
        .unwrap();
    assert_eq!(subs, vec![ext_sub]);

    // Stop by identity: true while active, then false.
    assert!(archive.try_stop_recording_by_identity(rec2).unwrap(), "stops the active recording");
    assert!(wait_until(TIMEOUT, || archive.get_stop_position(rec2).unwrap_or(-1) == end3));
    assert!(!archive.try_stop_recording_by_identity(rec2).unwrap(), "already stopped");
    assert!(!archive.try_stop_recording_subscription(ext_sub).unwrap(), "its subscription went with it");
    let e = archive.try_stop_recording_by_identity(987_654).expect_err("unknown recording");
    assert_eq!(e.code, -(200 + 5), "{e}");
    assert_eq!(archive.get_max_recorded_position(rec2).unwrap(), end3);
    let d2b = descriptor(&archive, rec2);
    assert_eq!((d2b.start_position, d2b.stop_position), (0, end3));
    assert_eq!(archive.find_last_matching_recording(0, c"aeron:ipc", 7002, session_id).unwrap(), rec2);
    // One recording, old and new messages in order.
    let got = replay_from(&archive, rec2, 0, (first + second) as usize, 7105);
    assert_eq!(got, (0..first + second).collect::<Vec<_>>());
    drop(ext);
    println!("extend done in {:?}", t0.elapsed());

    // ---- Migrate segments ------------------------------------------------------------------
    // src: exactly two segments [0, 128 KiB); dst: continues the same stream from 128 KiB.
    let (src, src_end, _) = record(&aeron, &archive, 7003, 2048);
    assert_eq!(src_end, 2 * SEGMENT_LENGTH);
    let src_d = descriptor(&archive, src);
    let cont = aeron
        .add_exclusive_publication(&c(&continuing_channel(src_end, src_d.initial_term_id)), 7003, TIMEOUT)
        .unwrap();
    let session_id = cont.session_id();
    let dst_sub = archive
        .start_recording(&c(&format!("aeron:ipc?session-id={session_id}")), 7003, SOURCE_LOCATION_LOCAL, false)
        .unwrap();
    let dst_end = publish_sequence(&cont, 2048, 500);
    let dst = await_recording_position(&aeron, &archive, session_id, dst_end);
    assert_ne!(dst, src);
    archive.stop_recording_subscription(dst_sub).unwrap();
    assert!(wait_until(TIMEOUT, || archive.get_stop_position(dst).unwrap_or(-1) == dst_end));
    drop(cont);
    assert_eq!(archive.get_start_position(dst).unwrap(), src_end);

    // Recordings that do not join up are refused.
    let e = archive.migrate_segments(rec2, dst).expect_err("different streams");
    println!("bad migrate: {e}");
    assert!(e.message().unwrap_or("").contains("invalid migrate"), "{e}");
    let e = archive.migrate_segments(987_654, dst).expect_err("unknown src");
    assert_eq!(e.code, -(200 + 5), "{e}");

    let moved = archive.migrate_segments(src, dst).expect("migrate");
    println!("migrated {moved} segment(s) from {src} to {dst}");
    assert!(moved >= 2, "both segments of src moved: {moved}");
    assert_eq!(archive.get_start_position(dst).unwrap(), 0, "dst now starts where src started");
    assert_eq!(archive.get_stop_position(dst).unwrap(), dst_end);
    let src_after = descriptor(&archive, src);
    assert_eq!(src_after.recorded_length(), 0, "src is left empty: {src_after:?}");
    assert!(wait_until(TIMEOUT, || segment_files(&dir, src).is_empty()), "{:?}", segment_files(&dir, src));
    let got = replay_from(&archive, dst, 0, 2548, 7106);
    assert_eq!(got, (0..2548).collect::<Vec<_>>(), "dst replays src's messages then its own");

    // ---- Update channel ----------------------------------------------------------------------
    archive.update_channel(dst, c"aeron:ipc?alias=migrated").expect("update channel");
    let d = descriptor(&archive, dst);
    println!("after update_channel: original={} stripped={}", d.original_channel(), d.stripped_channel());
    assert_eq!(d.original_channel(), "aeron:ipc?alias=migrated");
    assert!(d.stripped_channel().contains("alias=migrated"), "{}", d.stripped_channel());
    assert_eq!((d.start_position, d.stop_position, d.stream_id), (0, dst_end, 7003), "only the channel changed");
    let mut listed = Vec::new();
    archive
        .list_recordings_for_uri(0, 10, c"alias=migrated", 7003, |d: AeronArchiveRecordingDescriptor| {
            listed.push(d.recording_id)
        })
        .unwrap();
    assert_eq!(listed, vec![dst]);
    let e = archive.update_channel(987_654, c"aeron:ipc").expect_err("unknown recording");
    println!("update_channel unknown: {e:?}");
    // The archive answers RECORDING_UNKNOWN (a response code, not an error response), which the
    // C client reports as a generic error naming the unexpected code.
    assert_eq!(e.code, -11, "{e:?}");
    assert!(e.message().unwrap_or("").contains("unexpected response code"), "{e:?}");
    println!("all done in {:?}", t0.elapsed());
}
