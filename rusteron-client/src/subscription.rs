//! `AeronSubscription`: receives the streams of one channel and stream id (`aeron_subscription_t`).

use crate::bindings;
use crate::callbacks::*;
use crate::error::{check, AeronCError};
use crate::handler::{Guarded, Handler};
use crate::image::AeronImage;
use crate::reentry::{busy_error, is_busy, polling, refuse_if_busy, Polled};
use crate::strings::c_str_to_str;

crate::c_wrapper!(
    /// A subscription to a channel and stream id; each publisher it hears is an [`AeronImage`].
    ///
    /// Created by [`Aeron::add_subscription`](crate::Aeron::add_subscription) or
    /// [`AeronAsyncAddSubscription`](crate::AeronAsyncAddSubscription); closed when the last
    /// clone drops. It keeps its client and its image handlers alive.
    ///
    /// Threads: neither `Send` nor `Sync`: polling is single-threaded in Aeron's C client, and
    /// clones share one C subscription, so no clone may reach another thread. To poll on
    /// another thread, add the subscription there or move it with
    /// [`handoff`](Self::handoff) (see [`Handoff`](crate::Handoff)).
    ///
    /// ```compile_fail,E0277
    /// fn send_a_clone(s: &rusteron_client::AeronSubscription) {
    ///     let clone = s.clone();
    ///     std::thread::spawn(move || drop(clone)); // error: `*mut aeron_subscription_t` cannot be sent
    /// }
    /// ```
    AeronSubscription => bindings::aeron_subscription_t
);
crate::single_threaded!(AeronSubscription);

crate::c_struct_wrapper!(@pointers
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
    pub fn poll_once<F: AeronFragmentHandlerCallback>(
        &self,
        mut handler: F,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        self.poll_with(&mut handler, fragment_limit)
    }

    /// Like [`poll_once`](Self::poll_once) with a handler borrowed mutably (keeps its state).
    #[inline]
    pub fn poll_with<F: AeronFragmentHandlerCallback + ?Sized>(
        &self,
        handler: &mut F,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        // No panic slot to set up: see `poll_fragment_trampoline` and `poll_result`.
        let mut handler: &mut F = handler;
        let (trampoline, clientd) = crate::handler::poll_args(&mut handler);
        let sub = self.get_inner();
        // Refused from inside a handler of a poll of this subscription: see `reentry`.
        polling(
            Polled::Subscription(sub),
            || Polled::Subscription(sub),
            || unsafe { bindings::aeron_subscription_poll(sub, trampoline, clientd, fragment_limit) },
            crate::handler::poll_result,
            || Err(busy_error("AeronSubscription::poll")),
        )
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
            Some(h) => h.with_mut(|h| self.poll_with(h, fragment_limit)).unwrap_or_else(|| Err(handler_busy())),
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
        let sub = self.get_inner();
        let rc = Guarded::run(handler, |clientd| {
            polling(
                Polled::Subscription(sub),
                || Polled::Subscription(sub),
                || unsafe {
                    bindings::aeron_subscription_controlled_poll(
                        sub,
                        Some(controlled_fragment_handler_trampoline::<F>),
                        clientd,
                        fragment_limit,
                    )
                },
                Some,
                || None,
            )
        });
        check(rc.ok_or_else(|| busy_error("AeronSubscription::controlled_poll"))?)
    }

    /// Controlled poll with a leaked [`Handler`].
    pub fn controlled_poll<F: AeronControlledFragmentHandlerCallback + Send + 'static>(
        &self,
        handler: Option<&Handler<F>>,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        match handler {
            Some(h) => {
                h.with_mut(|h| self.controlled_poll_with(h, fragment_limit)).unwrap_or_else(|| Err(handler_busy()))
            }
            _ => Ok(0),
        }
    }

    /// Polls whole blocks of frames, up to `block_length_limit` bytes; returns bytes consumed.
    pub fn block_poll_once<F: AeronBlockHandlerCallback>(
        &self,
        mut handler: F,
        block_length_limit: usize,
    ) -> Result<i64, AeronCError> {
        let sub = self.get_inner();
        let rc = Guarded::run(&mut handler, |clientd| {
            polling(
                Polled::Subscription(sub),
                || Polled::Subscription(sub),
                || unsafe {
                    bindings::aeron_subscription_block_poll(
                        sub,
                        Some(block_handler_trampoline::<F>),
                        clientd,
                        block_length_limit,
                    )
                },
                Some,
                || None,
            )
        });
        let rc = rc.ok_or_else(|| busy_error("AeronSubscription::block_poll"))?;
        if rc < 0 {
            Err(AeronCError::last())
        } else {
            Ok(rc)
        }
    }

    /// True when at least one image is connected.
    ///
    /// From inside a handler of a poll of this subscription it is `true` without asking C (an
    /// image is delivering): C's answer would let the client conductor free the image list the
    /// outer poll is walking.
    #[inline]
    pub fn is_connected(&self) -> bool {
        if is_busy(Polled::Subscription(self.get_inner())) {
            return true;
        }
        unsafe { bindings::aeron_subscription_is_connected(self.get_inner()) }
    }

    /// `None` (logged at `warn`) for an image lookup from inside a handler of a poll of this
    /// subscription: the lookup would let the conductor free the image list being walked.
    fn lookup_refused(&self, what: &str) -> bool {
        if is_busy(Polled::Subscription(self.get_inner())) {
            log::warn!("{}", busy_error(what));
            true
        } else {
            false
        }
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
        // `channel` points into the subscription: the constants (and their copies) keep it.
        c.keep_alive(self.as_dependency());
        Ok(c)
    }

    /// The number of images (publishers heard).
    pub fn image_count(&self) -> Result<i32, AeronCError> {
        refuse_if_busy(Polled::Subscription(self.get_inner()), "AeronSubscription::image_count")?;
        check(unsafe { bindings::aeron_subscription_image_count(self.get_inner()) })
    }

    /// The image of a session, retained until the returned wrapper (and its clones) drop.
    ///
    /// `None` (logged) from inside a handler of a poll of this subscription.
    pub fn image_by_session_id(&self, session_id: i32) -> Option<AeronImage> {
        if self.lookup_refused("AeronSubscription::image_by_session_id") {
            return None;
        }
        let img = unsafe { bindings::aeron_subscription_image_by_session_id(self.get_inner(), session_id) };
        AeronImage::retained(self, img)
    }

    /// The image at `index`, retained until the returned wrapper (and its clones) drop.
    ///
    /// `None` (logged) from inside a handler of a poll of this subscription.
    pub fn image_at_index(&self, index: usize) -> Option<AeronImage> {
        if self.lookup_refused("AeronSubscription::image_at_index") {
            return None;
        }
        let img = unsafe { bindings::aeron_subscription_image_at_index(self.get_inner(), index) };
        AeronImage::retained(self, img)
    }
}

unsafe extern "C" fn for_each_image_trampoline<F: FnMut(*mut bindings::aeron_image_t)>(
    image: *mut bindings::aeron_image_t,
    clientd: *mut std::os::raw::c_void,
) {
    Guarded::<F>::call(clientd, (), |f| f(image))
}

fn trampoline_of<F: FnMut(*mut bindings::aeron_image_t)>(
    _: &F,
) -> unsafe extern "C" fn(*mut bindings::aeron_image_t, *mut std::os::raw::c_void) {
    for_each_image_trampoline::<F>
}

impl AeronSubscription {
    /// Calls `f` with each image of this subscription (`aeron_subscription_for_each_image`).
    /// Each image is retained (as by [`image_by_session_id`](Self::image_by_session_id)) and
    /// keeps this subscription alive, so it stays valid if `f` keeps it past the call. An image
    /// that went away in the meantime is skipped.
    ///
    /// The C iteration only collects session ids; the images are looked up and `f` runs after
    /// it returned, so nothing `f` does (another lookup, a poll) can touch the image list while
    /// C walks it.
    ///
    /// From inside a handler of a poll of this subscription it calls nothing (logged at `warn`).
    pub fn for_each_image<F: FnMut(AeronImage)>(&self, mut f: F) {
        if self.lookup_refused("AeronSubscription::for_each_image") {
            return;
        }
        let mut sessions = Vec::new();
        let mut collect = |image: *mut bindings::aeron_image_t| {
            // SAFETY: C holds the image for the duration of this call; the temporary borrow
            // does not leave this closure.
            sessions.push(unsafe { AeronImage::from_borrowed(image) }.session_id());
        };
        let trampoline = trampoline_of(&collect);
        Guarded::run(&mut collect, |clientd| unsafe {
            bindings::aeron_subscription_for_each_image(self.get_inner(), Some(trampoline), clientd)
        });
        for session_id in sessions {
            if let Some(retained) = self.image_by_session_id(session_id) {
                f(retained)
            }
        }
    }

    /// The images of this subscription, each retained until its wrapper drops.
    pub fn images(&self) -> Vec<AeronImage> {
        let mut v = Vec::new();
        self.for_each_image(|img| {
            if let Ok(r) = self.image_retain(&img) {
                v.push(r);
            }
        });
        v
    }

    /// Retains `image` and returns an owned handle to it: the image stays mapped, even after it
    /// becomes unavailable, until the handle (and its clones) drop, which releases it
    /// (`aeron_image_release`). The handle keeps this subscription alive.
    ///
    /// `aeron_subscription_image_retain` silently does nothing for an image that already left
    /// the subscription, which would make the later release unbalanced; so the image is looked up
    /// again by session id (a lookup that always retains what it finds) and must be the same
    /// image. An image that is gone gives an error.
    pub fn image_retain(&self, image: &AeronImage) -> Result<AeronImage, AeronCError> {
        let session_id = image.get_constants()?.session_id;
        match self.image_by_session_id(session_id) {
            Some(found) if found.get_inner() == image.get_inner() => Ok(found),
            _ => Err(AeronCError::with_message(
                -1,
                format!("image of session {session_id} is no longer part of this subscription"),
            )),
        }
    }

    /// Releases an image retained through this subscription (drops the handle; the C release,
    /// `aeron_image_release`, runs when its last clone drops). Releasing a borrowed image is an
    /// error: only what was retained can be released.
    pub fn image_release(&self, image: AeronImage) -> Result<(), AeronCError> {
        if image.resource().managed().is_none() {
            return Err(AeronCError::with_message(-1, "this image was not retained: there is nothing to release"));
        }
        drop(image);
        Ok(())
    }

    /// The local socket addresses this subscription receives on; several for a
    /// multi-destination subscription, none for IPC (`aeron_subscription_local_sockaddrs`).
    pub fn local_sockaddrs(&self) -> Result<Vec<String>, AeronCError> {
        crate::publication::read_local_sockaddrs(|v, n| unsafe {
            bindings::aeron_subscription_local_sockaddrs(self.get_inner(), v, n)
        })
    }

    /// The first local socket address (the resolved endpoint, e.g. with a wildcard port filled
    /// in), or `None` if there is none yet (`aeron_subscription_resolved_endpoint`).
    pub fn resolved_endpoint(&self) -> Result<Option<String>, AeronCError> {
        let mut buf = [0u8; bindings::AERON_CLIENT_MAX_LOCAL_ADDRESS_STR_LEN as usize];
        let rc = unsafe {
            bindings::aeron_subscription_resolved_endpoint(self.get_inner(), buf.as_mut_ptr() as *mut _, buf.len())
        };
        if rc < 0 {
            return Err(AeronCError::last());
        }
        if rc == 0 {
            return Ok(None);
        }
        let end = buf.iter().position(|&c| c == 0).unwrap_or(buf.len());
        Ok(Some(String::from_utf8_lossy(&buf[..end]).into_owned()))
    }

    /// The channel URI with a wildcard port (`:0`) replaced by the port actually bound
    /// (`aeron_subscription_try_resolve_channel_endpoint_port`); the original URI otherwise.
    /// `Ok(None)` if the endpoint is not resolved yet.
    pub fn try_resolve_channel_endpoint_port(&self) -> Result<Option<String>, AeronCError> {
        let mut len = 256usize;
        loop {
            let mut buf = vec![0u8; len];
            let rc = unsafe {
                bindings::aeron_subscription_try_resolve_channel_endpoint_port(
                    self.get_inner(),
                    buf.as_mut_ptr() as *mut _,
                    len,
                )
            };
            if rc < 0 {
                return Err(AeronCError::last());
            }
            let n = rc as usize;
            if n >= len {
                len = n + 64;
                continue;
            }
            if n == 0 {
                return Ok(None);
            }
            buf.truncate(n);
            return Ok(Some(String::from_utf8_lossy(&buf).into_owned()));
        }
    }

    /// Closes this subscription (`aeron_subscription_close`), calling `on_close_complete` once
    /// the client has processed it. The C close runs when the last clone drops (images retained
    /// from it hold clones too); returns whether that happened now.
    pub fn close<H: AeronNotificationCallback + Send + 'static>(
        self,
        on_close_complete: Option<&Handler<H>>,
    ) -> Result<bool, AeronCError> {
        crate::closing::close_with_notification(self.resource(), on_close_complete)
    }
}

/// The error for a poll whose handler was released, or that this thread is already running.
#[cold]
fn handler_busy() -> AeronCError {
    AeronCError::with_message(-1, "the handler was released, or this thread is already running it (re-entrant poll)")
}
