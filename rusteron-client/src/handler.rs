//! Long-lived callbacks (`Handler`, `Handlers::leak`) and the panic boundary every callback
//! trampoline goes through.

use std::any::Any;
use std::cell::{Cell, UnsafeCell};
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

struct HandlerCell<T>(UnsafeCell<T>);

// SAFETY: Aeron calls a registered handler from one thread at a time (the client conductor, or
// the thread that polls); callback traits require `Send` implementors where C may call them
// from another thread than the one that registered them.
unsafe impl<T: Send> Send for HandlerCell<T> {}
unsafe impl<T: Send> Sync for HandlerCell<T> {}

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
        let arc = Arc::new(HandlerCell(UnsafeCell::new(handler)));
        let ptr = arc.0.get();
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

    /// Mutable access to the callback object.
    ///
    /// # Safety
    /// C must not be calling the handler at the same time (for handlers registered with a
    /// client context, the conductor thread may call them at any moment).
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn get_mut(&self) -> &mut T {
        assert!(!self.ptr.is_null(), "handler was released");
        &mut *self.ptr
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

/// Panic payloads caught in callbacks that C called from its own threads (the conductor), where
/// there is no Rust caller to resume the panic in. Read with [`take_callback_panic`].
static CONDUCTOR_PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

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
/// A panic is caught, printed and kept for [`take_callback_panic`]; C sees a normal return.
#[inline]
pub fn guard_detached<R>(default: R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let msg = describe(payload.as_ref());
            eprintln!("rusteron: a callback panicked and the panic was stopped at the C boundary: {msg}");
            CONDUCTOR_PANICS.lock().unwrap_or_else(|e| e.into_inner()).push(msg);
            default
        }
    }
}

/// The oldest panic message caught in a callback that C called from its own thread, if any.
pub fn take_callback_panic() -> Option<String> {
    let mut v = CONDUCTOR_PANICS.lock().unwrap_or_else(|e| e.into_inner());
    if v.is_empty() {
        None
    } else {
        Some(v.remove(0))
    }
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

    /// Resumes a panic caught during the C call, now that C has returned.
    #[inline(always)]
    pub fn finish(self) {
        if let Some(p) = self.panic {
            std::panic::resume_unwind(p);
        }
    }
}

thread_local! {
    /// A panic caught in a callback that C called from inside another callback of ours (a fragment
    /// assembler's delegate, called by C inside a poll). Resumed by the Rust code that called C.
    static NESTED_PANIC: Cell<Option<Box<dyn Any + Send>>> = const { Cell::new(None) };
}

/// Runs a callback that C calls synchronously on this thread but whose `clientd` cannot carry a
/// [`Guarded`] (it is a long-lived handler, e.g. a fragment assembler's delegate). A panic is
/// caught and kept in a thread-local slot; while the slot is full, further calls are skipped.
/// [`resume_nested_panic`] resumes it once C has returned.
#[inline(always)]
pub fn guard_nested<R>(default: R, f: impl FnOnce() -> R) -> R {
    let pending = NESTED_PANIC.with(|slot| {
        let p = slot.take();
        let full = p.is_some();
        slot.set(p);
        full
    });
    if pending {
        return default;
    }
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            NESTED_PANIC.with(|slot| slot.set(Some(p)));
            default
        }
    }
}

/// Resumes a panic kept by [`guard_nested`] on this thread, if any. Call after C returned.
#[inline(always)]
pub fn resume_nested_panic() {
    if let Some(p) = NESTED_PANIC.with(|slot| slot.take()) {
        std::panic::resume_unwind(p);
    }
}
