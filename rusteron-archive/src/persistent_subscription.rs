//! The persistent subscription of Aeron 1.54 (`aeron_archive_persistent_subscription_t`): a
//! subscription that starts from a recording (or from live) and moves between replay and the
//! live stream by itself, so a consumer sees one gap-free stream.

use crate::bindings;
use crate::callbacks::{controlled_fragment_trampoline, fragment_trampoline};
use crate::util::{check, guard_handler, Guarded};
use crate::{
    Aeron, AeronArchiveContext, AeronCError, AeronControlledFragmentHandlerCallback, AeronFragmentHandlerCallback,
    Handler,
};
use rusteron_client::resource::Dependency;
use std::ffi::CStr;
use std::os::raw::{c_char, c_int, c_void};
use std::sync::{Arc, Mutex};

/// Start from the beginning of the recording.
pub const AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START: i64 = -1;
/// Start from the live stream.
pub const AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_LIVE: i64 = -2;

/// Events of a persistent subscription (`aeron_archive_persistent_subscription_listener_t`).
/// Called from inside `poll`, on the polling thread.
pub trait AeronArchivePersistentSubscriptionListener {
    /// The subscription joined the live stream.
    fn on_live_joined(&mut self) {}
    /// The subscription left the live stream (it will replay to catch up).
    fn on_live_left(&mut self) {}
    /// An error happened (the subscription may retry or fail).
    fn on_error(&mut self, errcode: i32, message: &str) {
        eprintln!("persistent subscription error {errcode}: {message}");
    }
}

unsafe extern "C" fn live_joined<L: AeronArchivePersistentSubscriptionListener>(clientd: *mut c_void) {
    guard_handler::<L, _>(clientd, (), |h| h.on_live_joined())
}
unsafe extern "C" fn live_left<L: AeronArchivePersistentSubscriptionListener>(clientd: *mut c_void) {
    guard_handler::<L, _>(clientd, (), |h| h.on_live_left())
}
unsafe extern "C" fn on_error<L: AeronArchivePersistentSubscriptionListener>(
    clientd: *mut c_void,
    errcode: c_int,
    message: *const c_char,
) {
    guard_handler::<L, _>(clientd, (), |h| h.on_error(errcode, crate::c_str_to_str(message)))
}

struct CtxState {
    raw: *mut bindings::aeron_archive_persistent_subscription_context_t,
    /// False once a persistent subscription took the context over.
    owned: bool,
    deps: Vec<Dependency>,
}

// SAFETY: only used behind the wrapper's Mutex.
unsafe impl Send for CtxState {}

impl Drop for CtxState {
    fn drop(&mut self) {
        if self.owned {
            unsafe { bindings::aeron_archive_persistent_subscription_context_close(self.raw) };
        }
    }
}

/// Configuration of a persistent subscription
/// (`aeron_archive_persistent_subscription_context_t`).
///
/// [`AeronArchivePersistentSubscription::create`] takes the context over (C closes it with the
/// subscription); this wrapper then only reads it.
///
/// Threads: `Send + Sync` (a mutex guards the wrapper's state; configure before creating).
#[derive(Clone)]
pub struct AeronArchivePersistentSubscriptionContext {
    state: Arc<Mutex<CtxState>>,
}
unsafe impl Send for AeronArchivePersistentSubscriptionContext {}
unsafe impl Sync for AeronArchivePersistentSubscriptionContext {}

impl std::fmt::Debug for AeronArchivePersistentSubscriptionContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AeronArchivePersistentSubscriptionContext({:p})", self.get_inner())
    }
}

impl AeronArchivePersistentSubscriptionContext {
    /// A context with defaults (`aeron_archive_persistent_subscription_context_init`).
    pub fn new() -> Result<Self, AeronCError> {
        let mut raw = std::ptr::null_mut();
        check(unsafe { bindings::aeron_archive_persistent_subscription_context_init(&mut raw) })?;
        Ok(Self { state: Arc::new(Mutex::new(CtxState { raw, owned: true, deps: Vec::new() })) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CtxState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The C context.
    pub fn get_inner(&self) -> *mut bindings::aeron_archive_persistent_subscription_context_t {
        self.lock().raw
    }

    fn keep(&self, d: Dependency) {
        self.lock().deps.push(d);
    }

    /// Uses `aeron` (kept alive by the context).
    pub fn set_aeron(&self, aeron: &Aeron) -> Result<i32, AeronCError> {
        let rc = check(unsafe {
            bindings::aeron_archive_persistent_subscription_context_set_aeron(self.get_inner(), aeron.get_inner())
        })?;
        self.keep(crate::util::keep(aeron.clone()));
        Ok(rc)
    }

    /// Aeron directory used when the context creates its own client.
    pub fn set_aeron_directory_name(&self, dir: &CStr) -> Result<i32, AeronCError> {
        check(unsafe {
            bindings::aeron_archive_persistent_subscription_context_set_aeron_directory_name(
                self.get_inner(),
                dir.as_ptr(),
            )
        })
    }

    /// The archive connection settings (kept alive by the context; C sets its Aeron client).
    pub fn set_archive_context(&self, archive_context: &AeronArchiveContext) -> Result<i32, AeronCError> {
        let rc = check(unsafe {
            bindings::aeron_archive_persistent_subscription_context_set_archive_context(
                self.get_inner(),
                archive_context.get_inner(),
            )
        })?;
        self.keep(crate::util::keep(archive_context.clone()));
        Ok(rc)
    }

    /// The recording to start from.
    pub fn set_recording_id(&self, v: i64) -> Result<i32, AeronCError> {
        check(unsafe { bindings::aeron_archive_persistent_subscription_context_set_recording_id(self.get_inner(), v) })
    }
    /// The recording to start from.
    pub fn get_recording_id(&self) -> i64 {
        unsafe { bindings::aeron_archive_persistent_subscription_context_get_recording_id(self.get_inner()) }
    }
    /// The live channel.
    pub fn set_live_channel(&self, v: &CStr) -> Result<i32, AeronCError> {
        check(unsafe {
            bindings::aeron_archive_persistent_subscription_context_set_live_channel(self.get_inner(), v.as_ptr())
        })
    }
    /// The live channel.
    /// (Copied: the setter replaces the C string.)
    pub fn get_live_channel(&self) -> String {
        unsafe {
            crate::c_str_to_str(bindings::aeron_archive_persistent_subscription_context_get_live_channel(
                self.get_inner(),
            ))
        }
        .to_owned()
    }
    /// The live stream id.
    pub fn set_live_stream_id(&self, v: i32) -> Result<i32, AeronCError> {
        check(unsafe {
            bindings::aeron_archive_persistent_subscription_context_set_live_stream_id(self.get_inner(), v)
        })
    }
    /// The live stream id.
    pub fn get_live_stream_id(&self) -> i32 {
        unsafe { bindings::aeron_archive_persistent_subscription_context_get_live_stream_id(self.get_inner()) }
    }
    /// The replay channel.
    pub fn set_replay_channel(&self, v: &CStr) -> Result<i32, AeronCError> {
        check(unsafe {
            bindings::aeron_archive_persistent_subscription_context_set_replay_channel(self.get_inner(), v.as_ptr())
        })
    }
    /// The replay channel.
    /// (Copied: the setter replaces the C string.)
    pub fn get_replay_channel(&self) -> String {
        unsafe {
            crate::c_str_to_str(bindings::aeron_archive_persistent_subscription_context_get_replay_channel(
                self.get_inner(),
            ))
        }
        .to_owned()
    }
    /// The replay stream id.
    pub fn set_replay_stream_id(&self, v: i32) -> Result<i32, AeronCError> {
        check(unsafe {
            bindings::aeron_archive_persistent_subscription_context_set_replay_stream_id(self.get_inner(), v)
        })
    }
    /// The replay stream id.
    pub fn get_replay_stream_id(&self) -> i32 {
        unsafe { bindings::aeron_archive_persistent_subscription_context_get_replay_stream_id(self.get_inner()) }
    }
    /// Where to start: a position, [`AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START`] or
    /// [`AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_LIVE`].
    pub fn set_start_position(&self, v: i64) -> Result<i32, AeronCError> {
        check(unsafe {
            bindings::aeron_archive_persistent_subscription_context_set_start_position(self.get_inner(), v)
        })
    }
    /// Where to start.
    pub fn get_start_position(&self) -> i64 {
        unsafe { bindings::aeron_archive_persistent_subscription_context_get_start_position(self.get_inner()) }
    }

    /// Sets the listener (`aeron_archive_persistent_subscription_context_set_listener`); the
    /// context keeps it alive.
    pub fn set_listener<L: AeronArchivePersistentSubscriptionListener + Send + 'static>(
        &self,
        listener: &Handler<L>,
    ) -> Result<i32, AeronCError> {
        let l = bindings::aeron_archive_persistent_subscription_listener_t {
            on_live_joined: Some(live_joined::<L>),
            on_live_left: Some(live_left::<L>),
            on_error: Some(on_error::<L>),
            clientd: listener.as_raw(),
        };
        let rc = check(unsafe {
            bindings::aeron_archive_persistent_subscription_context_set_listener(self.get_inner(), &l)
        })?;
        self.keep(crate::util::keep(listener.clone()));
        Ok(rc)
    }

    /// Sets the counter tracking the state.
    ///
    /// # Safety
    /// The context takes ownership of `counter` and closes it: pass a counter no wrapper will
    /// close (e.g. one you leaked). Likewise for the other `set_*_counter` methods.
    pub unsafe fn set_state_counter(&self, counter: *mut bindings::aeron_counter_t) -> Result<i32, AeronCError> {
        check(bindings::aeron_archive_persistent_subscription_context_set_state_counter(self.get_inner(), counter))
    }
    /// The state counter (raw; owned by the context).
    pub fn get_state_counter(&self) -> *mut bindings::aeron_counter_t {
        unsafe { bindings::aeron_archive_persistent_subscription_context_get_state_counter(self.get_inner()) }
    }
    /// Sets the join difference counter. # Safety: see [`set_state_counter`](Self::set_state_counter).
    ///
    /// # Safety
    /// The context takes ownership of `counter`.
    pub unsafe fn set_join_difference_counter(
        &self,
        counter: *mut bindings::aeron_counter_t,
    ) -> Result<i32, AeronCError> {
        check(bindings::aeron_archive_persistent_subscription_context_set_join_difference_counter(
            self.get_inner(),
            counter,
        ))
    }
    /// The join difference counter (raw).
    pub fn get_join_difference_counter(&self) -> *mut bindings::aeron_counter_t {
        unsafe { bindings::aeron_archive_persistent_subscription_context_get_join_difference_counter(self.get_inner()) }
    }
    /// Sets the live-left counter.
    ///
    /// # Safety
    /// The context takes ownership of `counter`.
    pub unsafe fn set_live_left_counter(&self, counter: *mut bindings::aeron_counter_t) -> Result<i32, AeronCError> {
        check(bindings::aeron_archive_persistent_subscription_context_set_live_left_counter(self.get_inner(), counter))
    }
    /// The live-left counter (raw).
    pub fn get_live_left_counter(&self) -> *mut bindings::aeron_counter_t {
        unsafe { bindings::aeron_archive_persistent_subscription_context_get_live_left_counter(self.get_inner()) }
    }
    /// Sets the live-joined counter.
    ///
    /// # Safety
    /// The context takes ownership of `counter`.
    pub unsafe fn set_live_joined_counter(&self, counter: *mut bindings::aeron_counter_t) -> Result<i32, AeronCError> {
        check(bindings::aeron_archive_persistent_subscription_context_set_live_joined_counter(
            self.get_inner(),
            counter,
        ))
    }
    /// The live-joined counter (raw).
    pub fn get_live_joined_counter(&self) -> *mut bindings::aeron_counter_t {
        unsafe { bindings::aeron_archive_persistent_subscription_context_get_live_joined_counter(self.get_inner()) }
    }
}

struct PsInner {
    raw: *mut bindings::aeron_archive_persistent_subscription_t,
    // The context wrapper (no longer owning) and everything it keeps alive.
    _context: AeronArchivePersistentSubscriptionContext,
}

impl Drop for PsInner {
    fn drop(&mut self) {
        unsafe { bindings::aeron_archive_persistent_subscription_close(self.raw) };
    }
}

/// A persistent subscription: replays a recording, then follows the live stream, falling back
/// to replay if it drops behind. Poll it like a subscription.
///
/// Threads: `Send`, not `Sync`: it is a single-threaded state machine driven by `poll`.
pub struct AeronArchivePersistentSubscription {
    inner: PsInner,
}
unsafe impl Send for AeronArchivePersistentSubscription {}

impl std::fmt::Debug for AeronArchivePersistentSubscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AeronArchivePersistentSubscription({:p})", self.inner.raw)
    }
}

impl AeronArchivePersistentSubscription {
    /// Creates the subscription (`aeron_archive_persistent_subscription_create`). It takes the
    /// context over: C closes the context with the subscription.
    pub fn create(context: &AeronArchivePersistentSubscriptionContext) -> Result<Self, AeronCError> {
        let mut st = context.lock();
        if !st.owned {
            return Err(crate::util::invalid("this persistent subscription context is already used by a subscription"));
        }
        let mut raw = std::ptr::null_mut();
        check(unsafe { bindings::aeron_archive_persistent_subscription_create(&mut raw, st.raw) })?;
        st.owned = false;
        drop(st);
        Ok(Self { inner: PsInner { raw, _context: context.clone() } })
    }

    /// The C object.
    pub fn get_inner(&self) -> *mut bindings::aeron_archive_persistent_subscription_t {
        self.inner.raw
    }

    /// The context (`aeron_archive_persistent_subscription_get_persistent_subscription_context`).
    pub fn context(&self) -> &AeronArchivePersistentSubscriptionContext {
        &self.inner._context
    }

    /// The raw context pointer after taking ownership of it
    /// (`aeron_archive_persistent_subscription_get_and_own_persistent_subscription_context`).
    ///
    /// # Safety
    /// The caller must close the returned context after this subscription is dropped.
    pub unsafe fn get_and_own_persistent_subscription_context(
        &self,
    ) -> *mut bindings::aeron_archive_persistent_subscription_context_t {
        bindings::aeron_archive_persistent_subscription_get_and_own_persistent_subscription_context(self.inner.raw)
    }

    /// The raw context pointer (`aeron_archive_persistent_subscription_get_persistent_subscription_context`).
    pub fn get_persistent_subscription_context(
        &self,
    ) -> *mut bindings::aeron_archive_persistent_subscription_context_t {
        unsafe { bindings::aeron_archive_persistent_subscription_get_persistent_subscription_context(self.inner.raw) }
    }

    /// Does work and delivers up to `fragment_limit` fragments (`aeron_archive_persistent_subscription_poll`).
    pub fn poll_once<F: AeronFragmentHandlerCallback>(
        &mut self,
        mut handler: F,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        let rc = Guarded::run(&mut handler, |clientd| unsafe {
            bindings::aeron_archive_persistent_subscription_poll(
                self.inner.raw,
                Some(fragment_trampoline::<F>),
                clientd,
                fragment_limit,
            )
        });
        check(rc)
    }

    /// Like [`poll_once`](Self::poll_once) with a controlled handler
    /// (`aeron_archive_persistent_subscription_controlled_poll`).
    pub fn controlled_poll_once<F: AeronControlledFragmentHandlerCallback>(
        &mut self,
        mut handler: F,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        let rc = Guarded::run(&mut handler, |clientd| unsafe {
            bindings::aeron_archive_persistent_subscription_controlled_poll(
                self.inner.raw,
                Some(controlled_fragment_trampoline::<F>),
                clientd,
                fragment_limit,
            )
        });
        check(rc)
    }

    /// True while consuming the live stream.
    pub fn is_live(&self) -> bool {
        unsafe { bindings::aeron_archive_persistent_subscription_is_live(self.inner.raw) }
    }

    /// True while replaying from the archive.
    pub fn is_replaying(&self) -> bool {
        unsafe { bindings::aeron_archive_persistent_subscription_is_replaying(self.inner.raw) }
    }

    /// True once it failed for good.
    pub fn has_failed(&self) -> bool {
        unsafe { bindings::aeron_archive_persistent_subscription_has_failed(self.inner.raw) }
    }

    /// The failure code and message, if it failed.
    pub fn failure_reason(&self) -> Option<(i32, String)> {
        let mut code = 0;
        let mut msg: *const c_char = std::ptr::null();
        let failed = unsafe {
            bindings::aeron_archive_persistent_subscription_failure_reason(self.inner.raw, &mut code, &mut msg)
        };
        if failed {
            Some((code, unsafe { crate::c_str_to_str(msg) }.to_string()))
        } else {
            None
        }
    }
}
