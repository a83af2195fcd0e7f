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

impl<'a> AeronHeader<'a> {
    /// Frame flag: the first fragment of a message.
    pub const BEGIN_FLAG: u8 = 0x80;
    /// Frame flag: the last fragment of a message.
    pub const END_FLAG: u8 = 0x40;
    /// Frame flags of a message that fits in one fragment (begin and end).
    pub const UNFRAGMENTED: u8 = 0xC0;

    /// A copy of the fragment's data frame header (plain read; nothing allocated).
    #[inline]
    pub fn data_header(&self) -> bindings::aeron_data_header_t {
        // SAFETY: `frame` points at the frame in the mapped term while the header is valid; the
        // struct is packed, so read it unaligned.
        unsafe { std::ptr::read_unaligned((*self.ptr).frame) }
    }

    /// The frame flags ([`Self::BEGIN_FLAG`], [`Self::END_FLAG`], ...).
    #[inline]
    pub fn flags(&self) -> u8 {
        // SAFETY: as in data_header; flags is a single byte.
        unsafe { std::ptr::addr_of!((*(*self.ptr).frame).frame_header.flags).read_unaligned() }
    }

    /// The publisher's session id.
    #[inline]
    pub fn session_id(&self) -> i32 {
        self.data_header().session_id
    }

    /// The stream id.
    #[inline]
    pub fn stream_id(&self) -> i32 {
        self.data_header().stream_id
    }

    /// The term id of the fragment.
    #[inline]
    pub fn term_id(&self) -> i32 {
        self.data_header().term_id
    }

    /// The offset of the fragment in its term.
    #[inline]
    pub fn term_offset(&self) -> i32 {
        self.data_header().term_offset
    }

    /// The reserved value the publisher set (see `offer_with_reserved_value`).
    #[inline]
    pub fn reserved_value(&self) -> i64 {
        self.data_header().reserved_value
    }

    /// The frame length (header plus payload) of the fragment.
    #[inline]
    pub fn frame_length(&self) -> i32 {
        self.data_header().frame_header.frame_length
    }

    /// The initial term id of the stream.
    #[inline]
    pub fn initial_term_id(&self) -> i32 {
        unsafe { (*self.ptr).initial_term_id }
    }

    /// For a message reassembled by a fragment assembler, the total frame length of its fragments.
    #[inline]
    pub fn fragmented_frame_length(&self) -> i32 {
        unsafe { (*self.ptr).fragmented_frame_length }
    }
}

impl std::fmt::Debug for AeronHeader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronHeader").field("position", &self.position()).finish()
    }
}

crate::c_struct_wrapper!(@mut
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

crate::c_struct_wrapper!(@mut
/// The data frame fields of a header (`aeron_header_values_frame_t`).
    AeronHeaderValuesFrame => bindings::aeron_header_values_frame_t
);
unsafe impl Send for AeronHeaderValuesFrame {}
unsafe impl Sync for AeronHeaderValuesFrame {}
