//! The client crate's [`NoOp`] for the archive's callback traits too, so one value fits wherever
//! an archive call takes a consumer or listener you do not need.
//!
//! ```
//! use rusteron_archive::testing::EmbeddedArchiveMediaDriverProcess;
//! use rusteron_archive::*;
//!
//! let archive_process = EmbeddedArchiveMediaDriverProcess::start()?;
//! let (_aeron, archive) = archive_process.connect()?;
//! // Only the count is wanted: the descriptors go to `NoOp`.
//! let counted = archive.list_recordings(0, 100, NoOp)?;
//! let mut seen = 0;
//! let listed = archive.list_recordings(0, 100, |_d: AeronArchiveRecordingDescriptor| seen += 1)?;
//! assert_eq!((counted, listed), (seen, seen));
//! # Ok::<(), AeronCError>(())
//! ```

use crate::callbacks::*;
use crate::{
    AeronArchiveEncodedCredentials, AeronArchivePersistentSubscriptionListener, AeronArchiveRecordingDescriptor,
    AeronArchiveRecordingSignal, AeronArchiveRecordingSubscriptionDescriptor, NoOp,
};

/// Supplies no credentials (as an archive without authentication expects).
impl AeronArchiveCredentialsEncodedCredentialsSupplierFuncCallback for NoOp {
    fn handle_aeron_archive_credentials_encoded_credentials_supplier_func(
        &mut self,
    ) -> Option<AeronArchiveEncodedCredentials> {
        None
    }
}

/// Answers no challenge.
impl AeronArchiveCredentialsChallengeSupplierFuncCallback for NoOp {
    fn handle_aeron_archive_credentials_challenge_supplier_func(
        &mut self,
        _encoded_challenge: &[u8],
    ) -> Option<AeronArchiveEncodedCredentials> {
        None
    }
}

impl AeronArchiveCredentialsFreeFuncCallback for NoOp {
    fn handle_aeron_archive_credentials_free_func(&mut self, _credentials: &[u8]) {}
}

impl AeronArchiveDelegatingInvokerFuncCallback for NoOp {
    fn handle_aeron_archive_delegating_invoker_func(&mut self) {}
}

/// Ignores each descriptor (the call's return value still counts them).
impl AeronArchiveRecordingDescriptorConsumerFuncCallback for NoOp {
    fn handle_aeron_archive_recording_descriptor_consumer_func(
        &mut self,
        _descriptor: AeronArchiveRecordingDescriptor,
    ) {
    }
}

impl AeronArchiveRecordingSubscriptionDescriptorConsumerFuncCallback for NoOp {
    fn handle_aeron_archive_recording_subscription_descriptor_consumer_func(
        &mut self,
        _descriptor: AeronArchiveRecordingSubscriptionDescriptor,
    ) {
    }
}

impl AeronArchiveRecordingSignalConsumerFuncCallback for NoOp {
    fn handle_aeron_archive_recording_signal_consumer_func(&mut self, _signal: AeronArchiveRecordingSignal) {}
}

/// Ignores joins and leaves. Errors keep the trait's default: they are logged at `warn` (a
/// "no handler" should not make a failing subscription silent).
impl AeronArchivePersistentSubscriptionListener for NoOp {}

#[cfg(test)]
mod tests {
    use super::*;

    fn takes_descriptor_consumer(_: impl AeronArchiveRecordingDescriptorConsumerFuncCallback) {}
    fn takes_listener(_: impl AeronArchivePersistentSubscriptionListener) {}

    #[test]
    fn no_op_supplies_nothing_and_fits_every_archive_callback() {
        let mut n = NoOp;
        assert!(n.handle_aeron_archive_credentials_encoded_credentials_supplier_func().is_none());
        assert!(n.handle_aeron_archive_credentials_challenge_supplier_func(b"challenge").is_none());
        takes_descriptor_consumer(NoOp);
        takes_listener(NoOp);
    }
}
