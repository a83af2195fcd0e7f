//! Free functions of `aeronc.h`, which need no client: clocks, version, the calling thread's
//! last error, properties files, the default Aeron directory.

use crate::bindings;
use crate::error::{check, AeronCError};
use crate::strings::c_str_to_str;
use std::ffi::CStr;
use std::os::raw::c_char;

/// Nanoseconds from the machine's monotonic clock (not wall clock time) (`aeron_nano_clock`).
#[inline]
pub fn nano_clock() -> i64 {
    unsafe { bindings::aeron_nano_clock() }
}

/// Milliseconds since the Unix epoch, wall clock (`aeron_epoch_clock`).
#[inline]
pub fn epoch_clock() -> i64 {
    unsafe { bindings::aeron_epoch_clock() }
}

/// Full version and build string of the Aeron C library (`aeron_version_full`).
pub fn version_full() -> &'static str {
    unsafe { c_str_to_str(bindings::aeron_version_full()) }
}

/// Version text, e.g. `1.54.0` (`aeron_version_text`).
pub fn version_text() -> &'static str {
    unsafe { c_str_to_str(bindings::aeron_version_text()) }
}

/// Major version number (`aeron_version_major`).
pub fn version_major() -> i32 {
    unsafe { bindings::aeron_version_major() }
}

/// Minor version number (`aeron_version_minor`).
pub fn version_minor() -> i32 {
    unsafe { bindings::aeron_version_minor() }
}

/// Patch version number (`aeron_version_patch`).
pub fn version_patch() -> i32 {
    unsafe { bindings::aeron_version_patch() }
}

/// Git commit of the Aeron build (`aeron_version_gitsha`).
pub fn version_gitsha() -> &'static str {
    unsafe { c_str_to_str(bindings::aeron_version_gitsha()) }
}

/// The error code of the calling thread's last failed Aeron call (`aeron_errcode`).
pub fn errcode() -> i32 {
    unsafe { bindings::aeron_errcode() }
}

/// The error message of the calling thread's last failed Aeron call, copied (`aeron_errmsg`).
pub fn errmsg() -> String {
    unsafe { c_str_to_str(bindings::aeron_errmsg()).to_string() }
}

/// Sets `AERON_*` environment variables of this process from `name=value` lines
/// (`aeron_properties_buffer_load`), for contexts created afterwards.
pub fn properties_buffer_load(buffer: &CStr) -> Result<i32, AeronCError> {
    check(unsafe { bindings::aeron_properties_buffer_load(buffer.as_ptr()) })
}

/// Sets environment variables from a properties file (`aeron_properties_file_load`).
pub fn properties_file_load(filename: &CStr) -> Result<i32, AeronCError> {
    check(unsafe { bindings::aeron_properties_file_load(filename.as_ptr()) })
}

/// Sets environment variables from properties fetched over HTTP (`aeron_properties_http_load`).
pub fn properties_http_load(url: &CStr) -> Result<i32, AeronCError> {
    check(unsafe { bindings::aeron_properties_http_load(url.as_ptr()) })
}

/// Sets environment variables from a file name or a `file:`/`http:` URL (`aeron_properties_load`).
pub fn properties_load(url_or_filename: &CStr) -> Result<i32, AeronCError> {
    check(unsafe { bindings::aeron_properties_load(url_or_filename.as_ptr()) })
}

/// The default Aeron directory of this machine and user (`aeron_default_path`).
pub fn default_path() -> Result<String, AeronCError> {
    let mut len = 256usize;
    loop {
        let mut buf = vec![0u8; len];
        let rc = unsafe { bindings::aeron_default_path(buf.as_mut_ptr() as *mut c_char, len) };
        if rc < 0 {
            return Err(AeronCError::last());
        }
        let n = rc as usize;
        if n >= len {
            len = n + 1;
            continue;
        }
        buf.truncate(n);
        return Ok(String::from_utf8_lossy(&buf).into_owned());
    }
}

impl crate::Aeron {
    /// Aeron's monotonic clock in nanoseconds (`aeron_nano_clock`), the clock its timeouts use;
    /// the same as the free function [`nano_clock`](crate::nano_clock). Needs no client:
    ///
    /// ```
    /// let t0 = rusteron_client::Aeron::nano_clock();
    /// assert!(rusteron_client::Aeron::nano_clock() >= t0);
    /// ```
    #[inline]
    pub fn nano_clock() -> i64 {
        crate::nano_clock()
    }

    /// Wall-clock milliseconds since the Unix epoch (`aeron_epoch_clock`), the clock of Aeron's
    /// timestamps (error log, heartbeats); the same as [`epoch_clock`](crate::epoch_clock).
    /// Needs no client:
    ///
    /// ```
    /// let now_ms = rusteron_client::Aeron::epoch_clock();
    /// assert!(now_ms > 1_700_000_000_000, "after November 2023: {now_ms}");
    /// ```
    #[inline]
    pub fn epoch_clock() -> i64 {
        crate::epoch_clock()
    }
}
