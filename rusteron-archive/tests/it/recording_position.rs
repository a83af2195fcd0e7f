//! Recording position helpers against a real Java archive: find a recording's counter by session,
//! block until a recording id is known (also when the recording starts while a thread waits),
//! wait until a recording reaches a position, and the errors when it does not (timeouts naming
//! session and timeout, a stopped recording reported at once).

use crate::common::*;
use rusteron_archive::testing::*;
use rusteron_archive::*;
use std::time::{Duration, Instant};

/// A pseudo-random delay below `max_ms` (the moment a recording starts varies between runs).
fn random_delay(max_ms: u64) -> Duration {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as u64;
    Duration::from_millis((nanos ^ (nanos >> 13)) % max_ms)
}

#[test]
fn recording_position_found_by_session_and_awaited() {
    let archive_process = EmbeddedArchiveMediaDriverProcess::start().unwrap();
    let (aeron, archive) = archive_process.connect().unwrap();
    let channel = c("aeron:ipc");
    let stream_id = 3101;

    // A publication that is not recorded: waiting for its recording times out, naming the
    // session, the archive and the timeout.
    let publication = aeron.add_exclusive_publication(&channel, stream_id, TIMEOUT).unwrap();
    let session_id = publication.session_id();
    assert!(archive.recording_position(session_id).unwrap().is_none());
    let started = Instant::now();
    let err = archive.await_recording_id(session_id, Duration::from_millis(300)).expect_err("nothing is recorded");
    let waited = started.elapsed();
    println!("not recorded: error after {waited:?}: {err}");
    assert!(waited >= Duration::from_millis(300) && waited < Duration::from_millis(1_300), "{waited:?}");
    assert_eq!(err.kind(), AeronErrorType::TimedOut, "{err}");
    let msg = err.to_string();
    assert!(msg.contains(&format!("session {session_id}")), "{msg}");
    assert!(msg.contains(&format!("archive {}", archive.get_archive_id())), "{msg}");
    assert!(msg.contains("300ms"), "{msg}");

    // A thread blocks until the recording id is known; the recording starts at a random moment
    // while it waits.
    let delay = random_delay(400);
    let t0 = Instant::now();
    let (recording_id, waited) = std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let id = archive.await_recording_id(session_id, TIMEOUT);
            (id, t0.elapsed())
        });
        std::thread::sleep(delay);
        archive.start_recording(&channel, stream_id, SOURCE_LOCATION_LOCAL, true).unwrap();
        let (id, waited) = waiter.join().unwrap();
        (id.expect("the recording id once the recording started"), waited)
    });
    println!("recording {recording_id} known after {waited:?} (recording started after {delay:?})");
    assert!(waited >= delay, "known before the recording started: {waited:?} < {delay:?}");
    assert_eq!(
        archive.find_last_matching_recording(0, &channel, stream_id, session_id).unwrap(),
        recording_id,
        "the catalog's recording of the session"
    );

    // The same counter through every way of finding it.
    let recording = archive.await_recording_position(session_id, TIMEOUT).unwrap();
    assert_eq!(recording.recording_id(), recording_id);
    assert_eq!(recording.session_id(), session_id);
    let reader = aeron.counters_reader();
    assert_eq!(RecordingPos::find_counter_id_by_session(&reader, session_id), recording.counter_id());
    assert_eq!(
        RecordingPos::find_counter_id_by_session_id(&reader, session_id, archive.get_archive_id()),
        recording.counter_id()
    );
    assert_eq!(RecordingPos::await_recording_id(&reader, session_id, None, TIMEOUT).unwrap(), recording_id);
    assert_eq!(RecordingPos::get_recording_id_block(&reader, recording.counter_id(), TIMEOUT).unwrap(), recording_id);
    let started = Instant::now();
    let err = RecordingPos::get_recording_id_block(&reader, -1, Duration::from_millis(100)).expect_err("no counter");
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!(err.kind(), AeronErrorType::TimedOut, "{err}");
    assert!(err.to_string().contains("counter -1"), "{err}");
    let any = RecordingPosition::find(&reader, session_id, None).expect("found for any archive");
    assert_eq!(any.counter_id(), recording.counter_id());
    assert!(RecordingPosition::find(&reader, session_id, Some(archive.get_archive_id() ^ 1)).is_none());
    assert_eq!(RecordingPos::find_counter_id_by_session(&reader, session_id ^ 0x5a5a), -1);

    // Positions: each batch is recorded up to the publication's position, which the counter
    // and the archive agree on.
    for batch in 0..5u64 {
        let position = publish_sequence(&publication, batch * 100, 100);
        let reached = recording.await_position(position, TIMEOUT).unwrap();
        assert!(reached >= position, "{reached} < {position}");
        assert_eq!(recording.position().unwrap(), position, "nothing more was published");
        assert_eq!(archive.get_recording_position(recording_id).unwrap(), position);
    }

    // A position never published: a timeout naming the recording, where it got, and the timeout.
    let position = publication.position();
    let started = Instant::now();
    let err = recording.await_position(position + 4096, Duration::from_millis(200)).expect_err("never published");
    println!("past the end: error after {:?}: {err}", started.elapsed());
    assert!(started.elapsed() < Duration::from_millis(1_200), "{:?}", started.elapsed());
    assert_eq!(err.kind(), AeronErrorType::TimedOut, "{err}");
    let msg = err.to_string();
    assert!(msg.contains(&format!("recording {recording_id}")), "{msg}");
    assert!(msg.contains(&format!("reached position {position}")), "{msg}");
    assert!(msg.contains("200ms"), "{msg}");

    // Stopped: the counter is freed, and reads fail at once instead of waiting out a timeout.
    archive.stop_recording_channel_and_stream(&channel, stream_id).unwrap();
    assert!(wait_until(TIMEOUT, || !recording.is_active()), "the counter was not freed");
    let err = recording.position().expect_err("stopped");
    assert!(err.to_string().contains("no longer active"), "{err}");
    let started = Instant::now();
    let err = recording.await_position(position + 4096, TIMEOUT).expect_err("stopped");
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    assert!(err.to_string().contains(&format!("recording {recording_id}")), "{err}");
    assert!(archive.recording_position(session_id).unwrap().is_none());
    assert_eq!(archive.get_stop_position(recording_id).unwrap(), position);
}

#[test]
fn recording_position_on_two_archives_of_one_session_is_per_archive() {
    // Two archives, each with its own media driver: the helper reads the counters of the
    // driver its archive client uses, so each archive sees only its own recording.
    let first = EmbeddedArchiveMediaDriverProcess::start().unwrap();
    let (aeron, archive) = first.connect().unwrap();
    let stream_id = 3102;
    archive.start_recording(&c("aeron:ipc"), stream_id, SOURCE_LOCATION_LOCAL, true).unwrap();
    let publication = aeron.add_exclusive_publication(&c("aeron:ipc"), stream_id, TIMEOUT).unwrap();
    let recording = archive.await_recording_position(publication.session_id(), TIMEOUT).unwrap();
    let position = publish_sequence(&publication, 0, 1_000);
    assert!(recording.await_position(position, TIMEOUT).unwrap() >= position);

    let second = EmbeddedArchiveMediaDriverProcess::start().unwrap();
    let (_aeron2, archive2) = second.connect().unwrap();
    let err =
        archive2.await_recording_id(publication.session_id(), Duration::from_millis(100)).expect_err("other driver");
    assert_eq!(err.kind(), AeronErrorType::TimedOut, "{err}");
}
