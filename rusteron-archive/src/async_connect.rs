//! `AeronArchiveAsyncConnect`: a connect to an archive in progress (`aeron_archive_async_connect_t`).

use crate::bindings;
use crate::{Aeron, AeronArchive, AeronArchiveContext, AeronAsyncNextSessionId, AeronCError, AeronErrorType};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The media driver check every connect makes before C's connect starts (see
/// [`AeronArchive::connect`]).
///
/// C's connect first concludes the context, and unless the control response channel uses
/// `control-mode=response`, that step asks the media driver for a session id and polls for the
/// answer with no deadline. If the driver is dead, no answer comes; the client conductor then
/// times the driver out and stops doing any work, so the request never times out either, and
/// the loop spins forever. So before calling C, the wrapper:
///
/// 1. fails at once if the client is closed ([`Aeron::is_closed`]: closed by its owner, or
///    after the conductor timed the media driver out);
/// 2. asks the driver for a session id itself ([`AeronAsyncNextSessionId`], the same request),
///    polling until the context's message timeout, and fails if no answer came by then, or the
///    client closed meanwhile.
///
/// A driver that answered is alive as of that round trip, and C's own request follows straight
/// after. What is left is a driver that dies in the few milliseconds between the two answers:
/// C's loop can still spin then, and nothing outside C can stop it.
pub(crate) fn check_driver_before_connect(context: &AeronArchiveContext) -> Result<(), AeronCError> {
    let Some(aeron) = context.get_aeron() else {
        // C creates (and starts) a client itself: a dead driver fails that start.
        return Ok(());
    };
    if aeron.is_closed() {
        return Err(closed_client_error(&aeron));
    }
    let response_channel = context.get_control_response_channel();
    if response_channel.contains("control-mode=response") {
        // C asks the driver for nothing in that case.
        return Ok(());
    }
    let timeout = Duration::from_nanos(context.get_message_timeout_ns());
    let deadline = rusteron_client::__private::deadline_after(timeout);
    let invoker = aeron.context().get_use_conductor_agent_invoker();
    let request = AeronAsyncNextSessionId::new(&aeron, context.get_control_request_stream_id())?;
    loop {
        match request.poll() {
            Ok(Some(_)) => return Ok(()),
            Ok(None) => {}
            Err(e) => {
                if aeron.is_closed() {
                    return Err(closed_client_error(&aeron));
                }
                return Err(e);
            }
        }
        if aeron.is_closed() {
            return Err(closed_client_error(&aeron));
        }
        if Instant::now() >= deadline {
            return Err(AeronCError::with_message(
                AeronErrorType::TimedOut.code(),
                format!(
                    "archive connect timeout: the media driver did not answer within the message timeout of \
                     {timeout:?} (Aeron directory {}); is the media driver running?",
                    aeron.context().get_dir()
                ),
            ));
        }
        if invoker {
            // Nobody else runs this client's conductor.
            let _ = aeron.main_do_work();
        }
        std::thread::sleep(Duration::from_micros(100));
    }
}

fn closed_client_error(aeron: &Aeron) -> AeronCError {
    AeronCError::with_message(
        AeronErrorType::ClientErrorDriverTimeout.code(),
        format!(
            "archive connect: the Aeron client is closed (its media driver timed out, or it was closed); Aeron \
             directory {}",
            aeron.context().get_dir()
        ),
    )
}

struct State {
    raw: *mut bindings::aeron_archive_async_connect_t,
    done: bool,
}

/// A connect in progress. Poll it until it yields an [`AeronArchive`] or fails (the context's
/// message timeout bounds it). C frees the async object itself when the poll completes either
/// way; dropping an unfinished connect cancels it (`aeron_archive_async_connect_delete`).
///
/// Threads: `Send + Sync`; the state is behind a mutex, so one poll runs at a time.
pub struct AeronArchiveAsyncConnect {
    state: Mutex<State>,
    /// Keeps the context (its Aeron and handlers) alive; never read here: this may be polled on
    /// another thread than the context's owner.
    context: rusteron_client::resource::Dependency,
    /// What an error names, read from the context when the connect started.
    settings: crate::errors::ConnectSettings,
    /// What the connect lent (a client created for a context that had none, the idle strategy
    /// state of the archive to be), handed to the archive once connected.
    resources: Mutex<Option<crate::context::ConnectResources>>,
}
unsafe impl Send for AeronArchiveAsyncConnect {}
unsafe impl Sync for AeronArchiveAsyncConnect {}

impl std::fmt::Debug for AeronArchiveAsyncConnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        write!(f, "AeronArchiveAsyncConnect({:p}, done={})", s.raw, s.done)
    }
}

impl AeronArchiveAsyncConnect {
    /// Starts connecting with `context` (`aeron_archive_async_connect`). A context without an
    /// [`Aeron`](crate::Aeron) client gets one for this archive, as with
    /// [`AeronArchive::connect`].
    ///
    /// This waits for one round trip to the media driver (C's connect asks it for a session id
    /// before it returns). As with [`AeronArchive::connect`], the wrapper asks first with a
    /// deadline: a dead media driver (or a closed client) gives an error here within the
    /// context's message timeout, instead of C spinning forever.
    pub fn new(context: &AeronArchiveContext) -> Result<Self, AeronCError> {
        let created = context.client_for_connect()?;
        if let Err(e) = check_driver_before_connect(context) {
            context.end_connect(created);
            return Err(e);
        }
        let mut raw = std::ptr::null_mut();
        let rc = unsafe { bindings::aeron_archive_async_connect(&mut raw, context.get_inner()) };
        let error = if rc < 0 || raw.is_null() { Some(AeronCError::last()) } else { None };
        let created = context.end_connect(created);
        if let Some(e) = error {
            return Err(e);
        }
        Ok(AeronArchiveAsyncConnect {
            state: Mutex::new(State { raw, done: false }),
            context: context.as_dependency(),
            settings: crate::errors::ConnectSettings::of(context),
            resources: Mutex::new(Some(created)),
        })
    }

    /// One step (`aeron_archive_async_connect_poll`): `Ok(Some(archive))` when connected,
    /// `Ok(None)` while in progress, `Err` with Aeron's message on failure, or a timed-out
    /// error starting with "archive connect timeout" once the message timeout passed.
    pub fn poll(&self) -> Result<Option<AeronArchive>, AeronCError> {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if s.done {
            return Err(AeronCError::with_message(
                -1,
                "this archive connect already completed: it cannot be polled again",
            ));
        }
        let mut out = std::ptr::null_mut();
        let rc = unsafe { bindings::aeron_archive_async_connect_poll(&mut out, s.raw) };
        if rc == 0 {
            return Ok(None);
        }
        // Completed either way: C freed the async object.
        s.done = true;
        if rc < 0 || out.is_null() {
            return Err(crate::errors::connect_error(&self.settings));
        }
        let resources = self.resources.lock().unwrap_or_else(|e| e.into_inner()).take();
        // `done` was false, so nothing took them before.
        let resources = resources.expect("an archive connect completes once");
        Ok(Some(AeronArchive::from_raw(out, self.context.clone(), resources)))
    }

    /// Polls until connected or failed; the context's message timeout ends it. `timeout` is an
    /// extra bound on the wait.
    pub fn poll_blocking(&self, timeout: Duration) -> Result<AeronArchive, AeronCError> {
        let deadline = rusteron_client::__private::deadline_after(timeout);
        loop {
            if let Some(a) = self.poll()? {
                return Ok(a);
            }
            if Instant::now() >= deadline {
                return Err(AeronCError::with_message(
                    rusteron_client::AeronErrorType::TimedOut.code(),
                    format!("archive connect not completed within {timeout:?}"),
                ));
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// The step the connect is at (`aeron_archive_async_connect_step`), `None` once completed.
    pub fn step(&self) -> Option<u8> {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if s.done {
            None
        } else {
            Some(unsafe { bindings::aeron_archive_async_connect_step(s.raw) })
        }
    }
}

impl Drop for AeronArchiveAsyncConnect {
    fn drop(&mut self) {
        let s = self.state.get_mut().unwrap_or_else(|e| e.into_inner());
        if !s.done {
            s.done = true;
            unsafe { bindings::aeron_archive_async_connect_delete(s.raw) };
        }
    }
}
