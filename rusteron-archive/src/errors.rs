//! The archive's own error codes, as a kind to match on.
//!
//! A failed archive request is an [`AeronCError`] whose code is the archive's error code, negated
//! (`-205` for an unknown recording), with the archive's message. [`ArchiveErrorKind`] names those
//! codes; [`AeronArchiveErrorExt::archive_error_kind`] reads it from an error.

use crate::AeronCError;

/// An error code of the archive protocol (`AERON_ARCHIVE_ERROR_CODE_*`) or of the C archive
/// client (`AERON_ARCHIVE_CLIENT_ERROR_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArchiveErrorKind {
    /// A generic archive error (200).
    Generic,
    /// A listing is already in progress on this session (201).
    ActiveListing,
    /// The recording is active (202).
    ActiveRecording,
    /// A subscription is already recording that channel and stream (203).
    ActiveSubscription,
    /// No recording subscription with that id (204).
    UnknownSubscription,
    /// No recording with that id (205).
    UnknownRecording,
    /// No replay session with that id (206).
    UnknownReplay,
    /// The archive's limit of concurrent replays is reached (207).
    MaxReplays,
    /// The archive's limit of concurrent recordings is reached (208).
    MaxRecordings,
    /// The extension of a recording does not match it (209).
    InvalidExtension,
    /// The credentials were rejected (210).
    AuthenticationRejected,
    /// The archive is out of storage space (211).
    StorageSpace,
    /// No replication with that id (212).
    UnknownReplication,
    /// The session is not authorised for this action (213).
    UnauthorisedAction,
    /// A replication could not connect to its source (214).
    ReplicationConnectionFailure,
    /// The recording is empty (215).
    EmptyRecording,
    /// The position is not valid for the recording (216).
    InvalidPosition,
    /// A call was made from inside a callback of the same archive client (2000).
    ReentrantCall,
    /// The archive client is not connected (2001).
    NotConnected,
    /// The archive client is in a state that does not allow the call (2002).
    IllegalState,
}

impl ArchiveErrorKind {
    /// The kind of an archive error code (positive, as the C headers define it), if it is one.
    pub const fn from_code(code: i32) -> Option<Self> {
        use ArchiveErrorKind::*;
        Some(match code {
            200 => Generic,
            201 => ActiveListing,
            202 => ActiveRecording,
            203 => ActiveSubscription,
            204 => UnknownSubscription,
            205 => UnknownRecording,
            206 => UnknownReplay,
            207 => MaxReplays,
            208 => MaxRecordings,
            209 => InvalidExtension,
            210 => AuthenticationRejected,
            211 => StorageSpace,
            212 => UnknownReplication,
            213 => UnauthorisedAction,
            214 => ReplicationConnectionFailure,
            215 => EmptyRecording,
            216 => InvalidPosition,
            2000 => ReentrantCall,
            2001 => NotConnected,
            2002 => IllegalState,
            _ => return None,
        })
    }
}

/// Reads the archive's error kind from an [`AeronCError`].
pub trait AeronArchiveErrorExt {
    /// The archive error kind, when the error came from the archive (its code is an archive
    /// error code, negated or not).
    fn archive_error_kind(&self) -> Option<ArchiveErrorKind>;
}

impl AeronArchiveErrorExt for AeronCError {
    fn archive_error_kind(&self) -> Option<ArchiveErrorKind> {
        ArchiveErrorKind::from_code(self.code.checked_abs()?)
    }
}

/// C's error message without its first line, `"(code) text\n"`, which C derives from the code
/// alone (`aeron_err_set`): for a code that is not an errno or an Aeron code it says something
/// false ("(1) Operation not permitted", "(-1) invalid channel").
fn without_code_line(message: &str) -> &str {
    match message.split_once('\n') {
        Some((first, rest)) if first.starts_with('(') => rest,
        _ => message,
    }
}

/// The error of a failed listing call (`list_recording*`, the descriptor pollers).
///
/// When the archive answers a listing request with an error, the C descriptor pollers record the
/// archive's error code as it is (`AERON_SET_ERR(relevantId, ...)`), so the error reads like an
/// errno ("(1) Operation not permitted" for an active listing). This gives it the code every
/// other archive error has, the negated client code (`-201`, which
/// [`AeronArchiveErrorExt::archive_error_kind`] reads), and a first line that says what it is.
pub(crate) fn listing_error(call: &str) -> AeronCError {
    let e = AeronCError::last();
    let message = e.message().unwrap_or("");
    let from_archive = message.contains("descriptor_poller_on_fragment,");
    if !from_archive || e.code < 0 {
        return e;
    }
    let client_code = crate::AeronArchive::map_archive_to_client_error_code(e.code);
    let code = if ArchiveErrorKind::from_code(client_code).is_some() { -client_code } else { e.code };
    AeronCError::with_message(
        code,
        format!(
            "{call}: the archive answered with an error, archive error code {} ({})\n{}",
            e.code,
            AeronCError::describe_code(code),
            without_code_line(message)
        ),
    )
}

/// What a connect error names, read from the context on the thread that owns it when the
/// connect starts (an async connect may be polled on another thread, where the context, which is
/// not `Send`, must not be read: its owner may be changing it).
#[derive(Debug, Clone)]
pub(crate) struct ConnectSettings {
    message_timeout_ns: u64,
    request_channel: String,
    request_stream_id: i32,
    response_channel: String,
}

impl ConnectSettings {
    pub(crate) fn of(context: &crate::AeronArchiveContext) -> Self {
        ConnectSettings {
            message_timeout_ns: context.get_message_timeout_ns(),
            request_channel: context.get_control_request_channel(),
            request_stream_id: context.get_control_request_stream_id(),
            response_channel: context.get_control_response_channel(),
        }
    }
}

/// The error of a failed connect (`aeron_archive_connect`, `aeron_archive_async_connect_poll`).
///
/// When no archive answers within the message timeout, C reports `AERON_SET_ERR(-1, "connect
/// timeout")`: the code of a failed offer ("not connected"), and a first line derived from it,
/// "(-1) invalid channel". This gives it the timed-out kind (`ETIMEDOUT`) and says what timed
/// out, on which channels, after how long.
pub(crate) fn connect_error(settings: &ConnectSettings) -> AeronCError {
    let e = AeronCError::last();
    let message = e.message().unwrap_or("");
    if !message.contains("aeron_archive_async_connect_poll") || !message.contains("] connect timeout") {
        return e;
    }
    AeronCError::with_message(
        rusteron_client::AeronErrorType::TimedOut.code(),
        format!(
            "archive connect timeout: no answer from an archive within the message timeout of {:?} (control request \
             channel {} stream {}, control response channel {}); is the archive running and reachable?\n{}",
            std::time::Duration::from_nanos(settings.message_timeout_ns),
            settings.request_channel,
            settings.request_stream_id,
            settings.response_channel,
            without_code_line(message)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusteron_client::bindings;

    #[test]
    fn codes_match_the_c_headers() {
        assert_eq!(
            ArchiveErrorKind::from_code(bindings::AERON_ARCHIVE_ERROR_CODE_UNKNOWN_RECORDING as i32),
            Some(ArchiveErrorKind::UnknownRecording)
        );
        assert_eq!(
            ArchiveErrorKind::from_code(bindings::AERON_ARCHIVE_ERROR_CODE_INVALID_POSITION as i32),
            Some(ArchiveErrorKind::InvalidPosition)
        );
        assert_eq!(
            ArchiveErrorKind::from_code(bindings::AERON_ARCHIVE_CLIENT_ERROR_NOT_CONNECTED as i32),
            Some(ArchiveErrorKind::NotConnected)
        );
        assert_eq!(ArchiveErrorKind::from_code(199), None);
        assert_eq!(AeronCError::from_code(-205).archive_error_kind(), Some(ArchiveErrorKind::UnknownRecording));
        assert_eq!(AeronCError::from_code(i32::MIN).archive_error_kind(), None);
    }

    #[test]
    fn the_code_line_c_derives_from_the_code_is_dropped() {
        assert_eq!(without_code_line("(1) Operation not permitted\n[f, file.c:1] text\n"), "[f, file.c:1] text\n");
        assert_eq!(without_code_line("plain text"), "plain text");
        assert_eq!(without_code_line("[f, file.c:1] text\nmore"), "[f, file.c:1] text\nmore");
    }
}
