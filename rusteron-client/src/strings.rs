//! String conversions at the C boundary: `&CStr` in, `&str` out.

use std::ffi::{CStr, CString};
use std::os::raw::c_char;

/// Converts Rust strings into the `CString` that setters and constructors take.
///
/// Strings with an interior NUL cannot cross into C; `into_c_string` panics on them, and
/// `try_into_c_string` returns the error instead.
pub trait IntoCString {
    /// The C string; panics on an interior NUL byte.
    fn into_c_string(self) -> CString;
    /// The C string, or an error naming the NUL position.
    fn try_into_c_string(self) -> Result<CString, std::ffi::NulError>;
}

impl IntoCString for &str {
    fn into_c_string(self) -> CString {
        CString::new(self).expect("string contains a NUL byte")
    }
    fn try_into_c_string(self) -> Result<CString, std::ffi::NulError> {
        CString::new(self)
    }
}

impl IntoCString for String {
    fn into_c_string(self) -> CString {
        CString::new(self).expect("string contains a NUL byte")
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
