//! Free functions of `aeronc.h`: clocks, version, the calling thread's last error, properties
//! files, the default Aeron directory.

use crate::bindings;
use crate::error::{check, AeronCError};
use crate::strings::c_str_to_str;
use std::cell::Cell;
use std::ffi::CStr;
use std::os::raw::c_char;

/// Nanoseconds from the machine's monotonic clock (not wall clock time) (`aeron_nano_clock`).
#[inline]
pub fn nano_clock() -> i64 {
    unsafe { bindings::aeron_nano_clock() }
}

/// Milliseconds since the Unix epoch, wall clock (`aeron_epoch_clock`).
#[inline]
pub fn epoch_clock() -> i64 {
    unsafe { bindings::aeron_epoch_clock() }
}

/// Full version and build string of the Aeron C library (`aeron_version_full`).
pub fn version_full() -> &'static str {
    unsafe { c_str_to_str(bindings::aeron_version_full()) }
}

/// Version text, e.g. `1.54.0` (`aeron_version_text`).
pub fn version_text() -> &'static str {
    unsafe { c_str_to_str(bindings::aeron_version_text()) }
}

/// Major version number (`aeron_version_major`).
pub fn version_major() -> i32 {
    unsafe { bindings::aeron_version_major() }
}

/// Minor version number (`aeron_version_minor`).
pub fn version_minor() -> i32 {
    unsafe { bindings::aeron_version_minor() }
}

/// Patch version number (`aeron_version_patch`).
pub fn version_patch() -> i32 {
    unsafe { bindings::aeron_version_patch() }
}

/// Git commit of the Aeron build (`aeron_version_gitsha`).
pub fn version_gitsha() -> &'static str {
    unsafe { c_str_to_str(bindings::aeron_version_gitsha()) }
}

/// The error code of the calling thread's last failed Aeron call (`aeron_errcode`).
pub fn errcode() -> i32 {
    unsafe { bindings::aeron_errcode() }
}

/// The error message of the calling thread's last failed Aeron call, copied (`aeron_errmsg`).
pub fn errmsg() -> String {
    unsafe { c_str_to_str(bindings::aeron_errmsg()).to_string() }
}

/// Sets `AERON_*` environment variables of this process from `name=value` lines
/// (`aeron_properties_buffer_load`), for contexts created afterwards.
pub fn properties_buffer_load(buffer: &CStr) -> Result<i32, AeronCError> {
    check(unsafe { bindings::aeron_properties_buffer_load(buffer.as_ptr()) })
}

/// Sets environment variables from a properties file (`aeron_properties_file_load`).
pub fn properties_file_load(filename: &CStr) -> Result<i32, AeronCError> {
    check(unsafe { bindings::aeron_properties_file_load(filename.as_ptr()) })
}

/// Sets environment variables from properties fetched over HTTP (`aeron_properties_http_load`).
pub fn properties_http_load(url: &CStr) -> Result<i32, AeronCError> {
    check(unsafe { bindings::aeron_properties_http_load(url.as_ptr()) })
}

/// Sets environment variables from a file name or a `file:`/`http:` URL (`aeron_properties_load`).
pub fn properties_load(url_or_filename: &CStr) -> Result<i32, AeronCError> {
    check(unsafe { bindings::aeron_properties_load(url_or_filename.as_ptr()) })
}

/// The default Aeron directory of this machine and user (`aeron_default_path`).
pub fn default_path() -> Result<String, AeronCError> {
    let mut len = 256usize;
    loop {
        let mut buf = vec![0u8; len];
        let rc = unsafe { bindings::aeron_default_path(buf.as_mut_ptr() as *mut c_char, len) };
        if rc < 0 {
            return Err(AeronCError::last());
        }
        let n = rc as usize;
        if n >= len {
            len = n + 1;
            continue;
        }
        buf.truncate(n);
        return Ok(String::from_utf8_lossy(&buf).into_owned());
    }
}

type LineSink = *mut dyn FnMut(&str);

thread_local! {
    /// The closure that a C function taking a context-free `void (*)(const char *)` writes to,
    /// set only while that (synchronous) C call runs on this thread.
    static LINE_SINK: Cell<Option<LineSink>> = const { Cell::new(None) };
}

unsafe extern "C" fn line_sink_trampoline(line: *const c_char) {
    if let Some(f) = LINE_SINK.with(|s| s.get()) {
        let text = c_str_to_str(line);
        // A panic must not unwind into C: stop it here and report it like a conductor callback.
        crate::handler::guard_nested((), || (*f)(text));
    }
}

/// Runs `call` with a C line callback that forwards to `f`. C must call it synchronously on
/// this thread (as `aeron_print_counters` does). A panic in `f`
/// resumes after `call` returns.
pub(crate) fn with_line_sink<F: FnMut(&str)>(f: &mut F, call: impl FnOnce(bindings::aeron_log_func_t)) {
    let dyn_ref: &mut dyn FnMut(&str) = f;
    // SAFETY: the pointer is only used while `call` runs, during which `f` is borrowed here;
    // the lifetime is erased to store it in the thread-local slot.
    let ptr: LineSink = unsafe { std::mem::transmute::<&mut dyn FnMut(&str), LineSink>(dyn_ref) };
    let previous = LINE_SINK.with(|s| s.replace(Some(ptr)));
    call(Some(line_sink_trampoline));
    LINE_SINK.with(|s| s.set(previous));
    crate::handler::resume_nested_panic();
}

crate::c_wrapper!(
    /// The C client's record of a resource being registered with the driver
    /// (`aeron_client_registering_resource_t`): what every async add points at. A borrowed view
    /// for inspection; the async add types own the object.
    AeronClientRegisteringResource => bindings::aeron_client_registering_resource_t
);

impl AeronClientRegisteringResource {
    /// A copy of the object behind an async add while it is pending.
    pub fn of_async_publication(add: &crate::AeronAsyncAddPublication) -> Option<Self> {
        // The check and the copy run under the add's poll lock (`with_pending`): another
        // thread's `poll()` of a clone cannot complete the add, which frees the C object, in
        // between (it could when the check released the lock before the copy).
        add.with_pending(|p| unsafe { Self::snapshot(p) }).flatten()
    }

    /// A copy of the object behind an async subscription add while it is pending.
    pub fn of_async_subscription(add: &crate::AeronAsyncAddSubscription) -> Option<Self> {
        add.with_pending(|p| unsafe { Self::snapshot(p) }).flatten()
    }

    /// Copies the registering resource's identity (registration id, stream id, channel) into
    /// memory this wrapper owns: C frees the original when the add completes, which must not
    /// leave this view dangling. Only the fields fixed when the add started are read: the client
    /// conductor writes the others (status, resource, error) on its own thread meanwhile; they
    /// stay zero/null in the copy.
    ///
    /// `uri` is the exception: when the driver's answer arrives, the conductor hands the text to
    /// the new publication or subscription and sets the field to NULL. The text itself is not
    /// freed then (the new object owns it, and it cannot be closed before a poll hands it out,
    /// which the held poll lock prevents), so a pointer read just before the hand-over stays
    /// valid; a NULL one means the conductor has finished: `None`, the add is no longer
    /// pending.
    ///
    /// # Safety
    /// `p` must point to a live registering resource that no one can free during the call (the
    /// add's poll lock is held).
    unsafe fn snapshot(p: *mut bindings::aeron_client_registering_resource_t) -> Option<Self> {
        let uri_ptr = std::ptr::read_volatile(std::ptr::addr_of!((*p).uri));
        if uri_ptr.is_null() {
            return None;
        }
        let registration_id = std::ptr::addr_of!((*p).registration_id).read();
        let destination_registration_id = std::ptr::addr_of!((*p).destination_registration_id).read();
        let stream_id = std::ptr::addr_of!((*p).stream_id).read();
        let uri_length = std::ptr::addr_of!((*p).uri_length).read();
        let uri = crate::strings::c_bytes_to_str(uri_ptr, uri_length.max(0) as usize);
        let uri = std::ffi::CString::new(uri).unwrap_or_default();
        let mut copy: bindings::aeron_client_registering_resource_t = std::mem::zeroed();
        copy.registration_id = registration_id;
        copy.destination_registration_id = destination_registration_id;
        copy.stream_id = stream_id;
        copy.uri = uri.as_ptr() as *mut _;
        copy.uri_length = uri.as_bytes().len() as i32;
        let m = crate::ManagedCResource::new_struct(copy);
        // The CString's heap buffer does not move when the CString is moved into the Arc.
        m.add_dependency(std::sync::Arc::new(uri));
        Some(unsafe { Self::from_managed(m) })
    }

    /// The registration id sent to the driver.
    pub fn registration_id(&self) -> i64 {
        unsafe { (*self.get_inner()).registration_id }
    }

    /// The stream id being registered.
    pub fn stream_id(&self) -> i32 {
        unsafe { (*self.get_inner()).stream_id }
    }

    /// The channel URI being registered.
    pub fn uri(&self) -> &str {
        let r = unsafe { &*self.get_inner() };
        unsafe { crate::strings::c_bytes_to_str(r.uri, r.uri_length.max(0) as usize) }
    }
}

/// A fragment handler made from any `FnMut(&[u8], AeronHeader)` closure, for APIs that want a
/// named handler type (for example to [`Handlers::leak`](crate::Handlers::leak) it). Polls also
/// take closures directly.
pub struct FnMutMessageHandler<F: FnMut(&[u8], crate::AeronHeader<'_>)> {
    f: F,
}

impl<F: FnMut(&[u8], crate::AeronHeader<'_>)> FnMutMessageHandler<F> {
    /// Wraps the closure.
    pub fn new(f: F) -> Self {
        FnMutMessageHandler { f }
    }

    /// Gives the closure back.
    pub fn into_inner(self) -> F {
        self.f
    }
}

impl<F: FnMut(&[u8], crate::AeronHeader<'_>)> crate::AeronFragmentHandlerCallback for FnMutMessageHandler<F> {
    #[inline(always)]
    fn handle_aeron_fragment_handler(&mut self, buffer: &[u8], header: crate::AeronHeader<'_>) {
        (self.f)(buffer, header)
    }
}

impl<F: FnMut(&[u8], crate::AeronHeader<'_>)> std::fmt::Debug for FnMutMessageHandler<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FnMutMessageHandler")
    }
}

impl crate::Aeron {
    /// Aeron's monotonic clock in nanoseconds (`aeron_nano_clock`), the clock its timeouts use;
    /// the same as the free function [`nano_clock`](crate::nano_clock). Needs no client:
    ///
    /// ```
    /// let t0 = rusteron_client::Aeron::nano_clock();
    /// assert!(rusteron_client::Aeron::nano_clock() >= t0);
    /// ```
    #[inline]
    pub fn nano_clock() -> i64 {
        crate::nano_clock()
    }

    /// Wall-clock milliseconds since the Unix epoch (`aeron_epoch_clock`), the clock of Aeron's
    /// timestamps (error log, heartbeats); the same as [`epoch_clock`](crate::epoch_clock).
    /// Needs no client:
    ///
    /// ```
    /// let now_ms = rusteron_client::Aeron::epoch_clock();
    /// assert!(now_ms > 1_700_000_000_000, "after November 2023: {now_ms}");
    /// ```
    #[inline]
    pub fn epoch_clock() -> i64 {
        crate::epoch_clock()
    }
}
