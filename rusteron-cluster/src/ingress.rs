//! The ingress publication to the leader: exclusive or concurrent, as the context says.

use crate::{
    Aeron, AeronAsyncAddExclusivePublication, AeronAsyncAddPublication, AeronBufferClaim, AeronCError,
    AeronExclusivePublication, AeronIovec, AeronPublication, IntoCString,
};

/// An ingress publication.
pub(crate) enum Ingress {
    Exclusive(AeronExclusivePublication),
    Concurrent(AeronPublication),
}

impl Ingress {
    #[inline]
    pub(crate) fn offerv(&self, iov: &[AeronIovec<'_>]) -> Result<i64, AeronCError> {
        match self {
            Ingress::Exclusive(p) => p.offerv(iov),
            Ingress::Concurrent(p) => p.offerv(iov),
        }
    }

    #[inline]
    pub(crate) fn try_claim(&self, length: usize) -> Result<AeronBufferClaim<'_>, AeronCError> {
        match self {
            Ingress::Exclusive(p) => p.try_claim(length),
            Ingress::Concurrent(p) => p.try_claim(length),
        }
    }

    #[inline]
    pub(crate) fn offer(&self, buffer: &[u8]) -> Result<i64, AeronCError> {
        match self {
            Ingress::Exclusive(p) => p.offer(buffer),
            Ingress::Concurrent(p) => p.offer(buffer),
        }
    }

    pub(crate) fn is_connected(&self) -> bool {
        match self {
            Ingress::Exclusive(p) => p.is_connected(),
            Ingress::Concurrent(p) => p.is_connected(),
        }
    }

    pub(crate) fn max_message_length(&self) -> usize {
        match self {
            Ingress::Exclusive(p) => p.max_message_length().unwrap_or(0),
            Ingress::Concurrent(p) => p.max_message_length().unwrap_or(0),
        }
    }

    pub(crate) fn max_payload_length(&self) -> usize {
        match self {
            Ingress::Exclusive(p) => p.max_payload_length().unwrap_or(0),
            Ingress::Concurrent(p) => p.max_payload_length().unwrap_or(0),
        }
    }

    /// `Err` with the reason when this is not the sole handle (for `handoff`).
    pub(crate) fn check_sole_handle(&mut self) -> Result<(), &'static str> {
        match self {
            Ingress::Exclusive(p) => crate::SingleThreaded::check_sole_handle(p),
            // A concurrent publication may be used from any thread.
            Ingress::Concurrent(_) => Ok(()),
        }
    }
}

/// An ingress publication being added.
pub(crate) enum PendingIngress {
    Exclusive(AeronAsyncAddExclusivePublication),
    Concurrent(AeronAsyncAddPublication),
}

impl PendingIngress {
    pub(crate) fn start(aeron: &Aeron, channel: &str, stream_id: i32, exclusive: bool) -> Result<Self, AeronCError> {
        let uri = channel.try_into_c_string().map_err(|_| crate::errors::invalid("ingress channel contains NUL"))?;
        Ok(if exclusive {
            PendingIngress::Exclusive(aeron.async_add_exclusive_publication(&uri, stream_id)?)
        } else {
            PendingIngress::Concurrent(aeron.async_add_publication(&uri, stream_id)?)
        })
    }

    pub(crate) fn poll(&self) -> Result<Option<Ingress>, AeronCError> {
        Ok(match self {
            PendingIngress::Exclusive(a) => a.poll()?.map(Ingress::Exclusive),
            PendingIngress::Concurrent(a) => a.poll()?.map(Ingress::Concurrent),
        })
    }
}
