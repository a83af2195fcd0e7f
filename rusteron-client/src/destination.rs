//! Destinations of multi-destination publications and subscriptions: adding and removing them
//! is asynchronous (`aeron_async_destination_t`), like adding a publication.

use crate::bindings;
use crate::error::{check, AeronCError};
use crate::resource::Dependency;
use crate::{Aeron, AeronExclusivePublication, AeronPublication, AeronSubscription};
use std::ffi::CStr;
use std::os::raw::c_int;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

type PollFn = unsafe extern "C" fn(*mut bindings::aeron_async_destination_t) -> c_int;

/// Declares one async destination type.
macro_rules! async_destination_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Poll it until it completes. C frees the request itself once a poll reports completion
        /// (success or error); later polls return an error instead of touching freed memory. A
        /// request dropped before completion is left to the client conductor, which frees it.
        /// It keeps its client and its publication or subscription alive.
        ///
        /// Threads: `Send`, not `Sync`: poll it from one thread.
        pub struct $name {
            ptr: *mut bindings::aeron_async_destination_t,
            poll_fn: PollFn,
            done: AtomicBool,
            _deps: Vec<Dependency>,
        }
        unsafe impl Send for $name {}

        impl $name {
            fn start(
                poll_fn: PollFn,
                deps: Vec<Dependency>,
                f: impl FnOnce(*mut *mut bindings::aeron_async_destination_t) -> c_int,
            ) -> Result<Self, AeronCError> {
                let mut ptr = std::ptr::null_mut();
                check(f(&mut ptr))?;
                if ptr.is_null() {
                    return Err(AeronCError::with_message(-1, "the destination request was not created"));
                }
                Ok(Self { ptr, poll_fn, done: AtomicBool::new(false), _deps: deps })
            }

            /// `Ok(true)` once the driver applied the change, `Ok(false)` while waiting, `Err`
            /// with the driver's message if it refused (a malformed URI, an unknown destination).
            pub fn poll(&self) -> Result<bool, AeronCError> {
                if self.done.load(Ordering::Acquire) {
                    return Err(AeronCError::with_message(-1, "this destination request already completed: it cannot be polled again"));
                }
                let rc = unsafe { (self.poll_fn)(self.ptr) };
                if rc == 0 {
                    return Ok(false);
                }
                self.done.store(true, Ordering::Release);
                if rc < 0 {
                    Err(AeronCError::last())
                } else {
                    Ok(true)
                }
            }

            /// Polls until the change is applied, refused, or `timeout` passes.
            pub fn poll_blocking(&self, timeout: Duration) -> Result<(), AeronCError> {
                let deadline = crate::__private::deadline_after(timeout);
                loop {
                    if self.poll()? {
                        return Ok(());
                    }
                    if Instant::now() >= deadline {
                        return Err(AeronCError::with_message(
                            crate::AeronErrorType::TimedOut.code(),
                            format!("destination change not completed within {timeout:?}"),
                        ));
                    }
                    std::thread::sleep(Duration::from_micros(100));
                }
            }

            /// The correlation id of this destination command
            /// (`aeron_async_destination_get_registration_id`); `-1` once it completed. For an
            /// added destination it is the id to remove it by.
            pub fn get_registration_id(&self) -> i64 {
                if self.done.load(Ordering::Acquire) {
                    return -1;
                }
                unsafe { bindings::aeron_async_destination_get_registration_id(self.ptr) }
            }

            /// The C request (dangling once it completed).
            pub fn get_inner(&self) -> *mut bindings::aeron_async_destination_t {
                self.ptr
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({:p}, done={})"), self.ptr, self.done.load(Ordering::Relaxed))
            }
        }
    };
}

async_destination_type!(
    /// A destination being added to or removed (by URI) from a publication or subscription.
    AeronAsyncDestination
);
async_destination_type!(
    /// A destination being removed from a publication by its registration id.
    AeronAsyncDestinationById
);

/// A destination's channel: at most `AERON_URI_MAX_LENGTH` bytes, and the command within the
/// driver's command buffer.
fn check_destination_uri(client: &Aeron, call: &str, uri: &CStr) -> Result<(), AeronCError> {
    crate::limits::check_channel(call, "uri", uri)?;
    crate::limits::check_command(
        client.get_inner(),
        call,
        crate::limits::command_length::<bindings::aeron_destination_command_t>(uri.to_bytes().len()),
    )
}

/// Declares the destination methods of a publication type.
macro_rules! publication_destinations {
    ($t:ty, $add:ident, $remove:ident, $remove_by_id:ident, $poll:ident) => {
        impl $t {
            /// Starts adding a destination to this multi-destination-cast publication
            /// (manual control mode: `aeron:udp?control-mode=manual`).
            pub fn async_add_destination(
                &self,
                client: &Aeron,
                uri: &CStr,
            ) -> Result<AeronAsyncDestination, AeronCError> {
                check_destination_uri(client, "add_destination", uri)?;
                AeronAsyncDestination::start(
                    bindings::$poll,
                    vec![client.as_dependency(), self.as_dependency()],
                    |a| unsafe { bindings::$add(a, client.get_inner(), self.get_inner(), uri.as_ptr()) },
                )
            }

            /// Starts removing a destination by its URI.
            pub fn async_remove_destination(
                &self,
                client: &Aeron,
                uri: &CStr,
            ) -> Result<AeronAsyncDestination, AeronCError> {
                check_destination_uri(client, "remove_destination", uri)?;
                AeronAsyncDestination::start(
                    bindings::$poll,
                    vec![client.as_dependency(), self.as_dependency()],
                    |a| unsafe { bindings::$remove(a, client.get_inner(), self.get_inner(), uri.as_ptr()) },
                )
            }

            /// Starts removing a destination by the registration id its add returned.
            pub fn async_remove_destination_by_id(
                &self,
                client: &Aeron,
                destination_registration_id: i64,
            ) -> Result<AeronAsyncDestinationById, AeronCError> {
                AeronAsyncDestinationById::start(
                    bindings::$poll,
                    vec![client.as_dependency(), self.as_dependency()],
                    |a| unsafe {
                        bindings::$remove_by_id(a, client.get_inner(), self.get_inner(), destination_registration_id)
                    },
                )
            }

            /// Adds a destination and waits up to `timeout` for the driver.
            pub fn add_destination(&self, client: &Aeron, uri: &CStr, timeout: Duration) -> Result<(), AeronCError> {
                self.async_add_destination(client, uri)?.poll_blocking(timeout)
            }

            /// Removes a destination by URI and waits up to `timeout` for the driver.
            pub fn remove_destination(&self, client: &Aeron, uri: &CStr, timeout: Duration) -> Result<(), AeronCError> {
                self.async_remove_destination(client, uri)?.poll_blocking(timeout)
            }
        }
    };
}

publication_destinations!(
    AeronPublication,
    aeron_publication_async_add_destination,
    aeron_publication_async_remove_destination,
    aeron_publication_async_remove_destination_by_id,
    aeron_publication_async_destination_poll
);
publication_destinations!(
    AeronExclusivePublication,
    aeron_exclusive_publication_async_add_destination,
    aeron_exclusive_publication_async_remove_destination,
    aeron_exclusive_publication_async_remove_destination_by_id,
    aeron_exclusive_publication_async_destination_poll
);

impl AeronSubscription {
    /// Starts adding a destination to this multi-destination subscription
    /// (`aeron:udp?control-mode=manual`).
    pub fn async_add_destination(&self, client: &Aeron, uri: &CStr) -> Result<AeronAsyncDestination, AeronCError> {
        check_destination_uri(client, "add_destination", uri)?;
        AeronAsyncDestination::start(
            bindings::aeron_subscription_async_destination_poll,
            vec![client.as_dependency(), self.as_dependency()],
            |a| unsafe {
                bindings::aeron_subscription_async_add_destination(
                    a,
                    client.get_inner(),
                    self.get_inner(),
                    uri.as_ptr(),
                )
            },
        )
    }

    /// Starts removing a destination by its URI.
    pub fn async_remove_destination(&self, client: &Aeron, uri: &CStr) -> Result<AeronAsyncDestination, AeronCError> {
        check_destination_uri(client, "remove_destination", uri)?;
        AeronAsyncDestination::start(
            bindings::aeron_subscription_async_destination_poll,
            vec![client.as_dependency(), self.as_dependency()],
            |a| unsafe {
                bindings::aeron_subscription_async_remove_destination(
                    a,
                    client.get_inner(),
                    self.get_inner(),
                    uri.as_ptr(),
                )
            },
        )
    }

    /// Adds a destination and waits up to `timeout` for the driver.
    pub fn add_destination(&self, client: &Aeron, uri: &CStr, timeout: Duration) -> Result<(), AeronCError> {
        self.async_add_destination(client, uri)?.poll_blocking(timeout)
    }

    /// Removes a destination and waits up to `timeout` for the driver.
    pub fn remove_destination(&self, client: &Aeron, uri: &CStr, timeout: Duration) -> Result<(), AeronCError> {
        self.async_remove_destination(client, uri)?.poll_blocking(timeout)
    }
}
