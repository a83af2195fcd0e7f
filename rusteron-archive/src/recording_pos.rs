//! `RecordingPos`: find and read the archive's recording position counters.

use crate::bindings;
use crate::util::check;
use crate::{Aeron, AeronCError, AeronCountersReader};

/// Helpers over the archive's recording position counters (type id 100), which the archive
/// keeps in its media driver's counters for every active recording. Read them through the
/// counters reader of an [`Aeron`] client on the same driver.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordingPos;

/// The counters reader of a client. It keeps the client alive, so it stays valid after the
/// caller's `Aeron` is dropped.
pub fn counters_reader_of(aeron: &Aeron) -> AeronCountersReader {
    aeron.counters_reader()
}

impl RecordingPos {
    /// The counter id of the active recording `recording_id` of archive `archive_id`, or `-1`
    /// (`aeron_archive_recording_pos_find_counter_id_by_recording_id`).
    pub fn find_counter_id_by_recording_id(reader: &AeronCountersReader, recording_id: i64, archive_id: i64) -> i32 {
        unsafe {
            bindings::aeron_archive_recording_pos_find_counter_id_by_recording_id(
                reader.get_inner(),
                recording_id,
                archive_id,
            )
        }
    }

    /// The counter id of the active recording of session `session_id`, or `-1`
    /// (`aeron_archive_recording_pos_find_counter_id_by_session_id`).
    pub fn find_counter_id_by_session_id(reader: &AeronCountersReader, session_id: i32, archive_id: i64) -> i32 {
        unsafe {
            bindings::aeron_archive_recording_pos_find_counter_id_by_session_id(
                reader.get_inner(),
                session_id,
                archive_id,
            )
        }
    }

    /// The recording id a recording position counter stands for, or `-1`
    /// (`aeron_archive_recording_pos_get_recording_id`).
    pub fn get_recording_id(reader: &AeronCountersReader, counter_id: i32) -> i64 {
        unsafe { bindings::aeron_archive_recording_pos_get_recording_id(reader.get_inner(), counter_id) }
    }

    /// The source identity of a recording position counter
    /// (`aeron_archive_recording_pos_get_source_identity`).
    pub fn get_source_identity(reader: &AeronCountersReader, counter_id: i32) -> Result<String, AeronCError> {
        let mut buf = vec![0u8; 1024];
        let mut len = buf.len();
        check(unsafe {
            bindings::aeron_archive_recording_pos_get_source_identity(
                reader.get_inner(),
                counter_id,
                buf.as_mut_ptr() as *mut _,
                &mut len,
            )
        })?;
        let len = len.min(buf.len());
        let end = buf[..len].iter().position(|&b| b == 0).unwrap_or(len);
        Ok(String::from_utf8_lossy(&buf[..end]).into_owned())
    }

    /// True while the counter still tracks the active recording `recording_id`
    /// (`aeron_archive_recording_pos_is_active`).
    pub fn is_active(reader: &AeronCountersReader, counter_id: i32, recording_id: i64) -> Result<bool, AeronCError> {
        let mut active = false;
        check(unsafe {
            bindings::aeron_archive_recording_pos_is_active(&mut active, reader.get_inner(), counter_id, recording_id)
        })?;
        Ok(active)
    }
}
