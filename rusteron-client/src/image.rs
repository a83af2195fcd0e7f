//! `AeronImage`: one publisher's stream as a subscription sees it (`aeron_image_t`).

use crate::bindings;
use crate::callbacks::*;
use crate::error::{check, AeronCError};
use crate::handler::Guarded;
use crate::strings::c_str_to_str;
use crate::{AeronSubscription, ManagedCResource};

crate::c_wrapper!(
    /// The stream from one publisher (session) inside a subscription.
    ///
    /// Images handed to callbacks are borrowed for the call. Images returned by
    /// [`AeronSubscription::image_by_session_id`] and [`AeronSubscription::image_at_index`] are
    /// retained (`aeron_subscription_image_retain`) and released when the last clone drops, and
    /// they keep their subscription alive.
    ///
    /// Threads: `Send`, not `Sync` (polling an image is single-threaded).
    AeronImage => bindings::aeron_image_t
);
unsafe impl Send for AeronImage {}

crate::c_struct_wrapper!(
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
        Some(Self::from_managed(m))
    }

    /// The image's constants (session id, correlation id, join position, source identity, ...).
    pub fn get_constants(&self) -> Result<AeronImageConstants, AeronCError> {
        let c = AeronImageConstants::new_zeroed();
        check(unsafe { bindings::aeron_image_constants(self.get_inner(), c.get_inner()) })?;
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

    /// Polls this image only; see [`AeronSubscription::poll_once`].
    #[inline]
    pub fn poll_once<F: AeronFragmentHandlerCallback>(&self, mut handler: F, fragment_limit: usize) -> Result<i32, AeronCError> {
        let mut g = Guarded::new(&mut handler);
        let rc = unsafe {
            bindings::aeron_image_poll(self.get_inner(), Some(fragment_handler_trampoline::<F>), g.as_clientd(), fragment_limit)
        };
        g.finish();
        check(rc)
    }
}
