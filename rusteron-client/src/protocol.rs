//! Aeron's UDP wire protocol frames (`protocol/aeron_udp_protocol.h`) as struct wrappers:
//! read them from a received buffer with `from_value(std::ptr::read_unaligned(..))`, or build
//! one with `new_zeroed()` and set its fields through `DerefMut`. Most applications never see
//! these; they are for tools that inspect or craft frames.
//!
//! Threads: each is `Send + Sync`: a plain value owned by its wrapper (share a clone only
//! between threads that do not write it).

use crate::bindings;

crate::c_struct_wrapper!(@mut
/// The header every Aeron frame starts with (`aeron_frame_header_t`): frame length, version, flags, type.
    AeronFrameHeader => bindings::aeron_frame_header_t
);
unsafe impl Send for AeronFrameHeader {}
unsafe impl Sync for AeronFrameHeader {}

crate::c_struct_wrapper!(@mut
/// The header of a data frame (`aeron_data_header_t`): frame header, term offset, session, stream, term id, reserved value.
    AeronDataHeader => bindings::aeron_data_header_t
);
unsafe impl Send for AeronDataHeader {}
unsafe impl Sync for AeronDataHeader {}

crate::c_struct_wrapper!(@mut
/// A data header seen as four 64-bit words (`aeron_data_header_as_longs_t`), for fast copies.
    AeronDataHeaderAsLongs => bindings::aeron_data_header_as_longs_t
);
unsafe impl Send for AeronDataHeaderAsLongs {}
unsafe impl Sync for AeronDataHeaderAsLongs {}

crate::c_struct_wrapper!(@mut
/// A NAK frame (`aeron_nak_header_t`): a receiver asking for a retransmit of a term range.
    AeronNakHeader => bindings::aeron_nak_header_t
);
unsafe impl Send for AeronNakHeader {}
unsafe impl Sync for AeronNakHeader {}

crate::c_struct_wrapper!(@mut
/// A setup frame (`aeron_setup_header_t`): a sender announcing a stream's term parameters.
    AeronSetupHeader => bindings::aeron_setup_header_t
);
unsafe impl Send for AeronSetupHeader {}
unsafe impl Sync for AeronSetupHeader {}

crate::c_struct_wrapper!(@mut
/// A status message frame (`aeron_status_message_header_t`): a receiver's consumption position and window.
    AeronStatusMessageHeader => bindings::aeron_status_message_header_t
);
unsafe impl Send for AeronStatusMessageHeader {}
unsafe impl Sync for AeronStatusMessageHeader {}

crate::c_struct_wrapper!(@mut
/// The optional tail of a status message (`aeron_status_message_optional_header_t`): the group tag.
    AeronStatusMessageOptionalHeader => bindings::aeron_status_message_optional_header_t
);
unsafe impl Send for AeronStatusMessageOptionalHeader {}
unsafe impl Sync for AeronStatusMessageOptionalHeader {}

crate::c_struct_wrapper!(@mut
/// An error frame (`aeron_error_header_t`): a receiver telling a sender why it rejected a stream.
    AeronErrorHeader => bindings::aeron_error_header_t
);
unsafe impl Send for AeronErrorHeader {}
unsafe impl Sync for AeronErrorHeader {}

crate::c_struct_wrapper!(@mut
/// A round-trip-time measurement frame (`aeron_rttm_header_t`).
    AeronRttmHeader => bindings::aeron_rttm_header_t
);
unsafe impl Send for AeronRttmHeader {}
unsafe impl Sync for AeronRttmHeader {}

crate::c_struct_wrapper!(@mut
/// The common part of a name resolution entry (`aeron_resolution_header_t`).
    AeronResolutionHeader => bindings::aeron_resolution_header_t
);
unsafe impl Send for AeronResolutionHeader {}
unsafe impl Sync for AeronResolutionHeader {}

crate::c_struct_wrapper!(@mut
/// A name resolution entry with an IPv4 address (`aeron_resolution_header_ipv4_t`).
    AeronResolutionHeaderIpv4 => bindings::aeron_resolution_header_ipv4_t
);
unsafe impl Send for AeronResolutionHeaderIpv4 {}
unsafe impl Sync for AeronResolutionHeaderIpv4 {}

crate::c_struct_wrapper!(@mut
/// A name resolution entry with an IPv6 address (`aeron_resolution_header_ipv6_t`).
    AeronResolutionHeaderIpv6 => bindings::aeron_resolution_header_ipv6_t
);
unsafe impl Send for AeronResolutionHeaderIpv6 {}
unsafe impl Sync for AeronResolutionHeaderIpv6 {}

crate::c_struct_wrapper!(@mut
/// A frame option (`aeron_option_header_t`): type and length of an optional field.
    AeronOptionHeader => bindings::aeron_option_header_t
);
unsafe impl Send for AeronOptionHeader {}
unsafe impl Sync for AeronOptionHeader {}

crate::c_struct_wrapper!(@mut
/// A response setup frame (`aeron_response_setup_header_t`): asks a response publication's sender to set up.
    AeronResponseSetupHeader => bindings::aeron_response_setup_header_t
);
unsafe impl Send for AeronResponseSetupHeader {}
unsafe impl Sync for AeronResponseSetupHeader {}

/// Frame type of padding (`AERON_HDR_TYPE_PAD`).
pub const AERON_HDR_TYPE_PAD: i16 = 0;
/// Frame type of data (`AERON_HDR_TYPE_DATA`).
pub const AERON_HDR_TYPE_DATA: i16 = 1;
/// Frame type of a NAK (`AERON_HDR_TYPE_NAK`).
pub const AERON_HDR_TYPE_NAK: i16 = 2;
/// Frame type of a status message (`AERON_HDR_TYPE_SM`).
pub const AERON_HDR_TYPE_SM: i16 = 3;
/// Frame type of an error (`AERON_HDR_TYPE_ERR`).
pub const AERON_HDR_TYPE_ERR: i16 = 4;
/// Frame type of a setup (`AERON_HDR_TYPE_SETUP`).
pub const AERON_HDR_TYPE_SETUP: i16 = 5;
/// Frame type of a round-trip-time measurement (`AERON_HDR_TYPE_RTTM`).
pub const AERON_HDR_TYPE_RTTM: i16 = 6;
/// Frame type of a name resolution (`AERON_HDR_TYPE_RES`).
pub const AERON_HDR_TYPE_RES: i16 = 7;
/// Frame type of a response setup (`AERON_HDR_TYPE_RSP_SETUP`).
pub const AERON_HDR_TYPE_RSP_SETUP: i16 = 11;

impl AeronDataHeader {
    /// Reads a data header from the start of `frame`; `None` if `frame` is too short.
    pub fn read_from(frame: &[u8]) -> Option<Self> {
        if frame.len() < std::mem::size_of::<bindings::aeron_data_header_t>() {
            return None;
        }
        // SAFETY: length checked; the C struct is plain data, read unaligned.
        Some(Self::from_value(unsafe {
            std::ptr::read_unaligned(frame.as_ptr() as *const bindings::aeron_data_header_t)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_sizes_match_the_protocol() {
        assert_eq!(std::mem::size_of::<bindings::aeron_frame_header_t>(), 8);
        assert_eq!(std::mem::size_of::<bindings::aeron_data_header_t>(), 32);
        assert_eq!(std::mem::size_of::<bindings::aeron_data_header_as_longs_t>(), 32);
        let mut value = AeronDataHeader::new_zeroed().clone_struct();
        value.stream_id = 1001;
        value.frame_header.type_ = AERON_HDR_TYPE_DATA;
        let h = AeronDataHeader::from_value(value);
        let copy = h.clone_struct();
        let bytes: [u8; 32] = unsafe { std::mem::transmute(copy) };
        let back = AeronDataHeader::read_from(&bytes).unwrap();
        assert_eq!({ back.stream_id }, 1001);
        assert_eq!({ back.frame_header.type_ }, AERON_HDR_TYPE_DATA);
        assert!(AeronDataHeader::read_from(&bytes[..10]).is_none());
    }
}
