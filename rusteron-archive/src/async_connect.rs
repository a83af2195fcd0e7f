//! `AeronArchiveAsyncConnect`: a connect to an archive in progress (`aeron_archive_async_connect_t`).

use crate::bindings;
use crate::{Aeron, AeronArchive, AeronArchiveContext, AeronCError, AeronErrorType};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The error of a failed `aeron_archive_connect` / `aeron_archive_async_connect`, read straight
/// after the C call (it takes C's thread-local error).
///
/// C's connect first concludes the context, and unless the control response channel uses
/// `control-mode=response`, that step asks the media driver for a session id. Unpatched, C
/// waited for the answer with no deadline, forever once the client had timed a dead driver out;
/// the sys crate's patch `0001-archive-context-bound-the-session-id-wait` ends the wait when the
/// client is closed or the message timeout passes. This names those two cases for the caller:
/// a closed client gives [`AeronErrorType::ClientErrorDriverTimeout`], a driver that did not
/// answer a timed-out error whose message starts with "archive connect timeout: the media driver
/// did not answer".
pub(crate) fn connect_failure(context: &AeronArchiveContext, settings: &crate::errors::ConnectSettings) -> AeronCError {
    let c_error = crate::errors::connect_error(settings);
    let Some(aeron) = context.get_aeron() else {
        return c_error;
    };
    if aeron.is_closed() {
        return closed_client_error(&aeron, &c_error);
    }
    let message = c_error.message().unwrap_or("");
    if c_error.kind() == AeronErrorType::TimedOut && message.contains("awaiting next session-id") {
        return AeronCError::with_message(
            AeronErrorType::TimedOut.code(),
            format!(
                "archive connect timeout: the media driver did not answer within the message timeout of {:?} (Aeron \
                 directory {}); is the media driver running?\n{message}",
                Duration::from_nanos(context.get_message_timeout_ns()),
                aeron.context().get_dir()
            ),
        );
    }
    c_error
}

fn closed_client_error(aeron: &Aeron, c_error: &AeronCError) -> AeronCError {
    AeronCError::with_message(
        AeronErrorType::ClientErrorDriverTimeout.code(),
        format!(
            "archive connect: the Aeron client is closed (its media driver timed out, or it was closed); Aeron \
             directory {}\n{}",
            aeron.context().get_dir(),
            c_error.message().unwrap_or("")
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
    /// before it returns), up to the context's message timeout: a dead media driver gives a
    /// timed-out error, a closed client [`AeronErrorType::ClientErrorDriverTimeout`] (see
    /// [`AeronArchive::connect`]).
    pub fn new(context: &AeronArchiveContext) -> Result<Self, AeronCError> {
        let created = context.client_for_connect()?;
        let settings = crate::errors::ConnectSettings::of(context);
        let mut raw = std::ptr::null_mut();
        let rc = unsafe { bindings::aeron_archive_async_connect(&mut raw, context.get_inner()) };
        let error = if rc < 0 || raw.is_null() { Some(connect_failure(context, &settings)) } else { None };
        let created = context.end_connect(created);
        if let Some(e) = error {
            return Err(e);
        }
        Ok(AeronArchiveAsyncConnect {
            state: Mutex::new(State { raw, done: false }),
            context: context.as_dependency(),
            settings,
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
