//! `AeronSystemCounterType`: the media driver's system counters (ids 0 to 45 in the counters
//! reader, type id `AERON_COUNTER_SYSTEM_COUNTER_TYPE_ID` = 0), as listed in the driver's
//! `aeron_system_counters.h`.

use std::fmt;

/// One of the media driver's system counters. The discriminant is the counter id (and the
/// system counter's key) in the driver's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(i32)]
pub enum AeronSystemCounterType {
    /// "Bytes sent" (`AERON_SYSTEM_COUNTER_ID_BYTES_SENT` = 0).
    BytesSent = 0,
    /// "Bytes received" (`AERON_SYSTEM_COUNTER_ID_BYTES_RECEIVED` = 1).
    BytesReceived = 1,
    /// "Failed offers to ReceiverProxy" (`AERON_SYSTEM_COUNTER_ID_RECEIVER_PROXY_FAILS` = 2).
    ReceiverProxyFails = 2,
    /// "Failed offers to SenderProxy" (`AERON_SYSTEM_COUNTER_ID_SENDER_PROXY_FAILS` = 3).
    SenderProxyFails = 3,
    /// "Failed offers to DriverConductorProxy" (`AERON_SYSTEM_COUNTER_ID_CONDUCTOR_PROXY_FAILS` = 4).
    ConductorProxyFails = 4,
    /// "NAKs sent" (`AERON_SYSTEM_COUNTER_ID_NAK_MESSAGES_SENT` = 5).
    NakMessagesSent = 5,
    /// "NAKs received" (`AERON_SYSTEM_COUNTER_ID_NAK_MESSAGES_RECEIVED` = 6).
    NakMessagesReceived = 6,
    /// "Status Messages sent" (`AERON_SYSTEM_COUNTER_ID_STATUS_MESSAGES_SENT` = 7).
    StatusMessagesSent = 7,
    /// "Status Messages received" (`AERON_SYSTEM_COUNTER_ID_STATUS_MESSAGES_RECEIVED` = 8).
    StatusMessagesReceived = 8,
    /// "Heartbeats sent" (`AERON_SYSTEM_COUNTER_ID_HEARTBEATS_SENT` = 9).
    HeartbeatsSent = 9,
    /// "Heartbeats received" (`AERON_SYSTEM_COUNTER_ID_HEARTBEATS_RECEIVED` = 10).
    HeartbeatsReceived = 10,
    /// "Retransmits sent" (`AERON_SYSTEM_COUNTER_ID_RETRANSMITS_SENT` = 11).
    RetransmitsSent = 11,
    /// "Flow control under runs" (`AERON_SYSTEM_COUNTER_ID_FLOW_CONTROL_UNDER_RUNS` = 12).
    FlowControlUnderRuns = 12,
    /// "Flow control over runs" (`AERON_SYSTEM_COUNTER_ID_FLOW_CONTROL_OVER_RUNS` = 13).
    FlowControlOverRuns = 13,
    /// "Invalid packets" (`AERON_SYSTEM_COUNTER_ID_INVALID_PACKETS` = 14).
    InvalidPackets = 14,
    /// "Errors" (`AERON_SYSTEM_COUNTER_ID_ERRORS` = 15).
    Errors = 15,
    /// "Short sends" (`AERON_SYSTEM_COUNTER_ID_SHORT_SENDS` = 16).
    ShortSends = 16,
    /// "Failed attempts to free log buffers" (`AERON_SYSTEM_COUNTER_ID_FREE_FAILS` = 17).
    FreeFails = 17,
    /// "Sender flow control limits, i.e. back-pressure events" (`AERON_SYSTEM_COUNTER_ID_SENDER_FLOW_CONTROL_LIMITS` = 18).
    SenderFlowControlLimits = 18,
    /// "Unblocked Publications" (`AERON_SYSTEM_COUNTER_ID_UNBLOCKED_PUBLICATIONS` = 19).
    UnblockedPublications = 19,
    /// "Unblocked Control Commands" (`AERON_SYSTEM_COUNTER_ID_UNBLOCKED_COMMANDS` = 20).
    UnblockedCommands = 20,
    /// "Possible TTL Asymmetry" (`AERON_SYSTEM_COUNTER_ID_POSSIBLE_TTL_ASYMMETRY` = 21).
    PossibleTtlAsymmetry = 21,
    /// "ControllableIdleStrategy status" (`AERON_SYSTEM_COUNTER_ID_CONTROLLABLE_IDLE_STRATEGY` = 22).
    ControllableIdleStrategy = 22,
    /// "Loss gap fills" (`AERON_SYSTEM_COUNTER_ID_LOSS_GAP_FILLS` = 23).
    LossGapFills = 23,
    /// "Client liveness timeouts" (`AERON_SYSTEM_COUNTER_ID_CLIENT_TIMEOUTS` = 24).
    ClientTimeouts = 24,
    /// "Resolution changes" (`AERON_SYSTEM_COUNTER_ID_RESOLUTION_CHANGES` = 25).
    ResolutionChanges = 25,
    /// "Conductor max cycle time doing its work in ns" (`AERON_SYSTEM_COUNTER_ID_CONDUCTOR_MAX_CYCLE_TIME` = 26).
    ConductorMaxCycleTime = 26,
    /// "Conductor work cycle exceeded threshold count" (`AERON_SYSTEM_COUNTER_ID_CONDUCTOR_CYCLE_TIME_THRESHOLD_EXCEEDED` = 27).
    ConductorCycleTimeThresholdExceeded = 27,
    /// "Sender max cycle time doing its work in ns" (`AERON_SYSTEM_COUNTER_ID_SENDER_MAX_CYCLE_TIME` = 28).
    SenderMaxCycleTime = 28,
    /// "Sender work cycle exceeded threshold count" (`AERON_SYSTEM_COUNTER_ID_SENDER_CYCLE_TIME_THRESHOLD_EXCEEDED` = 29).
    SenderCycleTimeThresholdExceeded = 29,
    /// "Receiver max cycle time doing its work in ns" (`AERON_SYSTEM_COUNTER_ID_RECEIVER_MAX_CYCLE_TIME` = 30).
    ReceiverMaxCycleTime = 30,
    /// "Receiver work cycle exceeded threshold count" (`AERON_SYSTEM_COUNTER_ID_RECEIVER_CYCLE_TIME_THRESHOLD_EXCEEDED` = 31).
    ReceiverCycleTimeThresholdExceeded = 31,
    /// "NameResolver max time in ns" (`AERON_SYSTEM_COUNTER_ID_NAME_RESOLVER_MAX_TIME` = 32).
    NameResolverMaxTime = 32,
    /// "NameResolver exceeded threshold count" (`AERON_SYSTEM_COUNTER_ID_NAME_RESOLVER_TIME_THRESHOLD_EXCEEDED` = 33).
    NameResolverTimeThresholdExceeded = 33,
    /// "Aeron software" (`AERON_SYSTEM_COUNTER_ID_AERON_VERSION` = 34).
    AeronVersion = 34,
    /// "Bytes currently mapped" (`AERON_SYSTEM_COUNTER_ID_BYTES_CURRENTLY_MAPPED` = 35).
    BytesCurrentlyMapped = 35,
    /// "Retransmitted bytes" (`AERON_SYSTEM_COUNTER_ID_RETRANSMITTED_BYTES` = 36).
    RetransmittedBytes = 36,
    /// "Retransmit Pool Overflow count" (`AERON_SYSTEM_COUNTER_ID_RETRANSMIT_OVERFLOW` = 37).
    RetransmitOverflow = 37,
    /// "Error Frames received" (`AERON_SYSTEM_COUNTER_ID_ERROR_FRAMES_RECEIVED` = 38).
    ErrorFramesReceived = 38,
    /// "Error Frames sent" (`AERON_SYSTEM_COUNTER_ID_ERROR_FRAMES_SENT` = 39).
    ErrorFramesSent = 39,
    /// "Publications Revoked" (`AERON_SYSTEM_COUNTER_ID_PUBLICATIONS_REVOKED` = 40).
    PublicationsRevoked = 40,
    /// "Publication Images Revoked" (`AERON_SYSTEM_COUNTER_ID_PUBLICATION_IMAGES_REVOKED` = 41).
    PublicationImagesRevoked = 41,
    /// "Images rejected" (`AERON_SYSTEM_COUNTER_ID_IMAGES_REJECTED` = 42).
    ImagesRejected = 42,
    /// "Control protocol version" (`AERON_SYSTEM_COUNTER_ID_CONTROL_PROTOCOL_VERSION` = 43).
    ControlProtocolVersion = 43,
    /// "Status Messages rejected" (`AERON_SYSTEM_COUNTER_ID_STATUS_MESSAGES_REJECTED` = 44).
    StatusMessagesRejected = 44,
    /// "Failed offers to NativeResourceAgentProxy" (`AERON_SYSTEM_COUNTER_ID_NATIVE_RESOURCE_AGENT_PROXY_FAILS` = 45).
    NativeResourceAgentProxyFails = 45,
}

impl AeronSystemCounterType {
    /// Every system counter, in id order.
    pub const ALL: [AeronSystemCounterType; 46] = [
        AeronSystemCounterType::BytesSent,
        AeronSystemCounterType::BytesReceived,
        AeronSystemCounterType::ReceiverProxyFails,
        AeronSystemCounterType::SenderProxyFails,
        AeronSystemCounterType::ConductorProxyFails,
        AeronSystemCounterType::NakMessagesSent,
        AeronSystemCounterType::NakMessagesReceived,
        AeronSystemCounterType::StatusMessagesSent,
        AeronSystemCounterType::StatusMessagesReceived,
        AeronSystemCounterType::HeartbeatsSent,
        AeronSystemCounterType::HeartbeatsReceived,
        AeronSystemCounterType::RetransmitsSent,
        AeronSystemCounterType::FlowControlUnderRuns,
        AeronSystemCounterType::FlowControlOverRuns,
        AeronSystemCounterType::InvalidPackets,
        AeronSystemCounterType::Errors,
        AeronSystemCounterType::ShortSends,
        AeronSystemCounterType::FreeFails,
        AeronSystemCounterType::SenderFlowControlLimits,
        AeronSystemCounterType::UnblockedPublications,
        AeronSystemCounterType::UnblockedCommands,
        AeronSystemCounterType::PossibleTtlAsymmetry,
        AeronSystemCounterType::ControllableIdleStrategy,
        AeronSystemCounterType::LossGapFills,
        AeronSystemCounterType::ClientTimeouts,
        AeronSystemCounterType::ResolutionChanges,
        AeronSystemCounterType::ConductorMaxCycleTime,
        AeronSystemCounterType::ConductorCycleTimeThresholdExceeded,
        AeronSystemCounterType::SenderMaxCycleTime,
        AeronSystemCounterType::SenderCycleTimeThresholdExceeded,
        AeronSystemCounterType::ReceiverMaxCycleTime,
        AeronSystemCounterType::ReceiverCycleTimeThresholdExceeded,
        AeronSystemCounterType::NameResolverMaxTime,
        AeronSystemCounterType::NameResolverTimeThresholdExceeded,
        AeronSystemCounterType::AeronVersion,
        AeronSystemCounterType::BytesCurrentlyMapped,
        AeronSystemCounterType::RetransmittedBytes,
        AeronSystemCounterType::RetransmitOverflow,
        AeronSystemCounterType::ErrorFramesReceived,
        AeronSystemCounterType::ErrorFramesSent,
        AeronSystemCounterType::PublicationsRevoked,
        AeronSystemCounterType::PublicationImagesRevoked,
        AeronSystemCounterType::ImagesRejected,
        AeronSystemCounterType::ControlProtocolVersion,
        AeronSystemCounterType::StatusMessagesRejected,
        AeronSystemCounterType::NativeResourceAgentProxyFails,
    ];

    /// The counter id of this system counter.
    pub const fn id(self) -> i32 {
        self as i32
    }

    /// The system counter with this id, if there is one.
    pub const fn from_id(id: i32) -> Option<Self> {
        if id >= 0 && (id as usize) < Self::ALL.len() {
            Some(Self::ALL[id as usize])
        } else {
            None
        }
    }

    /// The label the driver gives the counter, without the details some labels carry after a
    /// colon (see [`matches_label`](Self::matches_label)).
    pub const fn label(self) -> &'static str {
        match self {
            AeronSystemCounterType::BytesSent => "Bytes sent",
            AeronSystemCounterType::BytesReceived => "Bytes received",
            AeronSystemCounterType::ReceiverProxyFails => "Failed offers to ReceiverProxy",
            AeronSystemCounterType::SenderProxyFails => "Failed offers to SenderProxy",
            AeronSystemCounterType::ConductorProxyFails => "Failed offers to DriverConductorProxy",
            AeronSystemCounterType::NakMessagesSent => "NAKs sent",
            AeronSystemCounterType::NakMessagesReceived => "NAKs received",
            AeronSystemCounterType::StatusMessagesSent => "Status Messages sent",
            AeronSystemCounterType::StatusMessagesReceived => "Status Messages received",
            AeronSystemCounterType::HeartbeatsSent => "Heartbeats sent",
            AeronSystemCounterType::HeartbeatsReceived => "Heartbeats received",
            AeronSystemCounterType::RetransmitsSent => "Retransmits sent",
            AeronSystemCounterType::FlowControlUnderRuns => "Flow control under runs",
            AeronSystemCounterType::FlowControlOverRuns => "Flow control over runs",
            AeronSystemCounterType::InvalidPackets => "Invalid packets",
            AeronSystemCounterType::Errors => "Errors",
            AeronSystemCounterType::ShortSends => "Short sends",
            AeronSystemCounterType::FreeFails => "Failed attempts to free log buffers",
            AeronSystemCounterType::SenderFlowControlLimits => "Sender flow control limits, i.e. back-pressure events",
            AeronSystemCounterType::UnblockedPublications => "Unblocked Publications",
            AeronSystemCounterType::UnblockedCommands => "Unblocked Control Commands",
            AeronSystemCounterType::PossibleTtlAsymmetry => "Possible TTL Asymmetry",
            AeronSystemCounterType::ControllableIdleStrategy => "ControllableIdleStrategy status",
            AeronSystemCounterType::LossGapFills => "Loss gap fills",
            AeronSystemCounterType::ClientTimeouts => "Client liveness timeouts",
            AeronSystemCounterType::ResolutionChanges => "Resolution changes",
            AeronSystemCounterType::ConductorMaxCycleTime => "Conductor max cycle time doing its work in ns",
            AeronSystemCounterType::ConductorCycleTimeThresholdExceeded => {
                "Conductor work cycle exceeded threshold count"
            }
            AeronSystemCounterType::SenderMaxCycleTime => "Sender max cycle time doing its work in ns",
            AeronSystemCounterType::SenderCycleTimeThresholdExceeded => "Sender work cycle exceeded threshold count",
            AeronSystemCounterType::ReceiverMaxCycleTime => "Receiver max cycle time doing its work in ns",
            AeronSystemCounterType::ReceiverCycleTimeThresholdExceeded => {
                "Receiver work cycle exceeded threshold count"
            }
            AeronSystemCounterType::NameResolverMaxTime => "NameResolver max time in ns",
            AeronSystemCounterType::NameResolverTimeThresholdExceeded => "NameResolver exceeded threshold count",
            AeronSystemCounterType::AeronVersion => "Aeron software",
            AeronSystemCounterType::BytesCurrentlyMapped => "Bytes currently mapped",
            AeronSystemCounterType::RetransmittedBytes => "Retransmitted bytes",
            AeronSystemCounterType::RetransmitOverflow => "Retransmit Pool Overflow count",
            AeronSystemCounterType::ErrorFramesReceived => "Error Frames received",
            AeronSystemCounterType::ErrorFramesSent => "Error Frames sent",
            AeronSystemCounterType::PublicationsRevoked => "Publications Revoked",
            AeronSystemCounterType::PublicationImagesRevoked => "Publication Images Revoked",
            AeronSystemCounterType::ImagesRejected => "Images rejected",
            AeronSystemCounterType::ControlProtocolVersion => "Control protocol version",
            AeronSystemCounterType::StatusMessagesRejected => "Status Messages rejected",
            AeronSystemCounterType::NativeResourceAgentProxyFails => "Failed offers to NativeResourceAgentProxy",
        }
    }

    /// True if `label` (as read from the counters reader) is this counter's label. The driver
    /// may append details after a colon (`"Errors: version=..."`,
    /// `"Resolution changes: driverName=..."`); those still match.
    pub fn matches_label(self, label: &str) -> bool {
        label.strip_prefix(self.label()).is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
    }
}

impl From<AeronSystemCounterType> for i32 {
    fn from(t: AeronSystemCounterType) -> i32 {
        t.id()
    }
}

impl TryFrom<i32> for AeronSystemCounterType {
    type Error = crate::AeronCError;

    /// The system counter with this id, or an error naming the id.
    fn try_from(id: i32) -> Result<Self, Self::Error> {
        Self::from_id(id)
            .ok_or_else(|| crate::AeronCError::with_message(libc::EINVAL, format!("{id} is not a system counter id")))
    }
}

impl fmt::Display for AeronSystemCounterType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
