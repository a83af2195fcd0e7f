//! `ChannelUri`: a pure-Rust parser and builder for Aeron channel URIs
//! (`[prefix:]aeron:<media>[?key=value|key=value...]`), with the media and control-mode enums
//! and the well-known prefixes. It allocates, so build URIs once, not on a hot path.
//!
//! ```
//! use rusteron_client::{ChannelUri, Media};
//! let uri = ChannelUri::parse("aeron:udp?endpoint=localhost:40123|mtu=1408")?;
//! assert_eq!(uri.media(), Media::Udp);
//! assert_eq!(uri.get("endpoint"), Some("localhost:40123"));
//! let spy = ChannelUri::new(Media::Ipc).with("term-length", "65536").spy();
//! assert_eq!(spy.to_string(), "aeron-spy:aeron:ipc?term-length=65536");
//! # Ok::<(), rusteron_client::AeronCError>(())
//! ```

use crate::bindings;
use crate::error::AeronCError;
use crate::strings::IntoCString;
use std::fmt;
use std::str::FromStr;

/// The IPC media channel: `"aeron:ipc"`.
pub const AERON_IPC_MEDIA: &str = "aeron:ipc";
/// The UDP media channel prefix: `"aeron:udp"`.
pub const AERON_UDP_MEDIA: &str = "aeron:udp";
/// Prefix that turns a subscription channel into a spy on local publications: `"aeron-spy:"`.
pub const SPY_PREFIX: &str = "aeron-spy:";
/// Prefix of a tag reference in a parameter value (`"tag:1001"`).
pub const TAG_PREFIX: &str = "tag:";
/// The plain IPC channel, ready to use as a stream's channel.
pub static AERON_IPC_STREAM: &str = "aeron:ipc";
/// The IPC channel as a C string, for the calls that take `&CStr`: `c"aeron:ipc"`.
pub const AERON_IPC_CHANNEL: &std::ffi::CStr = c"aeron:ipc";
/// A UDP channel on localhost with a port the OS picks (`endpoint=localhost:0`), the usual
/// response or control-response channel of a client on the same machine.
pub const AERON_UDP_LOCALHOST_ANY_PORT: &std::ffi::CStr = c"aeron:udp?endpoint=localhost:0";

const AERON_SCHEME: &str = "aeron";

fn invalid(msg: String) -> AeronCError {
    AeronCError::with_message(-(bindings::AERON_ERROR_CODE_INVALID_CHANNEL as i32), msg)
}

/// The media of a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Media {
    /// Shared memory between processes on one machine (`ipc`).
    Ipc,
    /// UDP unicast or multicast (`udp`).
    Udp,
}

impl Media {
    /// The media name as it appears in a URI (`"ipc"`, `"udp"`).
    pub const fn as_str(&self) -> &'static str {
        match self {
            Media::Ipc => "ipc",
            Media::Udp => "udp",
        }
    }

    /// The media's channel prefix (`"aeron:ipc"`, `"aeron:udp"`).
    pub const fn channel(&self) -> &'static str {
        match self {
            Media::Ipc => AERON_IPC_MEDIA,
            Media::Udp => AERON_UDP_MEDIA,
        }
    }

    /// Parses `"ipc"` or `"udp"`.
    pub fn parse(s: &str) -> Result<Self, AeronCError> {
        match s {
            "ipc" => Ok(Media::Ipc),
            "udp" => Ok(Media::Udp),
            other => Err(invalid(format!("unknown media '{other}': expected 'ipc' or 'udp'"))),
        }
    }
}

impl fmt::Display for Media {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Media {
    type Err = AeronCError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Media::parse(s)
    }
}

/// The `control-mode` of a UDP channel (multi-destination and response channels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ControlMode {
    /// Destinations are added and removed by the application (`manual`).
    Manual,
    /// Receivers join by sending status messages to the control address (`dynamic`).
    Dynamic,
    /// A response channel (`response`).
    Response,
}

impl ControlMode {
    /// The value as it appears in a URI.
    pub const fn as_str(&self) -> &'static str {
        match self {
            ControlMode::Manual => "manual",
            ControlMode::Dynamic => "dynamic",
            ControlMode::Response => "response",
        }
    }

    /// Parses `"manual"`, `"dynamic"` or `"response"`.
    pub fn parse(s: &str) -> Result<Self, AeronCError> {
        match s {
            "manual" => Ok(ControlMode::Manual),
            "dynamic" => Ok(ControlMode::Dynamic),
            "response" => Ok(ControlMode::Response),
            other => Err(invalid(format!("unknown control-mode '{other}': expected manual, dynamic or response"))),
        }
    }
}

impl fmt::Display for ControlMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ControlMode {
    type Err = AeronCError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ControlMode::parse(s)
    }
}

/// A channel URI: optional prefix (such as `aeron-spy`), media, and ordered parameters.
///
/// [`Display`](fmt::Display) prints it back in Aeron's syntax; parsing what it prints gives an
/// equal value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelUri {
    prefix: Option<String>,
    media: Media,
    params: Vec<(String, String)>,
}

impl ChannelUri {
    /// A URI of this media with no parameters.
    pub fn new(media: Media) -> Self {
        ChannelUri { prefix: None, media, params: Vec::new() }
    }

    /// `aeron:ipc`.
    pub fn ipc() -> Self {
        Self::new(Media::Ipc)
    }

    /// `aeron:udp` (add an `endpoint` or `control`).
    pub fn udp() -> Self {
        Self::new(Media::Udp)
    }

    /// Parses `[prefix:]aeron:<media>[?key=value|...]`. Errors name what is wrong: a missing
    /// `aeron:` scheme, an unknown media, a parameter without `=` or with an empty key, a NUL
    /// byte (which C would read as the end of the URI).
    pub fn parse(uri: &str) -> Result<Self, AeronCError> {
        if uri.is_empty() {
            return Err(invalid("channel URI is empty".to_string()));
        }
        if let Some(i) = uri.bytes().position(|b| b == 0) {
            return Err(invalid(format!("channel URI contains a NUL byte at offset {i}: {uri:?}")));
        }
        let (prefix, rest) = if uri.starts_with("aeron:") {
            (None, uri)
        } else {
            match uri.find(':') {
                Some(i) if uri[i + 1..].starts_with("aeron:") => (Some(uri[..i].to_string()), &uri[i + 1..]),
                _ => return Err(invalid(format!("channel URI must start with '[prefix:]aeron:', found: {uri}"))),
            }
        };
        if let Some(p) = &prefix {
            if p.is_empty() || p.contains(['?', '|', '=']) {
                return Err(invalid(format!("invalid prefix '{p}' in channel URI: {uri}")));
            }
        }
        let rest = &rest[AERON_SCHEME.len() + 1..];
        let (media, query) = match rest.find('?') {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let media =
            Media::parse(media).map_err(|e| invalid(format!("{} in channel URI: {uri}", e.message().unwrap_or(""))))?;
        let mut out = ChannelUri { prefix, media, params: Vec::new() };
        if let Some(q) = query {
            if q.is_empty() {
                return Err(invalid(format!("channel URI has '?' but no parameters: {uri}")));
            }
            for pair in q.split('|') {
                let Some((k, v)) = pair.split_once('=') else {
                    return Err(invalid(format!("parameter '{pair}' has no '=' in channel URI: {uri}")));
                };
                if k.is_empty() {
                    return Err(invalid(format!("parameter with an empty key in channel URI: {uri}")));
                }
                out.put(k, v);
            }
        }
        Ok(out)
    }

    /// The media.
    pub fn media(&self) -> Media {
        self.media
    }

    /// The prefix (`"aeron-spy"` for a spy), if any.
    pub fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref()
    }

    /// True for an `aeron-spy:` URI.
    pub fn is_spy(&self) -> bool {
        self.prefix.as_deref() == Some(&SPY_PREFIX[..SPY_PREFIX.len() - 1])
    }

    /// True for `aeron:udp`.
    pub fn is_udp(&self) -> bool {
        self.media == Media::Udp
    }

    /// True for `aeron:ipc`.
    pub fn is_ipc(&self) -> bool {
        self.media == Media::Ipc
    }

    /// Sets or clears the prefix.
    pub fn set_prefix(&mut self, prefix: Option<&str>) -> &mut Self {
        self.prefix = prefix.map(str::to_string);
        self
    }

    /// This URI as a spy subscription channel (`aeron-spy:` prefix).
    pub fn spy(mut self) -> Self {
        self.prefix = Some(SPY_PREFIX[..SPY_PREFIX.len() - 1].to_string());
        self
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// True if `key` is set.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` (keeping its place if it was set).
    pub fn put(&mut self, key: &str, value: &str) -> &mut Self {
        match self.params.iter_mut().find(|(k, _)| k == key) {
            Some(e) => e.1 = value.to_string(),
            None => self.params.push((key.to_string(), value.to_string())),
        }
        self
    }

    /// [`put`](Self::put) by value, for chaining from a constructor.
    pub fn with(mut self, key: &str, value: impl fmt::Display) -> Self {
        self.put(key, &value.to_string());
        self
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let i = self.params.iter().position(|(k, _)| k == key)?;
        Some(self.params.remove(i).1)
    }

    /// The parameters in order.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// `endpoint`, if set.
    pub fn endpoint(&self) -> Option<&str> {
        self.get("endpoint")
    }

    /// `control-mode`, parsed; `Ok(None)` if not set.
    pub fn control_mode(&self) -> Result<Option<ControlMode>, AeronCError> {
        self.get("control-mode").map(ControlMode::parse).transpose()
    }

    /// Sets `control-mode`.
    pub fn set_control_mode(&mut self, mode: ControlMode) -> &mut Self {
        self.put("control-mode", mode.as_str())
    }

    /// True if `value` refers to a tag (`tag:N`).
    pub fn is_tagged(value: &str) -> bool {
        value.starts_with(TAG_PREFIX)
    }

    /// The number of a `tag:N` value.
    pub fn tag_id(value: &str) -> Option<i64> {
        value.strip_prefix(TAG_PREFIX)?.parse().ok()
    }

    /// The URI as a C string for the client calls that take `&CStr`. A prefix, key or value
    /// set with a NUL byte (which C would read as the end of the URI) is an error naming it.
    pub fn to_c_string(&self) -> Result<std::ffi::CString, AeronCError> {
        self.to_string().into_c_string_for("channel URI")
    }
}

impl fmt::Display for ChannelUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.prefix {
            write!(f, "{p}:")?;
        }
        f.write_str(self.media.channel())?;
        for (i, (k, v)) in self.params.iter().enumerate() {
            write!(f, "{}{k}={v}", if i == 0 { '?' } else { '|' })?;
        }
        Ok(())
    }
}

impl FromStr for ChannelUri {
    type Err = AeronCError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ChannelUri::parse(s)
    }
}
