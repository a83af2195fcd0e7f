//! `AeronImage`: one publisher's stream as a subscription sees it (`aeron_image_t`).

use crate::bindings;
use crate::callbacks::*;
use crate::error::{check, AeronCError};
use crate::reentry::{polling_guarded, Polled};
use crate::strings::c_str_to_str;
use crate::{AeronSubscription, ManagedCResource};
use std::ffi::CStr;

crate::c_wrapper!(
    /// The stream from one publisher (session) inside a subscription.
    ///
    /// Images handed to callbacks are borrowed for the call. Images returned by
    /// [`AeronSubscription::image_by_session_id`] and [`AeronSubscription::image_at_index`] are
    /// retained (`aeron_subscription_image_retain`) and released when the last clone drops, and
    /// they keep their subscription alive.
    ///
    /// Threads: neither `Send` nor `Sync`: polling an image is single-threaded, and an image is
    /// polled through its subscription too, so it stays on the subscription's thread (no
    /// handoff: look it up on the thread that polls).
    ///
    /// ```compile_fail,E0277
    /// fn poll_elsewhere(image: rusteron_client::AeronImage) {
    ///     std::thread::spawn(move || image.position());
    /// }
    /// ```
    AeronImage => bindings::aeron_image_t
);

crate::c_struct_wrapper!(@pointers
    /// Configuration of an image that does not change during its lifetime
    /// (`aeron_image_constants_t`).
    AeronImageConstants => bindings::aeron_image_constants_t
);
unsafe impl Send for AeronImageConstants {}
unsafe impl Sync for AeronImageConstants {}

impl AeronImageConstants {
    /// Where the publication is, as the driver describes it (address and port, or `aeron:ipc`).
    pub fn source_identity(&self) -> &str {
        unsafe { c_str_to_str(self.clone_struct().source_identity) }
    }
}

impl AeronImage {
    /// Wraps an image found through a subscription, retaining it for the wrapper's lifetime.
    pub(crate) fn retained(sub: &AeronSubscription, img: *mut bindings::aeron_image_t) -> Option<Self> {
        if img.is_null() {
            return None;
        }
        // The C lookups already retain the image; the wrapper releases it once.
        let m = ManagedCResource::from_raw(img, Some(Box::new(|i| unsafe { bindings::aeron_image_release(i) })));
        m.add_dependency(sub.as_dependency());
        Some(unsafe { Self::from_managed(m) })
    }

    /// The image's constants (session id, correlation id, join position, source identity, ...).
    pub fn get_constants(&self) -> Result<AeronImageConstants, AeronCError> {
        let c = AeronImageConstants::new_zeroed();
        check(unsafe { bindings::aeron_image_constants(self.get_inner(), c.get_inner()) })?;
        // `source_identity` points into the image: the constants (and their copies) keep it.
        c.keep_alive(self.as_dependency());
        Ok(c)
    }

    /// The publisher's session id.
    pub fn session_id(&self) -> i32 {
        self.get_constants().map(|c| c.session_id).unwrap_or(-1)
    }

    /// Where the publication is (copied: the constants are owned).
    pub fn source_identity(&self) -> String {
        self.get_constants().map(|c| c.source_identity().to_string()).unwrap_or_default()
    }

    /// How far this subscriber has consumed.
    #[inline]
    pub fn position(&self) -> i64 {
        unsafe { bindings::aeron_image_position(self.get_inner()) }
    }

    /// True when the publisher has ended the stream and it was consumed.
    pub fn is_end_of_stream(&self) -> bool {
        unsafe { bindings::aeron_image_is_end_of_stream(self.get_inner()) }
    }

    /// Position of the end of stream (`i64::MAX` while none).
    pub fn end_of_stream_position(&self) -> i64 {
        unsafe { bindings::aeron_image_end_of_stream_position(self.get_inner()) }
    }

    /// True once the image is closed.
    pub fn is_closed(&self) -> bool {
        unsafe { bindings::aeron_image_is_closed(self.get_inner()) }
    }

    /// What a poll of this image marks (see `reentry`).
    pub(crate) fn polled(&self) -> Polled {
        Polled::Image(self.get_inner(), self.retaining_subscription())
    }

    /// What the outermost poll of this image marks: the image alone (its subscription is only
    /// looked up for a poll nested inside a handler, see `polled`).
    #[inline(always)]
    pub(crate) fn poll_mark(&self) -> Polled {
        Polled::Image(self.get_inner(), None)
    }

    /// One C poll of this image whose handler goes through a `Guarded` `clientd` (see
    /// [`polling_guarded`]): `call` gets the image and the `clientd`.
    #[inline(always)]
    fn polling_guarded<H: ?Sized, R>(
        &self,
        handler: &mut H,
        what: &str,
        call: impl FnOnce(*mut bindings::aeron_image_t, *mut std::os::raw::c_void) -> R,
    ) -> Result<R, AeronCError> {
        let image = self.get_inner();
        polling_guarded(self.poll_mark(), || self.polled(), handler, what, |clientd| call(image, clientd))
    }

    /// Polls up to `fragment_limit` fragments but not past `limit_position`
    /// (`aeron_image_bounded_poll`).
    #[inline]
    pub fn bounded_poll<F: AeronFragmentHandlerCallback>(
        &self,
        mut handler: F,
        limit_position: i64,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        check(self.polling_guarded(&mut handler, "AeronImage::bounded_poll", |image, clientd| unsafe {
            bindings::aeron_image_bounded_poll(
                image,
                Some(fragment_handler_trampoline::<F>),
                clientd,
                limit_position,
                fragment_limit,
            )
        })?)
    }

    /// Controlled poll that stops at `limit_position` (`aeron_image_bounded_controlled_poll`).
    #[inline]
    pub fn bounded_controlled_poll<F: AeronControlledFragmentHandlerCallback>(
        &self,
        mut handler: F,
        limit_position: i64,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        check(self.polling_guarded(&mut handler, "AeronImage::bounded_controlled_poll", |image, clientd| unsafe {
            bindings::aeron_image_bounded_controlled_poll(
                image,
                Some(controlled_fragment_handler_trampoline::<F>),
                clientd,
                limit_position,
                fragment_limit,
            )
        })?)
    }

    /// Polls whole blocks of frames up to `block_length_limit` bytes (`aeron_image_block_poll`);
    /// returns the bytes consumed.
    pub fn block_poll<F: AeronBlockHandlerCallback>(
        &self,
        mut handler: F,
        block_length_limit: usize,
    ) -> Result<i32, AeronCError> {
        check(self.polling_guarded(&mut handler, "AeronImage::block_poll", |image, clientd| unsafe {
            bindings::aeron_image_block_poll(image, Some(block_handler_trampoline::<F>), clientd, block_length_limit)
        })?)
    }

    /// Transports (receivers' sources) seen active within the image liveness timeout; 0 for IPC
    /// or a closed image (`aeron_image_active_transport_count`).
    pub fn active_transport_count(&self) -> Result<i32, AeronCError> {
        check(unsafe { bindings::aeron_image_active_transport_count(self.get_inner()) })
    }

    /// True when the publication behind this image was revoked (`aeron_image_is_publication_revoked`).
    pub fn is_publication_revoked(&self) -> bool {
        unsafe { bindings::aeron_image_is_publication_revoked(self.get_inner()) }
    }

    /// Asks the driver to reject this image, with a reason sent to the publisher
    /// (`aeron_image_reject`). Only network images can be rejected.
    ///
    /// A reason longer than [`AERON_REJECT_REASON_MAX_LENGTH`](crate::AERON_REJECT_REASON_MAX_LENGTH)
    /// (1023 bytes: the media driver refuses longer ones) is refused here with an `EINVAL` error
    /// naming the limit. (An over-long reason used to reach C's error handler, whose default
    /// ended the process.)
    pub fn reject(&self, reason: &CStr) -> Result<i32, AeronCError> {
        let len = reason.to_bytes().len();
        crate::limits::check_length(
            "AeronImage::reject",
            "reason",
            len,
            crate::AERON_REJECT_REASON_MAX_LENGTH,
            "a reject reason (AERON_ERROR_MAX_TEXT_LENGTH)",
        )?;
        // Not `aeron_image_reject`: it follows `image->subscription`, which the client conductor
        // sets to NULL (on its own thread, at any moment) once a lingering image has left its
        // subscription, while this wrapper keeps the image itself alive. The image's
        // correlation id and position stay readable for as long as it is retained, and the
        // subscription it was found through is kept alive by this wrapper, so the reject goes
        // to that subscription directly.
        let Some(subscription) = self.retaining_subscription() else {
            // A view made with the `unsafe` `from_borrowed`: its caller promised a live image in
            // its subscription.
            return check(unsafe { bindings::aeron_image_reject(self.get_inner(), reason.as_ptr()) });
        };
        let constants = self.get_constants()?;
        let position = self.position();
        check(unsafe {
            bindings::aeron_subscription_reject_image(subscription, constants.correlation_id, position, reason.as_ptr())
        })
    }

    /// The subscription a retained image was found through (kept alive by this wrapper).
    fn retaining_subscription(&self) -> Option<*mut bindings::aeron_subscription_t> {
        type SubscriptionHandle = Option<std::sync::Arc<ManagedCResource<bindings::aeron_subscription_t>>>;
        let m = self.resource().managed()?;
        m.dependencies().iter().find_map(|d| d.downcast_ref::<SubscriptionHandle>()?.as_ref().map(|s| s.get()))
    }

    /// Correlation id of the image with the driver.
    pub fn correlation_id(&self) -> i64 {
        self.get_constants().map(|c| c.correlation_id).unwrap_or(-1)
    }

    /// The position the subscriber joined the stream at.
    pub fn join_position(&self) -> i64 {
        self.get_constants().map(|c| c.join_position).unwrap_or(-1)
    }
}
