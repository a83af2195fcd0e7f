//! `AeronArchiveReplicationParams`: the parameters of a replication
//! (`aeron_archive_replication_params_t`).

use crate::bindings;
use crate::util::check;
use crate::{AeronArchiveEncodedCredentials, AeronCError};
use std::ffi::{CStr, CString};

/// The available replication parameters: stop position, destination recording, live
/// destination, replication and response channels, tags, file I/O size, session id and
/// credentials.
///
/// The C struct points to strings and credentials; this type owns them, so the pointers stay
/// valid as long as the parameters live.
///
/// Threads: `Send + Sync` (read-only once built; setters take `&mut self`).
pub struct AeronArchiveReplicationParams {
    raw: Box<bindings::aeron_archive_replication_params_t>,
    live_destination: Option<CString>,
    replication_channel: Option<CString>,
    src_response_channel: Option<CString>,
    credentials: Option<(AeronArchiveEncodedCredentials, Box<bindings::aeron_archive_encoded_credentials_t>)>,
}
unsafe impl Send for AeronArchiveReplicationParams {}
unsafe impl Sync for AeronArchiveReplicationParams {}

impl std::fmt::Debug for AeronArchiveReplicationParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronArchiveReplicationParams")
            .field("stop_position", &self.raw.stop_position)
            .field("dst_recording_id", &self.raw.dst_recording_id)
            .field("live_destination", &self.live_destination)
            .field("replication_channel", &self.replication_channel)
            .field("src_response_channel", &self.src_response_channel)
            .field("channel_tag_id", &self.raw.channel_tag_id)
            .field("subscription_tag_id", &self.raw.subscription_tag_id)
            .field("file_io_max_length", &self.raw.file_io_max_length)
            .field("replication_session_id", &self.raw.replication_session_id)
            .finish()
    }
}

impl AeronArchiveReplicationParams {
    /// Aeron's defaults (`aeron_archive_replication_params_init`): replicate everything into a
    /// new recording, no live merge, the archive's default replication channel.
    pub fn new() -> Result<Self, AeronCError> {
        let mut raw: Box<bindings::aeron_archive_replication_params_t> = Box::new(unsafe { std::mem::zeroed() });
        check(unsafe { bindings::aeron_archive_replication_params_init(&mut *raw) })?;
        Ok(AeronArchiveReplicationParams {
            raw,
            live_destination: None,
            replication_channel: None,
            src_response_channel: None,
            credentials: None,
        })
    }

    /// Parameters with the common fields given (`None` keeps a string unset).
    #[allow(clippy::too_many_arguments)]
    pub fn with_values(
        stop_position: i64,
        dst_recording_id: i64,
        live_destination: Option<&CStr>,
        replication_channel: Option<&CStr>,
        src_response_channel: Option<&CStr>,
        channel_tag_id: i64,
        subscription_tag_id: i64,
        file_io_max_length: i32,
        replication_session_id: i32,
    ) -> Result<Self, AeronCError> {
        let mut p = Self::new()?;
        p.set_stop_position(stop_position);
        p.set_dst_recording_id(dst_recording_id);
        p.set_live_destination(live_destination);
        p.set_replication_channel(replication_channel);
        p.set_src_response_channel(src_response_channel);
        p.raw.channel_tag_id = channel_tag_id;
        p.raw.subscription_tag_id = subscription_tag_id;
        p.raw.file_io_max_length = file_io_max_length;
        p.raw.replication_session_id = replication_session_id;
        Ok(p)
    }

    /// The C struct, valid while `self` lives.
    pub fn get_inner(&self) -> *mut bindings::aeron_archive_replication_params_t {
        &*self.raw as *const _ as *mut _
    }

    /// Position to stop replicating at (`-1`: follow the source).
    pub fn set_stop_position(&mut self, v: i64) -> &mut Self {
        self.raw.stop_position = v;
        self
    }
    /// Position to stop replicating at.
    pub fn stop_position(&self) -> i64 {
        self.raw.stop_position
    }
    /// Existing recording to replicate into (`-1`: a new one).
    pub fn set_dst_recording_id(&mut self, v: i64) -> &mut Self {
        self.raw.dst_recording_id = v;
        self
    }
    /// Existing recording to replicate into.
    pub fn dst_recording_id(&self) -> i64 {
        self.raw.dst_recording_id
    }
    /// Tag for the replication subscription's channel.
    pub fn set_channel_tag_id(&mut self, v: i64) -> &mut Self {
        self.raw.channel_tag_id = v;
        self
    }
    /// Tag for the replication subscription.
    pub fn set_subscription_tag_id(&mut self, v: i64) -> &mut Self {
        self.raw.subscription_tag_id = v;
        self
    }
    /// Maximum size of a file operation during replication.
    pub fn set_file_io_max_length(&mut self, v: i32) -> &mut Self {
        self.raw.file_io_max_length = v;
        self
    }
    /// Session id to use for the replicated stream.
    pub fn set_replication_session_id(&mut self, v: i32) -> &mut Self {
        self.raw.replication_session_id = v;
        self
    }

    /// `None` is the empty string C's defaults use (its request encoder reads every one of these
    /// strings with `strlen`, so it must never be NULL).
    fn set_str(slot: &mut Option<CString>, field: &mut *const std::os::raw::c_char, v: Option<&CStr>) {
        *slot = v.map(|s| s.to_owned());
        *field = slot.as_ref().map(|s| s.as_ptr()).unwrap_or(c"".as_ptr());
    }

    /// Checks a replicate request with these parameters before it goes to C: every channel set
    /// is at most [`AERON_URI_MAX_LENGTH`](crate::AERON_URI_MAX_LENGTH) bytes and parses (the
    /// archive drops a request with a channel it cannot parse without answering it), and the
    /// channels plus the credentials fit the archive client's request buffer
    /// ([`ARCHIVE_REQUEST_MAX_LENGTH`](crate::ARCHIVE_REQUEST_MAX_LENGTH)); a longer request
    /// would be sent cut short and never answered.
    pub(crate) fn check_request(&self, call: &str, src_control_channel: &CStr) -> Result<(), AeronCError> {
        use crate::util::check_channel_parses;
        check_channel_parses(call, "src_control_channel", src_control_channel)?;
        let fields = [
            ("live_destination", self.live_destination.as_deref()),
            ("replication_channel", self.replication_channel.as_deref()),
            ("src_response_channel", self.src_response_channel.as_deref()),
        ];
        for (name, value) in fields {
            // Empty is the default: no live merge, the archive's own replication channel.
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                check_channel_parses(call, name, v)?;
            }
        }
        let len = |v: Option<&CStr>| v.map(|c| c.to_bytes().len()).unwrap_or(0);
        crate::util::check_request(
            call,
            &[
                ("src_control_channel", src_control_channel.to_bytes().len()),
                ("live_destination", len(fields[0].1)),
                ("replication_channel", len(fields[1].1)),
                ("encoded_credentials", self.credentials.as_ref().map(|(c, _)| c.len()).unwrap_or(0)),
                ("src_response_channel", len(fields[2].1)),
            ],
        )
    }

    /// Destination of a live stream to merge with once replication catches up.
    pub fn set_live_destination(&mut self, v: Option<&CStr>) -> &mut Self {
        Self::set_str(&mut self.live_destination, &mut self.raw.live_destination, v);
        self
    }
    /// Channel the destination archive receives the replay on.
    pub fn set_replication_channel(&mut self, v: Option<&CStr>) -> &mut Self {
        Self::set_str(&mut self.replication_channel, &mut self.raw.replication_channel, v);
        self
    }
    /// Response channel to the source archive.
    pub fn set_src_response_channel(&mut self, v: Option<&CStr>) -> &mut Self {
        Self::set_str(&mut self.src_response_channel, &mut self.raw.src_response_channel, v);
        self
    }
    /// Live destination, `""` when unset.
    pub fn live_destination(&self) -> &str {
        self.live_destination.as_deref().and_then(|s| s.to_str().ok()).unwrap_or("")
    }
    /// Replication channel, `""` when unset.
    pub fn replication_channel(&self) -> &str {
        self.replication_channel.as_deref().and_then(|s| s.to_str().ok()).unwrap_or("")
    }
    /// Source response channel, `""` when unset.
    pub fn src_response_channel(&self) -> &str {
        self.src_response_channel.as_deref().and_then(|s| s.to_str().ok()).unwrap_or("")
    }

    /// Credentials to present to the source archive.
    pub fn set_encoded_credentials(&mut self, credentials: Option<AeronArchiveEncodedCredentials>) -> &mut Self {
        match credentials {
            None => {
                self.credentials = None;
                self.raw.encoded_credentials = std::ptr::null_mut();
            }
            Some(c) => {
                let mut raw = Box::new(bindings::aeron_archive_encoded_credentials_t {
                    data: c.data().as_ptr() as *const _,
                    length: c.len() as u32,
                });
                self.raw.encoded_credentials = &mut *raw;
                self.credentials = Some((c, raw));
            }
        }
        self
    }
}
