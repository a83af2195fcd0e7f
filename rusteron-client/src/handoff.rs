//! Moving a single-threaded C object to the thread that will use it.
//!
//! Aeron's C client lets any thread use a client ([`Aeron`](crate::Aeron)), a concurrent
//! [`AeronPublication`](crate::AeronPublication) or an [`AeronCounter`](crate::AeronCounter), but
//! a subscription, an exclusive publication, an image, a fragment assembler or a context must be
//! used by one thread at a time: their C functions take no lock. In this crate those wrappers are
//! neither `Send` nor `Sync`, so a clone cannot reach a second thread and two threads can never
//! poll or offer on the same C object. The hot paths pay nothing for it: the rule is checked by
//! the compiler, not at run time.
//!
//! To give such an object to another thread (the usual poller or sender thread), either create it
//! there (clone the `Aeron`, which is `Send + Sync`, into the thread and add the subscription
//! there), or hand it over: [`Handoff::new`] (or the wrapper's own `handoff()`) takes the
//! wrapper by value, checks that it is the only handle on its C object (no clone, no image or
//! assembler or merge made from it, not a borrowed view), and returns a `Send` package; the
//! receiving thread opens it with [`Handoff::into_inner`].
//!
//! ```no_run
//! use rusteron_client::*;
//! # fn main() -> Result<(), AeronCError> {
//! let ctx = AeronContext::new()?;
//! let aeron = Aeron::new(&ctx)?;
//! aeron.start()?;
//! let subscription = aeron.add_subscription(
//!     c"aeron:ipc",
//!     1001,
//!     no_available_image_handler(),
//!     no_unavailable_image_handler(),
//!     std::time::Duration::from_secs(5),
//! )?;
//! let parcel = subscription.handoff()?; // fails, giving the subscription back, if a clone exists
//! let poller = std::thread::spawn(move || {
//!     let subscription = parcel.into_inner();
//!     let mut received = 0usize;
//!     while received < 10 {
//!         received += subscription.poll_once(|_msg: &[u8], _h: AeronHeader<'_>| {}, 10).unwrap_or(0) as usize;
//!     }
//! });
//! poller.join().unwrap();
//! # Ok(())
//! # }
//! ```
//!
//! Sending a clone instead does not compile:
//!
//! ```compile_fail,E0277
//! use rusteron_client::*;
//! fn race(subscription: AeronSubscription) {
//!     let other = subscription.clone();
//!     std::thread::spawn(move || other.poll_once(|_m: &[u8], _h: AeronHeader<'_>| {}, 10));
//!     subscription.poll_once(|_m: &[u8], _h: AeronHeader<'_>| {}, 10).ok();
//! }
//! ```
//!
//! Objects made from a single-threaded object and using it (an image of a subscription, a
//! replay merge or archive poller over a subscription, an archive proxy over an exclusive
//! publication) have no handoff: create them on the thread that uses them, from a subscription
//! or publication handed to that thread.

use std::fmt;

/// A wrapper whose C object must only be used by one thread at a time, and that can tell whether
/// it is the only handle on that object.
///
/// # Safety
/// `check_sole_handle` may return `Ok` only when no other value anywhere can reach the same C
/// object through safe code (no clone, no view, no object that uses it), and when everything else
/// the wrapper holds may be dropped or used on another thread. [`Handoff`] relies on it to be
/// `Send`.
pub unsafe trait SingleThreaded: Sized {
    /// `Ok` if `self` is the only handle on its C object; otherwise why not.
    fn check_sole_handle(&mut self) -> Result<(), &'static str>;
}

/// A single-threaded wrapper packed to move to another thread: `Send`, and opened there with
/// [`into_inner`](Self::into_inner). Made by [`Handoff::new`] (or the wrapper's `handoff()`),
/// which only succeeds for the sole handle on the C object.
#[must_use = "a handoff is opened with into_inner on the receiving thread"]
pub struct Handoff<T: SingleThreaded> {
    value: T,
}

// SAFETY: `new` only packs a value that is the sole handle on its C object
// (`SingleThreaded::check_sole_handle`), so once it has moved no other thread can reach that
// object: it is used by one thread at a time, which is all C asks.
unsafe impl<T: SingleThreaded> Send for Handoff<T> {}

impl<T: SingleThreaded> Handoff<T> {
    /// Packs `value` for another thread if it is the only handle on its C object; otherwise
    /// gives it back inside the error, with the reason.
    pub fn new(mut value: T) -> Result<Self, HandoffError<T>> {
        match value.check_sole_handle() {
            Ok(()) => Ok(Handoff { value }),
            Err(reason) => Err(HandoffError { value, reason }),
        }
    }

    /// The wrapper, on the thread that received the handoff.
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T: SingleThreaded> fmt::Debug for Handoff<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Handoff<{}>", short_type_name::<T>())
    }
}

/// Why a wrapper could not be handed to another thread; holds the wrapper, unchanged.
pub struct HandoffError<T> {
    value: T,
    reason: &'static str,
}

impl<T> HandoffError<T> {
    /// The wrapper that was not handed off.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// Why: which other handle still reaches the C object.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full)
}

impl<T> fmt::Display for HandoffError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot hand this {} to another thread: {}", short_type_name::<T>(), self.reason)
    }
}

impl<T> fmt::Debug for HandoffError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandoffError").field("type", &short_type_name::<T>()).field("reason", &self.reason).finish()
    }
}

impl<T> std::error::Error for HandoffError<T> {}

/// `EBUSY`: another handle is using the object.
const EBUSY: i32 = 16;

impl<T> From<HandoffError<T>> for crate::AeronCError {
    /// Drops the wrapper (this handle only; the other handles keep the C object) and keeps the
    /// message, code `EBUSY`.
    fn from(e: HandoffError<T>) -> Self {
        crate::AeronCError::with_message(EBUSY, e.to_string())
    }
}

/// Declares a `c_wrapper!` type single-threaded: [`SingleThreaded`] (sole handle = the only
/// clone of an owned object, not a view) and an inherent `handoff()`. The type must not be
/// `Send` or `Sync` and must hold nothing but its `CResource`.
#[macro_export]
#[doc(hidden)]
macro_rules! single_threaded {
    ($name:ident) => {
        // SAFETY: the wrapper holds only its CResource; `sole_handle` checks that this is the
        // only strong reference to an owned object (everything that uses the object holds one).
        unsafe impl $crate::SingleThreaded for $name {
            fn check_sole_handle(&mut self) -> Result<(), &'static str> {
                $crate::resource::sole_handle(&mut self.inner)
            }
        }

        impl $name {
            /// Packs this handle to move to another thread (a `Handoff`, opened there with
            /// `into_inner`); fails, giving the handle back, while any clone, view or object
            /// made from it exists.
            pub fn handoff(self) -> Result<$crate::Handoff<Self>, $crate::HandoffError<Self>> {
                $crate::Handoff::new(self)
            }
        }
    };
}
