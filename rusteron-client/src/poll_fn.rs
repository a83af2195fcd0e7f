//! The fragment polls of [`AeronSubscription`] and [`AeronImage`], defined once for both
//! (`fragment_polls!`): plain (`poll_once`, `poll_with`, `poll_fn`) and controlled
//! (`controlled_poll_once`, `controlled_poll_with`, `controlled_poll_fn`).
//!
//! `poll_once` is generic over [`AeronFragmentHandlerCallback`](crate::AeronFragmentHandlerCallback)
//! (a closure or a handler type), so a closure passed to it needs typed parameters
//! (`|msg: &[u8], header: AeronHeader<'_>|`). The `*_fn` forms are bound on the closure type
//! itself, which lets Rust infer them: `subscription.poll_fn(|msg, header| ..., 10)`. They run
//! the same code as `poll_once` (monomorphised, nothing allocated).

use crate::bindings;
use crate::callbacks::{
    controlled_fragment_handler_trampoline, AeronControlledFragmentHandlerCallback, AeronFragmentHandlerCallback,
};
use crate::error::{check, AeronCError};
use crate::handler::OwnedPoll;
use crate::reentry::{busy_error, polling, polling_guarded};
use crate::{AeronControlledFragmentHandlerAction, AeronHeader, AeronImage, AeronSubscription};

/// Declares the fragment polls of `$t`, whose C polls are `$cpoll` and `$ccontrolled`. `$t`
/// provides `poll_mark()` (what the outermost poll marks, built without a lookup) and `polled()`
/// (the full description, for a poll nested inside a handler; see `reentry`).
macro_rules! fragment_polls {
    ($t:ident, $source:literal, poll $cpoll:ident, controlled $ccontrolled:ident) => {
        impl $t {
            #[doc = concat!("Polls up to `fragment_limit` fragments of ", $source, " (`", stringify!($cpoll), "`),")]
            /// calling `handler` for each; returns how many.
            ///
            /// `handler` is any closure `FnMut(&[u8], AeronHeader)` or a type implementing
            /// [`AeronFragmentHandlerCallback`]. Nothing is allocated. If the handler panics, the
            /// rest of the fragments of this poll are skipped (they are consumed), C returns
            /// normally, and the panic resumes here.
            #[inline]
            pub fn poll_once<F: AeronFragmentHandlerCallback>(
                &self,
                handler: F,
                fragment_limit: usize,
            ) -> Result<i32, AeronCError> {
                // The handler and its panic slot in one frame on this stack: see `OwnedPoll`.
                let mut frame = OwnedPoll::new(handler);
                let (trampoline, frame) = frame.args();
                let raw = self.get_inner();
                polling(
                    self.poll_mark(),
                    || self.polled(),
                    || unsafe { bindings::$cpoll(raw, trampoline, frame as *mut std::os::raw::c_void, fragment_limit) },
                    // SAFETY: `frame` from `args`; C has returned.
                    |rc| unsafe { OwnedPoll::result(frame, rc) },
                    || Err(busy_error(concat!(stringify!($t), "::poll"))),
                )
            }

            /// Like [`poll_once`](Self::poll_once) with a handler borrowed mutably (keeps its
            /// state). A panic goes through the thread-local slot (`poll_fragment_trampoline`):
            /// `clientd` is the handler itself.
            #[inline]
            pub fn poll_with<F: AeronFragmentHandlerCallback + ?Sized>(
                &self,
                handler: &mut F,
                fragment_limit: usize,
            ) -> Result<i32, AeronCError> {
                // No panic slot to set up: see `poll_fragment_trampoline` and `poll_result`.
                let mut handler: &mut F = handler;
                let (trampoline, clientd) = crate::handler::poll_args(&mut handler);
                let raw = self.get_inner();
                // Refused from inside a handler of a poll of the same object (or of the
                // subscription or image it belongs to): see `reentry`.
                polling(
                    self.poll_mark(),
                    || self.polled(),
                    || unsafe { bindings::$cpoll(raw, trampoline, clientd, fragment_limit) },
                    crate::handler::poll_result,
                    || Err(busy_error(concat!(stringify!($t), "::poll"))),
                )
            }

            /// Polls up to `fragment_limit` fragments into `handler`, a closure whose parameter
            /// types are inferred; otherwise the same as [`poll_once`](Self::poll_once).
            ///
            /// ```no_run
            #[doc = concat!("# fn f(source: &rusteron_client::", stringify!($t), ") -> Result<(), rusteron_client::AeronCError> {")]
            /// let mut last_position = 0;
            /// let mut bytes = 0;
            /// source.poll_fn(|msg, header| { bytes += msg.len(); last_position = header.position(); }, 10)?;
            /// # Ok(()) }
            /// ```
            #[inline]
            pub fn poll_fn<F: FnMut(&[u8], AeronHeader<'_>)>(
                &self,
                handler: F,
                fragment_limit: usize,
            ) -> Result<i32, AeronCError> {
                self.poll_once(handler, fragment_limit)
            }

            #[doc = concat!("Polls ", $source, " with flow control (`", stringify!($ccontrolled), "`): the handler")]
            /// returns an `AERON_ACTION_*` for each fragment. A panic aborts at that fragment (it
            /// will be delivered again) and resumes here.
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
                let raw = self.get_inner();
                let what = concat!(stringify!($t), "::controlled_poll");
                check(polling_guarded(self.poll_mark(), || self.polled(), handler, what, |clientd| unsafe {
                    bindings::$ccontrolled(
                        raw,
                        Some(controlled_fragment_handler_trampoline::<F>),
                        clientd,
                        fragment_limit,
                    )
                })?)
            }

            /// [`controlled_poll_once`](Self::controlled_poll_once) with a closure whose parameter
            /// types are inferred.
            #[inline]
            pub fn controlled_poll_fn<F: FnMut(&[u8], AeronHeader<'_>) -> AeronControlledFragmentHandlerAction>(
                &self,
                mut handler: F,
                fragment_limit: usize,
            ) -> Result<i32, AeronCError> {
                self.controlled_poll_with(&mut handler, fragment_limit)
            }
        }
    };
}

fragment_polls!(
    AeronSubscription, "this subscription's images",
    poll aeron_subscription_poll, controlled aeron_subscription_controlled_poll
);
fragment_polls!(AeronImage, "this image only", poll aeron_image_poll, controlled aeron_image_controlled_poll);
