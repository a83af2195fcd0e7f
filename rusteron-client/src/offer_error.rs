//! [`AeronOfferError`]: why an offer or a claim was refused, as an enum to match on, converting
//! from and into [`AeronCError`].

use crate::bindings;
use crate::callbacks::AeronReservedValueSupplierCallback;
use crate::error::{AeronCError, AeronErrorType};
use crate::publication::AeronBufferClaim;
use crate::{AeronExclusivePublication, AeronIovec, AeronPublication};
use std::fmt;

/// Why an offer (or `try_claim`) was refused: Aeron's `AERON_PUBLICATION_*` results, one
/// variant each, and any other failure as [`Error`](Self::Error).
///
/// The `*_typed` methods of [`AeronPublication`] and [`AeronExclusivePublication`] return it;
/// the plain `offer`/`try_claim` keep returning [`AeronCError`], and `?` or
/// [`From`] converts either way (`AeronOfferError::from(e)` maps an offer result's code to its
/// variant; `AeronCError::from(offer_error)` gives the same code and kind back).
///
/// ```
/// use rusteron_client::*;
/// use std::time::Duration;
///
/// let driver = testing::start_embedded_driver()?;
/// let aeron = driver.connect()?;
/// let publication = aeron.add_publication(c"aeron:ipc", 21, Duration::from_secs(5))?;
/// // Nobody subscribes yet.
/// match publication.offer_typed(b"anyone?") {
///     Err(AeronOfferError::NotConnected) => {}
///     other => panic!("expected NotConnected, got {other:?}"),
/// }
/// let error: AeronCError = AeronOfferError::BackPressured.into();
/// assert_eq!(error.kind(), AeronErrorType::PublicationBackPressured);
/// assert_eq!(AeronOfferError::from(error), AeronOfferError::BackPressured);
/// # Ok::<(), AeronCError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AeronOfferError {
    /// No subscriber is connected (`AERON_PUBLICATION_NOT_CONNECTED`, -1). Retryable.
    NotConnected,
    /// Subscribers or the term are behind: back pressure (`AERON_PUBLICATION_BACK_PRESSURED`,
    /// -2). Retryable, after idling.
    BackPressured,
    /// An administrative action (a term rotation) was under way
    /// (`AERON_PUBLICATION_ADMIN_ACTION`, -3). Retry at once.
    AdminAction,
    /// The publication is closed (`AERON_PUBLICATION_CLOSED`, -4). Final for this publication.
    Closed,
    /// The stream reached its maximum position (`AERON_PUBLICATION_MAX_POSITION_EXCEEDED`, -5):
    /// a new publication (session) is needed. Final for this publication.
    MaxPositionExceeded,
    /// Any other failure (`AERON_PUBLICATION_ERROR`, -6, with Aeron's message, or a refusal of
    /// this crate such as a claim longer than a frame).
    Error(AeronCError),
}

impl AeronOfferError {
    /// `Ok(position)` for a position, the refusal for a negative `AERON_PUBLICATION_*` result
    /// (what `offer_raw` returns). `AERON_PUBLICATION_ERROR` reads Aeron's error message of the
    /// calling thread.
    #[inline]
    pub fn from_position(position: i64) -> Result<i64, Self> {
        if position >= 0 {
            return Ok(position);
        }
        Err(match position {
            p if p == bindings::AERON_PUBLICATION_NOT_CONNECTED as i64 => AeronOfferError::NotConnected,
            p if p == bindings::AERON_PUBLICATION_BACK_PRESSURED as i64 => AeronOfferError::BackPressured,
            p if p == bindings::AERON_PUBLICATION_ADMIN_ACTION as i64 => AeronOfferError::AdminAction,
            p if p == bindings::AERON_PUBLICATION_CLOSED as i64 => AeronOfferError::Closed,
            p if p == bindings::AERON_PUBLICATION_MAX_POSITION_EXCEEDED as i64 => AeronOfferError::MaxPositionExceeded,
            p => Self::other(p),
        })
    }

    #[cold]
    #[inline(never)]
    fn other(position: i64) -> Self {
        if position == bindings::AERON_PUBLICATION_ERROR as i64 {
            AeronOfferError::Error(AeronCError::last())
        } else {
            AeronOfferError::Error(AeronCError::from_code(position.clamp(i32::MIN as i64, -1) as i32))
        }
    }

    /// The `AERON_PUBLICATION_*` code (-1 to -5), or the code of the wrapped error.
    pub fn code(&self) -> i32 {
        match self {
            AeronOfferError::NotConnected => bindings::AERON_PUBLICATION_NOT_CONNECTED,
            AeronOfferError::BackPressured => bindings::AERON_PUBLICATION_BACK_PRESSURED,
            AeronOfferError::AdminAction => bindings::AERON_PUBLICATION_ADMIN_ACTION,
            AeronOfferError::Closed => bindings::AERON_PUBLICATION_CLOSED,
            AeronOfferError::MaxPositionExceeded => bindings::AERON_PUBLICATION_MAX_POSITION_EXCEEDED,
            AeronOfferError::Error(e) => e.code,
        }
    }

    /// True when the same offer may succeed later: not connected yet, back pressure, admin
    /// action.
    pub fn is_retryable(&self) -> bool {
        matches!(self, AeronOfferError::NotConnected | AeronOfferError::BackPressured | AeronOfferError::AdminAction)
    }

    /// True when this publication can take no more messages: closed, or at its maximum
    /// position (and the fatal kinds of [`AeronCError::is_fatal`] for `Error`).
    pub fn is_fatal(&self) -> bool {
        match self {
            AeronOfferError::Closed | AeronOfferError::MaxPositionExceeded => true,
            AeronOfferError::Error(e) => e.is_fatal(),
            _ => false,
        }
    }
}

impl From<AeronCError> for AeronOfferError {
    /// An offer result's code (the kind `PublicationBackPressured`, ...) becomes its variant;
    /// anything else (a failed call's `-1` included, which is not "not connected") is `Error`.
    fn from(e: AeronCError) -> Self {
        match e.kind() {
            AeronErrorType::NullOrNotConnected => AeronOfferError::NotConnected,
            AeronErrorType::PublicationBackPressured => AeronOfferError::BackPressured,
            AeronErrorType::PublicationAdminAction => AeronOfferError::AdminAction,
            AeronErrorType::PublicationClosed => AeronOfferError::Closed,
            AeronErrorType::PublicationMaxPositionExceeded => AeronOfferError::MaxPositionExceeded,
            _ => AeronOfferError::Error(e),
        }
    }
}

impl From<AeronOfferError> for AeronCError {
    /// The error the plain `offer` would have returned: same code and kind.
    fn from(e: AeronOfferError) -> Self {
        match e {
            AeronOfferError::Error(e) => e,
            other => AeronCError::from_code(other.code()),
        }
    }
}

impl fmt::Display for AeronOfferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AeronOfferError::Error(e) => write!(f, "offer failed: {e}"),
            other => {
                write!(f, "offer refused: {} ({})", AeronErrorType::from_code(other.code()).description(), other.code())
            }
        }
    }
}

impl std::error::Error for AeronOfferError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AeronOfferError::Error(e) => Some(e),
            _ => None,
        }
    }
}

macro_rules! typed_offers {
    ($t:ty) => {
        impl $t {
            /// [`offer`](Self::offer) with the refusal as an [`AeronOfferError`] to match on.
            /// Same cost: nothing is allocated unless C reports `AERON_PUBLICATION_ERROR`.
            #[inline]
            pub fn offer_typed(&self, buffer: &[u8]) -> Result<i64, AeronOfferError> {
                AeronOfferError::from_position(self.offer_raw(buffer))
            }

            /// [`offer_with_reserved_value`](Self::offer_with_reserved_value) with the refusal as
            /// an [`AeronOfferError`].
            #[inline]
            pub fn offer_with_reserved_value_typed<R: AeronReservedValueSupplierCallback>(
                &self,
                buffer: &[u8],
                supplier: &mut R,
            ) -> Result<i64, AeronOfferError> {
                self.offer_with_reserved_value(buffer, supplier).map_err(AeronOfferError::from)
            }

            /// [`offerv`](Self::offerv) with the refusal as an [`AeronOfferError`].
            #[inline]
            pub fn offerv_typed(&self, iov: &[AeronIovec<'_>]) -> Result<i64, AeronOfferError> {
                self.offerv(iov).map_err(AeronOfferError::from)
            }

            /// [`try_claim`](Self::try_claim) with the refusal as an [`AeronOfferError`].
            #[inline]
            pub fn try_claim_typed(&self, length: usize) -> Result<AeronBufferClaim<'_>, AeronOfferError> {
                self.try_claim(length).map_err(AeronOfferError::from)
            }
        }
    };
}
typed_offers!(AeronPublication);
typed_offers!(AeronExclusivePublication);
