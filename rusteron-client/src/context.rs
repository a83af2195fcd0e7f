//! `AeronContext`: the configuration of a client (`aeron_context_t`).

use crate::bindings;
use crate::callbacks::*;
use crate::error::{check, AeronCError};
use crate::handler::Handler;
use crate::strings::c_str_to_str;
use crate::ManagedCResource;
use std::ffi::CStr;

crate::c_wrapper!(
    /// Configuration of an Aeron client: directory, timeouts, callbacks.
    ///
    /// Threads: `Send` (a context may be built on one thread and used on another) but not
    /// `Sync`: the C setters are plain writes. Once a client is created from it, the client owns
    /// a clone and the conductor thread reads it; do not change it after that.
    AeronContext => bindings::aeron_context_t
);
unsafe impl Send for AeronContext {}

/// Declares a getter/setter pair for a scalar property.
macro_rules! scalar_property {
    ($(#[$doc:meta])* $set:ident, $get:ident, $cset:ident, $cget:ident, $t:ty) => {
        $(#[$doc])*
        pub fn $set(&self, value: $t) -> Result<i32, AeronCError> {
            check(unsafe { bindings::$cset(self.get_inner(), value) })
        }
        $(#[$doc])*
        pub fn $get(&self) -> $t {
            unsafe { bindings::$cget(self.get_inner()) }
        }
    };
}

/// Declares a getter/setter pair for a string property (`&CStr` in, `&str` out).
macro_rules! string_property {
    ($(#[$doc:meta])* $set:ident, $get:ident, $cset:ident, $cget:ident) => {
        $(#[$doc])*
        pub fn $set(&self, value: &CStr) -> Result<i32, AeronCError> {
            check(unsafe { bindings::$cset(self.get_inner(), value.as_ptr()) })
        }
        $(#[$doc])*
        pub fn $get(&self) -> &str {
            unsafe { c_str_to_str(bindings::$cget(self.get_inner())) }
        }
    };
}

impl AeronContext {
    /// A context with Aeron's defaults (read from `AERON_*` environment variables), closed
    /// with `aeron_context_close` when the last clone drops.
    pub fn new() -> Result<Self, AeronCError> {
        let m = ManagedCResource::new(
            |p| unsafe { bindings::aeron_context_init(p) },
            Some(Box::new(|p| unsafe { bindings::aeron_context_close(p) })),
        )?;
        Ok(Self::from_managed(m))
    }

    string_property!(
        /// The Aeron directory shared with the media driver.
        set_dir, get_dir, aeron_context_set_dir, aeron_context_get_dir);
    scalar_property!(
        /// How long to wait for the media driver before giving up (ms).
        set_driver_timeout_ms, get_driver_timeout_ms, aeron_context_set_driver_timeout_ms, aeron_context_get_driver_timeout_ms, u64);
    scalar_property!(
        /// Interval of the client's keepalive to the driver (ns).
        set_keepalive_interval_ns, get_keepalive_interval_ns, aeron_context_set_keepalive_interval_ns, aeron_context_get_keepalive_interval_ns, u64);
    scalar_property!(
        /// How long closed resources linger before they are freed (ns).
        set_resource_linger_duration_ns, get_resource_linger_duration_ns, aeron_context_set_resource_linger_duration_ns, aeron_context_get_resource_linger_duration_ns, u64);
    scalar_property!(
        /// Sleep of the conductor's idle strategy (ns).
        set_idle_sleep_duration_ns, get_idle_sleep_duration_ns, aeron_context_set_idle_sleep_duration_ns, aeron_context_get_idle_sleep_duration_ns, u64);
    string_property!(
        /// Arguments for the conductor's idle strategy.
        set_idle_strategy_init_args, get_idle_strategy_init_args, aeron_context_set_idle_strategy_init_args, aeron_context_get_idle_strategy_init_args);
    string_property!(
        /// Name of the conductor's idle strategy (`sleeping`, `yielding`, `backoff`, `noop`, ...).
        set_idle_strategy, get_idle_strategy, aeron_context_set_idle_strategy, aeron_context_get_idle_strategy);
    scalar_property!(
        /// Touch every page of mapped log buffers when they are mapped.
        set_pre_touch_mapped_memory, get_pre_touch_mapped_memory, aeron_context_set_pre_touch_mapped_memory, aeron_context_get_pre_touch_mapped_memory, bool);
    string_property!(
        /// The client's name, shown by the driver's tools.
        set_client_name, get_client_name, aeron_context_set_client_name, aeron_context_get_client_name);
    scalar_property!(
        /// Run the conductor on the caller's thread through [`Aeron::main_do_work`](crate::Aeron::main_do_work)
        /// instead of a thread of its own.
        set_use_conductor_agent_invoker, get_use_conductor_agent_invoker, aeron_context_set_use_conductor_agent_invoker, aeron_context_get_use_conductor_agent_invoker, bool);

    /// Sets the error handler, called on the conductor thread. The context keeps the handler
    /// alive until it is closed. `None` restores Aeron's default (print to stderr).
    pub fn set_error_handler<H: AeronErrorHandlerCallback + Send + 'static>(
        &self,
        handler: Option<&Handler<H>>,
    ) -> Result<i32, AeronCError> {
        let (f, d) = raw_handler(handler, error_handler_trampoline::<H> as _);
        self.keep_handler(handler);
        check(unsafe { bindings::aeron_context_set_error_handler(self.get_inner(), f, d) })
    }

    /// The C error handler currently set.
    pub fn get_error_handler(&self) -> bindings::aeron_error_handler_t {
        unsafe { bindings::aeron_context_get_error_handler(self.get_inner()) }
    }

    /// The `clientd` of the error handler currently set.
    pub fn get_error_handler_clientd(&self) -> *mut std::os::raw::c_void {
        unsafe { bindings::aeron_context_get_error_handler_clientd(self.get_inner()) }
    }

    pub(crate) fn keep_handler<H: Send + 'static>(&self, handler: Option<&Handler<H>>) {
        if let Some(h) = handler {
            self.keep_alive(h.as_dependency());
        }
    }
}

/// Asks the media driver that owns `directory` to terminate, authenticated by `token`
/// (`aeron_context_request_driver_termination`). The driver must be configured to accept it.
pub fn request_driver_termination(directory: &CStr, token: &[u8]) -> Result<i32, AeronCError> {
    check(unsafe {
        bindings::aeron_context_request_driver_termination(directory.as_ptr(), token.as_ptr(), token.len())
    })
}
