//! Reading the egress: reassembly of fragmented messages, decoding, and delivery to the two
//! kinds of listener (plain and controlled) behind one controlled poll.

use crate::codecs::event_code::EventCode;
use crate::listener::*;
use crate::protocol::{self, Egress};
use crate::session::Session;
use crate::{bindings, AeronControlledFragmentHandlerAction, AeronHeader};

pub(crate) const CONTINUE: AeronControlledFragmentHandlerAction =
    bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_CONTINUE;
pub(crate) const BREAK: AeronControlledFragmentHandlerAction =
    bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_BREAK;
pub(crate) const ABORT: AeronControlledFragmentHandlerAction =
    bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_ABORT;

/// Reassembles fragmented egress messages, one buffer per image (session id).
#[derive(Default)]
pub(crate) struct Assembly {
    pub(crate) buffers: Vec<(i32, bool, Vec<u8>)>,
}

impl Assembly {
    pub(crate) fn clear(&mut self) {
        for b in &mut self.buffers {
            b.1 = false;
            b.2.clear();
        }
    }
}

/// Delivers one decoded egress message to the listener; applies session events.
///
/// Session events and new-leader events of a leadership term older than the session's are stale
/// and dropped: a leader that was frozen (a long pause, a partition) and resumes still believes
/// it leads its old term, times the session out and sends `CLOSED` before it learns of the new
/// term (seen in the failover test: `CLOSED`/`TIMEOUT` for term 1 after the session had moved to
/// term 2). Java's client 1.54 closes the session on such an event.
#[inline]
#[allow(clippy::too_many_arguments)]
pub(crate) fn on_message<D: Dispatch + ?Sized>(
    buffer: &[u8],
    header: &AeronHeader<'_>,
    cluster_session_id: i64,
    term: i64,
    d: &mut D,
    session: &mut Session,
    new_leader: &mut Option<(i64, i32, String, i32)>,
) -> AeronControlledFragmentHandlerAction {
    match protocol::decode_egress(buffer) {
        Ok(Egress::Message { cluster_session_id: id, timestamp, payload }) => {
            if id == cluster_session_id {
                d.message(id, timestamp, payload, header)
            } else {
                CONTINUE
            }
        }
        Ok(Egress::Event { event, .. }) => {
            if event.cluster_session_id == cluster_session_id && event.leadership_term_id < term {
                log::info!(
                    target: "rusteron_cluster::session",
                    "ignored a stale session event of term {} (current term {term}): {:?} {}",
                    event.leadership_term_id,
                    event.code,
                    event.detail
                );
            } else if event.cluster_session_id == cluster_session_id {
                if event.code == EventCode::CLOSED {
                    session.set(ClusterState::PendingClose, None);
                }
                d.session_event(&event);
            }
            CONTINUE
        }
        Ok(Egress::NewLeader(ev)) => {
            if ev.cluster_session_id == cluster_session_id && ev.leadership_term_id >= term {
                *new_leader = Some((
                    ev.leadership_term_id,
                    ev.leader_member_id,
                    ev.ingress_endpoints.to_string(),
                    header.session_id(),
                ));
                // Apply it before anything after it is delivered.
                BREAK
            } else {
                CONTINUE
            }
        }
        Ok(Egress::Admin(r)) => {
            if r.cluster_session_id == cluster_session_id {
                d.admin(&r);
            }
            CONTINUE
        }
        Ok(Egress::Challenge { .. }) | Ok(Egress::Other) => CONTINUE,
        Err(why) => {
            log::warn!(target: "rusteron_cluster::egress", "skipped an egress message of {} bytes: {why}", buffer.len());
            CONTINUE
        }
    }
}

/// The two kinds of listener behind one poll loop.
pub(crate) trait Dispatch {
    fn message(
        &mut self,
        id: i64,
        ts: i64,
        payload: &[u8],
        h: &AeronHeader<'_>,
    ) -> AeronControlledFragmentHandlerAction;
    fn session_event(&mut self, e: &SessionEvent<'_>);
    fn new_leader(&mut self, e: &NewLeaderEvent<'_>);
    fn admin(&mut self, r: &AdminResponse<'_>);
}

pub(crate) struct Plain<'a, L: ?Sized>(pub(crate) &'a mut L);
pub(crate) struct Controlled<'a, L: ?Sized>(pub(crate) &'a mut L);

impl<L: EgressListener + ?Sized> Dispatch for Plain<'_, L> {
    #[inline]
    fn message(
        &mut self,
        id: i64,
        ts: i64,
        payload: &[u8],
        h: &AeronHeader<'_>,
    ) -> AeronControlledFragmentHandlerAction {
        self.0.on_message(id, ts, payload, h);
        CONTINUE
    }
    fn session_event(&mut self, e: &SessionEvent<'_>) {
        self.0.on_session_event(e)
    }
    fn new_leader(&mut self, e: &NewLeaderEvent<'_>) {
        self.0.on_new_leader(e)
    }
    fn admin(&mut self, r: &AdminResponse<'_>) {
        self.0.on_admin_response(r)
    }
}

impl<L: ControlledEgressListener + ?Sized> Dispatch for Controlled<'_, L> {
    #[inline]
    fn message(
        &mut self,
        id: i64,
        ts: i64,
        payload: &[u8],
        h: &AeronHeader<'_>,
    ) -> AeronControlledFragmentHandlerAction {
        self.0.on_message(id, ts, payload, h)
    }
    fn session_event(&mut self, e: &SessionEvent<'_>) {
        self.0.on_session_event(e)
    }
    fn new_leader(&mut self, e: &NewLeaderEvent<'_>) {
        self.0.on_new_leader(e)
    }
    fn admin(&mut self, r: &AdminResponse<'_>) {
        self.0.on_admin_response(r)
    }
}
