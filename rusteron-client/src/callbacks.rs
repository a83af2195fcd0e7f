//! One trait per C callback type of `aeronc.h`, each with a logging default type, the
//! `extern "C"` trampoline that calls it behind a panic boundary, and a typed `None` helper.
//!
//! Callbacks that C calls from the client conductor thread (error handler, image and counter
//! notifications, ...) are registered as [`Handler`]s and run through
//! [`guard_detached`](crate::handler::guard_detached): a panic is caught, printed and kept for
//! [`take_callback_panic`](crate::take_callback_panic). Callbacks called synchronously inside a
//! Rust call (poll, foreach) take closures too; a panic there is resumed after C returns.

use crate::handler::{guard_detached, Guarded, Handler};
use crate::header::AeronHeader;
use crate::image::AeronImage;
use crate::strings::c_str_to_str;
use crate::{bindings, AeronSubscription};
use std::os::raw::{c_char, c_int, c_void};

/// Declares the typed `None` helper of a handler type.
macro_rules! no_handler {
    ($fn_name:ident, $logger:ty) => {
        #[doc = concat!("`None` typed as `Option<&Handler<", stringify!($logger), ">>`, for calls that take an optional handler.")]
        pub fn $fn_name() -> Option<&'static Handler<$logger>> {
            None::<&Handler<$logger>>
        }
    };
}

// ---------------------------------------------------------------------------------------------
// aeron_error_handler_t

/// The error handler to be called when an error occurs (`aeron_error_handler_t`).
pub trait AeronErrorHandlerCallback {
    /// Called with Aeron's error code and message.
    fn handle_aeron_error_handler(&mut self, errcode: c_int, message: &str);
}

/// Prints each error to stderr.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronErrorHandlerLogger;

impl AeronErrorHandlerCallback for AeronErrorHandlerLogger {
    fn handle_aeron_error_handler(&mut self, errcode: c_int, message: &str) {
        eprintln!("aeron error {errcode}: {message}");
    }
}

impl<F: FnMut(c_int, &str)> AeronErrorHandlerCallback for F {
    fn handle_aeron_error_handler(&mut self, errcode: c_int, message: &str) {
        self(errcode, message)
    }
}

pub(crate) unsafe extern "C" fn error_handler_trampoline<H: AeronErrorHandlerCallback>(
    clientd: *mut c_void,
    errcode: c_int,
    message: *const c_char,
) {
    guard_detached((), || (*(clientd as *mut H)).handle_aeron_error_handler(errcode, c_str_to_str(message)))
}

no_handler!(no_error_handler_handler, AeronErrorHandlerLogger);

// ---------------------------------------------------------------------------------------------
// aeron_fragment_handler_t

/// Callback for handling fragments of data being read from a log (`aeron_fragment_handler_t`).
///
/// `buffer` and `header` are only valid during the call: copy what you keep.
pub trait AeronFragmentHandlerCallback {
    /// Called once per fragment (or per reassembled message behind a fragment assembler).
    fn handle_aeron_fragment_handler(&mut self, buffer: &[u8], header: AeronHeader<'_>);
}

/// Prints the length and position of each fragment.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronFragmentHandlerLogger;

impl AeronFragmentHandlerCallback for AeronFragmentHandlerLogger {
    fn handle_aeron_fragment_handler(&mut self, buffer: &[u8], header: AeronHeader<'_>) {
        eprintln!("fragment: {} bytes, position {}", buffer.len(), header.position());
    }
}

impl<F: FnMut(&[u8], AeronHeader<'_>)> AeronFragmentHandlerCallback for F {
    #[inline(always)]
    fn handle_aeron_fragment_handler(&mut self, buffer: &[u8], header: AeronHeader<'_>) {
        self(buffer, header)
    }
}

/// Trampoline for a synchronous poll: `clientd` is a `Guarded<H>` on the caller's stack.
pub(crate) unsafe extern "C" fn fragment_handler_trampoline<H: AeronFragmentHandlerCallback + ?Sized>(
    clientd: *mut c_void,
    buffer: *const u8,
    length: usize,
    header: *mut bindings::aeron_header_t,
) {
    Guarded::<H>::call(clientd, (), |h| {
        let data = if length == 0 { &[][..] } else { std::slice::from_raw_parts(buffer, length) };
        h.handle_aeron_fragment_handler(data, AeronHeader::from_raw(header))
    })
}

/// Trampoline for a handler whose `clientd` is the handler itself (fragment assemblers).
pub(crate) unsafe extern "C" fn fragment_handler_direct_trampoline<H: AeronFragmentHandlerCallback>(
    clientd: *mut c_void,
    buffer: *const u8,
    length: usize,
    header: *mut bindings::aeron_header_t,
) {
    let data = if length == 0 { &[][..] } else { std::slice::from_raw_parts(buffer, length) };
    (*(clientd as *mut H)).handle_aeron_fragment_handler(data, AeronHeader::from_raw(header))
}

no_handler!(no_fragment_handler_handler, AeronFragmentHandlerLogger);

// ---------------------------------------------------------------------------------------------
// aeron_controlled_fragment_handler_t

/// What a controlled fragment handler tells the poll to do next.
pub type AeronControlledFragmentHandlerAction = bindings::aeron_controlled_fragment_handler_action_t;

/// Callback for handling fragments with flow control over the poll
/// (`aeron_controlled_fragment_handler_t`). Return one of `AERON_ACTION_ABORT`,
/// `AERON_ACTION_BREAK`, `AERON_ACTION_COMMIT`, `AERON_ACTION_CONTINUE`.
pub trait AeronControlledFragmentHandlerCallback {
    /// Called once per fragment.
    fn handle_aeron_controlled_fragment_handler(
        &mut self,
        buffer: &[u8],
        header: AeronHeader<'_>,
    ) -> AeronControlledFragmentHandlerAction;
}

/// Prints each fragment and continues.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronControlledFragmentHandlerLogger;

impl AeronControlledFragmentHandlerCallback for AeronControlledFragmentHandlerLogger {
    fn handle_aeron_controlled_fragment_handler(
        &mut self,
        buffer: &[u8],
        header: AeronHeader<'_>,
    ) -> AeronControlledFragmentHandlerAction {
        eprintln!("fragment: {} bytes, position {}", buffer.len(), header.position());
        bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_CONTINUE
    }
}

impl<F: FnMut(&[u8], AeronHeader<'_>) -> AeronControlledFragmentHandlerAction> AeronControlledFragmentHandlerCallback
    for F
{
    #[inline(always)]
    fn handle_aeron_controlled_fragment_handler(
        &mut self,
        buffer: &[u8],
        header: AeronHeader<'_>,
    ) -> AeronControlledFragmentHandlerAction {
        self(buffer, header)
    }
}

pub(crate) unsafe extern "C" fn controlled_fragment_handler_trampoline<
    H: AeronControlledFragmentHandlerCallback + ?Sized,
>(
    clientd: *mut c_void,
    buffer: *const u8,
    length: usize,
    header: *mut bindings::aeron_header_t,
) -> AeronControlledFragmentHandlerAction {
    // A panic aborts the poll: the fragment is not consumed and will be delivered again.
    Guarded::<H>::call(clientd, bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_ABORT, |h| {
        let data = if length == 0 { &[][..] } else { std::slice::from_raw_parts(buffer, length) };
        h.handle_aeron_controlled_fragment_handler(data, AeronHeader::from_raw(header))
    })
}

pub(crate) unsafe extern "C" fn controlled_fragment_handler_direct_trampoline<H: AeronControlledFragmentHandlerCallback>(
    clientd: *mut c_void,
    buffer: *const u8,
    length: usize,
    header: *mut bindings::aeron_header_t,
) -> AeronControlledFragmentHandlerAction {
    let data = if length == 0 { &[][..] } else { std::slice::from_raw_parts(buffer, length) };
    (*(clientd as *mut H)).handle_aeron_controlled_fragment_handler(data, AeronHeader::from_raw(header))
}

no_handler!(no_controlled_fragment_handler_handler, AeronControlledFragmentHandlerLogger);

// ---------------------------------------------------------------------------------------------
// aeron_block_handler_t

/// Callback for handling a block of messages read from a log (`aeron_block_handler_t`).
pub trait AeronBlockHandlerCallback {
    /// Called with a block of whole frames from one term.
    fn handle_aeron_block_handler(&mut self, buffer: &[u8], session_id: i32, term_id: i32);
}

/// Prints the size of each block.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronBlockHandlerLogger;

impl AeronBlockHandlerCallback for AeronBlockHandlerLogger {
    fn handle_aeron_block_handler(&mut self, buffer: &[u8], session_id: i32, term_id: i32) {
        eprintln!("block: {} bytes, session {session_id}, term {term_id}", buffer.len());
    }
}

impl<F: FnMut(&[u8], i32, i32)> AeronBlockHandlerCallback for F {
    fn handle_aeron_block_handler(&mut self, buffer: &[u8], session_id: i32, term_id: i32) {
        self(buffer, session_id, term_id)
    }
}

pub(crate) unsafe extern "C" fn block_handler_trampoline<H: AeronBlockHandlerCallback + ?Sized>(
    clientd: *mut c_void,
    buffer: *const u8,
    length: usize,
    session_id: i32,
    term_id: i32,
) {
    Guarded::<H>::call(clientd, (), |h| {
        let data = if length == 0 { &[][..] } else { std::slice::from_raw_parts(buffer, length) };
        h.handle_aeron_block_handler(data, session_id, term_id)
    })
}

no_handler!(no_block_handler_handler, AeronBlockHandlerLogger);

// ---------------------------------------------------------------------------------------------
// aeron_on_available_image_t / aeron_on_unavailable_image_t

/// Function called by the client conductor when an image becomes available to a subscription
/// (`aeron_on_available_image_t`). The image is borrowed for the call.
pub trait AeronAvailableImageCallback {
    /// Called on the conductor thread.
    fn handle_aeron_on_available_image(&mut self, subscription: AeronSubscription, image: AeronImage);
}

/// Prints each new image.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronAvailableImageLogger;

impl AeronAvailableImageCallback for AeronAvailableImageLogger {
    fn handle_aeron_on_available_image(&mut self, _subscription: AeronSubscription, image: AeronImage) {
        eprintln!("image available: session {}, source {}", image.session_id(), image.source_identity());
    }
}

impl<F: FnMut(AeronSubscription, AeronImage) + Send> AeronAvailableImageCallback for F {
    fn handle_aeron_on_available_image(&mut self, subscription: AeronSubscription, image: AeronImage) {
        self(subscription, image)
    }
}

pub(crate) unsafe extern "C" fn available_image_trampoline<H: AeronAvailableImageCallback>(
    clientd: *mut c_void,
    subscription: *mut bindings::aeron_subscription_t,
    image: *mut bindings::aeron_image_t,
) {
    guard_detached((), || {
        (*(clientd as *mut H))
            .handle_aeron_on_available_image(AeronSubscription::from_borrowed(subscription), AeronImage::from_borrowed(image))
    })
}

no_handler!(no_available_image_handler, AeronAvailableImageLogger);

/// Function called by the client conductor when an image is no longer available to a
/// subscription (`aeron_on_unavailable_image_t`). Do not use the image after the call.
pub trait AeronUnavailableImageCallback {
    /// Called on the conductor thread.
    fn handle_aeron_on_unavailable_image(&mut self, subscription: AeronSubscription, image: AeronImage);
}

/// Prints each image that goes away.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronUnavailableImageLogger;

impl AeronUnavailableImageCallback for AeronUnavailableImageLogger {
    fn handle_aeron_on_unavailable_image(&mut self, _subscription: AeronSubscription, image: AeronImage) {
        eprintln!("image unavailable: session {}", image.session_id());
    }
}

impl<F: FnMut(AeronSubscription, AeronImage) + Send> AeronUnavailableImageCallback for F {
    fn handle_aeron_on_unavailable_image(&mut self, subscription: AeronSubscription, image: AeronImage) {
        self(subscription, image)
    }
}

pub(crate) unsafe extern "C" fn unavailable_image_trampoline<H: AeronUnavailableImageCallback>(
    clientd: *mut c_void,
    subscription: *mut bindings::aeron_subscription_t,
    image: *mut bindings::aeron_image_t,
) {
    guard_detached((), || {
        (*(clientd as *mut H)).handle_aeron_on_unavailable_image(
            AeronSubscription::from_borrowed(subscription),
            AeronImage::from_borrowed(image),
        )
    })
}

no_handler!(no_unavailable_image_handler, AeronUnavailableImageLogger);

/// The C function and `clientd` for an optional handler (null when `None`).
#[inline]
pub(crate) fn raw_handler<T: Send + 'static, F: Copy>(
    handler: Option<&Handler<T>>,
    trampoline: F,
) -> (Option<F>, *mut c_void) {
    match handler {
        Some(h) if !h.is_released() => (Some(trampoline), h.as_raw()),
        _ => (None, std::ptr::null_mut()),
    }
}

// ---------------------------------------------------------------------------------------------
// aeron_reserved_value_supplier_t

/// Function called when filling in the reserved value field of a message
/// (`aeron_reserved_value_supplier_t`). Gets the frame being written; returns the value.
pub trait AeronReservedValueSupplierCallback {
    /// Called inside `offer`, on the offering thread.
    fn handle_aeron_reserved_value_supplier(&mut self, frame: &mut [u8]) -> i64;
}

/// Supplies 0 and prints the frame length.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronReservedValueSupplierLogger;

impl AeronReservedValueSupplierCallback for AeronReservedValueSupplierLogger {
    fn handle_aeron_reserved_value_supplier(&mut self, frame: &mut [u8]) -> i64 {
        eprintln!("reserved value supplier: frame of {} bytes", frame.len());
        0
    }
}

impl<F: FnMut(&mut [u8]) -> i64> AeronReservedValueSupplierCallback for F {
    fn handle_aeron_reserved_value_supplier(&mut self, frame: &mut [u8]) -> i64 {
        self(frame)
    }
}

pub(crate) unsafe extern "C" fn reserved_value_supplier_trampoline<H: AeronReservedValueSupplierCallback + ?Sized>(
    clientd: *mut c_void,
    buffer: *mut u8,
    frame_length: usize,
) -> i64 {
    Guarded::<H>::call(clientd, 0, |h| {
        let frame = if frame_length == 0 { &mut [][..] } else { std::slice::from_raw_parts_mut(buffer, frame_length) };
        h.handle_aeron_reserved_value_supplier(frame)
    })
}

no_handler!(no_reserved_value_supplier_handler, AeronReservedValueSupplierLogger);
