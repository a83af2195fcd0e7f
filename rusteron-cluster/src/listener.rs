//! What the egress delivers: the listener traits and the events they receive.

use crate::codecs::admin_request_type::AdminRequestType;
use crate::codecs::admin_response_code::AdminResponseCode;
use crate::codecs::event_code::EventCode;
use crate::{AeronControlledFragmentHandlerAction, AeronHeader};

/// A session event (`SessionEvent`): the answer to a connect, or an event of the session such as
/// `CLOSED` or `ERROR`.
#[derive(Debug, Clone, Copy)]
pub struct SessionEvent<'a> {
    /// The correlation id of the request it answers (0 or -1 for asynchronous events).
    pub correlation_id: i64,
    /// The cluster session id.
    pub cluster_session_id: i64,
    /// The leadership term it was sent in.
    pub leadership_term_id: i64,
    /// The leader's member id.
    pub leader_member_id: i32,
    /// What happened.
    pub code: EventCode,
    /// The detail: an error message, or the list of ingress endpoints for a redirect.
    pub detail: &'a str,
}

/// A new leader was elected (`NewLeaderEvent`); the client has already switched its ingress.
#[derive(Debug, Clone, Copy)]
pub struct NewLeaderEvent<'a> {
    /// The cluster session id.
    pub cluster_session_id: i64,
    /// The new leadership term.
    pub leadership_term_id: i64,
    /// The new leader.
    pub leader_member_id: i32,
    /// The ingress endpoints of the members, `id=host:port,...`.
    pub ingress_endpoints: &'a str,
}

/// The answer to an admin request (`AdminResponse`), e.g. to
/// [`send_admin_request_to_take_a_snapshot`](crate::AeronCluster::send_admin_request_to_take_a_snapshot).
#[derive(Debug, Clone, Copy)]
pub struct AdminResponse<'a> {
    /// The cluster session id.
    pub cluster_session_id: i64,
    /// The correlation id the request was sent with.
    pub correlation_id: i64,
    /// What was requested.
    pub request_type: AdminRequestType,
    /// The outcome.
    pub response_code: AdminResponseCode,
    /// The cluster's message (empty when `OK`).
    pub message: &'a str,
    /// An optional payload.
    pub payload: &'a [u8],
}

/// Receives what [`AeronCluster::poll_egress`](crate::AeronCluster::poll_egress) reads.
///
/// Only `on_message` must be written; the others log at `debug` level by default. A closure
/// `FnMut(i64, i64, &[u8], &AeronHeader)` (cluster session id, timestamp, payload, header) is an
/// `EgressListener` that handles messages only. A panic in a listener does not cross C: the poll
/// stops at that message (which the next poll delivers again), C returns, and the panic resumes
/// in the caller of `poll_egress`.
pub trait EgressListener {
    /// A message from the service: the cluster session id, the cluster timestamp, the payload
    /// (without the session header, reassembled when it was fragmented) and the header of its
    /// last fragment.
    fn on_message(&mut self, cluster_session_id: i64, timestamp: i64, payload: &[u8], header: &AeronHeader<'_>);

    /// A session event for this session.
    fn on_session_event(&mut self, event: &SessionEvent<'_>) {
        log::debug!(target: "rusteron_cluster::egress", "session event {event:?}");
    }

    /// A new leader; the client has switched its ingress to it already.
    fn on_new_leader(&mut self, event: &NewLeaderEvent<'_>) {
        log::debug!(target: "rusteron_cluster::egress", "new leader {event:?}");
    }

    /// The answer to an admin request.
    fn on_admin_response(&mut self, response: &AdminResponse<'_>) {
        log::debug!(target: "rusteron_cluster::egress", "admin response {response:?}");
    }
}

impl<F: FnMut(i64, i64, &[u8], &AeronHeader<'_>)> EgressListener for F {
    fn on_message(&mut self, cluster_session_id: i64, timestamp: i64, payload: &[u8], header: &AeronHeader<'_>) {
        self(cluster_session_id, timestamp, payload, header)
    }
}

/// The default listener of a context without one: logs each message at `warn` level.
#[derive(Debug, Default, Clone, Copy)]
pub struct EgressLogger;

impl EgressListener for EgressLogger {
    fn on_message(&mut self, cluster_session_id: i64, timestamp: i64, payload: &[u8], _header: &AeronHeader<'_>) {
        log::warn!(
            target: "rusteron_cluster::egress",
            "egress message of {} bytes for session {cluster_session_id} at {timestamp} and no egress listener set",
            payload.len()
        );
    }
}

/// Like [`EgressListener`] with flow control: `on_message` returns what the poll does next
/// (`AERON_ACTION_CONTINUE`, `..._BREAK`, `..._ABORT` to have the message delivered again,
/// `..._COMMIT`). Used by [`AeronCluster::controlled_poll_egress`](crate::AeronCluster::controlled_poll_egress).
pub trait ControlledEgressListener {
    /// A message from the service; see [`EgressListener::on_message`].
    fn on_message(
        &mut self,
        cluster_session_id: i64,
        timestamp: i64,
        payload: &[u8],
        header: &AeronHeader<'_>,
    ) -> AeronControlledFragmentHandlerAction;

    /// A session event for this session.
    fn on_session_event(&mut self, event: &SessionEvent<'_>) {
        log::debug!(target: "rusteron_cluster::egress", "session event {event:?}");
    }

    /// A new leader; the client has switched its ingress to it already.
    fn on_new_leader(&mut self, event: &NewLeaderEvent<'_>) {
        log::debug!(target: "rusteron_cluster::egress", "new leader {event:?}");
    }

    /// The answer to an admin request.
    fn on_admin_response(&mut self, response: &AdminResponse<'_>) {
        log::debug!(target: "rusteron_cluster::egress", "admin response {response:?}");
    }
}

impl<F: FnMut(i64, i64, &[u8], &AeronHeader<'_>) -> AeronControlledFragmentHandlerAction> ControlledEgressListener
    for F
{
    fn on_message(
        &mut self,
        cluster_session_id: i64,
        timestamp: i64,
        payload: &[u8],
        header: &AeronHeader<'_>,
    ) -> AeronControlledFragmentHandlerAction {
        self(cluster_session_id, timestamp, payload, header)
    }
}

/// Credentials for the cluster's authenticator (Java's `CredentialsSupplier`).
pub trait ClusterCredentialsSupplier {
    /// The credentials sent with the connect request (empty: none).
    fn encoded_credentials(&mut self) -> Vec<u8>;

    /// The answer to a challenge from the authenticator.
    fn on_challenge(&mut self, encoded_challenge: &[u8]) -> Vec<u8>;
}

/// No credentials; answers a challenge with nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoCredentials;

impl ClusterCredentialsSupplier for NoCredentials {
    fn encoded_credentials(&mut self) -> Vec<u8> {
        Vec::new()
    }

    fn on_challenge(&mut self, _encoded_challenge: &[u8]) -> Vec<u8> {
        Vec::new()
    }
}

/// Fixed credentials, and a fixed answer to any challenge.
#[derive(Debug, Default, Clone)]
pub struct StaticCredentials {
    /// Sent with the connect request.
    pub credentials: Vec<u8>,
    /// Sent when challenged.
    pub challenge_answer: Vec<u8>,
}

impl ClusterCredentialsSupplier for StaticCredentials {
    fn encoded_credentials(&mut self) -> Vec<u8> {
        self.credentials.clone()
    }

    fn on_challenge(&mut self, _encoded_challenge: &[u8]) -> Vec<u8> {
        self.challenge_answer.clone()
    }
}

/// The state of a cluster session; see [`AeronCluster::state`](crate::AeronCluster::state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClusterState {
    /// Connected to the leader: ingress and egress work.
    Connected,
    /// The leader went away (egress image closed, or ingress not connected); waiting for a
    /// new-leader event, up to the new-leader timeout.
    AwaitNewLeader,
    /// A new leader was announced; waiting for the ingress publication to it to connect, up to
    /// the message timeout.
    AwaitNewLeaderConnection,
    /// The session is closing (closed by the cluster, or it cannot go on); the next poll closes it.
    PendingClose,
    /// Closed. Terminal.
    Closed,
}
