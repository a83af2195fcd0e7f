//! `AeronCluster`: a connected cluster session. Sends to the leader through the ingress, reads
//! the egress, keeps the session across a change of leader.

use crate::context::{channel_with_endpoint, parse_ingress_endpoints, AeronClusterContext};
use crate::egress::{on_message, Assembly, Controlled, Dispatch, Plain, ABORT, CONTINUE};
use crate::errors::ClusterErrorKind;
use crate::ingress::{Ingress, PendingIngress};
use crate::listener::*;
use crate::protocol::{self, SESSION_HEADER_LENGTH};
use crate::session::{deadline_after, Session};
use crate::{
    AeronBufferClaim, AeronCError, AeronControlledFragmentHandlerAction, AeronErrorType, AeronHeader, AeronIovec,
    AeronSubscription,
};
use std::time::{Duration, Instant};

/// How many fragments one `poll_egress` reads at most (Java's `FRAGMENT_LIMIT`).
pub const EGRESS_FRAGMENT_LIMIT: usize = 10;
/// How many times a keep-alive, admin request or close request is tried before giving up
/// (Java's `SEND_ATTEMPTS`).
const SEND_ATTEMPTS: usize = 3;
/// How often an idle poll checks the leader's egress image and the ingress connection.
const CONNECTION_CHECK_INTERVAL: Duration = Duration::from_millis(1);
/// The most parts [`AeronCluster::offer_parts`] gathers.
pub const MAX_OFFER_PARTS: usize = 15;

/// What the connect found out, handed to [`AeronCluster`].
pub(crate) struct Established {
    pub(crate) subscription: AeronSubscription,
    pub(crate) ingress: Ingress,
    pub(crate) cluster_session_id: i64,
    pub(crate) leadership_term_id: i64,
    pub(crate) leader_member_id: i32,
    pub(crate) leader_heartbeat_timeout: Option<Duration>,
    pub(crate) egress_session_id: i32,
}

/// A session with an Aeron Cluster.
///
/// Made by [`AeronCluster::connect`] or an [`AeronClusterAsyncConnect`](crate::AeronClusterAsyncConnect).
/// Send with [`offer`](Self::offer), [`offer_parts`](Self::offer_parts) or
/// [`try_claim`](Self::try_claim) (the session header is written by the client; the payload is
/// never copied by it); read the egress with [`poll_egress`](Self::poll_egress) or
/// [`controlled_poll_egress`](Self::controlled_poll_egress), which must be called often: they
/// also notice a lost leader and follow a new one (see [`ClusterState`]).
///
/// Threads: neither `Send` nor `Sync`, like the subscription it polls. Move it to another thread
/// with [`handoff`](Self::handoff).
///
/// ```compile_fail,E0277
/// fn send_it(cluster: rusteron_cluster::AeronCluster) {
///     std::thread::spawn(move || drop(cluster)); // error: AeronCluster is not Send
/// }
/// ```
///
/// ```compile_fail,E0277
/// fn share_it(cluster: &rusteron_cluster::AeronCluster) {
///     std::thread::scope(|s| {
///         s.spawn(|| cluster.state()); // error: AeronCluster is not Sync
///     });
/// }
/// ```
pub struct AeronCluster {
    ctx: AeronClusterContext,
    subscription: AeronSubscription,
    ingress: Option<Ingress>,
    pending_ingress: Option<PendingIngress>,
    session: Session,
    header: [u8; SESSION_HEADER_LENGTH],
    cluster_session_id: i64,
    leadership_term_id: i64,
    leader_member_id: i32,
    egress_session_id: i32,
    new_leader_timeout: Duration,
    max_payload: usize,
    assembly: Assembly,
    /// A new leader read during a poll, applied right after the fragment that carried it.
    new_leader: Option<(i64, i32, String, i32)>,
    /// When an idle poll next looks at the egress image and the ingress connection.
    next_connection_check: Instant,
}

impl std::fmt::Debug for AeronCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronCluster")
            .field("state", &self.session.state)
            .field("cluster_session_id", &self.cluster_session_id)
            .field("leadership_term_id", &self.leadership_term_id)
            .field("leader_member_id", &self.leader_member_id)
            .finish_non_exhaustive()
    }
}

// SAFETY: `check_sole_handle` checks the subscription and an exclusive ingress publication (the
// only single-threaded C objects the session holds); everything else it holds is `Send`
// (the context's listeners are `Send` by their bounds, the async adds and a concurrent
// publication are `Send + Sync`).
unsafe impl crate::SingleThreaded for AeronCluster {
    fn check_sole_handle(&mut self) -> Result<(), &'static str> {
        crate::SingleThreaded::check_sole_handle(&mut self.subscription)?;
        if let Some(i) = self.ingress.as_mut() {
            i.check_sole_handle()?;
        }
        Ok(())
    }
}

impl AeronCluster {
    /// Connects with `context`, waiting up to its message timeout; see
    /// [`AeronClusterAsyncConnect`](crate::AeronClusterAsyncConnect) for a connect polled step by
    /// step.
    ///
    /// # Errors
    /// An invalid setting (named), an `ERROR` or `AUTHENTICATION_REJECTED` answer from the cluster
    /// ([`ClusterErrorKind::ClusterError`], [`ClusterErrorKind::AuthenticationRejected`], with the
    /// cluster's message), or [`ClusterErrorKind::TimedOut`] naming the step it was in.
    pub fn connect(context: AeronClusterContext) -> Result<Self, AeronCError> {
        let mut connect = crate::AeronClusterAsyncConnect::new(context)?;
        loop {
            if let Some(cluster) = connect.poll()? {
                return Ok(cluster);
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    pub(crate) fn new(mut ctx: AeronClusterContext, e: Established) -> Self {
        let new_leader_timeout = ctx
            .new_leader_timeout
            .unwrap_or(2 * e.leader_heartbeat_timeout.unwrap_or(crate::LEADER_HEARTBEAT_TIMEOUT_DEFAULT));
        let max_payload = e.ingress.max_message_length().saturating_sub(SESSION_HEADER_LENGTH);
        let listener = ctx.state_listener.take();
        AeronCluster {
            subscription: e.subscription,
            ingress: Some(e.ingress),
            pending_ingress: None,
            session: Session {
                state: ClusterState::Connected,
                deadline: None,
                listener,
                drop_ingress: false,
                changed_at: Instant::now(),
            },
            header: protocol::session_header(e.leadership_term_id, e.cluster_session_id),
            cluster_session_id: e.cluster_session_id,
            leadership_term_id: e.leadership_term_id,
            leader_member_id: e.leader_member_id,
            egress_session_id: e.egress_session_id,
            new_leader_timeout,
            max_payload,
            assembly: Assembly::default(),
            new_leader: None,
            next_connection_check: Instant::now(),
            ctx,
        }
    }

    /// Packs this session to move to another thread (opened there with `into_inner`); fails,
    /// giving the session back, while a clone of its subscription or exclusive publication exists.
    // The error hands the session back by value, as every `handoff` of the client crate does.
    #[allow(clippy::result_large_err)]
    pub fn handoff(self) -> Result<crate::Handoff<Self>, crate::HandoffError<Self>> {
        crate::Handoff::new(self)
    }

    /// The cluster session id.
    pub fn cluster_session_id(&self) -> i64 {
        self.cluster_session_id
    }

    /// The current leadership term.
    pub fn leadership_term_id(&self) -> i64 {
        self.leadership_term_id
    }

    /// The current leader's member id.
    pub fn leader_member_id(&self) -> i32 {
        self.leader_member_id
    }

    /// The session state.
    pub fn state(&self) -> ClusterState {
        self.session.state
    }

    /// True once closed.
    pub fn is_closed(&self) -> bool {
        self.session.state == ClusterState::Closed
    }

    /// When the state last changed.
    pub fn state_changed_at(&self) -> Instant {
        self.session.changed_at
    }

    /// How long the session waits for a new leader (from the context, else twice the leader
    /// heartbeat timeout the cluster reported).
    pub fn new_leader_timeout(&self) -> Duration {
        self.new_leader_timeout
    }

    /// The context it was connected with.
    pub fn context(&self) -> &AeronClusterContext {
        &self.ctx
    }

    /// The egress subscription.
    pub fn egress_subscription(&self) -> &AeronSubscription {
        &self.subscription
    }

    /// The largest payload an offer accepts: the ingress publication's maximum message length
    /// less the 32-byte session header.
    pub fn max_payload_length(&self) -> usize {
        self.max_payload
    }

    /// The ingress is closed at the start of a call when an earlier one found it gone.
    #[inline]
    fn settle(&mut self) {
        if self.session.drop_ingress {
            self.session.drop_ingress = false;
            self.ingress = None;
        }
    }

    /// The error of a send without an ingress publication.
    #[cold]
    fn no_ingress(&self) -> AeronCError {
        if self.session.state == ClusterState::Closed {
            AeronCError::from_code(AeronErrorType::PublicationClosed.code())
        } else {
            AeronCError::from_code(AeronErrorType::NullOrNotConnected.code())
        }
    }

    #[cold]
    fn too_long(&self, length: usize) -> AeronCError {
        ClusterErrorKind::MessageTooLong.error(format!(
            "message of {length} bytes is longer than the cluster ingress allows ({} bytes: the publication's maximum \
             message length less the {SESSION_HEADER_LENGTH}-byte session header); nothing was sent",
            self.max_payload
        ))
    }

    /// Offers `payload` to the cluster behind the session header (one gathered offer; the
    /// payload is not copied by the client). Returns the new ingress position, or the refusal as
    /// publications give it (`PublicationBackPressured`, `NullOrNotConnected` while there is no
    /// leader, `PublicationAdminAction`, `PublicationClosed` once closed, ...).
    ///
    /// # Errors
    /// Also [`ClusterErrorKind::MessageTooLong`] when `payload` is longer than
    /// [`max_payload_length`](Self::max_payload_length) (nothing is sent).
    #[inline]
    pub fn offer(&mut self, payload: &[u8]) -> Result<i64, AeronCError> {
        self.settle();
        if payload.len() > self.max_payload {
            return Err(self.too_long(payload.len()));
        }
        let Some(ingress) = self.ingress.as_ref() else { return Err(self.no_ingress()) };
        let result = ingress.offerv(&[AeronIovec::from_slice(&self.header), AeronIovec::from_slice(payload)]);
        self.session.track(&result, self.new_leader_timeout);
        result
    }

    /// Offers one message gathered from `parts` (at most [`MAX_OFFER_PARTS`]) behind the session
    /// header; like [`offer`](Self::offer).
    pub fn offer_parts(&mut self, parts: &[&[u8]]) -> Result<i64, AeronCError> {
        self.settle();
        if parts.len() > MAX_OFFER_PARTS {
            return Err(crate::errors::invalid(format!(
                "offer_parts takes at most {MAX_OFFER_PARTS} parts (got {}); nothing was sent",
                parts.len()
            )));
        }
        let length: usize = parts.iter().map(|p| p.len()).sum();
        if length > self.max_payload {
            return Err(self.too_long(length));
        }
        let Some(ingress) = self.ingress.as_ref() else { return Err(self.no_ingress()) };
        let mut iov = [AeronIovec::from_slice(&[]); MAX_OFFER_PARTS + 1];
        iov[0] = AeronIovec::from_slice(&self.header);
        for (slot, part) in iov[1..].iter_mut().zip(parts) {
            *slot = AeronIovec::from_slice(part);
        }
        let result = ingress.offerv(&iov[..parts.len() + 1]);
        self.session.track(&result, self.new_leader_timeout);
        result
    }

    /// Claims `length` bytes of the ingress log for a message written in place: the session
    /// header is written into the claim, [`ClusterBufferClaim::data`] is the payload. `length`
    /// must fit in one frame (the publication's maximum payload less the session header).
    pub fn try_claim(&mut self, length: usize) -> Result<ClusterBufferClaim<'_>, AeronCError> {
        self.settle();
        let Some(ingress) = self.ingress.as_ref() else { return Err(self.no_ingress()) };
        let max = ingress.max_payload_length().saturating_sub(SESSION_HEADER_LENGTH);
        if length > max {
            return Err(ClusterErrorKind::MessageTooLong.error(format!(
                "try_claim of {length} bytes: a claim must fit in one frame ({max} bytes: the maximum payload less the \
                 {SESSION_HEADER_LENGTH}-byte session header); use offer for longer messages"
            )));
        }
        let result = ingress.try_claim(length + SESSION_HEADER_LENGTH);
        let position = match &result {
            Ok(c) => Ok(c.position()),
            Err(e) => Err(e.clone()),
        };
        self.session.track(&position, self.new_leader_timeout);
        let mut claim = result?;
        claim.data()[..SESSION_HEADER_LENGTH].copy_from_slice(&self.header);
        Ok(ClusterBufferClaim { claim })
    }

    /// Claims, encodes with `write` and commits a small protocol message, up to
    /// [`SEND_ATTEMPTS`] times. `Ok(false)` when back pressured or not connected.
    fn send_small(&mut self, length: usize, what: &str, write: impl Fn(&mut [u8])) -> Result<bool, AeronCError> {
        self.settle();
        for _ in 0..SEND_ATTEMPTS {
            let Some(ingress) = self.ingress.as_ref() else { return Ok(false) };
            let result = ingress.try_claim(length);
            let position = match &result {
                Ok(c) => Ok(c.position()),
                Err(e) => Err(e.clone()),
            };
            self.session.track(&position, self.new_leader_timeout);
            match result {
                Ok(mut claim) => {
                    write(&mut claim.data()[..length]);
                    claim.commit()?;
                    return Ok(true);
                }
                Err(e) => match e.kind() {
                    AeronErrorType::PublicationClosed if self.session.state == ClusterState::Closed => {
                        return Err(ClusterErrorKind::SessionClosed.error(format!("{what}: the session is closed")))
                    }
                    AeronErrorType::PublicationMaxPositionExceeded => {
                        return Err(AeronCError::with_message(
                            e.code,
                            format!("{what}: the ingress publication reached its maximum position"),
                        ))
                    }
                    _ => std::thread::yield_now(),
                },
            }
        }
        Ok(false)
    }

    /// Sends a keep-alive so the cluster does not time the session out while nothing else is
    /// sent. `Ok(false)` when it could not be sent now (back pressure, or no leader connected:
    /// keep polling the egress).
    pub fn send_keep_alive(&mut self) -> Result<bool, AeronCError> {
        if self.session.state == ClusterState::Closed {
            return Err(ClusterErrorKind::SessionClosed.error("send_keep_alive: the session is closed"));
        }
        let (term, session) = (self.leadership_term_id, self.cluster_session_id);
        self.send_small(protocol::KEEP_ALIVE_LENGTH, "send_keep_alive", |b| {
            protocol::encode_keep_alive(b, term, session)
        })
    }

    /// Asks the cluster to take a snapshot (an admin request; the cluster's authorisation
    /// service must allow it). The answer comes as an [`AdminResponse`] with `correlation_id`
    /// through the egress listener. `Ok(false)` when it could not be sent now.
    pub fn send_admin_request_to_take_a_snapshot(&mut self, correlation_id: i64) -> Result<bool, AeronCError> {
        if self.session.state == ClusterState::Closed {
            return Err(ClusterErrorKind::SessionClosed.error("admin request: the session is closed"));
        }
        let (term, session) = (self.leadership_term_id, self.cluster_session_id);
        self.send_small(protocol::ADMIN_REQUEST_LENGTH, "admin request", |b| {
            protocol::encode_snapshot_request(b, term, session, correlation_id)
        })
    }

    /// Polls the egress with the context's [`EgressListener`] (a logging one when none was set),
    /// then updates the session: follows a new leader, notices a lost one, closes on timeout.
    /// Returns the work done (fragments read plus state changes).
    ///
    /// A panic in the listener stops the poll and resumes here, after C has returned; the
    /// message it panicked on is delivered again by the next poll (the poll is a controlled one
    /// underneath, so that a new-leader event is applied before what follows it).
    pub fn poll_egress(&mut self) -> Result<i32, AeronCError> {
        let mut listener = self.ctx.egress_listener.take();
        let result = match listener.as_deref_mut() {
            Some(l) => self.poll_with(&mut Plain(l)),
            None => self.poll_with(&mut Plain(&mut EgressLogger)),
        };
        self.ctx.egress_listener = listener;
        result
    }

    /// Polls the egress with `listener` (instead of the context's).
    pub fn poll_egress_with<L: EgressListener + ?Sized>(&mut self, listener: &mut L) -> Result<i32, AeronCError> {
        self.poll_with(&mut Plain(listener))
    }

    /// Like [`poll_egress`](Self::poll_egress) with the context's [`ControlledEgressListener`],
    /// whose `on_message` tells the poll to continue, break, commit or abort (the message is
    /// delivered again).
    pub fn controlled_poll_egress(&mut self) -> Result<i32, AeronCError> {
        let mut listener = self.ctx.controlled_egress_listener.take();
        let result = match listener.as_deref_mut() {
            Some(l) => self.poll_with(&mut Controlled(l)),
            None => Err(crate::errors::invalid(
                "controlled_poll_egress: no controlled egress listener set on the context \
                 (AeronClusterContext::controlled_egress_listener), or use controlled_poll_egress_with",
            )),
        };
        self.ctx.controlled_egress_listener = listener;
        result
    }

    /// Like [`controlled_poll_egress`](Self::controlled_poll_egress) with `listener`.
    pub fn controlled_poll_egress_with<L: ControlledEgressListener + ?Sized>(
        &mut self,
        listener: &mut L,
    ) -> Result<i32, AeronCError> {
        self.poll_with(&mut Controlled(listener))
    }

    fn poll_with<D: Dispatch + ?Sized>(&mut self, d: &mut D) -> Result<i32, AeronCError> {
        self.settle();
        if self.session.state == ClusterState::Closed {
            return Ok(0);
        }
        let cluster_session_id = self.cluster_session_id;
        let term = self.leadership_term_id;
        let Self { subscription, assembly, session, new_leader, .. } = self;
        let mut handler = |buffer: &[u8], header: AeronHeader<'_>| -> AeronControlledFragmentHandlerAction {
            let flags = header.flags();
            if flags & AeronHeader::UNFRAGMENTED == AeronHeader::UNFRAGMENTED {
                return on_message(buffer, &header, cluster_session_id, term, d, session, new_leader);
            }
            let session_id = header.session_id();
            let index = match assembly.buffers.iter().position(|b| b.0 == session_id) {
                Some(i) => i,
                None => {
                    assembly.buffers.push((session_id, false, Vec::new()));
                    assembly.buffers.len() - 1
                }
            };
            let (_, in_progress, data) = &mut assembly.buffers[index];
            if flags & AeronHeader::BEGIN_FLAG != 0 {
                data.clear();
                data.extend_from_slice(buffer);
                *in_progress = true;
                CONTINUE
            } else if *in_progress {
                let before = data.len();
                data.extend_from_slice(buffer);
                if flags & AeronHeader::END_FLAG == 0 {
                    return CONTINUE;
                }
                let action = on_message(data, &header, cluster_session_id, term, d, session, new_leader);
                if action == ABORT {
                    // The last fragment comes again.
                    data.truncate(before);
                } else {
                    *in_progress = false;
                    data.clear();
                }
                action
            } else {
                // A middle or end fragment without its beginning.
                CONTINUE
            }
        };
        let mut work = subscription.controlled_poll_with(&mut handler, EGRESS_FRAGMENT_LIMIT)?;
        if let Some((term, leader, endpoints, image)) = self.new_leader.take() {
            self.apply_new_leader(term, leader, &endpoints, image);
            d.new_leader(&NewLeaderEvent {
                cluster_session_id,
                leadership_term_id: term,
                leader_member_id: leader,
                ingress_endpoints: &endpoints,
            });
            work += 1;
        }
        if work == 0 {
            // At most once a millisecond: the image lookup takes the subscription's image list.
            let now = Instant::now();
            if now >= self.next_connection_check {
                self.next_connection_check = now + CONNECTION_CHECK_INTERVAL;
                work += self.check_connections();
            }
        }
        work += self.poll_state_changes();
        Ok(work)
    }

    /// On an idle poll: has the leader's egress image closed, or its ingress dropped?
    fn check_connections(&mut self) -> i32 {
        let state = self.session.state;
        if state != ClusterState::Connected && state != ClusterState::AwaitNewLeaderConnection {
            return 0;
        }
        let image_gone = match self.subscription.image_by_session_id(self.egress_session_id) {
            Some(image) => image.is_closed(),
            None => true,
        };
        let ingress_gone =
            state == ClusterState::Connected && self.ingress.as_ref().map(|i| !i.is_connected()).unwrap_or(true);
        if image_gone || ingress_gone {
            log::info!(
                target: "rusteron_cluster::session",
                "lost the leader (member {}): egress image {}, ingress {}",
                self.leader_member_id,
                if image_gone { "closed" } else { "open" },
                if ingress_gone { "not connected" } else { "connected" }
            );
            self.on_disconnected();
            return 1;
        }
        0
    }

    fn on_disconnected(&mut self) {
        self.ingress = None;
        self.pending_ingress = None;
        self.session.set(ClusterState::AwaitNewLeader, Some(deadline_after(self.new_leader_timeout)));
    }

    /// Java's `onNewLeader`: switch the ingress to the new leader.
    fn apply_new_leader(&mut self, term: i64, leader: i32, endpoints: &str, egress_image: i32) {
        self.session.set(ClusterState::AwaitNewLeaderConnection, Some(deadline_after(self.ctx.message_timeout)));
        self.leadership_term_id = term;
        self.leader_member_id = leader;
        self.egress_session_id = egress_image;
        self.header = protocol::session_header(term, self.cluster_session_id);
        self.ingress = None;
        self.pending_ingress = None;
        self.assembly.clear();
        let channel = if self.ctx.ingress_endpoints.is_some() {
            match parse_ingress_endpoints(endpoints) {
                Ok(members) => match members.iter().find(|m| m.member_id == leader) {
                    Some(m) => {
                        self.ctx.ingress_endpoints = Some(endpoints.to_string());
                        channel_with_endpoint(&self.ctx.ingress_channel, &m.endpoint)
                    }
                    None => {
                        log::warn!(target: "rusteron_cluster::session", "new leader {leader} is not in {endpoints:?}");
                        return;
                    }
                },
                Err(e) => {
                    log::warn!(target: "rusteron_cluster::session", "new leader event with bad endpoints: {e}");
                    return;
                }
            }
        } else {
            self.ctx.ingress_channel.clone()
        };
        match PendingIngress::start(
            &self.ctx.aeron,
            &channel,
            self.ctx.ingress_stream_id,
            self.ctx.is_ingress_exclusive,
        ) {
            Ok(p) => self.pending_ingress = Some(p),
            Err(e) => log::warn!(target: "rusteron_cluster::session", "cannot add ingress to new leader: {e}"),
        }
    }

    /// Java's `pollStateChanges`, plus the asynchronous parts of a leader switch: the new ingress
    /// publication, and a keep-alive as its first message.
    fn poll_state_changes(&mut self) -> i32 {
        let mut work = 0;
        if let Some(p) = self.pending_ingress.as_ref() {
            match p.poll() {
                Ok(Some(ingress)) => {
                    self.max_payload = ingress.max_message_length().saturating_sub(SESSION_HEADER_LENGTH);
                    self.ingress = Some(ingress);
                    self.pending_ingress = None;
                    work += 1;
                }
                Ok(None) => {}
                Err(e) => {
                    log::warn!(target: "rusteron_cluster::session", "ingress to new leader failed: {e}");
                    self.pending_ingress = None;
                }
            }
        }
        if self.session.state == ClusterState::AwaitNewLeaderConnection
            && self.ingress.as_ref().is_some_and(|i| i.is_connected())
            && self.send_keep_alive().unwrap_or(false)
        {
            work += 1;
        }
        let expired = self.session.deadline.is_some_and(|d| Instant::now() >= d);
        match self.session.state {
            ClusterState::PendingClose => {
                self.close();
                work += 1;
            }
            ClusterState::AwaitNewLeader | ClusterState::AwaitNewLeaderConnection if expired => {
                log::warn!(
                    target: "rusteron_cluster::session",
                    "no new leader connected in time ({:?}); closing session {}",
                    self.session.state,
                    self.cluster_session_id
                );
                self.close();
                work += 1;
            }
            _ => {}
        }
        work
    }

    /// Closes the session: sends a close request when connected, closes the ingress. The
    /// egress subscription is closed when this drops. Idempotent.
    pub fn close(&mut self) {
        if self.session.state == ClusterState::Closed {
            return;
        }
        self.settle();
        if self.session.state == ClusterState::Connected && self.ingress.as_ref().is_some_and(|i| i.is_connected()) {
            let (term, session) = (self.leadership_term_id, self.cluster_session_id);
            let _ = self.send_small(protocol::CLOSE_REQUEST_LENGTH, "close", |b| {
                protocol::encode_close_request(b, term, session)
            });
        }
        self.ingress = None;
        self.pending_ingress = None;
        self.session.set(ClusterState::Closed, None);
    }
}

impl Drop for AeronCluster {
    fn drop(&mut self) {
        // A panicking state listener must not abort the process from a drop during unwinding.
        if std::thread::panicking() {
            self.session.listener = None;
        }
        self.close();
    }
}

/// Space claimed in the ingress by [`AeronCluster::try_claim`], behind a session header the
/// client already wrote. Write the payload into [`data`](Self::data) and
/// [`commit`](Self::commit); dropping it uncommitted aborts it.
pub struct ClusterBufferClaim<'a> {
    claim: AeronBufferClaim<'a>,
}

impl ClusterBufferClaim<'_> {
    /// The payload bytes (after the session header).
    #[inline]
    pub fn data(&mut self) -> &mut [u8] {
        &mut self.claim.data()[SESSION_HEADER_LENGTH..]
    }

    /// The ingress position after this message.
    #[inline]
    pub fn position(&self) -> i64 {
        self.claim.position()
    }

    /// Publishes the message.
    #[inline]
    pub fn commit(self) -> Result<i32, AeronCError> {
        self.claim.commit()
    }

    /// Gives the space up (it becomes padding).
    #[inline]
    pub fn abort(self) -> Result<i32, AeronCError> {
        self.claim.abort()
    }
}

impl std::fmt::Debug for ClusterBufferClaim<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterBufferClaim").field("position", &self.claim.position()).finish()
    }
}
