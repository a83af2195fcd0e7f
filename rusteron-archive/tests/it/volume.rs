//! Volume: record 1,000,000 messages of 8 bytes (a sequence number each), replay the whole
//! recording, and check that every message arrives once and in order.

use crate::common::*;
use rusteron_archive::testing::*;
use rusteron_archive::*;
use std::time::{Duration, Instant};

const MESSAGES: u64 = 1_000_000;

#[test]
fn one_million_messages_recorded_and_replayed_in_order() {
    let archive_process = EmbeddedArchiveMediaDriverProcess::start_with(&[
        ("aeron.archive.segment.file.length", "67108864"),
        ("aeron.ipc.term.buffer.length", "16777216"),
    ])
    .expect("archive starts");
    let (aeron, archive) = archive_process.connect().expect("connect");

    let channel = "aeron:ipc?term-length=16m";
    let stream_id = 7001;
    let subscription_id = archive.start_recording(&c(channel), stream_id, SOURCE_LOCATION_LOCAL, false).unwrap();
    let publication = aeron.add_exclusive_publication(&c(channel), stream_id, TIMEOUT).unwrap();

    // Publish 8-byte sequence numbers on an exclusive publication, back pressure retried.
    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs(60);
    let mut next = 0u64;
    let mut end = 0;
    while next < MESSAGES {
        match publication.offer(&next.to_le_bytes()) {
            Ok(p) => {
                end = p;
                next += 1;
            }
            Err(e) if e.kind().is_retryable() => {
                assert!(Instant::now() < deadline, "publishing stalled at {next}");
                std::thread::yield_now();
            }
            Err(e) => panic!("offer {next}: {e}"),
        }
    }
    let publish_time = t0.elapsed();
    let recording_id = await_recording_position(&aeron, &archive, publication.session_id(), end);
    let record_time = t0.elapsed();
    archive.stop_recording_subscription(subscription_id).unwrap();
    assert!(wait_until(TIMEOUT, || archive.get_stop_position(recording_id).unwrap_or(-1) == end));
    assert_eq!(end, MESSAGES as i64 * 64);

    // Replay everything over IPC and check the sequence.
    let t1 = Instant::now();
    let params = AeronArchiveReplayParams::new_default().unwrap();
    let replay = archive.replay(recording_id, c"aeron:ipc?term-length=16m", 7002, &params).unwrap();
    let mut expected = 0u64;
    let mut out_of_order = None;
    let deadline = Instant::now() + Duration::from_secs(60);
    while expected < MESSAGES && out_of_order.is_none() {
        let n = replay
            .poll_once(
                |buf: &[u8], _h: AeronHeader<'_>| {
                    let v = u64::from_le_bytes(buf[..8].try_into().unwrap());
                    if v != expected && out_of_order.is_none() {
                        out_of_order = Some((expected, v));
                    }
                    expected += 1;
                },
                4096,
            )
            .unwrap();
        if n == 0 {
            assert!(Instant::now() < deadline, "replay stalled at {expected} of {MESSAGES}");
            std::thread::yield_now();
        }
    }
    let replay_time = t1.elapsed();
    assert_eq!(out_of_order, None, "(expected, got)");
    assert_eq!(expected, MESSAGES);
    // Nothing more than the recording.
    let extra_deadline = Instant::now() + Duration::from_millis(200);
    let mut extra = 0;
    while Instant::now() < extra_deadline {
        extra += replay.poll_once(|_b: &[u8], _h: AeronHeader<'_>| {}, 100).unwrap();
    }
    assert_eq!(extra, 0);
    println!(
        "volume: {MESSAGES} messages published in {publish_time:?}, recorded by {record_time:?}, replayed and checked in {replay_time:?} ({:.0} msg/s)",
        MESSAGES as f64 / replay_time.as_secs_f64()
    );
}
