//! Helpers shared by the archive integration tests.

use rusteron_archive::testing::{find_unused_udp_port, wait_until};
use rusteron_archive::*;
use std::ffi::CString;
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// A fresh UDP channel on localhost for replays.
pub fn replay_channel() -> String {
    format!("aeron:udp?endpoint=localhost:{}", find_unused_udp_port(30_000).expect("free port"))
}

pub fn add_subscription(aeron: &Aeron, channel: &str, stream_id: i32) -> AeronSubscription {
    aeron
        .add_subscription(&c(channel), stream_id, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .expect("add subscription")
}

/// Offers `msg` until accepted (retrying back pressure) within the test timeout.
pub fn offer_exclusive(publication: &AeronExclusivePublication, msg: &[u8]) -> i64 {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        match publication.offer(msg) {
            Ok(p) => return p,
            Err(e) if e.kind().is_retryable() && Instant::now() < deadline => std::thread::yield_now(),
            Err(e) => panic!("offer failed: {e}"),
        }
    }
}

/// Publishes `count` messages of 8 bytes (sequence numbers from `first`); returns the final position.
pub fn publish_sequence(publication: &AeronExclusivePublication, first: u64, count: u64) -> i64 {
    let mut pos = 0;
    for i in first..first + count {
        pos = offer_exclusive(publication, &i.to_le_bytes());
    }
    pos
}

/// Waits until the archive has recorded up to `position` of the recording with counter for `session_id`.
pub fn await_recording_position(aeron: &Aeron, archive: &AeronArchive, session_id: i32, position: i64) -> i64 {
    let reader = counters_reader_of(aeron);
    let mut counter_id = -1;
    assert!(
        wait_until(TIMEOUT, || {
            counter_id = RecordingPos::find_counter_id_by_session_id(&reader, session_id, archive.get_archive_id());
            counter_id >= 0
        }),
        "no recording counter for session {session_id}"
    );
    let recording_id = RecordingPos::get_recording_id(&reader, counter_id);
    assert!(
        wait_until(TIMEOUT, || archive.get_recording_position(recording_id).unwrap_or(-1) >= position),
        "recording {recording_id} did not reach {position}"
    );
    recording_id
}

/// Polls `sub` until `count` messages arrived (or the timeout); returns them as u64s.
pub fn collect_u64(sub: &AeronSubscription, count: usize) -> Vec<u64> {
    let mut got = Vec::with_capacity(count);
    let deadline = Instant::now() + TIMEOUT;
    while got.len() < count && Instant::now() < deadline {
        let limit = (count - got.len()).min(256);
        let n = sub
            .poll_once(
                |buf: &[u8], _h: AeronHeader<'_>| {
                    got.push(u64::from_le_bytes(buf[..8].try_into().unwrap()));
                },
                limit,
            )
            .expect("poll");
        if n == 0 {
            std::thread::yield_now();
        }
    }
    got
}
