//! `AeronSubscription`: receives the streams of one channel and stream id (`aeron_subscription_t`).

use crate::bindings;
use crate::callbacks::*;
use crate::error::{check, AeronCError};
use crate::handler::{Guarded, Handler};
use crate::image::AeronImage;
use crate::strings::c_str_to_str;

crate::c_wrapper!(
    /// A subscription to a channel and stream id; each publisher it hears is an [`AeronImage`].
    ///
    /// Created by [`Aeron::add_subscription`](crate::Aeron::add_subscription) or
    /// [`AeronAsyncAddSubscription`](crate::AeronAsyncAddSubscription); closed when the last
    /// clone drops. It keeps its client and its image handlers alive.
    ///
    /// Threads: `Send`, not `Sync`: polling is single-threaded in Aeron's C client.
    AeronSubscription => bindings::aeron_subscription_t
);
unsafe impl Send for AeronSubscription {}

crate::c_struct_wrapper!(
    /// Configuration of a subscription that does not change during its lifetime
    /// (`aeron_subscription_constants_t`).
    AeronSubscriptionConstants => bindings::aeron_subscription_constants_t
);
unsafe impl Send for AeronSubscriptionConstants {}
unsafe impl Sync for AeronSubscriptionConstants {}

impl AeronSubscriptionConstants {
    /// The channel URI.
    pub fn channel(&self) -> &str {
        unsafe { c_str_to_str(self.clone_struct().channel) }
    }
}

impl AeronSubscription {
    /// Polls up to `fragment_limit` fragments, calling `handler` for each; returns how many.
    ///
    /// `handler` is any closure `FnMut(&[u8], AeronHeader)` or a type implementing
    /// [`AeronFragmentHandlerCallback`]. Nothing is allocated. If the handler panics, the rest
    /// of the fragments of this poll are skipped (they are consumed), C returns normally, and
    /// the panic resumes here.
    #[inline]
    pub fn poll_once<F: AeronFragmentHandlerCallback>(&self, mut handler: F, fragment_limit: usize) -> Result<i32, AeronCError> {
        self.poll_with(&mut handler, fragment_limit)
    }

    /// Like [`poll_once`](Self::poll_once) with a handler borrowed mutably (keeps its state).
    #[inline]
    pub fn poll_with<F: AeronFragmentHandlerCallback + ?Sized>(&self, handler: &mut F, fragment_limit: usize) -> Result<i32, AeronCError> {
        let mut g = Guarded::new(handler);
        let rc = unsafe {
            bindings::aeron_subscription_poll(self.get_inner(), Some(fragment_handler_trampoline::<F>), g.as_clientd(), fragment_limit)
        };
        g.finish();
        check(rc)
    }

    /// Polls with a leaked [`Handler`]; `None` consumes fragments without a handler... which C
    /// does not allow, so `None` returns 0 without polling.
    #[inline]
    pub fn poll<F: AeronFragmentHandlerCallback + Send + 'static>(
        &self,
        handler: Option<&Handler<F>>,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        match handler {
            Some(h) if !h.is_released() => self.poll_with(unsafe { h.get_mut() }, fragment_limit),
            _ => Ok(0),
        }
    }

    /// Polls with flow control: the handler returns `AERON_ACTION_*` for each fragment. A panic
    /// aborts at that fragment (it will be delivered again) and resumes here.
    #[inline]
    pub fn controlled_poll_once<F: AeronControlledFragmentHandlerCallback>(
        &self,
        mut handler: F,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        self.controlled_poll_with(&mut handler, fragment_limit)
    }

    /// Like [`controlled_poll_once`](Self::controlled_poll_once) with a borrowed handler.
    #[inline]
    pub fn controlled_poll_with<F: AeronControlledFragmentHandlerCallback + ?Sized>(
        &self,
        handler: &mut F,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        let mut g = Guarded::new(handler);
        let rc = unsafe {
            bindings::aeron_subscription_controlled_poll(
                self.get_inner(),
                Some(controlled_fragment_handler_trampoline::<F>),
                g.as_clientd(),
                fragment_limit,
            )
        };
        g.finish();
        check(rc)
    }

    /// Controlled poll with a leaked [`Handler`].
    pub fn controlled_poll<F: AeronControlledFragmentHandlerCallback + Send + 'static>(
        &self,
        handler: Option<&Handler<F>>,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        match handler {
            Some(h) if !h.is_released() => self.controlled_poll_with(unsafe { h.get_mut() }, fragment_limit),
            _ => Ok(0),
        }
    }

    /// Polls whole blocks of frames, up to `block_length_limit` bytes; returns bytes consumed.
    pub fn block_poll_once<F: AeronBlockHandlerCallback>(&self, mut handler: F, block_length_limit: usize) -> Result<i64, AeronCError> {
        let mut g = Guarded::new(&mut handler);
        let rc = unsafe {
            bindings::aeron_subscription_block_poll(
                self.get_inner(),
                Some(block_handler_trampoline::<F>),
                g.as_clientd(),
                block_length_limit,
            )
        };
        g.finish();
        if rc < 0 {
            Err(AeronCError::last())
        } else {
            Ok(rc as i64)
        }
    }

    /// True when at least one image is connected.
    #[inline]
    pub fn is_connected(&self) -> bool {
        unsafe { bindings::aeron_subscription_is_connected(self.get_inner()) }
    }

    /// True once the subscription is closed.
    pub fn is_closed(&self) -> bool {
        unsafe { bindings::aeron_subscription_is_closed(self.get_inner()) }
    }

    /// The channel's status (`1` active, `-1` errored, ...).
    pub fn channel_status(&self) -> i64 {
        unsafe { bindings::aeron_subscription_channel_status(self.get_inner()) }
    }

    /// The subscription's constants (channel, registration id, stream id, ...).
    pub fn get_constants(&self) -> Result<AeronSubscriptionConstants, AeronCError> {
        let c = AeronSubscriptionConstants::new_zeroed();
        check(unsafe { bindings::aeron_subscription_constants(self.get_inner(), c.get_inner()) })?;
        Ok(c)
    }

    /// The number of images (publishers heard).
    pub fn image_count(&self) -> Result<i32, AeronCError> {
        check(unsafe { bindings::aeron_subscription_image_count(self.get_inner()) })
    }

    /// The image of a session, retained until the returned wrapper (and its clones) drop.
    pub fn image_by_session_id(&self, session_id: i32) -> Option<AeronImage> {
        let img = unsafe { bindings::aeron_subscription_image_by_session_id(self.get_inner(), session_id) };
        AeronImage::retained(self, img)
    }

    /// The image at `index`, retained until the returned wrapper (and its clones) drop.
    pub fn image_at_index(&self, index: usize) -> Option<AeronImage> {
        let img = unsafe { bindings::aeron_subscription_image_at_index(self.get_inner(), index) };
        AeronImage::retained(self, img)
    }
}
