//! Long-lived callbacks (`Handler`, `Handlers::leak`) and the panic boundary every callback
//! trampoline goes through.
//!
//! How a panic travels. A panic never unwinds into C: every trampoline runs the user's callback
//! inside `catch_unwind`, returns a neutral value to C, and keeps the payload in one of three
//! places, chosen by who is waiting for it. (1) A call of ours that makes C call back
//! synchronously and can give C a frame of its own as `clientd` (controlled, bounded and block
//! polls, `for_each`-style walks, the plain polls that own their handler): the payload goes into
//! that frame ([`Guarded`], `OwnedPoll`), the rest of the call's callbacks are skipped, and the
//! Rust caller resumes the panic (`resume_unwind`) as soon as C has returned. (2) A synchronous
//! callback whose `clientd` cannot be such a frame (the plain poll with a borrowed handler, where
//! `clientd` is the handler itself to save a load per fragment; a C fragment assembler's delegate,
//! a long-lived [`Handler`] reached from inside our poll): the payload goes into the one
//! thread-local slot `PENDING_PANIC`; while it is full, further such callbacks on this thread are
//! skipped, and the Rust code that made the C call resumes it once C has returned
//! ([`resume_nested_panic`], `poll_result`). (3) A callback C makes from a thread of its own with
//! no Rust caller waiting (client conductor, driver and archive callbacks, [`guard_detached`],
//! [`guard_handler`]): the message is logged at `error` and kept in a process-wide list read with
//! [`take_callback_panic`]; the list keeps the first [`KEPT_CALLBACK_PANICS`] messages not yet
//! taken and only counts later ones ([`dropped_callback_panics`]), so a callback that panics
//! forever cannot grow memory. A panic while dropping a callback object inside a C callback
//! ([`drop_guarded`]) goes to (2) when a Rust caller on this thread waits, to (3) otherwise.

use std::any::Any;
use std::cell::{Cell, UnsafeCell};
use std::collections::VecDeque;
use std::fmt;
use std::mem::MaybeUninit;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The heap cell behind a [`Handler`]: the callback object and who is running it.
///
/// One handler may be registered with several C objects (two clients' contexts, a context and a
/// poll, ...) whose callbacks run on different threads. Every call into the object takes `owner`
/// first, so two threads never hold `&mut T` at once; a thread that re-enters its own handler
/// (a callback that polls with the handler it is running in) is refused instead of aliasing.
/// The lock is one uncontended atomic exchange per callback invocation (per poll, for polls that
/// use a `Handler`; closure polls take no lock).
#[repr(C)]
struct HandlerCell<T> {
    owner: AtomicU64,
    value: UnsafeCell<T>,
}

// SAFETY: the value is only reached through `HandlerCell::enter`, which gives one thread at a
// time `&mut T`; moving that access between threads needs `T: Send`.
unsafe impl<T: Send> Send for HandlerCell<T> {}
unsafe impl<T: Send> Sync for HandlerCell<T> {}

/// A small id per thread, never 0 (0 marks a free handler).
fn thread_token() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local! {
        static TOKEN: u64 = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    TOKEN.with(|t| *t)
}

impl<T> HandlerCell<T> {
    /// Runs `f` with exclusive access to the value; `None` if this thread is already inside it.
    #[inline]
    fn enter<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        let me = thread_token();
        loop {
            match self.owner.compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed) {
                Ok(_) => break,
                Err(current) if current == me => return None,
                Err(_) => std::thread::yield_now(),
            }
        }
        struct Exit<'a>(&'a AtomicU64);
        impl Drop for Exit<'_> {
            fn drop(&mut self) {
                self.0.store(0, Ordering::Release);
            }
        }
        let _exit = Exit(&self.owner);
        // SAFETY: `owner` is ours until `_exit` drops, so no other `&mut T` exists.
        Some(f(unsafe { &mut *self.value.get() }))
    }

    /// A new strong reference to the cell that holds the value `value` points at: the caller
    /// holds it for the whole callback, so nothing the callback does can free the cell under it.
    ///
    /// # Safety
    /// `value` must be the `value` field of a `HandlerCell<T>` owned by a live `Arc` (what
    /// `Handler::as_raw` gives, while some handle or registration still holds the handler).
    #[inline(always)]
    unsafe fn hold(value: *mut std::os::raw::c_void) -> Arc<HandlerCell<T>> {
        let cell: *const HandlerCell<T> = Self::from_value_ptr(value);
        // SAFETY: `cell` is the data pointer of the `Arc` made in `Handler::leak` (the cell is
        // the Arc's payload), and that Arc is alive (caller's contract).
        Arc::increment_strong_count(cell);
        Arc::from_raw(cell)
    }

    /// The cell that holds the value `value` points at.
    ///
    /// # Safety
    /// `value` must be the `value` field of a live `HandlerCell<T>` (what `Handler::as_raw` gives).
    #[inline(always)]
    unsafe fn from_value_ptr<'a>(value: *mut std::os::raw::c_void) -> &'a HandlerCell<T> {
        let offset = std::mem::offset_of!(HandlerCell<T>, value);
        &*((value as *mut u8).sub(offset) as *const HandlerCell<T>)
    }
}

/// Runs a callback whose `clientd` is a [`Handler`]'s [`as_raw`](Handler::as_raw) pointer, from a
/// C thread with no Rust caller waiting: takes the handler's lock (so a handler shared between
/// threads is never entered twice at once) and stops a panic at the boundary like
/// [`guard_detached`]. Returns `default` if the panic was caught or this thread is already
/// running the same handler.
///
/// # Safety
/// `clientd` must be `Handler::<H>::as_raw()` of a handler that is still alive.
#[inline]
pub unsafe fn guard_handler<H, R>(clientd: *mut std::os::raw::c_void, default: R, f: impl FnOnce(&mut H) -> R) -> R {
    if clientd.is_null() {
        // A released handle's `as_raw()`: nothing to call.
        return default;
    }
    // Hold a reference for the whole call: the callback may drop the last other one (a poller
    // `reset` from inside its own consumer replaces the consumer it keeps), and the cell must
    // outlive `enter` (which releases the lock after `f`).
    let held = HandlerCell::<H>::hold(clientd);
    let _inside = InsideCallback::enter();
    let r = match held.enter(|h| guard_detached(None, || Some(f(h)))) {
        Some(Some(r)) => r,
        _ => default,
    };
    // The last reference may be this one: the value's `Drop` runs here, behind the guard.
    drop_guarded(held, Panics::Detached);
    r
}

/// Where a panic caught while dropping a callback object goes.
#[derive(Clone, Copy)]
pub(crate) enum Panics {
    /// C called us from its own thread: log and keep it for [`take_callback_panic`].
    Detached,
    /// C called us inside a Rust call on this thread: resumed by [`resume_nested_panic`].
    Nested,
}

/// Drops `value` (a user's callback object, or the last reference to one) inside a C callback
/// without letting a panic in its `Drop` unwind into C.
#[inline]
pub(crate) fn drop_guarded<T>(value: T, panics: Panics) {
    if !std::mem::needs_drop::<T>() {
        return;
    }
    if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(value))) {
        stash_drop_panic(payload, panics);
    }
}

#[cold]
#[inline(never)]
fn stash_drop_panic(payload: Box<dyn Any + Send>, panics: Panics) {
    let msg = describe(payload.as_ref());
    log::error!("rusteron: dropping a callback object panicked inside a C callback; the panic was stopped: {msg}");
    match panics {
        Panics::Nested if !panic_pending() => stash_pending_panic(payload),
        _ => {
            keep_callback_panic(msg);
            // The payload itself may panic on drop: never drop it here.
            std::mem::forget(payload);
        }
    }
}

thread_local! {
    /// How many C-called handlers (conductor callbacks, notifications, archive suppliers) this
    /// thread is inside.
    static CALLBACK_DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Marks this thread as inside a C-called handler while it lives.
struct InsideCallback;

impl InsideCallback {
    fn enter() -> Self {
        CALLBACK_DEPTH.with(|d| d.set(d.get() + 1));
        InsideCallback
    }
}

impl Drop for InsideCallback {
    fn drop(&mut self) {
        CALLBACK_DEPTH.with(|d| d.set(d.get() - 1));
    }
}

/// True when this thread is running a handler that C called (it may be the client conductor's
/// own thread, which must not wait for the conductor).
pub(crate) fn inside_callback() -> bool {
    CALLBACK_DEPTH.with(|d| d.get() > 0)
}

/// A callback object handed to C (`clientd`). Created by [`Handlers::leak`].
///
/// Every clone shares the same object. Each C object the handler is registered with (a context,
/// a subscription, ...) keeps its own reference until that C object is closed, so calling
/// [`Handler::release`] while C may still call the handler cannot free it early: release gives
/// up this handle's reference only.
pub struct Handler<T> {
    inner: Option<Arc<HandlerCell<T>>>,
    ptr: *mut T,
}

unsafe impl<T: Send> Send for Handler<T> {}
unsafe impl<T: Send> Sync for Handler<T> {}

impl<T> Clone for Handler<T> {
    fn clone(&self) -> Self {
        Handler { inner: self.inner.clone(), ptr: self.ptr }
    }
}

impl<T> fmt::Debug for Handler<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Handler<{}>({:p}, released={})", std::any::type_name::<T>(), self.ptr, self.inner.is_none())
    }
}

impl<T: Send + 'static> Handler<T> {
    /// Moves `handler` to the heap so that C can call it through a stable pointer.
    pub fn leak(handler: T) -> Self {
        let arc = Arc::new(HandlerCell { owner: AtomicU64::new(0), value: UnsafeCell::new(handler) });
        let ptr = arc.value.get();
        Handler { inner: Some(arc), ptr }
    }

    /// Gives up this handle's reference. The callback object is freed once no C object it was
    /// registered with still needs it.
    pub fn release(&mut self) {
        self.inner = None;
        self.ptr = std::ptr::null_mut();
    }

    /// True once [`release`](Self::release) was called on this handle.
    pub fn is_released(&self) -> bool {
        self.inner.is_none()
    }

    /// The pointer given to C as `clientd`.
    #[inline(always)]
    pub fn as_raw(&self) -> *mut std::os::raw::c_void {
        self.ptr as *mut _
    }

    /// A type-erased reference that keeps the callback object alive.
    #[doc(hidden)]
    pub fn as_dependency(&self) -> crate::resource::Dependency {
        match &self.inner {
            Some(a) => a.clone(),
            None => Arc::new(()),
        }
    }

    /// Runs `f` with exclusive access to the callback object: waits while another thread (a
    /// conductor calling it, another poll) is inside it. `None` when the handle was released or
    /// when this thread is already inside the handler (re-entry would alias `&mut T`).
    pub fn with_mut<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        self.inner.as_ref()?.enter(f)
    }

    /// Mutable access to the callback object without taking its lock.
    ///
    /// # Safety
    /// Nothing else may be running the handler at the same time (for handlers registered with a
    /// client context, the conductor thread may call them at any moment): prefer
    /// [`with_mut`](Self::with_mut).
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn get_mut(&self) -> &mut T {
        assert!(!self.ptr.is_null(), "handler was released");
        &mut *self.ptr
    }
}

impl<T> Handler<T> {
    /// An error for APIs that need a live handler, when this handle was released.
    pub(crate) fn require_live(&self, what: &str) -> Result<(), crate::AeronCError> {
        if self.inner.is_none() {
            Err(crate::AeronCError::with_message(
                libc::EINVAL,
                format!("{what}: the handler was released; pass a live handler"),
            ))
        } else {
            Ok(())
        }
    }
}

/// Entry point for creating handlers: `Handlers::leak(MyCallback { .. })`.
pub struct Handlers;

impl Handlers {
    /// Same as [`Handler::leak`].
    pub fn leak<T: Send + 'static>(handler: T) -> Handler<T> {
        Handler::leak(handler)
    }

    /// Same as [`Handler::release`].
    pub fn release<T: Send + 'static>(handler: &mut Handler<T>) {
        handler.release()
    }
}

/// How many messages of panics caught in callbacks that C called from its own threads are kept
/// for [`take_callback_panic`] at most; later ones (while the list is full) are logged and
/// counted ([`dropped_callback_panics`]), not kept.
pub const KEPT_CALLBACK_PANICS: usize = 64;

/// Messages of panics caught in callbacks that C called from its own threads (the conductor),
/// where there is no Rust caller to resume the panic in, oldest first. Read with
/// [`take_callback_panic`].
static CALLBACK_PANICS: Mutex<VecDeque<String>> = Mutex::new(VecDeque::new());

/// How many panic messages were not kept because [`CALLBACK_PANICS`] was full.
static DROPPED_CALLBACK_PANICS: AtomicU64 = AtomicU64::new(0);

/// Keeps `msg` for [`take_callback_panic`] unless [`KEPT_CALLBACK_PANICS`] are waiting already.
fn keep_callback_panic(msg: String) {
    let mut kept = CALLBACK_PANICS.lock().unwrap_or_else(|e| e.into_inner());
    if kept.len() < KEPT_CALLBACK_PANICS {
        kept.push_back(msg);
    } else {
        DROPPED_CALLBACK_PANICS.fetch_add(1, Ordering::Relaxed);
    }
}

/// How many panics caught in callbacks that C called from its own threads were not kept for
/// [`take_callback_panic`] since the process started, because [`KEPT_CALLBACK_PANICS`] messages
/// were waiting to be taken at the time (each was still logged at `error` level).
pub fn dropped_callback_panics() -> u64 {
    DROPPED_CALLBACK_PANICS.load(Ordering::Relaxed)
}

fn describe(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}

/// Runs a callback called from a C thread that has no Rust caller waiting (conductor callbacks).
/// A panic is caught, logged at `error` level (target `rusteron_client::handler`) and kept for
/// [`take_callback_panic`]; C sees a normal return.
#[inline]
pub fn guard_detached<R>(default: R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let msg = describe(payload.as_ref());
            log::error!("rusteron: a callback panicked and the panic was stopped at the C boundary: {msg}");
            keep_callback_panic(msg);
            default
        }
    }
}

/// The oldest panic message caught in a callback that C called from its own thread and not
/// taken yet, if any. At most [`KEPT_CALLBACK_PANICS`] wait here; see [`dropped_callback_panics`].
pub fn take_callback_panic() -> Option<String> {
    CALLBACK_PANICS.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
}

/// State given to C as `clientd` for a call that invokes a callback synchronously (poll, foreach,
/// list): the callback plus a slot for a panic caught inside it. After C returns, the caller
/// resumes the panic on the Rust side with [`Guarded::finish`].
pub struct Guarded<'a, H: ?Sized> {
    /// The callback object.
    pub handler: &'a mut H,
    /// A panic caught inside the callback, resumed by `finish`.
    pub panic: Option<Box<dyn Any + Send>>,
}

impl<'a, H: ?Sized> Guarded<'a, H> {
    /// Wraps a callback for one synchronous C call.
    #[inline(always)]
    pub fn new(handler: &'a mut H) -> Self {
        Guarded { handler, panic: None }
    }

    /// The pointer to give C as `clientd`.
    #[inline(always)]
    pub fn as_clientd(&mut self) -> *mut std::os::raw::c_void {
        self as *mut Self as *mut _
    }

    /// Runs `f` on the handler unless an earlier call panicked; catches a panic.
    ///
    /// # Safety
    /// `clientd` must be the pointer from [`as_clientd`](Self::as_clientd) of a live `Guarded`.
    #[inline(always)]
    pub unsafe fn call<R>(clientd: *mut std::os::raw::c_void, default: R, f: impl FnOnce(&mut H) -> R) -> R {
        let this = &mut *(clientd as *mut Self);
        if this.panic.is_some() {
            return default;
        }
        let handler = &mut *this.handler;
        match catch_unwind(AssertUnwindSafe(|| f(handler))) {
            Ok(r) => r,
            Err(p) => {
                this.panic = Some(p);
                default
            }
        }
    }

    /// Runs one synchronous C call that invokes `handler` through `clientd`: C gets the pointer
    /// of a `Guarded` on this stack frame, and a panic caught in the handler resumes once C has
    /// returned. Returns what C returned.
    #[inline(always)]
    pub fn run<R>(handler: &'a mut H, call: impl FnOnce(*mut std::os::raw::c_void) -> R) -> R {
        let mut g = Guarded::new(handler);
        let r = call(g.as_clientd());
        g.finish();
        r
    }

    /// Resumes a panic caught during the C call, now that C has returned.
    #[inline(always)]
    pub fn finish(self) {
        if let Some(p) = self.panic {
            std::panic::resume_unwind(p);
        }
    }
}

thread_local! {
    /// The one thread-local panic slot (place (2) in the module documentation): a panic caught
    /// in a callback that C called synchronously on this thread but whose `clientd` has no room
    /// for it (the handler of a plain poll with a borrowed handler, a C assembler's delegate),
    /// resumed by the Rust code that called C once C has returned. A raw pointer (from
    /// `Box::into_raw`) so that the slot has no destructor: a `const` thread-local without one is
    /// a plain `%fs`-relative load, with no lazy-initialisation check. (A payload still here
    /// when the thread exits, which no path of ours leaves, would be leaked, not dropped.)
    static PENDING_PANIC: Cell<Option<NonNull<dyn Any + Send>>> = const { Cell::new(None) };
}

/// True while [`PENDING_PANIC`] holds a panic: synchronous callbacks on this thread are skipped.
#[inline(always)]
fn panic_pending() -> bool {
    PENDING_PANIC.with(|p| p.get().is_some())
}

/// Puts `payload` in [`PENDING_PANIC`]. Callers look first ([`panic_pending`]); should the slot
/// be full anyway, the first panic is kept and this one is logged and forgotten (its payload may
/// panic on drop).
#[cold]
#[inline(never)]
fn stash_pending_panic(payload: Box<dyn Any + Send>) {
    if panic_pending() {
        log::error!(
            "rusteron: a second panic before the first was resumed was dropped: {}",
            describe(payload.as_ref())
        );
        std::mem::forget(payload);
        return;
    }
    // SAFETY of the later `Box::from_raw`: the pointer comes from `Box::into_raw` (`leak`) and
    // is taken out of the slot exactly once (`take_pending_panic`).
    let p = NonNull::from(Box::leak(payload));
    PENDING_PANIC.with(|slot| slot.set(Some(p)));
}

/// Takes the panic out of [`PENDING_PANIC`], if any.
#[inline(always)]
fn take_pending_panic() -> Option<Box<dyn Any + Send>> {
    // SAFETY: see `stash_pending_panic`.
    PENDING_PANIC.with(|slot| slot.take()).map(|p| unsafe { Box::from_raw(p.as_ptr()) })
}

/// Runs a callback that C calls synchronously on this thread but whose `clientd` cannot carry a
/// [`Guarded`] (it is a long-lived handler, e.g. a fragment assembler's delegate). A panic is
/// caught and kept in the thread-local slot; while the slot is full, further calls are skipped.
/// [`resume_nested_panic`] resumes it once C has returned.
#[inline(always)]
pub fn guard_nested<R>(default: R, f: impl FnOnce() -> R) -> R {
    if panic_pending() {
        return default;
    }
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            stash_pending_panic(p);
            default
        }
    }
}

/// [`guard_nested`] for a callback whose `clientd` is a [`Handler`]'s `as_raw` pointer (a C
/// assembler's delegate): takes the handler's lock for the call, so a delegate handler that is
/// also registered elsewhere is never entered from two threads at once. `default` when this
/// thread is already inside the handler.
///
/// # Safety
/// `clientd` must be `Handler::<H>::as_raw()` of a handler that is still alive.
#[inline(always)]
pub unsafe fn guard_nested_handler<H, R: Copy>(
    clientd: *mut std::os::raw::c_void,
    default: R,
    f: impl FnOnce(&mut H) -> R,
) -> R {
    if clientd.is_null() {
        return default;
    }
    // As in `guard_handler`: the delegate holds its own reference for the call.
    let held = HandlerCell::<H>::hold(clientd);
    let r = guard_nested(default, || held.enter(f).unwrap_or(default));
    drop_guarded(held, Panics::Nested);
    r
}

/// Resumes a panic kept by [`guard_nested`] (or a plain poll's trampoline) on this thread, if
/// any. Call after C returned.
#[inline(always)]
pub fn resume_nested_panic() {
    if panic_pending() {
        resume_pending_panic();
    }
}

/// Resumes the panic in [`PENDING_PANIC`] (the caller saw [`panic_pending`]). Never returns.
#[cold]
#[inline(never)]
fn resume_pending_panic() -> ! {
    match take_pending_panic() {
        Some(p) => std::panic::resume_unwind(p),
        None => unreachable!("resume_pending_panic is called only when a panic is pending"),
    }
}

/// The trampoline and `clientd` of a plain poll with `handler` (`&mut &mut H` on the polling
/// frame). When `&mut H` is a thin pointer (any closure or sized handler) C gets the handler's
/// own address; for a trait object, the address of the reference on the polling frame.
#[inline(always)]
pub(crate) fn poll_args<H: crate::AeronFragmentHandlerCallback + ?Sized>(
    handler: &mut &mut H,
) -> (crate::bindings::aeron_fragment_handler_t, *mut std::os::raw::c_void) {
    if std::mem::size_of::<*mut H>() == std::mem::size_of::<*mut std::os::raw::c_void>() {
        (Some(poll_fragment_trampoline_thin::<H>), &mut **handler as *mut H as *mut std::os::raw::c_void)
    } else {
        (Some(poll_fragment_trampoline::<H>), handler as *mut &mut H as *mut std::os::raw::c_void)
    }
}

/// [`poll_fragment_trampoline`] for a handler whose `&mut H` is a thin pointer: `clientd` is
/// the handler itself.
///
/// # Safety
/// As for [`poll_fragment_trampoline`], with `clientd` pointing at the live handler.
pub(crate) unsafe extern "C" fn poll_fragment_trampoline_thin<H: crate::AeronFragmentHandlerCallback + ?Sized>(
    clientd: *mut std::os::raw::c_void,
    buffer: *const u8,
    length: usize,
    header: *mut crate::bindings::aeron_header_t,
) {
    if std::mem::size_of::<*mut H>() != std::mem::size_of::<*mut std::os::raw::c_void>() {
        // Never chosen by `poll_args` for such an `H`.
        return;
    }
    // SAFETY: `*mut H` is a thin pointer (checked above), so it has the representation of
    // `clientd`, which `poll_args` made from a `&mut H`.
    let handler: *mut H = std::ptr::read(&clientd as *const *mut std::os::raw::c_void as *const *mut H);
    poll_fragment(&mut *handler, buffer, length, header)
}

#[inline(always)]
unsafe fn poll_fragment<H: crate::AeronFragmentHandlerCallback + ?Sized>(
    handler: &mut H,
    buffer: *const u8,
    length: usize,
    header: *mut crate::bindings::aeron_header_t,
) {
    if panic_pending() {
        return;
    }
    let r = catch_unwind(AssertUnwindSafe(|| {
        let data = if length == 0 { &[][..] } else { std::slice::from_raw_parts(buffer, length) };
        handler.handle_aeron_fragment_handler(data, crate::AeronHeader::from_raw(header))
    }));
    if let Err(p) = r {
        stash_pending_panic(p);
    }
}

/// The fragment trampoline of a plain poll with a borrowed handler (`aeron_subscription_poll`,
/// `aeron_image_poll`): `clientd` points at a `&mut H` on the polling stack frame (trait
/// objects; see [`poll_args`]).
///
/// The panic guarantee, at the lowest cost found for a borrowed handler: a panic in the handler
/// is caught here (it never unwinds into C), kept in the thread-local slot, and every later fragment of the same poll is
/// skipped (consumed, not handed to the handler). The poll resumes the panic after C returns,
/// and only looks for one when C reports fragments ([`poll_result`]): C counts every fragment
/// it hands to the handler (`++fragments_read` before each call in `aeron_image_poll`), so a
/// poll that returns 0 never called the handler and an empty poll pays nothing for the
/// guarantee. When the handler cannot unwind, `catch_unwind` compiles away.
///
/// # Safety
/// `clientd` must point at a live `&mut H`, and C must call this only during a plain poll on
/// this thread whose result goes through [`poll_result`].
pub(crate) unsafe extern "C" fn poll_fragment_trampoline<H: crate::AeronFragmentHandlerCallback + ?Sized>(
    clientd: *mut std::os::raw::c_void,
    buffer: *const u8,
    length: usize,
    header: *mut crate::bindings::aeron_header_t,
) {
    poll_fragment::<H>(&mut **(clientd as *mut &mut H), buffer, length, header)
}

/// The result of a plain poll that used [`poll_fragment_trampoline`]: the fragment count, a
/// panic caught in the handler resumed, or Aeron's error (built out of line).
#[inline(always)]
pub(crate) fn poll_result(rc: std::os::raw::c_int) -> Result<i32, crate::AeronCError> {
    // Nothing read (the common case of a busy poll): one test, no look at the slot.
    if rc == 0 {
        Ok(0)
    } else if rc > 0 {
        if panic_pending() {
            resume_pending_panic();
        }
        Ok(rc)
    } else {
        Err(poll_error())
    }
}

#[cold]
#[inline(never)]
fn poll_error() -> crate::AeronCError {
    crate::AeronCError::last()
}

/// The `clientd` of a plain poll that owns its handler (`poll_once`, `poll_fn`): the handler,
/// and room for a panic caught in it (place (1) in the module documentation), on the polling
/// stack frame.
///
/// Cheaper per fragment than the thread-local slot of [`poll_fragment_trampoline`]: the handler
/// is `None` once it panicked, so the test that skips the rest of the poll is the test of the
/// `Option`, and for a closure that captures a reference (the usual poll closure) `None` is
/// the null capture pointer: the trampoline loads the capture it needs anyway and branches on
/// it (`mov (%rdi),%rax; test %rax,%rax; je`), one instruction less per fragment than the
/// `%fs`-relative load of the slot, and nothing to set up per poll (the closure is written to
/// the frame as before). After C returns, a poll that reported fragments tests the same word.
#[repr(C)]
pub(crate) struct OwnedPoll<H> {
    /// The handler; `None` once it panicked in this poll.
    handler: Option<H>,
    /// The handler that panicked, moved out of `handler` (dropped where the panic resumes).
    panicked: MaybeUninit<H>,
    /// The caught panic, written when `handler` becomes `None`.
    payload: MaybeUninit<Box<dyn Any + Send>>,
}

impl<H: crate::AeronFragmentHandlerCallback> OwnedPoll<H> {
    /// A frame for one poll with `handler`.
    #[inline(always)]
    pub(crate) fn new(handler: H) -> Self {
        OwnedPoll { handler: Some(handler), panicked: MaybeUninit::uninit(), payload: MaybeUninit::uninit() }
    }

    /// The trampoline and `clientd` to give C. Every later access to the frame (C's, and
    /// [`result`](Self::result)) goes through this pointer.
    #[inline(always)]
    pub(crate) fn args(&mut self) -> (crate::bindings::aeron_fragment_handler_t, *mut Self) {
        (Some(owned_poll_trampoline::<H>), self)
    }

    /// The result of the poll C answered `rc` to: the fragment count, the handler's panic
    /// resumed, or Aeron's error.
    ///
    /// # Safety
    /// `this` is the pointer from [`args`](Self::args), C has returned, and this is called once.
    #[inline(always)]
    pub(crate) unsafe fn result(this: *mut Self, rc: std::os::raw::c_int) -> Result<i32, crate::AeronCError> {
        // As in `poll_result`: C counts each fragment before handing it over, so a poll that
        // returned 0 never called the handler.
        if rc == 0 {
            Ok(0)
        } else if rc > 0 {
            if (*this).handler.is_none() {
                Self::resume(this);
            }
            Ok(rc)
        } else {
            Err(poll_error())
        }
    }

    /// Resumes the handler's panic; the handler that panicked is dropped while it unwinds (as a
    /// handler passed by value to a poll always was).
    #[cold]
    #[inline(never)]
    unsafe fn resume(this: *mut Self) -> ! {
        // SAFETY: both were written by `stash` when it set `handler` to `None`, and are read once.
        let _handler = (*this).panicked.assume_init_read();
        std::panic::resume_unwind((*this).payload.assume_init_read())
    }

    /// Keeps the panic of the handler and sets `handler` to `None`.
    #[cold]
    #[inline(never)]
    fn stash(&mut self, payload: Box<dyn Any + Send>) {
        match self.handler.take() {
            Some(h) => {
                self.panicked.write(h);
                self.payload.write(payload);
            }
            // Not reached: the trampoline does not call a handler that is gone. Never drop a
            // payload here (its `Drop` may panic, inside a C callback).
            None => std::mem::forget(payload),
        }
    }
}

/// The fragment trampoline of an [`OwnedPoll`].
///
/// # Safety
/// `clientd` is the pointer from [`OwnedPoll::args`] of a frame alive for this poll, on this
/// thread.
unsafe extern "C" fn owned_poll_trampoline<H: crate::AeronFragmentHandlerCallback>(
    clientd: *mut std::os::raw::c_void,
    buffer: *const u8,
    length: usize,
    header: *mut crate::bindings::aeron_header_t,
) {
    let frame = &mut *(clientd as *mut OwnedPoll<H>);
    let Some(handler) = frame.handler.as_mut() else {
        // The handler panicked earlier in this poll: the fragment is consumed without it.
        return;
    };
    let r = catch_unwind(AssertUnwindSafe(|| {
        let data = if length == 0 { &[][..] } else { std::slice::from_raw_parts(buffer, length) };
        handler.handle_aeron_fragment_handler(data, crate::AeronHeader::from_raw(header))
    }));
    if let Err(p) = r {
        frame.stash(p);
    }
}
