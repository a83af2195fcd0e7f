//! Small helpers shared by the archive wrappers: C return codes to `Result`, and the panic
//! boundary for callbacks (the client crate keeps its own helpers private, so the archive crate
//! has its own copies of the two patterns).

use crate::AeronCError;
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Mutex;

/// `>= 0` is `Ok(rc)`, `< 0` reads Aeron's error for this thread.
#[inline]
pub(crate) fn check(rc: i32) -> Result<i32, AeronCError> {
    if rc < 0 {
        Err(AeronCError::last())
    } else {
        Ok(rc)
    }
}

/// An error made on the Rust side (bad argument, ...), with Aeron's EINVAL code.
pub(crate) fn invalid(msg: impl Into<String>) -> AeronCError {
    AeronCError::with_message(libc::EINVAL, msg)
}

/// Converts a Rust string argument into a C string, or a clear error for an interior NUL.
#[allow(dead_code)]
pub(crate) fn cstring(s: &str) -> Result<std::ffi::CString, AeronCError> {
    std::ffi::CString::new(s).map_err(|e| invalid(format!("string contains a NUL byte at {}: {s:?}", e.nul_position())))
}

static DETACHED_PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn describe(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}

/// Runs a callback registered on a context (signal consumer, error handler, credentials,
/// invoker). C calls those from inside an archive call with no Rust frame ready to receive a
/// panic, so a panic is caught, printed and kept for [`take_archive_callback_panic`].
#[inline]
pub(crate) fn guard_detached<R>(default: R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let msg = describe(payload.as_ref());
            eprintln!("rusteron-archive: a callback panicked and the panic was stopped at the C boundary: {msg}");
            DETACHED_PANICS.lock().unwrap_or_else(|e| e.into_inner()).push(msg);
            default
        }
    }
}

/// The oldest panic message caught in an archive context callback (recording signal consumer,
/// error handler, credentials supplier, delegating invoker), if any.
pub fn take_archive_callback_panic() -> Option<String> {
    let mut v = DETACHED_PANICS.lock().unwrap_or_else(|e| e.into_inner());
    if v.is_empty() {
        None
    } else {
        Some(v.remove(0))
    }
}

/// State handed to C as `clientd` for a call that invokes a callback synchronously (list,
/// poll): the callback and a slot for a panic caught inside it, resumed after C returns.
pub(crate) struct Guarded<'a, H: ?Sized> {
    pub handler: &'a mut H,
    pub panic: Option<Box<dyn Any + Send>>,
}

impl<'a, H: ?Sized> Guarded<'a, H> {
    #[inline(always)]
    pub fn new(handler: &'a mut H) -> Self {
        Guarded { handler, panic: None }
    }

    #[inline(always)]
    pub fn as_clientd(&mut self) -> *mut std::os::raw::c_void {
        self as *mut Self as *mut _
    }

    /// Runs `f` on the handler unless an earlier call panicked; catches a panic.
    ///
    /// # Safety
    /// `clientd` must come from [`as_clientd`](Self::as_clientd) of a live `Guarded<H>`.
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

/// Holds a value only to keep it alive (never read), so a `Send` type that is not `Sync` can be
/// stored as a `Dependency`.
struct KeepAlive<T>(#[allow(dead_code)] T);
// SAFETY: the value is never accessed through a shared reference; it is only dropped, which
// `T: Send` allows on any thread.
unsafe impl<T: Send> Sync for KeepAlive<T> {}

/// A type-erased handle keeping `value` alive.
pub(crate) fn keep<T: Send + 'static>(value: T) -> rusteron_client::resource::Dependency {
    std::sync::Arc::new(KeepAlive(value))
}
