//! `AeronClusterAsyncConnect`: a connect to a cluster, polled step by step (Java's
//! `AeronCluster.AsyncConnect`).

use crate::cluster::{AeronCluster, Established};
use crate::codecs::event_code::EventCode;
use crate::context::{channel_with_endpoint, parse_ingress_endpoints, AeronClusterContext, MemberEndpoint};
use crate::errors::ClusterErrorKind;
use crate::ingress::{Ingress, PendingIngress};
use crate::protocol::{self, Egress};
use crate::{
    no_available_image_handler, no_unavailable_image_handler, AeronAsyncAddSubscription, AeronCError, AeronHeader,
    AeronSubscription, IntoCString,
};
use std::time::{Duration, Instant};

/// The step a connect is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClusterConnectStep {
    /// Adding the egress subscription.
    CreateEgressSubscription,
    /// Adding the ingress publication(s).
    CreateIngressPublications,
    /// Waiting for an ingress publication to connect (to any member).
    AwaitPublicationConnected,
    /// Sending the connect request (or the answer to a challenge).
    SendMessage,
    /// Waiting for the cluster's answer on the egress.
    PollResponse,
    /// Connected; the session was handed out.
    Done,
}

struct Member {
    id: i32,
    endpoint: String,
    pending: Option<PendingIngress>,
    publication: Option<Ingress>,
    error: Option<AeronCError>,
}

/// A connect in progress. Call [`poll`](Self::poll) until it returns the session or an error;
/// the whole connect is bounded by the context's message timeout (from [`new`](Self::new)).
/// Dropping it cancels the connect (what it added is closed).
///
/// Threads: neither `Send` nor `Sync` (it polls a subscription).
///
/// ```compile_fail,E0277
/// fn poll_elsewhere(connect: rusteron_cluster::AeronClusterAsyncConnect) {
///     std::thread::spawn(move || drop(connect)); // error: AeronClusterAsyncConnect is not Send
/// }
/// ```
pub struct AeronClusterAsyncConnect {
    ctx: Option<AeronClusterContext>,
    step: ClusterConnectStep,
    deadline: Instant,
    egress_add: Option<AeronAsyncAddSubscription>,
    subscription: Option<AeronSubscription>,
    single: Option<PendingIngress>,
    members: Vec<Member>,
    ingress: Option<Ingress>,
    message: Vec<u8>,
    message_length: usize,
    correlation_id: i64,
    cluster_session_id: i64,
    leader_member_id: i32,
}

impl std::fmt::Debug for AeronClusterAsyncConnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronClusterAsyncConnect").field("step", &self.step).finish_non_exhaustive()
    }
}

impl AeronClusterAsyncConnect {
    /// Starts connecting with `context` (checked first: an invalid setting fails here, naming it).
    pub fn new(context: AeronClusterContext) -> Result<Self, AeronCError> {
        context.validate()?;
        if context.aeron.is_closed() {
            return Err(AeronCError::with_message(
                crate::AeronErrorType::ClientErrorDriverTimeout.code(),
                "cluster connect: the Aeron client is closed (its media driver timed out, or it was closed)",
            ));
        }
        let deadline = rusteron_client::__private::deadline_after(context.message_timeout);
        Ok(AeronClusterAsyncConnect {
            ctx: Some(context),
            step: ClusterConnectStep::CreateEgressSubscription,
            deadline,
            egress_add: None,
            subscription: None,
            single: None,
            members: Vec::new(),
            ingress: None,
            message: Vec::new(),
            message_length: 0,
            correlation_id: -1,
            cluster_session_id: -1,
            leader_member_id: -1,
        })
    }

    /// The step it is in.
    pub fn step(&self) -> ClusterConnectStep {
        self.step
    }

    fn ctx(&self) -> &AeronClusterContext {
        self.ctx.as_ref().expect("context present until done")
    }

    /// Does the next piece of work: `Ok(Some(session))` once connected, `Ok(None)` while still
    /// connecting.
    ///
    /// # Errors
    /// [`ClusterErrorKind::TimedOut`] past the message timeout (naming the step, the channels and
    /// what the members' publications reported); [`ClusterErrorKind::AuthenticationRejected`]
    /// or [`ClusterErrorKind::ClusterError`] with the cluster's message; an error of the media
    /// driver (a channel it refused). Polling again after `Done` or an error is an error.
    pub fn poll(&mut self) -> Result<Option<AeronCluster>, AeronCError> {
        if self.ctx.is_none() {
            return Err(crate::errors::invalid("cluster connect: already finished"));
        }
        let result = self.poll_step();
        if result.is_err() {
            self.step = ClusterConnectStep::Done;
            self.ctx = None;
        }
        result
    }

    fn poll_step(&mut self) -> Result<Option<AeronCluster>, AeronCError> {
        self.check_deadline()?;
        match self.step {
            ClusterConnectStep::CreateEgressSubscription => self.create_egress_subscription()?,
            ClusterConnectStep::CreateIngressPublications => self.create_ingress_publications()?,
            ClusterConnectStep::AwaitPublicationConnected => self.await_publication_connected()?,
            ClusterConnectStep::SendMessage => self.send_message()?,
            ClusterConnectStep::PollResponse => return self.poll_response(),
            ClusterConnectStep::Done => {}
        }
        Ok(None)
    }

    fn check_deadline(&self) -> Result<(), AeronCError> {
        if Instant::now() < self.deadline {
            return Ok(());
        }
        let ctx = self.ctx();
        let egress = match &self.subscription {
            Some(s) => format!(
                "egress connected={} response channel={}",
                s.is_connected(),
                s.try_resolve_channel_endpoint_port().ok().flatten().unwrap_or_else(|| "<unresolved>".into())
            ),
            None => "no egress subscription yet".into(),
        };
        let members: Vec<String> = self
            .members
            .iter()
            .map(|m| {
                let state = match (&m.publication, &m.error) {
                    (_, Some(e)) => format!("error: {e}"),
                    (Some(p), _) if p.is_connected() => "connected".into(),
                    (Some(_), _) => "not connected".into(),
                    (None, _) => "publication pending".into(),
                };
                format!("{}={} {state}", m.id, m.endpoint)
            })
            .collect();
        Err(ClusterErrorKind::TimedOut.error(format!(
            "cluster connect timeout after {:?} (the message timeout) in step {:?}: no answer from a cluster leader; \
             ingress channel {} stream {}, ingress endpoints {}, members [{}], {egress}. Is the cluster running, and \
             does it have a leader?",
            ctx.message_timeout,
            self.step,
            ctx.ingress_channel,
            ctx.ingress_stream_id,
            ctx.ingress_endpoints.as_deref().unwrap_or("<none>"),
            members.join(", "),
        )))
    }

    fn create_egress_subscription(&mut self) -> Result<(), AeronCError> {
        if self.egress_add.is_none() {
            let ctx = self.ctx();
            let channel = ctx
                .concluded_egress_channel()
                .try_into_c_string()
                .map_err(|_| crate::errors::invalid("egress channel contains NUL"))?;
            self.egress_add = Some(ctx.aeron.async_add_subscription(
                &channel,
                ctx.egress_stream_id,
                no_available_image_handler(),
                no_unavailable_image_handler(),
            )?);
        }
        if let Some(sub) = self.egress_add.as_ref().expect("just set").poll()? {
            self.subscription = Some(sub);
            self.egress_add = None;
            self.step = ClusterConnectStep::CreateIngressPublications;
        }
        Ok(())
    }

    fn create_ingress_publications(&mut self) -> Result<(), AeronCError> {
        let ctx = self.ctx.as_ref().expect("context");
        match &ctx.ingress_endpoints {
            None => {
                if self.single.is_none() {
                    self.single = Some(PendingIngress::start(
                        &ctx.aeron,
                        &ctx.ingress_channel,
                        ctx.ingress_stream_id,
                        ctx.is_ingress_exclusive,
                    )?);
                }
                if let Some(p) = self.single.as_ref().expect("just set").poll()? {
                    self.ingress = Some(p);
                    self.single = None;
                    self.step = ClusterConnectStep::AwaitPublicationConnected;
                }
            }
            Some(endpoints) => {
                let members = parse_ingress_endpoints(endpoints)?;
                self.members = members.into_iter().map(new_member).collect();
                self.step = ClusterConnectStep::AwaitPublicationConnected;
            }
        }
        Ok(())
    }

    fn await_publication_connected(&mut self) -> Result<(), AeronCError> {
        let Some(response_channel) =
            self.subscription.as_ref().expect("subscription").try_resolve_channel_endpoint_port()?
        else {
            return Ok(());
        };
        if self.ingress.is_none() {
            let ctx = self.ctx.as_ref().expect("context");
            for m in &mut self.members {
                if m.publication.is_none() && m.error.is_none() {
                    if m.pending.is_none() {
                        let channel = channel_with_endpoint(&ctx.ingress_channel, &m.endpoint);
                        match PendingIngress::start(
                            &ctx.aeron,
                            &channel,
                            ctx.ingress_stream_id,
                            ctx.is_ingress_exclusive,
                        ) {
                            Ok(p) => m.pending = Some(p),
                            Err(e) => m.error = Some(e),
                        }
                    }
                    if let Some(p) = m.pending.as_ref() {
                        match p.poll() {
                            Ok(Some(publication)) => {
                                m.publication = Some(publication);
                                m.pending = None;
                            }
                            Ok(None) => {}
                            Err(e) => {
                                m.error = Some(e);
                                m.pending = None;
                            }
                        }
                    }
                }
            }
            if self.members.iter().all(|m| m.error.is_some()) {
                let errors: Vec<String> = self
                    .members
                    .iter()
                    .map(|m| format!("{}={}: {}", m.id, m.endpoint, m.error.as_ref().unwrap()))
                    .collect();
                return Err(AeronCError::with_message(
                    self.members[0].error.as_ref().map(|e| e.code).unwrap_or(-1),
                    format!("cluster connect: no ingress publication could be added: {}", errors.join("; ")),
                ));
            }
            if let Some(i) = self.members.iter().position(|m| m.publication.as_ref().is_some_and(|p| p.is_connected()))
            {
                self.ingress = self.members[i].publication.take();
                self.prepare_connect_request(&response_channel);
            }
        } else if self.ingress.as_ref().is_some_and(|p| p.is_connected()) {
            self.prepare_connect_request(&response_channel);
        }
        Ok(())
    }

    fn prepare_connect_request(&mut self, response_channel: &str) {
        let ctx = self.ctx.as_mut().expect("context");
        self.correlation_id = ctx.aeron.next_correlation_id();
        let credentials = ctx.credentials.encoded_credentials();
        let client_info =
            format!("name={} version={} rusteron-cluster aeron-c=1.54.0", ctx.client_name, env!("CARGO_PKG_VERSION"));
        self.message_length = protocol::encode_connect_request(
            &mut self.message,
            self.correlation_id,
            ctx.egress_stream_id,
            response_channel,
            &credentials,
            &client_info,
        );
        self.step = ClusterConnectStep::SendMessage;
    }

    fn send_message(&mut self) -> Result<(), AeronCError> {
        let ingress = self.ingress.as_ref().expect("ingress");
        match ingress.offer(&self.message[..self.message_length]) {
            Ok(_) => self.step = ClusterConnectStep::PollResponse,
            Err(e) => match e.kind() {
                crate::AeronErrorType::PublicationClosed | crate::AeronErrorType::NullOrNotConnected => {
                    return Err(AeronCError::with_message(
                        e.code,
                        "cluster connect: lost the connection to the cluster member while sending the connect request",
                    ))
                }
                crate::AeronErrorType::PublicationBackPressured | crate::AeronErrorType::PublicationAdminAction => {}
                _ => return Err(e),
            },
        }
        Ok(())
    }

    fn poll_response(&mut self) -> Result<Option<AeronCluster>, AeronCError> {
        enum Answer {
            None,
            Ok { term: i64, leader: i32, session: i64, heartbeat: Option<i64>, image: i32 },
            Redirect { leader: i32, endpoints: String },
            Challenge { session: i64, challenge: Vec<u8> },
            Reject { code: EventCode, detail: String },
        }
        let correlation_id = self.correlation_id;
        let mut answer = Answer::None;
        let mut handler = |buffer: &[u8], header: AeronHeader<'_>| {
            if !matches!(answer, Answer::None) {
                return;
            }
            match protocol::decode_egress(buffer) {
                Ok(Egress::Event { event, leader_heartbeat_timeout_ns }) if event.correlation_id == correlation_id => {
                    answer = match event.code {
                        EventCode::OK => Answer::Ok {
                            term: event.leadership_term_id,
                            leader: event.leader_member_id,
                            session: event.cluster_session_id,
                            heartbeat: leader_heartbeat_timeout_ns,
                            image: header.session_id(),
                        },
                        EventCode::REDIRECT => {
                            Answer::Redirect { leader: event.leader_member_id, endpoints: event.detail.to_string() }
                        }
                        code if protocol::is_rejection(code) => {
                            Answer::Reject { code, detail: event.detail.to_string() }
                        }
                        _ => Answer::None,
                    }
                }
                Ok(Egress::Challenge { correlation_id: c, cluster_session_id, challenge }) if c == correlation_id => {
                    answer = Answer::Challenge { session: cluster_session_id, challenge: challenge.to_vec() };
                }
                _ => {}
            }
        };
        self.subscription.as_ref().expect("subscription").poll_with(&mut handler, 10)?;
        match answer {
            Answer::None => Ok(None),
            Answer::Ok { term, leader, session, heartbeat, image } => {
                let ctx = self.ctx.take().expect("context");
                let established = Established {
                    subscription: self.subscription.take().expect("subscription"),
                    ingress: self.ingress.take().expect("ingress"),
                    cluster_session_id: session,
                    leadership_term_id: term,
                    leader_member_id: leader,
                    leader_heartbeat_timeout: heartbeat.filter(|n| *n > 0).map(|n| Duration::from_nanos(n as u64)),
                    egress_session_id: image,
                };
                self.members.clear();
                self.step = ClusterConnectStep::Done;
                Ok(Some(AeronCluster::new(ctx, established)))
            }
            Answer::Redirect { leader, endpoints } => {
                self.redirect(leader, &endpoints)?;
                Ok(None)
            }
            Answer::Challenge { session, challenge } => {
                let ctx = self.ctx.as_mut().expect("context");
                let answer = ctx.credentials.on_challenge(&challenge);
                self.cluster_session_id = session;
                self.correlation_id = ctx.aeron.next_correlation_id();
                self.message_length = protocol::encode_challenge_response(
                    &mut self.message,
                    self.correlation_id,
                    self.cluster_session_id,
                    &answer,
                );
                self.step = ClusterConnectStep::SendMessage;
                Ok(None)
            }
            Answer::Reject { code, detail } => Err(if code == EventCode::AUTHENTICATION_REJECTED {
                ClusterErrorKind::AuthenticationRejected
                    .error(format!("cluster connect: authentication rejected by the cluster: {detail}"))
            } else {
                ClusterErrorKind::ClusterError.error(format!("cluster connect: the cluster answered ERROR: {detail}"))
            }),
        }
    }

    /// Java's `updateMembers`: the member answered REDIRECT; connect to the leader it named.
    fn redirect(&mut self, leader: i32, endpoints: &str) -> Result<(), AeronCError> {
        self.leader_member_id = leader;
        let members = parse_ingress_endpoints(endpoints).map_err(|e| {
            ClusterErrorKind::ClusterError.error(format!("cluster connect: redirect with unusable endpoints: {e}"))
        })?;
        if !members.iter().any(|m| m.member_id == leader) {
            return Err(ClusterErrorKind::ClusterError
                .error(format!("cluster connect: redirect to leader {leader}, which is not in {endpoints:?}")));
        }
        // Keep a publication already open to the leader's endpoint.
        let old = std::mem::take(&mut self.members);
        let current = self.ingress.take();
        let mut kept: Option<Ingress> = None;
        for m in old {
            if m.id == leader && m.endpoint == members.iter().find(|x| x.member_id == leader).unwrap().endpoint {
                kept = m.publication;
            }
        }
        let _ = current;
        self.members = members.into_iter().filter(|m| m.member_id == leader).map(new_member).collect();
        if let Some(p) = kept {
            self.members[0].publication = Some(p);
        }
        self.step = ClusterConnectStep::AwaitPublicationConnected;
        Ok(())
    }
}

fn new_member(m: MemberEndpoint) -> Member {
    Member { id: m.member_id, endpoint: m.endpoint, pending: None, publication: None, error: None }
}
