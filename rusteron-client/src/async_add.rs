//! Asynchronous adds: start the add, then poll until the driver answers.
//!
//! C frees an async object itself when its poll completes (with the resource or an error); the
//! wrapper then marks it consumed, and a later poll is an error rather than a use after free.
//! Dropping an async add that never completed cancels it (`aeron_async_add_*_cancel`).

use crate::bindings;
use crate::callbacks::*;
use crate::error::AeronCError;
use crate::handler::Handler;
use crate::resource::Dependency;
use crate::{Aeron, AeronCounter, AeronExclusivePublication, AeronPublication, AeronSubscription, ManagedCResource};
use std::ffi::CStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Shared core of every async add: the C object, and what the finished resource must keep alive.
struct AsyncCore<T> {
    managed: ManagedCResource<T>,
    deps: Vec<Dependency>,
}

impl<T: 'static> AsyncCore<T> {
    fn new(raw: *mut T, client: &Aeron, cancel: unsafe extern "C" fn(*mut bindings::aeron_t, *mut T) -> i32, deps: Vec<Dependency>) -> Arc<Self> {
        let c = client.get_inner() as usize;
        let managed = ManagedCResource::from_raw(raw, Some(Box::new(move |a| unsafe { cancel(c as *mut _, a) })));
        let mut all = vec![client.as_dependency()];
        all.extend(deps);
        // The cancel needs the client: keep it until the async object is gone.
        managed.add_dependency(all[0].clone());
        Arc::new(AsyncCore { managed, deps: all })
    }

    /// One poll. `poll_fn` writes the finished C resource through its out pointer.
    fn poll<O>(&self, poll_fn: impl FnOnce(*mut *mut O, *mut T) -> i32) -> Result<Option<*mut O>, AeronCError> {
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
            return Err(AeronCError::last());
        }
        Ok(Some(out))
    }

    fn finish<O: 'static>(&self, out: *mut O, close: fn(*mut O) -> i32) -> ManagedCResource<O> {
        let m = ManagedCResource::from_raw(out, Some(Box::new(close)));
        for d in &self.deps {
            m.add_dependency(d.clone());
        }
        m
    }
}

fn wait<T>(timeout: Duration, mut f: impl FnMut() -> Result<Option<T>, AeronCError>) -> Result<T, AeronCError> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f()? {
            return Ok(v);
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

/// Declares one async add type.
macro_rules! async_add_type {
    ($(#[$doc:meta])* $name:ident => $ctype:ty, $out:ident, $out_c:ty, $poll:ident, $reg:ident, $close:expr) => {
        $(#[$doc])*
        ///
        /// Threads: `Send`, not `Sync`: poll it from one thread.
        #[derive(Clone)]
        pub struct $name {
            core: Arc<AsyncCore<$ctype>>,
        }
        unsafe impl Send for $name {}

        impl $name {
            /// Polls the add: `Ok(Some(..))` once the driver created it, `Ok(None)` while
            /// waiting, `Err` with the driver's message if it refused (a malformed URI, ...).
            pub fn poll(&self) -> Result<Option<$out>, AeronCError> {
                match self.core.poll(|o, a| unsafe { bindings::$poll(o, a) })? {
                    None => Ok(None),
                    Some(out) => Ok(Some($out::from_managed(self.core.finish::<$out_c>(out, $close)))),
                }
            }

            /// Polls until the add completes, fails, or `timeout` passes.
            pub fn poll_blocking(&self, timeout: Duration) -> Result<$out, AeronCError> {
                wait(timeout, || self.poll())
            }

            /// The registration id of the add (`-1` once it completed).
            pub fn get_registration_id(&self) -> i64 {
                if self.core.managed.is_closed() {
                    return -1;
                }
                unsafe { bindings::$reg(self.core.managed.get()) }
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

fn close_publication(p: *mut bindings::aeron_publication_t) -> i32 {
    unsafe { bindings::aeron_publication_close(p, None, std::ptr::null_mut()) }
}
fn close_exclusive_publication(p: *mut bindings::aeron_exclusive_publication_t) -> i32 {
    unsafe { bindings::aeron_exclusive_publication_close(p, None, std::ptr::null_mut()) }
}
fn close_subscription(p: *mut bindings::aeron_subscription_t) -> i32 {
    unsafe { bindings::aeron_subscription_close(p, None, std::ptr::null_mut()) }
}
fn close_counter(p: *mut bindings::aeron_counter_t) -> i32 {
    unsafe { bindings::aeron_counter_close(p, None, std::ptr::null_mut()) }
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

impl AeronAsyncAddPublication {
    /// Starts adding a concurrent publication (`aeron_async_add_publication`).
    pub fn new(client: &Aeron, uri: &CStr, stream_id: i32) -> Result<Self, AeronCError> {
        let mut raw = std::ptr::null_mut();
        crate::error::check(unsafe {
            bindings::aeron_async_add_publication(&mut raw, client.get_inner(), uri.as_ptr(), stream_id)
        })?;
        Ok(Self { core: AsyncCore::new(raw, client, bindings::aeron_async_add_publication_cancel, vec![]) })
    }
}

impl AeronAsyncAddExclusivePublication {
    /// Starts adding an exclusive publication (`aeron_async_add_exclusive_publication`).
    pub fn new(client: &Aeron, uri: &CStr, stream_id: i32) -> Result<Self, AeronCError> {
        let mut raw = std::ptr::null_mut();
        crate::error::check(unsafe {
            bindings::aeron_async_add_exclusive_publication(&mut raw, client.get_inner(), uri.as_ptr(), stream_id)
        })?;
        Ok(Self { core: AsyncCore::new(raw, client, bindings::aeron_async_add_exclusive_publication_cancel, vec![]) })
    }
}

impl AeronAsyncAddSubscription {
    /// Starts adding a subscription (`aeron_async_add_subscription`). The image handlers are
    /// called on the conductor thread and kept alive by the subscription.
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
        let (af, ad) = raw_handler(on_available_image, available_image_trampoline::<A> as _);
        let (uf, ud) = raw_handler(on_unavailable_image, unavailable_image_trampoline::<U> as _);
        let mut raw = std::ptr::null_mut();
        crate::error::check(unsafe {
            bindings::aeron_async_add_subscription(&mut raw, client.get_inner(), uri.as_ptr(), stream_id, af, ad, uf, ud)
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
    /// Starts adding a counter (`aeron_async_add_counter`) with a type id, key and label.
    pub fn new(client: &Aeron, type_id: i32, key: &[u8], label: &str) -> Result<Self, AeronCError> {
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
    /// this client and is found again by `registration_id`.
    pub fn new_static(
        client: &Aeron,
        type_id: i32,
        key: &[u8],
        label: &str,
        registration_id: i64,
    ) -> Result<Self, AeronCError> {
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
