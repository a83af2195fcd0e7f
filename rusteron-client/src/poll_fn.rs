//! Polls that take a closure and let the compiler infer its parameter types.
//!
//! `poll_once` is generic over [`AeronFragmentHandlerCallback`](crate::AeronFragmentHandlerCallback)
//! (a closure or a handler type), so a closure passed to it needs typed parameters
//! (`|msg: &[u8], header: AeronHeader<'_>|`). The `*_fn` forms below are bound on the closure
//! type itself, which lets Rust infer them: `subscription.poll_fn(|msg, header| ..., 10)`. They
//! run the same code as `poll_once` (monomorphised, nothing allocated).

use crate::error::AeronCError;
use crate::{AeronControlledFragmentHandlerAction, AeronHeader, AeronImage, AeronSubscription};

impl AeronSubscription {
    /// Polls up to `fragment_limit` fragments into `handler`, a closure whose parameter types
    /// are inferred; otherwise the same as [`poll_once`](Self::poll_once).
    ///
    /// ```no_run
    /// # fn f(subscription: &rusteron_client::AeronSubscription) -> Result<(), rusteron_client::AeronCError> {
    /// let mut last_position = 0;
    /// let mut bytes = 0;
    /// subscription.poll_fn(|msg, header| { bytes += msg.len(); last_position = header.position(); }, 10)?;
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn poll_fn<F: FnMut(&[u8], AeronHeader<'_>)>(
        &self,
        mut handler: F,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        self.poll_with(&mut handler, fragment_limit)
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

impl AeronImage {
    /// [`poll_once`](Self::poll_once) with a closure whose parameter types are inferred.
    #[inline]
    pub fn poll_fn<F: FnMut(&[u8], AeronHeader<'_>)>(
        &self,
        mut handler: F,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        self.poll_with(&mut handler, fragment_limit)
    }
}
