//! `AeronContext`: the configuration of a client (`aeron_context_t`).

use crate::bindings;
use crate::callbacks::*;
use crate::error::{check, AeronCError};
use crate::handler::Handler;
use crate::resource::{InUse, InUseMark};
use crate::ManagedCResource;
use std::ffi::CStr;
use std::os::raw::{c_char, c_int, c_void};
use std::time::Duration;

crate::c_wrapper!(
    /// Configuration of an Aeron client: directory, timeouts, callbacks.
    ///
    /// Threads: neither `Send` nor `Sync`: the C setters are plain writes and clones share one C
    /// context. Build it on the thread that creates the client, or move it with
    /// [`handoff`](Self::handoff). Once a client runs on it, its setters refuse (the conductor
    /// thread reads it) and [`Aeron::context`](crate::Aeron::context) hands out read-only views.
    ///
    /// ```compile_fail,E0277
    /// fn configure_elsewhere(ctx: &rusteron_client::AeronContext) {
    ///     let clone = ctx.clone();
    ///     std::thread::spawn(move || clone.set_dir(c"/dev/shm/other"));
    /// }
    /// ```
    AeronContext => bindings::aeron_context_t
);
crate::single_threaded!(AeronContext);

/// The error handler of every new [`AeronContext`] (and of the clients the archive crate creates
/// for an archive or a persistent subscription): logs the error through the `log` crate at
/// `error` level (target `rusteron_client::context`) and returns. It replaces Aeron's C default,
/// which prints to stderr and ends the process with `exit(EXIT_FAILURE)`.
unsafe extern "C" fn log_error_handler(_clientd: *mut c_void, errcode: c_int, message: *const c_char) {
    // No Rust caller waits here (the conductor thread, or a client call that found its command
    // buffer full): a panicking logger is stopped at the C boundary.
    crate::handler::guard_detached((), || {
        let message = unsafe { crate::strings::c_str_to_str(message) };
        log::error!("aeron client error {errcode} ({}): {message}", crate::AeronCError::describe_code(errcode));
    })
}

/// The publication error frame handler set by `set_publication_error_frame_handler(None)`: C
/// calls this handler without a NULL check, so "no handler" is one that does nothing (like C's
/// own default).
unsafe extern "C" fn ignore_error_frame(
    _clientd: *mut c_void,
    _error: *mut bindings::aeron_publication_error_values_t,
) {
}

impl AeronContext {
    /// A context with Aeron's defaults (read from `AERON_*` environment variables), closed
    /// with `aeron_context_close` when the last clone drops.
    ///
    /// Its error handler is [`default_error_handler`](Self::default_error_handler), which logs
    /// through the `log` crate and never ends the process (Aeron's C default prints to stderr and
    /// calls `exit`).
    pub fn new() -> Result<Self, AeronCError> {
        let m = ManagedCResource::new(
            |p| unsafe { bindings::aeron_context_init(p) },
            Some(Box::new(|p| unsafe { bindings::aeron_context_close(p) })),
        )?;
        check(unsafe {
            bindings::aeron_context_set_error_handler(m.get(), Some(log_error_handler), std::ptr::null_mut())
        })?;
        Ok(unsafe { Self::from_managed(m) })
    }

    /// The error handler a new context has, and that `set_error_handler(None)` restores: it logs
    /// each error at `error` level through the `log` crate (target `rusteron_client::context`)
    /// and returns; it never ends the process. Compare with
    /// [`get_error_handler`](Self::get_error_handler).
    pub fn default_error_handler() -> bindings::aeron_error_handler_t {
        Some(log_error_handler)
    }

    /// Sets the Aeron directory shared with the media driver (`aeron_context_set_dir`). A
    /// directory longer than [`AERON_DIR_MAX_LENGTH`](crate::AERON_DIR_MAX_LENGTH) bytes (which C
    /// would cut short) is refused with an `EINVAL` error.
    pub fn set_dir(&self, value: &CStr) -> Result<i32, AeronCError> {
        self.before_set("set_dir")?;
        crate::limits::check_dir("AeronContext::set_dir", "dir", value)?;
        check(unsafe { bindings::aeron_context_set_dir(self.get_inner(), value.as_ptr()) })
    }

    /// The Aeron directory shared with the media driver.
    pub fn get_dir(&self) -> String {
        unsafe { crate::strings::c_str_to_str(bindings::aeron_context_get_dir(self.get_inner())) }.to_owned()
    }

    crate::scalar_property!(
        /// How long to wait for the media driver before giving up (ms). Values above
        /// [`C_DURATION_MAX`](crate::C_DURATION_MAX) are stored as that cap (C adds the timeout
        /// to the clock and would wrap).
        set_driver_timeout_ms, get_driver_timeout_ms, aeron_context_set_driver_timeout_ms, aeron_context_get_driver_timeout_ms, u64,
        crate::saturate_c_millis);
    crate::scalar_property!(
        /// Interval of the client's keepalive to the driver (ns), at most
        /// [`C_DURATION_MAX`](crate::C_DURATION_MAX).
        set_keepalive_interval_ns, get_keepalive_interval_ns, aeron_context_set_keepalive_interval_ns, aeron_context_get_keepalive_interval_ns, u64,
        crate::saturate_c_nanos);
    crate::scalar_property!(
        /// How long closed resources linger before they are freed (ns), at most
        /// [`C_DURATION_MAX`](crate::C_DURATION_MAX).
        set_resource_linger_duration_ns, get_resource_linger_duration_ns, aeron_context_set_resource_linger_duration_ns, aeron_context_get_resource_linger_duration_ns, u64,
        crate::saturate_c_nanos);
    crate::scalar_property!(
        /// Sleep of the conductor's idle strategy (ns), at most
        /// [`C_DURATION_MAX`](crate::C_DURATION_MAX).
        set_idle_sleep_duration_ns, get_idle_sleep_duration_ns, aeron_context_set_idle_sleep_duration_ns, aeron_context_get_idle_sleep_duration_ns, u64,
        crate::saturate_c_nanos);

    /// [`set_driver_timeout_ms`](Self::set_driver_timeout_ms) from a `Duration`; `Duration::MAX`
    /// means as long as possible ([`C_DURATION_MAX`](crate::C_DURATION_MAX)).
    pub fn set_driver_timeout(&self, timeout: Duration) -> Result<i32, AeronCError> {
        self.set_driver_timeout_ms(crate::duration_to_c_millis(timeout))
    }

    /// [`set_keepalive_interval_ns`](Self::set_keepalive_interval_ns) from a `Duration`
    /// (saturating at [`C_DURATION_MAX`](crate::C_DURATION_MAX)).
    pub fn set_keepalive_interval(&self, interval: Duration) -> Result<i32, AeronCError> {
        self.set_keepalive_interval_ns(crate::duration_to_c_nanos(interval))
    }

    /// [`set_resource_linger_duration_ns`](Self::set_resource_linger_duration_ns) from a
    /// `Duration` (saturating at [`C_DURATION_MAX`](crate::C_DURATION_MAX)).
    pub fn set_resource_linger_duration(&self, linger: Duration) -> Result<i32, AeronCError> {
        self.set_resource_linger_duration_ns(crate::duration_to_c_nanos(linger))
    }

    /// [`set_idle_sleep_duration_ns`](Self::set_idle_sleep_duration_ns) from a `Duration`
    /// (saturating at [`C_DURATION_MAX`](crate::C_DURATION_MAX)).
    pub fn set_idle_sleep_duration(&self, sleep: Duration) -> Result<i32, AeronCError> {
        self.set_idle_sleep_duration_ns(crate::duration_to_c_nanos(sleep))
    }
    crate::string_property!(
        /// Arguments for the conductor's idle strategy.
        set_idle_strategy_init_args, get_idle_strategy_init_args, aeron_context_set_idle_strategy_init_args, aeron_context_get_idle_strategy_init_args);
    crate::string_property!(
        /// Name of the conductor's idle strategy (`sleeping`, `yielding`, `backoff`, `noop`, ...).
        set_idle_strategy, get_idle_strategy, aeron_context_set_idle_strategy, aeron_context_get_idle_strategy);
    crate::scalar_property!(
        /// Touch every page of mapped log buffers when they are mapped.
        set_pre_touch_mapped_memory, get_pre_touch_mapped_memory, aeron_context_set_pre_touch_mapped_memory, aeron_context_get_pre_touch_mapped_memory, bool);
    crate::string_property!(
        /// The client's name, shown by the driver's tools.
        set_client_name, get_client_name, aeron_context_set_client_name, aeron_context_get_client_name);
    crate::scalar_property!(
        /// Run the conductor on the caller's thread through [`Aeron::main_do_work`](crate::Aeron::main_do_work)
        /// instead of a thread of its own.
        set_use_conductor_agent_invoker, get_use_conductor_agent_invoker, aeron_context_set_use_conductor_agent_invoker, aeron_context_get_use_conductor_agent_invoker, bool);

    /// Sets the error handler, called on the conductor thread (and, for a command the driver's
    /// buffer cannot take, on the thread of the call). The context keeps the handler alive until
    /// it is closed.
    ///
    /// A new context has [`default_error_handler`](Self::default_error_handler), which logs each
    /// error through the `log` crate at `error` level and returns: no error ends the process
    /// (Aeron's C default prints and calls `exit`; it is never installed by this crate). `None`,
    /// or a released handler, restores that logging default (C itself would store a null handler
    /// and its conductor would call it without a check).
    pub fn set_error_handler<H: AeronErrorHandlerCallback + Send + 'static>(
        &self,
        handler: Option<&Handler<H>>,
    ) -> Result<i32, AeronCError> {
        let (f, d) = match raw_handler(handler, error_handler_trampoline::<H> as _) {
            (Some(f), d) => (Some(f), d),
            (None, _) => (Self::default_error_handler(), std::ptr::null_mut()),
        };
        self.keep_handler("set_error_handler", handler)?;
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

    /// Sets the handler for error frames that receivers send about this client's publications
    /// (called on the conductor thread; kept alive by the context). `None` (or a released
    /// handler) sets a handler that ignores them, as a new context has: C calls this handler
    /// without a NULL check.
    pub fn set_publication_error_frame_handler<H: AeronPublicationErrorFrameHandlerCallback + Send + 'static>(
        &self,
        handler: Option<&Handler<H>>,
    ) -> Result<i32, AeronCError> {
        let (f, d) = match raw_handler(handler, publication_error_frame_handler_trampoline::<H> as _) {
            (Some(f), d) => (Some(f), d),
            (None, _) => (Some(ignore_error_frame as unsafe extern "C" fn(_, _)), std::ptr::null_mut()),
        };
        self.keep_handler("set_publication_error_frame_handler", handler)?;
        check(unsafe { bindings::aeron_context_set_publication_error_frame_handler(self.get_inner(), f, d) })
    }

    /// The C publication error frame handler currently set.
    pub fn get_publication_error_frame_handler(&self) -> bindings::aeron_publication_error_frame_handler_t {
        unsafe { bindings::aeron_context_get_publication_error_frame_handler(self.get_inner()) }
    }

    /// The `clientd` of the publication error frame handler currently set.
    pub fn get_publication_error_frame_handler_clientd(&self) -> *mut c_void {
        unsafe { bindings::aeron_context_get_publication_error_frame_handler_clientd(self.get_inner()) }
    }

    /// Sets the handler told when the driver has added a publication for this client (conductor
    /// thread; kept alive by the context).
    pub fn set_on_new_publication<H: AeronNewPublicationCallback + Send + 'static>(
        &self,
        handler: Option<&Handler<H>>,
    ) -> Result<i32, AeronCError> {
        let (f, d) = raw_handler(handler, new_publication_trampoline::<H> as _);
        self.keep_handler("set_on_new_publication", handler)?;
        check(unsafe { bindings::aeron_context_set_on_new_publication(self.get_inner(), f, d) })
    }

    /// The C new-publication handler currently set.
    pub fn get_on_new_publication(&self) -> bindings::aeron_on_new_publication_t {
        unsafe { bindings::aeron_context_get_on_new_publication(self.get_inner()) }
    }

    /// The `clientd` of the new-publication handler.
    pub fn get_on_new_publication_clientd(&self) -> *mut c_void {
        unsafe { bindings::aeron_context_get_on_new_publication_clientd(self.get_inner()) }
    }

    /// Sets the handler told when the driver has added an exclusive publication for this client.
    pub fn set_on_new_exclusive_publication<H: AeronNewPublicationCallback + Send + 'static>(
        &self,
        handler: Option<&Handler<H>>,
    ) -> Result<i32, AeronCError> {
        let (f, d) = raw_handler(handler, new_publication_trampoline::<H> as _);
        self.keep_handler("set_on_new_exclusive_publication", handler)?;
        check(unsafe { bindings::aeron_context_set_on_new_exclusive_publication(self.get_inner(), f, d) })
    }

    /// The C new-exclusive-publication handler currently set.
    pub fn get_on_new_exclusive_publication(&self) -> bindings::aeron_on_new_publication_t {
        unsafe { bindings::aeron_context_get_on_new_exclusive_publication(self.get_inner()) }
    }

    /// The `clientd` of the new-exclusive-publication handler.
    pub fn get_on_new_exclusive_publication_clientd(&self) -> *mut c_void {
        unsafe { bindings::aeron_context_get_on_new_exclusive_publication_clientd(self.get_inner()) }
    }

    /// Sets the handler told when the driver has added a subscription for this client.
    pub fn set_on_new_subscription<H: AeronNewSubscriptionCallback + Send + 'static>(
        &self,
        handler: Option<&Handler<H>>,
    ) -> Result<i32, AeronCError> {
        let (f, d) = raw_handler(handler, new_subscription_trampoline::<H> as _);
        self.keep_handler("set_on_new_subscription", handler)?;
        check(unsafe { bindings::aeron_context_set_on_new_subscription(self.get_inner(), f, d) })
    }

    /// The C new-subscription handler currently set.
    pub fn get_on_new_subscription(&self) -> bindings::aeron_on_new_subscription_t {
        unsafe { bindings::aeron_context_get_on_new_subscription(self.get_inner()) }
    }

    /// The `clientd` of the new-subscription handler.
    pub fn get_on_new_subscription_clientd(&self) -> *mut c_void {
        unsafe { bindings::aeron_context_get_on_new_subscription_clientd(self.get_inner()) }
    }

    /// Sets the handler told when a counter becomes available in the driver.
    pub fn set_on_available_counter<H: AeronAvailableCounterCallback + Send + 'static>(
        &self,
        handler: Option<&Handler<H>>,
    ) -> Result<i32, AeronCError> {
        let (f, d) = raw_handler(handler, available_counter_trampoline::<H> as _);
        self.keep_handler("set_on_available_counter", handler)?;
        check(unsafe { bindings::aeron_context_set_on_available_counter(self.get_inner(), f, d) })
    }

    /// The C available-counter handler currently set.
    pub fn get_on_available_counter(&self) -> bindings::aeron_on_available_counter_t {
        unsafe { bindings::aeron_context_get_on_available_counter(self.get_inner()) }
    }

    /// The `clientd` of the available-counter handler.
    pub fn get_on_available_counter_clientd(&self) -> *mut c_void {
        unsafe { bindings::aeron_context_get_on_available_counter_clientd(self.get_inner()) }
    }

    /// Sets the handler told when a counter goes away from the driver.
    pub fn set_on_unavailable_counter<H: AeronUnavailableCounterCallback + Send + 'static>(
        &self,
        handler: Option<&Handler<H>>,
    ) -> Result<i32, AeronCError> {
        let (f, d) = raw_handler(handler, unavailable_counter_trampoline::<H> as _);
        self.keep_handler("set_on_unavailable_counter", handler)?;
        check(unsafe { bindings::aeron_context_set_on_unavailable_counter(self.get_inner(), f, d) })
    }

    /// The C unavailable-counter handler currently set.
    pub fn get_on_unavailable_counter(&self) -> bindings::aeron_on_unavailable_counter_t {
        unsafe { bindings::aeron_context_get_on_unavailable_counter(self.get_inner()) }
    }

    /// The `clientd` of the unavailable-counter handler.
    pub fn get_on_unavailable_counter_clientd(&self) -> *mut c_void {
        unsafe { bindings::aeron_context_get_on_unavailable_counter_clientd(self.get_inner()) }
    }

    /// Sets the handler told when the client closes.
    pub fn set_on_close_client<H: AeronCloseClientCallback + Send + 'static>(
        &self,
        handler: Option<&Handler<H>>,
    ) -> Result<i32, AeronCError> {
        let (f, d) = raw_handler(handler, close_client_trampoline::<H> as _);
        self.keep_handler("set_on_close_client", handler)?;
        check(unsafe { bindings::aeron_context_set_on_close_client(self.get_inner(), f, d) })
    }

    /// The C close-client handler currently set.
    pub fn get_on_close_client(&self) -> bindings::aeron_on_close_client_t {
        unsafe { bindings::aeron_context_get_on_close_client(self.get_inner()) }
    }

    /// The `clientd` of the close-client handler.
    pub fn get_on_close_client_clientd(&self) -> *mut c_void {
        unsafe { bindings::aeron_context_get_on_close_client_clientd(self.get_inner()) }
    }

    /// Sets the function called when the conductor agent thread starts, with its role name
    /// (kept alive by the context). Set it before the client is created.
    pub fn set_agent_on_start_function<H: AeronAgentStartFuncCallback + Send + 'static>(
        &self,
        handler: Option<&Handler<H>>,
    ) -> Result<i32, AeronCError> {
        let (f, d) = raw_handler(handler, agent_on_start_func_trampoline::<H> as _);
        self.keep_handler("set_agent_on_start_function", handler)?;
        // Aeron 1.54 declares aeron_context_set_agent_on_start_function in aeronc.h but its
        // library does not define it; the client reads these two context fields when it starts.
        unsafe {
            let ctx = self.get_inner();
            (*ctx).agent_on_start_func = f;
            (*ctx).agent_on_start_state = d;
        }
        Ok(0)
    }

    /// The C agent start function currently set.
    pub fn get_agent_on_start_function(&self) -> bindings::aeron_agent_on_start_func_t {
        unsafe { (*self.get_inner()).agent_on_start_func }
    }

    /// The state passed to the agent start function.
    pub fn get_agent_on_start_state(&self) -> *mut c_void {
        unsafe { (*self.get_inner()).agent_on_start_state }
    }

    /// Run by every property setter: refuses once a client runs on this context (its conductor
    /// thread reads these fields without synchronisation).
    fn before_set(&self, setter: &'static str) -> Result<(), AeronCError> {
        self.refuse_if_in_use(setter)
    }

    fn refuse_if_in_use(&self, setter: &'static str) -> Result<(), AeronCError> {
        if CONTEXTS_IN_USE.contains(self.get_inner() as usize) {
            return Err(AeronCError::with_message(
                libc::EBUSY,
                format!("{setter}: a client runs on this context; configure it before Aeron::new"),
            ));
        }
        Ok(())
    }

    /// Called by every callback setter before it touches C. Refuses once a client runs on this
    /// context: its conductor thread reads the (function, clientd) pair without synchronisation,
    /// so changing it then could be read half-written. Otherwise keeps the handler alive in
    /// the setter's slot, releasing the one it replaces (`None` clears the slot).
    pub(crate) fn keep_handler<H: Send + 'static>(
        &self,
        setter: &'static str,
        handler: Option<&Handler<H>>,
    ) -> Result<(), AeronCError> {
        self.refuse_if_in_use(setter)?;
        let dep: crate::resource::Dependency = match handler {
            Some(h) => h.as_dependency(),
            None => std::sync::Arc::new(()),
        };
        self.keep_alive_as(setter, dep);
        Ok(())
    }

    /// Marks a view of a running client's context as in use (until the mark drops); any number
    /// of views may be marked.
    pub(crate) fn mark_view_in_use(&self) -> InUseMark {
        CONTEXTS_IN_USE.mark(self.get_inner() as usize)
    }

    /// Marks this context as used by a client (until the mark drops). A context serves one
    /// client at a time: the C client keeps its command queue and CnC mapping in the context,
    /// so a second client on it would share them with the first.
    pub(crate) fn mark_in_use(&self) -> Result<InUseMark, AeronCError> {
        CONTEXTS_IN_USE.mark_exclusive(self.get_inner() as usize).ok_or_else(|| {
            AeronCError::with_message(
                libc::EBUSY,
                "Aeron::new: a client already runs on this context; give each client its own AeronContext",
            )
        })
    }
}

/// Asks the media driver that owns `directory` to terminate, authenticated by `token`
/// (`aeron_context_request_driver_termination`). The driver must be configured to accept it.
pub fn request_driver_termination(directory: &CStr, token: &[u8]) -> Result<i32, AeronCError> {
    check(unsafe {
        bindings::aeron_context_request_driver_termination(directory.as_ptr(), token.as_ptr(), token.len())
    })
}

/// C contexts clients currently run on (and views of them, `Aeron::context`).
static CONTEXTS_IN_USE: InUse = InUse::new();
