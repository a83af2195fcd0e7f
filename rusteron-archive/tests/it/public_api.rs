//! Every item of the public API contract (`public-api.txt`: kind and name) is reachable as
//! `rusteron_archive::Name` with that kind. This file fails to compile if one is missing.
#![allow(dead_code, non_snake_case, clippy::let_unit_value, clippy::type_complexity)]

#[allow(unused_imports)]
use rusteron_archive::bindings::*; // mod
#[allow(unused_imports)]
use rusteron_archive::testing::*; // mod

fn _aeronagentstartfunccallback<T: ?Sized + rusteron_archive::AeronAgentStartFuncCallback>() {}
fn _aeronarchivecredentialschallengesupplierfunccallback<
    T: ?Sized + rusteron_archive::AeronArchiveCredentialsChallengeSupplierFuncCallback,
>() {
}
fn _aeronarchivecredentialsencodedcredentialssupplierfunccallback<
    T: ?Sized + rusteron_archive::AeronArchiveCredentialsEncodedCredentialsSupplierFuncCallback,
>() {
}
fn _aeronarchivecredentialsfreefunccallback<T: ?Sized + rusteron_archive::AeronArchiveCredentialsFreeFuncCallback>() {}
fn _aeronarchivedelegatinginvokerfunccallback<
    T: ?Sized + rusteron_archive::AeronArchiveDelegatingInvokerFuncCallback,
>() {
}
fn _aeronarchiverecordingdescriptorconsumerfunccallback<
    T: ?Sized + rusteron_archive::AeronArchiveRecordingDescriptorConsumerFuncCallback,
>() {
}
fn _aeronarchiverecordingsignalconsumerfunccallback<
    T: ?Sized + rusteron_archive::AeronArchiveRecordingSignalConsumerFuncCallback,
>() {
}
fn _aeronarchiverecordingsubscriptiondescriptorconsumerfunccallback<
    T: ?Sized + rusteron_archive::AeronArchiveRecordingSubscriptionDescriptorConsumerFuncCallback,
>() {
}
fn _aeronavailablecountercallback<T: ?Sized + rusteron_archive::AeronAvailableCounterCallback>() {}
fn _aeronavailableimagecallback<T: ?Sized + rusteron_archive::AeronAvailableImageCallback>() {}
fn _aeronblockhandlercallback<T: ?Sized + rusteron_archive::AeronBlockHandlerCallback>() {}
fn _aeroncloseclientcallback<T: ?Sized + rusteron_archive::AeronCloseClientCallback>() {}
fn _aeroncontrolledfragmenthandlercallback<T: ?Sized + rusteron_archive::AeronControlledFragmentHandlerCallback>() {}
fn _aeroncountersreaderforeachcounterfunccallback<
    T: ?Sized + rusteron_archive::AeronCountersReaderForeachCounterFuncCallback,
>() {
}
fn _aeronerrorhandlercallback<T: ?Sized + rusteron_archive::AeronErrorHandlerCallback>() {}
fn _aeronerrorlogreaderfunccallback<T: ?Sized + rusteron_archive::AeronErrorLogReaderFuncCallback>() {}
fn _aeronfragmenthandlercallback<T: ?Sized + rusteron_archive::AeronFragmentHandlerCallback>() {}
fn _aeronidlestrategyfunccallback<T: ?Sized + rusteron_archive::AeronIdleStrategyFuncCallback>() {}
fn _aeronlossreporterreadentryfunccallback<T: ?Sized + rusteron_archive::AeronLossReporterReadEntryFuncCallback>() {}
fn _aeronnewpublicationcallback<T: ?Sized + rusteron_archive::AeronNewPublicationCallback>() {}
fn _aeronnewsubscriptioncallback<T: ?Sized + rusteron_archive::AeronNewSubscriptionCallback>() {}
fn _aeronnotificationcallback<T: ?Sized + rusteron_archive::AeronNotificationCallback>() {}
fn _aeronpublicationerrorframehandlercallback<
    T: ?Sized + rusteron_archive::AeronPublicationErrorFrameHandlerCallback,
>() {
}
fn _aeronreservedvaluesuppliercallback<T: ?Sized + rusteron_archive::AeronReservedValueSupplierCallback>() {}
fn _aeronunavailablecountercallback<T: ?Sized + rusteron_archive::AeronUnavailableCounterCallback>() {}
fn _aeronunavailableimagecallback<T: ?Sized + rusteron_archive::AeronUnavailableImageCallback>() {}
fn _aeronuriparsecallbackcallback<T: ?Sized + rusteron_archive::AeronUriParseCallbackCallback>() {}
fn _intocstring<T: ?Sized + rusteron_archive::IntoCString>() {}

#[test]
fn every_public_item_is_reachable() {
    let _ = rusteron_archive::AERON_DIR_PROP_NAME; // const
    let _ = rusteron_archive::AERON_IPC_MEDIA; // const
    let _ = rusteron_archive::AERON_UDP_MEDIA; // const
    let _ = rusteron_archive::DRIVER_TIMEOUT_MS_DEFAULT; // const
    let _ = rusteron_archive::SOURCE_LOCATION_LOCAL; // const
    let _ = rusteron_archive::SOURCE_LOCATION_REMOTE; // const
    let _ = rusteron_archive::SPY_PREFIX; // const
    let _ = rusteron_archive::TAG_PREFIX; // const
    let _: Option<rusteron_archive::AeronErrorType> = None; // enum
    let _: Option<rusteron_archive::AeronSystemCounterType> = None; // enum
    let _: Option<rusteron_archive::CResource<()>> = None; // enum
    let _: Option<rusteron_archive::ControlMode> = None; // enum
    let _: Option<rusteron_archive::Media> = None; // enum
    let _ = rusteron_archive::find_unused_udp_port; // fn
    let _ = rusteron_archive::is_udp_port_available; // fn
    let _ = &rusteron_archive::AERON_IPC_STREAM; // static
    let _: Option<rusteron_archive::Aeron> = None; // struct
    let _: Option<rusteron_archive::AeronAgentStartFuncLogger> = None; // struct
    let _: Option<rusteron_archive::AeronArchive> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveAsyncConnect> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveContext> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveControlResponsePoller> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveCredentialsChallengeSupplierFuncLogger> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveCredentialsEncodedCredentialsSupplierFuncLogger> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveCredentialsFreeFuncLogger> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveDelegatingInvokerFuncLogger> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveEncodedCredentials> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveProxy> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveRecordingDescriptor> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveRecordingDescriptorConsumerFuncLogger> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveRecordingDescriptorPoller> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveRecordingSignal> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveRecordingSignalConsumerFuncLogger> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveRecordingSubscriptionDescriptor> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveRecordingSubscriptionDescriptorConsumerFuncLogger> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveRecordingSubscriptionDescriptorPoller> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveReplayMerge> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveReplayParams> = None; // struct
    let _: Option<rusteron_archive::AeronArchiveReplicationParams> = None; // struct
    let _: Option<rusteron_archive::AeronAsyncAddCounter> = None; // struct
    let _: Option<rusteron_archive::AeronAsyncAddExclusivePublication> = None; // struct
    let _: Option<rusteron_archive::AeronAsyncAddPublication> = None; // struct
    let _: Option<rusteron_archive::AeronAsyncAddSubscription> = None; // struct
    let _: Option<rusteron_archive::AeronAsyncDestination> = None; // struct
    let _: Option<rusteron_archive::AeronAsyncDestinationById> = None; // struct
    let _: Option<rusteron_archive::AeronAvailableCounterLogger> = None; // struct
    let _: Option<rusteron_archive::AeronAvailableCounterPair> = None; // struct
    let _: Option<rusteron_archive::AeronAvailableImageLogger> = None; // struct
    let _: Option<rusteron_archive::AeronBlockHandlerLogger> = None; // struct
    let _: Option<rusteron_archive::AeronBufferClaim> = None; // struct
    let _: Option<rusteron_archive::AeronCError> = None; // struct
    let _: Option<rusteron_archive::AeronClientRegisteringResource> = None; // struct
    let _: Option<rusteron_archive::AeronCloseClientLogger> = None; // struct
    let _: Option<rusteron_archive::AeronCloseClientPair> = None; // struct
    let _: Option<rusteron_archive::AeronCnc> = None; // struct
    let _: Option<rusteron_archive::AeronCncConstants> = None; // struct
    let _: Option<rusteron_archive::AeronCncMetadata> = None; // struct
    let _: Option<rusteron_archive::AeronContext> = None; // struct
    let _: Option<rusteron_archive::AeronControlledFragmentAssembler> = None; // struct
    let _: Option<rusteron_archive::AeronControlledFragmentHandlerLogger> = None; // struct
    let _: Option<rusteron_archive::AeronCounter> = None; // struct
    let _: Option<rusteron_archive::AeronCounterConstants> = None; // struct
    let _: Option<rusteron_archive::AeronCounterMetadataDescriptor> = None; // struct
    let _: Option<rusteron_archive::AeronCounterValueDescriptor> = None; // struct
    let _: Option<rusteron_archive::AeronCountersReader> = None; // struct
    let _: Option<rusteron_archive::AeronCountersReaderBuffers> = None; // struct
    let _: Option<rusteron_archive::AeronCountersReaderForeachCounterFuncLogger> = None; // struct
    let _: Option<rusteron_archive::AeronDataHeader> = None; // struct
    let _: Option<rusteron_archive::AeronDataHeaderAsLongs> = None; // struct
    let _: Option<rusteron_archive::AeronError> = None; // struct
    let _: Option<rusteron_archive::AeronErrorHandlerLogger> = None; // struct
    let _: Option<rusteron_archive::AeronErrorLogReaderFuncLogger> = None; // struct
    let _: Option<rusteron_archive::AeronErrorLogger> = None; // struct
    let _: Option<rusteron_archive::AeronExclusivePublication> = None; // struct
    let _: Option<rusteron_archive::AeronFragmentAssembler> = None; // struct
    let _: Option<rusteron_archive::AeronFragmentClosureAssembler<fn(&[u8])>> = None; // struct
    let _: Option<rusteron_archive::AeronFragmentHandlerLogger> = None; // struct
    let _: Option<rusteron_archive::AeronFrameHeader> = None; // struct
    let _: Option<rusteron_archive::AeronHeader> = None; // struct
    let _: Option<rusteron_archive::AeronHeaderValues> = None; // struct
    let _: Option<rusteron_archive::AeronHeaderValuesFrame> = None; // struct
    let _: Option<rusteron_archive::AeronIdleStrategyFuncLogger> = None; // struct
    let _: Option<rusteron_archive::AeronImage> = None; // struct
    let _: Option<rusteron_archive::AeronImageConstants> = None; // struct
    let _: Option<rusteron_archive::AeronImageControlledFragmentAssembler> = None; // struct
    let _: Option<rusteron_archive::AeronImageFragmentAssembler> = None; // struct
    let _: Option<rusteron_archive::AeronIovec> = None; // struct
    let _: Option<rusteron_archive::AeronIpcChannelParams> = None; // struct
    let _: Option<rusteron_archive::AeronLogBuffer> = None; // struct
    let _: Option<rusteron_archive::AeronLogbufferMetadata> = None; // struct
    let _: Option<rusteron_archive::AeronLossReporter> = None; // struct
    let _: Option<rusteron_archive::AeronLossReporterEntry> = None; // struct
    let _: Option<rusteron_archive::AeronLossReporterReadEntryFuncLogger> = None; // struct
    let _: Option<rusteron_archive::AeronMappedBuffer> = None; // struct
    let _: Option<rusteron_archive::AeronMappedFile> = None; // struct
    let _: Option<rusteron_archive::AeronMappedRawLog> = None; // struct
    let _: Option<rusteron_archive::AeronNakHeader> = None; // struct
    let _: Option<rusteron_archive::AeronNewPublicationLogger> = None; // struct
    let _: Option<rusteron_archive::AeronNewSubscriptionLogger> = None; // struct
    let _: Option<rusteron_archive::AeronNotificationLogger> = None; // struct
    let _: Option<rusteron_archive::AeronOptionHeader> = None; // struct
    let _: Option<rusteron_archive::AeronPerThreadError> = None; // struct
    let _: Option<rusteron_archive::AeronPublication> = None; // struct
    let _: Option<rusteron_archive::AeronPublicationConstants> = None; // struct
    let _: Option<rusteron_archive::AeronPublicationErrorFrameHandlerLogger> = None; // struct
    let _: Option<rusteron_archive::AeronPublicationErrorValues> = None; // struct
    let _: Option<rusteron_archive::AeronReservedValueSupplierLogger> = None; // struct
    let _: Option<rusteron_archive::AeronResolutionHeader> = None; // struct
    let _: Option<rusteron_archive::AeronResolutionHeaderIpv4> = None; // struct
    let _: Option<rusteron_archive::AeronResolutionHeaderIpv6> = None; // struct
    let _: Option<rusteron_archive::AeronResponseSetupHeader> = None; // struct
    let _: Option<rusteron_archive::AeronRttmHeader> = None; // struct
    let _: Option<rusteron_archive::AeronSetupHeader> = None; // struct
    let _: Option<rusteron_archive::AeronStatusMessageHeader> = None; // struct
    let _: Option<rusteron_archive::AeronStatusMessageOptionalHeader> = None; // struct
    let _: Option<rusteron_archive::AeronStrToPtrHashMap> = None; // struct
    let _: Option<rusteron_archive::AeronStrToPtrHashMapKey> = None; // struct
    let _: Option<rusteron_archive::AeronSubscription> = None; // struct
    let _: Option<rusteron_archive::AeronSubscriptionConstants> = None; // struct
    let _: Option<rusteron_archive::AeronUdpChannelParams> = None; // struct
    let _: Option<rusteron_archive::AeronUnavailableCounterLogger> = None; // struct
    let _: Option<rusteron_archive::AeronUnavailableCounterPair> = None; // struct
    let _: Option<rusteron_archive::AeronUnavailableImageLogger> = None; // struct
    let _: Option<rusteron_archive::AeronUri> = None; // struct
    let _: Option<rusteron_archive::AeronUriParam> = None; // struct
    let _: Option<rusteron_archive::AeronUriParams> = None; // struct
    let _: Option<rusteron_archive::AeronUriParseCallbackLogger> = None; // struct
    let _: Option<rusteron_archive::AeronUriStringBuilder> = None; // struct
    #[cfg(all(target_os = "linux", target_env = "gnu"))] // glibc internals: Linux/glibc only
    let _: Option<rusteron_archive::AtomicWideCounterBindgenTy1> = None; // struct
    let _: Option<rusteron_archive::ChannelUri> = None; // struct
    let _: Option<rusteron_archive::FnMutMessageHandler<fn(&[u8], rusteron_archive::AeronHeader<'_>)>> = None; // struct
    let _: Option<rusteron_archive::Handler<()>> = None; // struct
    let _: Option<rusteron_archive::Handlers> = None; // struct
    let _: Option<rusteron_archive::ManagedCResource<()>> = None; // struct
    let _: Option<rusteron_archive::NoOpAeronIdleStrategyFunc> = None; // struct
    #[cfg(all(target_os = "linux", target_env = "gnu"))] // glibc internals: Linux/glibc only
    let _: Option<rusteron_archive::PthreadCondS> = None; // struct
    #[cfg(all(target_os = "linux", target_env = "gnu"))] // glibc internals: Linux/glibc only
    let _: Option<rusteron_archive::PthreadInternalList> = None; // struct
    #[cfg(all(target_os = "linux", target_env = "gnu"))] // glibc internals: Linux/glibc only
    let _: Option<rusteron_archive::PthreadMutexS> = None; // struct
    let _: Option<rusteron_archive::RecordingPos> = None; // struct
    let _: Option<rusteron_archive::SourceLocation> = None; // type
    println!("170 public items checked");
}
