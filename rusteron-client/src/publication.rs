//! `AeronPublication`: a concurrent publication (`aeron_publication_t`), plus the pieces shared
//! with exclusive publications: offer results, buffer claims and I/O vectors.

use crate::bindings;
use crate::callbacks::*;
use crate::error::AeronCError;
use crate::handler::{Guarded, Handler};
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
///
/// The refusals that are normal events (back pressure, admin action, not connected, ...) carry
/// only their code and are built inline, in registers. `AERON_PUBLICATION_ERROR`, which reads
/// Aeron's message (a `String`), is built out of line in [`offer_error`].
#[inline(always)]
pub(crate) fn offer_result(rc: i64) -> Result<i64, AeronCError> {
    if rc >= 0 {
        Ok(rc)
    } else if rc == bindings::AERON_PUBLICATION_ERROR as i64 {
        Err(offer_error())
    } else {
        Err(AeronCError::from_code(rc as i32))
    }
}

/// The error of an offer/try_claim that failed in C (`AERON_PUBLICATION_ERROR`): Aeron's code
/// and message.
#[cold]
#[inline(never)]
fn offer_error() -> AeronCError {
    AeronCError::last()
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
    _publication: PhantomData<&'a ()>,
}

impl<'a> AeronBufferClaim<'a> {
    #[inline(always)]
    pub(crate) fn new(raw: bindings::aeron_buffer_claim_t, position: i64) -> Self {
        AeronBufferClaim { raw, position, _publication: PhantomData }
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

    /// Publishes the claimed message: what `aeron_buffer_claim_commit` does, inline.
    ///
    /// Aeron's commit is one release store of the frame length into the claimed frame's header
    /// (`aeron_publication.c`). It is done here on the claim's fields instead of by calling C
    /// with a pointer to the claim: that needs the claim in memory, so the compiler copies it
    /// (a copy as a whole compiles to 16-byte loads of fields C wrote with 8-byte stores, which
    /// the CPU cannot store-forward: a stall per message), and keeps it in memory from
    /// `try_claim` on. Reading the fields leaves the claim in registers.
    #[inline]
    pub fn commit(self) -> Result<i32, AeronCError> {
        let (frame_header, length) = (self.raw.frame_header, self.raw.length);
        // Committed: the abort in Drop must not run (nothing is moved: `self` is dead).
        std::mem::forget(self);
        // SAFETY: the claim came from a successful try_claim (C filled its fields) and borrows
        // its publication, so the frame is in the mapped log.
        unsafe { publish_frame(frame_header, length, false) };
        Ok(0)
    }

    /// Gives the space up: subscribers skip it as padding. What `aeron_buffer_claim_abort` does,
    /// inline (see [`commit`](Self::commit)): the frame's type becomes padding, then the frame
    /// length is stored with release ordering.
    #[inline]
    pub fn abort(self) -> Result<i32, AeronCError> {
        let (frame_header, length) = (self.raw.frame_header, self.raw.length);
        std::mem::forget(self);
        // SAFETY: as in `commit`.
        unsafe { publish_frame(frame_header, length, true) };
        Ok(0)
    }

    /// The C claim.
    pub fn get_inner(&mut self) -> *mut bindings::aeron_buffer_claim_t {
        &mut self.raw
    }
}

/// Aeron's claim commit and abort (`aeron_buffer_claim_commit` / `_abort` in 1.54.0's
/// `aeron_publication.c`): with `pad`, the frame's type becomes padding; then the frame length
/// (header plus `length`) is stored with release ordering, which hands the frame to subscribers.
/// A null `frame_header` does nothing, as in C.
///
/// # Safety
/// `frame_header` must be null or point at the header of a frame claimed by `try_claim` in a
/// log that is still mapped, and not yet committed or aborted.
#[inline(always)]
unsafe fn publish_frame(frame_header: *mut u8, length: usize, pad: bool) {
    if frame_header.is_null() {
        return;
    }
    let header = frame_header as *mut bindings::aeron_data_header_t;
    if pad {
        std::ptr::addr_of_mut!((*header).frame_header.type_).write(crate::AERON_HDR_TYPE_PAD);
    }
    let frame_length = length as i32 + std::mem::size_of::<bindings::aeron_data_header_t>() as i32;
    // SAFETY: frame_length is the first field of a frame header, 4-byte aligned in the term
    // buffer (frames are 32-byte aligned); subscribers read it with acquire ordering.
    let frame_length_ptr = std::ptr::addr_of_mut!((*header).frame_header.frame_length);
    std::sync::atomic::AtomicI32::from_ptr(frame_length_ptr).store(frame_length, std::sync::atomic::Ordering::Release);
}

impl Drop for AeronBufferClaim<'_> {
    /// A claim dropped without `commit` or `abort` is aborted (those two forget the claim).
    #[inline]
    fn drop(&mut self) {
        // SAFETY: as in `commit`; fields read by value, so the claim's address is not taken.
        unsafe { publish_frame(self.raw.frame_header, self.raw.length, true) };
    }
}

impl std::fmt::Debug for AeronBufferClaim<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronBufferClaim").field("length", &self.raw.length).field("position", &self.position).finish()
    }
}

crate::c_struct_wrapper!(@pointers
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
                let rc = Guarded::run(supplier, |clientd| unsafe {
                    bindings::$offer(
                        self.get_inner(),
                        buffer.as_ptr(),
                        buffer.len(),
                        Some(reserved_value_supplier_trampoline::<R>),
                        clientd,
                    )
                });
                offer_result(rc)
            }

            /// Offers one message gathered from several buffers.
            #[inline]
            pub fn offerv(&self, iov: &[AeronIovec<'_>]) -> Result<i64, AeronCError> {
                // AeronIovec is repr(transparent) over aeron_iovec_t; C only reads the array.
                offer_result(unsafe {
                    bindings::$offerv(
                        self.get_inner(),
                        iov.as_ptr() as *mut bindings::aeron_iovec_t,
                        iov.len(),
                        None,
                        std::ptr::null_mut(),
                    )
                })
            }

            /// Claims `length` bytes in the log to write a message in place; see
            /// [`AeronBufferClaim`]. `length` must fit in one frame (up to the MTU payload).
            #[inline]
            pub fn try_claim(&self, length: usize) -> Result<AeronBufferClaim<'_>, AeronCError> {
                // C fills all three fields when it succeeds (`aeron_buffer_claim_wrap`); they are
                // read only then, so the struct is not zeroed first.
                let mut raw = std::mem::MaybeUninit::<bindings::aeron_buffer_claim_t>::uninit();
                let pos = offer_result(unsafe { bindings::$try_claim(self.get_inner(), length, raw.as_mut_ptr()) })?;
                // C has just written the claim with three 8-byte stores. Copying the struct as a
                // whole lets the compiler reload it with 16-byte vector loads, which cannot be
                // store-forwarded and stall the pipeline (measured: +40% per message in the
                // try_claim throughput bench). Reading each field on its own avoids that.
                let claim = unsafe {
                    let raw = raw.as_ptr();
                    bindings::aeron_buffer_claim_t {
                        frame_header: std::ptr::read_volatile(std::ptr::addr_of!((*raw).frame_header)),
                        data: std::ptr::read_volatile(std::ptr::addr_of!((*raw).data)),
                        length: std::ptr::read_volatile(std::ptr::addr_of!((*raw).length)),
                    }
                };
                Ok(AeronBufferClaim::new(claim, pos))
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
                crate::error::check(unsafe { bindings::$constants(self.get_inner(), c.get_inner()) })?;
                // `channel` points into the publication: the constants (and copies) keep it.
                c.keep_alive(self.as_dependency());
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
    AeronPublication,
    bindings::aeron_publication_t,
    aeron_publication_offer,
    aeron_publication_offerv,
    aeron_publication_try_claim,
    aeron_publication_position,
    aeron_publication_position_limit,
    aeron_publication_channel_status,
    aeron_publication_is_closed,
    aeron_publication_is_connected,
    aeron_publication_constants
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

/// Reads the local socket addresses of a channel through a C `*_local_sockaddrs` function,
/// growing the array until every address fits.
pub(crate) fn read_local_sockaddrs(
    mut f: impl FnMut(*mut bindings::aeron_iovec_t, usize) -> i32,
) -> Result<Vec<String>, AeronCError> {
    const LEN: usize = bindings::AERON_CLIENT_MAX_LOCAL_ADDRESS_STR_LEN as usize;
    let mut n = 4usize;
    loop {
        let mut bufs = vec![[0u8; LEN]; n];
        let mut iov: Vec<bindings::aeron_iovec_t> =
            bufs.iter_mut().map(|b| bindings::aeron_iovec_t { iov_base: b.as_mut_ptr(), iov_len: LEN }).collect();
        let rc = f(iov.as_mut_ptr(), n);
        if rc < 0 {
            return Err(AeronCError::last());
        }
        let found = rc as usize;
        if found > n {
            n = found;
            continue;
        }
        return Ok(bufs[..found]
            .iter()
            .map(|b| {
                let end = b.iter().position(|&c| c == 0).unwrap_or(LEN);
                String::from_utf8_lossy(&b[..end]).into_owned()
            })
            .collect());
    }
}

impl AeronPublication {
    /// The local socket addresses of this publication's channel (usually its control address);
    /// empty for IPC (`aeron_publication_local_sockaddrs`).
    pub fn local_sockaddrs(&self) -> Result<Vec<String>, AeronCError> {
        read_local_sockaddrs(|v, n| unsafe { bindings::aeron_publication_local_sockaddrs(self.get_inner(), v, n) })
    }

    /// Closes this publication (`aeron_publication_close`), calling `on_close_complete` (on the
    /// conductor thread) once the client has processed the close.
    ///
    /// The close runs when the last clone of this publication is dropped, so it can never leave
    /// another clone dangling: returns `Ok(true)` if this was the last clone and the close was
    /// started now, `Ok(false)` if other clones keep it open for now. The handler is kept alive
    /// until it has been called. Closing a borrowed publication is an error.
    pub fn close<H: AeronNotificationCallback + Send + 'static>(
        self,
        on_close_complete: Option<&Handler<H>>,
    ) -> Result<bool, AeronCError> {
        crate::closing::close_with_notification(self.resource(), on_close_complete)
    }
}
