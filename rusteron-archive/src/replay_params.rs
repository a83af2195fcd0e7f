//! `AeronArchiveReplayParams`: the parameters of a replay (`aeron_archive_replay_params_t`).

use crate::bindings;
use crate::util::check;
use crate::AeronCError;

rusteron_client::c_struct_wrapper!(@mut
/// The available replay parameters: start position, length, bounding counter, file I/O
    /// size, replay token and subscription registration id. `new()` sets Aeron's defaults
    /// (replay everything from the start); the C fields are reachable through `Deref`.
    ///
    /// Threads: `Send + Sync` (plain data, only read by archive calls).
    AeronArchiveReplayParams => bindings::aeron_archive_replay_params_t
);
unsafe impl Send for AeronArchiveReplayParams {}
unsafe impl Sync for AeronArchiveReplayParams {}

impl AeronArchiveReplayParams {
    /// Defaults (`aeron_archive_replay_params_init`): from the start, everything, unbounded.
    pub fn new_default() -> Result<Self, AeronCError> {
        let p = Self::new_zeroed();
        check(unsafe { bindings::aeron_archive_replay_params_init(p.get_inner()) })?;
        Ok(p)
    }

    /// Parameters with every field given.
    pub fn new(
        bounding_limit_counter_id: i32,
        file_io_max_length: i32,
        position: i64,
        length: i64,
        replay_token: i64,
        subscription_registration_id: i64,
    ) -> Result<Self, AeronCError> {
        let mut p = Self::new_default()?;
        p.bounding_limit_counter_id = bounding_limit_counter_id;
        p.file_io_max_length = file_io_max_length;
        p.position = position;
        p.length = length;
        p.replay_token = replay_token;
        p.subscription_registration_id = subscription_registration_id;
        Ok(p)
    }

    /// Replays from `position` (a frame boundary of the recording).
    pub fn with_position(mut self, position: i64) -> Self {
        self.position = position;
        self
    }

    /// Replays `length` bytes; [`ARCHIVE_REPLAY_ALL_AND_FOLLOW`](crate::ARCHIVE_REPLAY_ALL_AND_FOLLOW)
    /// or [`ARCHIVE_REPLAY_ALL_AND_STOP`](crate::ARCHIVE_REPLAY_ALL_AND_STOP) for everything.
    pub fn with_length(mut self, length: i64) -> Self {
        self.length = length;
        self
    }

    /// Bounds the replay by the value of a counter (a bounded replay).
    pub fn with_bounding_limit_counter_id(mut self, counter_id: i32) -> Self {
        self.bounding_limit_counter_id = counter_id;
        self
    }

    /// Maximum size of a file read while replaying.
    pub fn with_file_io_max_length(mut self, length: i32) -> Self {
        self.file_io_max_length = length;
        self
    }

    /// Replay token for a replay started from another connection.
    pub fn with_replay_token(mut self, token: i64) -> Self {
        self.replay_token = token;
        self
    }

    /// Registration id of an existing response-channel subscription.
    pub fn with_subscription_registration_id(mut self, id: i64) -> Self {
        self.subscription_registration_id = id;
        self
    }

    /// True when a bounding counter is set (`aeron_archive_replay_params_is_bounded`).
    pub fn is_bounded(&self) -> bool {
        unsafe { bindings::aeron_archive_replay_params_is_bounded(self.get_inner()) }
    }

    /// A separate copy of these parameters (`aeron_archive_replay_params_copy`).
    pub fn copy(&self) -> Result<Self, AeronCError> {
        let p = Self::new_zeroed();
        check(unsafe { bindings::aeron_archive_replay_params_copy(p.get_inner(), self.get_inner()) })?;
        Ok(p)
    }
}
