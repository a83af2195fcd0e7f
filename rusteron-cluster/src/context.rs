//! `AeronClusterContext`: the settings of a cluster client (Java's `AeronCluster.Context`).

use crate::errors::invalid;
use crate::listener::*;
use crate::{Aeron, AeronCError};
use std::time::Duration;

/// The default ingress stream id (Java's `aeron.cluster.ingress.stream.id` default).
pub const INGRESS_STREAM_ID_DEFAULT: i32 = 101;
/// The default egress stream id (Java's `aeron.cluster.egress.stream.id` default).
pub const EGRESS_STREAM_ID_DEFAULT: i32 = 102;
/// The default message timeout: how long a connect, or the switch to a new leader, may take.
pub const MESSAGE_TIMEOUT_DEFAULT: Duration = Duration::from_secs(5);
/// The leader heartbeat timeout assumed when the cluster does not say its own (Java's default);
/// the new-leader timeout defaults to twice the leader's.
pub const LEADER_HEARTBEAT_TIMEOUT_DEFAULT: Duration = Duration::from_secs(10);

/// A state-change callback: `(old, new)`. Called on the thread that polls or sends, right when
/// the state changes; a panic in it resumes in that call.
pub type StateChangeListener = Box<dyn FnMut(ClusterState, ClusterState) + Send>;

/// Settings of a cluster client. Built with chained setters; checked when a connect starts
/// ([`validate`](Self::validate)), with an error naming the setting that is wrong.
///
/// Names, defaults and meaning follow Java's `AeronCluster.Context`: the ingress channel and
/// egress channel must be set; with UDP ingress, `ingress_endpoints` (`0=host:port,1=host:port`)
/// lists the members' ingress endpoints and the client connects to whichever answers first and
/// follows redirects to the leader; without endpoints the ingress channel itself is used (a
/// multicast or an IPC ingress).
///
/// ```
/// use rusteron_cluster::*;
/// # fn f(aeron: &Aeron) -> Result<(), AeronCError> {
/// let context = AeronClusterContext::new(aeron)
///     .ingress_channel("aeron:udp")
///     .ingress_endpoints("0=localhost:20110,1=localhost:20210,2=localhost:20310")
///     .egress_channel("aeron:udp?endpoint=localhost:0")
///     .message_timeout(std::time::Duration::from_secs(5));
/// context.validate()?;
/// # Ok(()) }
/// ```
pub struct AeronClusterContext {
    pub(crate) aeron: Aeron,
    pub(crate) ingress_channel: String,
    pub(crate) ingress_endpoints: Option<String>,
    pub(crate) ingress_stream_id: i32,
    pub(crate) egress_channel: String,
    pub(crate) egress_stream_id: i32,
    pub(crate) message_timeout: Duration,
    pub(crate) new_leader_timeout: Option<Duration>,
    pub(crate) is_ingress_exclusive: bool,
    pub(crate) client_name: String,
    pub(crate) credentials: Box<dyn ClusterCredentialsSupplier + Send>,
    pub(crate) egress_listener: Option<Box<dyn EgressListener + Send>>,
    pub(crate) controlled_egress_listener: Option<Box<dyn ControlledEgressListener + Send>>,
    pub(crate) state_listener: Option<StateChangeListener>,
}

impl std::fmt::Debug for AeronClusterContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronClusterContext")
            .field("ingress_channel", &self.ingress_channel)
            .field("ingress_endpoints", &self.ingress_endpoints)
            .field("ingress_stream_id", &self.ingress_stream_id)
            .field("egress_channel", &self.egress_channel)
            .field("egress_stream_id", &self.egress_stream_id)
            .field("message_timeout", &self.message_timeout)
            .field("new_leader_timeout", &self.new_leader_timeout)
            .field("is_ingress_exclusive", &self.is_ingress_exclusive)
            .finish_non_exhaustive()
    }
}

impl AeronClusterContext {
    /// Settings with Java's defaults, on `aeron` (a started client; the cluster client keeps a
    /// clone of it). The ingress and egress channels are empty and must be set.
    pub fn new(aeron: &Aeron) -> Self {
        AeronClusterContext {
            aeron: aeron.clone(),
            ingress_channel: String::new(),
            ingress_endpoints: None,
            ingress_stream_id: INGRESS_STREAM_ID_DEFAULT,
            egress_channel: String::new(),
            egress_stream_id: EGRESS_STREAM_ID_DEFAULT,
            message_timeout: MESSAGE_TIMEOUT_DEFAULT,
            new_leader_timeout: None,
            is_ingress_exclusive: true,
            client_name: String::new(),
            credentials: Box::new(NoCredentials),
            egress_listener: None,
            controlled_egress_listener: None,
            state_listener: None,
        }
    }

    /// The ingress channel, e.g. `aeron:udp` (with endpoints), a multicast channel, or `aeron:ipc`.
    pub fn ingress_channel(mut self, channel: impl Into<String>) -> Self {
        self.ingress_channel = channel.into();
        self
    }

    /// The members' ingress endpoints, `memberId=host:port,...`; put into the ingress channel's
    /// `endpoint` for each member.
    pub fn ingress_endpoints(mut self, endpoints: impl Into<String>) -> Self {
        self.ingress_endpoints = Some(endpoints.into());
        self
    }

    /// The ingress stream id (default 101).
    pub fn ingress_stream_id(mut self, stream_id: i32) -> Self {
        self.ingress_stream_id = stream_id;
        self
    }

    /// The egress (response) channel, e.g. `aeron:udp?endpoint=localhost:0` (port 0: the driver
    /// picks one, and the connect request names the port it picked).
    pub fn egress_channel(mut self, channel: impl Into<String>) -> Self {
        self.egress_channel = channel.into();
        self
    }

    /// The egress stream id (default 102).
    pub fn egress_stream_id(mut self, stream_id: i32) -> Self {
        self.egress_stream_id = stream_id;
        self
    }

    /// How long a connect may take, and how long the client waits for the ingress to a new
    /// leader to connect (default 5 s).
    pub fn message_timeout(mut self, timeout: Duration) -> Self {
        self.message_timeout = timeout;
        self
    }

    /// How long the client waits for a new leader after losing the old one. Default: twice the
    /// leader heartbeat timeout the cluster reports when the session opens (twice 10 s when it
    /// does not report one).
    pub fn new_leader_timeout(mut self, timeout: Duration) -> Self {
        self.new_leader_timeout = Some(timeout);
        self
    }

    /// An exclusive ingress publication (default, Java's default too) or a concurrent one.
    pub fn ingress_exclusive(mut self, exclusive: bool) -> Self {
        self.is_ingress_exclusive = exclusive;
        self
    }

    /// The name sent in the connect request's client info.
    pub fn client_name(mut self, name: impl Into<String>) -> Self {
        self.client_name = name.into();
        self
    }

    /// The credentials for the cluster's authenticator (default: none).
    pub fn credentials_supplier(mut self, supplier: impl ClusterCredentialsSupplier + Send + 'static) -> Self {
        self.credentials = Box::new(supplier);
        self
    }

    /// The listener [`AeronCluster::poll_egress`](crate::AeronCluster::poll_egress) delivers to.
    pub fn egress_listener(mut self, listener: impl EgressListener + Send + 'static) -> Self {
        self.egress_listener = Some(Box::new(listener));
        self
    }

    /// The listener [`AeronCluster::controlled_poll_egress`](crate::AeronCluster::controlled_poll_egress)
    /// delivers to.
    pub fn controlled_egress_listener(mut self, listener: impl ControlledEgressListener + Send + 'static) -> Self {
        self.controlled_egress_listener = Some(Box::new(listener));
        self
    }

    /// Called with `(old, new)` on every change of [`ClusterState`].
    pub fn state_listener(mut self, listener: impl FnMut(ClusterState, ClusterState) + Send + 'static) -> Self {
        self.state_listener = Some(Box::new(listener));
        self
    }

    /// The Aeron client.
    pub fn aeron(&self) -> &Aeron {
        &self.aeron
    }

    /// The ingress channel.
    pub fn get_ingress_channel(&self) -> &str {
        &self.ingress_channel
    }

    /// The ingress endpoints, if set.
    pub fn get_ingress_endpoints(&self) -> Option<&str> {
        self.ingress_endpoints.as_deref()
    }

    /// The message timeout.
    pub fn get_message_timeout(&self) -> Duration {
        self.message_timeout
    }

    /// Checks every setting; the error names the first one that is wrong and why.
    pub fn validate(&self) -> Result<(), AeronCError> {
        check_channel("ingress channel", &self.ingress_channel)?;
        check_channel("egress channel", &self.egress_channel)?;
        check_stream_id("ingress stream id", self.ingress_stream_id)?;
        check_stream_id("egress stream id", self.egress_stream_id)?;
        if self.ingress_channel.starts_with("aeron:ipc") && self.ingress_endpoints.is_some() {
            return Err(invalid("ingress endpoints must not be set with an IPC ingress channel (aeron:ipc)"));
        }
        if let Some(endpoints) = &self.ingress_endpoints {
            parse_ingress_endpoints(endpoints)?;
        }
        if self.message_timeout.is_zero() {
            return Err(invalid("message timeout must be greater than zero"));
        }
        if self.new_leader_timeout.is_some_and(|t| t.is_zero()) {
            return Err(invalid("new leader timeout must be greater than zero"));
        }
        if self.client_name.len() > 100 || self.client_name.contains('\0') {
            return Err(invalid(format!(
                "client name must be at most 100 bytes without NUL (got {} bytes)",
                self.client_name.len()
            )));
        }
        Ok(())
    }

    /// The egress channel as used: UDP egress gets `rejoin=false` (as Java's client does), so a
    /// lost leader's image is not rejoined.
    pub(crate) fn concluded_egress_channel(&self) -> String {
        let c = &self.egress_channel;
        if c.starts_with("aeron:udp") && !c.contains("rejoin=") {
            if c.contains('?') {
                format!("{c}|rejoin=false")
            } else {
                format!("{c}?rejoin=false")
            }
        } else {
            c.clone()
        }
    }
}

fn check_channel(what: &str, channel: &str) -> Result<(), AeronCError> {
    if channel.is_empty() {
        return Err(invalid(format!("{what} must be set (e.g. aeron:udp)")));
    }
    if !channel.starts_with("aeron:") {
        return Err(invalid(format!("{what} {channel:?} is not an Aeron channel URI (aeron:udp..., aeron:ipc...)")));
    }
    if channel.contains('\0') {
        return Err(invalid(format!("{what} {channel:?} contains a NUL byte")));
    }
    Ok(())
}

fn check_stream_id(what: &str, stream_id: i32) -> Result<(), AeronCError> {
    if stream_id < 0 {
        return Err(invalid(format!("{what} must not be negative (got {stream_id})")));
    }
    Ok(())
}

/// One member's ingress endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberEndpoint {
    /// The member id.
    pub member_id: i32,
    /// `host:port`.
    pub endpoint: String,
}

/// Parses `id=host:port,id=host:port,...`: ids are non-negative integers, each once; each endpoint
/// is `host:port` with a port number. The error names the list and the entry that is wrong.
pub fn parse_ingress_endpoints(endpoints: &str) -> Result<Vec<MemberEndpoint>, AeronCError> {
    if endpoints.trim().is_empty() {
        return Err(invalid("ingress endpoints are empty: expected memberId=host:port,... (e.g. 0=localhost:20110)"));
    }
    let mut members: Vec<MemberEndpoint> = Vec::new();
    for entry in endpoints.split(',') {
        let bad = |why: &str| invalid(format!("ingress endpoints {endpoints:?}: entry {entry:?} {why}"));
        let (id, endpoint) = entry.split_once('=').ok_or_else(|| bad("has no '=' (expected memberId=host:port)"))?;
        let member_id: i32 = id.trim().parse().map_err(|_| bad("has a member id that is not a number"))?;
        if member_id < 0 {
            return Err(bad("has a negative member id"));
        }
        let endpoint = endpoint.trim();
        let (host, port) = endpoint.rsplit_once(':').ok_or_else(|| bad("has no port (expected host:port)"))?;
        if host.is_empty() {
            return Err(bad("has no host"));
        }
        if port.parse::<u16>().is_err() {
            return Err(bad("has a port that is not a number from 0 to 65535"));
        }
        if members.iter().any(|m| m.member_id == member_id) {
            return Err(bad("repeats a member id"));
        }
        members.push(MemberEndpoint { member_id, endpoint: endpoint.to_string() });
    }
    Ok(members)
}

/// `channel` with its `endpoint` parameter set to `endpoint` (for UDP channels; others unchanged).
pub(crate) fn channel_with_endpoint(channel: &str, endpoint: &str) -> String {
    if !channel.starts_with("aeron:udp") {
        return channel.to_string();
    }
    let (media, params) = match channel.split_once('?') {
        Some((m, p)) => (m, p),
        None => (channel, ""),
    };
    let mut parts: Vec<String> =
        params.split('|').filter(|p| !p.is_empty() && !p.starts_with("endpoint=")).map(str::to_string).collect();
    parts.insert(0, format!("endpoint={endpoint}"));
    format!("{media}?{}", parts.join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_and_refuse_bad_lists() {
        let m = parse_ingress_endpoints("0=localhost:20110,1=127.0.0.1:20210").unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[1], MemberEndpoint { member_id: 1, endpoint: "127.0.0.1:20210".into() });
        for (bad, says) in [
            ("", "empty"),
            ("0=localhost:1,0=localhost:2", "repeats a member id"),
            ("0localhost:1", "no '='"),
            ("x=localhost:1", "not a number"),
            ("-1=localhost:1", "negative member id"),
            ("0=localhost", "no port"),
            ("0=:5", "no host"),
            ("0=localhost:99999", "port that is not a number"),
        ] {
            let e = parse_ingress_endpoints(bad).unwrap_err();
            assert!(e.to_string().contains(says), "{bad:?}: {e}");
        }
    }

    #[test]
    fn endpoint_is_put_into_udp_channels_only() {
        assert_eq!(channel_with_endpoint("aeron:udp", "h:1"), "aeron:udp?endpoint=h:1");
        assert_eq!(channel_with_endpoint("aeron:udp?endpoint=x:2|mtu=1408", "h:1"), "aeron:udp?endpoint=h:1|mtu=1408");
        assert_eq!(channel_with_endpoint("aeron:ipc", "h:1"), "aeron:ipc");
    }
}
