//! `Aeron`: a client connected to a media driver (`aeron_t`).

use crate::async_add::*;
use crate::bindings;
use crate::callbacks::*;
use crate::context::AeronContext;
use crate::error::{check, AeronCError};
use crate::handler::Handler;
use crate::{AeronExclusivePublication, AeronPublication, AeronSubscription, ManagedCResource};
use std::ffi::CStr;
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

impl Aeron {
    /// Creates a client from `context` (`aeron_init`). It connects to the driver when started.
    pub fn new(context: &AeronContext) -> Result<Self, AeronCError> {
        let ctx = context.get_inner();
        let m = ManagedCResource::new(
            |p| unsafe { bindings::aeron_init(p, ctx) },
            Some(Box::new(|p| unsafe { bindings::aeron_close(p) })),
        )?;
        // The C client keeps a pointer to its context: the context must outlive it.
        m.add_dependency(context.as_dependency());
        Ok(Self::from_managed(m))
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
    pub fn main_do_work(&self) -> Result<i32, AeronCError> {
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

    /// The context this client was created from (borrowed).
    pub fn context(&self) -> AeronContext {
        unsafe { AeronContext::from_borrowed(bindings::aeron_context(self.get_inner())) }
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

    /// Adds a concurrent publication and waits for the driver, up to `timeout`.
    pub fn add_publication(&self, uri: &CStr, stream_id: i32, timeout: Duration) -> Result<AeronPublication, AeronCError> {
        let a = self.async_add_publication(uri, stream_id)?;
        self.wait_for(timeout, || a.poll())
    }

    /// Adds an exclusive publication and waits for the driver, up to `timeout`.
    pub fn add_exclusive_publication(
        &self,
        uri: &CStr,
        stream_id: i32,
        timeout: Duration,
    ) -> Result<AeronExclusivePublication, AeronCError> {
        let a = self.async_add_exclusive_publication(uri, stream_id)?;
        self.wait_for(timeout, || a.poll())
    }

    /// Adds a subscription and waits for the driver, up to `timeout`.
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
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(v) = f()? {
                return Ok(v);
            }
            if Instant::now() >= deadline {
                return Err(AeronCError::with_message(
                    crate::AeronErrorType::TimedOut.code(),
                    format!("no answer from the media driver within {timeout:?}"),
                ));
            }
            if invoker {
                self.main_do_work()?;
            } else {
                std::thread::sleep(Duration::from_micros(100));
            }
        }
    }
}
