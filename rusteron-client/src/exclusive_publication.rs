//! `AeronExclusivePublication`: a publication with a single offering thread
//! (`aeron_exclusive_publication_t`).

use crate::bindings;
use crate::callbacks::*;
use crate::error::AeronCError;
use crate::handler::{Guarded, Handler};
use crate::publication::*;

crate::c_wrapper!(
    /// A publication that only one thread offers to at a time: faster than
    /// [`AeronPublication`](crate::AeronPublication), and it can append padding and blocks.
    ///
    /// Created by [`Aeron::add_exclusive_publication`](crate::Aeron::add_exclusive_publication);
    /// closed when the last clone drops; it keeps its client alive.
    ///
    /// Threads: neither `Send` nor `Sync`: offers must come from one thread at a time, and
    /// clones share one C publication. To offer on another thread, add it there or move it with
    /// [`handoff`](Self::handoff) (see [`Handoff`](crate::Handoff)); several threads offering
    /// to one stream use an [`AeronPublication`](crate::AeronPublication).
    ///
    /// ```compile_fail,E0277
    /// fn offer_from_two_threads(p: &rusteron_client::AeronExclusivePublication) {
    ///     let clone = p.clone();
    ///     std::thread::spawn(move || clone.offer(b"x"));
    ///     p.offer(b"y").ok();
    /// }
    /// ```
    AeronExclusivePublication => bindings::aeron_exclusive_publication_t
);
crate::single_threaded!(AeronExclusivePublication);

publication_common!(
    AeronExclusivePublication,
    bindings::aeron_exclusive_publication_t,
    aeron_exclusive_publication_offer,
    aeron_exclusive_publication_offerv,
    aeron_exclusive_publication_try_claim,
    aeron_exclusive_publication_position,
    aeron_exclusive_publication_position_limit,
    aeron_exclusive_publication_channel_status,
    aeron_exclusive_publication_is_closed,
    aeron_exclusive_publication_is_connected,
    aeron_exclusive_publication_constants
);

impl AeronExclusivePublication {
    /// The channel URI (copied from the constants).
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

    /// Appends a padding record of `length` bytes, moving the stream position on without a
    /// message (`aeron_exclusive_publication_append_padding`). Returns the new position.
    pub fn append_padding(&self, length: usize) -> Result<i64, AeronCError> {
        offer_result(unsafe { bindings::aeron_exclusive_publication_append_padding(self.get_inner(), length) })
    }

    /// Offers a block of already formatted frames (headers included, with this publication's
    /// session/stream/term ids) into the current term (`aeron_exclusive_publication_offer_block`).
    ///
    /// C checks only the first frame (its ids, its term offset against the publication's) and
    /// the term boundary, and subscribers trust every header. So every frame is checked here
    /// first: a whole number of 32-byte-aligned frames, none shorter than its header or running
    /// past the end; each a DATA frame (or padding), a DATA frame no longer than the MTU
    /// (`max_payload_length` + header: a sender never sends a longer one, so the stream would
    /// stall); every frame with the first one's session, stream and term ids, and a term offset
    /// that follows from the first one's. A bad block is an `EINVAL` error naming the frame
    /// (its offset in the block) and what is wrong with it.
    pub fn offer_block(&self, buffer: &[u8]) -> Result<i64, AeronCError> {
        let mut constants: bindings::aeron_publication_constants_t = unsafe { std::mem::zeroed() };
        crate::error::check(unsafe {
            bindings::aeron_exclusive_publication_constants(self.get_inner(), &mut constants)
        })?;
        check_block(buffer, constants.max_payload_length + 32)?;
        offer_result(unsafe {
            bindings::aeron_exclusive_publication_offer_block(self.get_inner(), buffer.as_ptr(), buffer.len())
        })
    }

    /// Offers with a reserved value supplier given as a closure or callback object; see
    /// `offer_with_reserved_value`. Kept for symmetry with the C argument order.
    pub fn offer_with_supplier<R: AeronReservedValueSupplierCallback>(
        &self,
        buffer: &[u8],
        supplier: &mut R,
    ) -> Result<i64, AeronCError> {
        let rc = Guarded::run(supplier, |clientd| unsafe {
            bindings::aeron_exclusive_publication_offer(
                self.get_inner(),
                buffer.as_ptr(),
                buffer.len(),
                Some(reserved_value_supplier_trampoline::<R>),
                clientd,
            )
        });
        offer_result(rc)
    }

    /// The local socket addresses of this publication's channel (usually its control address);
    /// empty for IPC (`aeron_exclusive_publication_local_sockaddrs`).
    pub fn local_sockaddrs(&self) -> Result<Vec<String>, AeronCError> {
        read_local_sockaddrs(|v, n| unsafe {
            bindings::aeron_exclusive_publication_local_sockaddrs(self.get_inner(), v, n)
        })
    }

    /// Marks the publication to be revoked when it is closed
    /// (`aeron_exclusive_publication_revoke_on_close`): subscribers see it end at once instead of
    /// draining what remains.
    pub fn revoke_on_close(&self) {
        unsafe { bindings::aeron_exclusive_publication_revoke_on_close(self.get_inner()) }
    }

    /// Closes this publication (`aeron_exclusive_publication_close`), calling
    /// `on_close_complete` once the client has processed it. Like
    /// [`AeronPublication::close`](crate::AeronPublication::close): the C close runs when the last
    /// clone drops; returns whether that happened now.
    pub fn close<H: AeronNotificationCallback + Send + 'static>(
        self,
        on_close_complete: Option<&Handler<H>>,
    ) -> Result<bool, AeronCError> {
        crate::closing::close_with_notification(self.resource(), on_close_complete)
    }

    /// Revokes and closes this publication (`aeron_exclusive_publication_revoke`): sets
    /// [`revoke_on_close`](Self::revoke_on_close), then [`close`](Self::close)s.
    pub fn revoke<H: AeronNotificationCallback + Send + 'static>(
        self,
        on_close_complete: Option<&Handler<H>>,
    ) -> Result<bool, AeronCError> {
        if self.resource().managed().is_none() {
            return Err(AeronCError::with_message(-1, "a borrowed publication cannot be revoked through this handle"));
        }
        self.revoke_on_close();
        self.close(on_close_complete)
    }
}

/// Checks that `block` is a sequence of whole, aligned frames (see `offer_block`).
fn check_block(block: &[u8], max_frame_length: usize) -> Result<(), AeronCError> {
    const HEADER: usize = 32; // AERON_DATA_HEADER_LENGTH
    const ALIGNMENT: usize = 32; // AERON_LOGBUFFER_FRAME_ALIGNMENT
    const PAD: u16 = 0x00; // AERON_HDR_TYPE_PAD
    const DATA: u16 = 0x01; // AERON_HDR_TYPE_DATA
    let bad = |why: String| Err(AeronCError::with_message(libc::EINVAL, format!("offer_block: {why}")));
    if block.len() < HEADER || !block.len().is_multiple_of(ALIGNMENT) {
        return bad(format!("a block of {} bytes is not whole 32-byte-aligned frames", block.len()));
    }
    let i32_at = |at: usize| i32::from_le_bytes(block[at..at + 4].try_into().unwrap_or([0; 4]));
    // The ids every frame must carry, from the first frame (C checks those against the
    // publication), and the first frame's term offset, from which every other one follows.
    let (first_term_offset, session_id, stream_id, term_id) = (i32_at(8), i32_at(12), i32_at(16), i32_at(20));
    let mut offset = 0;
    while offset < block.len() {
        let length = i32_at(offset);
        if length < HEADER as i32 {
            return bad(format!("frame at offset {offset} has length {length}, shorter than its header"));
        }
        let aligned = (length as usize).div_ceil(ALIGNMENT) * ALIGNMENT;
        if aligned > block.len() - offset {
            return bad(format!("frame at offset {offset} (length {length}) runs past the end of the block"));
        }
        let frame_type = u16::from_le_bytes([block[offset + 6], block[offset + 7]]);
        match frame_type {
            DATA if length as usize > max_frame_length => {
                return bad(format!(
                    "DATA frame at offset {offset} has length {length}, above the publication's MTU \
                     ({max_frame_length} bytes with its header): it would never be sent"
                ))
            }
            DATA | PAD => {}
            other => return bad(format!("frame at offset {offset} has type {other:#x}, not DATA (0x1) or PAD (0x0)")),
        }
        let expected_offset = first_term_offset as i64 + offset as i64;
        let checks = [
            ("term offset", i32_at(offset + 8) as i64, expected_offset),
            ("session id", i32_at(offset + 12) as i64, session_id as i64),
            ("stream id", i32_at(offset + 16) as i64, stream_id as i64),
            ("term id", i32_at(offset + 20) as i64, term_id as i64),
        ];
        for (what, got, expected) in checks {
            if got != expected {
                return bad(format!("frame at offset {offset} has {what} {got}, expected {expected}"));
            }
        }
        offset += aligned;
    }
    Ok(())
}
