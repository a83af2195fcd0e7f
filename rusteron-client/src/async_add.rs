//! Asynchronous adds: start the add, then poll until the driver answers.
//!
//! C frees an async object itself when its poll completes (with the resource or an error); the
//! wrapper then marks it consumed, and a later poll is an error rather than a use after free.
//! Dropping an async add that never completed cancels it (`aeron_async_add_*_cancel`).

use crate::bindings;
use crate::callbacks::*;
use crate::closing::{close_counter, close_exclusive_publication, close_publication, close_subscription};
use crate::error::AeronCError;
use crate::handler::Handler;
use crate::resource::{Close, CloseOutcome, Dependency, PendingUntil};
use crate::{Aeron, AeronCounter, AeronExclusivePublication, AeronPublication, AeronSubscription, ManagedCResource};
use std::ffi::CStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Shared core of every async add: the C object, and what the finished resource must keep alive.
struct AsyncCore<T> {
    managed: ManagedCResource<T>,
    deps: Vec<Dependency>,
    /// The client the add was made on, for its liveness ([`Aeron::is_closed`]) while waiting.
    client: Aeron,
    /// One poll at a time: clones of an async add may be polled from several threads, and the
    /// poll that completes the add frees the C object (the next one must see it consumed).
    poll_lock: Mutex<()>,
}

impl<T: 'static> AsyncCore<T> {
    fn new(
        raw: *mut T,
        client: &Aeron,
        cancel: unsafe extern "C" fn(*mut bindings::aeron_t, *mut T) -> i32,
        deps: Vec<Dependency>,
    ) -> Arc<Self> {
        let c = client.get_inner() as usize;
        // Handlers (a subscription's image handlers) stay callable after a cancel: C removes the
        // resource asynchronously, and a subscription the driver already created is closed by
        // the conductor, which calls `on_unavailable_image` for its images. With no way to know
        // when that is over, a cancelled add keeps its handlers forever (a few bytes, and only
        // for adds dropped before they completed).
        let keep_handlers = !deps.is_empty();
        let managed = ManagedCResource::closed_by(
            raw,
            Close::Later(Box::new(move |a| {
                let rc = unsafe { cancel(c as *mut _, a) };
                if rc >= 0 && keep_handlers {
                    CloseOutcome::Pending(PendingUntil::Never)
                } else {
                    CloseOutcome::Done(rc)
                }
            })),
        );
        // Only the handlers are kept by the C object (and so possibly leaked); the client, which
        // the cancel needs, is in `deps`, dropped after `managed` (field order), never leaked.
        for d in &deps {
            managed.add_dependency(d.clone());
        }
        let mut all = vec![client.as_dependency()];
        all.extend(deps);
        Arc::new(AsyncCore { managed, deps: all, client: client.clone(), poll_lock: Mutex::new(()) })
    }

    /// One poll. `poll_fn` writes the finished C resource through its out pointer.
    fn poll<O>(&self, poll_fn: impl FnOnce(*mut *mut O, *mut T) -> i32) -> Result<Option<*mut O>, AeronCError> {
        let _one_at_a_time = self.poll_lock.lock().unwrap_or_else(|e| e.into_inner());
        if self.managed.is_closed() {
            return Err(AeronCError::with_message(-1, "this async add already completed: it cannot be polled again"));
        }
        let mut out: *mut O = std::ptr::null_mut();
        let rc = poll_fn(&mut out, self.managed.get());
        if rc == 0 {
            return Ok(None);
        }
        // Completed either way: C has freed the async object.
        self.managed.mark_consumed();
        if rc < 0 || out.is_null() {
            return Err(AeronCError::last_from_driver());
        }
        Ok(Some(out))
    }

    fn finish<O: 'static>(&self, out: *mut O, close: Close<O>) -> ManagedCResource<O> {
        let m = ManagedCResource::closed_by(out, close);
        for d in &self.deps {
            m.add_dependency(d.clone());
        }
        m
    }
}

/// Polls `f` until it yields, fails, or `timeout` passes. Fails at once when `client` is closed:
/// a client that timed its media driver out stops its conductor, so nothing would ever answer
/// (C's poll keeps saying "waiting" until the end of time).
fn wait<T>(
    client: &Aeron,
    timeout: Duration,
    mut f: impl FnMut() -> Result<Option<T>, AeronCError>,
) -> Result<T, AeronCError> {
    let deadline = crate::__private::deadline_after(timeout);
    loop {
        if let Some(v) = f()? {
            return Ok(v);
        }
        if client.is_closed() {
            return Err(closed_client_error());
        }
        if Instant::now() >= deadline {
            return Err(AeronCError::with_message(
                crate::AeronErrorType::TimedOut.code(),
                format!("add not completed within {timeout:?}"),
            ));
        }
        std::thread::sleep(Duration::from_micros(50));
    }
}

/// The error of a wait on a closed client.
pub(crate) fn closed_client_error() -> AeronCError {
    AeronCError::with_message(
        crate::AeronErrorType::ClientErrorDriverTimeout.code(),
        "the Aeron client is closed (its media driver timed out, or it was closed): no answer will come",
    )
}

/// Declares one async add type.
macro_rules! async_add_type {
    ($(#[$doc:meta])* $name:ident => $ctype:ty, $out:ident, $out_c:ty, $poll:ident, $reg:ident, $close:expr) => {
        $(#[$doc])*
        ///
        /// Threads: `Send + Sync`: clones share the add and may be polled from any thread; a
        /// lock makes the polls take turns (the one that completes the add frees the C object).
        #[derive(Clone)]
        pub struct $name {
            core: Arc<AsyncCore<$ctype>>,
        }
        // SAFETY: the C async object is only touched under `poll_lock` (in `poll`, which may
        // free it, and in `get_registration_id`), and after a poll freed it, never again.
        unsafe impl Send for $name {}
        unsafe impl Sync for $name {}

        impl $name {
            /// Polls the add: `Ok(Some(..))` once the driver created it, `Ok(None)` while
            /// waiting, `Err` with the driver's message if it refused (a malformed URI, ...).
            pub fn poll(&self) -> Result<Option<$out>, AeronCError> {
                match self.core.poll(|o, a| unsafe { bindings::$poll(o, a) })? {
                    None => Ok(None),
                    Some(out) => {
                        let close = Close::Notified($close, None);
                        Ok(Some(unsafe { $out::from_managed(self.core.finish::<$out_c>(out, close)) }))
                    }
                }
            }

            /// Polls until the add completes, fails, or `timeout` passes. Fails at once (a
            /// [`ClientErrorDriverTimeout`](crate::AeronErrorType::ClientErrorDriverTimeout)
            /// error) if the client closes meanwhile, e.g. because its media driver died: then no
            /// answer can come.
            pub fn poll_blocking(&self, timeout: Duration) -> Result<$out, AeronCError> {
                wait(&self.core.client, timeout, || self.poll())
            }

            /// The registration id of the add (`-1` once it completed).
            pub fn get_registration_id(&self) -> i64 {
                let _one_at_a_time = self.core.poll_lock.lock().unwrap_or_else(|e| e.into_inner());
                if self.core.managed.is_closed() {
                    return -1;
                }
                unsafe { bindings::$reg(self.core.managed.get()) }
            }

            /// Runs `f` on the C async object while the add is pending, holding the add's poll
            /// lock: no poll (from any thread, through any clone) can complete the add and free
            /// the object until `f` returns. `None` once the add completed.
            #[allow(dead_code)]
            pub(crate) fn with_pending<R>(&self, f: impl FnOnce(*mut $ctype) -> R) -> Option<R> {
                let _one_at_a_time = self.core.poll_lock.lock().unwrap_or_else(|e| e.into_inner());
                if self.core.managed.is_closed() {
                    return None;
                }
                Some(f(self.core.managed.get()))
            }

            /// The C async object (dangling once the add completed).
            pub fn get_inner(&self) -> *mut $ctype {
                self.core.managed.get()
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.core.managed)
            }
        }
    };
}

async_add_type!(
    /// A concurrent publication being added (`aeron_async_add_publication_t`).
    AeronAsyncAddPublication => bindings::aeron_async_add_publication_t,
    AeronPublication, bindings::aeron_publication_t,
    aeron_async_add_publication_poll, aeron_async_add_publication_get_registration_id, close_publication
);
async_add_type!(
    /// An exclusive publication being added (`aeron_async_add_exclusive_publication_t`).
    AeronAsyncAddExclusivePublication => bindings::aeron_async_add_exclusive_publication_t,
    AeronExclusivePublication, bindings::aeron_exclusive_publication_t,
    aeron_async_add_exclusive_publication_poll, aeron_async_add_exclusive_publication_get_registration_id,
    close_exclusive_publication
);
async_add_type!(
    /// A subscription being added (`aeron_async_add_subscription_t`).
    AeronAsyncAddSubscription => bindings::aeron_async_add_subscription_t,
    AeronSubscription, bindings::aeron_subscription_t,
    aeron_async_add_subscription_poll, aeron_async_add_subscription_get_registration_id, close_subscription
);
async_add_type!(
    /// A counter being added (`aeron_async_add_counter_t`).
    AeronAsyncAddCounter => bindings::aeron_async_add_counter_t,
    AeronCounter, bindings::aeron_counter_t,
    aeron_async_add_counter_poll, aeron_async_add_counter_get_registration_id, close_counter
);

/// A channel for an add: at most `AERON_URI_MAX_LENGTH` bytes, and the command (`T` plus the
/// channel) within the driver's command buffer.
fn check_add_uri<T>(client: &Aeron, call: &str, uri: &CStr) -> Result<(), AeronCError> {
    crate::limits::check_channel(call, "uri", uri)?;
    crate::limits::check_command(client.get_inner(), call, crate::limits::command_length::<T>(uri.to_bytes().len()))
}

/// A counter's key and label: within the counter record (longer ones the driver would cut), the
/// label without a NUL (it is read back as C text), and the command within the driver's command
/// buffer.
fn check_counter<T>(client: &Aeron, call: &str, key: &[u8], label: &str) -> Result<(), AeronCError> {
    use crate::limits::check_length;
    check_length(
        call,
        "key",
        key.len(),
        crate::AERON_COUNTER_MAX_KEY_LENGTH,
        "a counter key (AERON_COUNTER_MAX_KEY_LENGTH)",
    )?;
    check_length(
        call,
        "label",
        label.len(),
        crate::AERON_COUNTER_MAX_LABEL_LENGTH,
        "a counter label (AERON_COUNTER_MAX_LABEL_LENGTH)",
    )?;
    crate::limits::check_no_nul("label", label.as_bytes())?;
    // The command: the fixed part, the key (length-prefixed, padded to 4 bytes), the label
    // (length-prefixed).
    let variable = 4 + key.len().next_multiple_of(4) + 4 + label.len();
    crate::limits::check_command(client.get_inner(), call, crate::limits::command_length::<T>(variable))
}

impl AeronAsyncAddPublication {
    /// Starts adding a concurrent publication (`aeron_async_add_publication`). A channel longer
    /// than [`AERON_URI_MAX_LENGTH`](crate::AERON_URI_MAX_LENGTH) is refused here.
    pub fn new(client: &Aeron, uri: &CStr, stream_id: i32) -> Result<Self, AeronCError> {
        check_add_uri::<bindings::aeron_publication_command_t>(client, "add_publication", uri)?;
        let mut raw = std::ptr::null_mut();
        crate::error::check(unsafe {
            bindings::aeron_async_add_publication(&mut raw, client.get_inner(), uri.as_ptr(), stream_id)
        })?;
        Ok(Self { core: AsyncCore::new(raw, client, bindings::aeron_async_add_publication_cancel, vec![]) })
    }
}

impl AeronAsyncAddExclusivePublication {
    /// Starts adding an exclusive publication (`aeron_async_add_exclusive_publication`). A
    /// channel longer than [`AERON_URI_MAX_LENGTH`](crate::AERON_URI_MAX_LENGTH) is refused here.
    pub fn new(client: &Aeron, uri: &CStr, stream_id: i32) -> Result<Self, AeronCError> {
        check_add_uri::<bindings::aeron_publication_command_t>(client, "add_exclusive_publication", uri)?;
        let mut raw = std::ptr::null_mut();
        crate::error::check(unsafe {
            bindings::aeron_async_add_exclusive_publication(&mut raw, client.get_inner(), uri.as_ptr(), stream_id)
        })?;
        Ok(Self { core: AsyncCore::new(raw, client, bindings::aeron_async_add_exclusive_publication_cancel, vec![]) })
    }
}

impl AeronAsyncAddSubscription {
    /// Starts adding a subscription (`aeron_async_add_subscription`). The image handlers are
    /// called on the conductor thread and kept alive by the subscription. A channel longer than
    /// [`AERON_URI_MAX_LENGTH`](crate::AERON_URI_MAX_LENGTH) is refused here.
    pub fn new<A, U>(
        client: &Aeron,
        uri: &CStr,
        stream_id: i32,
        on_available_image: Option<&Handler<A>>,
        on_unavailable_image: Option<&Handler<U>>,
    ) -> Result<Self, AeronCError>
    where
        A: AeronAvailableImageCallback + Send + 'static,
        U: AeronUnavailableImageCallback + Send + 'static,
    {
        check_add_uri::<bindings::aeron_subscription_command_t>(client, "add_subscription", uri)?;
        let (af, ad) = raw_handler(on_available_image, available_image_trampoline::<A> as _);
        let (uf, ud) = raw_handler(on_unavailable_image, unavailable_image_trampoline::<U> as _);
        let mut raw = std::ptr::null_mut();
        crate::error::check(unsafe {
            bindings::aeron_async_add_subscription(
                &mut raw,
                client.get_inner(),
                uri.as_ptr(),
                stream_id,
                af,
                ad,
                uf,
                ud,
            )
        })?;
        let mut deps = Vec::new();
        if let Some(h) = on_available_image {
            deps.push(h.as_dependency());
        }
        if let Some(h) = on_unavailable_image {
            deps.push(h.as_dependency());
        }
        Ok(Self { core: AsyncCore::new(raw, client, bindings::aeron_async_add_subscription_cancel, deps) })
    }
}

impl AeronAsyncAddCounter {
    /// Starts adding a counter (`aeron_async_add_counter`) with a type id, key and label. A key
    /// over [`AERON_COUNTER_MAX_KEY_LENGTH`](crate::AERON_COUNTER_MAX_KEY_LENGTH) bytes, a label
    /// over [`AERON_COUNTER_MAX_LABEL_LENGTH`](crate::AERON_COUNTER_MAX_LABEL_LENGTH) bytes (the
    /// driver would cut them) or a label with a NUL byte is refused here.
    pub fn new(client: &Aeron, type_id: i32, key: &[u8], label: &str) -> Result<Self, AeronCError> {
        check_counter::<bindings::aeron_counter_command_t>(client, "add_counter", key, label)?;
        let mut raw = std::ptr::null_mut();
        crate::error::check(unsafe {
            bindings::aeron_async_add_counter(
                &mut raw,
                client.get_inner(),
                type_id,
                key.as_ptr(),
                key.len(),
                label.as_ptr() as *const _,
                label.len(),
            )
        })?;
        Ok(Self { core: AsyncCore::new(raw, client, bindings::aeron_async_add_counter_cancel, vec![]) })
    }

    /// Starts adding a static counter (`aeron_async_add_static_counter`): one that survives
    /// this client and is found again by `registration_id`. The key and label are checked as
    /// in [`new`](Self::new).
    pub fn new_static(
        client: &Aeron,
        type_id: i32,
        key: &[u8],
        label: &str,
        registration_id: i64,
    ) -> Result<Self, AeronCError> {
        check_counter::<bindings::aeron_static_counter_command_t>(client, "add_static_counter", key, label)?;
        let mut raw = std::ptr::null_mut();
        crate::error::check(unsafe {
            bindings::aeron_async_add_static_counter(
                &mut raw,
                client.get_inner(),
                type_id,
                key.as_ptr(),
                key.len(),
                label.as_ptr() as *const _,
                label.len(),
                registration_id,
            )
        })?;
        Ok(Self { core: AsyncCore::new(raw, client, bindings::aeron_async_add_counter_cancel, vec![]) })
    }
}

/// A request for a session id that no other publication of a stream uses
/// (`aeron_async_get_next_available_session_id_t`).
///
/// Threads: `Send`, not `Sync`: poll it from one thread.
pub struct AeronAsyncNextSessionId {
    managed: ManagedCResource<bindings::aeron_async_get_next_available_session_id_t>,
    _client: Aeron,
}
unsafe impl Send for AeronAsyncNextSessionId {}

impl AeronAsyncNextSessionId {
    /// Asks the driver for the next available session id of `stream_id`
    /// (`aeron_async_next_session_id`).
    pub fn new(client: &Aeron, stream_id: i32) -> Result<Self, AeronCError> {
        let mut raw = std::ptr::null_mut();
        crate::error::check(unsafe { bindings::aeron_async_next_session_id(&mut raw, client.get_inner(), stream_id) })?;
        // No cancel exists: an unfinished request is left to the conductor.
        Ok(Self { managed: ManagedCResource::from_raw(raw, None), _client: client.clone() })
    }

    /// `Ok(Some(id))` once the driver answered, `Ok(None)` while waiting.
    pub fn poll(&self) -> Result<Option<i32>, AeronCError> {
        if self.managed.is_closed() {
            return Err(AeronCError::with_message(-1, "this request already completed: it cannot be polled again"));
        }
        let mut id = 0i32;
        let rc = unsafe { bindings::aeron_async_next_session_id_poll(&mut id, self.managed.get()) };
        match rc {
            0 => Ok(None),
            r if r > 0 => {
                self.managed.mark_consumed();
                Ok(Some(id))
            }
            _ => {
                self.managed.mark_consumed();
                Err(AeronCError::last_from_driver())
            }
        }
    }

    /// Polls until the driver answers or `timeout` passes; fails at once if the client closes
    /// (as the adds' `poll_blocking` does).
    pub fn poll_blocking(&self, timeout: Duration) -> Result<i32, AeronCError> {
        wait(&self._client, timeout, || self.poll())
    }
}

impl std::fmt::Debug for AeronAsyncNextSessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AeronAsyncNextSessionId({:?})", self.managed)
    }
}

/// Declares the constructor that takes ownership of a resource C created elsewhere (by the
/// archive client, say): closed exactly like one made by an async add, close notification
/// included.
macro_rules! owned_from_raw {
    ($t:ident, $ct:ty, $close:ident) => {
        impl $t {
            /// Takes ownership of a C object another C API created for this process; it is closed
            /// as if it had been added through this client, and keeps `deps` alive until then.
            ///
            /// # Safety
            /// `ptr` must be a live object that nothing else closes.
            #[doc(hidden)]
            pub unsafe fn from_owned_raw(ptr: *mut $ct, deps: &[Dependency]) -> Self {
                let m = ManagedCResource::closed_by(ptr, Close::Notified($close, None));
                for d in deps {
                    m.add_dependency(d.clone());
                }
                unsafe { Self::from_managed(m) }
            }
        }
    };
}

owned_from_raw!(AeronPublication, bindings::aeron_publication_t, close_publication);
owned_from_raw!(AeronExclusivePublication, bindings::aeron_exclusive_publication_t, close_exclusive_publication);
owned_from_raw!(AeronSubscription, bindings::aeron_subscription_t, close_subscription);

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
