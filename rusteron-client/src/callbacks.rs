//! One trait per C callback type of `aeronc.h`, each with a logging default type, the
//! `extern "C"` trampoline that calls it behind a panic boundary, and a typed `None` helper.
//!
//! Callbacks that C calls from the client conductor thread (error handler, image and counter
//! notifications, ...) are registered as [`Handler`]s and run through
//! [`guard_detached`](crate::handler::guard_detached): a panic is caught, logged and kept for
//! [`take_callback_panic`](crate::take_callback_panic). Callbacks called synchronously inside a
//! Rust call (poll, foreach) take closures too; a panic there is resumed after C returns.
//!
//! The `...Logger` defaults write through the [`log`] crate (target: this module's path,
//! `rusteron_client::callbacks`), never to stdout or stderr: errors at `error`, error frames at
//! `warn`, images at `info`, lifecycle notifications (publications, subscriptions, counters,
//! agents, client close) at `debug`, and per-message or per-duty-cycle calls (fragments, blocks,
//! reserved values, idle) at `trace`.

use crate::bindings;
use crate::error_frame::AeronPublicationErrorValues;
use crate::handler::{guard_handler, guard_nested_handler, Guarded, Handler};
use crate::header::AeronHeader;
use crate::strings::c_str_to_str;
use crate::views::{AeronCountersReaderRef, AeronImageRef, AeronSubscriptionRef};
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

/// Logs each error at `error` level.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronErrorHandlerLogger;

impl AeronErrorHandlerCallback for AeronErrorHandlerLogger {
    fn handle_aeron_error_handler(&mut self, errcode: c_int, message: &str) {
        log::error!("aeron error {errcode}: {message}");
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
    guard_handler::<H, _>(clientd, (), |h| h.handle_aeron_error_handler(errcode, c_str_to_str(message)))
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

/// Logs the length and position of each fragment at `trace` level.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronFragmentHandlerLogger;

impl AeronFragmentHandlerCallback for AeronFragmentHandlerLogger {
    fn handle_aeron_fragment_handler(&mut self, buffer: &[u8], header: AeronHeader<'_>) {
        log::trace!("fragment: {} bytes, position {}", buffer.len(), header.position());
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

thread_local! {
    /// How many C fragment assemblers' delegates this thread is running.
    static IN_ASSEMBLER_DELEGATE: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// True while this thread runs the delegate of a C fragment assembler: the assembler's session
/// buffer holds the message being delivered, so it must not be deleted now.
pub(crate) fn in_assembler_delegate() -> bool {
    IN_ASSEMBLER_DELEGATE.with(|d| d.get() > 0)
}

/// Runs `f` marked as an assembler delegate.
#[inline(always)]
fn as_assembler_delegate<R>(f: impl FnOnce() -> R) -> R {
    struct Exit;
    impl Drop for Exit {
        fn drop(&mut self) {
            IN_ASSEMBLER_DELEGATE.with(|d| d.set(d.get() - 1));
        }
    }
    IN_ASSEMBLER_DELEGATE.with(|d| d.set(d.get() + 1));
    let _exit = Exit;
    f()
}

/// Trampoline for a handler whose `clientd` is the handler itself (fragment assemblers); a panic
/// is kept for `resume_nested_panic`.
pub(crate) unsafe extern "C" fn fragment_handler_direct_trampoline<H: AeronFragmentHandlerCallback>(
    clientd: *mut c_void,
    buffer: *const u8,
    length: usize,
    header: *mut bindings::aeron_header_t,
) {
    as_assembler_delegate(|| {
        guard_nested_handler::<H, _>(clientd, (), |h| {
            let data = if length == 0 { &[][..] } else { std::slice::from_raw_parts(buffer, length) };
            h.handle_aeron_fragment_handler(data, AeronHeader::from_raw(header))
        })
    })
}

no_handler!(no_fragment_handler_handler, AeronFragmentHandlerLogger);

/// A fragment handler made from any `FnMut(&[u8], AeronHeader)` closure, for APIs that want a
/// named handler type (for example to [`Handlers::leak`](crate::Handlers::leak) it). Polls also
/// take closures directly.
pub struct FnMutMessageHandler<F: FnMut(&[u8], AeronHeader<'_>)> {
    f: F,
}

impl<F: FnMut(&[u8], AeronHeader<'_>)> FnMutMessageHandler<F> {
    /// Wraps the closure.
    pub fn new(f: F) -> Self {
        FnMutMessageHandler { f }
    }

    /// Gives the closure back.
    pub fn into_inner(self) -> F {
        self.f
    }
}

impl<F: FnMut(&[u8], AeronHeader<'_>)> AeronFragmentHandlerCallback for FnMutMessageHandler<F> {
    #[inline(always)]
    fn handle_aeron_fragment_handler(&mut self, buffer: &[u8], header: AeronHeader<'_>) {
        (self.f)(buffer, header)
    }
}

impl<F: FnMut(&[u8], AeronHeader<'_>)> std::fmt::Debug for FnMutMessageHandler<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FnMutMessageHandler")
    }
}

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

/// Logs each fragment at `trace` level and continues.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronControlledFragmentHandlerLogger;

impl AeronControlledFragmentHandlerCallback for AeronControlledFragmentHandlerLogger {
    fn handle_aeron_controlled_fragment_handler(
        &mut self,
        buffer: &[u8],
        header: AeronHeader<'_>,
    ) -> AeronControlledFragmentHandlerAction {
        log::trace!("fragment: {} bytes, position {}", buffer.len(), header.position());
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

pub(crate) unsafe extern "C" fn controlled_fragment_handler_direct_trampoline<
    H: AeronControlledFragmentHandlerCallback,
>(
    clientd: *mut c_void,
    buffer: *const u8,
    length: usize,
    header: *mut bindings::aeron_header_t,
) -> AeronControlledFragmentHandlerAction {
    as_assembler_delegate(|| {
        guard_nested_handler::<H, _>(
            clientd,
            bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_ABORT,
            |h| {
                let data = if length == 0 { &[][..] } else { std::slice::from_raw_parts(buffer, length) };
                h.handle_aeron_controlled_fragment_handler(data, AeronHeader::from_raw(header))
            },
        )
    })
}

no_handler!(no_controlled_fragment_handler_handler, AeronControlledFragmentHandlerLogger);

// ---------------------------------------------------------------------------------------------
// aeron_block_handler_t

/// Callback for handling a block of messages read from a log (`aeron_block_handler_t`).
pub trait AeronBlockHandlerCallback {
    /// Called with a block of whole frames from one term.
    fn handle_aeron_block_handler(&mut self, buffer: &[u8], session_id: i32, term_id: i32);
}

/// Logs the size of each block at `trace` level.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronBlockHandlerLogger;

impl AeronBlockHandlerCallback for AeronBlockHandlerLogger {
    fn handle_aeron_block_handler(&mut self, buffer: &[u8], session_id: i32, term_id: i32) {
        log::trace!("block: {} bytes, session {session_id}, term {term_id}", buffer.len());
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
/// (`aeron_on_available_image_t`). The image and the subscription are lent for the call only
/// (views whose lifetime ends with it). To keep the image, note its session id and look it up
/// from the polling thread with `AeronSubscription::image_by_session_id`.
pub trait AeronAvailableImageCallback {
    /// Called on the conductor thread.
    fn handle_aeron_on_available_image(&mut self, subscription: AeronSubscriptionRef<'_>, image: AeronImageRef<'_>);
}

/// Logs each new image at `info` level.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronAvailableImageLogger;

impl AeronAvailableImageCallback for AeronAvailableImageLogger {
    fn handle_aeron_on_available_image(&mut self, _subscription: AeronSubscriptionRef<'_>, image: AeronImageRef<'_>) {
        log::info!("image available: session {}, source {}", image.session_id(), image.source_identity());
    }
}

impl<F: FnMut(AeronSubscriptionRef<'_>, AeronImageRef<'_>) + Send> AeronAvailableImageCallback for F {
    fn handle_aeron_on_available_image(&mut self, subscription: AeronSubscriptionRef<'_>, image: AeronImageRef<'_>) {
        self(subscription, image)
    }
}

pub(crate) unsafe extern "C" fn available_image_trampoline<H: AeronAvailableImageCallback>(
    clientd: *mut c_void,
    subscription: *mut bindings::aeron_subscription_t,
    image: *mut bindings::aeron_image_t,
) {
    guard_handler::<H, _>(clientd, (), |h| {
        h.handle_aeron_on_available_image(AeronSubscriptionRef::from_raw(subscription), AeronImageRef::from_raw(image))
    })
}

no_handler!(no_available_image_handler, AeronAvailableImageLogger);

/// Function called by the client conductor when an image is no longer available to a
/// subscription (`aeron_on_unavailable_image_t`). The image and the subscription are lent for the
/// call only: C deletes the image right after it.
pub trait AeronUnavailableImageCallback {
    /// Called on the conductor thread.
    fn handle_aeron_on_unavailable_image(&mut self, subscription: AeronSubscriptionRef<'_>, image: AeronImageRef<'_>);
}

/// Logs each image that goes away at `info` level.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronUnavailableImageLogger;

impl AeronUnavailableImageCallback for AeronUnavailableImageLogger {
    fn handle_aeron_on_unavailable_image(&mut self, _subscription: AeronSubscriptionRef<'_>, image: AeronImageRef<'_>) {
        log::info!("image unavailable: session {}", image.session_id());
    }
}

impl<F: FnMut(AeronSubscriptionRef<'_>, AeronImageRef<'_>) + Send> AeronUnavailableImageCallback for F {
    fn handle_aeron_on_unavailable_image(&mut self, subscription: AeronSubscriptionRef<'_>, image: AeronImageRef<'_>) {
        self(subscription, image)
    }
}

pub(crate) unsafe extern "C" fn unavailable_image_trampoline<H: AeronUnavailableImageCallback>(
    clientd: *mut c_void,
    subscription: *mut bindings::aeron_subscription_t,
    image: *mut bindings::aeron_image_t,
) {
    guard_handler::<H, _>(clientd, (), |h| {
        h.handle_aeron_on_unavailable_image(
            AeronSubscriptionRef::from_raw(subscription),
            AeronImageRef::from_raw(image),
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

/// Supplies 0 and logs the frame length at `trace` level.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronReservedValueSupplierLogger;

impl AeronReservedValueSupplierCallback for AeronReservedValueSupplierLogger {
    fn handle_aeron_reserved_value_supplier(&mut self, frame: &mut [u8]) -> i64 {
        log::trace!("reserved value supplier: frame of {} bytes", frame.len());
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

// ---------------------------------------------------------------------------------------------
// aeron_publication_error_frame_handler_t

/// The error frame handler called when the driver tells the client that a receiver sent an error
/// frame for one of its publications (`aeron_publication_error_frame_handler_t`).
///
/// The values are an owned copy and may be kept.
pub trait AeronPublicationErrorFrameHandlerCallback {
    /// Called on the conductor thread.
    fn handle_aeron_publication_error_frame_handler(&mut self, error_frame: AeronPublicationErrorValues);
}

/// Logs each error frame at `warn` level.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronPublicationErrorFrameHandlerLogger;

impl AeronPublicationErrorFrameHandlerCallback for AeronPublicationErrorFrameHandlerLogger {
    fn handle_aeron_publication_error_frame_handler(&mut self, error_frame: AeronPublicationErrorValues) {
        log::warn!(
            "publication error frame: registration {}, session {}, stream {}, code {}: {}",
            error_frame.registration_id(),
            error_frame.session_id(),
            error_frame.stream_id(),
            error_frame.error_code(),
            error_frame.error_message()
        );
    }
}

impl<F: FnMut(AeronPublicationErrorValues) + Send> AeronPublicationErrorFrameHandlerCallback for F {
    fn handle_aeron_publication_error_frame_handler(&mut self, error_frame: AeronPublicationErrorValues) {
        self(error_frame)
    }
}

pub(crate) unsafe extern "C" fn publication_error_frame_handler_trampoline<
    H: AeronPublicationErrorFrameHandlerCallback,
>(
    clientd: *mut c_void,
    error_frame: *mut bindings::aeron_publication_error_values_t,
) {
    guard_handler::<H, _>(clientd, (), |h| {
        // An owned copy (freed on drop): the frame C passes is only valid during the call.
        if let Ok(values) = AeronPublicationErrorValues::from_borrowed(error_frame).copy() {
            h.handle_aeron_publication_error_frame_handler(values)
        }
    })
}

no_handler!(no_publication_error_frame_handler_handler, AeronPublicationErrorFrameHandlerLogger);

// ---------------------------------------------------------------------------------------------
// aeron_notification_t

/// Generalised notification callback (`aeron_notification_t`): a close or remove completed.
///
/// It may be called on the conductor thread.
pub trait AeronNotificationCallback {
    /// Called once the operation completed.
    fn handle_aeron_notification(&mut self);
}

/// Logs at `debug` level that a notification arrived.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronNotificationLogger;

impl AeronNotificationCallback for AeronNotificationLogger {
    fn handle_aeron_notification(&mut self) {
        log::debug!("aeron notification");
    }
}

impl<F: FnMut() + Send> AeronNotificationCallback for F {
    fn handle_aeron_notification(&mut self) {
        self()
    }
}

/// Trampoline of a one-shot notification whose `clientd` is a boxed clone of a [`Handler`]:
/// the box (and so the handler's reference) is freed after the call.
pub(crate) unsafe extern "C" fn notification_once_trampoline<H: AeronNotificationCallback + Send + 'static>(
    clientd: *mut c_void,
) {
    let handler = Box::from_raw(clientd as *mut Handler<H>);
    if !handler.is_released() {
        guard_handler::<H, _>(handler.as_raw(), (), |h| h.handle_aeron_notification());
    }
    // This box may hold the last reference (the user dropped theirs after `close`): the
    // handler's `Drop` runs here, and must not unwind into C.
    crate::handler::drop_guarded(handler, crate::handler::Panics::Detached);
}

/// A one-shot notification for C that calls `handler` (none without a handler, or once it is
/// released): the trampoline, with a boxed clone of the handler as its `clientd`, which the
/// trampoline frees, or the notification when C never calls it.
pub(crate) fn notification_once<H: AeronNotificationCallback + Send + 'static>(
    handler: Option<&Handler<H>>,
) -> Option<crate::resource::OneShotNotification> {
    unsafe fn free<H: Send + 'static>(p: *mut c_void) {
        drop(Box::from_raw(p as *mut Handler<H>));
    }
    match handler {
        // SAFETY: the trampoline frees the box after calling the handler (behind the panic
        // boundary), `free` frees it; a `Handler` of a `Send` type may be used and dropped on
        // any thread.
        Some(h) if !h.is_released() => Some(unsafe {
            crate::resource::OneShotNotification::new(
                notification_once_trampoline::<H>,
                Box::into_raw(Box::new(h.clone())) as *mut c_void,
                free::<H>,
            )
        }),
        _ => None,
    }
}

no_handler!(no_notification_handler, AeronNotificationLogger);

// ---------------------------------------------------------------------------------------------
// aeron_on_new_publication_t

/// Called by the client conductor when the driver has added a publication or exclusive
/// publication for this client (`aeron_on_new_publication_t`). Do the minimum work here.
pub trait AeronNewPublicationCallback {
    /// Called on the conductor thread.
    fn handle_aeron_on_new_publication(&mut self, channel: &str, stream_id: i32, session_id: i32, correlation_id: i64);
}

/// Logs each new publication at `debug` level.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronNewPublicationLogger;

impl AeronNewPublicationCallback for AeronNewPublicationLogger {
    fn handle_aeron_on_new_publication(&mut self, channel: &str, stream_id: i32, session_id: i32, correlation_id: i64) {
        log::debug!("new publication: {channel} stream {stream_id} session {session_id} correlation {correlation_id}");
    }
}

impl<F: FnMut(&str, i32, i32, i64) + Send> AeronNewPublicationCallback for F {
    fn handle_aeron_on_new_publication(&mut self, channel: &str, stream_id: i32, session_id: i32, correlation_id: i64) {
        self(channel, stream_id, session_id, correlation_id)
    }
}

pub(crate) unsafe extern "C" fn new_publication_trampoline<H: AeronNewPublicationCallback>(
    clientd: *mut c_void,
    channel: *const c_char,
    stream_id: i32,
    session_id: i32,
    correlation_id: i64,
) {
    guard_handler::<H, _>(clientd, (), |h| {
        h.handle_aeron_on_new_publication(c_str_to_str(channel), stream_id, session_id, correlation_id)
    })
}

no_handler!(no_new_publication_handler, AeronNewPublicationLogger);

// ---------------------------------------------------------------------------------------------
// aeron_on_new_subscription_t

/// Called by the client conductor when the driver has added a subscription for this client
/// (`aeron_on_new_subscription_t`). Do the minimum work here.
pub trait AeronNewSubscriptionCallback {
    /// Called on the conductor thread.
    fn handle_aeron_on_new_subscription(&mut self, channel: &str, stream_id: i32, correlation_id: i64);
}

/// Logs each new subscription at `debug` level.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronNewSubscriptionLogger;

impl AeronNewSubscriptionCallback for AeronNewSubscriptionLogger {
    fn handle_aeron_on_new_subscription(&mut self, channel: &str, stream_id: i32, correlation_id: i64) {
        log::debug!("new subscription: {channel} stream {stream_id} correlation {correlation_id}");
    }
}

impl<F: FnMut(&str, i32, i64) + Send> AeronNewSubscriptionCallback for F {
    fn handle_aeron_on_new_subscription(&mut self, channel: &str, stream_id: i32, correlation_id: i64) {
        self(channel, stream_id, correlation_id)
    }
}

pub(crate) unsafe extern "C" fn new_subscription_trampoline<H: AeronNewSubscriptionCallback>(
    clientd: *mut c_void,
    channel: *const c_char,
    stream_id: i32,
    correlation_id: i64,
) {
    guard_handler::<H, _>(clientd, (), |h| {
        h.handle_aeron_on_new_subscription(c_str_to_str(channel), stream_id, correlation_id)
    })
}

no_handler!(no_new_subscription_handler, AeronNewSubscriptionLogger);

// ---------------------------------------------------------------------------------------------
// aeron_on_available_counter_t / aeron_on_unavailable_counter_t

/// Called by the client conductor when a counter is added to the driver
/// (`aeron_on_available_counter_t`). The counters reader is lent for the call only.
pub trait AeronAvailableCounterCallback {
    /// Called on the conductor thread.
    fn handle_aeron_on_available_counter(
        &mut self,
        counters_reader: AeronCountersReaderRef<'_>,
        registration_id: i64,
        counter_id: i32,
    );
}

/// Logs each new counter at `debug` level.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronAvailableCounterLogger;

impl AeronAvailableCounterCallback for AeronAvailableCounterLogger {
    fn handle_aeron_on_available_counter(
        &mut self,
        _counters_reader: AeronCountersReaderRef<'_>,
        registration_id: i64,
        counter_id: i32,
    ) {
        log::debug!("counter available: registration {registration_id}, id {counter_id}");
    }
}

impl<F: FnMut(AeronCountersReaderRef<'_>, i64, i32) + Send> AeronAvailableCounterCallback for F {
    fn handle_aeron_on_available_counter(
        &mut self,
        counters_reader: AeronCountersReaderRef<'_>,
        registration_id: i64,
        counter_id: i32,
    ) {
        self(counters_reader, registration_id, counter_id)
    }
}

pub(crate) unsafe extern "C" fn available_counter_trampoline<H: AeronAvailableCounterCallback>(
    clientd: *mut c_void,
    counters_reader: *mut bindings::aeron_counters_reader_t,
    registration_id: i64,
    counter_id: i32,
) {
    guard_handler::<H, _>(clientd, (), |h| {
        h.handle_aeron_on_available_counter(
            AeronCountersReaderRef::from_raw(counters_reader),
            registration_id,
            counter_id,
        )
    })
}

no_handler!(no_available_counter_handler, AeronAvailableCounterLogger);

/// Called by the client conductor when a counter is removed from the driver
/// (`aeron_on_unavailable_counter_t`). The counters reader is lent for the call only.
pub trait AeronUnavailableCounterCallback {
    /// Called on the conductor thread.
    fn handle_aeron_on_unavailable_counter(
        &mut self,
        counters_reader: AeronCountersReaderRef<'_>,
        registration_id: i64,
        counter_id: i32,
    );
}

/// Logs each counter that goes away at `debug` level.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronUnavailableCounterLogger;

impl AeronUnavailableCounterCallback for AeronUnavailableCounterLogger {
    fn handle_aeron_on_unavailable_counter(
        &mut self,
        _counters_reader: AeronCountersReaderRef<'_>,
        registration_id: i64,
        counter_id: i32,
    ) {
        log::debug!("counter unavailable: registration {registration_id}, id {counter_id}");
    }
}

impl<F: FnMut(AeronCountersReaderRef<'_>, i64, i32) + Send> AeronUnavailableCounterCallback for F {
    fn handle_aeron_on_unavailable_counter(
        &mut self,
        counters_reader: AeronCountersReaderRef<'_>,
        registration_id: i64,
        counter_id: i32,
    ) {
        self(counters_reader, registration_id, counter_id)
    }
}

pub(crate) unsafe extern "C" fn unavailable_counter_trampoline<H: AeronUnavailableCounterCallback>(
    clientd: *mut c_void,
    counters_reader: *mut bindings::aeron_counters_reader_t,
    registration_id: i64,
    counter_id: i32,
) {
    guard_handler::<H, _>(clientd, (), |h| {
        h.handle_aeron_on_unavailable_counter(
            AeronCountersReaderRef::from_raw(counters_reader),
            registration_id,
            counter_id,
        )
    })
}

no_handler!(no_unavailable_counter_handler, AeronUnavailableCounterLogger);

// ---------------------------------------------------------------------------------------------
// aeron_on_close_client_t

/// Called by the client conductor when the client is closing (`aeron_on_close_client_t`).
pub trait AeronCloseClientCallback {
    /// Called on the thread that closes the client (or the conductor).
    fn handle_aeron_on_close_client(&mut self);
}

/// Logs at `debug` level that the client closes.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronCloseClientLogger;

impl AeronCloseClientCallback for AeronCloseClientLogger {
    fn handle_aeron_on_close_client(&mut self) {
        log::debug!("aeron client closing");
    }
}

impl<F: FnMut() + Send> AeronCloseClientCallback for F {
    fn handle_aeron_on_close_client(&mut self) {
        self()
    }
}

pub(crate) unsafe extern "C" fn close_client_trampoline<H: AeronCloseClientCallback>(clientd: *mut c_void) {
    guard_handler::<H, _>(clientd, (), |h| h.handle_aeron_on_close_client())
}

no_handler!(no_close_client_handler, AeronCloseClientLogger);

// ---------------------------------------------------------------------------------------------
// aeron_log_func_t (no clientd): a line sink for a synchronous C call

type LineSink = *mut dyn FnMut(&str);

thread_local! {
    /// The closure that a C function taking a context-free `void (*)(const char *)` writes to,
    /// set only while that (synchronous) C call runs on this thread.
    static LINE_SINK: std::cell::Cell<Option<LineSink>> = const { std::cell::Cell::new(None) };
}

unsafe extern "C" fn line_sink_trampoline(line: *const c_char) {
    if let Some(f) = LINE_SINK.with(|s| s.get()) {
        let text = c_str_to_str(line);
        // A panic must not unwind into C: stop it here and report it like a conductor callback.
        crate::handler::guard_nested((), || (*f)(text));
    }
}

/// Runs `call` with a C line callback that forwards to `f`. C must call it synchronously on
/// this thread (as `aeron_print_counters` does). A panic in `f`
/// resumes after `call` returns.
pub(crate) fn with_line_sink<F: FnMut(&str)>(f: &mut F, call: impl FnOnce(bindings::aeron_log_func_t)) {
    let dyn_ref: &mut dyn FnMut(&str) = f;
    // SAFETY: the pointer is only used while `call` runs, during which `f` is borrowed here;
    // the lifetime is erased to store it in the thread-local slot.
    let ptr: LineSink = unsafe { std::mem::transmute::<&mut dyn FnMut(&str), LineSink>(dyn_ref) };
    let previous = LINE_SINK.with(|s| s.replace(Some(ptr)));
    call(Some(line_sink_trampoline));
    LINE_SINK.with(|s| s.set(previous));
    crate::handler::resume_nested_panic();
}

// ---------------------------------------------------------------------------------------------
// aeron_agent_on_start_func_t

/// Called when an agent thread (the client conductor) starts, with its role name
/// (`aeron_agent_on_start_func_t`): the place to pin the thread or name it.
pub trait AeronAgentStartFuncCallback {
    /// Called on the starting agent thread.
    fn handle_aeron_agent_on_start_func(&mut self, role_name: &str);
}

/// Logs the role of each agent that starts at `debug` level.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronAgentStartFuncLogger;

impl AeronAgentStartFuncCallback for AeronAgentStartFuncLogger {
    fn handle_aeron_agent_on_start_func(&mut self, role_name: &str) {
        log::debug!("agent started: {role_name}");
    }
}

impl<F: FnMut(&str) + Send> AeronAgentStartFuncCallback for F {
    fn handle_aeron_agent_on_start_func(&mut self, role_name: &str) {
        self(role_name)
    }
}

pub(crate) unsafe extern "C" fn agent_on_start_func_trampoline<H: AeronAgentStartFuncCallback>(
    state: *mut c_void,
    role_name: *const c_char,
) {
    guard_handler::<H, _>(state, (), |h| h.handle_aeron_agent_on_start_func(c_str_to_str(role_name)))
}

no_handler!(no_agent_start_func_handler, AeronAgentStartFuncLogger);

// ---------------------------------------------------------------------------------------------
// aeron_idle_strategy_func_t

/// An idle strategy (`aeron_idle_strategy_func_t`): called with the work done in the last duty
/// cycle; idles (sleeps, yields, spins) when it was 0.
pub trait AeronIdleStrategyFuncCallback {
    /// Called on the thread running the duty cycle.
    fn handle_aeron_idle_strategy_func(&mut self, work_count: c_int);
}

/// Logs each idle call at `trace` level (useful only to see how often it is called); it does
/// not idle.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronIdleStrategyFuncLogger;

impl AeronIdleStrategyFuncCallback for AeronIdleStrategyFuncLogger {
    fn handle_aeron_idle_strategy_func(&mut self, work_count: c_int) {
        log::trace!("idle: work count {work_count}");
    }
}

/// An idle strategy that never idles (busy spin).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoOpAeronIdleStrategyFunc;

impl AeronIdleStrategyFuncCallback for NoOpAeronIdleStrategyFunc {
    #[inline(always)]
    fn handle_aeron_idle_strategy_func(&mut self, _work_count: c_int) {}
}

impl<F: FnMut(c_int)> AeronIdleStrategyFuncCallback for F {
    fn handle_aeron_idle_strategy_func(&mut self, work_count: c_int) {
        self(work_count)
    }
}

/// Trampoline for an idle strategy called synchronously inside a Rust call (`clientd` is a
/// `Guarded<H>`): a panic resumes in the caller once C returns.
#[allow(dead_code)]
pub(crate) unsafe extern "C" fn idle_strategy_func_trampoline<H: AeronIdleStrategyFuncCallback + ?Sized>(
    clientd: *mut c_void,
    work_count: c_int,
) {
    Guarded::<H>::call(clientd, (), |h| h.handle_aeron_idle_strategy_func(work_count))
}

/// Trampoline for an idle strategy whose `state` is a leaked [`Handler`]; a panic is stopped and
/// kept for [`take_callback_panic`](crate::take_callback_panic).
///
/// # Safety
/// `state` must be [`Handler::as_raw`] of a live `Handler<H>`, called from one thread at a time.
pub unsafe extern "C" fn idle_strategy_func_handler_trampoline<H: AeronIdleStrategyFuncCallback>(
    state: *mut c_void,
    work_count: c_int,
) {
    guard_handler::<H, _>(state, (), |h| h.handle_aeron_idle_strategy_func(work_count))
}

no_handler!(no_idle_strategy_func_handler, AeronIdleStrategyFuncLogger);
