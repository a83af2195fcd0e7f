//! Encoded credentials for archive authentication (`aeron_archive_encoded_credentials_t`).

use crate::bindings;

/// Credentials (or a challenge) as the archive's authenticator encodes them: opaque bytes.
///
/// Owned by Rust. When a credentials supplier callback returns one, the wrapper hands C a copy
/// that lives until C gives it back through the free callback.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AeronArchiveEncodedCredentials {
    data: Vec<u8>,
}

impl AeronArchiveEncodedCredentials {
    /// Credentials made of these bytes.
    pub fn new(data: impl Into<Vec<u8>>) -> Self {
        AeronArchiveEncodedCredentials { data: data.into() }
    }

    /// The encoded bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The bytes as text, when they are UTF-8 (many authenticators use `user:password` text).
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.data).ok()
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True for empty credentials.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Copies credentials that C owns.
    ///
    /// # Safety
    /// `c` must be null or point to valid credentials whose `data` holds `length` bytes.
    pub unsafe fn from_raw(c: *const bindings::aeron_archive_encoded_credentials_t) -> Self {
        if c.is_null() {
            return Self::default();
        }
        let c = &*c;
        Self::new(raw_bytes(c).to_vec())
    }

    /// Moves a copy to the heap in C layout; give it back to [`free_raw`] exactly once.
    pub(crate) fn into_raw(self) -> *mut bindings::aeron_archive_encoded_credentials_t {
        let data = self.data.into_boxed_slice();
        let boxed = Box::new(OwnedCredentials {
            c: bindings::aeron_archive_encoded_credentials_t {
                data: data.as_ptr() as *const _,
                length: data.len() as u32,
            },
            _data: data,
        });
        // `c` is the first field of a repr(C) struct: the pointers are the same.
        Box::into_raw(boxed) as *mut bindings::aeron_archive_encoded_credentials_t
    }
}

/// The bytes of C credentials.
///
/// # Safety
/// `c.data` must be null or point to `c.length` readable bytes that live as long as `c`.
pub(crate) unsafe fn raw_bytes(c: &bindings::aeron_archive_encoded_credentials_t) -> &[u8] {
    if c.data.is_null() || c.length == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(c.data as *const u8, c.length as usize)
    }
}

#[repr(C)]
pub(crate) struct OwnedCredentials {
    c: bindings::aeron_archive_encoded_credentials_t,
    _data: Box<[u8]>,
}

/// Frees credentials made by [`AeronArchiveEncodedCredentials::into_raw`].
///
/// # Safety
/// `p` must be null or come from `into_raw`, and not be freed before.
pub(crate) unsafe fn free_raw(p: *mut bindings::aeron_archive_encoded_credentials_t) {
    if !p.is_null() {
        drop(Box::from_raw(p as *mut OwnedCredentials));
    }
}
