//! The re-entry guard of polls: which C objects (subscriptions, images, fragment assemblers,
//! archive pollers) this thread is polling right now, so that a handler cannot poll (or
//! otherwise use) the same object again from inside its own callback.
//!
//! Why it matters: a handler's `&[u8]` points into memory the outer poll owns. A C assembler's
//! session buffer is reallocated by an inner poll through the same assembler. A subscription's
//! image list (and the images it dropped) are freed by the client conductor once an inner call
//! on the same subscription (a poll, `image_count`, `is_connected`, ...) tells C the subscriber
//! moved to a newer list, while the outer poll still walks the old one. An inner poll of the
//! image being delivered moves its position on, so the publisher may overwrite the term the
//! outer fragment is in.
//!
//! Cost: the outermost poll on a thread writes one thread-local word before its C call and
//! clears it after, and tests it first (a load and a branch). Only polls nested inside a
//! handler take the cold path, which keeps the inner objects in a small thread-local list and
//! checks the relations between them (an image and its subscription).

use crate::bindings;
use crate::error::AeronCError;
use std::cell::{Cell, RefCell};

/// Tags in the low bits of a marked object's address (C objects are 8-byte aligned).
const TAG_MASK: usize = 0b11;
const SUBSCRIPTION: usize = 0;
const IMAGE: usize = 1;
const OTHER: usize = 2;
/// Marks "a poll runs on this thread" without naming an object (never a real address).
const SENTINEL: usize = 0b111;

thread_local! {
    /// The (tagged) object the outermost poll on this thread polls; 0 when it polls nothing.
    static OUTERMOST: Cell<usize> = const { Cell::new(0) };
    /// The (tagged) objects of polls nested inside the outermost one's handlers.
    static NESTED: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// One object a poll marks.
#[derive(Clone, Copy)]
pub(crate) enum Polled {
    /// A subscription (`aeron_subscription_t`).
    Subscription(*mut bindings::aeron_subscription_t),
    /// An image, with the subscription it was found through when known.
    Image(*mut bindings::aeron_image_t, Option<*mut bindings::aeron_subscription_t>),
    /// Anything else (a fragment assembler, an archive poller).
    Other(usize),
}

impl Polled {
    fn tagged(self) -> usize {
        match self {
            Polled::Subscription(p) => p as usize | SUBSCRIPTION,
            Polled::Image(p, _) => p as usize | IMAGE,
            Polled::Other(p) => (p & !TAG_MASK) | OTHER,
        }
    }
}

/// The error for a call on an object this thread is polling (from inside its own handler).
#[cold]
#[inline(never)]
pub(crate) fn busy_error(what: &str) -> AeronCError {
    AeronCError::with_message(
        libc::EBUSY,
        format!(
            "{what}: called from inside a handler of a poll of the same object (or of the subscription or image \
             it belongs to) on this thread; the outer poll's fragment points into memory this call could free or \
             rewrite: call it after the poll returns"
        ),
    )
}

/// Calls `f` with each (tagged) object this thread is polling, until `f` says stop.
fn any_marked(mut f: impl FnMut(usize) -> bool) -> bool {
    let outer = OUTERMOST.with(|o| o.get());
    if outer != 0 && outer != SENTINEL && f(outer) {
        return true;
    }
    NESTED.with(|n| n.borrow().iter().any(|&m| f(m)))
}

/// True when a poll of `object` now would re-enter a poll running on this thread.
fn conflicts(object: Polled) -> bool {
    let me = object.tagged();
    if any_marked(|m| m == me) {
        return true;
    }
    match object {
        // An image of a subscription being polled (its fragment may be the one delivered).
        Polled::Image(_, Some(sub)) => any_marked(|m| m == sub as usize | SUBSCRIPTION),
        // A subscription one of whose images is being polled.
        Polled::Subscription(sub) => {
            let mut images = Vec::new();
            any_marked(|m| {
                if m & TAG_MASK == IMAGE {
                    images.push(m & !TAG_MASK);
                }
                false
            });
            !images.is_empty() && subscription_has_any(sub, &images)
        }
        _ => false,
    }
}

/// True if `sub` (not being polled: checked by the caller) holds one of `images`.
fn subscription_has_any(sub: *mut bindings::aeron_subscription_t, images: &[usize]) -> bool {
    unsafe extern "C" fn collect(image: *mut bindings::aeron_image_t, clientd: *mut std::os::raw::c_void) {
        // SAFETY: `clientd` is the Vec below, alive for the call; nothing here can unwind but a
        // failed allocation, which aborts.
        unsafe { (*(clientd as *mut Vec<usize>)).push(image as usize) }
    }
    let mut found: Vec<usize> = Vec::new();
    // SAFETY: `sub` is a live subscription (the caller holds its wrapper); this thread is not
    // polling it, so C may walk (and move on from) its image list.
    unsafe { bindings::aeron_subscription_for_each_image(sub, Some(collect), &mut found as *mut Vec<usize> as *mut _) };
    found.iter().any(|i| images.contains(i))
}

/// True while this thread is polling `object` or something it belongs to.
#[inline]
pub(crate) fn is_busy(object: Polled) -> bool {
    OUTERMOST.with(|o| o.get()) != 0 && conflicts(object)
}

/// Runs `call` (one C call that may call handlers and must not unwind: the trampolines stop
/// every panic) marked as polling `fast`, then `then` with its result (unmarked: `then` may
/// resume a panic); `busy()` instead if that would re-enter a poll this thread is running.
/// `object` (the full description, with the image's subscription) is only built on the cold
/// path (a poll nested inside a handler).
#[inline(always)]
pub(crate) fn polling<C, R>(
    fast: Polled,
    object: impl FnOnce() -> Polled,
    call: impl FnOnce() -> C,
    then: impl FnOnce(C) -> R,
    busy: impl FnOnce() -> R,
) -> R {
    if OUTERMOST.with(|o| o.get()) != 0 {
        return match enter_nested(&[object()]) {
            Some(mark) => {
                let c = call();
                drop(mark);
                then(c)
            }
            None => busy(),
        };
    }
    OUTERMOST.with(|o| o.set(fast.tagged()));
    let c = call();
    OUTERMOST.with(|o| o.set(0));
    then(c)
}

/// [`polling`] for a C call whose callback gets a [`Guarded`](crate::handler::Guarded) of
/// `handler` as `clientd` (controlled, bounded and block polls): `call` gets that `clientd`; a
/// panic caught in the handler resumes once C has returned and the marks are gone. An `EBUSY`
/// error naming `what` instead of a poll that would re-enter one this thread is running.
#[inline(always)]
pub(crate) fn polling_guarded<H: ?Sized, R>(
    fast: Polled,
    object: impl FnOnce() -> Polled,
    handler: &mut H,
    what: &str,
    call: impl FnOnce(*mut std::os::raw::c_void) -> R,
) -> Result<R, AeronCError> {
    crate::handler::Guarded::run(handler, |clientd| polling(fast, object, || call(clientd), Some, || None))
        .ok_or_else(|| busy_error(what))
}

/// Runs `f` marked as polling all of `objects`; the marks are removed whatever happens (`f` may
/// unwind). `None` (and `f` not run) if that would re-enter a poll this thread is running.
pub(crate) fn polling_all<R>(objects: &[Polled], f: impl FnOnce() -> R) -> Option<R> {
    let mark = enter_nested(objects)?;
    let r = f();
    drop(mark);
    Some(r)
}

/// Marks of a nested poll, removed on drop.
pub(crate) struct NestedMark {
    count: usize,
    cleared_outermost: bool,
}

impl Drop for NestedMark {
    fn drop(&mut self) {
        NESTED.with(|n| {
            let mut n = n.borrow_mut();
            let keep = n.len().saturating_sub(self.count);
            n.truncate(keep);
        });
        if self.cleared_outermost {
            OUTERMOST.with(|o| o.set(0));
        }
    }
}

/// Marks `objects` as polled by this thread; `None` if one of them conflicts with a poll it is
/// running.
#[cold]
#[inline(never)]
fn enter_nested(objects: &[Polled]) -> Option<NestedMark> {
    if objects.iter().any(|&o| is_busy(o)) {
        return None;
    }
    let was_idle = OUTERMOST.with(|o| o.get()) == 0;
    if was_idle {
        OUTERMOST.with(|o| o.set(SENTINEL));
    }
    NESTED.with(|n| n.borrow_mut().extend(objects.iter().map(|o| o.tagged())));
    Some(NestedMark { count: objects.len(), cleared_outermost: was_idle })
}

/// Runs `f` marked as polling `object` (for crates layered on this one: an archive poller marks
/// the subscription its C poll reads). An `EBUSY` error naming `what` if this thread is already
/// polling it (from inside a handler).
#[doc(hidden)]
pub fn while_polling_subscription<R>(
    subscription: *mut bindings::aeron_subscription_t,
    poller: usize,
    what: &str,
    f: impl FnOnce() -> R,
) -> Result<R, AeronCError> {
    polling_all(&[Polled::Subscription(subscription), Polled::Other(poller)], f).ok_or_else(|| busy_error(what))
}

/// An `EBUSY` error naming `what` if this thread is polling `object` (for calls that are not
/// polls but must not run inside a handler of one on the same object).
#[inline]
pub(crate) fn refuse_if_busy(object: Polled, what: &str) -> Result<(), AeronCError> {
    if is_busy(object) {
        Err(busy_error(what))
    } else {
        Ok(())
    }
}
