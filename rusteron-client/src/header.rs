//! The header of a fragment, borrowed inside a poll callback.

use crate::bindings;
use crate::error::{check, AeronCError};
use std::marker::PhantomData;

/// The header of the fragment being handled, valid only during the callback (the lifetime
/// stops it from escaping). Copy what you need with [`AeronHeader::values`].
#[derive(Clone, Copy)]
pub struct AeronHeader<'a> {
    ptr: *mut bindings::aeron_header_t,
    _borrow: PhantomData<&'a bindings::aeron_header_t>,
}

impl<'a> AeronHeader<'a> {
    /// Borrows a header that C handed to a callback.
    ///
    /// # Safety
    /// `ptr` must be valid for `'a`.
    #[inline(always)]
    pub unsafe fn from_raw(ptr: *mut bindings::aeron_header_t) -> Self {
        AeronHeader { ptr, _borrow: PhantomData }
    }

    /// The C header.
    #[inline(always)]
    pub fn get_inner(&self) -> *mut bindings::aeron_header_t {
        self.ptr
    }

    /// A copy of the header's fields (`aeron_header_values`).
    pub fn values(&self) -> Result<AeronHeaderValues, AeronCError> {
        let values = AeronHeaderValues::new_zeroed();
        check(unsafe { bindings::aeron_header_values(self.ptr, values.get_inner()) })?;
        Ok(values)
    }

    /// The position the stream will be at after this fragment (`aeron_header_position`).
    #[inline]
    pub fn position(&self) -> i64 {
        unsafe { bindings::aeron_header_position(self.ptr) }
    }

    /// Number of bits to shift a term id by to turn it into a position.
    #[inline]
    pub fn position_bits_to_shift(&self) -> usize {
        unsafe { bindings::aeron_header_position_bits_to_shift(self.ptr) }
    }

    /// The offset in the term at which the next fragment begins.
    #[inline]
    pub fn next_term_offset(&self) -> i32 {
        unsafe { bindings::aeron_header_next_term_offset(self.ptr) }
    }

    /// The user context the poller attached to the header (the image for subscription polls).
    #[inline]
    pub fn context(&self) -> *mut std::os::raw::c_void {
        unsafe { bindings::aeron_header_context(self.ptr) }
    }
}

impl std::fmt::Debug for AeronHeader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronHeader").field("position", &self.position()).finish()
    }
}

crate::c_struct_wrapper!(
    /// A copy of a fragment header's fields (`aeron_header_values_t`).
    AeronHeaderValues => bindings::aeron_header_values_t
);
// SAFETY: an owned copy of plain data.
unsafe impl Send for AeronHeaderValues {}
unsafe impl Sync for AeronHeaderValues {}

impl AeronHeaderValues {
    /// The data frame fields.
    pub fn frame(&self) -> AeronHeaderValuesFrame {
        AeronHeaderValuesFrame::from_value(self.clone_struct().frame)
    }
}

crate::c_struct_wrapper!(
    /// The data frame fields of a header (`aeron_header_values_frame_t`).
    AeronHeaderValuesFrame => bindings::aeron_header_values_frame_t
);
unsafe impl Send for AeronHeaderValuesFrame {}
unsafe impl Sync for AeronHeaderValuesFrame {}
