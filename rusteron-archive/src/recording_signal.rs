//! Recording signals: notifications from the archive that a recording started, stopped, was
//! extended, replicated, merged, synced or deleted.

use crate::bindings;

/// What happened to a recording (`aeron_archive_client_recording_signal_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AeronArchiveRecordingSignalCode {
    /// A recording started.
    Start,
    /// A recording stopped.
    Stop,
    /// A recording was extended.
    Extend,
    /// A replication started.
    Replicate,
    /// A replication merged with a live stream.
    Merge,
    /// A replication caught up (sync).
    Sync,
    /// A recording was deleted.
    Delete,
    /// A replication ended.
    ReplicateEnd,
    /// A code this version does not know.
    Unknown(i32),
}

impl AeronArchiveRecordingSignalCode {
    /// The kind of a raw signal code.
    pub const fn from_code(code: i32) -> Self {
        match code {
            0 => Self::Start,
            1 => Self::Stop,
            2 => Self::Extend,
            3 => Self::Replicate,
            4 => Self::Merge,
            5 => Self::Sync,
            6 => Self::Delete,
            7 => Self::ReplicateEnd,
            c => Self::Unknown(c),
        }
    }
}

/// A recording signal (`aeron_archive_recording_signal_t`, copied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AeronArchiveRecordingSignal {
    /// Control session id of the session that caused the transition.
    pub control_session_id: i64,
    /// The recording that transitioned.
    pub recording_id: i64,
    /// The subscription that captured the recording.
    pub subscription_id: i64,
    /// Position of the recording at the transition.
    pub position: i64,
    /// Raw signal code (see [`signal`](Self::signal)).
    pub recording_signal_code: i32,
}

impl AeronArchiveRecordingSignal {
    /// Copies a C signal.
    ///
    /// # Safety
    /// `s` must point to a valid signal.
    pub unsafe fn from_raw(s: *const bindings::aeron_archive_recording_signal_t) -> Self {
        let s = &*s;
        AeronArchiveRecordingSignal {
            control_session_id: s.control_session_id,
            recording_id: s.recording_id,
            subscription_id: s.subscription_id,
            position: s.position,
            recording_signal_code: s.recording_signal_code,
        }
    }

    /// The signal's kind.
    pub fn signal(&self) -> AeronArchiveRecordingSignalCode {
        AeronArchiveRecordingSignalCode::from_code(self.recording_signal_code)
    }
}
