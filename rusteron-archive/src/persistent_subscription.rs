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
    /// An error happened (the subscription may retry or fail). The default logs it at `warn`
    /// level (through the `log` crate): the subscription retries, and
    /// [`has_failed`](AeronArchivePersistentSubscription::has_failed) tells when it gave up.
    fn on_error(&mut self, errcode: i32, message: &str) {
        log::warn!("persistent subscription error {errcode}: {message}");
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
    /// True once a persistent subscription was created from the context: C reads it from then
    /// on, so the setters refuse.
    used: bool,
    /// The private copy of the archive context made by `set_archive_context`, which C uses
    /// (and writes its client into); closed after the C context (`Drop` below).
    archive_context: Option<ArchiveContextCopy>,
    deps: Vec<Dependency>,
}

// SAFETY: only used behind the wrapper's Mutex.
unsafe impl Send for CtxState {}

impl Drop for CtxState {
    fn drop(&mut self) {
        // The wrapper always owns the C context (a persistent subscription is made to give it
        // back, and keeps a clone of the wrapper), so it is closed after any subscription.
        unsafe { bindings::aeron_archive_persistent_subscription_context_close(self.raw) };
    }
}

/// Configuration of a persistent subscription
/// (`aeron_archive_persistent_subscription_context_t`).
///
/// One context serves one [`AeronArchivePersistentSubscription`]. Once that is created, C
/// reads the context while it polls, so every setter fails with `EBUSY`; the getters keep
/// working. The wrapper owns the C context and closes it when its last clone drops (the
/// subscription keeps one).
///
/// Threads: `Send + Sync`: a mutex guards the context, held across every C call.
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
        Ok(Self { state: Arc::new(Mutex::new(CtxState { raw, used: false, archive_context: None, deps: Vec::new() })) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CtxState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The C context.
    pub fn get_inner(&self) -> *mut bindings::aeron_archive_persistent_subscription_context_t {
        self.lock().raw
    }

    /// Runs a C setter holding the lock; refuses (`EBUSY`) once a persistent subscription was
    /// created from the context, since C reads it (and frees replaced strings) from then on.
    fn set(&self, setter: &'static str, f: impl FnOnce(&mut CtxState) -> c_int) -> Result<i32, AeronCError> {
        let mut st = self.lock();
        if st.used {
            return Err(AeronCError::with_message(
                libc::EBUSY,
                format!(
                    "AeronArchivePersistentSubscriptionContext::{setter}: refused, a persistent subscription \
                     was created from this context"
                ),
            ));
        }
        check(f(&mut st))
    }

    /// Runs a C getter holding the lock.
    fn get<R>(&self, f: impl FnOnce(*mut bindings::aeron_archive_persistent_subscription_context_t) -> R) -> R {
        f(self.lock().raw)
    }

    /// Uses `aeron` (kept alive by the context).
    pub fn set_aeron(&self, aeron: &Aeron) -> Result<i32, AeronCError> {
        self.set("set_aeron", |st| {
            let rc =
                unsafe { bindings::aeron_archive_persistent_subscription_context_set_aeron(st.raw, aeron.get_inner()) };
            if rc >= 0 {
                st.deps.push(crate::util::keep(aeron.clone()));
            }
            rc
        })
    }

    /// Aeron directory of the client created for the subscription when none is set. A directory
    /// longer than [`AERON_DIR_MAX_LENGTH`](crate::AERON_DIR_MAX_LENGTH) bytes is refused.
    pub fn set_aeron_directory_name(&self, dir: &CStr) -> Result<i32, AeronCError> {
        crate::util::check_dir(
            "AeronArchivePersistentSubscriptionContext::set_aeron_directory_name",
            "aeron_directory_name",
            dir,
        )?;
        self.set("set_aeron_directory_name", |st| unsafe {
            bindings::aeron_archive_persistent_subscription_context_set_aeron_directory_name(st.raw, dir.as_ptr())
        })
    }

    /// The archive connection settings, copied now (`aeron_archive_context_duplicate`): the
    /// persistent subscription uses this private copy (C writes its own Aeron client into it),
    /// so later changes to `archive_context` do not reach it, and `archive_context` stays
    /// settable. The copy shares the original's handlers and an idle strategy handler set on it
    /// (their calls take the handler's lock); the context keeps those (and the original) alive
    /// until it is dropped. With no idle strategy set, the subscription loads Aeron's default
    /// one for itself, shared with no other object.
    ///
    /// The copy is made here, on the thread that owns `archive_context` (it is not `Send`), so
    /// creating the subscription later, on any thread, never reads a context another thread
    /// may be changing.
    pub fn set_archive_context(&self, archive_context: &AeronArchiveContext) -> Result<i32, AeronCError> {
        let copy = ArchiveContextCopy::new(archive_context)?;
        self.set_archive_context_copy(copy, archive_context_dependencies(archive_context))
    }

    /// Installs a private archive context copy (what `set_archive_context` makes), keeping
    /// `kept` (the original and what it keeps alive) until the context is dropped.
    pub(crate) fn set_archive_context_copy(
        &self,
        copy: ArchiveContextCopy,
        kept: Vec<Dependency>,
    ) -> Result<i32, AeronCError> {
        self.set("set_archive_context", move |st| {
            let rc =
                unsafe { bindings::aeron_archive_persistent_subscription_context_set_archive_context(st.raw, copy.0) };
            if rc >= 0 {
                st.deps.extend(kept);
                // The previous copy (if any) is no longer pointed at: closed here.
                st.archive_context = Some(copy);
            }
            rc
        })
    }

    /// The recording to start from.
    pub fn set_recording_id(&self, v: i64) -> Result<i32, AeronCError> {
        self.set("set_recording_id", |st| unsafe {
            bindings::aeron_archive_persistent_subscription_context_set_recording_id(st.raw, v)
        })
    }
    /// The recording to start from.
    pub fn get_recording_id(&self) -> i64 {
        self.get(|raw| unsafe { bindings::aeron_archive_persistent_subscription_context_get_recording_id(raw) })
    }
    /// The live channel (at most [`AERON_URI_MAX_LENGTH`](crate::AERON_URI_MAX_LENGTH) bytes).
    pub fn set_live_channel(&self, v: &CStr) -> Result<i32, AeronCError> {
        crate::util::check_channel("AeronArchivePersistentSubscriptionContext::set_live_channel", "live_channel", v)?;
        self.set("set_live_channel", |st| unsafe {
            bindings::aeron_archive_persistent_subscription_context_set_live_channel(st.raw, v.as_ptr())
        })
    }
    /// The live channel.
    /// (Copied: the setter replaces the C string.)
    pub fn get_live_channel(&self) -> String {
        self.get(|raw| unsafe {
            crate::c_str_to_str(bindings::aeron_archive_persistent_subscription_context_get_live_channel(raw))
                .to_owned()
        })
    }
    /// The live stream id.
    pub fn set_live_stream_id(&self, v: i32) -> Result<i32, AeronCError> {
        self.set("set_live_stream_id", |st| unsafe {
            bindings::aeron_archive_persistent_subscription_context_set_live_stream_id(st.raw, v)
        })
    }
    /// The live stream id.
    pub fn get_live_stream_id(&self) -> i32 {
        self.get(|raw| unsafe { bindings::aeron_archive_persistent_subscription_context_get_live_stream_id(raw) })
    }
    /// The replay channel (at most [`AERON_URI_MAX_LENGTH`](crate::AERON_URI_MAX_LENGTH) bytes).
    pub fn set_replay_channel(&self, v: &CStr) -> Result<i32, AeronCError> {
        crate::util::check_channel(
            "AeronArchivePersistentSubscriptionContext::set_replay_channel",
            "replay_channel",
            v,
        )?;
        self.set("set_replay_channel", |st| unsafe {
            bindings::aeron_archive_persistent_subscription_context_set_replay_channel(st.raw, v.as_ptr())
        })
    }
    /// The replay channel.
    /// (Copied: the setter replaces the C string.)
    pub fn get_replay_channel(&self) -> String {
        self.get(|raw| unsafe {
            crate::c_str_to_str(bindings::aeron_archive_persistent_subscription_context_get_replay_channel(raw))
                .to_owned()
        })
    }
    /// The replay stream id.
    pub fn set_replay_stream_id(&self, v: i32) -> Result<i32, AeronCError> {
        self.set("set_replay_stream_id", |st| unsafe {
            bindings::aeron_archive_persistent_subscription_context_set_replay_stream_id(st.raw, v)
        })
    }
    /// The replay stream id.
    pub fn get_replay_stream_id(&self) -> i32 {
        self.get(|raw| unsafe { bindings::aeron_archive_persistent_subscription_context_get_replay_stream_id(raw) })
    }
    /// Where to start: a position, [`AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START`] or
    /// [`AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_LIVE`].
    pub fn set_start_position(&self, v: i64) -> Result<i32, AeronCError> {
        self.set("set_start_position", |st| unsafe {
            bindings::aeron_archive_persistent_subscription_context_set_start_position(st.raw, v)
        })
    }
    /// Where to start.
    pub fn get_start_position(&self) -> i64 {
        self.get(|raw| unsafe { bindings::aeron_archive_persistent_subscription_context_get_start_position(raw) })
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
        self.set("set_listener", |st| {
            let rc = unsafe { bindings::aeron_archive_persistent_subscription_context_set_listener(st.raw, &l) };
            if rc >= 0 {
                st.deps.push(crate::util::keep(listener.clone()));
            }
            rc
        })
    }

    /// Sets the counter tracking the state.
    ///
    /// # Safety
    /// The context takes ownership of `counter` and closes it: pass a counter no wrapper will
    /// close (e.g. one you leaked). Likewise for the other `set_*_counter` methods.
    pub unsafe fn set_state_counter(&self, counter: *mut bindings::aeron_counter_t) -> Result<i32, AeronCError> {
        self.set("set_state_counter", |st| {
            bindings::aeron_archive_persistent_subscription_context_set_state_counter(st.raw, counter)
        })
    }
    /// The state counter (raw; owned by the context).
    pub fn get_state_counter(&self) -> *mut bindings::aeron_counter_t {
        self.get(|raw| unsafe { bindings::aeron_archive_persistent_subscription_context_get_state_counter(raw) })
    }
    /// Sets the join difference counter. # Safety: see [`set_state_counter`](Self::set_state_counter).
    ///
    /// # Safety
    /// The context takes ownership of `counter`.
    pub unsafe fn set_join_difference_counter(
        &self,
        counter: *mut bindings::aeron_counter_t,
    ) -> Result<i32, AeronCError> {
        self.set("set_join_difference_counter", |st| {
            bindings::aeron_archive_persistent_subscription_context_set_join_difference_counter(st.raw, counter)
        })
    }
    /// The join difference counter (raw).
    pub fn get_join_difference_counter(&self) -> *mut bindings::aeron_counter_t {
        self.get(|raw| unsafe {
            bindings::aeron_archive_persistent_subscription_context_get_join_difference_counter(raw)
        })
    }
    /// Sets the live-left counter.
    ///
    /// # Safety
    /// The context takes ownership of `counter`.
    pub unsafe fn set_live_left_counter(&self, counter: *mut bindings::aeron_counter_t) -> Result<i32, AeronCError> {
        self.set("set_live_left_counter", |st| {
            bindings::aeron_archive_persistent_subscription_context_set_live_left_counter(st.raw, counter)
        })
    }
    /// The live-left counter (raw).
    pub fn get_live_left_counter(&self) -> *mut bindings::aeron_counter_t {
        self.get(|raw| unsafe { bindings::aeron_archive_persistent_subscription_context_get_live_left_counter(raw) })
    }
    /// Sets the live-joined counter.
    ///
    /// # Safety
    /// The context takes ownership of `counter`.
    pub unsafe fn set_live_joined_counter(&self, counter: *mut bindings::aeron_counter_t) -> Result<i32, AeronCError> {
        self.set("set_live_joined_counter", |st| {
            bindings::aeron_archive_persistent_subscription_context_set_live_joined_counter(st.raw, counter)
        })
    }
    /// The live-joined counter (raw).
    pub fn get_live_joined_counter(&self) -> *mut bindings::aeron_counter_t {
        self.get(|raw| unsafe { bindings::aeron_archive_persistent_subscription_context_get_live_joined_counter(raw) })
    }
}

struct PsInner {
    raw: *mut bindings::aeron_archive_persistent_subscription_t,
    // Fields drop after the C close (`Drop` below), in this order.
    /// The private copy of the archive context that C uses (and writes its client into).
    // The context wrapper (which owns and closes the C context) and everything it keeps alive.
    _context: AeronArchivePersistentSubscriptionContext,
}

/// A private copy of an archive context (`aeron_archive_context_duplicate`), closed on drop.
/// The copy points to the original's handlers and to an idle strategy handler set on it (both
/// locked on every call, so sharing them with archives on other threads is sound), so the
/// original must outlive it unchanged. An idle strategy state that C loaded and the original
/// owns (the back-off state, written on every idle) is not shared: the copy gets none, and C
/// loads one of its own into it when the persistent subscription connects.
pub(crate) struct ArchiveContextCopy(*mut bindings::aeron_archive_context_t);

// SAFETY: the copy is private to its owner (a persistent subscription context, or a builder's
// template that is only ever read, by `duplicate`); what it shares with the original (handlers,
// an idle strategy handler set on it) is locked on every call, as `new` describes.
unsafe impl Send for ArchiveContextCopy {}
unsafe impl Sync for ArchiveContextCopy {}

/// What a copy of `archive_context` needs kept alive: the original and what it keeps.
pub(crate) fn archive_context_dependencies(archive_context: &AeronArchiveContext) -> Vec<Dependency> {
    let mut kept = archive_context.resource().managed().map(|m| m.dependencies()).unwrap_or_default();
    kept.push(archive_context.as_dependency());
    kept
}

impl ArchiveContextCopy {
    /// Another private copy of this copy (C only reads `self`): what a builder makes for each
    /// persistent subscription it builds. It shares what `self` shares with the original.
    pub(crate) fn duplicate(&self) -> Result<Self, AeronCError> {
        let mut raw = std::ptr::null_mut();
        check(unsafe { bindings::aeron_archive_context_duplicate(&mut raw, self.0) })?;
        // SAFETY: `raw` is the fresh copy. `self` never holds a client (see `new`), so neither
        // does the copy; C marks it as not owning the idle strategy.
        unsafe {
            (*raw).aeron = std::ptr::null_mut();
            (*raw).owns_aeron_client = false;
        }
        Ok(Self(raw))
    }

    pub(crate) fn new(original: &AeronArchiveContext) -> Result<Self, AeronCError> {
        let mut raw = std::ptr::null_mut();
        check(unsafe { bindings::aeron_archive_context_duplicate(&mut raw, original.get_inner()) })?;
        // SAFETY: `raw` is the fresh copy, used by nobody else yet. The copy never owns (nor
        // closes) a client: the persistent subscription sets its own client on it.
        unsafe {
            (*raw).aeron = std::ptr::null_mut();
            (*raw).owns_aeron_client = false;
            if (*original.get_inner()).owns_idle_strategy {
                (*raw).idle_strategy_func = None;
                (*raw).idle_strategy_state = std::ptr::null_mut();
            }
        }
        Ok(Self(raw))
    }
}

impl Drop for ArchiveContextCopy {
    fn drop(&mut self) {
        unsafe { bindings::aeron_archive_context_close(self.0) };
    }
}

impl Drop for PsInner {
    fn drop(&mut self) {
        // The C context (and the archive context copy it points at) close later, with the
        // context wrapper. Null once `close()` closed it.
        if !self.raw.is_null() {
            unsafe { bindings::aeron_archive_persistent_subscription_close(self.raw) };
        }
    }
}

/// A persistent subscription: replays a recording, then follows the live stream, falling back
/// to replay if it drops behind. Poll it like a subscription.
///
/// Threads: `Send`, not `Sync`: it is a single-threaded state machine driven by `poll`.
///
/// Handlers: the fragment (`&[u8]`) and the [`AeronHeader`](crate::AeronHeader) a handler gets
/// point into the term buffer (or the reassembly buffer) of the poll that runs it, so they are
/// borrowed for that call only, and the handler cannot poll (or otherwise use) the subscription
/// it is called from: the polls take `&mut self`. Keeping the header fails to compile:
///
/// ```compile_fail,E0521
/// use rusteron_archive::{AeronArchivePersistentSubscription, AeronHeader};
/// fn keep_header(ps: &mut AeronArchivePersistentSubscription) {
///     let mut kept = None;
///     ps.poll_once(|_msg: &[u8], header: AeronHeader<'_>| kept = Some(header), 10).unwrap();
///     let _ = kept.map(|h| h.position());
/// }
/// ```
///
/// and so does polling from inside the handler:
///
/// ```compile_fail,E0499
/// use rusteron_archive::{AeronArchivePersistentSubscription, AeronHeader};
/// fn poll_inside(ps: &mut AeronArchivePersistentSubscription) {
///     ps.poll_once(
///         |_msg: &[u8], _header: AeronHeader<'_>| {
///             let _ = ps.poll_once(|_m: &[u8], _h: AeronHeader<'_>| {}, 1);
///         },
///         10,
///     )
///     .unwrap();
/// }
/// ```
///
/// A handler that reaches it anyway, through a `RefCell` the caller built (in a
/// `thread_local!`, say), finds it borrowed by the poll that runs the handler
/// (`tests/it/persistent_subscription_handlers.rs`). What the handler may do, copying what it needs:
///
/// ```
/// use rusteron_archive::{AeronArchivePersistentSubscription, AeronHeader};
/// fn copy_out(ps: &mut AeronArchivePersistentSubscription) -> Vec<(Vec<u8>, i64)> {
///     let mut kept = Vec::new();
///     ps.poll_once(|msg: &[u8], header: AeronHeader<'_>| kept.push((msg.to_vec(), header.position())), 10).unwrap();
///     kept
/// }
/// ```
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
    /// Creates the subscription (`aeron_archive_persistent_subscription_create`). From then on
    /// the context's setters fail with `EBUSY`, and the context serves no other subscription.
    ///
    /// C writes its Aeron client into the archive context and reads that context while it
    /// polls: it uses the private copy that
    /// [`set_archive_context`](AeronArchivePersistentSubscriptionContext::set_archive_context)
    /// made, so yours is left as it was, and stays settable.
    pub fn create(context: &AeronArchivePersistentSubscriptionContext) -> Result<Self, AeronCError> {
        let mut st = context.lock();
        if st.used {
            return Err(crate::util::invalid("this persistent subscription context is already used by a subscription"));
        }
        // Without a client C would create one with its default error handler, which ends the
        // process on the first error: create it here (as C would: agent invoker mode, on the
        // context's Aeron directory) with the logging one. The context keeps it (after the C
        // context, which closes the counters made on it, is closed).
        if unsafe { (*st.raw).aeron.is_null() } {
            let client_context = crate::AeronContext::new()?;
            client_context.set_use_conductor_agent_invoker(true)?;
            let dir = unsafe { (*st.raw).aeron_directory_name };
            if !dir.is_null() {
                client_context.set_dir(unsafe { CStr::from_ptr(dir) })?;
            }
            let client = Aeron::connect(&client_context)?;
            check(unsafe {
                bindings::aeron_archive_persistent_subscription_context_set_aeron(st.raw, client.get_inner())
            })?;
            st.deps.push(crate::util::keep(client));
        }
        // Without an archive context C fails with its own message.
        let mut raw = std::ptr::null_mut();
        let created = check(unsafe { bindings::aeron_archive_persistent_subscription_create(&mut raw, st.raw) });
        created?;
        // The context wrapper keeps owning the C context: it closes it after this subscription
        // (which keeps a clone of the wrapper), and its getters stay valid until then.
        unsafe { bindings::aeron_archive_persistent_subscription_get_and_own_persistent_subscription_context(raw) };
        st.used = true;
        drop(st);
        Ok(Self { inner: PsInner { raw, _context: context.clone() } })
    }

    /// The C object.
    pub fn get_inner(&self) -> *mut bindings::aeron_archive_persistent_subscription_t {
        self.inner.raw
    }

    /// A builder for a persistent subscription and its context:
    /// [`AeronArchivePersistentSubscriptionBuilder`](crate::AeronArchivePersistentSubscriptionBuilder).
    pub fn builder() -> crate::AeronArchivePersistentSubscriptionBuilder {
        crate::AeronArchivePersistentSubscriptionBuilder::new()
    }

    /// Closes the subscription now (`aeron_archive_persistent_subscription_close`): its live and
    /// replay subscriptions, its archive connection and the counters it made. Dropping it does
    /// the same without reporting an error; the context (and what it keeps alive) is released
    /// here too, unless a clone of it is still held elsewhere.
    pub fn close(mut self) -> Result<(), AeronCError> {
        let raw = std::mem::replace(&mut self.inner.raw, std::ptr::null_mut());
        // The C object is freed even when close reports an error: never closed twice.
        check(unsafe { bindings::aeron_archive_persistent_subscription_close(raw) })?;
        Ok(())
    }

    /// The context (`aeron_archive_persistent_subscription_get_persistent_subscription_context`).
    pub fn context(&self) -> &AeronArchivePersistentSubscriptionContext {
        &self.inner._context
    }

    /// The raw context pointer (`aeron_archive_persistent_subscription_get_and_own_persistent_subscription_context`).
    /// The subscription never owns its context: the context wrapper does, and closes it after
    /// the subscription.
    ///
    /// # Safety
    /// Do not close the returned context (the wrapper closes it), and do not change it.
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
    ///
    /// Never waits: each call does one step and returns. A dead archive does not fail the
    /// subscription: it waits for the archive and reconnects, and the listener's `on_error`
    /// hears of it once the reconnect times out (the subscriber driver's image liveness timeout
    /// plus the archive context's message timeout; C reports that timeout with code -1). A dead
    /// media driver of its own client fails it for good once the client has timed the driver out
    /// ([`has_failed`](Self::has_failed), [`failure_reason`](Self::failure_reason)). Measured in
    /// `tests/it/fault_matrix.rs`.
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
