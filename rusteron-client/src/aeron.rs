//! `Aeron`: a client connected to a media driver (`aeron_t`).

use crate::async_add::*;
use crate::bindings;
use crate::callbacks::*;
use crate::context::AeronContext;
use crate::error::{check, AeronCError};
use crate::handler::Handler;
use crate::resource::{Close, CloseOutcome, Dependency, OneShotNotification, PendingUntil};
use crate::{AeronExclusivePublication, AeronPublication, AeronSubscription, ManagedCResource};
use std::ffi::CStr;
use std::os::raw::c_void;
use std::time::{Duration, Instant};

crate::c_wrapper!(
    /// A client of the media driver. Create it with [`Aeron::new`], then [`Aeron::start`] it.
    ///
    /// Every publication, subscription, counter and archive made from it holds a clone, so the
    /// client is closed (`aeron_close`) only after the last of them is dropped, and the context
    /// only after the client: no drop order can leave a dangling pointer.
    ///
    /// Threads: `Send + Sync`. Aeron's C client serialises commands to its conductor, so adding
    /// and closing resources from several threads is allowed. `main_do_work` (conductor agent
    /// invoker mode) must be called from one thread at a time.
    Aeron => bindings::aeron_t
);
unsafe impl Send for Aeron {}
unsafe impl Sync for Aeron {}

/// Clients whose conductor duty cycle a thread is running now (agent invoker mode).
static IN_DUTY_CYCLE: crate::resource::InUse = crate::resource::InUse::new();

/// Closes a client (`aeron_close`: stops and joins its conductor, then frees everything). When
/// the last handle drops inside a C callback, this thread may be that conductor, which cannot
/// join itself: the close then runs on a thread of its own, and the context and handlers are
/// released once it has finished.
fn close_client(p: *mut bindings::aeron_t) -> CloseOutcome {
    if !crate::handler::inside_callback() {
        return CloseOutcome::Done(unsafe { bindings::aeron_close(p) });
    }
    let closed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (signal, client) = (closed.clone(), p as usize);
    let spawned = std::thread::Builder::new().name("rusteron-close".into()).spawn(move || {
        unsafe { bindings::aeron_close(client as *mut bindings::aeron_t) };
        signal.store(true, std::sync::atomic::Ordering::Release);
    });
    if spawned.is_err() {
        // No thread: leave the client open (and everything it uses kept) rather than close it
        // from under its own conductor.
        return CloseOutcome::Pending(PendingUntil::Never);
    }
    CloseOutcome::Pending(PendingUntil::Finished(Box::new(move || closed.load(std::sync::atomic::Ordering::Acquire))))
}

impl Aeron {
    /// Creates a client from `context` (`aeron_init`). It connects to the driver when started.
    pub fn new(context: &AeronContext) -> Result<Self, AeronCError> {
        let ctx = context.get_inner();
        // From here on the conductor may read the context: its callback setters refuse.
        let in_use = context.mark_in_use()?;
        let m = ManagedCResource::new_closed_by(
            |p| unsafe { bindings::aeron_init(p, ctx) },
            Close::Later(Box::new(close_client)),
        )?;
        // The C client keeps a pointer to its context: the context must outlive it. The in-use
        // mark is released after the client closed (dependencies drop after the C close).
        // (The in-use mark goes first so it is released before the context can be freed and its
        // address reused.)
        m.add_dependency(std::sync::Arc::new(in_use));
        m.add_dependency(context.as_dependency());
        Ok(unsafe { Self::from_managed(m) })
    }

    /// Starts the client conductor (its own thread, unless the context set the agent invoker).
    pub fn start(&self) -> Result<i32, AeronCError> {
        check(unsafe { bindings::aeron_start(self.get_inner()) })
    }

    /// Creates and starts a client in one call.
    pub fn connect(context: &AeronContext) -> Result<Self, AeronCError> {
        let a = Self::new(context)?;
        a.start()?;
        Ok(a)
    }

    /// Runs one duty cycle of the conductor (agent invoker mode only); returns the work done.
    ///
    /// One thread at a time per client: the duty cycle reads single-consumer queues. A call
    /// while another thread is inside this client's duty cycle returns an `EBUSY` error (the
    /// client's own waits, in `add_*` with a timeout, then just wait for that thread).
    pub fn main_do_work(&self) -> Result<i32, AeronCError> {
        let _cycle = IN_DUTY_CYCLE.mark_exclusive(self.get_inner() as usize).ok_or_else(|| {
            AeronCError::with_message(libc::EBUSY, "main_do_work: another thread is running this client's duty cycle")
        })?;
        check(unsafe { bindings::aeron_main_do_work(self.get_inner()) })
    }

    /// Idles according to the conductor's idle strategy after `work_count` units of work.
    pub fn main_idle_strategy(&self, work_count: i32) {
        unsafe { bindings::aeron_main_idle_strategy(self.get_inner(), work_count) }
    }

    /// True once the client is closed (by the driver timing it out, or on close).
    pub fn is_closed(&self) -> bool {
        unsafe { bindings::aeron_is_closed(self.get_inner()) }
    }

    /// The context this client was created from. The returned handle keeps this client (and so
    /// its context) alive, so it stays valid whatever is dropped first.
    pub fn context(&self) -> AeronContext {
        // SAFETY: the C client points at its context for its whole life, and the client keeps
        // the context alive (dependency set in `new`); the view keeps the client alive.
        let view = unsafe {
            AeronContext::from_borrowed_kept_alive(bindings::aeron_context(self.get_inner()), self.as_dependency())
        };
        // The client runs on this context, whoever created it (a client C created, such as an
        // archive's own, is not marked by `Aeron::new`): its setters refuse while the view lives.
        view.keep_alive(std::sync::Arc::new(view.mark_view_in_use()));
        view
    }

    /// The id the driver knows this client by.
    pub fn client_id(&self) -> i64 {
        unsafe { bindings::aeron_client_id(self.get_inner()) }
    }

    /// The next correlation id from the driver's counter.
    pub fn next_correlation_id(&self) -> i64 {
        unsafe { bindings::aeron_next_correlation_id(self.get_inner()) }
    }

    /// Starts adding a concurrent publication; poll the result until it completes.
    pub fn async_add_publication(&self, uri: &CStr, stream_id: i32) -> Result<AeronAsyncAddPublication, AeronCError> {
        AeronAsyncAddPublication::new(self, uri, stream_id)
    }

    /// Starts adding an exclusive publication; poll the result until it completes.
    pub fn async_add_exclusive_publication(
        &self,
        uri: &CStr,
        stream_id: i32,
    ) -> Result<AeronAsyncAddExclusivePublication, AeronCError> {
        AeronAsyncAddExclusivePublication::new(self, uri, stream_id)
    }

    /// Starts adding a subscription with optional image callbacks (kept alive by the
    /// subscription); poll the result until it completes.
    pub fn async_add_subscription<A, U>(
        &self,
        uri: &CStr,
        stream_id: i32,
        on_available_image: Option<&Handler<A>>,
        on_unavailable_image: Option<&Handler<U>>,
    ) -> Result<AeronAsyncAddSubscription, AeronCError>
    where
        A: AeronAvailableImageCallback + Send + 'static,
        U: AeronUnavailableImageCallback + Send + 'static,
    {
        AeronAsyncAddSubscription::new(self, uri, stream_id, on_available_image, on_unavailable_image)
    }

    /// Adds a concurrent publication and waits for the driver, up to `timeout` (`Duration::MAX`
    /// waits as long as possible). A channel longer than
    /// [`AERON_URI_MAX_LENGTH`](crate::AERON_URI_MAX_LENGTH) bytes is refused with an `EINVAL`
    /// error before anything is sent.
    pub fn add_publication(
        &self,
        uri: &CStr,
        stream_id: i32,
        timeout: Duration,
    ) -> Result<AeronPublication, AeronCError> {
        let a = self.async_add_publication(uri, stream_id)?;
        self.wait_for(timeout, || a.poll())
    }

    /// Adds an exclusive publication and waits for the driver, up to `timeout`. The channel is
    /// checked as in [`add_publication`](Self::add_publication).
    pub fn add_exclusive_publication(
        &self,
        uri: &CStr,
        stream_id: i32,
        timeout: Duration,
    ) -> Result<AeronExclusivePublication, AeronCError> {
        let a = self.async_add_exclusive_publication(uri, stream_id)?;
        self.wait_for(timeout, || a.poll())
    }

    /// Adds a subscription and waits for the driver, up to `timeout`. The channel is checked as
    /// in [`add_publication`](Self::add_publication).
    pub fn add_subscription<A, U>(
        &self,
        uri: &CStr,
        stream_id: i32,
        on_available_image: Option<&Handler<A>>,
        on_unavailable_image: Option<&Handler<U>>,
        timeout: Duration,
    ) -> Result<AeronSubscription, AeronCError>
    where
        A: AeronAvailableImageCallback + Send + 'static,
        U: AeronUnavailableImageCallback + Send + 'static,
    {
        let a = self.async_add_subscription(uri, stream_id, on_available_image, on_unavailable_image)?;
        self.wait_for(timeout, || a.poll())
    }

    /// Polls `f` until it yields a value, fails, or `timeout` passes. Drives the conductor when
    /// the client runs in agent invoker mode.
    pub(crate) fn wait_for<T>(
        &self,
        timeout: Duration,
        mut f: impl FnMut() -> Result<Option<T>, AeronCError>,
    ) -> Result<T, AeronCError> {
        let invoker = self.context().get_use_conductor_agent_invoker();
        let deadline = crate::__private::deadline_after(timeout);
        loop {
            if let Some(v) = f()? {
                return Ok(v);
            }
            // A closed client (its driver timed out) never gets an answer: fail now.
            if self.is_closed() {
                return Err(crate::async_add::closed_client_error());
            }
            if Instant::now() >= deadline {
                return Err(AeronCError::with_message(
                    crate::AeronErrorType::TimedOut.code(),
                    format!("no answer from the media driver within {timeout:?}"),
                ));
            }
            if invoker {
                match self.main_do_work() {
                    Err(e) if e.code == libc::EBUSY => std::thread::yield_now(),
                    other => {
                        other?;
                    }
                }
            } else {
                std::thread::sleep(Duration::from_micros(100));
            }
        }
    }
}

/// Declares a handler pair type (`aeron_on_*_pair_t`): the C struct plus the handler it keeps alive.
macro_rules! handler_pair {
    ($(#[$doc:meta])* $name:ident => $ctype:ty) => {
        $(#[$doc])*
        ///
        /// Returned by the matching `Aeron::add_*_handler`; pass it to the matching
        /// `Aeron::remove_*_handler`. It keeps its handler alive, and the client keeps the handler
        /// alive too until it closes (C may still be calling it when the removal is processed).
        ///
        /// Threads: `Send + Sync` (the C struct is plain data).
        pub struct $name {
            raw: $ctype,
            _handler: Dependency,
        }
        unsafe impl Send for $name {}
        unsafe impl Sync for $name {}

        impl $name {
            /// The C pair.
            pub fn get_inner(&self) -> $ctype {
                self.raw
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "(clientd={:p})"), self.raw.clientd)
            }
        }
    };
}

handler_pair!(
    /// A registered available-counter handler (`aeron_on_available_counter_pair_t`).
    AeronAvailableCounterPair => bindings::aeron_on_available_counter_pair_t
);
handler_pair!(
    /// A registered unavailable-counter handler (`aeron_on_unavailable_counter_pair_t`).
    AeronUnavailableCounterPair => bindings::aeron_on_unavailable_counter_pair_t
);
handler_pair!(
    /// A registered close-client handler (`aeron_on_close_client_pair_t`).
    AeronCloseClientPair => bindings::aeron_on_close_client_pair_t
);

impl Aeron {
    /// Adds a handler called (on the conductor thread) when a counter becomes available
    /// (`aeron_add_available_counter_handler`). Blocks until the conductor has added it, so in
    /// agent invoker mode call it from another thread than the one driving `main_do_work`.
    pub fn add_available_counter_handler<H: AeronAvailableCounterCallback + Send + 'static>(
        &self,
        handler: &Handler<H>,
    ) -> Result<AeronAvailableCounterPair, AeronCError> {
        handler.require_live("add_available_counter_handler")?;
        let mut raw = bindings::aeron_on_available_counter_pair_t {
            handler: Some(available_counter_trampoline::<H>),
            clientd: handler.as_raw(),
        };
        self.keep_alive(handler.as_dependency());
        check(unsafe { bindings::aeron_add_available_counter_handler(self.get_inner(), &mut raw) })?;
        Ok(AeronAvailableCounterPair { raw, _handler: handler.as_dependency() })
    }

    /// Removes a handler added by [`add_available_counter_handler`](Self::add_available_counter_handler).
    pub fn remove_available_counter_handler(&self, pair: &AeronAvailableCounterPair) -> Result<i32, AeronCError> {
        let mut raw = pair.raw;
        check(unsafe { bindings::aeron_remove_available_counter_handler(self.get_inner(), &mut raw) })
    }

    /// Adds a handler called (on the conductor thread) when a counter goes away
    /// (`aeron_add_unavailable_counter_handler`). Blocks until the conductor has added it.
    pub fn add_unavailable_counter_handler<H: AeronUnavailableCounterCallback + Send + 'static>(
        &self,
        handler: &Handler<H>,
    ) -> Result<AeronUnavailableCounterPair, AeronCError> {
        handler.require_live("add_unavailable_counter_handler")?;
        let mut raw = bindings::aeron_on_unavailable_counter_pair_t {
            handler: Some(unavailable_counter_trampoline::<H>),
            clientd: handler.as_raw(),
        };
        self.keep_alive(handler.as_dependency());
        check(unsafe { bindings::aeron_add_unavailable_counter_handler(self.get_inner(), &mut raw) })?;
        Ok(AeronUnavailableCounterPair { raw, _handler: handler.as_dependency() })
    }

    /// Removes a handler added by [`add_unavailable_counter_handler`](Self::add_unavailable_counter_handler).
    pub fn remove_unavailable_counter_handler(&self, pair: &AeronUnavailableCounterPair) -> Result<i32, AeronCError> {
        let mut raw = pair.raw;
        check(unsafe { bindings::aeron_remove_unavailable_counter_handler(self.get_inner(), &mut raw) })
    }

    /// Adds a handler called when the client closes (`aeron_add_close_handler`). Blocks until
    /// the conductor has added it.
    pub fn add_close_handler<H: AeronCloseClientCallback + Send + 'static>(
        &self,
        handler: &Handler<H>,
    ) -> Result<AeronCloseClientPair, AeronCError> {
        handler.require_live("add_close_handler")?;
        let mut raw = bindings::aeron_on_close_client_pair_t {
            handler: Some(close_client_trampoline::<H>),
            clientd: handler.as_raw(),
        };
        self.keep_alive(handler.as_dependency());
        check(unsafe { bindings::aeron_add_close_handler(self.get_inner(), &mut raw) })?;
        Ok(AeronCloseClientPair { raw, _handler: handler.as_dependency() })
    }

    /// Removes a handler added by [`add_close_handler`](Self::add_close_handler).
    pub fn remove_close_handler(&self, pair: &AeronCloseClientPair) -> Result<i32, AeronCError> {
        let mut raw = pair.raw;
        check(unsafe { bindings::aeron_remove_close_handler(self.get_inner(), &mut raw) })
    }

    /// Asks the driver for a session id that no publication of `stream_id` uses yet, waiting up
    /// to `timeout` (`aeron_async_next_session_id`).
    pub fn next_session_id(&self, stream_id: i32, timeout: Duration) -> Result<i32, AeronCError> {
        let a = AeronAsyncNextSessionId::new(self, stream_id)?;
        self.wait_for(timeout, || a.poll())
    }

    /// Removes a publication by registration id (`aeron_async_remove_publication`), calling
    /// `on_complete` once done.
    ///
    /// # Safety
    /// C closes and frees any `aeron_publication_t` of that registration: no
    /// [`AeronPublication`] for it may be used (or dropped) afterwards. Prefer
    /// [`AeronPublication::close`].
    pub unsafe fn async_remove_publication<H: AeronNotificationCallback + Send + 'static>(
        &self,
        registration_id: i64,
        on_complete: Option<&Handler<H>>,
    ) -> Result<i32, AeronCError> {
        self.remove_with(on_complete, |n, d| {
            bindings::aeron_async_remove_publication(registration_id, self.get_inner(), n, d)
        })
    }

    /// Removes an exclusive publication by registration id
    /// (`aeron_async_remove_exclusive_publication`).
    ///
    /// # Safety
    /// As for [`async_remove_publication`](Self::async_remove_publication).
    pub unsafe fn async_remove_exclusive_publication<H: AeronNotificationCallback + Send + 'static>(
        &self,
        registration_id: i64,
        on_complete: Option<&Handler<H>>,
    ) -> Result<i32, AeronCError> {
        self.remove_with(on_complete, |n, d| {
            bindings::aeron_async_remove_exclusive_publication(registration_id, self.get_inner(), n, d)
        })
    }

    /// Removes a subscription by registration id (`aeron_async_remove_subscription`).
    ///
    /// # Safety
    /// As for [`async_remove_publication`](Self::async_remove_publication), for the
    /// [`AeronSubscription`] (and images) of that registration.
    pub unsafe fn async_remove_subscription<H: AeronNotificationCallback + Send + 'static>(
        &self,
        registration_id: i64,
        on_complete: Option<&Handler<H>>,
    ) -> Result<i32, AeronCError> {
        self.remove_with(on_complete, |n, d| {
            bindings::aeron_async_remove_subscription(registration_id, self.get_inner(), n, d)
        })
    }

    fn remove_with<H: AeronNotificationCallback + Send + 'static>(
        &self,
        on_complete: Option<&Handler<H>>,
        f: impl FnOnce(bindings::aeron_notification_t, *mut c_void) -> i32,
    ) -> Result<i32, AeronCError> {
        check(OneShotNotification::hand_to_c(notification_once(on_complete), f))
    }

    /// Calls `stream_out` with each line of the driver's counters table (`aeron_print_counters`),
    /// a closure instead of the C function pointer that `print_counters` takes. C calls it
    /// synchronously on this thread; a panic in it resumes here.
    pub fn print_counters_with<F: FnMut(&str)>(&self, mut stream_out: F) {
        with_line_sink(&mut stream_out, |sink| unsafe { bindings::aeron_print_counters(self.get_inner(), sink) });
    }
}
