//! [`ChannelUriBuilder`]: typed setters over [`ChannelUri`] for the usual channel parameters,
//! checked when the URI is built.

use crate::channel_uri::{ChannelUri, ControlMode, Media};
use crate::error::AeronCError;
use std::ffi::CString;
use std::fmt::Display;
use std::time::Duration;

/// Builds a [`ChannelUri`] with typed setters: `ChannelUriBuilder::udp().endpoint(..)
/// .control_mode(..) ... .build()`.
///
/// Setters take values by type (a [`ControlMode`], a `bool`, a [`Duration`], ...) and check
/// the text ones (an endpoint is `host:port`, no value holds `|`, `=`, `?` or a NUL byte); the
/// first mistake is kept and [`build`](Self::build) returns it, naming the parameter. `build`
/// also checks the whole: `aeron:udp` needs an `endpoint` or a `control` address (or
/// `control-mode=manual`), `aeron:ipc` takes neither, and the result must be accepted by
/// Aeron's own parser and fit [`AERON_URI_MAX_LENGTH`](crate::AERON_URI_MAX_LENGTH).
///
/// ```
/// use rusteron_client::*;
///
/// let channel = ChannelUriBuilder::udp().endpoint("localhost:20121").mtu(8192).reliable(true).build()?;
/// assert_eq!(channel.to_string(), "aeron:udp?endpoint=localhost:20121|mtu=8192|reliable=true");
///
/// let response = ChannelUriBuilder::udp()
///     .control("localhost:9999")
///     .control_mode(ControlMode::Response)
///     .response_correlation_id(42)
///     .build()?;
/// assert_eq!(response.get("response-correlation-id"), Some("42"));
///
/// let error = ChannelUriBuilder::udp().endpoint("localhost").build().unwrap_err();
/// assert!(error.to_string().contains("endpoint"), "{error}");
/// let error = ChannelUriBuilder::udp().build().unwrap_err();
/// assert!(error.to_string().contains("needs an endpoint"), "{error}");
/// # Ok::<(), AeronCError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ChannelUriBuilder {
    uri: ChannelUri,
    error: Option<AeronCError>,
}

fn refuse(message: String) -> AeronCError {
    AeronCError::with_message(libc::EINVAL, message)
}

/// `host:port` (a name, an IPv4 address or a bracketed IPv6 address, and a port 0..=65535).
fn check_host_port(key: &str, value: &str) -> Result<(), AeronCError> {
    let bad = |why: &str| Err(refuse(format!("channel URI: {key} '{value}' {why}; expected host:port")));
    let (host, port) = if let Some(rest) = value.strip_prefix('[') {
        match rest.split_once("]:") {
            Some((h, p)) => (h, p),
            None => return bad("is not [ipv6]:port"),
        }
    } else {
        match value.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => (h, p),
            Some(_) => return bad("has an IPv6 address without brackets"),
            None => return bad("has no port"),
        }
    };
    if host.is_empty() {
        return bad("has no host");
    }
    if !host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'%')) {
        return bad("has a character that is not allowed in a host");
    }
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) || port.parse::<u32>().map_or(true, |p| p > 65535) {
        return bad("has no port number in 0..=65535");
    }
    Ok(())
}

impl ChannelUri {
    /// A [`ChannelUriBuilder`] starting from this URI (its prefix and parameters kept).
    pub fn into_builder(self) -> ChannelUriBuilder {
        ChannelUriBuilder { uri: self, error: None }
    }
}

impl ChannelUriBuilder {
    /// A builder for `aeron:<media>`.
    pub fn new(media: Media) -> Self {
        ChannelUri::new(media).into_builder()
    }

    /// A builder for `aeron:udp` (add an [`endpoint`](Self::endpoint) or a
    /// [`control`](Self::control) address).
    pub fn udp() -> Self {
        Self::new(Media::Udp)
    }

    /// A builder for `aeron:ipc`.
    pub fn ipc() -> Self {
        Self::new(Media::Ipc)
    }

    /// Sets `key=value` unless a setter already failed; `value` must be non-empty and hold no
    /// `|`, `=`, `?` or NUL (they would end or split the parameter).
    pub fn param(mut self, key: &str, value: impl Display) -> Self {
        if self.error.is_some() {
            return self;
        }
        let value = value.to_string();
        let bad_key = key.is_empty() || key.bytes().any(|b| matches!(b, b'|' | b'=' | b'?' | b'\0'));
        if bad_key {
            self.error = Some(refuse(format!("channel URI: parameter name {key:?} is empty or holds | = ? or NUL")));
        } else if value.is_empty() {
            self.error = Some(refuse(format!("channel URI: {key} is empty")));
        } else if let Some(c) = value.chars().find(|c| matches!(c, '|' | '=' | '?' | '\0')) {
            self.error =
                Some(refuse(format!("channel URI: {key} value {value:?} holds {c:?}, which would split the URI")));
        } else {
            self.uri.put(key, &value);
        }
        self
    }

    fn host_port(mut self, key: &str, value: &str) -> Self {
        if self.error.is_none() {
            if let Err(e) = check_host_port(key, value) {
                self.error = Some(e);
                return self;
            }
        }
        self.param(key, value)
    }

    /// `endpoint=host:port`: where a UDP publication sends, or where a UDP subscription
    /// listens (port 0: one the OS picks).
    pub fn endpoint(self, host_port: &str) -> Self {
        self.host_port("endpoint", host_port)
    }

    /// `control=host:port`: the control address of a multi-destination or response channel.
    pub fn control(self, host_port: &str) -> Self {
        self.host_port("control", host_port)
    }

    /// `control-mode`: `manual`, `dynamic` or `response`.
    pub fn control_mode(self, mode: ControlMode) -> Self {
        self.param("control-mode", mode.as_str())
    }

    /// `interface`: the local interface (`address[:port][/prefix]`) of a UDP channel.
    pub fn interface(self, interface: &str) -> Self {
        self.param("interface", interface)
    }

    /// `session-id`: a fixed session id for the publication (or the one to subscribe to).
    pub fn session_id(self, session_id: i32) -> Self {
        self.param("session-id", session_id)
    }

    /// `response-correlation-id`: the correlation id (of the request image) a response
    /// publication answers.
    pub fn response_correlation_id(self, correlation_id: i64) -> Self {
        self.param("response-correlation-id", correlation_id)
    }

    /// `mtu`: the frame length in bytes (a multiple of 32, 32..=65504 for Aeron).
    pub fn mtu(self, bytes: usize) -> Self {
        self.param("mtu", bytes)
    }

    /// `term-length`: the term buffer length in bytes (a power of two, 64 KiB..=1 GiB).
    pub fn term_length(self, bytes: usize) -> Self {
        self.param("term-length", bytes)
    }

    /// `stream-id`: the stream id recorded in the channel (archive and cluster channels).
    pub fn stream_id(self, stream_id: i32) -> Self {
        self.param("stream-id", stream_id)
    }

    /// `reliable`: false lets the receiver skip loss instead of asking for it again.
    pub fn reliable(self, reliable: bool) -> Self {
        self.param("reliable", reliable)
    }

    /// `sparse`: whether the term buffers are sparse files.
    pub fn sparse(self, sparse: bool) -> Self {
        self.param("sparse", sparse)
    }

    /// `tether`: whether a subscription holds back the publication (false: untethered).
    pub fn tether(self, tether: bool) -> Self {
        self.param("tether", tether)
    }

    /// `group`: whether a subscription is part of a receiver group (multicast-like NAKs).
    pub fn group(self, group: bool) -> Self {
        self.param("group", group)
    }

    /// `rejoin`: whether a subscription rejoins a stream after its image went away.
    pub fn rejoin(self, rejoin: bool) -> Self {
        self.param("rejoin", rejoin)
    }

    /// `eos`: whether closing the publication sends end of stream.
    pub fn eos(self, eos: bool) -> Self {
        self.param("eos", eos)
    }

    /// `ssc`: whether spies count as a connection (spies simulate connection).
    pub fn spies_simulate_connection(self, simulate: bool) -> Self {
        self.param("ssc", simulate)
    }

    /// `ttl`: the multicast time to live.
    pub fn ttl(self, ttl: u8) -> Self {
        self.param("ttl", ttl)
    }

    /// `linger`: how long a closed publication lingers (nanoseconds in the URI).
    pub fn linger(self, linger: Duration) -> Self {
        self.param("linger", linger.as_nanos())
    }

    /// `nak-delay`: the delay before a receiver sends a NAK (nanoseconds in the URI).
    pub fn nak_delay(self, delay: Duration) -> Self {
        self.param("nak-delay", delay.as_nanos())
    }

    /// `tags`: the channel tag and optional publication/subscription tag (`"1001"` or
    /// `"1001,1002"`).
    pub fn tags(self, tags: &str) -> Self {
        self.param("tags", tags)
    }

    /// `alias`: a name for the channel, shown in counters.
    pub fn alias(self, alias: &str) -> Self {
        self.param("alias", alias)
    }

    /// `fc`: the flow control strategy (`"min"`, `"max"`, `"tagged,g:100"`, ...).
    pub fn flow_control(self, strategy: &str) -> Self {
        self.param("fc", strategy)
    }

    /// `cc`: the congestion control strategy (`"static"`, `"cubic"`).
    pub fn congestion_control(self, strategy: &str) -> Self {
        self.param("cc", strategy)
    }

    /// `gtag`: the group tag a receiver sends for tagged flow control.
    pub fn group_tag(self, tag: i64) -> Self {
        self.param("gtag", tag)
    }

    /// `so-sndbuf`: the socket send buffer length in bytes.
    pub fn socket_sndbuf(self, bytes: usize) -> Self {
        self.param("so-sndbuf", bytes)
    }

    /// `so-rcvbuf`: the socket receive buffer length in bytes.
    pub fn socket_rcvbuf(self, bytes: usize) -> Self {
        self.param("so-rcvbuf", bytes)
    }

    /// `rcv-wnd`: the receiver window length in bytes.
    pub fn receiver_window(self, bytes: usize) -> Self {
        self.param("rcv-wnd", bytes)
    }

    /// `init-term-id`, `term-id` and `term-offset`: start an exclusive publication at a given
    /// position (all three are needed together).
    pub fn initial_position(self, initial_term_id: i32, term_id: i32, term_offset: i32) -> Self {
        self.param("init-term-id", initial_term_id).param("term-id", term_id).param("term-offset", term_offset)
    }

    /// The URI as a spy subscription (`aeron-spy:` prefix).
    pub fn spy(mut self) -> Self {
        self.uri = self.uri.spy();
        self
    }

    /// The URI, or the first mistake found (see the type's documentation).
    pub fn build(self) -> Result<ChannelUri, AeronCError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let uri = self.uri;
        match uri.media() {
            Media::Udp => {
                let manual = uri.get("control-mode") == Some(ControlMode::Manual.as_str());
                if !uri.contains("endpoint") && !uri.contains("control") && !manual {
                    return Err(refuse(format!(
                        "channel URI {uri}: aeron:udp needs an endpoint or a control address (or control-mode=manual)"
                    )));
                }
            }
            Media::Ipc => {
                for key in ["endpoint", "control", "interface", "ttl"] {
                    if uri.contains(key) {
                        return Err(refuse(format!("channel URI {uri}: {key} is for aeron:udp, not aeron:ipc")));
                    }
                }
            }
        }
        let text = uri.to_string();
        let unprefixed = text.strip_prefix(crate::SPY_PREFIX).unwrap_or(&text);
        crate::AeronUri::parse(unprefixed).map_err(|e| {
            refuse(format!("channel URI {text}: Aeron's parser refuses it: {}", e.message().unwrap_or("").trim_end()))
        })?;
        Ok(uri)
    }

    /// [`build`](Self::build), as the C string the client's calls take.
    pub fn build_c_string(self) -> Result<CString, AeronCError> {
        self.build()?.to_c_string()
    }
}
