//! Input limits checked before a call reaches C.
//!
//! Aeron's C client handles some oversized inputs badly: a command longer than the ring buffer to
//! the media driver accepts makes the conductor report it to the client error handler (whose C
//! default ends the process), a directory longer than its fixed-size field is cut short without a
//! word, a counter key or label longer than the counter record is cut short by the driver, a
//! reject reason longer than the driver's error text is refused by the driver after the fact. The
//! wrappers check these lengths first and return an [`AeronCError`] (`EINVAL`) naming the call,
//! the argument, its length and the limit.
//!
//! | limit | bytes | where it comes from |
//! | --- | --- | --- |
//! | [`AERON_URI_MAX_LENGTH`](crate::AERON_URI_MAX_LENGTH) | 4095 | `AERON_URI_MAX_LENGTH` (4096 with the NUL) in `uri/aeron_uri.h`: `aeron_uri_parse` refuses longer channels, in the client and in the C driver |
//! | [`AERON_DIR_MAX_LENGTH`] | 4095 | `AERON_MAX_PATH` (4096 with the NUL): `aeron_context_set_dir` and `aeron_archive_context_set_aeron_directory_name` copy the directory into a field of that size with `snprintf` (cutting it) |
//! | [`AERON_COUNTER_MAX_KEY_LENGTH`](crate::AERON_COUNTER_MAX_KEY_LENGTH) | 112 | `AERON_COUNTER_MAX_KEY_LENGTH` in `aeronc.h` (the key field of a counter's metadata record); the driver copies at most that much |
//! | [`AERON_COUNTER_MAX_LABEL_LENGTH`](crate::AERON_COUNTER_MAX_LABEL_LENGTH) | 380 | `AERON_COUNTER_MAX_LABEL_LENGTH` in `aeronc.h`; the driver copies at most that much |
//! | [`AERON_REJECT_REASON_MAX_LENGTH`] | 1023 | `AERON_ERROR_MAX_TEXT_LENGTH` in `protocol/aeron_udp_protocol.h`: the driver refuses a longer reason (`aeron_driver_conductor_on_invalidate_image`) |
//! | the driver's command buffer | 1/8 of its capacity (128 KiB by default) | `max_message_length` of the client's ring buffer to the driver (`AERON_RB_MAX_MESSAGE_LENGTH` in `concurrent/aeron_rb.h`): a longer command is never accepted (`aeron_client_conductor_try_claim_driver_command` then calls the error handler) |

use crate::bindings;
use crate::error::{nul_error, AeronCError};

/// Longest Aeron directory, in bytes, without the NUL (`AERON_MAX_PATH - 1`): C copies the
/// directory into a field of `AERON_MAX_PATH` bytes and would cut a longer one short.
pub const AERON_DIR_MAX_LENGTH: usize = bindings::AERON_MAX_PATH as usize - 1;

/// Longest reason for [`AeronImage::reject`](crate::AeronImage::reject), in bytes
/// (`AERON_ERROR_MAX_TEXT_LENGTH`): the media driver refuses a longer one.
pub const AERON_REJECT_REASON_MAX_LENGTH: usize = bindings::AERON_ERROR_MAX_TEXT_LENGTH as usize;

/// `Err(EINVAL)` when `len` is over `max`: "`call`: the length of `argument` is `len` bytes,
/// over the `max`-byte limit of `limit`".
#[doc(hidden)]
pub fn check_length(call: &str, argument: &str, len: usize, max: usize, limit: &str) -> Result<(), AeronCError> {
    if len > max {
        return Err(AeronCError::with_message(
            libc::EINVAL,
            format!("{call}: the length of {argument} is {len} bytes, over the {max}-byte limit of {limit}"),
        ));
    }
    Ok(())
}

/// A channel URI handed to C: at most [`AERON_URI_MAX_LENGTH`](crate::AERON_URI_MAX_LENGTH)
/// bytes.
#[doc(hidden)]
pub fn check_channel(call: &str, argument: &str, channel: &std::ffi::CStr) -> Result<(), AeronCError> {
    check_length(
        call,
        argument,
        channel.to_bytes().len(),
        crate::AERON_URI_MAX_LENGTH,
        "a channel URI (AERON_URI_MAX_LENGTH - 1)",
    )
}

/// An Aeron directory handed to C: at most [`AERON_DIR_MAX_LENGTH`] bytes.
#[doc(hidden)]
pub fn check_dir(call: &str, argument: &str, dir: &std::ffi::CStr) -> Result<(), AeronCError> {
    check_length(call, argument, dir.to_bytes().len(), AERON_DIR_MAX_LENGTH, "an Aeron directory (AERON_MAX_PATH - 1)")
}

/// A command of `command_length` bytes for the driver must fit the client's ring buffer to the
/// driver (`max_message_length`: 1/8 of the buffer's capacity).
pub(crate) fn check_command(
    client: *mut bindings::aeron_t,
    call: &str,
    command_length: usize,
) -> Result<(), AeronCError> {
    // SAFETY: `client` is a live client; `aeron_init` mapped the ring buffer to the driver and
    // its `max_message_length` does not change afterwards.
    let max = unsafe { (*client).conductor.to_driver_buffer.max_message_length };
    check_command_length(call, command_length, max)
}

/// [`check_command`] with the buffer's limit given.
pub(crate) fn check_command_length(call: &str, command_length: usize, max: usize) -> Result<(), AeronCError> {
    check_length(
        call,
        "the command to the media driver",
        command_length,
        max,
        "the driver's command buffer (max_message_length, 1/8 of its capacity)",
    )
}

/// `Err(EINVAL)` naming `argument` if `value` holds a NUL byte: for text C receives with its
/// length (a counter label), or that this crate copies into a C string, where a NUL would cut it
/// short.
#[doc(hidden)]
pub fn check_no_nul(argument: &str, value: &[u8]) -> Result<(), AeronCError> {
    match value.iter().position(|&b| b == 0) {
        Some(i) => Err(nul_error(argument, i)),
        None => Ok(()),
    }
}

/// Length of a driver command made of a fixed part `T` and `variable` bytes.
pub(crate) const fn command_length<T>(variable: usize) -> usize {
    std::mem::size_of::<T>().saturating_add(variable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_up_to_the_limit_pass_and_longer_ones_name_everything() {
        assert!(check_length("f", "x", 10, 10, "the limit").is_ok());
        let e =
            check_length("AeronImage::reject", "reason", 1_048_576, 1023, "AERON_ERROR_MAX_TEXT_LENGTH").unwrap_err();
        assert_eq!(e.code, libc::EINVAL);
        let m = e.message().unwrap();
        assert!(m.contains("AeronImage::reject") && m.contains("reason") && m.contains("1048576"), "{m}");
        assert!(m.contains("1023") && m.contains("AERON_ERROR_MAX_TEXT_LENGTH"), "{m}");
    }

    #[test]
    fn commands_longer_than_the_ring_buffer_allows_are_refused() {
        assert!(check_command_length("add_counter", 131_072, 131_072).is_ok());
        let e = check_command_length("add_counter", 131_073, 131_072).unwrap_err();
        assert!(e.message().unwrap().contains("131073") && e.message().unwrap().contains("max_message_length"));
        assert_eq!(command_length::<bindings::aeron_publication_command_t>(4), 24 + 4);
    }
}
