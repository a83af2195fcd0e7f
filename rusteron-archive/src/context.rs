//! `AeronArchiveContext`: the configuration of an archive client (`aeron_archive_context_t`).

use crate::bindings;
use crate::callbacks::*;
use crate::util::{check, check_channel, check_dir};
use crate::{Aeron, AeronCError, AeronErrorHandlerCallback, Handler, IntoCString, ManagedCResource};
use rusteron_client::resource::{InUse, InUseMark};
use std::ffi::CStr;

rusteron_client::c_wrapper!(
    /// Configuration of an archive client: the Aeron client to use, the control request and
    /// response channels and stream ids, timeouts, credentials, and the callbacks (error
    /// handler, recording signal consumer, idle strategy, delegating invoker).
    ///
    /// [`AeronArchive::connect`](crate::AeronArchive::connect) copies the context; the archive
    /// keeps a clone of this wrapper, so the `Aeron` client and the handlers registered here stay
    /// alive as long as any archive made from it.
    ///
    /// The context you connect with stays settable (C copies it). An archive never hands out
    /// its own C context: [`AeronArchive::get_archive_context`](crate::AeronArchive::get_archive_context)
    /// returns a read-only copy (every setter fails with `EBUSY`) and
    /// [`get_and_own_archive_context`](crate::AeronArchive::get_and_own_archive_context) a
    /// settable one; each call makes a new C copy, which keeps the [`Aeron`] client and the
    /// handlers it points at alive for as long as it lives.
    ///
    /// Threads: neither `Send` nor `Sync`. The C context is plain data with no locking and clones
    /// share it: configure it on the thread that connects, or move it there with
    /// [`handoff`](Self::handoff) (see [`Handoff`](rusteron_client::Handoff)). The
    /// [`AeronArchive`](crate::AeronArchive) it makes is `Send + Sync`, and shares no C state
    /// with it that is not locked: each connect gives the archive an idle strategy state of its
    /// own (Aeron's default strategy keeps its back-off state in memory it writes on every idle).
    ///
    /// ```compile_fail,E0277
    /// fn configure_elsewhere(ctx: &rusteron_archive::AeronArchiveContext) {
    ///     let clone = ctx.clone();
    ///     std::thread::spawn(move || clone.set_message_timeout_ns(1));
    /// }
    /// ```
    AeronArchiveContext => bindings::aeron_archive_context_t
);
rusteron_client::single_threaded!(AeronArchiveContext);

impl AeronArchiveContext {
    /// A context with Aeron's defaults (`aeron_archive_context_init`): the environment
    /// variables `AERON_ARCHIVE_CONTROL_CHANNEL`, ... are read here.
    pub fn new() -> Result<Self, AeronCError> {
        let m = ManagedCResource::new(
            |p| unsafe { bindings::aeron_archive_context_init(p) },
            Some(Box::new(|p| unsafe { bindings::aeron_archive_context_close(p) })),
        )?;
        Ok(unsafe { Self::from_managed(m) })
    }

    /// A context that uses `aeron` and the given control channels.
    pub fn new_with_no_credentials_supplier(
        aeron: &Aeron,
        request_control_channel: &CStr,
        response_control_channel: &CStr,
        recording_events_channel: &CStr,
    ) -> Result<Self, AeronCError> {
        let ctx = Self::new()?;
        ctx.set_aeron(aeron)?;
        ctx.set_control_request_channel(request_control_channel)?;
        ctx.set_control_response_channel(response_control_channel)?;
        ctx.set_recording_events_channel(recording_events_channel)?;
        Ok(ctx)
    }

    /// Uses `aeron` for the archive connection. The context (and every archive made from it)
    /// keeps a clone of it, so the client cannot be closed under the archive.
    pub fn set_aeron(&self, aeron: &Aeron) -> Result<i32, AeronCError> {
        self.before_set("set_aeron")?;
        let rc = check(unsafe { bindings::aeron_archive_context_set_aeron(self.get_inner(), aeron.get_inner()) })?;
        self.keep_alive(crate::util::keep(aeron.clone()));
        Ok(rc)
    }

    /// The Aeron client set on (or created by) this context; `None` before one is set. The
    /// returned handle keeps this context (and so the client it holds) alive.
    pub fn get_aeron(&self) -> Option<Aeron> {
        let p = unsafe { bindings::aeron_archive_context_get_aeron(self.get_inner()) };
        if p.is_null() {
            None
        } else {
            // SAFETY: the client stays open while the context is alive (a client set with
            // `set_aeron` is kept by the context; one the context created is closed with it).
            Some(unsafe { Aeron::from_borrowed_kept_alive(p, self.as_dependency()) })
        }
    }

    /// Whether closing this context closes its Aeron client too.
    ///
    /// # Safety
    /// Setting `true` on a context whose client is an [`Aeron`] you created makes C close that
    /// client while your wrapper still uses it. Only set it for a client created by C.
    pub unsafe fn set_owns_aeron_client(&self, owns_aeron_client: bool) -> Result<i32, AeronCError> {
        self.before_set("set_owns_aeron_client")?;
        check(bindings::aeron_archive_context_set_owns_aeron_client(self.get_inner(), owns_aeron_client))
    }

    /// Whether closing this context closes its Aeron client too.
    pub fn get_owns_aeron_client(&self) -> bool {
        unsafe { bindings::aeron_archive_context_get_owns_aeron_client(self.get_inner()) }
    }

    /// Run by every setter: refuses (`EBUSY`) on a read-only copy
    /// ([`AeronArchive::get_archive_context`](crate::AeronArchive::get_archive_context)) and on
    /// a C context an open archive reads. Connecting copies the context
    /// (`aeron_archive_context_duplicate`), so the context you connect with stays settable; the
    /// archive's own copy is read by C on every request and is never handed to safe code (the
    /// mark guards wrappers made from its raw pointer).
    fn before_set(&self, setter: &'static str) -> Result<(), AeronCError> {
        let key = self.get_inner() as usize;
        if READ_ONLY_COPIES.contains(key) {
            return Err(AeronCError::with_message(
                libc::EBUSY,
                format!(
                    "AeronArchiveContext::{setter}: refused, this is a read-only copy of an archive's context \
                     (AeronArchive::get_archive_context): changing it would not change the archive; take a \
                     settable copy with AeronArchive::get_and_own_archive_context"
                ),
            ));
        }
        if CONTEXTS_IN_USE.contains(key) {
            return Err(AeronCError::with_message(
                libc::EBUSY,
                format!(
                    "AeronArchiveContext::{setter}: refused, an open AeronArchive or persistent subscription \
                     reads this context; configure a context before connecting"
                ),
            ));
        }
        Ok(())
    }

    /// For a connect with this context: when it has no [`Aeron`] client, creates one on the
    /// context's Aeron directory with the context's client name (or `archive-client`), as C
    /// would, but with the logging error handler of [`AeronContext::new`](crate::AeronContext::new)
    /// (a client C creates has C's default handler, which ends the process on the first error:
    /// the media driver going away, say). The client is set on the C context for the connect;
    /// [`end_connect`](Self::end_connect) takes it off again.
    ///
    /// It also lends the connect an idle strategy state of its own (see
    /// [`lend_idle_state`](Self::lend_idle_state)), so that the archive made by it shares none
    /// with the caller's context or with other archives.
    pub(crate) fn client_for_connect(&self) -> Result<ConnectResources, AeronCError> {
        let mut resources = ConnectResources { client: None, idle_state: None, saved_idle: None };
        self.lend_idle_state(&mut resources)?;
        match self.create_client_for_connect() {
            Ok(client) => {
                resources.client = client;
                Ok(resources)
            }
            Err(e) => {
                self.end_connect(resources);
                Err(e)
            }
        }
    }

    /// Before a connect: when the context has no idle strategy (or holds one C loaded and
    /// owns), loads Aeron's default one (`aeron_idle_strategy_load`, exactly as C's
    /// `aeron_archive_context_conclude` would: "backoff", or what `AERON_ARCHIVE_IDLE_STRATEGY`
    /// names) into a fresh state and sets it on the context for the connect only.
    ///
    /// Why: C's connect copies the context into the archive (`aeron_archive_context_duplicate`),
    /// state pointer included, and the back-off strategy writes its state on every idle. Left to
    /// C, the first connect loads the default into the caller's context and every archive
    /// connected from it shares that one state while each locks only itself: a data race
    /// between archives used on two threads (and with the next connect's own wait). A handler
    /// set with [`set_idle_strategy`](Self::set_idle_strategy) is shared as it is: its calls
    /// take the handler's lock. [`end_connect`](Self::end_connect) puts the caller's strategy
    /// back; the archive keeps the fresh state and frees it after the C archive is closed.
    fn lend_idle_state(&self, resources: &mut ConnectResources) -> Result<(), AeronCError> {
        let ctx = self.get_inner();
        // SAFETY: the context is alive and only used on this thread (not `Send`); C reads it
        // only inside the connect that follows.
        unsafe {
            if (*ctx).idle_strategy_func.is_some() && !(*ctx).owns_idle_strategy {
                return Ok(());
            }
            let mut state = std::ptr::null_mut();
            let func = bindings::aeron_idle_strategy_load(
                c"backoff".as_ptr(),
                &mut state,
                c"AERON_ARCHIVE_IDLE_STRATEGY".as_ptr(),
                std::ptr::null(),
            );
            if func.is_none() {
                let e = AeronCError::last();
                return Err(AeronCError::with_message(
                    e.code,
                    format!("archive connect: cannot load the default idle strategy: {e}"),
                ));
            }
            resources.saved_idle = Some(SavedIdle {
                func: (*ctx).idle_strategy_func,
                state: (*ctx).idle_strategy_state,
                owns: (*ctx).owns_idle_strategy,
            });
            resources.idle_state = Some(OwnedIdleState(state));
            (*ctx).idle_strategy_func = func;
            (*ctx).idle_strategy_state = state;
            (*ctx).owns_idle_strategy = false;
        }
        Ok(())
    }

    /// The client [`client_for_connect`](Self::client_for_connect) creates when the context
    /// has none.
    fn create_client_for_connect(&self) -> Result<Option<Aeron>, AeronCError> {
        if self.get_aeron().is_some() {
            return Ok(None);
        }
        let client_context = crate::AeronContext::new()?;
        let dir = unsafe { CStr::from_ptr(bindings::aeron_archive_context_get_aeron_directory_name(self.get_inner())) };
        client_context.set_dir(dir)?;
        let name = self.get_client_name();
        let name = if name.is_empty() { "archive-client".to_string() } else { name };
        client_context.set_client_name(&name.as_str().into_c_string_for("the archive context's client name")?)?;
        let client = Aeron::connect(&client_context)?;
        // SAFETY: the context is alive; C reads the client only during the connect, and the
        // archive made by it keeps `client` alive (it never owns nor closes it).
        unsafe {
            (*self.get_inner()).owns_aeron_client = false;
            check(bindings::aeron_archive_context_set_aeron(self.get_inner(), client.get_inner()))?;
        }
        Ok(Some(client))
    }

    /// After a connect (or a failed one): takes the client
    /// [`client_for_connect`](Self::client_for_connect) set off the caller's context again, so
    /// that the next connect with it gets a client of its own (this one belongs to the archive
    /// and closes with it), and puts the caller's idle strategy back. Returns what the archive
    /// keeps (the client and its idle strategy state).
    pub(crate) fn end_connect(&self, mut resources: ConnectResources) -> ConnectResources {
        let ctx = self.get_inner();
        if resources.client.is_some() {
            unsafe { bindings::aeron_archive_context_set_aeron(ctx, std::ptr::null_mut()) };
        }
        if let Some(saved) = resources.saved_idle.take() {
            // SAFETY: as in `lend_idle_state`; the connect is over.
            unsafe {
                (*ctx).idle_strategy_func = saved.func;
                (*ctx).idle_strategy_state = saved.state;
                (*ctx).owns_idle_strategy = saved.owns;
            }
        }
        resources
    }

    /// A private copy of an archive's own C context, for
    /// [`AeronArchive::get_archive_context`](crate::AeronArchive::get_archive_context) (read-only:
    /// every setter refuses) and
    /// [`AeronArchive::get_and_own_archive_context`](crate::AeronArchive::get_and_own_archive_context)
    /// (settable). The copy is closed when its last clone drops and keeps alive what it points
    /// at: `keep` (the context the archive was connected from, which keeps the `Aeron` client and
    /// the handlers set on it, and a client created for the connect). The archive's idle
    /// strategy state (`archive_idle_state`) stays the archive's: the copy gets none, like a new
    /// context (its next connect lends one).
    ///
    /// # Safety
    /// `own` must be the live context of a live archive that nothing writes to any more (an
    /// open archive's context: setters refuse on it).
    pub(crate) unsafe fn copy_of_archive_context(
        own: *mut bindings::aeron_archive_context_t,
        archive_idle_state: *mut std::os::raw::c_void,
        keep: Vec<rusteron_client::resource::Dependency>,
        read_only: bool,
    ) -> Result<Self, AeronCError> {
        let mut raw = std::ptr::null_mut();
        check(bindings::aeron_archive_context_duplicate(&mut raw, own))?;
        // The copy is used by nobody else yet.
        if (*own).owns_aeron_client {
            // C closes that client with the archive: the copy must not point at it.
            (*raw).aeron = std::ptr::null_mut();
        }
        (*raw).owns_aeron_client = false;
        if (*raw).owns_idle_strategy
            || (!archive_idle_state.is_null() && (*raw).idle_strategy_state == archive_idle_state)
        {
            (*raw).idle_strategy_func = None;
            (*raw).idle_strategy_state = std::ptr::null_mut();
        }
        (*raw).owns_idle_strategy = false;
        let mut mark = if read_only { Some(READ_ONLY_COPIES.mark(raw as usize)) } else { None };
        let m = ManagedCResource::from_raw(
            raw,
            Some(Box::new(move |p| {
                // Unmarked before the memory is freed, so a new context at the same address is
                // never taken for this copy.
                drop(mark.take());
                unsafe { bindings::aeron_archive_context_close(p) }
            })),
        );
        for dep in keep {
            m.add_dependency(dep);
        }
        Ok(Self::from_managed(m))
    }

    /// Sets the Aeron directory used when the context has no client of its own
    /// (`aeron_archive_context_set_aeron_directory_name`). A directory longer than
    /// [`AERON_DIR_MAX_LENGTH`](crate::AERON_DIR_MAX_LENGTH) bytes (C would cut it short) is
    /// refused with an `EINVAL` error.
    pub fn set_aeron_directory_name(&self, value: &CStr) -> Result<i32, AeronCError> {
        self.before_set("set_aeron_directory_name")?;
        check_dir("AeronArchiveContext::set_aeron_directory_name", "aeron_directory_name", value)?;
        check(unsafe { bindings::aeron_archive_context_set_aeron_directory_name(self.get_inner(), value.as_ptr()) })
    }

    /// The Aeron directory used when the context has no client of its own.
    pub fn get_aeron_directory_name(&self) -> String {
        unsafe { crate::c_str_to_str(bindings::aeron_archive_context_get_aeron_directory_name(self.get_inner())) }
            .to_owned()
    }

    /// Sets the channel the archive listens on for control requests. A channel longer than
    /// [`AERON_URI_MAX_LENGTH`](crate::AERON_URI_MAX_LENGTH) is refused with an `EINVAL` error.
    pub fn set_control_request_channel(&self, value: &CStr) -> Result<i32, AeronCError> {
        self.before_set("set_control_request_channel")?;
        check_channel("AeronArchiveContext::set_control_request_channel", "control_request_channel", value)?;
        check(unsafe { bindings::aeron_archive_context_set_control_request_channel(self.get_inner(), value.as_ptr()) })
    }

    /// The channel the archive listens on for control requests.
    pub fn get_control_request_channel(&self) -> String {
        unsafe { crate::c_str_to_str(bindings::aeron_archive_context_get_control_request_channel(self.get_inner())) }
            .to_owned()
    }
    rusteron_client::scalar_property!(
        /// The stream id of control requests.
        set_control_request_stream_id, get_control_request_stream_id,
        aeron_archive_context_set_control_request_stream_id, aeron_archive_context_get_control_request_stream_id, i32
    );
    /// Sets the channel this client receives control responses on. A channel longer than
    /// [`AERON_URI_MAX_LENGTH`](crate::AERON_URI_MAX_LENGTH) is refused with an `EINVAL` error.
    pub fn set_control_response_channel(&self, value: &CStr) -> Result<i32, AeronCError> {
        self.before_set("set_control_response_channel")?;
        check_channel("AeronArchiveContext::set_control_response_channel", "control_response_channel", value)?;
        check(unsafe { bindings::aeron_archive_context_set_control_response_channel(self.get_inner(), value.as_ptr()) })
    }

    /// The channel this client receives control responses on.
    pub fn get_control_response_channel(&self) -> String {
        unsafe { crate::c_str_to_str(bindings::aeron_archive_context_get_control_response_channel(self.get_inner())) }
            .to_owned()
    }
    rusteron_client::scalar_property!(
        /// The stream id of control responses.
        set_control_response_stream_id, get_control_response_stream_id,
        aeron_archive_context_set_control_response_stream_id, aeron_archive_context_get_control_response_stream_id, i32
    );
    /// Sets the channel the archive publishes recording events on. A channel longer than
    /// [`AERON_URI_MAX_LENGTH`](crate::AERON_URI_MAX_LENGTH) is refused with an `EINVAL` error.
    pub fn set_recording_events_channel(&self, value: &CStr) -> Result<i32, AeronCError> {
        self.before_set("set_recording_events_channel")?;
        check_channel("AeronArchiveContext::set_recording_events_channel", "recording_events_channel", value)?;
        check(unsafe { bindings::aeron_archive_context_set_recording_events_channel(self.get_inner(), value.as_ptr()) })
    }

    /// The channel the archive publishes recording events on.
    pub fn get_recording_events_channel(&self) -> String {
        unsafe { crate::c_str_to_str(bindings::aeron_archive_context_get_recording_events_channel(self.get_inner())) }
            .to_owned()
    }
    rusteron_client::scalar_property!(
        /// The stream id of recording events.
        set_recording_events_stream_id, get_recording_events_stream_id,
        aeron_archive_context_set_recording_events_stream_id, aeron_archive_context_get_recording_events_stream_id, i32
    );
    rusteron_client::scalar_property!(
        /// How long to wait for a response to a request (and for the connect), in nanoseconds.
        /// Values above [`C_DURATION_MAX_NANOS`](crate::C_DURATION_MAX_NANOS) are stored as that
        /// cap: C adds the timeout to its clock as a signed 64-bit number, and a larger one would
        /// wrap into a deadline in the past.
        set_message_timeout_ns, get_message_timeout_ns,
        aeron_archive_context_set_message_timeout_ns, aeron_archive_context_get_message_timeout_ns, u64,
        crate::saturate_c_nanos
    );
    rusteron_client::scalar_property!(
        /// How many times an offer of a request is retried.
        set_message_retry_attempts, get_message_retry_attempts,
        aeron_archive_context_set_message_retry_attempts, aeron_archive_context_get_message_retry_attempts, u32
    );
    rusteron_client::scalar_property!(
        /// Term length of the control channels.
        set_control_term_buffer_length, get_control_term_buffer_length,
        aeron_archive_context_set_control_term_buffer_length, aeron_archive_context_get_control_term_buffer_length, usize
    );
    rusteron_client::scalar_property!(
        /// MTU of the control channels.
        set_control_mtu_length, get_control_mtu_length,
        aeron_archive_context_set_control_mtu_length, aeron_archive_context_get_control_mtu_length, usize
    );
    rusteron_client::scalar_property!(
        /// Whether the control channels' term buffers are sparse files.
        set_control_term_buffer_sparse, get_control_term_buffer_sparse,
        aeron_archive_context_set_control_term_buffer_sparse, aeron_archive_context_get_control_term_buffer_sparse, bool
    );
    rusteron_client::string_property!(
        /// The client name the archive sees.
        set_client_name, get_client_name,
        aeron_archive_context_set_client_name, aeron_archive_context_get_client_name
    );

    /// The message timeout as a `Duration`. `Duration::MAX` means as long as possible
    /// ([`C_DURATION_MAX`](crate::C_DURATION_MAX), about 146 years).
    pub fn set_message_timeout(&self, timeout: std::time::Duration) -> Result<i32, AeronCError> {
        self.set_message_timeout_ns(crate::duration_to_c_nanos(timeout))
    }

    /// How the client idles while it waits for a response (`aeron_archive_context_set_idle_strategy`).
    /// `idle` is any [`AeronIdleStrategyFuncCallback`](crate::AeronIdleStrategyFuncCallback)
    /// (a closure `FnMut(i32)` works, as do [`NoOpAeronIdleStrategyFunc`](crate::NoOpAeronIdleStrategyFunc)
    /// and [`AeronIdleStrategyFuncLogger`](crate::AeronIdleStrategyFuncLogger)); it is called
    /// with the work count of the last duty cycle, and the context keeps it alive.
    pub fn set_idle_strategy<H: crate::AeronIdleStrategyFuncCallback + Send + 'static>(
        &self,
        idle: H,
    ) -> Result<i32, AeronCError> {
        self.before_set("set_idle_strategy")?;
        let h = Handler::leak(idle);
        let ctx = self.get_inner();
        // SAFETY: the context is alive and not read by C right now (`before_set`).
        let old_state = unsafe {
            if (*ctx).owns_idle_strategy {
                // A connect loaded Aeron's default idle strategy into this context, which would
                // free the state pointer at close: that is about to be our handler. Take the
                // old state over instead; archives connected earlier share it, and they keep
                // this context (and so its dependencies) alive.
                (*ctx).owns_idle_strategy = false;
                Some(OwnedIdleState((*ctx).idle_strategy_state))
            } else {
                None
            }
        };
        if let Some(old) = old_state {
            self.keep_alive(crate::util::keep(old));
        }
        let rc = check(unsafe {
            bindings::aeron_archive_context_set_idle_strategy(
                ctx,
                Some(crate::idle_strategy_func_handler_trampoline::<H>),
                h.as_raw(),
            )
        })?;
        self.keep_alive(crate::util::keep(h));
        Ok(rc)
    }

    /// Sets the credentials supplier (`aeron_archive_context_set_credentials_supplier`): what to
    /// send on connect, how to answer a challenge, and a notification when C releases
    /// credentials. Each handler is optional; the context keeps them alive.
    pub fn set_credentials_supplier<E, C, F>(
        &self,
        encoded_credentials: Option<&Handler<E>>,
        on_challenge: Option<&Handler<C>>,
        on_free: Option<&Handler<F>>,
    ) -> Result<i32, AeronCError>
    where
        E: AeronArchiveCredentialsEncodedCredentialsSupplierFuncCallback + Send + 'static,
        C: AeronArchiveCredentialsChallengeSupplierFuncCallback + Send + 'static,
        F: AeronArchiveCredentialsFreeFuncCallback + Send + 'static,
    {
        self.before_set("set_credentials_supplier")?;
        let state = Handler::leak(CredentialsSupplierState {
            encoded: encoded_credentials.cloned(),
            challenge: on_challenge.cloned(),
            free: on_free.cloned(),
        });
        let rc = check(unsafe {
            bindings::aeron_archive_context_set_credentials_supplier(
                self.get_inner(),
                Some(credentials_encoded_trampoline::<E, C, F>),
                Some(credentials_challenge_trampoline::<E, C, F>),
                Some(credentials_free_trampoline::<E, C, F>),
                state.as_raw(),
            )
        })?;
        self.keep_alive(crate::util::keep(state));
        Ok(rc)
    }

    /// Sets the consumer of recording signals, called during archive calls
    /// (`aeron_archive_context_set_recording_signal_consumer`). `None` removes it.
    pub fn set_recording_signal_consumer<H: AeronArchiveRecordingSignalConsumerFuncCallback + Send + 'static>(
        &self,
        handler: Option<&Handler<H>>,
    ) -> Result<i32, AeronCError> {
        self.before_set("set_recording_signal_consumer")?;
        let (f, d) = match handler {
            Some(h) => (Some(recording_signal_consumer_trampoline::<H> as _), h.as_raw()),
            None => (None, std::ptr::null_mut()),
        };
        let rc =
            check(unsafe { bindings::aeron_archive_context_set_recording_signal_consumer(self.get_inner(), f, d) })?;
        if let Some(h) = handler {
            self.keep_alive(crate::util::keep(h.clone()));
        }
        Ok(rc)
    }

    /// Sets the handler of asynchronous errors (`aeron_archive_context_set_error_handler`):
    /// error responses that no call was waiting for. `None` removes it.
    pub fn set_error_handler<H: AeronErrorHandlerCallback + Send + 'static>(
        &self,
        handler: Option<&Handler<H>>,
    ) -> Result<i32, AeronCError> {
        self.before_set("set_error_handler")?;
        let (f, d) = match handler {
            Some(h) => (Some(archive_error_handler_trampoline::<H> as _), h.as_raw()),
            None => (None, std::ptr::null_mut()),
        };
        let rc = check(unsafe { bindings::aeron_archive_context_set_error_handler(self.get_inner(), f, d) })?;
        if let Some(h) = handler {
            self.keep_alive(crate::util::keep(h.clone()));
        }
        Ok(rc)
    }

    /// Sets a function the client runs while it waits for responses
    /// (`aeron_archive_context_set_delegating_invoker`). `None` removes it.
    pub fn set_delegating_invoker<H: AeronArchiveDelegatingInvokerFuncCallback + Send + 'static>(
        &self,
        handler: Option<&Handler<H>>,
    ) -> Result<i32, AeronCError> {
        self.before_set("set_delegating_invoker")?;
        let (f, d) = match handler {
            Some(h) => (Some(delegating_invoker_trampoline::<H> as _), h.as_raw()),
            None => (None, std::ptr::null_mut()),
        };
        let rc = check(unsafe { bindings::aeron_archive_context_set_delegating_invoker(self.get_inner(), f, d) })?;
        if let Some(h) = handler {
            self.keep_alive(crate::util::keep(h.clone()));
        }
        Ok(rc)
    }
}

/// An idle strategy state that C allocated (`aeron_idle_strategy_load`) for a context and no
/// longer owns: freed with `aeron_free` when dropped.
struct OwnedIdleState(*mut std::os::raw::c_void);
// SAFETY: plain heap memory, only freed (once) on drop.
unsafe impl Send for OwnedIdleState {}

impl Drop for OwnedIdleState {
    fn drop(&mut self) {
        unsafe { bindings::aeron_free(self.0) };
    }
}

/// What one connect lends C and the archive made by it then keeps, dropped after the C archive
/// is closed: the client created for a context that had none, and the idle strategy state
/// loaded for this connect alone.
pub(crate) struct ConnectResources {
    pub(crate) client: Option<Aeron>,
    idle_state: Option<OwnedIdleState>,
    /// The caller's idle strategy, put back by `end_connect`.
    saved_idle: Option<SavedIdle>,
}

impl ConnectResources {
    /// The idle strategy state this connect loaded (null if it used the caller's handler).
    pub(crate) fn idle_state(&self) -> *mut std::os::raw::c_void {
        self.idle_state.as_ref().map_or(std::ptr::null_mut(), |s| s.0)
    }
}

/// A context's idle strategy, as it was before a connect.
struct SavedIdle {
    func: bindings::aeron_idle_strategy_func_t,
    state: *mut std::os::raw::c_void,
    owns: bool,
}
// SAFETY: `SavedIdle` is only put back on the thread of the context it came from; `Send` so the
// enclosing `ConnectResources` (which no longer holds one after `end_connect`) can be moved.
unsafe impl Send for SavedIdle {}

/// Read-only copies of archive contexts (`AeronArchive::get_archive_context`): their setters
/// refuse.
static READ_ONLY_COPIES: InUse = InUse::new();

/// C archive contexts that C reads while it runs: the own context of each open
/// [`AeronArchive`](crate::AeronArchive) (a persistent subscription reads a private copy no
/// wrapper reaches). Only touched on connect, close and by setters.
static CONTEXTS_IN_USE: InUse = InUse::new();

/// Marks a C archive context as read by C (its setters refuse) until the mark drops.
pub(crate) fn mark_in_use(ctx: *mut bindings::aeron_archive_context_t) -> InUseMark {
    CONTEXTS_IN_USE.mark(ctx as usize)
}
