//! The public names this crate owes (from the project's public API list) exist with the
//! expected kinds and values: counters, CnC, URIs, protocol frames, log buffers, collections,
//! system counters and constants. A missing or renamed item fails to compile here.

#![allow(unused_imports, dead_code)]

use rusteron_client::{
    AeronCnc, AeronCncConstants, AeronCncMetadata, AeronCounter, AeronCounterConstants, AeronCounterMetadataDescriptor,
    AeronCounterValueDescriptor, AeronCountersReader, AeronCountersReaderBuffers,
    AeronCountersReaderForeachCounterFuncCallback, AeronCountersReaderForeachCounterFuncLogger, AeronDataHeader,
    AeronDataHeaderAsLongs, AeronError, AeronErrorLogReaderFuncCallback, AeronErrorLogReaderFuncLogger,
    AeronErrorLogger, AeronFrameHeader, AeronIpcChannelParams, AeronLogBuffer, AeronLogbufferMetadata,
    AeronLossReporter, AeronLossReporterEntry, AeronLossReporterReadEntryFuncCallback,
    AeronLossReporterReadEntryFuncLogger, AeronMappedBuffer, AeronMappedFile, AeronMappedRawLog, AeronNakHeader,
    AeronOptionHeader, AeronPerThreadError, AeronResolutionHeader, AeronResolutionHeaderIpv4,
    AeronResolutionHeaderIpv6, AeronResponseSetupHeader, AeronRttmHeader, AeronSetupHeader, AeronStatusMessageHeader,
    AeronStatusMessageOptionalHeader, AeronStrToPtrHashMap, AeronStrToPtrHashMapKey, AeronSystemCounterType,
    AeronUdpChannelParams, AeronUri, AeronUriParam, AeronUriParams, AeronUriParseCallbackCallback,
    AeronUriParseCallbackLogger, AeronUriStringBuilder, ChannelUri, ControlMode, Media, AERON_DIR_PROP_NAME,
    AERON_IPC_MEDIA, AERON_IPC_STREAM, AERON_UDP_MEDIA, DRIVER_TIMEOUT_MS_DEFAULT, SPY_PREFIX, TAG_PREFIX,
};

fn is_logger_of<T: AeronCountersReaderForeachCounterFuncCallback>(_: T) {}
fn is_error_log_logger<T: AeronErrorLogReaderFuncCallback>(_: T) {}
fn is_loss_logger<T: AeronLossReporterReadEntryFuncCallback>(_: T) {}
fn is_uri_logger<T: AeronUriParseCallbackCallback>(_: T) {}

#[test]
fn constants_have_their_documented_values() {
    assert_eq!(AERON_DIR_PROP_NAME, "aeron.dir");
    assert_eq!(DRIVER_TIMEOUT_MS_DEFAULT, 10_000);
    assert_eq!(AERON_IPC_MEDIA, "aeron:ipc");
    assert_eq!(AERON_UDP_MEDIA, "aeron:udp");
    assert_eq!(SPY_PREFIX, "aeron-spy:");
    assert_eq!(TAG_PREFIX, "tag:");
    let s: &'static str = AERON_IPC_STREAM;
    assert_eq!(s, "aeron:ipc");
}

#[test]
fn loggers_implement_their_callback_traits() {
    is_logger_of(AeronCountersReaderForeachCounterFuncLogger);
    is_error_log_logger(AeronErrorLogReaderFuncLogger);
    is_loss_logger(AeronLossReporterReadEntryFuncLogger);
    is_uri_logger(AeronUriParseCallbackLogger);
}

#[test]
fn struct_wrappers_can_be_made_zeroed() {
    let _ = (
        AeronCncConstants::new_zeroed(),
        AeronCncMetadata::new_zeroed(),
        AeronCounterConstants::new_zeroed(),
        AeronCounterMetadataDescriptor::new_zeroed(),
        AeronCounterValueDescriptor::new_zeroed(),
        AeronCountersReaderBuffers::new_zeroed(),
        AeronLossReporter::new_zeroed(),
        AeronLossReporterEntry::new_zeroed(),
        AeronPerThreadError::new_zeroed(),
    );
    let _ = (
        AeronFrameHeader::new_zeroed(),
        AeronDataHeader::new_zeroed(),
        AeronDataHeaderAsLongs::new_zeroed(),
        AeronNakHeader::new_zeroed(),
        AeronSetupHeader::new_zeroed(),
        AeronStatusMessageHeader::new_zeroed(),
        AeronStatusMessageOptionalHeader::new_zeroed(),
        AeronRttmHeader::new_zeroed(),
        AeronResolutionHeader::new_zeroed(),
        AeronResolutionHeaderIpv4::new_zeroed(),
        AeronResolutionHeaderIpv6::new_zeroed(),
        AeronResponseSetupHeader::new_zeroed(),
        AeronOptionHeader::new_zeroed(),
    );
    let _ = (
        AeronMappedFile::new_zeroed(),
        AeronMappedBuffer::new_zeroed(),
        AeronMappedRawLog::new_zeroed(),
        AeronLogBuffer::new_zeroed(),
        AeronLogbufferMetadata::new_zeroed(),
        AeronStrToPtrHashMap::new_zeroed(),
        AeronStrToPtrHashMapKey::new_zeroed(),
        AeronUriParam::new_zeroed(),
        AeronUriParams::new_zeroed(),
        AeronUdpChannelParams::new_zeroed(),
        AeronIpcChannelParams::new_zeroed(),
    );
    let p = AeronPerThreadError::new_zeroed();
    assert_eq!((p.errcode(), p.errmsg()), (0, ""));
    assert!(AeronUriParams::new_zeroed().is_empty());
    assert_eq!(AeronUdpChannelParams::new_zeroed().endpoint(), None);
}

/// glibc internals Aeron's headers pull in: public on Linux with glibc only.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn glibc_internal_structs() {
    use rusteron_client::{AtomicWideCounterBindgenTy1, PthreadCondS, PthreadInternalList, PthreadMutexS};
    let _ = (PthreadCondS::new_zeroed(), PthreadMutexS::new_zeroed(), PthreadInternalList::new_zeroed());
    let counter = AtomicWideCounterBindgenTy1::new_zeroed();
    assert_eq!((counter.low(), counter.high()), (0, 0));
}

#[test]
fn enums_and_values() {
    assert_eq!(AeronSystemCounterType::BytesSent as i32, 0);
    assert_eq!(AeronSystemCounterType::BytesSent.label(), "Bytes sent");
    assert_eq!(Media::Udp.as_str(), "udp");
    assert_eq!(ControlMode::Dynamic.as_str(), "dynamic");
    let e = AeronError {
        observation_count: 1,
        first_observation_timestamp: 0,
        last_observation_timestamp: 0,
        message: "x".into(),
    };
    assert_eq!(e.clone(), e);
    let _ = ChannelUri::ipc();
    let _: Option<(AeronCnc, AeronCounter, AeronCountersReader, AeronUri, AeronUriStringBuilder, AeronErrorLogger)> =
        None;
}
