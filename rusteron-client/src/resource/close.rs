//! Closing: what a C close returns ([`CloseOutcome`]: done, or pending until C finishes it), the
//! one-shot notification a close may take ([`OneShotNotification`]), and the helper thread that
//! releases what a resource keeps alive once a pending close is over.

use super::owned::Dependencies;
use super::LOG_TARGET;
use std::os::raw::c_void;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How a resource closes its C object (run once, by [`ManagedCResource`](super::ManagedCResource)).
pub(crate) enum Close<T> {
    /// A C close (or free) that is over when it returns; its return code (negative: failed).
    Now(Box<dyn FnMut(*mut T) -> i32 + Send>),
    /// A close that may finish after it returns.
    Later(Box<dyn FnOnce(*mut T) -> CloseOutcome + Send>),
    /// A close that takes the completion notification the user asked for, if any (set until the
    /// close runs by [`set_close_notification`](super::ManagedCResource::set_close_notification)).
    Notified(fn(*mut T, Option<OneShotNotification>) -> CloseOutcome, Option<OneShotNotification>),
}

impl<T> Close<T> {
    pub(super) fn run(self, object: *mut T) -> CloseOutcome {
        match self {
            Close::Now(mut close) => CloseOutcome::Done(close(object)),
            Close::Later(close) => close(object),
            Close::Notified(close, notification) => close(object, notification),
        }
    }
}

/// What a C close did.
pub(crate) enum CloseOutcome {
    /// The close is over: C returned this code (negative: it failed, and C's last error says
    /// why).
    Done(i32),
    /// C finishes the close later and may use what the resource keeps alive until then (a
    /// subscription's image handlers while the conductor closes it): the resource's
    /// dependencies are released by a helper thread once the close is over, never on the
    /// closing thread.
    Pending(PendingUntil),
}

/// What a pending close waits for.
pub(crate) enum PendingUntil {
    /// A check that turns true once C has finished (set by C's completion notification, or by
    /// the thread that runs the close).
    Finished(Box<dyn Fn() -> bool + Send>),
    /// Nothing says when C is done with the dependencies (an add cancelled after the driver may
    /// have made the subscription, a client that could not be closed): they are kept forever.
    Never,
}

/// How long the helper thread waits for a pending close before it keeps the dependencies forever
/// (leaked, never freed under C).
const PENDING_CLOSE_WAIT: Duration = Duration::from_secs(30);

/// Drops `deps` once `until` says the close is over, on a helper thread; keeps them forever if
/// it never says so, not within [`PENDING_CLOSE_WAIT`], or if no thread can be started.
pub(super) fn release_when(until: PendingUntil, deps: Dependencies) {
    let finished = match until {
        PendingUntil::Finished(finished) => finished,
        PendingUntil::Never => {
            log::debug!(target: LOG_TARGET, "rusteron: a close C may not have finished; what it uses is kept");
            std::mem::forget(deps);
            return;
        }
    };
    let slot = Arc::new(Mutex::new(Some(deps)));
    let for_thread = slot.clone();
    let spawned = std::thread::Builder::new().name("rusteron-release".into()).spawn(move || {
        let deadline = Instant::now() + PENDING_CLOSE_WAIT;
        let deps = for_thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        let mut pause = Duration::from_micros(100);
        loop {
            if finished() {
                drop(deps);
                return;
            }
            if Instant::now() >= deadline {
                log::warn!(
                    target: LOG_TARGET,
                    "rusteron: a C close did not complete within {PENDING_CLOSE_WAIT:?}; what it uses is kept"
                );
                std::mem::forget(deps);
                return;
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    });
    if spawned.is_err() {
        std::mem::forget(slot.lock().unwrap_or_else(|e| e.into_inner()).take());
    }
}

/// A one-shot C notification (`aeron_notification_t` and its `clientd`) owned here until C
/// takes it. C calls `notify(clientd)` at most once, and that call frees `clientd`; when C never
/// gets it (the call that takes it fails, or never runs), dropping it frees `clientd`.
pub(crate) struct OneShotNotification {
    notify: unsafe extern "C" fn(*mut c_void),
    clientd: *mut c_void,
    free: unsafe fn(*mut c_void),
}

// SAFETY: `clientd` is only used through `notify` or `free`, which `new`'s contract makes
// callable from any thread (it is a boxed clone of a `Send` handler).
unsafe impl Send for OneShotNotification {}

impl OneShotNotification {
    /// # Safety
    /// `notify(clientd)`, called once from any thread, must do its work and free `clientd`;
    /// `free(clientd)`, from any thread, must free it without calling anything.
    pub(crate) unsafe fn new(
        notify: unsafe extern "C" fn(*mut c_void),
        clientd: *mut c_void,
        free: unsafe fn(*mut c_void),
    ) -> Self {
        OneShotNotification { notify, clientd, free }
    }

    /// Runs the C call `call` with `notification` (none: a null function and `clientd`). C owns
    /// the notification when the call succeeds (`>= 0`); when it fails, C never calls it and it
    /// is freed here. Returns the call's return code.
    pub(crate) fn hand_to_c(
        notification: Option<Self>,
        call: impl FnOnce(Option<unsafe extern "C" fn(*mut c_void)>, *mut c_void) -> i32,
    ) -> i32 {
        let Some(n) = notification else {
            return call(None, std::ptr::null_mut());
        };
        let rc = call(Some(n.notify), n.clientd);
        if rc >= 0 {
            std::mem::forget(n);
        }
        rc
    }

    /// Calls it now, as C would (for a notification that another one forwards to).
    pub(crate) fn notify_now(self) {
        let (notify, clientd) = (self.notify, self.clientd);
        std::mem::forget(self);
        // SAFETY: `new`'s contract; `clientd` is freed by this call and not touched again.
        unsafe { notify(clientd) }
    }
}

impl Drop for OneShotNotification {
    fn drop(&mut self) {
        // SAFETY: `new`'s contract; C never got (or never called) the notification.
        unsafe { (self.free)(self.clientd) }
    }
}
