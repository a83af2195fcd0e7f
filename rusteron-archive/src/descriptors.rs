//! Recording descriptors and recording subscription descriptors: owned copies of what the
//! archive sends in answer to list requests.
//!
//! The C structs are only valid inside the consumer callback; these types copy them (numbers and
//! strings) so they can be kept. Strings come back as `&str`.

use crate::bindings;
use std::os::raw::c_char;

/// Copies `len` bytes of C text into a `String` (lossy on invalid UTF-8).
unsafe fn copy_text(p: *const c_char, len: usize) -> String {
    if p.is_null() || len == 0 {
        String::new()
    } else {
        String::from_utf8_lossy(std::slice::from_raw_parts(p as *const u8, len)).into_owned()
    }
}

/// The details of one recording in an archive's catalog
/// (`aeron_archive_recording_descriptor_t`, copied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AeronArchiveRecordingDescriptor {
    /// Control session id of the request.
    pub control_session_id: i64,
    /// Correlation id of the request.
    pub correlation_id: i64,
    /// Id of the recording.
    pub recording_id: i64,
    /// Timestamp (ms since epoch) when the recording started.
    pub start_timestamp: i64,
    /// Timestamp when the recording stopped (`-1` while active).
    pub stop_timestamp: i64,
    /// Start position of the recording in the recorded stream.
    pub start_position: i64,
    /// Highest position reached (`-1` while active).
    pub stop_position: i64,
    /// Initial term id of the recorded publication.
    pub initial_term_id: i32,
    /// Segment file length, a multiple of the term length.
    pub segment_file_length: i32,
    /// Term buffer length of the recorded publication.
    pub term_buffer_length: i32,
    /// MTU of the recorded publication.
    pub mtu_length: i32,
    /// Session id of the recorded publication.
    pub session_id: i32,
    /// Stream id of the recorded publication.
    pub stream_id: i32,
    stripped_channel: String,
    original_channel: String,
    source_identity: String,
}

impl AeronArchiveRecordingDescriptor {
    /// Copies a C descriptor.
    ///
    /// # Safety
    /// `d` must point to a valid descriptor (as handed to a consumer callback).
    pub unsafe fn from_raw(d: *const bindings::aeron_archive_recording_descriptor_t) -> Self {
        let d = &*d;
        AeronArchiveRecordingDescriptor {
            control_session_id: d.control_session_id,
            correlation_id: d.correlation_id,
            recording_id: d.recording_id,
            start_timestamp: d.start_timestamp,
            stop_timestamp: d.stop_timestamp,
            start_position: d.start_position,
            stop_position: d.stop_position,
            initial_term_id: d.initial_term_id,
            segment_file_length: d.segment_file_length,
            term_buffer_length: d.term_buffer_length,
            mtu_length: d.mtu_length,
            session_id: d.session_id,
            stream_id: d.stream_id,
            stripped_channel: copy_text(d.stripped_channel, d.stripped_channel_length),
            original_channel: copy_text(d.original_channel, d.original_channel_length),
            source_identity: copy_text(d.source_identity, d.source_identity_length),
        }
    }

    /// The channel the archive's recording subscription uses (the original, stripped of
    /// parameters that do not identify the stream).
    pub fn stripped_channel(&self) -> &str {
        &self.stripped_channel
    }

    /// The channel given in the start recording request.
    pub fn original_channel(&self) -> &str {
        &self.original_channel
    }

    /// The source identity of the recorded stream (the publisher's address, or `aeron:ipc`).
    pub fn source_identity(&self) -> &str {
        &self.source_identity
    }

    /// True while the recording is active (no stop position yet).
    pub fn is_active(&self) -> bool {
        self.stop_position < 0
    }

    /// Bytes recorded: `stop_position - start_position` (0 while active).
    pub fn recorded_length(&self) -> i64 {
        if self.stop_position < 0 {
            0
        } else {
            self.stop_position - self.start_position
        }
    }
}

/// One recording subscription of an archive (`aeron_archive_recording_subscription_descriptor_t`,
/// copied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AeronArchiveRecordingSubscriptionDescriptor {
    /// Control session id of the request.
    pub control_session_id: i64,
    /// Correlation id of the request.
    pub correlation_id: i64,
    /// The subscription id: stop the recording with it.
    pub subscription_id: i64,
    /// The stream id the subscription was registered with.
    pub stream_id: i32,
    stripped_channel: String,
}

impl AeronArchiveRecordingSubscriptionDescriptor {
    /// Copies a C descriptor.
    ///
    /// # Safety
    /// `d` must point to a valid descriptor (as handed to a consumer callback).
    pub unsafe fn from_raw(d: *const bindings::aeron_archive_recording_subscription_descriptor_t) -> Self {
        let d = &*d;
        AeronArchiveRecordingSubscriptionDescriptor {
            control_session_id: d.control_session_id,
            correlation_id: d.correlation_id,
            subscription_id: d.subscription_id,
            stream_id: d.stream_id,
            stripped_channel: copy_text(d.stripped_channel, d.stripped_channel_length),
        }
    }

    /// The channel the subscription was registered with.
    pub fn stripped_channel(&self) -> &str {
        &self.stripped_channel
    }
}
