//! The session protocol on the wire: encoding what the client sends and decoding what the egress
//! delivers, over the generated codecs ([`crate::codecs`]).
//!
//! The generated decoders index slices and panic on a short buffer, so every message is checked
//! here first: its SBE header, its block length against the fields read, and each variable-length
//! field against the end of the fragment. A malformed egress message is skipped (and logged), it
//! never panics.

use crate::codecs::admin_request_codec::encoder::AdminRequestEncoder;
use crate::codecs::admin_request_type::AdminRequestType;
use crate::codecs::admin_response_codec::decoder::AdminResponseDecoder;
use crate::codecs::challenge_codec::decoder::ChallengeDecoder;
use crate::codecs::challenge_response_codec::encoder::ChallengeResponseEncoder;
use crate::codecs::event_code::EventCode;
use crate::codecs::message_header_codec::decoder::MessageHeaderDecoder;
use crate::codecs::new_leader_event_codec::decoder::NewLeaderEventDecoder;
use crate::codecs::session_close_request_codec::encoder::SessionCloseRequestEncoder;
use crate::codecs::session_connect_request_codec::encoder::SessionConnectRequestEncoder;
use crate::codecs::session_event_codec::decoder::SessionEventDecoder;
use crate::codecs::session_keep_alive_codec::encoder::SessionKeepAliveEncoder;
use crate::codecs::session_message_header_codec::decoder::SessionMessageHeaderDecoder;
use crate::codecs::session_message_header_codec::encoder::SessionMessageHeaderEncoder;
use crate::codecs::{self, ReadBuf, WriteBuf};
use crate::listener::{AdminResponse, NewLeaderEvent, SessionEvent};

/// The SBE message header: block length, template id, schema id, version (8 bytes).
pub const MESSAGE_HEADER_LENGTH: usize = codecs::message_header_codec::ENCODED_LENGTH;
/// The session header in front of every ingress and egress session message (32 bytes).
pub const SESSION_HEADER_LENGTH: usize =
    MESSAGE_HEADER_LENGTH + codecs::session_message_header_codec::SBE_BLOCK_LENGTH as usize;
/// The schema id of the cluster codecs.
pub const SCHEMA_ID: u16 = codecs::SBE_SCHEMA_ID;
/// The schema version the codecs were generated from (Aeron 1.54.0: 17).
pub const SCHEMA_VERSION: u16 = codecs::SBE_SCHEMA_VERSION;
/// The client protocol version sent in the connect request: 0.3.0, the same as Java's
/// `AeronCluster.Configuration.PROTOCOL_SEMANTIC_VERSION` in Aeron 1.51 and 1.54. The consensus
/// module rejects a connect whose major version differs from its own client major (0).
pub const PROTOCOL_SEMANTIC_VERSION: i32 = semantic_version(0, 3, 0);

/// Aeron's `SemanticVersion.compose`.
pub const fn semantic_version(major: u8, minor: u8, patch: u8) -> i32 {
    ((major as i32) << 16) | ((minor as i32) << 8) | patch as i32
}

/// The session header for a session in a leadership term (timestamp 0, as Java's client sends).
pub(crate) fn session_header(leadership_term_id: i64, cluster_session_id: i64) -> [u8; SESSION_HEADER_LENGTH] {
    let mut buf = [0u8; SESSION_HEADER_LENGTH];
    let mut enc = SessionMessageHeaderEncoder::default().wrap(WriteBuf::new(&mut buf), MESSAGE_HEADER_LENGTH);
    enc = enc.header(0).parent().expect("header has its parent");
    enc.leadership_term_id(leadership_term_id).cluster_session_id(cluster_session_id).timestamp(0);
    buf
}

/// Length of a keep-alive or close request.
pub(crate) const KEEP_ALIVE_LENGTH: usize =
    MESSAGE_HEADER_LENGTH + codecs::session_keep_alive_codec::SBE_BLOCK_LENGTH as usize;
/// Length of a close request.
pub(crate) const CLOSE_REQUEST_LENGTH: usize =
    MESSAGE_HEADER_LENGTH + codecs::session_close_request_codec::SBE_BLOCK_LENGTH as usize;
/// Length of a snapshot admin request (empty payload).
pub(crate) const ADMIN_REQUEST_LENGTH: usize =
    MESSAGE_HEADER_LENGTH + codecs::admin_request_codec::SBE_BLOCK_LENGTH as usize + 4;

pub(crate) fn encode_keep_alive(buf: &mut [u8], leadership_term_id: i64, cluster_session_id: i64) {
    let mut enc = SessionKeepAliveEncoder::default().wrap(WriteBuf::new(buf), MESSAGE_HEADER_LENGTH);
    enc = enc.header(0).parent().expect("header has its parent");
    enc.leadership_term_id(leadership_term_id).cluster_session_id(cluster_session_id);
}

pub(crate) fn encode_close_request(buf: &mut [u8], leadership_term_id: i64, cluster_session_id: i64) {
    let mut enc = SessionCloseRequestEncoder::default().wrap(WriteBuf::new(buf), MESSAGE_HEADER_LENGTH);
    enc = enc.header(0).parent().expect("header has its parent");
    enc.leadership_term_id(leadership_term_id).cluster_session_id(cluster_session_id);
}

pub(crate) fn encode_snapshot_request(
    buf: &mut [u8],
    leadership_term_id: i64,
    cluster_session_id: i64,
    correlation_id: i64,
) {
    let mut enc = AdminRequestEncoder::default().wrap(WriteBuf::new(buf), MESSAGE_HEADER_LENGTH);
    enc = enc.header(0).parent().expect("header has its parent");
    enc.leadership_term_id(leadership_term_id)
        .cluster_session_id(cluster_session_id)
        .correlation_id(correlation_id)
        .request_type(AdminRequestType::SNAPSHOT)
        .payload(&[]);
}

/// A connect request; `buf` is resized to fit.
pub(crate) fn encode_connect_request(
    buf: &mut Vec<u8>,
    correlation_id: i64,
    response_stream_id: i32,
    response_channel: &str,
    credentials: &[u8],
    client_info: &str,
) -> usize {
    let len = MESSAGE_HEADER_LENGTH
        + codecs::session_connect_request_codec::SBE_BLOCK_LENGTH as usize
        + 4
        + response_channel.len()
        + 4
        + credentials.len()
        + 4
        + client_info.len();
    buf.clear();
    buf.resize(len, 0);
    let mut enc = SessionConnectRequestEncoder::default().wrap(WriteBuf::new(buf), MESSAGE_HEADER_LENGTH);
    enc = enc.header(0).parent().expect("header has its parent");
    enc.correlation_id(correlation_id)
        .response_stream_id(response_stream_id)
        .version(PROTOCOL_SEMANTIC_VERSION)
        .response_channel(response_channel.as_bytes())
        .encoded_credentials(credentials)
        .client_info(client_info.as_bytes());
    len
}

/// A challenge response; `buf` is resized to fit.
pub(crate) fn encode_challenge_response(
    buf: &mut Vec<u8>,
    correlation_id: i64,
    cluster_session_id: i64,
    credentials: &[u8],
) -> usize {
    let len =
        MESSAGE_HEADER_LENGTH + codecs::challenge_response_codec::SBE_BLOCK_LENGTH as usize + 4 + credentials.len();
    buf.clear();
    buf.resize(len, 0);
    let mut enc = ChallengeResponseEncoder::default().wrap(WriteBuf::new(buf), MESSAGE_HEADER_LENGTH);
    enc = enc.header(0).parent().expect("header has its parent");
    enc.correlation_id(correlation_id).cluster_session_id(cluster_session_id).encoded_credentials(credentials);
    len
}

/// A decoded egress message.
#[derive(Debug)]
pub(crate) enum Egress<'a> {
    /// A session message: its header fields and the payload after the session header.
    Message { cluster_session_id: i64, timestamp: i64, payload: &'a [u8] },
    /// A session event, with the leader's heartbeat timeout when the cluster sent it.
    Event { event: SessionEvent<'a>, leader_heartbeat_timeout_ns: Option<i64> },
    /// A new leader.
    NewLeader(NewLeaderEvent<'a>),
    /// A challenge from the authenticator.
    Challenge { correlation_id: i64, cluster_session_id: i64, challenge: &'a [u8] },
    /// An admin response.
    Admin(AdminResponse<'a>),
    /// Another message of the cluster schema (ignored by clients).
    Other,
}

/// Why an egress message could not be decoded.
pub(crate) type DecodeError = &'static str;

/// A variable-length field at `pos`: `(data, next position)`.
fn var_data(buf: &[u8], pos: usize) -> Result<(&[u8], usize), DecodeError> {
    let len_bytes = buf.get(pos..pos + 4).ok_or("truncated variable-length field header")?;
    let len = u32::from_le_bytes(len_bytes.try_into().map_err(|_| "truncated")?) as usize;
    let start = pos + 4;
    let data = buf.get(start..start.checked_add(len).ok_or("field length overflows")?).ok_or("truncated field")?;
    Ok((data, start + len))
}

fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or("<not ASCII>")
}

/// Decodes one (reassembled) egress message, checking every length first.
pub(crate) fn decode_egress(buf: &[u8]) -> Result<Egress<'_>, DecodeError> {
    if buf.len() < MESSAGE_HEADER_LENGTH {
        return Err("shorter than the SBE message header");
    }
    let header = MessageHeaderDecoder::default().wrap(ReadBuf::new(buf), 0);
    if header.schema_id() != SCHEMA_ID {
        return Err("not of the cluster schema (schema id is not 111)");
    }
    let block_length = header.block_length() as usize;
    let version = header.version();
    let template_id = header.template_id();
    let body = MESSAGE_HEADER_LENGTH;
    let end_of_block = body + block_length;
    if buf.len() < end_of_block {
        return Err("shorter than its block length");
    }
    let need =
        |min: u16| if block_length < min as usize { Err("block length too short for its fields") } else { Ok(()) };
    let rb = ReadBuf::new(buf);
    match template_id {
        codecs::session_message_header_codec::SBE_TEMPLATE_ID => {
            need(24)?;
            let d = SessionMessageHeaderDecoder::default().wrap(rb, body, block_length as u16, version);
            Ok(Egress::Message {
                cluster_session_id: d.cluster_session_id(),
                timestamp: d.timestamp(),
                payload: &buf[end_of_block..],
            })
        }
        codecs::session_event_codec::SBE_TEMPLATE_ID => {
            need(32)?;
            let d = SessionEventDecoder::default().wrap(rb, body, block_length as u16, version);
            // Optional fields past the block the sender wrote are absent.
            let hb = if block_length >= 44 { d.leader_heartbeat_timeout_ns() } else { None };
            let (detail, _) = var_data(buf, end_of_block)?;
            Ok(Egress::Event {
                event: SessionEvent {
                    correlation_id: d.correlation_id(),
                    cluster_session_id: d.cluster_session_id(),
                    leadership_term_id: d.leadership_term_id(),
                    leader_member_id: d.leader_member_id(),
                    code: d.code(),
                    detail: ascii(detail),
                },
                leader_heartbeat_timeout_ns: hb,
            })
        }
        codecs::new_leader_event_codec::SBE_TEMPLATE_ID => {
            need(20)?;
            let d = NewLeaderEventDecoder::default().wrap(rb, body, block_length as u16, version);
            let (endpoints, _) = var_data(buf, end_of_block)?;
            Ok(Egress::NewLeader(NewLeaderEvent {
                cluster_session_id: d.cluster_session_id(),
                leadership_term_id: d.leadership_term_id(),
                leader_member_id: d.leader_member_id(),
                ingress_endpoints: ascii(endpoints),
            }))
        }
        codecs::challenge_codec::SBE_TEMPLATE_ID => {
            need(16)?;
            let d = ChallengeDecoder::default().wrap(rb, body, block_length as u16, version);
            let (challenge, _) = var_data(buf, end_of_block)?;
            Ok(Egress::Challenge {
                correlation_id: d.correlation_id(),
                cluster_session_id: d.cluster_session_id(),
                challenge,
            })
        }
        codecs::admin_response_codec::SBE_TEMPLATE_ID => {
            need(24)?;
            let d = AdminResponseDecoder::default().wrap(rb, body, block_length as u16, version);
            let (message, next) = var_data(buf, end_of_block)?;
            let (payload, _) = var_data(buf, next)?;
            Ok(Egress::Admin(AdminResponse {
                cluster_session_id: d.cluster_session_id(),
                correlation_id: d.correlation_id(),
                request_type: d.request_type(),
                response_code: d.response_code(),
                message: ascii(message),
                payload,
            }))
        }
        _ => Ok(Egress::Other),
    }
}

/// True for the codes that end a connect attempt with an error.
pub(crate) fn is_rejection(code: EventCode) -> bool {
    matches!(code, EventCode::ERROR | EventCode::AUTHENTICATION_REJECTED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_header_layout_matches_the_schema() {
        let h = session_header(7, 42);
        // blockLength 24, templateId 1, schemaId 111, version 17, then the three i64 fields.
        assert_eq!(&h[0..8], &[24, 0, 1, 0, 111, 0, SCHEMA_VERSION as u8, 0]);
        assert_eq!(i64::from_le_bytes(h[8..16].try_into().unwrap()), 7);
        assert_eq!(i64::from_le_bytes(h[16..24].try_into().unwrap()), 42);
        assert_eq!(i64::from_le_bytes(h[24..32].try_into().unwrap()), 0);
        match decode_egress(&h).unwrap() {
            Egress::Message { cluster_session_id, payload, .. } => {
                assert_eq!(cluster_session_id, 42);
                assert!(payload.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn truncated_or_foreign_messages_are_errors_not_panics() {
        let mut buf = Vec::new();
        encode_connect_request(&mut buf, 1, 2, "aeron:udp?endpoint=localhost:1", b"cred", "info");
        for len in 0..buf.len() {
            let _ = decode_egress(&buf[..len]);
        }
        // A session event cut inside its detail.
        let mut ev = vec![0u8; MESSAGE_HEADER_LENGTH + 44 + 4];
        ev[0..8].copy_from_slice(&[44, 0, 2, 0, 111, 0, 17, 0]);
        ev[MESSAGE_HEADER_LENGTH + 44..].copy_from_slice(&100u32.to_le_bytes());
        assert!(decode_egress(&ev).is_err());
        let mut foreign = ev.clone();
        foreign[4] = 1;
        assert!(decode_egress(&foreign).is_err());
        assert_eq!(PROTOCOL_SEMANTIC_VERSION, 0x300);
    }
}
