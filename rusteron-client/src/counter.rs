//! `AeronCounter`: a counter this client allocated in the driver (`aeron_counter_t`), and the
//! client calls that add and remove counters.
//!
//! A counter is one 64-bit slot in the driver's counters values buffer (shared memory in the CnC
//! file) plus metadata (type id, key, label) that any process can read through an
//! [`AeronCountersReader`](crate::AeronCountersReader).

use crate::bindings;
use crate::error::{check, AeronCError};
use crate::handler::guard_detached;
use crate::{Aeron, AeronAsyncAddCounter};
use std::os::raw::c_void;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

crate::c_wrapper!(
    /// A counter allocated by this client, closed (`aeron_counter_close`) when the last clone
    /// drops, or earlier with [`AeronCounter::close`].
    ///
    /// It holds its [`Aeron`] client, so the shared memory its value lives in stays mapped for
    /// as long as any clone exists.
    ///
    /// Threads: `Send + Sync`: the value is an atomic 64-bit slot in shared memory, and the
    /// other fields are constants. Explicit close consumes the last handle, so no thread can use
    /// a counter while it is freed.
    AeronCounter => bindings::aeron_counter_t
);
unsafe impl Send for AeronCounter {}
unsafe impl Sync for AeronCounter {}

crate::c_struct_wrapper!(
    /// Configuration of a counter that does not change during its lifetime
    /// (`aeron_counter_constants_t`): correlation id, registration id and counter id.
    AeronCounterConstants => bindings::aeron_counter_constants_t
);
unsafe impl Send for AeronCounterConstants {}
unsafe impl Sync for AeronCounterConstants {}

impl AeronCounterConstants {
    /// The correlation id of the request that created the counter.
    pub fn correlation_id(&self) -> i64 {
        self.clone_struct().correlation_id
    }

    /// The registration id: the correlation id for ordinary counters, the caller's id for
    /// static counters.
    pub fn registration_id(&self) -> i64 {
        self.clone_struct().registration_id
    }

    /// The counter's id in the counters reader.
    pub fn counter_id(&self) -> i32 {
        self.clone_struct().counter_id
    }
}

impl AeronCounter {
    /// The counter's value slot in shared memory (`aeron_counter_addr`). Prefer the typed
    /// accessors ([`get_value`](Self::get_value), [`set_value`](Self::set_value), ...).
    #[inline]
    pub fn addr(&self) -> *mut i64 {
        unsafe { bindings::aeron_counter_addr(self.get_inner()) }
    }

    #[inline(always)]
    fn atomic(&self) -> &AtomicI64 {
        // SAFETY: the slot is an 8-byte aligned int64 in the counters values buffer (each slot
        // starts a 128-byte record), mapped while the client this counter holds is alive.
        // Other processes access it with atomics too.
        unsafe { AtomicI64::from_ptr(self.addr()) }
    }

    /// The current value (acquire load, as `aeron_counter_get_acquire`).
    #[inline]
    pub fn get_value(&self) -> i64 {
        self.atomic().load(Ordering::Acquire)
    }

    /// The current value without ordering guarantees (plain load).
    #[inline]
    pub fn get_value_plain(&self) -> i64 {
        self.atomic().load(Ordering::Relaxed)
    }

    /// Sets the value with release ordering (`aeron_counter_set_release`).
    #[inline]
    pub fn set_value(&self, value: i64) {
        self.atomic().store(value, Ordering::Release)
    }

    /// Sets the value without ordering guarantees (plain store).
    #[inline]
    pub fn set_value_plain(&self, value: i64) {
        self.atomic().store(value, Ordering::Relaxed)
    }

    /// Adds one atomically and returns the value before the increment.
    #[inline]
    pub fn increment(&self) -> i64 {
        self.get_and_add(1)
    }

    /// Adds `delta` atomically and returns the value before the addition.
    #[inline]
    pub fn get_and_add(&self, delta: i64) -> i64 {
        self.atomic().fetch_add(delta, Ordering::AcqRel)
    }

    /// Sets the value to `update` if it is `expected`; true when it was swapped.
    #[inline]
    pub fn compare_and_set(&self, expected: i64, update: i64) -> bool {
        self.atomic().compare_exchange(expected, update, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }

    /// Raises the value to `value` if it is larger (single writer: a plain read then a release
    /// store). Returns true when the value changed.
    #[inline]
    pub fn propose_max(&self, value: i64) -> bool {
        let a = self.atomic();
        if value > a.load(Ordering::Relaxed) {
            a.store(value, Ordering::Release);
            true
        } else {
            false
        }
    }

    /// The counter's constants (`aeron_counter_constants`).
    pub fn get_constants(&self) -> Result<AeronCounterConstants, AeronCError> {
        let c = AeronCounterConstants::new_zeroed();
        check(unsafe { bindings::aeron_counter_constants(self.get_inner(), c.get_inner()) })?;
        Ok(c)
    }

    /// The counter's id in the counters reader.
    pub fn counter_id(&self) -> i32 {
        self.get_constants().map(|c| c.counter_id()).unwrap_or(-1)
    }

    /// The counter's registration id.
    pub fn registration_id(&self) -> i64 {
        self.get_constants().map(|c| c.registration_id()).unwrap_or(-1)
    }

    /// True once the counter is closed: by [`close`](Self::close) on another path, or because
    /// the driver removed it (`aeron_counter_is_closed`).
    pub fn is_closed(&self) -> bool {
        if self.resource().managed().is_some_and(|m| m.is_closed()) {
            return true;
        }
        unsafe { bindings::aeron_counter_is_closed(self.get_inner()) }
    }

    /// Closes the counter now (`aeron_counter_close`); the driver frees its slot.
    ///
    /// Closing frees the C object, so it needs the last handle: if other clones exist, this
    /// returns an error and the counter stays open until the last clone drops. A counter that
    /// this wrapper only borrows cannot be closed through it.
    pub fn close(self) -> Result<(), AeronCError> {
        self.close_inner(None)
    }

    /// Like [`close`](Self::close), and calls `on_close_complete` once the client conductor has
    /// processed the close (on the conductor thread, or inside this call in invoker mode). A
    /// panic inside it is stopped at the C boundary (see
    /// [`take_callback_panic`](crate::take_callback_panic)).
    pub fn close_with_notification<F: FnOnce() + Send + 'static>(
        self,
        on_close_complete: F,
    ) -> Result<(), AeronCError> {
        self.close_inner(Some(Box::new(on_close_complete)))
    }

    fn close_inner(self, notify: Option<Box<dyn FnOnce() + Send>>) -> Result<(), AeronCError> {
        let Some(managed) = self.resource().managed() else {
            return Err(AeronCError::with_message(-1, "this counter is borrowed: its owner closes it"));
        };
        if Arc::strong_count(managed) > 1 {
            return Err(AeronCError::with_message(
                -1,
                "other clones of this counter are alive: it closes when the last one drops",
            ));
        }
        if !managed.mark_consumed() {
            return Ok(());
        }
        let (func, clientd): (bindings::aeron_notification_t, *mut c_void) = match notify {
            Some(f) => (Some(notification_trampoline), Box::into_raw(Box::new(f)) as *mut c_void),
            None => (None, std::ptr::null_mut()),
        };
        let rc = unsafe { bindings::aeron_counter_close(self.get_inner(), func, clientd) };
        if rc < 0 {
            if !clientd.is_null() {
                // C did not take the callback: reclaim it.
                drop(unsafe { Box::from_raw(clientd as *mut Box<dyn FnOnce() + Send>) });
            }
            return Err(AeronCError::last());
        }
        Ok(())
    }
}

unsafe extern "C" fn notification_trampoline(clientd: *mut c_void) {
    // SAFETY: `clientd` is the box leaked in `close_inner`, called exactly once by C.
    let f = unsafe { Box::from_raw(clientd as *mut Box<dyn FnOnce() + Send>) };
    guard_detached((), f)
}

fn wait_counter(a: &AeronAsyncAddCounter, timeout: Duration) -> Result<AeronCounter, AeronCError> {
    let deadline = crate::__private::deadline_after(timeout);
    loop {
        if let Some(c) = a.poll()? {
            return Ok(c);
        }
        if Instant::now() >= deadline {
            return Err(AeronCError::with_message(
                crate::AeronErrorType::TimedOut.code(),
                format!("counter not added within {timeout:?}"),
            ));
        }
        std::thread::sleep(Duration::from_micros(100));
    }
}

impl Aeron {
    /// Starts adding a counter (`aeron_async_add_counter`): `type_id` says what it counts,
    /// `key` (at most 112 bytes) identifies it to tools, `label` (at most 380 bytes, no NUL byte)
    /// names it. Longer ones, or a label with a NUL, are refused with an `EINVAL` error naming
    /// the argument and the limit.
    pub fn async_add_counter(
        &self,
        type_id: i32,
        key: &[u8],
        label: &str,
    ) -> Result<AeronAsyncAddCounter, AeronCError> {
        AeronAsyncAddCounter::new(self, type_id, key, label)
    }

    /// Starts adding a static counter (`aeron_async_add_static_counter`), one that outlives this
    /// client and is found again by `registration_id`.
    pub fn async_add_static_counter(
        &self,
        type_id: i32,
        key: &[u8],
        label: &str,
        registration_id: i64,
    ) -> Result<AeronAsyncAddCounter, AeronCError> {
        AeronAsyncAddCounter::new_static(self, type_id, key, label, registration_id)
    }

    /// Adds a counter and waits for the driver, up to `timeout`.
    pub fn add_counter(
        &self,
        type_id: i32,
        key: &[u8],
        label: &str,
        timeout: Duration,
    ) -> Result<AeronCounter, AeronCError> {
        let a = self.async_add_counter(type_id, key, label)?;
        wait_counter(&a, timeout)
    }

    /// Adds (or finds) a static counter and waits for the driver, up to `timeout`.
    pub fn add_static_counter(
        &self,
        type_id: i32,
        key: &[u8],
        label: &str,
        registration_id: i64,
        timeout: Duration,
    ) -> Result<AeronCounter, AeronCError> {
        let a = self.async_add_static_counter(type_id, key, label, registration_id)?;
        wait_counter(&a, timeout)
    }

    /// Asks the driver to remove the (non-static) counter with this registration id
    /// (`aeron_async_remove_counter`). To remove a counter you hold, use
    /// [`AeronCounter::close`] instead.
    ///
    /// # Safety
    /// The C client closes *and frees* this client's `aeron_counter_t` for that registration
    /// id, if there is one: no [`AeronCounter`] for it may exist (it would dangle). Use this only
    /// for counters created by another client or whose wrapper was handed to C.
    pub unsafe fn async_remove_counter(&self, registration_id: i64) -> Result<(), AeronCError> {
        check(unsafe {
            bindings::aeron_async_remove_counter(registration_id, self.get_inner(), None, std::ptr::null_mut())
        })
        .map(|_| ())
    }

    /// Writes a table of every counter (id, value, label) through `stream_out`, one line per
    /// call (`aeron_print_counters`). Use [`Aeron::counters_reader`] to read them as data.
    pub fn print_counters(&self, stream_out: unsafe extern "C" fn(*const std::os::raw::c_char)) {
        unsafe { bindings::aeron_print_counters(self.get_inner(), Some(stream_out)) }
    }
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme_doctest {}
