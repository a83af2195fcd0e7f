//! `AeronExclusivePublication`: a publication with a single offering thread
//! (`aeron_exclusive_publication_t`).

use crate::bindings;
use crate::error::{check, AeronCError};
use crate::handler::Guarded;
use crate::publication::*;
use crate::callbacks::*;
use crate::strings::c_str_to_str;

crate::c_wrapper!(
    /// A publication that only one thread offers to at a time: faster than
    /// [`AeronPublication`](crate::AeronPublication), and it can append padding and blocks.
    ///
    /// Threads: `Send`, not `Sync`: offers must come from one thread at a time.
    AeronExclusivePublication => bindings::aeron_exclusive_publication_t
);
unsafe impl Send for AeronExclusivePublication {}

publication_common!(
    AeronExclusivePublication, bindings::aeron_exclusive_publication_t,
    aeron_exclusive_publication_offer, aeron_exclusive_publication_offerv, aeron_exclusive_publication_try_claim,
    aeron_exclusive_publication_position, aeron_exclusive_publication_position_limit,
    aeron_exclusive_publication_channel_status, aeron_exclusive_publication_is_closed,
    aeron_exclusive_publication_is_connected, aeron_exclusive_publication_constants
);

impl AeronExclusivePublication {
    /// The channel URI.
    pub fn channel(&self) -> String {
        self.get_constants().map(|c| c.channel().to_string()).unwrap_or_default()
    }

    /// The stream id.
    pub fn stream_id(&self) -> i32 {
        self.get_constants().map(|c| c.stream_id).unwrap_or(-1)
    }

    /// The session id.
    pub fn session_id(&self) -> i32 {
        self.get_constants().map(|c| c.session_id).unwrap_or(-1)
    }
}

#[allow(unused_imports)]
use {check as _check, c_str_to_str as _c, Guarded as _g};
#[allow(dead_code)]
fn _unused<R: AeronReservedValueSupplierCallback>() {}
