//! Small helpers shared by the archive wrappers. C return codes and the panic boundary come
//! from the client crate, so both crates stop callback panics the same way and report them in
//! one place.

use crate::AeronCError;

pub(crate) use rusteron_client::__private::check;

/// An error made on the Rust side (bad argument, ...), with Aeron's EINVAL code.
pub(crate) fn invalid(msg: impl Into<String>) -> AeronCError {
    AeronCError::with_message(libc::EINVAL, msg)
}

/// Converts a Rust string argument into a C string, or a clear error for an interior NUL.
#[allow(dead_code)]
pub(crate) fn cstring(s: &str) -> Result<std::ffi::CString, AeronCError> {
    std::ffi::CString::new(s).map_err(|e| invalid(format!("string contains a NUL byte at {}: {s:?}", e.nul_position())))
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
