//! `AeronArchiveProxy`: encodes and sends archive control requests over an exclusive
//! publication, without waiting for responses (`aeron_archive_proxy_t`). Read responses with an
//! [`AeronArchiveControlResponsePoller`](crate::AeronArchiveControlResponsePoller).
//!
//! This is the low-level, non-blocking side of the archive protocol; most programs use
//! [`AeronArchive`], which pairs each request with its response.

use crate::bindings;
use crate::util::check;
use crate::{
    AeronArchive, AeronArchiveContext, AeronArchiveReplayParams, AeronArchiveReplicationParams, AeronCError,
    AeronExclusivePublication, ManagedCResource,
};
use std::ffi::CStr;

rusteron_client::c_wrapper!(
    /// Sends archive control requests. Each method returns `true` if the request was offered
    /// (after the configured retry attempts), `false` otherwise. A request with a channel longer
    /// than [`AERON_URI_MAX_LENGTH`](crate::AERON_URI_MAX_LENGTH), or one too long for the C
    /// client's request buffer ([`ARCHIVE_REQUEST_MAX_LENGTH`](crate::ARCHIVE_REQUEST_MAX_LENGTH)),
    /// is not sent (`false`, and a `warn` log saying why): C would send it cut short. Nor is a
    /// replay, update-channel or replicate request whose channel Aeron's C parser refuses (the
    /// archive drops those without an answer).
    ///
    /// The publication it sends on stays the caller's: neither dropping the proxy nor
    /// [`close`](Self::close) closes it.
    ///
    /// Threads: neither `Send` nor `Sync`: requests are encoded in one buffer inside the proxy and
    /// offered on an exclusive publication. Create it on the thread that sends (from a
    /// publication added there or moved there with [`AeronExclusivePublication::handoff`]).
    ///
    /// ```compile_fail,E0277
    /// fn send_elsewhere(p: rusteron_archive::AeronArchiveProxy) {
    ///     std::thread::spawn(move || drop(p));
    /// }
    /// ```
    AeronArchiveProxy => bindings::aeron_archive_proxy_t
);

/// Clears the proxy's publication pointer, so that C's close and delete leave the publication
/// (owned by a Rust wrapper) alone.
///
/// # Safety
/// `proxy` must point to a live proxy that no other thread uses.
unsafe fn detach_publication(proxy: *mut bindings::aeron_archive_proxy_t) {
    (*proxy).exclusive_publication = std::ptr::null_mut();
}

/// A proxy's private copy of its context (`aeron_archive_context_duplicate`), closed on drop.
/// C's proxy idles through its context between offer retries, and a context has no idle
/// strategy until one is set (C would call a NULL function): the copy then gets one. The copy
/// points to the original's handlers and to an idle strategy handler set on it (both locked on
/// every call, so sharing them is sound), so the original must outlive it. An idle strategy
/// state that C loaded and the original owns (its back-off state, written on every idle) is
/// never shared: the copy yields instead.
struct ProxyContext(*mut bindings::aeron_archive_context_t);
// SAFETY: only closed on drop; C uses it through the proxy, which is not `Sync`.
unsafe impl Send for ProxyContext {}

impl ProxyContext {
    fn new(ctx: &AeronArchiveContext) -> Result<Self, AeronCError> {
        let mut raw = std::ptr::null_mut();
        check(unsafe { bindings::aeron_archive_context_duplicate(&mut raw, ctx.get_inner()) })?;
        // SAFETY: `raw` is the fresh copy, used by nobody else yet. It never owns (nor closes)
        // the client.
        unsafe {
            (*raw).owns_aeron_client = false;
            if (*raw).idle_strategy_func.is_none() || (*ctx.get_inner()).owns_idle_strategy {
                (*raw).idle_strategy_func = Some(yield_idle);
                (*raw).idle_strategy_state = std::ptr::null_mut();
            }
        }
        Ok(Self(raw))
    }
}

impl Drop for ProxyContext {
    fn drop(&mut self) {
        unsafe { bindings::aeron_archive_context_close(self.0) };
    }
}

/// The idle strategy of a proxy whose context has none: yields the thread.
unsafe extern "C" fn yield_idle(_state: *mut std::os::raw::c_void, _work_count: std::os::raw::c_int) {
    std::thread::yield_now();
}

/// `true` when `checked` passed; otherwise logs why at `warn` level (the proxy's methods return
/// only whether the request was sent) and returns `false`: nothing is sent.
fn send_allowed(checked: Result<(), AeronCError>) -> bool {
    match checked {
        Ok(()) => true,
        Err(e) => {
            log::warn!("archive request not sent: {e}");
            false
        }
    }
}

/// A channel for a proxy request: at most `AERON_URI_MAX_LENGTH` bytes (longer ones are not sent).
fn channel_ok(call: &str, argument: &str, channel: &CStr) -> bool {
    send_allowed(crate::util::check_channel(call, argument, channel))
}

macro_rules! request {
    ($(#[$doc:meta])* $name:ident => $c:ident($($arg:ident: $t:ty),*)) => {
        $(#[$doc])*
        pub fn $name(&self, correlation_id: i64 $(, $arg: $t)*) -> bool {
            unsafe { bindings::$c(self.get_inner(), correlation_id $(, $arg)*) }
        }
    };
}

impl AeronArchiveProxy {
    /// A proxy sending on `publication` with `ctx`'s settings (`aeron_archive_proxy_create`).
    /// It keeps the publication and the context alive, and never closes the publication: it
    /// stays yours, open until its last handle drops.
    ///
    /// The proxy uses a private copy of `ctx`; between offer retries it runs the context's idle
    /// strategy, or yields the thread if none is set yet (a context only gets Aeron's default
    /// one when an archive connects with it).
    pub fn new(
        ctx: &AeronArchiveContext,
        publication: &AeronExclusivePublication,
        retry_attempts: i32,
    ) -> Result<Self, AeronCError> {
        let proxy_ctx = ProxyContext::new(ctx)?;
        let m = ManagedCResource::new(
            |p| unsafe {
                bindings::aeron_archive_proxy_create(p, proxy_ctx.0, publication.get_inner(), retry_attempts)
            },
            Some(Box::new(|p| unsafe {
                // `aeron_archive_proxy_delete` closes the proxy's publication, which belongs to
                // the caller's wrapper (closed again when that drops): detach it first
                // (`aeron_exclusive_publication_close(NULL)` does nothing).
                detach_publication(p);
                bindings::aeron_archive_proxy_delete(p)
            })),
        )?;
        // Dropped after the proxy is deleted, in this order (the copy points into `ctx`).
        m.add_dependency(crate::util::keep(proxy_ctx));
        m.add_dependency(ctx.as_dependency());
        m.add_dependency(publication.as_dependency());
        Ok(unsafe { Self::from_managed(m) })
    }

    /// Re-initialises the proxy in place (`aeron_archive_proxy_init`) with a private copy of
    /// `ctx` and `publication`. The previous publication is not closed (it stays yours).
    pub fn init(
        &self,
        ctx: &AeronArchiveContext,
        publication: &AeronExclusivePublication,
        retry_attempts: i32,
    ) -> Result<i32, AeronCError> {
        let proxy_ctx = ProxyContext::new(ctx)?;
        let rc = check(unsafe {
            bindings::aeron_archive_proxy_init(self.get_inner(), proxy_ctx.0, publication.get_inner(), retry_attempts)
        })?;
        self.keep_alive(crate::util::keep(proxy_ctx));
        self.keep_alive(ctx.as_dependency());
        self.keep_alive(publication.as_dependency());
        Ok(rc)
    }

    /// Sets the control session id sent with requests (`aeron_archive_proxy_set_control_session_id`).
    pub fn set_control_session_id(&self, control_session_id: i64) -> Result<i32, AeronCError> {
        check(unsafe { bindings::aeron_archive_proxy_set_control_session_id(self.get_inner(), control_session_id) })
    }

    /// Detaches the proxy from its publication: requests sent afterwards fail (return `false`).
    ///
    /// Unlike C's `aeron_archive_proxy_close`, this does not close the publication: it belongs
    /// to whoever created it and stays open until its last handle drops.
    pub fn close(&self) -> Result<i32, AeronCError> {
        unsafe { detach_publication(self.get_inner()) };
        Ok(0)
    }

    /// Sends a connect request (`aeron_archive_proxy_try_connect`), without credentials.
    pub fn try_connect(
        &self,
        control_response_channel: &CStr,
        control_response_stream_id: i32,
        correlation_id: i64,
    ) -> bool {
        if !channel_ok("AeronArchiveProxy::try_connect", "control_response_channel", control_response_channel) {
            return false;
        }
        unsafe {
            bindings::aeron_archive_proxy_try_connect(
                self.get_inner(),
                control_response_channel.as_ptr(),
                control_response_stream_id,
                std::ptr::null_mut(),
                correlation_id,
            )
        }
    }

    /// Sends a close-session request (`aeron_archive_proxy_close_session`).
    pub fn close_session(&self) -> bool {
        unsafe { bindings::aeron_archive_proxy_close_session(self.get_inner()) }
    }

    request!(
        /// Requests the archive id (`aeron_archive_proxy_archive_id`).
        archive_id => aeron_archive_proxy_archive_id()
    );
    request!(
        /// Requests a recording's position (`aeron_archive_proxy_get_recording_position`).
        get_recording_position => aeron_archive_proxy_get_recording_position(recording_id: i64)
    );
    request!(
        /// Requests a recording's start position (`aeron_archive_proxy_get_start_position`).
        get_start_position => aeron_archive_proxy_get_start_position(recording_id: i64)
    );
    request!(
        /// Requests a recording's stop position (`aeron_archive_proxy_get_stop_position`).
        get_stop_position => aeron_archive_proxy_get_stop_position(recording_id: i64)
    );
    request!(
        /// Requests a recording's max recorded position (`aeron_archive_proxy_get_max_recorded_position`).
        get_max_recorded_position => aeron_archive_proxy_get_max_recorded_position(recording_id: i64)
    );
    request!(
        /// Stops a recording subscription (`aeron_archive_proxy_stop_recording_subscription`).
        stop_recording_subscription => aeron_archive_proxy_stop_recording_subscription(subscription_id: i64)
    );
    request!(
        /// Stops a recording by id (`aeron_archive_proxy_stop_recording_by_identity`).
        stop_recording_by_identity => aeron_archive_proxy_stop_recording_by_identity(recording_id: i64)
    );
    request!(
        /// Lists one recording (`aeron_archive_proxy_list_recording`); descriptors arrive on
        /// the response stream.
        list_recording => aeron_archive_proxy_list_recording(recording_id: i64)
    );
    request!(
        /// Lists recordings (`aeron_archive_proxy_list_recordings`).
        list_recordings => aeron_archive_proxy_list_recordings(from_recording_id: i64, record_count: i32)
    );
    request!(
        /// Truncates a recording (`aeron_archive_proxy_truncate_recording`).
        truncate_recording => aeron_archive_proxy_truncate_recording(recording_id: i64, position: i64)
    );
    request!(
        /// Stops a replay (`aeron_archive_proxy_stop_replay`).
        stop_replay => aeron_archive_proxy_stop_replay(replay_session_id: i64)
    );
    request!(
        /// Stops all replays of a recording (`aeron_archive_proxy_stop_all_replays`).
        stop_all_replays => aeron_archive_proxy_stop_all_replays(recording_id: i64)
    );
    request!(
        /// Purges a recording (`aeron_archive_proxy_purge_recording`).
        purge_recording => aeron_archive_proxy_purge_recording(recording_id: i64)
    );
    request!(
        /// Stops a replication (`aeron_archive_proxy_stop_replication`).
        stop_replication => aeron_archive_proxy_stop_replication(replication_id: i64)
    );
    request!(
        /// Requests a replay token (`aeron_archive_request_replay_token`).
        request_replay_token => aeron_archive_request_replay_token(recording_id: i64)
    );
    request!(
        /// Detaches segments (`aeron_archive_proxy_detach_segments`).
        detach_segments => aeron_archive_proxy_detach_segments(recording_id: i64, new_start_position: i64)
    );
    request!(
        /// Deletes detached segments (`aeron_archive_proxy_delete_detached_segments`).
        delete_detached_segments => aeron_archive_proxy_delete_detached_segments(recording_id: i64)
    );
    request!(
        /// Purges segments (`aeron_archive_proxy_purge_segments`).
        purge_segments => aeron_archive_proxy_purge_segments(recording_id: i64, new_start_position: i64)
    );
    request!(
        /// Attaches segments (`aeron_archive_proxy_attach_segments`).
        attach_segments => aeron_archive_proxy_attach_segments(recording_id: i64)
    );
    request!(
        /// Migrates segments (`aeron_archive_proxy_migrate_segments`).
        migrate_segments => aeron_archive_proxy_migrate_segments(src_recording_id: i64, dst_recording_id: i64)
    );

    /// Starts a recording (`aeron_archive_proxy_start_recording`).
    pub fn start_recording(
        &self,
        channel: &CStr,
        stream_id: i32,
        local_source: bool,
        auto_stop: bool,
        correlation_id: i64,
    ) -> bool {
        if !channel_ok("AeronArchiveProxy::start_recording", "channel", channel) {
            return false;
        }
        unsafe {
            bindings::aeron_archive_proxy_start_recording(
                self.get_inner(),
                channel.as_ptr(),
                stream_id,
                local_source,
                auto_stop,
                correlation_id,
            )
        }
    }

    /// Extends a recording (`aeron_archive_proxy_extend_recording`).
    pub fn extend_recording(
        &self,
        recording_id: i64,
        channel: &CStr,
        stream_id: i32,
        local_source: bool,
        auto_stop: bool,
        correlation_id: i64,
    ) -> bool {
        if !channel_ok("AeronArchiveProxy::extend_recording", "channel", channel) {
            return false;
        }
        unsafe {
            bindings::aeron_archive_proxy_extend_recording(
                self.get_inner(),
                recording_id,
                channel.as_ptr(),
                stream_id,
                local_source,
                auto_stop,
                correlation_id,
            )
        }
    }

    /// Stops recording a channel and stream (`aeron_archive_proxy_stop_recording`).
    pub fn stop_recording(&self, correlation_id: i64, channel: &CStr, stream_id: i32) -> bool {
        if !channel_ok("AeronArchiveProxy::stop_recording", "channel", channel) {
            return false;
        }
        unsafe {
            bindings::aeron_archive_proxy_stop_recording(self.get_inner(), correlation_id, channel.as_ptr(), stream_id)
        }
    }

    /// Finds the last matching recording (`aeron_archive_proxy_find_last_matching_recording`).
    pub fn find_last_matching_recording(
        &self,
        correlation_id: i64,
        min_recording_id: i64,
        channel_fragment: &CStr,
        stream_id: i32,
        session_id: i32,
    ) -> bool {
        if !channel_ok("AeronArchiveProxy::find_last_matching_recording", "channel_fragment", channel_fragment) {
            return false;
        }
        unsafe {
            bindings::aeron_archive_proxy_find_last_matching_recording(
                self.get_inner(),
                correlation_id,
                min_recording_id,
                channel_fragment.as_ptr(),
                stream_id,
                session_id,
            )
        }
    }

    /// Lists recordings by channel and stream (`aeron_archive_proxy_list_recordings_for_uri`).
    pub fn list_recordings_for_uri(
        &self,
        correlation_id: i64,
        from_recording_id: i64,
        record_count: i32,
        channel_fragment: &CStr,
        stream_id: i32,
    ) -> bool {
        if !channel_ok("AeronArchiveProxy::list_recordings_for_uri", "channel_fragment", channel_fragment) {
            return false;
        }
        unsafe {
            bindings::aeron_archive_proxy_list_recordings_for_uri(
                self.get_inner(),
                correlation_id,
                from_recording_id,
                record_count,
                channel_fragment.as_ptr(),
                stream_id,
            )
        }
    }

    /// Lists recording subscriptions (`aeron_archive_proxy_list_recording_subscriptions`).
    #[allow(clippy::too_many_arguments)]
    pub fn list_recording_subscriptions(
        &self,
        correlation_id: i64,
        pseudo_index: i32,
        subscription_count: i32,
        channel_fragment: &CStr,
        stream_id: i32,
        apply_stream_id: bool,
    ) -> bool {
        if !channel_ok("AeronArchiveProxy::list_recording_subscriptions", "channel_fragment", channel_fragment) {
            return false;
        }
        unsafe {
            bindings::aeron_archive_proxy_list_recording_subscriptions(
                self.get_inner(),
                correlation_id,
                pseudo_index,
                subscription_count,
                channel_fragment.as_ptr(),
                stream_id,
                apply_stream_id,
            )
        }
    }

    /// Starts a replay (`aeron_archive_proxy_replay`).
    pub fn replay(
        &self,
        correlation_id: i64,
        recording_id: i64,
        replay_channel: &CStr,
        replay_stream_id: i32,
        params: &AeronArchiveReplayParams,
    ) -> bool {
        if !send_allowed(crate::util::check_channel_parses(
            "AeronArchiveProxy::replay",
            "replay_channel",
            replay_channel,
        )) {
            return false;
        }
        unsafe {
            bindings::aeron_archive_proxy_replay(
                self.get_inner(),
                correlation_id,
                recording_id,
                replay_channel.as_ptr(),
                replay_stream_id,
                params.get_inner(),
            )
        }
    }

    /// Starts a replication (`aeron_archive_proxy_replicate`).
    pub fn replicate(
        &self,
        correlation_id: i64,
        src_recording_id: i64,
        src_control_stream_id: i32,
        src_control_channel: &CStr,
        params: &AeronArchiveReplicationParams,
    ) -> bool {
        if !send_allowed(params.check_request("AeronArchiveProxy::replicate", src_control_channel)) {
            return false;
        }
        unsafe {
            bindings::aeron_archive_proxy_replicate(
                self.get_inner(),
                correlation_id,
                src_recording_id,
                src_control_stream_id,
                src_control_channel.as_ptr(),
                params.get_inner(),
            )
        }
    }

    /// Changes a recording's stored channel (`aeron_archive_proxy_update_channel`).
    pub fn update_channel(&self, correlation_id: i64, recording_id: i64, new_channel: &CStr) -> bool {
        if !send_allowed(crate::util::check_channel_parses(
            "AeronArchiveProxy::update_channel",
            "new_channel",
            new_channel,
        )) {
            return false;
        }
        unsafe {
            bindings::aeron_archive_proxy_update_channel(
                self.get_inner(),
                correlation_id,
                recording_id,
                new_channel.as_ptr(),
            )
        }
    }
}

impl AeronArchive {
    /// The archive's own proxy (borrowed; keeps the archive alive).
    ///
    /// # Safety
    /// The archive encodes its own requests in this proxy's buffer: use it only while no
    /// archive call runs on any thread. Do not [`close`](AeronArchiveProxy::close) or
    /// [`init`](AeronArchiveProxy::init) it: the archive sends every request on it, and closes
    /// the publication it holds when the archive closes.
    pub unsafe fn proxy(&self) -> AeronArchiveProxy {
        let m = ManagedCResource::from_raw(bindings::aeron_archive_proxy(self.get_inner()), None);
        m.add_dependency(self.as_dependency());
        unsafe { AeronArchiveProxy::from_managed(m) }
    }

    /// The next correlation id for a request sent through the proxy
    /// (`aeron_archive_next_correlation_id`).
    pub fn next_correlation_id(&self) -> i64 {
        unsafe { bindings::aeron_archive_next_correlation_id(self.get_inner()) }
    }
}
