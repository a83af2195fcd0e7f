//! The session state machine of a connected client: the state, its deadline, the state-change
//! listener, and what an ingress result means for it (Java's `trackIngressPublicationResult`).

use crate::context::StateChangeListener;
use crate::listener::ClusterState;
use crate::{AeronCError, AeronErrorType};
use std::time::{Duration, Instant};

/// The session state and its bookkeeping, apart from the ingress so that a claim can borrow the
/// ingress while the state is updated.
pub(crate) struct Session {
    pub(crate) state: ClusterState,
    pub(crate) deadline: Option<Instant>,
    pub(crate) listener: Option<StateChangeListener>,
    /// The ingress must be closed at the next call (set where it is still borrowed).
    pub(crate) drop_ingress: bool,
    /// When the last state change happened.
    pub(crate) changed_at: Instant,
}

impl Session {
    pub(crate) fn set(&mut self, new: ClusterState, deadline: Option<Instant>) {
        let old = self.state;
        self.state = new;
        self.deadline = deadline;
        if old != new {
            self.changed_at = Instant::now();
            log::debug!(target: "rusteron_cluster::session", "state {old:?} -> {new:?}");
            if let Some(l) = self.listener.as_mut() {
                l(old, new);
            }
        }
    }

    /// Java's `trackIngressPublicationResult`, with the close of the ingress deferred.
    #[inline]
    pub(crate) fn track(&mut self, result: &Result<i64, AeronCError>, new_leader_timeout: Duration) {
        match self.state {
            ClusterState::Connected => {
                if let Err(e) = result {
                    match e.kind() {
                        AeronErrorType::NullOrNotConnected | AeronErrorType::PublicationClosed => {
                            self.drop_ingress = true;
                            self.set(ClusterState::AwaitNewLeader, Some(deadline_after(new_leader_timeout)));
                        }
                        AeronErrorType::PublicationMaxPositionExceeded => {
                            self.drop_ingress = true;
                            self.set(ClusterState::PendingClose, None);
                        }
                        _ => {}
                    }
                }
            }
            ClusterState::AwaitNewLeaderConnection => {
                if matches!(result, Ok(p) if *p > 0) {
                    self.set(ClusterState::Connected, None);
                }
            }
            _ => {}
        }
    }
}

pub(crate) fn deadline_after(d: Duration) -> Instant {
    rusteron_client::__private::deadline_after(d)
}
