//! Recording position helpers: find the recording of a publication's session in the media
//! driver's counters, read how far the archive has recorded it, and wait for a recording id or a
//! position with a deadline.
//!
//! The archive keeps one recording position counter (type id
//! [`RECORDING_POSITION_TYPE_ID`]) per active recording in the counters of *its* media driver,
//! so these helpers see recordings only through a client on that driver (the usual setup: the
//! archive records streams of the driver your publisher uses).

use crate::{Aeron, AeronArchive, AeronCError, AeronCountersReader, RecordingPos};
use std::time::{Duration, Instant};

/// The counter type id of the archive's recording position counters
/// (`AERON_COUNTER_ARCHIVE_RECORDING_POSITION_TYPE_ID`, Java's
/// `AeronCounters.ARCHIVE_RECORDING_POSITION_TYPE_ID`).
pub const RECORDING_POSITION_TYPE_ID: i32 = 100;

/// A counter record in use (`AERON_COUNTER_RECORD_ALLOCATED`).
const RECORD_ALLOCATED: i32 = 1;

fn timed_out(msg: String) -> AeronCError {
    AeronCError::with_message(libc::ETIMEDOUT, msg)
}

/// Waits a little between two looks at the counters: spins with `yield_now` first (a position
/// that moves in microseconds is seen at once), then sleeps up to 1 ms.
struct Backoff(u32);

impl Backoff {
    fn idle(&mut self) {
        self.0 = self.0.saturating_add(1);
        if self.0 < 200 {
            std::thread::yield_now();
        } else {
            std::thread::sleep(Duration::from_micros(u64::from(self.0.min(1_000))));
        }
    }
}

/// One entry of the scan: the counter id and the recording id of a recording position counter of
/// `session_id` (and of `archive_id`, when given).
fn scan_for_session(reader: &AeronCountersReader, session_id: i32, archive_id: Option<i64>) -> Option<(i32, i64)> {
    if let Some(archive_id) = archive_id {
        let counter_id = RecordingPos::find_counter_id_by_session_id(reader, session_id, archive_id);
        if counter_id < 0 {
            return None;
        }
        let recording_id = RecordingPos::get_recording_id(reader, counter_id);
        return (recording_id >= 0).then_some((counter_id, recording_id));
    }
    for counter_id in 0..=reader.max_counter_id() {
        if reader.get_counter_state(counter_id).ok() != Some(RECORD_ALLOCATED)
            || reader.get_counter_type_id(counter_id).ok() != Some(RECORDING_POSITION_TYPE_ID)
        {
            continue;
        }
        let Ok(key) = reader.get_counter_key(counter_id) else { continue };
        // Key layout: recording id (i64), session id (i32), source identity length (i32), ...
        let key_session = i32::from_le_bytes([key[8], key[9], key[10], key[11]]);
        if key_session == session_id {
            let recording_id = i64::from_le_bytes(key[0..8].try_into().unwrap_or([0xff; 8]));
            if recording_id >= 0 {
                return Some((counter_id, recording_id));
            }
        }
    }
    None
}

/// What a lookup asked for, for messages.
fn describe(session_id: i32, archive_id: Option<i64>) -> String {
    match archive_id {
        Some(id) => format!("session {session_id} on archive {id}"),
        None => format!("session {session_id} (any archive)"),
    }
}

/// The recording position counter of one active recording, found by the session id of the
/// recorded publication: reads how far the archive has recorded it, and waits until it reaches a
/// position.
///
/// It holds the counters reader (which keeps its client alive) and the counter's registration id:
/// once the recording stops the archive frees the counter, and every read then fails with an
/// error saying so instead of returning the value of whatever counter reuses the slot.
///
/// ```
/// use rusteron_archive::testing::EmbeddedArchiveMediaDriverProcess;
/// use rusteron_archive::*;
/// use std::time::Duration;
///
/// let timeout = Duration::from_secs(10);
/// let archive_process = EmbeddedArchiveMediaDriverProcess::start()?;
/// let (aeron, archive) = archive_process.connect()?;
/// archive.start_recording(c"aeron:ipc", 1002, SOURCE_LOCATION_LOCAL, true)?;
/// let publication = aeron.add_exclusive_publication(c"aeron:ipc", 1002, timeout)?;
///
/// // Block until the archive has started recording this publication's session.
/// let recording = archive.await_recording_position(publication.session_id(), timeout)?;
/// let position = loop {
///     match publication.offer(b"hello") {
///         Ok(position) => break position,
///         Err(e) if e.is_retryable() => std::thread::yield_now(),
///         Err(e) => return Err(e),
///     }
/// };
/// // Block until everything offered so far is recorded.
/// assert!(recording.await_position(position, timeout)? >= position);
/// assert_eq!(archive.get_recording_position(recording.recording_id())?, position);
/// # Ok::<(), AeronCError>(())
/// ```
#[derive(Debug, Clone)]
pub struct RecordingPosition {
    reader: AeronCountersReader,
    counter_id: i32,
    registration_id: i64,
    recording_id: i64,
    session_id: i32,
}

impl RecordingPosition {
    /// The recording position counter of the active recording of `session_id`, or `None` when
    /// there is none (yet). `archive_id` picks one archive's recordings (two archives on one media
    /// driver can record the same session); `None` takes the first found of any archive.
    pub fn find(reader: &AeronCountersReader, session_id: i32, archive_id: Option<i64>) -> Option<Self> {
        let (counter_id, recording_id) = scan_for_session(reader, session_id, archive_id)?;
        let registration_id = reader.get_counter_registration_id(counter_id).ok()?;
        let found = Self { reader: reader.clone(), counter_id, registration_id, recording_id, session_id };
        // The counter could have been freed and reused between the two reads.
        found.is_active().then_some(found)
    }

    /// Waits up to `timeout` until a recording of `session_id` is active (its counter appears),
    /// then returns it.
    ///
    /// # Errors
    /// A timed-out error ([`AeronErrorType::TimedOut`](crate::AeronErrorType::TimedOut)) naming
    /// the session, the archive and the timeout when none appears in time.
    pub fn await_for_session(
        reader: &AeronCountersReader,
        session_id: i32,
        archive_id: Option<i64>,
        timeout: Duration,
    ) -> Result<Self, AeronCError> {
        let started = Instant::now();
        let deadline = rusteron_client::__private::deadline_after(timeout);
        let mut backoff = Backoff(0);
        loop {
            if let Some(found) = Self::find(reader, session_id, archive_id) {
                return Ok(found);
            }
            if Instant::now() >= deadline {
                return Err(timed_out(format!(
                    "no active recording of {} appeared in the media driver's counters within {timeout:?} \
                     (waited {:?}): is the stream recorded (start_recording) by an archive on this client's media \
                     driver?",
                    describe(session_id, archive_id),
                    started.elapsed()
                )));
            }
            backoff.idle();
        }
    }

    /// The id of the counter.
    pub fn counter_id(&self) -> i32 {
        self.counter_id
    }

    /// The id of the recording.
    pub fn recording_id(&self) -> i64 {
        self.recording_id
    }

    /// The session id of the recorded publication.
    pub fn session_id(&self) -> i32 {
        self.session_id
    }

    /// True while the counter still tracks this recording (the recording has not stopped).
    pub fn is_active(&self) -> bool {
        self.reader.get_counter_state(self.counter_id).ok() == Some(RECORD_ALLOCATED)
            && self.reader.get_counter_registration_id(self.counter_id).ok() == Some(self.registration_id)
            && self.reader.get_counter_type_id(self.counter_id).ok() == Some(RECORDING_POSITION_TYPE_ID)
    }

    fn stopped_error(&self) -> AeronCError {
        AeronCError::with_message(
            -1,
            format!(
                "recording {} (session {}) is no longer active: the archive freed its position counter {} (ask the \
                 archive for its stop position: get_stop_position)",
                self.recording_id, self.session_id, self.counter_id
            ),
        )
    }

    /// The position the archive has recorded up to (an acquire read of the counter).
    ///
    /// # Errors
    /// When the recording has stopped (its counter was freed or reused), naming the recording.
    pub fn position(&self) -> Result<i64, AeronCError> {
        let value = self.reader.get_counter_value(self.counter_id)?;
        // Checked after the read: the value belonged to this recording if it is still active now.
        if self.is_active() {
            Ok(value)
        } else {
            Err(self.stopped_error())
        }
    }

    /// Waits up to `timeout` until the archive has recorded up to at least `position`, and returns
    /// the recorded position (at least `position`).
    ///
    /// # Errors
    /// A timed-out error naming the recording, the position reached and the timeout; or, at
    /// once, an error when the recording stops before it gets there.
    pub fn await_position(&self, position: i64, timeout: Duration) -> Result<i64, AeronCError> {
        let deadline = rusteron_client::__private::deadline_after(timeout);
        let mut backoff = Backoff(0);
        loop {
            let reached = self.position()?;
            if reached >= position {
                return Ok(reached);
            }
            if Instant::now() >= deadline {
                return Err(timed_out(format!(
                    "recording {} (session {}) reached position {reached}, not {position}, within {timeout:?}",
                    self.recording_id, self.session_id
                )));
            }
            backoff.idle();
        }
    }
}

impl RecordingPos {
    /// The counter id of the active recording of session `session_id` recorded by any archive on
    /// this media driver, or `-1`: the first one found (see
    /// [`find_counter_id_by_session_id`](Self::find_counter_id_by_session_id) for one archive's).
    /// The published rusteron's two-argument `find_counter_id_by_session`.
    pub fn find_counter_id_by_session(reader: &AeronCountersReader, session_id: i32) -> i32 {
        scan_for_session(reader, session_id, None).map(|(counter_id, _)| counter_id).unwrap_or(-1)
    }

    /// Waits up to `timeout` until counter `counter_id` is an active recording position counter,
    /// and returns its recording id (the published rusteron's `get_recording_id_block`). A
    /// counter id found by session is usually one already; for "block until the session is
    /// recorded" use [`await_recording_id`](Self::await_recording_id), which also waits for the
    /// counter to appear.
    ///
    /// # Errors
    /// A timed-out error naming the counter id and the timeout (a negative `counter_id`, "none
    /// found", times out the same way).
    pub fn get_recording_id_block(
        reader: &AeronCountersReader,
        counter_id: i32,
        timeout: Duration,
    ) -> Result<i64, AeronCError> {
        let deadline = rusteron_client::__private::deadline_after(timeout);
        let mut backoff = Backoff(0);
        loop {
            if counter_id >= 0
                && reader.get_counter_state(counter_id).ok() == Some(RECORD_ALLOCATED)
                && reader.get_counter_type_id(counter_id).ok() == Some(RECORDING_POSITION_TYPE_ID)
            {
                let recording_id = Self::get_recording_id(reader, counter_id);
                if recording_id >= 0 {
                    return Ok(recording_id);
                }
            }
            if Instant::now() >= deadline {
                return Err(timed_out(format!(
                    "counter {counter_id} was not an active recording position counter within {timeout:?}"
                )));
            }
            backoff.idle();
        }
    }

    /// Waits up to `timeout` until an active recording of `session_id` (by the archive
    /// `archive_id`, or any archive for `None`) is in the counters, and returns its recording id.
    ///
    /// # Errors
    /// A timed-out error naming the session, the archive and the timeout.
    pub fn await_recording_id(
        reader: &AeronCountersReader,
        session_id: i32,
        archive_id: Option<i64>,
        timeout: Duration,
    ) -> Result<i64, AeronCError> {
        RecordingPosition::await_for_session(reader, session_id, archive_id, timeout).map(|r| r.recording_id())
    }
}

impl AeronArchive {
    fn counters_for_recordings(&self) -> Result<(Aeron, AeronCountersReader), AeronCError> {
        let aeron = self.aeron().ok_or_else(|| AeronCError::with_message(-1, "the archive has no Aeron client"))?;
        let reader = aeron.counters_reader();
        Ok((aeron, reader))
    }

    /// The recording position counter of this archive's active recording of `session_id`, read
    /// through the archive's Aeron client, or `None` when there is none (yet). Only recordings on
    /// the media driver of that client are seen: the archive keeps these counters in its own
    /// media driver.
    pub fn recording_position(&self, session_id: i32) -> Result<Option<RecordingPosition>, AeronCError> {
        let (_aeron, reader) = self.counters_for_recordings()?;
        Ok(RecordingPosition::find(&reader, session_id, Some(self.get_archive_id())))
    }

    /// Waits up to `timeout` until this archive records `session_id` (its recording position
    /// counter appears in the counters of the archive's Aeron client) and returns the counter.
    ///
    /// # Errors
    /// A timed-out error ([`AeronErrorType::TimedOut`](crate::AeronErrorType::TimedOut)) naming
    /// the session, the archive id and the timeout.
    pub fn await_recording_position(
        &self,
        session_id: i32,
        timeout: Duration,
    ) -> Result<RecordingPosition, AeronCError> {
        let (_aeron, reader) = self.counters_for_recordings()?;
        RecordingPosition::await_for_session(&reader, session_id, Some(self.get_archive_id()), timeout)
    }

    /// Waits up to `timeout` until this archive records `session_id` and returns the recording id.
    ///
    /// # Errors
    /// As [`await_recording_position`](Self::await_recording_position).
    pub fn await_recording_id(&self, session_id: i32, timeout: Duration) -> Result<i64, AeronCError> {
        self.await_recording_position(session_id, timeout).map(|r| r.recording_id())
    }
}
