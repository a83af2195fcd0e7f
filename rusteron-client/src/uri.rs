//! Aeron's C channel URI parser (`aeron_uri_t`) and string builder
//! (`aeron_uri_string_builder_t`). For a pure-Rust parser and builder see
//! [`ChannelUri`](crate::ChannelUri).

use crate::bindings;
use crate::channel_uri::Media;
use crate::error::{check, AeronCError};
use crate::handler::Guarded;
use crate::strings::c_str_to_str;
use crate::ManagedCResource;
use std::ffi::CStr;
use std::fmt;
use std::os::raw::{c_char, c_int, c_void};

/// Wraps a C struct inside another object (`ptr`), keeping that object (`owner`) alive.
macro_rules! borrowed_in {
    ($wrapper:ty, $ptr:expr, $owner:expr) => {{
        let m = ManagedCResource::from_raw($ptr, None);
        m.add_dependency($owner);
        // SAFETY: `$ptr` points into `$owner`, which the wrapper keeps alive.
        unsafe { <$wrapper>::from_managed(m) }
    }};
}

/// Longest channel URI Aeron accepts, in bytes, without the NUL (`AERON_URI_MAX_LENGTH - 1`).
pub const AERON_URI_MAX_LENGTH: usize = bindings::AERON_URI_MAX_LENGTH as usize - 1;

crate::c_wrapper!(
    /// A channel URI parsed by Aeron's C parser (`aeron_uri_parse`), freed (`aeron_uri_close`)
    /// when the last clone drops.
    ///
    /// Threads: `Send + Sync`: it is not changed after parsing.
    AeronUri => bindings::aeron_uri_t
);
unsafe impl Send for AeronUri {}
unsafe impl Sync for AeronUri {}

crate::c_struct_wrapper!(@pointers
    /// One `key=value` parameter of a parsed URI (`aeron_uri_param_t`), borrowed from it.
    AeronUriParam => bindings::aeron_uri_param_t
);

impl AeronUriParam {
    /// The key.
    pub fn key(&self) -> &str {
        unsafe { c_str_to_str(self.clone_struct().key) }
    }
    /// The value.
    pub fn value(&self) -> &str {
        unsafe { c_str_to_str(self.clone_struct().value) }
    }
}

crate::c_struct_wrapper!(@pointers
    /// The parameters of a parsed URI besides the named ones (`aeron_uri_params_t`), borrowed
    /// from it (and keeping it alive).
    AeronUriParams => bindings::aeron_uri_params_t
);
unsafe impl Send for AeronUriParams {}
unsafe impl Sync for AeronUriParams {}

impl AeronUriParams {
    /// How many parameters there are.
    pub fn len(&self) -> usize {
        self.clone_struct().length
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `(key, value)` pairs, in URI order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        let p = self.clone_struct();
        (0..p.length).map(move |i| unsafe {
            let e = &*p.array.add(i);
            (c_str_to_str(e.key), c_str_to_str(e.value))
        })
    }

    /// The value of `key` (`aeron_uri_find_param_value`).
    pub fn get(&self, key: &CStr) -> Option<&str> {
        let v = unsafe { bindings::aeron_uri_find_param_value(self.get_inner(), key.as_ptr()) };
        if v.is_null() {
            None
        } else {
            Some(unsafe { c_str_to_str(v) })
        }
    }

    /// `key` as an `i32` (`aeron_uri_get_int32`): `Ok(None)` if absent, `Err` if malformed.
    pub fn get_int32(&self, key: &CStr) -> Result<Option<i32>, AeronCError> {
        if self.get(key).is_none() {
            return Ok(None);
        }
        let mut v = 0i32;
        check(unsafe { bindings::aeron_uri_get_int32(self.get_inner(), key.as_ptr(), &mut v) })?;
        Ok(Some(v))
    }

    /// `key` as an `i64` (`aeron_uri_get_int64`): `Ok(None)` if absent, `Err` if malformed.
    pub fn get_int64(&self, key: &CStr) -> Result<Option<i64>, AeronCError> {
        if self.get(key).is_none() {
            return Ok(None);
        }
        let mut v = 0i64;
        check(unsafe { bindings::aeron_uri_get_int64(self.get_inner(), key.as_ptr(), 0, &mut v) })?;
        Ok(Some(v))
    }

    /// `key` as a bool (`aeron_uri_get_bool`): `Ok(None)` if absent, `Err` if malformed.
    pub fn get_bool(&self, key: &CStr) -> Result<Option<bool>, AeronCError> {
        if self.get(key).is_none() {
            return Ok(None);
        }
        let mut v = false;
        check(unsafe { bindings::aeron_uri_get_bool(self.get_inner(), key.as_ptr(), &mut v) })?;
        Ok(Some(v))
    }

    /// A duration parameter such as `linger` in ns (`aeron_uri_get_timeout`), `Ok(None)` if
    /// absent. Accepts unit suffixes (`5s`, `100ms`, ...).
    pub fn get_timeout_ns(&self, key: &CStr) -> Result<Option<u64>, AeronCError> {
        if self.get(key).is_none() {
            return Ok(None);
        }
        let mut v = 0u64;
        check(unsafe { bindings::aeron_uri_get_timeout(self.get_inner(), key.as_ptr(), &mut v) })?;
        Ok(Some(v))
    }
}

crate::c_struct_wrapper!(@pointers
    /// The named parts of a parsed `aeron:udp` URI (`aeron_udp_channel_params_t`), borrowed
    /// from the [`AeronUri`] (and keeping it alive).
    AeronUdpChannelParams => bindings::aeron_udp_channel_params_t
);
unsafe impl Send for AeronUdpChannelParams {}
unsafe impl Sync for AeronUdpChannelParams {}

impl AeronUdpChannelParams {
    /// `endpoint`, if set.
    pub fn endpoint(&self) -> Option<&str> {
        opt(self.clone_struct().endpoint)
    }
    /// `interface`, if set.
    pub fn bind_interface(&self) -> Option<&str> {
        opt(self.clone_struct().bind_interface)
    }
    /// `control`, if set.
    pub fn control(&self) -> Option<&str> {
        opt(self.clone_struct().control)
    }
    /// `control-mode`, if set.
    pub fn control_mode(&self) -> Option<&str> {
        opt(self.clone_struct().control_mode)
    }
    /// The channel tag (first part of `tags`), if set.
    pub fn channel_tag(&self) -> Option<&str> {
        opt(self.clone_struct().channel_tag)
    }
    /// The entity tag (second part of `tags`), if set.
    pub fn entity_tag(&self) -> Option<&str> {
        opt(self.clone_struct().entity_tag)
    }
    /// `ttl`, if set.
    pub fn ttl(&self) -> Option<&str> {
        opt(self.clone_struct().ttl)
    }
    /// The other parameters.
    pub fn additional_params(&self) -> AeronUriParams {
        borrowed_in!(
            AeronUriParams,
            unsafe { std::ptr::addr_of_mut!((*self.get_inner()).additional_params) },
            self.as_dependency()
        )
    }
}

crate::c_struct_wrapper!(@pointers
    /// The named parts of a parsed `aeron:ipc` URI (`aeron_ipc_channel_params_t`), borrowed
    /// from the [`AeronUri`] (and keeping it alive).
    AeronIpcChannelParams => bindings::aeron_ipc_channel_params_t
);
unsafe impl Send for AeronIpcChannelParams {}
unsafe impl Sync for AeronIpcChannelParams {}

impl AeronIpcChannelParams {
    /// The channel tag (first part of `tags`), if set.
    pub fn channel_tag(&self) -> Option<&str> {
        opt(self.clone_struct().channel_tag)
    }
    /// The entity tag (second part of `tags`), if set.
    pub fn entity_tag(&self) -> Option<&str> {
        opt(self.clone_struct().entity_tag)
    }
    /// `control-mode`, if set.
    pub fn control_mode(&self) -> Option<&str> {
        opt(self.clone_struct().control_mode)
    }
    /// The other parameters.
    pub fn additional_params(&self) -> AeronUriParams {
        borrowed_in!(
            AeronUriParams,
            unsafe { std::ptr::addr_of_mut!((*self.get_inner()).additional_params) },
            self.as_dependency()
        )
    }
}

fn opt<'a>(p: *const c_char) -> Option<&'a str> {
    if p.is_null() {
        None
    } else {
        Some(unsafe { c_str_to_str(p) })
    }
}

impl AeronUri {
    /// Parses `uri` with Aeron's C parser (`aeron_uri_parse`). A malformed URI is an error
    /// carrying Aeron's message. A URI longer than [`AERON_URI_MAX_LENGTH`] bytes, or holding a
    /// NUL byte (C would stop reading there and parse a shorter URI), is refused with an error
    /// naming the problem.
    pub fn parse(uri: &str) -> Result<Self, AeronCError> {
        crate::limits::check_length(
            "AeronUri::parse",
            "uri",
            uri.len(),
            AERON_URI_MAX_LENGTH,
            "a channel URI (AERON_URI_MAX_LENGTH - 1)",
        )?;
        crate::limits::check_no_nul("uri", uri.as_bytes())?;
        let raw: *mut bindings::aeron_uri_t = Box::into_raw(Box::new(unsafe { std::mem::zeroed() }));
        let free = |p: *mut bindings::aeron_uri_t| unsafe {
            bindings::aeron_uri_close(p);
            drop(Box::from_raw(p));
        };
        // C may print `uri` with `%s` in its error message: hand it a NUL-terminated copy.
        let mut text = Vec::with_capacity(uri.len() + 1);
        text.extend_from_slice(uri.as_bytes());
        text.push(0);
        let rc = unsafe { bindings::aeron_uri_parse(uri.len(), text.as_ptr() as *const c_char, raw) };
        if rc < 0 {
            let e = AeronCError::last();
            free(raw);
            return Err(e);
        }
        Ok(unsafe {
            Self::from_managed(ManagedCResource::from_raw(
                raw,
                Some(Box::new(move |p| {
                    free(p);
                    0
                })),
            ))
        })
    }

    /// The media: `Some(Media::Udp)`, `Some(Media::Ipc)`, or `None` if unknown.
    pub fn media(&self) -> Option<Media> {
        #[allow(non_upper_case_globals)]
        match unsafe { (*self.get_inner()).type_ } {
            bindings::aeron_uri_type_enum_AERON_URI_UDP => Some(Media::Udp),
            bindings::aeron_uri_type_enum_AERON_URI_IPC => Some(Media::Ipc),
            _ => None,
        }
    }

    /// The UDP parameters, if this is an `aeron:udp` URI.
    pub fn udp(&self) -> Option<AeronUdpChannelParams> {
        (self.media() == Some(Media::Udp)).then(|| {
            borrowed_in!(
                AeronUdpChannelParams,
                unsafe { std::ptr::addr_of_mut!((*self.get_inner()).params.udp) },
                self.as_dependency()
            )
        })
    }

    /// The IPC parameters, if this is an `aeron:ipc` URI.
    pub fn ipc(&self) -> Option<AeronIpcChannelParams> {
        (self.media() == Some(Media::Ipc)).then(|| {
            borrowed_in!(
                AeronIpcChannelParams,
                unsafe { std::ptr::addr_of_mut!((*self.get_inner()).params.ipc) },
                self.as_dependency()
            )
        })
    }

    /// The parameters other than the named ones (`endpoint`, `interface`, `control`,
    /// `control-mode`, `tags`, `ttl`).
    pub fn params(&self) -> Option<AeronUriParams> {
        match self.media()? {
            Media::Udp => self.udp().map(|u| u.additional_params()),
            Media::Ipc => self.ipc().map(|i| i.additional_params()),
        }
    }

    /// The value of any parameter, named or additional (`aeron_uri_find_param_value` for the
    /// additional ones).
    pub fn get(&self, key: &str) -> Option<&str> {
        let named = match self.media()? {
            Media::Udp => {
                let u = unsafe { (*self.get_inner()).params.udp };
                match key {
                    "endpoint" => Some(opt(u.endpoint)),
                    "interface" => Some(opt(u.bind_interface)),
                    "control" => Some(opt(u.control)),
                    "control-mode" => Some(opt(u.control_mode)),
                    "ttl" => Some(opt(u.ttl)),
                    _ => None,
                }
            }
            Media::Ipc => {
                let i = unsafe { (*self.get_inner()).params.ipc };
                match key {
                    "control-mode" => Some(opt(i.control_mode)),
                    _ => None,
                }
            }
        };
        if let Some(v) = named {
            return v;
        }
        let p = match self.media()? {
            Media::Udp => unsafe { std::ptr::addr_of!((*self.get_inner()).params.udp.additional_params) },
            Media::Ipc => unsafe { std::ptr::addr_of!((*self.get_inner()).params.ipc.additional_params) },
        };
        let p = unsafe { &*p };
        (0..p.length).find_map(|i| unsafe {
            let e = &*p.array.add(i);
            (c_str_to_str(e.key) == key).then(|| c_str_to_str(e.value))
        })
    }

    /// The multicast TTL requested by the URI, 0 if none (`aeron_uri_multicast_ttl`).
    pub fn multicast_ttl(&self) -> u8 {
        unsafe { bindings::aeron_uri_multicast_ttl(self.get_inner()) }
    }

    /// The URI printed back (`aeron_uri_sprint`).
    pub fn sprint(&self) -> Result<String, AeronCError> {
        let mut buf = vec![0u8; AERON_URI_MAX_LENGTH + 1];
        let n =
            check(unsafe { bindings::aeron_uri_sprint(self.get_inner(), buf.as_mut_ptr() as *mut c_char, buf.len()) })?;
        let _ = n; // some printers return the length, others 0: the NUL marks the end
        if let Some(end) = buf.iter().position(|&b| b == 0) {
            buf.truncate(end);
        }
        String::from_utf8(buf).map_err(|e| AeronCError::with_message(-1, e.to_string()))
    }

    /// The number in a `tag:N` / `N` tag string (`aeron_uri_parse_tag`), if it is one.
    pub fn parse_tag(tag: &CStr) -> Option<i64> {
        let v = unsafe { bindings::aeron_uri_parse_tag(tag.as_ptr()) };
        if v == bindings::AERON_URI_INVALID_TAG as i64 {
            None
        } else {
            Some(v)
        }
    }

    /// Splits the `key=value|...` part of a URI (what follows `?`), calling `handler` for each
    /// pair (`aeron_uri_parse_params`). A handler returning a negative value stops the parse,
    /// which then fails.
    pub fn parse_params<H: AeronUriParseCallbackCallback + ?Sized>(
        params: &str,
        handler: &mut H,
    ) -> Result<(), AeronCError> {
        crate::limits::check_no_nul("params", params.as_bytes())?;
        let mut buf = Vec::with_capacity(params.len() + 1);
        buf.extend_from_slice(params.as_bytes());
        buf.push(0);
        let rc = Guarded::run(handler, |clientd| unsafe {
            bindings::aeron_uri_parse_params(
                buf.as_mut_ptr() as *mut c_char,
                Some(uri_parse_callback_trampoline::<H>),
                clientd,
            )
        });
        if rc < 0 {
            Err(AeronCError::with_message(
                -(bindings::AERON_ERROR_CODE_INVALID_CHANNEL as i32),
                format!("invalid URI parameters: {params}"),
            ))
        } else {
            Ok(())
        }
    }
}

impl fmt::Display for AeronUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.sprint() {
            Ok(s) => f.write_str(&s),
            Err(_) => Err(fmt::Error),
        }
    }
}

/// Called for each `key=value` pair by [`AeronUri::parse_params`]
/// (`aeron_uri_parse_callback_t`).
pub trait AeronUriParseCallbackCallback {
    /// One parameter. Return 0 to go on, a negative value to stop with an error.
    fn handle_aeron_uri_parse_callback(&mut self, key: &str, value: &str) -> i32;
}

/// Logs each parameter at `trace` level (through the `log` crate) and goes on.
#[derive(Debug, Default, Clone, Copy)]
pub struct AeronUriParseCallbackLogger;

impl AeronUriParseCallbackCallback for AeronUriParseCallbackLogger {
    fn handle_aeron_uri_parse_callback(&mut self, key: &str, value: &str) -> i32 {
        log::trace!("uri param {key}={value}");
        0
    }
}

impl<F: FnMut(&str, &str) -> i32> AeronUriParseCallbackCallback for F {
    fn handle_aeron_uri_parse_callback(&mut self, key: &str, value: &str) -> i32 {
        self(key, value)
    }
}

unsafe extern "C" fn uri_parse_callback_trampoline<H: AeronUriParseCallbackCallback + ?Sized>(
    clientd: *mut c_void,
    key: *const c_char,
    value: *const c_char,
) -> c_int {
    Guarded::<H>::call(clientd, -1, |h| h.handle_aeron_uri_parse_callback(c_str_to_str(key), c_str_to_str(value)))
}

// ---------------------------------------------------------------------------------------------

crate::c_wrapper!(
    /// Builds or edits a channel URI with Aeron's C builder (`aeron_uri_string_builder_t`),
    /// closed when the last clone drops.
    ///
    /// Threads: neither `Send` nor `Sync`: the builder's map is changed in place and clones
    /// share it.
    AeronUriStringBuilder => bindings::aeron_uri_string_builder_t
);

impl AeronUriStringBuilder {
    fn init(f: impl FnOnce(*mut bindings::aeron_uri_string_builder_t) -> c_int) -> Result<Self, AeronCError> {
        let raw: *mut bindings::aeron_uri_string_builder_t = Box::into_raw(Box::new(unsafe { std::mem::zeroed() }));
        let rc = f(raw);
        if rc < 0 {
            let e = AeronCError::last();
            // A failed init has already released what it allocated.
            drop(unsafe { Box::from_raw(raw) });
            return Err(e);
        }
        let m = ManagedCResource::from_raw(
            raw,
            Some(Box::new(|p| unsafe {
                let rc = bindings::aeron_uri_string_builder_close(p);
                drop(Box::from_raw(p));
                rc
            })),
        );
        // SAFETY: a builder C has just initialised, closed and freed by the cleanup.
        Ok(unsafe { Self::from_managed(m) })
    }

    /// An empty builder (`aeron_uri_string_builder_init_new`).
    pub fn new() -> Result<Self, AeronCError> {
        Self::init(|p| unsafe { bindings::aeron_uri_string_builder_init_new(p) })
    }

    /// A builder holding the parts of `uri` (`aeron_uri_string_builder_init_on_string`).
    pub fn init_on_string(uri: &CStr) -> Result<Self, AeronCError> {
        Self::init(|p| unsafe { bindings::aeron_uri_string_builder_init_on_string(p, uri.as_ptr()) })
    }

    /// Sets `key` to `value` (`aeron_uri_string_builder_put`). The media and prefix are the
    /// keys `"__media"` and `"__prefix"`.
    pub fn put(&self, key: &CStr, value: &CStr) -> Result<&Self, AeronCError> {
        check(unsafe { bindings::aeron_uri_string_builder_put(self.get_inner(), key.as_ptr(), value.as_ptr()) })?;
        Ok(self)
    }

    /// Removes `key` (a put of NULL).
    pub fn remove(&self, key: &CStr) -> Result<&Self, AeronCError> {
        check(unsafe { bindings::aeron_uri_string_builder_put(self.get_inner(), key.as_ptr(), std::ptr::null()) })?;
        Ok(self)
    }

    /// Sets `key` to a number (`aeron_uri_string_builder_put_int32`).
    pub fn put_int32(&self, key: &CStr, value: i32) -> Result<&Self, AeronCError> {
        check(unsafe { bindings::aeron_uri_string_builder_put_int32(self.get_inner(), key.as_ptr(), value) })?;
        Ok(self)
    }

    /// Sets `key` to a number (`aeron_uri_string_builder_put_int64`).
    pub fn put_int64(&self, key: &CStr, value: i64) -> Result<&Self, AeronCError> {
        check(unsafe { bindings::aeron_uri_string_builder_put_int64(self.get_inner(), key.as_ptr(), value) })?;
        Ok(self)
    }

    /// The value of `key`, if set (`aeron_uri_string_builder_get`). Copied: a later `put`
    /// through `&self` may free the C string.
    pub fn get(&self, key: &CStr) -> Option<String> {
        opt(unsafe { bindings::aeron_uri_string_builder_get(self.get_inner(), key.as_ptr()) }).map(str::to_owned)
    }

    /// Sets `init-term-id`, `term-id`, `term-offset` and `term-length` so a publication
    /// starts at `position` (`aeron_uri_string_builder_set_initial_position`).
    pub fn set_initial_position(
        &self,
        position: i64,
        initial_term_id: i32,
        term_length: i32,
    ) -> Result<&Self, AeronCError> {
        check(unsafe {
            bindings::aeron_uri_string_builder_set_initial_position(
                self.get_inner(),
                position,
                initial_term_id,
                term_length,
            )
        })?;
        Ok(self)
    }

    /// The URI text (`aeron_uri_string_builder_sprint`).
    pub fn sprint(&self) -> Result<String, AeronCError> {
        let mut buf = vec![0u8; AERON_URI_MAX_LENGTH + 1];
        let n = check(unsafe {
            bindings::aeron_uri_string_builder_sprint(self.get_inner(), buf.as_mut_ptr() as *mut c_char, buf.len())
        })?;
        let _ = n; // some printers return the length, others 0: the NUL marks the end
        if let Some(end) = buf.iter().position(|&b| b == 0) {
            buf.truncate(end);
        }
        String::from_utf8(buf).map_err(|e| AeronCError::with_message(-1, e.to_string()))
    }
}

impl fmt::Display for AeronUriStringBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.sprint() {
            Ok(s) => f.write_str(&s),
            Err(_) => Err(fmt::Error),
        }
    }
}
