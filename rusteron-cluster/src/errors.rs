//! The errors of the cluster client, as kinds to match on.
//!
//! Every fallible call returns an [`AeronCError`]; the ones the cluster client makes itself carry
//! one of the codes below and a message that says what happened (the cluster's own text for an
//! `ERROR` or `AUTHENTICATION_REJECTED` event, the input that was wrong, the state and timeout of
//! a connect that timed out). [`ClusterErrorExt::cluster_error_kind`] reads the kind back.

use crate::{AeronCError, AeronErrorType};

/// What went wrong in a cluster call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClusterErrorKind {
    /// The cluster rejected the credentials (an `AUTHENTICATION_REJECTED` session event).
    AuthenticationRejected,
    /// The cluster answered a connect with an `ERROR` session event (its detail is the message).
    ClusterError,
    /// A setting or an argument is invalid; the message names it.
    InvalidArgument,
    /// The session is closed (by [`close`](crate::AeronCluster::close), by the cluster, or after
    /// no new leader came within the new-leader timeout).
    SessionClosed,
    /// A message longer than the ingress publication's maximum message length (less the session
    /// header).
    MessageTooLong,
    /// A wait ran past its deadline (connect: the message timeout).
    TimedOut,
}

impl ClusterErrorKind {
    /// The error code of this kind.
    pub const fn code(self) -> i32 {
        match self {
            ClusterErrorKind::AuthenticationRejected => 3101,
            ClusterErrorKind::ClusterError => 3102,
            ClusterErrorKind::InvalidArgument => 3103,
            ClusterErrorKind::SessionClosed => 3104,
            ClusterErrorKind::MessageTooLong => 3105,
            ClusterErrorKind::TimedOut => AeronErrorType::TimedOut.code(),
        }
    }

    /// The kind of a code made by this crate (`TimedOut` shares the client's code).
    pub const fn from_code(code: i32) -> Option<Self> {
        Some(match code {
            3101 => ClusterErrorKind::AuthenticationRejected,
            3102 => ClusterErrorKind::ClusterError,
            3103 => ClusterErrorKind::InvalidArgument,
            3104 => ClusterErrorKind::SessionClosed,
            3105 => ClusterErrorKind::MessageTooLong,
            110 | -110 => ClusterErrorKind::TimedOut,
            _ => return None,
        })
    }

    /// An error of this kind with `message`.
    pub fn error(self, message: impl Into<String>) -> AeronCError {
        AeronCError::with_message(self.code(), message.into())
    }
}

/// Reads a [`ClusterErrorKind`] from an [`AeronCError`].
pub trait ClusterErrorExt {
    /// The cluster kind of this error, if it has one.
    fn cluster_error_kind(&self) -> Option<ClusterErrorKind>;
}

impl ClusterErrorExt for AeronCError {
    fn cluster_error_kind(&self) -> Option<ClusterErrorKind> {
        ClusterErrorKind::from_code(self.code)
    }
}

pub(crate) fn invalid(message: impl Into<String>) -> AeronCError {
    ClusterErrorKind::InvalidArgument.error(message)
}
