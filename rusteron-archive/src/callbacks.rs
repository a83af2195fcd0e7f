//! One trait per callback type of `aeron_archive.h`, each with a logging default type, the
//! `extern "C"` trampoline that calls it behind a panic boundary, and a typed `None` helper.
//!
//! Callbacks registered on an [`AeronArchiveContext`](crate::AeronArchiveContext) (recording
//! signals, errors, credentials, delegating invoker) are called by the C archive client on the
//! thread that is inside an archive call at that moment; they must be `Send`. A panic in them is
//! caught and kept for [`take_archive_callback_panic`](crate::take_archive_callback_panic).
//! Consumers passed to a list call are called synchronously before the call returns; a panic in
//! them is resumed once C has returned.
//!
//! The `...Logger` defaults write through the [`log`] crate (target `rusteron_archive::callbacks`),
//! never to stdout or stderr: recording signals at `info`, credentials, listed descriptors at
//! `debug`, the delegating invoker (called in a loop while waiting) at `trace`.

use crate::bindings;
use crate::credentials::{free_raw, raw_bytes};
use crate::util::{guard_handler, Guarded};
use crate::{
    AeronArchiveEncodedCredentials, AeronArchiveRecordingDescriptor, AeronArchiveRecordingSignal,
    AeronArchiveRecordingSubscriptionDescriptor, AeronErrorHandlerCallback, Handler,
};
use std::os::raw::{c_char, c_int, c_void};

macro_rules! no_handler {
    ($fn_name:ident, $logger:ty) => {
        #[doc = concat!("`None` typed as `Option<&Handler<", stringify!($logger), ">>`, for calls that take an optional handler.")]
        pub fn $fn_name() -> Option<&'static Handler<$logger>> {
            None::<&Handler<$logger>>
        }
    };
}

// ---------------------------------------------------------------------------------------------
// aeron_archive_credentials_encoded_credentials_supplier_func_t

/// Callback to return encoded credentials
/// (`aeron_archive_credentials_encoded_credentials_supplier_func_t`). Called when connecting.
pub trait AeronArchiveCredentialsEncodedCredentialsSupplierFuncCallback {
    /// The credentials to send with the connect request; `None` sends none.
    fn handle_aeron_archive_credentials_encoded_credentials_supplier_func(
        &mut self,
    ) -> Option<AeronArchiveEncodedCredentials>;
}

/// Logs the call at `debug` level and supplies no credentials.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronArchiveCredentialsEncodedCredentialsSupplierFuncLogger;

impl AeronArchiveCredentialsEncodedCredentialsSupplierFuncCallback
    for AeronArchiveCredentialsEncodedCredentialsSupplierFuncLogger
{
    fn handle_aeron_archive_credentials_encoded_credentials_supplier_func(
        &mut self,
    ) -> Option<AeronArchiveEncodedCredentials> {
        log::debug!("archive credentials requested: none supplied");
        None
    }
}

impl<F: FnMut() -> Option<AeronArchiveEncodedCredentials>> AeronArchiveCredentialsEncodedCredentialsSupplierFuncCallback
    for F
{
    fn handle_aeron_archive_credentials_encoded_credentials_supplier_func(
        &mut self,
    ) -> Option<AeronArchiveEncodedCredentials> {
        self()
    }
}

no_handler!(
    no_aeron_archive_credentials_encoded_credentials_supplier_func_handler,
    AeronArchiveCredentialsEncodedCredentialsSupplierFuncLogger
);

// ---------------------------------------------------------------------------------------------
// aeron_archive_credentials_challenge_supplier_func_t

/// Callback to return encoded credentials for a challenge from the archive
/// (`aeron_archive_credentials_challenge_supplier_func_t`).
pub trait AeronArchiveCredentialsChallengeSupplierFuncCallback {
    /// The answer to `encoded_challenge`; `None` sends none.
    fn handle_aeron_archive_credentials_challenge_supplier_func(
        &mut self,
        encoded_challenge: &[u8],
    ) -> Option<AeronArchiveEncodedCredentials>;
}

/// Logs the challenge at `debug` level and answers nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronArchiveCredentialsChallengeSupplierFuncLogger;

impl AeronArchiveCredentialsChallengeSupplierFuncCallback for AeronArchiveCredentialsChallengeSupplierFuncLogger {
    fn handle_aeron_archive_credentials_challenge_supplier_func(
        &mut self,
        encoded_challenge: &[u8],
    ) -> Option<AeronArchiveEncodedCredentials> {
        log::debug!("archive challenge of {} bytes: no answer", encoded_challenge.len());
        None
    }
}

impl<F: FnMut(&[u8]) -> Option<AeronArchiveEncodedCredentials>> AeronArchiveCredentialsChallengeSupplierFuncCallback
    for F
{
    fn handle_aeron_archive_credentials_challenge_supplier_func(
        &mut self,
        encoded_challenge: &[u8],
    ) -> Option<AeronArchiveEncodedCredentials> {
        self(encoded_challenge)
    }
}

no_handler!(
    no_aeron_archive_credentials_challenge_supplier_func_handler,
    AeronArchiveCredentialsChallengeSupplierFuncLogger
);

// ---------------------------------------------------------------------------------------------
// aeron_archive_credentials_free_func_t

/// Callback told that credentials given to C are no longer needed
/// (`aeron_archive_credentials_free_func_t`). The wrapper frees its copy itself afterwards;
/// this is a notification (to wipe a secret held elsewhere, for example).
pub trait AeronArchiveCredentialsFreeFuncCallback {
    /// Called with the bytes of the credentials being released.
    fn handle_aeron_archive_credentials_free_func(&mut self, credentials: &[u8]);
}

/// Logs the release at `debug` level.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronArchiveCredentialsFreeFuncLogger;

impl AeronArchiveCredentialsFreeFuncCallback for AeronArchiveCredentialsFreeFuncLogger {
    fn handle_aeron_archive_credentials_free_func(&mut self, credentials: &[u8]) {
        log::debug!("archive credentials of {} bytes released", credentials.len());
    }
}

impl<F: FnMut(&[u8])> AeronArchiveCredentialsFreeFuncCallback for F {
    fn handle_aeron_archive_credentials_free_func(&mut self, credentials: &[u8]) {
        self(credentials)
    }
}

no_handler!(no_aeron_archive_credentials_free_func_handler, AeronArchiveCredentialsFreeFuncLogger);

/// The `clientd` of a credentials supplier: the three optional handlers.
pub(crate) struct CredentialsSupplierState<E, C, F> {
    pub encoded: Option<Handler<E>>,
    pub challenge: Option<Handler<C>>,
    pub free: Option<Handler<F>>,
}

pub(crate) unsafe extern "C" fn credentials_encoded_trampoline<E, C, F>(
    clientd: *mut c_void,
) -> *mut bindings::aeron_archive_encoded_credentials_t
where
    E: AeronArchiveCredentialsEncodedCredentialsSupplierFuncCallback + Send + 'static,
{
    let state = &*(clientd as *const CredentialsSupplierState<E, C, F>);
    match &state.encoded {
        None => std::ptr::null_mut(),
        Some(h) => guard_handler::<E, _>(h.as_raw(), std::ptr::null_mut(), |e| {
            match e.handle_aeron_archive_credentials_encoded_credentials_supplier_func() {
                Some(c) => c.into_raw(),
                None => std::ptr::null_mut(),
            }
        }),
    }
}

pub(crate) unsafe extern "C" fn credentials_challenge_trampoline<E, C, F>(
    encoded_challenge: *mut bindings::aeron_archive_encoded_credentials_t,
    clientd: *mut c_void,
) -> *mut bindings::aeron_archive_encoded_credentials_t
where
    C: AeronArchiveCredentialsChallengeSupplierFuncCallback + Send + 'static,
{
    let state = &*(clientd as *const CredentialsSupplierState<E, C, F>);
    match &state.challenge {
        None => std::ptr::null_mut(),
        Some(h) => guard_handler::<C, _>(h.as_raw(), std::ptr::null_mut(), |c| {
            let challenge = if encoded_challenge.is_null() { &[][..] } else { raw_bytes(&*encoded_challenge) };
            match c.handle_aeron_archive_credentials_challenge_supplier_func(challenge) {
                Some(c) => c.into_raw(),
                None => std::ptr::null_mut(),
            }
        }),
    }
}

pub(crate) unsafe extern "C" fn credentials_free_trampoline<E, C, F>(
    credentials: *mut bindings::aeron_archive_encoded_credentials_t,
    clientd: *mut c_void,
) where
    F: AeronArchiveCredentialsFreeFuncCallback + Send + 'static,
{
    if credentials.is_null() {
        return;
    }
    let state = &*(clientd as *const CredentialsSupplierState<E, C, F>);
    if let Some(h) = &state.free {
        guard_handler::<F, _>(h.as_raw(), (), |f| {
            f.handle_aeron_archive_credentials_free_func(raw_bytes(&*credentials))
        });
    }
    // Every credentials pointer C holds came from our suppliers above.
    free_raw(credentials);
}

// ---------------------------------------------------------------------------------------------
// aeron_archive_delegating_invoker_func_t

/// Callback run while the archive client waits for a response, to drive other work on the same
/// thread (`aeron_archive_delegating_invoker_func_t`), e.g. an Aeron client in invoker mode.
pub trait AeronArchiveDelegatingInvokerFuncCallback {
    /// Do a bit of work.
    fn handle_aeron_archive_delegating_invoker_func(&mut self);
}

/// A placeholder invoker that does no work and logs each call at `trace` level.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronArchiveDelegatingInvokerFuncLogger;

impl AeronArchiveDelegatingInvokerFuncCallback for AeronArchiveDelegatingInvokerFuncLogger {
    fn handle_aeron_archive_delegating_invoker_func(&mut self) {
        log::trace!("archive delegating invoker called");
    }
}

impl<F: FnMut()> AeronArchiveDelegatingInvokerFuncCallback for F {
    fn handle_aeron_archive_delegating_invoker_func(&mut self) {
        self()
    }
}

pub(crate) unsafe extern "C" fn delegating_invoker_trampoline<H: AeronArchiveDelegatingInvokerFuncCallback>(
    clientd: *mut c_void,
) {
    guard_handler::<H, _>(clientd, (), |h| h.handle_aeron_archive_delegating_invoker_func())
}

no_handler!(no_aeron_archive_delegating_invoker_func_handler, AeronArchiveDelegatingInvokerFuncLogger);

// ---------------------------------------------------------------------------------------------
// aeron_archive_recording_descriptor_consumer_func_t

/// Callback to return recording descriptors (`aeron_archive_recording_descriptor_consumer_func_t`).
pub trait AeronArchiveRecordingDescriptorConsumerFuncCallback {
    /// Called once per recording listed.
    fn handle_aeron_archive_recording_descriptor_consumer_func(&mut self, descriptor: AeronArchiveRecordingDescriptor);
}

/// Logs each recording descriptor at `debug` level.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronArchiveRecordingDescriptorConsumerFuncLogger;

impl AeronArchiveRecordingDescriptorConsumerFuncCallback for AeronArchiveRecordingDescriptorConsumerFuncLogger {
    fn handle_aeron_archive_recording_descriptor_consumer_func(&mut self, d: AeronArchiveRecordingDescriptor) {
        log::debug!(
            "recording {}: {} stream {} session {} positions {}..{}",
            d.recording_id,
            d.original_channel(),
            d.stream_id,
            d.session_id,
            d.start_position,
            d.stop_position
        );
    }
}

impl<F: FnMut(AeronArchiveRecordingDescriptor)> AeronArchiveRecordingDescriptorConsumerFuncCallback for F {
    fn handle_aeron_archive_recording_descriptor_consumer_func(&mut self, descriptor: AeronArchiveRecordingDescriptor) {
        self(descriptor)
    }
}

/// Trampoline for a list call: `clientd` is a `Guarded<H>` on the caller's stack.
pub(crate) unsafe extern "C" fn recording_descriptor_consumer_trampoline<
    H: AeronArchiveRecordingDescriptorConsumerFuncCallback + ?Sized,
>(
    descriptor: *mut bindings::aeron_archive_recording_descriptor_t,
    clientd: *mut c_void,
) {
    Guarded::<H>::call(clientd, (), |h| {
        h.handle_aeron_archive_recording_descriptor_consumer_func(AeronArchiveRecordingDescriptor::from_raw(descriptor))
    })
}

/// Trampoline for a consumer registered as a [`Handler`] (`clientd` is the handler).
pub(crate) unsafe extern "C" fn recording_descriptor_consumer_handler_trampoline<
    H: AeronArchiveRecordingDescriptorConsumerFuncCallback,
>(
    descriptor: *mut bindings::aeron_archive_recording_descriptor_t,
    clientd: *mut c_void,
) {
    guard_handler::<H, _>(clientd, (), |h| {
        h.handle_aeron_archive_recording_descriptor_consumer_func(AeronArchiveRecordingDescriptor::from_raw(descriptor))
    })
}

no_handler!(
    no_aeron_archive_recording_descriptor_consumer_func_handler,
    AeronArchiveRecordingDescriptorConsumerFuncLogger
);

// ---------------------------------------------------------------------------------------------
// aeron_archive_recording_subscription_descriptor_consumer_func_t

/// Callback to return recording subscription descriptors
/// (`aeron_archive_recording_subscription_descriptor_consumer_func_t`).
pub trait AeronArchiveRecordingSubscriptionDescriptorConsumerFuncCallback {
    /// Called once per recording subscription listed.
    fn handle_aeron_archive_recording_subscription_descriptor_consumer_func(
        &mut self,
        descriptor: AeronArchiveRecordingSubscriptionDescriptor,
    );
}

/// Logs each recording subscription descriptor at `debug` level.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronArchiveRecordingSubscriptionDescriptorConsumerFuncLogger;

impl AeronArchiveRecordingSubscriptionDescriptorConsumerFuncCallback
    for AeronArchiveRecordingSubscriptionDescriptorConsumerFuncLogger
{
    fn handle_aeron_archive_recording_subscription_descriptor_consumer_func(
        &mut self,
        d: AeronArchiveRecordingSubscriptionDescriptor,
    ) {
        log::debug!("recording subscription {}: {} stream {}", d.subscription_id, d.stripped_channel(), d.stream_id);
    }
}

impl<F: FnMut(AeronArchiveRecordingSubscriptionDescriptor)>
    AeronArchiveRecordingSubscriptionDescriptorConsumerFuncCallback for F
{
    fn handle_aeron_archive_recording_subscription_descriptor_consumer_func(
        &mut self,
        d: AeronArchiveRecordingSubscriptionDescriptor,
    ) {
        self(d)
    }
}

pub(crate) unsafe extern "C" fn recording_subscription_descriptor_consumer_trampoline<
    H: AeronArchiveRecordingSubscriptionDescriptorConsumerFuncCallback + ?Sized,
>(
    descriptor: *mut bindings::aeron_archive_recording_subscription_descriptor_t,
    clientd: *mut c_void,
) {
    Guarded::<H>::call(clientd, (), |h| {
        h.handle_aeron_archive_recording_subscription_descriptor_consumer_func(
            AeronArchiveRecordingSubscriptionDescriptor::from_raw(descriptor),
        )
    })
}

pub(crate) unsafe extern "C" fn recording_subscription_descriptor_consumer_handler_trampoline<
    H: AeronArchiveRecordingSubscriptionDescriptorConsumerFuncCallback,
>(
    descriptor: *mut bindings::aeron_archive_recording_subscription_descriptor_t,
    clientd: *mut c_void,
) {
    guard_handler::<H, _>(clientd, (), |h| {
        h.handle_aeron_archive_recording_subscription_descriptor_consumer_func(
            AeronArchiveRecordingSubscriptionDescriptor::from_raw(descriptor),
        )
    })
}

no_handler!(
    no_aeron_archive_recording_subscription_descriptor_consumer_func_handler,
    AeronArchiveRecordingSubscriptionDescriptorConsumerFuncLogger
);

// ---------------------------------------------------------------------------------------------
// aeron_archive_recording_signal_consumer_func_t

/// Callback to return recording signals (`aeron_archive_recording_signal_consumer_func_t`).
pub trait AeronArchiveRecordingSignalConsumerFuncCallback {
    /// Called once per signal, in the order the archive sent them.
    fn handle_aeron_archive_recording_signal_consumer_func(&mut self, signal: AeronArchiveRecordingSignal);
}

/// Logs each signal at `info` level.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronArchiveRecordingSignalConsumerFuncLogger;

impl AeronArchiveRecordingSignalConsumerFuncCallback for AeronArchiveRecordingSignalConsumerFuncLogger {
    fn handle_aeron_archive_recording_signal_consumer_func(&mut self, s: AeronArchiveRecordingSignal) {
        log::info!("recording signal {:?}: recording {} position {}", s.signal(), s.recording_id, s.position);
    }
}

impl<F: FnMut(AeronArchiveRecordingSignal)> AeronArchiveRecordingSignalConsumerFuncCallback for F {
    fn handle_aeron_archive_recording_signal_consumer_func(&mut self, s: AeronArchiveRecordingSignal) {
        self(s)
    }
}

pub(crate) unsafe extern "C" fn recording_signal_consumer_trampoline<
    H: AeronArchiveRecordingSignalConsumerFuncCallback,
>(
    signal: *mut bindings::aeron_archive_recording_signal_t,
    clientd: *mut c_void,
) {
    guard_handler::<H, _>(clientd, (), |h| {
        h.handle_aeron_archive_recording_signal_consumer_func(AeronArchiveRecordingSignal::from_raw(signal))
    })
}

no_handler!(no_aeron_archive_recording_signal_consumer_func_handler, AeronArchiveRecordingSignalConsumerFuncLogger);

// ---------------------------------------------------------------------------------------------
// aeron_error_handler_t on an archive context

pub(crate) unsafe extern "C" fn archive_error_handler_trampoline<H: AeronErrorHandlerCallback>(
    clientd: *mut c_void,
    errcode: c_int,
    message: *const c_char,
) {
    guard_handler::<H, _>(clientd, (), |h| h.handle_aeron_error_handler(errcode, crate::c_str_to_str(message)))
}

// ---------------------------------------------------------------------------------------------
// aeron_fragment_handler_t / aeron_controlled_fragment_handler_t for archive polls

pub(crate) unsafe extern "C" fn fragment_trampoline<H: crate::AeronFragmentHandlerCallback + ?Sized>(
    clientd: *mut c_void,
    buffer: *const u8,
    length: usize,
    header: *mut bindings::aeron_header_t,
) {
    Guarded::<H>::call(clientd, (), |h| {
        let data = if length == 0 { &[][..] } else { std::slice::from_raw_parts(buffer, length) };
        h.handle_aeron_fragment_handler(data, crate::AeronHeader::from_raw(header))
    })
}

pub(crate) unsafe extern "C" fn controlled_fragment_trampoline<
    H: crate::AeronControlledFragmentHandlerCallback + ?Sized,
>(
    clientd: *mut c_void,
    buffer: *const u8,
    length: usize,
    header: *mut bindings::aeron_header_t,
) -> bindings::aeron_controlled_fragment_handler_action_t {
    Guarded::<H>::call(clientd, bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_ABORT, |h| {
        let data = if length == 0 { &[][..] } else { std::slice::from_raw_parts(buffer, length) };
        h.handle_aeron_controlled_fragment_handler(data, crate::AeronHeader::from_raw(header))
    })
}
