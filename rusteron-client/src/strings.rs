//! String conversions at the C boundary: `&CStr` in, `&str` out.

use crate::error::AeronCError;
use std::ffi::{CStr, CString};
use std::os::raw::c_char;

/// Converts Rust strings into the `CString` that setters and constructors take.
///
/// Strings with an interior NUL cannot cross into C. [`into_c_string`](Self::into_c_string) is
/// for literals and strings you built yourself: it **panics** on an interior NUL.
/// For anything that comes from outside (user input, files, the network), use
/// [`into_c_string_for`](Self::into_c_string_for), which returns an [`AeronCError`] naming the
/// argument and the NUL's position, or [`try_into_c_string`](Self::try_into_c_string) for the
/// plain `NulError`. The wrappers' own calls never panic on an interior NUL: calls that take
/// `&str` return an error, calls that take `&CStr` cannot receive one.
pub trait IntoCString {
    /// The C string.
    ///
    /// # Panics
    /// On an interior NUL byte. Use [`into_c_string_for`](Self::into_c_string_for) for strings
    /// that may hold one.
    fn into_c_string(self) -> CString;
    /// The C string, or the `NulError` (with the NUL's position).
    fn try_into_c_string(self) -> Result<CString, std::ffi::NulError>;
    /// The C string for the argument `argument`, or an `EINVAL` [`AeronCError`] that names the
    /// argument and the position of the first NUL byte.
    fn into_c_string_for(self, argument: &str) -> Result<CString, AeronCError>
    where
        Self: Sized,
    {
        self.try_into_c_string().map_err(|e| crate::error::nul_error(argument, e.nul_position()))
    }
}

impl IntoCString for &str {
    fn into_c_string(self) -> CString {
        CString::new(self).expect("into_c_string: the string contains a NUL byte (use into_c_string_for)")
    }
    fn try_into_c_string(self) -> Result<CString, std::ffi::NulError> {
        CString::new(self)
    }
}

impl IntoCString for String {
    fn into_c_string(self) -> CString {
        CString::new(self).expect("into_c_string: the string contains a NUL byte (use into_c_string_for)")
    }
    fn try_into_c_string(self) -> Result<CString, std::ffi::NulError> {
        CString::new(self)
    }
}

impl IntoCString for &String {
    fn into_c_string(self) -> CString {
        self.as_str().into_c_string()
    }
    fn try_into_c_string(self) -> Result<CString, std::ffi::NulError> {
        CString::new(self.as_str())
    }
}

impl IntoCString for CString {
    fn into_c_string(self) -> CString {
        self
    }
    fn try_into_c_string(self) -> Result<CString, std::ffi::NulError> {
        Ok(self)
    }
}

impl IntoCString for &CStr {
    fn into_c_string(self) -> CString {
        self.to_owned()
    }
    fn try_into_c_string(self) -> Result<CString, std::ffi::NulError> {
        Ok(self.to_owned())
    }
}

/// Borrows a C string as `&str` without allocating; null or non-UTF-8 gives `""`.
///
/// # Safety
/// `p` must be null or point to a NUL-terminated string valid for `'a`.
#[inline]
pub unsafe fn c_str_to_str<'a>(p: *const c_char) -> &'a str {
    if p.is_null() {
        ""
    } else {
        CStr::from_ptr(p).to_str().unwrap_or("")
    }
}

/// Borrows `len` bytes of C text as `&str` (not NUL-terminated strings, e.g. in descriptors).
///
/// # Safety
/// `p` must be null or point to `len` readable bytes valid for `'a`.
#[inline]
pub unsafe fn c_bytes_to_str<'a>(p: *const c_char, len: usize) -> &'a str {
    if p.is_null() || len == 0 {
        ""
    } else {
        std::str::from_utf8(std::slice::from_raw_parts(p as *const u8, len)).unwrap_or("")
    }
}
