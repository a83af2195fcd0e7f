//! Errors: `AeronCError` carries the code, its `AeronErrorType` kind and Aeron's own message.

use crate::bindings;
use std::borrow::Cow;
use std::ffi::CStr;
use std::fmt;

/// The kind of an Aeron error code.
///
/// Negative offer results (`AERON_PUBLICATION_*`) and the client error codes
/// (`AERON_CLIENT_ERROR_*`) each map to one variant; anything else is `Unknown(code)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AeronErrorType {
    /// The publication is not connected to a subscriber yet (`-1`), or a null value was met.
    NullOrNotConnected,
    /// The media driver did not answer within the driver timeout (`1000`).
    ClientErrorDriverTimeout,
    /// The client was timed out by the driver: it did not keep alive in time (`1001`).
    ClientErrorClientTimeout,
    /// The client's conductor did not run within the service interval (`1002`).
    ClientErrorConductorServiceTimeout,
    /// The client's command buffer to the driver is full (`1003`).
    ClientErrorBufferFull,
    /// Offer refused because of back pressure from subscribers (`-2`).
    PublicationBackPressured,
    /// Offer failed because of an administration action such as a term rotation (`-3`); retry.
    PublicationAdminAction,
    /// The publication has been closed (`-4`).
    PublicationClosed,
    /// The offer would exceed the stream's maximum position (`-5`).
    PublicationMaxPositionExceeded,
    /// The offer failed for another reason; see Aeron's error message (`-6`).
    PublicationError,
    /// An operation timed out (`ETIMEDOUT`).
    TimedOut,
    /// An add refused by the media driver, with Aeron's `AERON_ERROR_CODE_*` value (1 invalid
    /// channel, 2 unknown subscription, ... 14 publication revoked). The C client negates these
    /// codes, so they overlap the offer results `-1..-6`; an error read from a failed call is
    /// never taken for an offer result.
    DriverError(i32),
    /// A code this crate does not name; the value is Aeron's code.
    Unknown(i32),
}

impl AeronErrorType {
    /// The kind of an Aeron code (an offer result, a client error code or an errno).
    pub const fn from_code(code: i32) -> Self {
        match code {
            -1 => AeronErrorType::NullOrNotConnected,
            -2 => AeronErrorType::PublicationBackPressured,
            -3 => AeronErrorType::PublicationAdminAction,
            -4 => AeronErrorType::PublicationClosed,
            -5 => AeronErrorType::PublicationMaxPositionExceeded,
            -6 => AeronErrorType::PublicationError,
            1000 | -1000 => AeronErrorType::ClientErrorDriverTimeout,
            1001 | -1001 => AeronErrorType::ClientErrorClientTimeout,
            1002 | -1002 => AeronErrorType::ClientErrorConductorServiceTimeout,
            1003 | -1003 => AeronErrorType::ClientErrorBufferFull,
            110 | -110 => AeronErrorType::TimedOut,
            other => AeronErrorType::Unknown(other),
        }
    }

    /// The code of this kind, as Aeron returns it.
    pub const fn code(&self) -> i32 {
        match self {
            AeronErrorType::NullOrNotConnected => -1,
            AeronErrorType::PublicationBackPressured => -2,
            AeronErrorType::PublicationAdminAction => -3,
            AeronErrorType::PublicationClosed => -4,
            AeronErrorType::PublicationMaxPositionExceeded => -5,
            AeronErrorType::PublicationError => -6,
            AeronErrorType::ClientErrorDriverTimeout => 1000,
            AeronErrorType::ClientErrorClientTimeout => 1001,
            AeronErrorType::ClientErrorConductorServiceTimeout => 1002,
            AeronErrorType::ClientErrorBufferFull => 1003,
            AeronErrorType::TimedOut => 110,
            AeronErrorType::DriverError(c) => -*c,
            AeronErrorType::Unknown(c) => *c,
        }
    }

    /// A short English description of the kind.
    pub const fn description(&self) -> &'static str {
        match self {
            AeronErrorType::NullOrNotConnected => "null value or not connected",
            AeronErrorType::ClientErrorDriverTimeout => "media driver timed out",
            AeronErrorType::ClientErrorClientTimeout => "client timed out",
            AeronErrorType::ClientErrorConductorServiceTimeout => "client conductor service timed out",
            AeronErrorType::ClientErrorBufferFull => "client command buffer full",
            AeronErrorType::PublicationBackPressured => "publication back pressured",
            AeronErrorType::PublicationAdminAction => "publication admin action, retry",
            AeronErrorType::PublicationClosed => "publication closed",
            AeronErrorType::PublicationMaxPositionExceeded => "publication max position exceeded",
            AeronErrorType::PublicationError => "publication error",
            AeronErrorType::TimedOut => "timed out",
            AeronErrorType::DriverError(c) => driver_error_name(*c),
            AeronErrorType::Unknown(_) => "unknown error",
        }
    }

    /// True for offer results worth retrying (back pressure, admin action, not connected yet).
    pub const fn is_retryable(&self) -> bool {
        matches!(
            self,
            AeronErrorType::PublicationBackPressured
                | AeronErrorType::PublicationAdminAction
                | AeronErrorType::NullOrNotConnected
        )
    }
}

/// Aeron's name of a driver error code (`AERON_ERROR_CODE_*`, positive).
const fn driver_error_name(code: i32) -> &'static str {
    match code {
        1 => "invalid channel",
        2 => "unknown subscription",
        3 => "unknown publication",
        4 => "channel endpoint error",
        5 => "unknown counter",
        6 => "unknown command type id",
        7 => "malformed command",
        8 => "not supported",
        9 => "unknown host",
        10 => "resource temporarily unavailable",
        11 => "generic error",
        12 => "storage space",
        13 => "image rejected",
        14 => "publication revoked",
        _ => "driver error",
    }
}

/// The highest `AERON_ERROR_CODE_*` the media driver sends.
const DRIVER_ERROR_CODE_MAX: i32 = 14;

/// An error from Aeron: the code, its kind, and, for failed calls, Aeron's own message.
///
/// The message is read from `aeron_errmsg()` at the moment the failure is seen, on the thread
/// that made the call. Offer results carry no message (they are not failures of the C call, and
/// the hot path must not allocate): their kind says what happened.
#[derive(Clone, PartialEq, Eq)]
pub struct AeronCError {
    /// Aeron's code: a negative offer result, an `AERON_CLIENT_ERROR_*`, an
    /// `AERON_ERROR_CODE_*` or an errno.
    pub code: i32,
    message: Option<String>,
    origin: Origin,
}

/// Where an error's code comes from, which says how to read `-1..-14`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// An offer or poll result: `-1..-6` are `AERON_PUBLICATION_*`.
    Result,
    /// A failed call (C's `aeron_errcode`, or this crate's own check): `-1` is C's generic
    /// failure, never "not connected".
    Call,
    /// An add the media driver refused: `-code` is the driver's `AERON_ERROR_CODE_*`.
    Driver,
}

impl AeronCError {
    /// An error with this code and no message (offer results, poll results).
    #[inline]
    pub const fn from_code(code: i32) -> Self {
        AeronCError { code, message: None, origin: Origin::Result }
    }

    /// An error with this code and message.
    pub fn with_message(code: i32, message: impl Into<String>) -> Self {
        let e = AeronCError { code, message: Some(message.into()), origin: Origin::Call };
        e.log_backtrace();
        e
    }

    /// The error Aeron recorded for the calling thread's last failed call:
    /// `aeron_errcode()` and `aeron_errmsg()`.
    #[cold]
    pub fn last() -> Self {
        // SAFETY: both functions read thread-local state and return a valid C string.
        let (code, msg) = unsafe {
            let code = bindings::aeron_errcode();
            let p = bindings::aeron_errmsg();
            let msg = if p.is_null() { String::new() } else { CStr::from_ptr(p).to_string_lossy().into_owned() };
            (code, msg)
        };
        // A failure that left no code is Aeron's generic error, not "not connected" (-1).
        let code = if code == 0 { -11 } else { code };
        Self::with_message(code, msg)
    }

    /// [`last`](Self::last) for a failed async add poll, where C reports the driver's refusal
    /// as `-AERON_ERROR_CODE_*`: its kind is [`AeronErrorType::DriverError`].
    #[cold]
    pub(crate) fn last_from_driver() -> Self {
        let mut e = Self::last();
        if (-DRIVER_ERROR_CODE_MAX..=-1).contains(&e.code) {
            e.origin = Origin::Driver;
        }
        e
    }

    /// The kind of this error.
    #[inline]
    pub fn kind(&self) -> AeronErrorType {
        match self.origin {
            Origin::Driver => AeronErrorType::DriverError(-self.code),
            Origin::Call if (-6..=-1).contains(&self.code) => AeronErrorType::Unknown(self.code),
            _ => AeronErrorType::from_code(self.code),
        }
    }

    /// Aeron's message, when the error came from a failed C call.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// What `code` means, in words: the [`AeronErrorType`] description for the codes it names;
    /// otherwise Aeron's own name for its negative codes and its client and archive codes
    /// (`aeron_error_code_str`: "unknown subscription", "an active listing is already
    /// running", ...), and the operating system's text for positive codes below 1000, which are
    /// errnos ("invalid argument").
    pub fn describe_code(code: i32) -> Cow<'static, str> {
        let kind = AeronErrorType::from_code(code);
        if !matches!(kind, AeronErrorType::Unknown(_)) {
            return Cow::Borrowed(kind.description());
        }
        if code > 0 && code < 1000 {
            let text = std::io::Error::from_raw_os_error(code).to_string();
            let text = match text.find(" (os error") {
                Some(i) => &text[..i],
                None => &text,
            };
            let mut chars = text.chars();
            return match chars.next() {
                Some(first) => Cow::Owned(first.to_lowercase().chain(chars).collect()),
                None => Cow::Borrowed("unknown error"),
            };
        }
        // SAFETY: returns a static C string for any code.
        let text = unsafe { bindings::aeron_error_code_str(code.saturating_abs()) };
        let aeron = if text.is_null() { "" } else { unsafe { CStr::from_ptr(text) }.to_str().unwrap_or("") };
        if aeron.is_empty() || aeron == "unknown error code" {
            Cow::Borrowed("unknown error")
        } else {
            Cow::Borrowed(aeron)
        }
    }

    fn log_backtrace(&self) {
        #[cfg(feature = "backtrace")]
        log::debug!(
            "rusteron: AeronCError {}: {:?} created at\n{}",
            self.code,
            self.message,
            std::backtrace::Backtrace::force_capture()
        );
    }

    /// True when trying the same call again may succeed: an offer refused for back pressure, an
    /// admin action or no subscriber yet ([`AeronErrorType::is_retryable`] of [`kind`](Self::kind)).
    pub fn is_retryable(&self) -> bool {
        self.kind().is_retryable()
    }

    /// True when the object (or the client) cannot be used any more: a closed publication, an
    /// offer past the stream's maximum position, a revoked publication, or the client timed out
    /// by the driver, timing the driver out, or missing its conductor's service interval.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self.kind(),
            AeronErrorType::PublicationClosed
                | AeronErrorType::PublicationMaxPositionExceeded
                | AeronErrorType::ClientErrorDriverTimeout
                | AeronErrorType::ClientErrorClientTimeout
                | AeronErrorType::ClientErrorConductorServiceTimeout
                | AeronErrorType::DriverError(14)
        )
    }
}

/// `"{what the code means} ({code}): {message}"`, where what the code means is
/// [`AeronCError::describe_code`].
impl fmt::Display for AeronCError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind();
        let what = match kind {
            AeronErrorType::DriverError(_) => Cow::Borrowed(kind.description()),
            // C's generic failure codes: the message says what failed.
            AeronErrorType::Unknown(c) if self.origin == Origin::Call && (-DRIVER_ERROR_CODE_MAX..=-1).contains(&c) => {
                Cow::Borrowed("failed")
            }
            _ => Self::describe_code(self.code),
        };
        match &self.message {
            Some(m) if !m.is_empty() => write!(f, "{what} ({}): {m}", self.code),
            _ => write!(f, "{what} ({})", self.code),
        }
    }
}

impl fmt::Debug for AeronCError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AeronCError")
            .field("code", &self.code)
            .field("kind", &self.kind())
            .field("message", &self.message)
            .finish()
    }
}

impl std::error::Error for AeronCError {}

/// The error for an argument with an interior NUL byte at `position` (C strings end at the
/// first NUL).
pub(crate) fn nul_error(argument: &str, position: usize) -> AeronCError {
    AeronCError::with_message(
        libc::EINVAL,
        format!("{argument} contains a NUL byte at offset {position}: C strings end at the first NUL"),
    )
}

#[doc(hidden)]
/// Turns a C return code into a `Result`: `>= 0` is `Ok(code)`, `< 0` reads Aeron's error.
#[inline]
pub fn check(rc: i32) -> Result<i32, AeronCError> {
    if rc < 0 {
        Err(AeronCError::last())
    } else {
        Ok(rc)
    }
}

/// Like [`check`] for `int64_t` results (positions, ids).
#[inline]
#[allow(dead_code)]
pub(crate) fn check_i64(rc: i64) -> Result<i64, AeronCError> {
    if rc < 0 {
        Err(AeronCError::last())
    } else {
        Ok(rc)
    }
}
