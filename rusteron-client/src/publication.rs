//! `AeronPublication`: a concurrent publication (`aeron_publication_t`), plus the pieces shared
//! with exclusive publications: offer results, buffer claims and I/O vectors.

use crate::bindings;
use crate::callbacks::*;
use crate::error::{check, AeronCError};
use crate::handler::Guarded;
use crate::strings::c_str_to_str;
use std::marker::PhantomData;

crate::c_wrapper!(
    /// A publication that any number of threads may offer to (`aeron_publication_t`).
    ///
    /// Created by [`Aeron::add_publication`](crate::Aeron::add_publication) or
    /// [`AeronAsyncAddPublication`](crate::AeronAsyncAddPublication); closed when the last clone
    /// drops. It keeps its client alive.
    ///
    /// Threads: `Send + Sync`: Aeron's concurrent publication is safe to offer to from several
    /// threads at once.
    AeronPublication => bindings::aeron_publication_t
);
unsafe impl Send for AeronPublication {}
unsafe impl Sync for AeronPublication {}

/// Turns an offer/try_claim result into a `Result`: a position, or the kind of refusal.
/// No message is read and nothing is allocated (back pressure is a normal event).
#[inline(always)]
pub(crate) fn offer_result(rc: i64) -> Result<i64, AeronCError> {
    if rc >= 0 {
        Ok(rc)
    } else if rc == bindings::AERON_PUBLICATION_ERROR as i64 {
        Err(AeronCError::last())
    } else {
        Err(AeronCError::from_code(rc as i32))
    }
}

/// One buffer of a gathered offer (`aeron_iovec_t`), borrowing the bytes it points to.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct AeronIovec<'a> {
    raw: bindings::aeron_iovec_t,
    _data: PhantomData<&'a [u8]>,
}

impl<'a> AeronIovec<'a> {
    /// Points at `data`.
    #[inline]
    pub fn from_slice(data: &'a [u8]) -> Self {
        AeronIovec {
            raw: bindings::aeron_iovec_t { iov_base: data.as_ptr() as *mut u8, iov_len: data.len() },
            _data: PhantomData,
        }
    }

    /// The C value.
    pub fn get_inner(&self) -> bindings::aeron_iovec_t {
        self.raw
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.raw.iov_len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.raw.iov_len == 0
    }
}

impl std::fmt::Debug for AeronIovec<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AeronIovec({} bytes)", self.raw.iov_len)
    }
}

/// Space claimed in a publication's log by `try_claim` (`aeron_buffer_claim_t`).
///
/// Write the message into [`data`](Self::data), then [`commit`](Self::commit) it. Dropping a
/// claim that was neither committed nor aborted aborts it, so a claim can never be left open to
/// block the stream. It borrows its publication, so it cannot outlive the mapped log.
pub struct AeronBufferClaim<'a> {
    raw: bindings::aeron_buffer_claim_t,
    position: i64,
    done: bool,
    _publication: PhantomData<&'a ()>,
}

impl<'a> AeronBufferClaim<'a> {
    #[inline(always)]
    pub(crate) fn new(raw: bindings::aeron_buffer_claim_t, position: i64) -> Self {
        AeronBufferClaim { raw, position, done: false, _publication: PhantomData }
    }

    /// The claimed bytes to write the message into.
    #[inline(always)]
    pub fn data(&mut self) -> &mut [u8] {
        // SAFETY: C claimed `length` bytes at `data` in the mapped log, held by the borrow.
        unsafe { std::slice::from_raw_parts_mut(self.raw.data, self.raw.length) }
    }

    /// The stream position after this message, as `try_claim` returned it.
    #[inline(always)]
    pub fn position(&self) -> i64 {
        self.position
    }

    /// Sets the frame's reserved value before committing.
    pub fn set_reserved_value(&mut self, value: i64) {
        // SAFETY: frame_header points at the claimed frame's data header.
        unsafe { (*(self.raw.frame_header as *mut bindings::aeron_data_header_t)).reserved_value = value }
    }

    /// Publishes the claimed message (`aeron_buffer_claim_commit`).
    #[inline]
    pub fn commit(mut self) -> Result<i32, AeronCError> {
        self.done = true;
        check(unsafe { bindings::aeron_buffer_claim_commit(&mut self.raw) })
    }

    /// Gives the space up: subscribers skip it as padding (`aeron_buffer_claim_abort`).
    #[inline]
    pub fn abort(mut self) -> Result<i32, AeronCError> {
        self.done = true;
        check(unsafe { bindings::aeron_buffer_claim_abort(&mut self.raw) })
    }

    /// The C claim.
    pub fn get_inner(&mut self) -> *mut bindings::aeron_buffer_claim_t {
        &mut self.raw
    }
}

impl Drop for AeronBufferClaim<'_> {
    fn drop(&mut self) {
        if !self.done {
            unsafe { bindings::aeron_buffer_claim_abort(&mut self.raw) };
        }
    }
}

impl std::fmt::Debug for AeronBufferClaim<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronBufferClaim").field("length", &self.raw.length).field("position", &self.position).finish()
    }
}

crate::c_struct_wrapper!(
    /// Configuration of a publication that does not change during its lifetime
    /// (`aeron_publication_constants_t`).
    AeronPublicationConstants => bindings::aeron_publication_constants_t
);
unsafe impl Send for AeronPublicationConstants {}
unsafe impl Sync for AeronPublicationConstants {}

impl AeronPublicationConstants {
    /// The channel URI.
    pub fn channel(&self) -> &str {
        unsafe { c_str_to_str(self.clone_struct().channel) }
    }
}

/// Declares the methods concurrent and exclusive publications share (same C signatures with a
/// different prefix).
macro_rules! publication_common {
    ($t:ty, $ct:ty, $offer:ident, $offerv:ident, $try_claim:ident, $position:ident, $position_limit:ident,
     $channel_status:ident, $is_closed:ident, $is_connected:ident, $constants:ident) => {
        impl $t {
            /// Offers a message; returns the new stream position, or the refusal
            /// (`PublicationBackPressured`, `NullOrNotConnected`, `PublicationAdminAction`,
            /// `PublicationClosed`, `PublicationMaxPositionExceeded`). Allocates nothing.
            #[inline]
            pub fn offer(&self, buffer: &[u8]) -> Result<i64, AeronCError> {
                offer_result(self.offer_raw(buffer))
            }

            /// Offers a message and returns C's raw result (a position, or a negative
            /// `AERON_PUBLICATION_*` code).
            #[inline(always)]
            pub fn offer_raw(&self, buffer: &[u8]) -> i64 {
                unsafe { bindings::$offer(self.get_inner(), buffer.as_ptr(), buffer.len(), None, std::ptr::null_mut()) }
            }

            /// Offers a message whose reserved value is filled in by `supplier`.
            pub fn offer_with_reserved_value<R: AeronReservedValueSupplierCallback>(
                &self,
                buffer: &[u8],
                supplier: &mut R,
            ) -> Result<i64, AeronCError> {
                let mut g = Guarded::new(supplier);
                let rc = unsafe {
                    bindings::$offer(
                        self.get_inner(),
                        buffer.as_ptr(),
                        buffer.len(),
                        Some(reserved_value_supplier_trampoline::<R>),
                        g.as_clientd(),
                    )
                };
                g.finish();
                offer_result(rc)
            }

            /// Offers one message gathered from several buffers.
            #[inline]
            pub fn offerv(&self, iov: &[AeronIovec<'_>]) -> Result<i64, AeronCError> {
                // AeronIovec is repr(transparent) over aeron_iovec_t; C only reads the array.
                offer_result(unsafe {
                    bindings::$offerv(self.get_inner(), iov.as_ptr() as *mut bindings::aeron_iovec_t, iov.len(), None, std::ptr::null_mut())
                })
            }

            /// Claims `length` bytes in the log to write a message in place; see
            /// [`AeronBufferClaim`]. `length` must fit in one frame (up to the MTU payload).
            #[inline]
            pub fn try_claim(&self, length: usize) -> Result<AeronBufferClaim<'_>, AeronCError> {
                let mut raw = bindings::aeron_buffer_claim_t { frame_header: std::ptr::null_mut(), data: std::ptr::null_mut(), length: 0 };
                let pos = offer_result(unsafe { bindings::$try_claim(self.get_inner(), length, &mut raw) })?;
                Ok(AeronBufferClaim::new(raw, pos))
            }

            /// The position the publication has reached (or a negative code when closed).
            #[inline]
            pub fn position(&self) -> i64 {
                unsafe { bindings::$position(self.get_inner()) }
            }

            /// The position up to which offers may go before back pressure.
            #[inline]
            pub fn position_limit(&self) -> i64 {
                unsafe { bindings::$position_limit(self.get_inner()) }
            }

            /// The channel's status (`1` active, `-1` errored, ...).
            pub fn channel_status(&self) -> i64 {
                unsafe { bindings::$channel_status(self.get_inner()) }
            }

            /// True once the publication is closed.
            pub fn is_closed(&self) -> bool {
                unsafe { bindings::$is_closed(self.get_inner()) }
            }

            /// True when at least one subscriber is connected.
            #[inline]
            pub fn is_connected(&self) -> bool {
                unsafe { bindings::$is_connected(self.get_inner()) }
            }

            /// The publication's constants (channel, ids, term length, MTU, ...).
            pub fn get_constants(&self) -> Result<AeronPublicationConstants, AeronCError> {
                let c = AeronPublicationConstants::new_zeroed();
                check(unsafe { bindings::$constants(self.get_inner(), c.get_inner()) })?;
                Ok(c)
            }

            /// Largest message `offer` accepts (fragmented above the MTU).
            pub fn max_message_length(&self) -> Result<usize, AeronCError> {
                Ok(self.get_constants()?.max_message_length)
            }

            /// Largest payload `try_claim` accepts (one frame).
            pub fn max_payload_length(&self) -> Result<usize, AeronCError> {
                Ok(self.get_constants()?.max_payload_length)
            }
        }
    };
}
pub(crate) use publication_common;

publication_common!(
    AeronPublication, bindings::aeron_publication_t,
    aeron_publication_offer, aeron_publication_offerv, aeron_publication_try_claim,
    aeron_publication_position, aeron_publication_position_limit, aeron_publication_channel_status,
    aeron_publication_is_closed, aeron_publication_is_connected, aeron_publication_constants
);

impl AeronPublication {
    /// The channel URI.
    pub fn channel(&self) -> &str {
        unsafe { c_str_to_str(bindings::aeron_publication_channel(self.get_inner())) }
    }

    /// The stream id.
    pub fn stream_id(&self) -> i32 {
        unsafe { bindings::aeron_publication_stream_id(self.get_inner()) }
    }

    /// The session id.
    pub fn session_id(&self) -> i32 {
        unsafe { bindings::aeron_publication_session_id(self.get_inner()) }
    }
}
