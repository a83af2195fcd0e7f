//! Small helpers shared by the archive wrappers. C return codes and the panic boundary come
//! from the client crate, so both crates stop callback panics the same way and report them in
//! one place.

use crate::bindings;
use crate::AeronCError;

pub(crate) use rusteron_client::__private::check;

/// An error made on the Rust side (bad argument, ...), with Aeron's EINVAL code.
pub(crate) fn invalid(msg: impl Into<String>) -> AeronCError {
    AeronCError::with_message(libc::EINVAL, msg)
}

pub(crate) use rusteron_client::__private::{check_channel, check_dir};

/// A channel that the archive parses before it answers: at most
/// [`AERON_URI_MAX_LENGTH`](crate::AERON_URI_MAX_LENGTH) bytes and accepted by Aeron's C parser
/// (`aeron_uri_parse`; an `aeron-spy:` prefix is allowed). The Java archive drops a request whose
/// channel it cannot parse without answering it, and the C client then waits out its message
/// timeout: refusing such a channel first turns that wait into an immediate `EINVAL` error that
/// carries the parser's message.
pub(crate) fn check_channel_parses(call: &str, argument: &str, channel: &std::ffi::CStr) -> Result<(), AeronCError> {
    check_channel(call, argument, channel)?;
    let bytes = channel.to_bytes();
    let uri = bytes.strip_prefix(crate::SPY_PREFIX.as_bytes()).unwrap_or(bytes);
    // SAFETY: a zeroed `aeron_uri_t` is what `aeron_uri_parse` expects to fill (it resets it
    // first); `uri` is readable for its length; `aeron_uri_close` frees what the parse allocated.
    let rc = unsafe {
        let mut parsed: bindings::aeron_uri_t = std::mem::zeroed();
        let rc = bindings::aeron_uri_parse(uri.len(), uri.as_ptr() as *const std::os::raw::c_char, &mut parsed);
        let message = (rc < 0).then(crate::errmsg);
        bindings::aeron_uri_close(&mut parsed);
        message
    };
    match rc {
        None => Ok(()),
        Some(reason) => Err(AeronCError::with_message(
            libc::EINVAL,
            format!(
                "{call}: {argument} is not a channel URI Aeron can parse (the archive would not answer the request): \
                 {}",
                reason.trim_end()
            ),
        )),
    }
}

/// Size of the buffer the C archive client encodes every request into
/// (`AERON_ARCHIVE_PROXY_REQUEST_BUFFER_LENGTH`, 8 KiB). A request whose variable-length fields
/// do not fit is sent cut short (the SBE encoder stops writing), and the archive never answers
/// it: the call would wait out the message timeout.
pub const ARCHIVE_REQUEST_MAX_LENGTH: usize = bindings::AERON_ARCHIVE_PROXY_REQUEST_BUFFER_LENGTH as usize;

/// The fixed part of a request: the 8-byte message header plus the longest block of the archive
/// control schema's requests (68 bytes, `replicateRequest2`), rounded up.
const REQUEST_FIXED_PART: usize = 8 + 128;

/// The variable-length fields of one request (`(name, length)`, each sent with a 4-byte length)
/// must fit the request buffer, with the fixed part.
pub(crate) fn check_request(call: &str, fields: &[(&str, usize)]) -> Result<(), AeronCError> {
    let total = fields.iter().fold(REQUEST_FIXED_PART, |sum, (_, len)| sum.saturating_add(4).saturating_add(*len));
    if total > ARCHIVE_REQUEST_MAX_LENGTH {
        let list = fields.iter().map(|(n, l)| format!("{n} {l} bytes")).collect::<Vec<_>>().join(", ");
        return Err(invalid(format!(
            "{call}: the request is {total} bytes ({list}, plus at most {REQUEST_FIXED_PART} of fixed fields), longer \
             than the {ARCHIVE_REQUEST_MAX_LENGTH} bytes of the archive client's request buffer \
             (AERON_ARCHIVE_PROXY_REQUEST_BUFFER_LENGTH)"
        )));
    }
    Ok(())
}

/// `Err(EINVAL)` naming `argument` unless `value >= 1`: a count the archive would wait on (it
/// answers a listing of zero or fewer records with nothing, and the C client waits for the end
/// of the listing until the message timeout).
pub(crate) fn check_positive(call: &str, argument: &str, value: i32) -> Result<(), AeronCError> {
    if value < 1 {
        return Err(invalid(format!(
            "{call}: {argument} must be at least 1, got {value} (the archive sends nothing for it, and the call \
             would wait out the message timeout)"
        )));
    }
    Ok(())
}

pub(crate) use rusteron_client::__private::{guard_handler, Guarded};

/// The oldest panic message caught in a callback that C called with no Rust caller to resume it
/// in (archive context callbacks as well as the client's conductor callbacks): the same queue as
/// [`take_callback_panic`](rusteron_client::take_callback_panic).
pub fn take_archive_callback_panic() -> Option<String> {
    rusteron_client::take_callback_panic()
}

/// Holds a value only to keep it alive (never read), so a `Send` type that is not `Sync` can be
/// stored as a `Dependency`.
struct KeepAlive<T>(#[allow(dead_code)] T);
// SAFETY: the value is never accessed through a shared reference; it is only dropped, which
// `T: Send` allows on any thread.
unsafe impl<T: Send> Sync for KeepAlive<T> {}

/// A type-erased handle keeping `value` alive.
pub(crate) fn keep<T: Send + 'static>(value: T) -> rusteron_client::resource::Dependency {
    std::sync::Arc::new(KeepAlive(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_must_parse_with_aerons_parser() {
        assert!(check_channel_parses("f", "channel", c"aeron:ipc").is_ok());
        assert!(check_channel_parses("f", "channel", c"aeron:udp?endpoint=localhost:40123|mtu=1408").is_ok());
        assert!(check_channel_parses("f", "channel", c"aeron-spy:aeron:ipc").is_ok());
        for bad in [c"aeron:carrier-pigeon", c"not a uri", c"", c"aeron:udp"] {
            let e = check_channel_parses("start_replay", "replay_channel", bad).unwrap_err();
            assert_eq!(e.code, libc::EINVAL);
            assert!(e.message().unwrap().starts_with("start_replay: replay_channel is not a channel URI"), "{e}");
        }
    }
}
