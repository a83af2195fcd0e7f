//! How publications, subscriptions and counters are closed: their C close, given the completion
//! notification the user asked for (kept by the resource itself until the close runs), and a
//! subscription's wait for the conductor to finish closing it.

use crate::bindings;
use crate::callbacks::{notification_once, AeronNotificationCallback};
use crate::error::AeronCError;
use crate::handler::Handler;
use crate::resource::{CResource, CloseOutcome, OneShotNotification, PendingUntil};
use std::os::raw::c_void;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Gives `on_close_complete` to the close of the C object behind `resource` and gives up this
/// handle: the C close runs (with the notification) when the last wrapper sharing the object
/// drops. Returns whether that happened now.
pub(crate) fn close_with_notification<T, H: AeronNotificationCallback + Send + 'static>(
    resource: &CResource<T>,
    on_close_complete: Option<&Handler<H>>,
) -> Result<bool, AeronCError> {
    let m = match resource.managed() {
        Some(m) => m,
        None => {
            return Err(AeronCError::with_message(
                -1,
                "this wrapper borrows its C object (it was handed to a callback): it cannot close it",
            ))
        }
    };
    if m.is_closed() {
        return Ok(false);
    }
    if let Some(notification) = notification_once(on_close_complete) {
        if !m.set_close_notification(notification) {
            log::warn!(
                "rusteron: on_close_complete will not be called: this wrapper is a view of a C object its owner \
                 closes, or the object is already closed"
            );
        }
    }
    if Arc::strong_count(m) == 1 {
        m.close()?;
        Ok(true)
    } else {
        Ok(false)
    }
}

/// Runs a C close that takes a notification, with `notification` (freed if C refuses the close:
/// it will then never be called).
fn close_notified<T>(
    p: *mut T,
    notification: Option<OneShotNotification>,
    close: unsafe extern "C" fn(*mut T, bindings::aeron_notification_t, *mut c_void) -> i32,
) -> CloseOutcome {
    CloseOutcome::Done(OneShotNotification::hand_to_c(notification, |notify, clientd| unsafe {
        close(p, notify, clientd)
    }))
}

/// Closes a concurrent publication (`aeron_publication_close`).
pub(crate) fn close_publication(
    p: *mut bindings::aeron_publication_t,
    notification: Option<OneShotNotification>,
) -> CloseOutcome {
    close_notified(p, notification, bindings::aeron_publication_close)
}

/// Closes an exclusive publication (`aeron_exclusive_publication_close`).
pub(crate) fn close_exclusive_publication(
    p: *mut bindings::aeron_exclusive_publication_t,
    notification: Option<OneShotNotification>,
) -> CloseOutcome {
    close_notified(p, notification, bindings::aeron_exclusive_publication_close)
}

/// Closes a counter (`aeron_counter_close`).
pub(crate) fn close_counter(
    p: *mut bindings::aeron_counter_t,
    notification: Option<OneShotNotification>,
) -> CloseOutcome {
    close_notified(p, notification, bindings::aeron_counter_close)
}

/// How long dropping a subscription waits for the conductor to finish closing it (one duty
/// cycle, normally). Past it (a conductor blocked, for example, in an image handler waiting for
/// a lock the dropping thread holds), the drop returns and a helper thread releases the
/// handlers once the conductor is done: the wait only decides when the drop returns, never
/// whether a handler can be freed under C.
const SUBSCRIPTION_CLOSE_WAIT: Duration = Duration::from_secs(1);

/// Shared by a subscription close and its completion notification.
struct CloseWait {
    done: AtomicBool,
    /// The user's own notification, called first.
    user: Mutex<Option<OneShotNotification>>,
}

unsafe extern "C" fn close_wait_trampoline(clientd: *mut c_void) {
    // SAFETY: the Arc reference given to C in close_subscription, consumed once here.
    let wait = Arc::from_raw(clientd as *const CloseWait);
    let user = wait.user.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(user) = user {
        user.notify_now();
    }
    wait.done.store(true, Ordering::Release);
}

/// Closes a subscription and waits until the conductor has finished: until then it may still
/// call the subscription's image handlers (it calls `on_unavailable_image` for every image
/// while closing), which are among the dependencies released right after this returns. The
/// user's close notification, if any, runs first. When the wait is impossible (this thread
/// is inside a C callback, possibly the conductor's) or times out, the close is pending: a
/// helper thread releases the dependencies once it is over.
pub(crate) fn close_subscription(
    p: *mut bindings::aeron_subscription_t,
    notification: Option<OneShotNotification>,
) -> CloseOutcome {
    if unsafe { bindings::aeron_subscription_is_closed(p) } {
        // Force-closed by a conductor that stopped (driver timeout, fatal error): C calls
        // nothing for it any more (not even the notification, freed here) and aeron_close
        // frees it.
        drop(notification);
        return CloseOutcome::Done(0);
    }
    let wait = Arc::new(CloseWait { done: AtomicBool::new(false), user: Mutex::new(notification) });
    let given = Arc::into_raw(wait.clone()) as *mut c_void;
    let rc = unsafe { bindings::aeron_subscription_close(p, Some(close_wait_trampoline), given) };
    if rc < 0 {
        // C will never call the notification: both references go here, and with the last one
        // the user's notification is freed.
        drop(unsafe { Arc::from_raw(given as *const CloseWait) });
        return CloseOutcome::Done(rc);
    }
    // Inside a C callback this may be the conductor's own thread, which cannot finish the close
    // while we wait: the handlers (and the client) are then released by a helper thread.
    let deadline = Instant::now() + SUBSCRIPTION_CLOSE_WAIT;
    while !wait.done.load(Ordering::Acquire) {
        if crate::handler::inside_callback() || Instant::now() >= deadline {
            return CloseOutcome::Pending(PendingUntil::Finished(Box::new(move || wait.done.load(Ordering::Acquire))));
        }
        std::thread::sleep(Duration::from_micros(100));
    }
    CloseOutcome::Done(rc)
}
