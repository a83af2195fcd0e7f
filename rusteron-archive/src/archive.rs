//! `AeronArchive`: a connected archive client (`aeron_archive_t`): recording, replay,
//! catalog queries, segment management and replication.

use crate::bindings;
use crate::callbacks::*;
use crate::util::{check, check_channel, check_channel_parses, check_positive, Guarded};
use crate::{
    Aeron, AeronArchiveAsyncConnect, AeronArchiveContext, AeronArchiveReplayParams, AeronArchiveReplicationParams,
    AeronCError, AeronExclusivePublication, AeronPublication, AeronSubscription, ManagedCResource,
};
use std::ffi::CStr;
use std::sync::Arc;

/// Where a recorded stream comes from (`aeron_archive_source_location_t`): the archive's own
/// media driver ([`SOURCE_LOCATION_LOCAL`], recorded by spying on the publication) or a remote
/// one ([`SOURCE_LOCATION_REMOTE`], recorded by subscribing over the network).
pub type SourceLocation = bindings::aeron_archive_source_location_t;
/// The publication is on the archive's media driver: record it by spying.
pub const SOURCE_LOCATION_LOCAL: SourceLocation =
    bindings::aeron_archive_source_location_en_AERON_ARCHIVE_SOURCE_LOCATION_LOCAL;
/// The publication is elsewhere: record it by subscribing over the network.
pub const SOURCE_LOCATION_REMOTE: SourceLocation =
    bindings::aeron_archive_source_location_en_AERON_ARCHIVE_SOURCE_LOCATION_REMOTE;

/// `aeron_archive_replay_params_t::length` value that replays what is recorded and follows a
/// live recording.
pub const ARCHIVE_REPLAY_ALL_AND_FOLLOW: i64 = -1;
/// `length` value that replays what is recorded and stops.
pub const ARCHIVE_REPLAY_ALL_AND_STOP: i64 = -2;

pub(crate) struct ArchiveInner {
    // Field order is drop order: the C archive closes first, then what it points into.
    pub(crate) managed: ManagedCResource<bindings::aeron_archive_t>,
    /// The context it was connected from, only kept alive (its Aeron and handlers): a handle,
    /// not the context itself, which is not `Send` and this archive is.
    context: rusteron_client::resource::Dependency,
    /// What the connect lent the archive (see [`AeronArchiveContext::client_for_connect`]): the
    /// client created for a context that had none (the archive's own context points at it) and
    /// the archive's own idle strategy state.
    resources: crate::context::ConnectResources,
}

// SAFETY: the C archive serialises calls with its own mutex; the other fields are Send and
// only read (or dropped) here.
unsafe impl Send for ArchiveInner {}
unsafe impl Sync for ArchiveInner {}

/// A connected archive client.
///
/// Every clone shares one C client, closed (`aeron_archive_close`) when the last clone drops.
/// It keeps a clone of the [`AeronArchiveContext`] it was connected from, which keeps the
/// [`Aeron`] client and every registered handler alive; subscriptions and publications it
/// returns keep the archive alive in turn. So no drop order is undefined behaviour.
///
/// Threads: `Send + Sync`. The C archive client takes a mutex around every request, so calls
/// from several threads are serialised (one request at a time). Calling the archive from inside
/// one of its own callbacks fails with a "reentrant call" error instead of deadlocking.
///
/// Arguments are checked before a request is sent: every channel (or channel fragment) is at
/// most [`AERON_URI_MAX_LENGTH`](crate::AERON_URI_MAX_LENGTH) bytes, a replicate request fits the
/// C client's request buffer ([`ARCHIVE_REQUEST_MAX_LENGTH`](crate::ARCHIVE_REQUEST_MAX_LENGTH)),
/// listing counts are at least 1, and the channels the archive would drop a request over without
/// answering (the replay channel of `start_replay`/`replay`, the new channel of
/// `update_channel`, the channels of `replicate`) are ones Aeron's C parser accepts; otherwise the
/// call returns an `EINVAL` error naming the argument, instead of C sending a request cut short
/// (or one the archive never answers) and waiting out the message timeout.
#[derive(Clone)]
pub struct AeronArchive {
    inner: Arc<ArchiveInner>,
}
// `Send + Sync` derived from `Arc<ArchiveInner>` (`ArchiveInner` is both, see above); checked here.
const _: fn() = || {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<AeronArchive>();
};

impl std::fmt::Debug for AeronArchive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AeronArchive({:p})", self.get_inner())
    }
}

/// Runs a C call that writes an `i64` through its out pointer.
#[inline]
fn out_i64(f: impl FnOnce(*mut i64) -> i32) -> Result<i64, AeronCError> {
    let mut v: i64 = 0;
    check(f(&mut v))?;
    Ok(v)
}

#[inline]
fn out_bool(f: impl FnOnce(*mut bool) -> i32) -> Result<bool, AeronCError> {
    let mut v = false;
    check(f(&mut v))?;
    Ok(v)
}

impl AeronArchive {
    pub(crate) fn from_raw(
        raw: *mut bindings::aeron_archive_t,
        context: rusteron_client::resource::Dependency,
        resources: crate::context::ConnectResources,
    ) -> Self {
        // C reads its own context on every request: from here on its setters refuse. Safe code
        // never reaches that context (the getters hand out copies); the mark guards raw uses of
        // it. It is taken off just before the close, while the context's memory is still
        // allocated, so no other context ever finds the mark at its address.
        let mut own_context_in_use =
            Some(crate::context::mark_in_use(unsafe { bindings::aeron_archive_get_archive_context(raw) }));
        let managed = ManagedCResource::from_raw(
            raw,
            Some(Box::new(move |p| {
                drop(own_context_in_use.take());
                unsafe { bindings::aeron_archive_close(p) }
            })),
        );
        AeronArchive { inner: Arc::new(ArchiveInner { managed, context, resources }) }
    }

    /// The C archive client. Valid while any clone of this wrapper lives.
    #[inline(always)]
    pub fn get_inner(&self) -> *mut bindings::aeron_archive_t {
        self.inner.managed.get()
    }

    /// A type-erased handle keeping this archive alive.
    pub(crate) fn as_dependency(&self) -> rusteron_client::resource::Dependency {
        Arc::new(self.clone())
    }

    /// Connects to an archive and waits for the answer, up to the context's message timeout
    /// (`aeron_archive_connect`). If the context has no [`Aeron`] client, one is created for
    /// this archive on the context's Aeron directory (and closed with it), with the logging
    /// error handler of [`AeronContext::new`](crate::AeronContext::new).
    ///
    /// An archive that is not running gives a timed-out error ([`AeronErrorType::TimedOut`](crate::AeronErrorType::TimedOut))
    /// once the message timeout passes, whose message starts with "archive connect timeout" and
    /// names the channels.
    ///
    /// A dead media driver gives an error too, never a hang. C's connect first asks the driver
    /// for a session id; unpatched, it waited for the answer with no deadline, and forever once
    /// the client had timed the driver out. The sys crate patches Aeron's C
    /// (`0001-archive-context-bound-the-session-id-wait`): the wait ends when the client is
    /// closed ([`AeronErrorType::ClientErrorDriverTimeout`](crate::AeronErrorType::ClientErrorDriverTimeout),
    /// at once for a client closed before the call) or when the message timeout passes (a
    /// timed-out error whose message starts with "archive connect timeout: the media driver did
    /// not answer"). The whole connect takes at most about twice the message timeout (that
    /// answer, then the connect's own deadline).
    pub fn connect(context: &AeronArchiveContext) -> Result<Self, AeronCError> {
        let created = context.client_for_connect()?;
        let settings = crate::errors::ConnectSettings::of(context);
        let mut raw = std::ptr::null_mut();
        let rc = unsafe { bindings::aeron_archive_connect(&mut raw, context.get_inner()) };
        let result = if rc < 0 || raw.is_null() {
            Err(crate::async_connect::connect_failure(context, &settings))
        } else {
            Ok(raw)
        };
        let created = context.end_connect(created);
        result.map(|raw| Self::from_raw(raw, context.as_dependency(), created))
    }

    /// Starts connecting without blocking (`aeron_archive_async_connect`); poll the result.
    pub fn async_connect(context: &AeronArchiveContext) -> Result<AeronArchiveAsyncConnect, AeronCError> {
        AeronArchiveAsyncConnect::new(context)
    }

    /// A read-only copy of the archive's context: its settings as the archive uses them (the
    /// control channels with the session id the connect added, stream ids, timeouts, the
    /// [`Aeron`] client and the handlers). Every setter fails with `EBUSY`: changing the copy
    /// would not change the archive (take a settable copy with
    /// [`get_and_own_archive_context`](Self::get_and_own_archive_context)).
    ///
    /// Each call makes a new C copy (`aeron_archive_context_duplicate`), owned by the returned
    /// wrapper: the archive's own context, which C reads on every request, is never handed out,
    /// so no two threads ever share one (the archive is `Send + Sync`, the context is neither).
    /// The copy keeps the client and the handlers it points at alive, not the archive; it has
    /// no idle strategy state of the archive's (a connect made with it lends itself one).
    ///
    /// # Panics
    /// Only when C cannot allocate the copy.
    pub fn get_archive_context(&self) -> AeronArchiveContext {
        self.copy_context(true)
    }

    /// A settable copy of the archive's context, owned by the caller
    /// (the safe counterpart of `aeron_archive_get_and_own_archive_context`): configured as the
    /// archive is, it outlives the archive and can connect again. It keeps alive what it points
    /// at (the [`Aeron`] client, whether yours or one created for the connect, and the
    /// handlers), so dropping the archive, the context it was connected from and your `Aeron`
    /// handle leaves it valid.
    ///
    /// Each call returns a new, independent copy (changing it does not change the archive or
    /// another copy): the archive's own C context stays the archive's, read by C on every
    /// request, and is never shared with a caller. Like every [`AeronArchiveContext`], a copy
    /// stays on the thread that took it; each thread takes its own:
    ///
    /// ```compile_fail,E0277
    /// fn configure_elsewhere(archive: &rusteron_archive::AeronArchive) {
    ///     let owned = archive.get_and_own_archive_context();
    ///     std::thread::spawn(move || owned.set_client_name(c"elsewhere"));
    /// }
    /// ```
    ///
    /// ```
    /// fn configure_on_each_thread(archive: rusteron_archive::AeronArchive) {
    ///     std::thread::spawn(move || archive.get_and_own_archive_context().set_client_name(c"mine"));
    /// }
    /// ```
    ///
    /// # Panics
    /// Only when C cannot allocate the copy.
    pub fn get_and_own_archive_context(&self) -> AeronArchiveContext {
        self.copy_context(false)
    }

    fn copy_context(&self, read_only: bool) -> AeronArchiveContext {
        let own = unsafe { bindings::aeron_archive_get_archive_context(self.get_inner()) };
        let mut keep = vec![self.inner.context.clone()];
        if let Some(client) = &self.inner.resources.client {
            keep.push(crate::util::keep(client.clone()));
        }
        // SAFETY: the archive is alive for this call and its own context is never written after
        // the connect (setters refuse on it; safe code never reaches it).
        unsafe { AeronArchiveContext::copy_of_archive_context(own, self.inner.resources.idle_state(), keep, read_only) }
            .unwrap_or_else(|e| panic!("AeronArchive: cannot copy the archive's context: {e}"))
    }

    /// The id of the archive this client is connected to.
    pub fn get_archive_id(&self) -> i64 {
        unsafe { bindings::aeron_archive_get_archive_id(self.get_inner()) }
    }

    /// The subscription control responses arrive on (borrowed from the archive, which it keeps
    /// alive).
    ///
    /// # Safety
    /// Archive calls poll this subscription under the archive's own lock, which the returned
    /// handle does not take: use it (poll it, list its images, ...) only while no archive call
    /// and no [`AeronArchiveReplayMerge`](crate::AeronArchiveReplayMerge) of this archive runs on
    /// any thread, and do not send the handle to a thread that could break that rule.
    pub unsafe fn get_control_response_subscription(&self) -> AeronSubscription {
        let p = bindings::aeron_archive_get_control_response_subscription(self.get_inner());
        let m = ManagedCResource::from_raw(p, None);
        m.add_dependency(self.as_dependency());
        unsafe { AeronSubscription::from_managed(m) }
    }

    /// Takes ownership of the control response subscription
    /// (`aeron_archive_get_and_own_control_response_subscription`).
    ///
    /// # Safety
    /// The archive still polls the subscription: the returned wrapper must not be dropped (it
    /// closes the subscription) while the archive is used, and, when the archive created its
    /// own Aeron client, it must be dropped before the archive.
    pub unsafe fn get_and_own_control_response_subscription(&self) -> AeronSubscription {
        let p = bindings::aeron_archive_get_and_own_control_response_subscription(self.get_inner());
        AeronSubscription::from_owned_raw(p, &[])
    }

    /// The control session id of this client.
    pub fn control_session_id(&self) -> i64 {
        unsafe { bindings::aeron_archive_control_session_id(self.get_inner()) }
    }

    /// Polls the control response stream for recording signals and dispatches them to the
    /// context's recording signal consumer; returns how many were dispatched.
    pub fn poll_for_recording_signals(&self) -> Result<i32, AeronCError> {
        let mut count = 0;
        check(unsafe { bindings::aeron_archive_poll_for_recording_signals(&mut count, self.get_inner()) })?;
        Ok(count)
    }

    /// Polls once for an error response that no call was waiting for; `Some(message)` if one
    /// arrived (recording signals met on the way are dispatched).
    pub fn poll_for_error_response(&self) -> Result<Option<String>, AeronCError> {
        let mut buf = vec![0u8; 8192];
        check(unsafe {
            bindings::aeron_archive_poll_for_error_response(self.get_inner(), buf.as_mut_ptr() as *mut _, buf.len())
        })?;
        let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        if len == 0 {
            Ok(None)
        } else {
            Ok(Some(String::from_utf8_lossy(&buf[..len]).into_owned()))
        }
    }

    /// Polls once for an error response and returns it as an error (or to the context's error
    /// handler, if one is set).
    pub fn check_for_error_response(&self) -> Result<i32, AeronCError> {
        check(unsafe { bindings::aeron_archive_check_for_error_response(self.get_inner()) })
    }

    /// Adds a publication and starts recording it (`aeron_archive_add_recorded_publication`).
    /// The publication keeps the archive alive.
    pub fn add_recorded_publication(&self, channel: &CStr, stream_id: i32) -> Result<AeronPublication, AeronCError> {
        check_channel("add_recorded_publication", "channel", channel)?;
        let mut p = std::ptr::null_mut();
        check(unsafe {
            bindings::aeron_archive_add_recorded_publication(&mut p, self.get_inner(), channel.as_ptr(), stream_id)
        })?;
        // SAFETY: C created it for this archive; nothing else closes it.
        Ok(unsafe { AeronPublication::from_owned_raw(p, &[self.as_dependency()]) })
    }

    /// Adds an exclusive publication and starts recording it
    /// (`aeron_archive_add_recorded_exclusive_publication`).
    pub fn add_recorded_exclusive_publication(
        &self,
        channel: &CStr,
        stream_id: i32,
    ) -> Result<AeronExclusivePublication, AeronCError> {
        check_channel("add_recorded_exclusive_publication", "channel", channel)?;
        let mut p = std::ptr::null_mut();
        check(unsafe {
            bindings::aeron_archive_add_recorded_exclusive_publication(
                &mut p,
                self.get_inner(),
                channel.as_ptr(),
                stream_id,
            )
        })?;
        // SAFETY: C created it for this archive; nothing else closes it.
        Ok(unsafe { AeronExclusivePublication::from_owned_raw(p, &[self.as_dependency()]) })
    }

    /// Starts recording a channel and stream; returns the recording subscription's id
    /// (`aeron_archive_start_recording`). With `auto_stop`, the recording stops when the
    /// publication's image goes away.
    pub fn start_recording(
        &self,
        recording_channel: &CStr,
        recording_stream_id: i32,
        source_location: SourceLocation,
        auto_stop: bool,
    ) -> Result<i64, AeronCError> {
        check_channel("start_recording", "recording_channel", recording_channel)?;
        out_i64(|o| unsafe {
            bindings::aeron_archive_start_recording(
                o,
                self.get_inner(),
                recording_channel.as_ptr(),
                recording_stream_id,
                source_location,
                auto_stop,
            )
        })
    }

    /// Extends an existing (stopped) recording with a new stream
    /// (`aeron_archive_extend_recording`); returns the subscription id.
    pub fn extend_recording(
        &self,
        recording_id: i64,
        recording_channel: &CStr,
        recording_stream_id: i32,
        source_location: SourceLocation,
        auto_stop: bool,
    ) -> Result<i64, AeronCError> {
        check_channel("extend_recording", "recording_channel", recording_channel)?;
        out_i64(|o| unsafe {
            bindings::aeron_archive_extend_recording(
                o,
                self.get_inner(),
                recording_id,
                recording_channel.as_ptr(),
                recording_stream_id,
                source_location,
                auto_stop,
            )
        })
    }

    /// Position recorded so far by an active recording (`aeron_archive_get_recording_position`);
    /// `-1` (`AERON_NULL_VALUE`) when it is not active.
    pub fn get_recording_position(&self, recording_id: i64) -> Result<i64, AeronCError> {
        out_i64(|o| unsafe { bindings::aeron_archive_get_recording_position(o, self.get_inner(), recording_id) })
    }

    /// Start position of a recording (`aeron_archive_get_start_position`).
    pub fn get_start_position(&self, recording_id: i64) -> Result<i64, AeronCError> {
        out_i64(|o| unsafe { bindings::aeron_archive_get_start_position(o, self.get_inner(), recording_id) })
    }

    /// Stop position of a recording; `-1` while it is active (`aeron_archive_get_stop_position`).
    pub fn get_stop_position(&self, recording_id: i64) -> Result<i64, AeronCError> {
        out_i64(|o| unsafe { bindings::aeron_archive_get_stop_position(o, self.get_inner(), recording_id) })
    }

    /// The highest position recorded, active or not (`aeron_archive_get_max_recorded_position`).
    pub fn get_max_recorded_position(&self, recording_id: i64) -> Result<i64, AeronCError> {
        out_i64(|o| unsafe { bindings::aeron_archive_get_max_recorded_position(o, self.get_inner(), recording_id) })
    }

    /// Stops the recording subscription `subscription_id` (`aeron_archive_stop_recording_subscription`).
    /// An unknown subscription is an error.
    pub fn stop_recording_subscription(&self, subscription_id: i64) -> Result<i32, AeronCError> {
        check(unsafe { bindings::aeron_archive_stop_recording_subscription(self.get_inner(), subscription_id) })
    }

    /// Like [`stop_recording_subscription`](Self::stop_recording_subscription), returning
    /// `false` instead of an error when there is no such subscription.
    pub fn try_stop_recording_subscription(&self, subscription_id: i64) -> Result<bool, AeronCError> {
        out_bool(|o| unsafe {
            bindings::aeron_archive_try_stop_recording_subscription(o, self.get_inner(), subscription_id)
        })
    }

    /// Stops recording a channel and stream (`aeron_archive_stop_recording_channel_and_stream`).
    pub fn stop_recording_channel_and_stream(&self, channel: &CStr, stream_id: i32) -> Result<i32, AeronCError> {
        check_channel("stop_recording_channel_and_stream", "channel", channel)?;
        check(unsafe {
            bindings::aeron_archive_stop_recording_channel_and_stream(self.get_inner(), channel.as_ptr(), stream_id)
        })
    }

    /// Like [`stop_recording_channel_and_stream`](Self::stop_recording_channel_and_stream),
    /// returning `false` when nothing was recording it.
    pub fn try_stop_recording_channel_and_stream(&self, channel: &CStr, stream_id: i32) -> Result<bool, AeronCError> {
        check_channel("try_stop_recording_channel_and_stream", "channel", channel)?;
        out_bool(|o| unsafe {
            bindings::aeron_archive_try_stop_recording_channel_and_stream(
                o,
                self.get_inner(),
                channel.as_ptr(),
                stream_id,
            )
        })
    }

    /// Stops an active recording by its id (`aeron_archive_try_stop_recording_by_identity`);
    /// `false` if it was not active.
    pub fn try_stop_recording_by_identity(&self, recording_id: i64) -> Result<bool, AeronCError> {
        out_bool(|o| unsafe {
            bindings::aeron_archive_try_stop_recording_by_identity(o, self.get_inner(), recording_id)
        })
    }

    /// Stops recording a publication's channel and stream (`aeron_archive_stop_recording_publication`).
    pub fn stop_recording_publication(&self, publication: &AeronPublication) -> Result<i32, AeronCError> {
        check(unsafe { bindings::aeron_archive_stop_recording_publication(self.get_inner(), publication.get_inner()) })
    }

    /// Stops recording an exclusive publication (`aeron_archive_stop_recording_exclusive_publication`).
    pub fn stop_recording_exclusive_publication(
        &self,
        publication: &AeronExclusivePublication,
    ) -> Result<i32, AeronCError> {
        check(unsafe {
            bindings::aeron_archive_stop_recording_exclusive_publication(self.get_inner(), publication.get_inner())
        })
    }

    /// The newest recording with id `>= min_recording_id` whose channel contains
    /// `channel_fragment`, on `stream_id` and `session_id`; `-1` if none
    /// (`aeron_archive_find_last_matching_recording`).
    pub fn find_last_matching_recording(
        &self,
        min_recording_id: i64,
        channel_fragment: &CStr,
        stream_id: i32,
        session_id: i32,
    ) -> Result<i64, AeronCError> {
        check_channel("find_last_matching_recording", "channel_fragment", channel_fragment)?;
        out_i64(|o| unsafe {
            bindings::aeron_archive_find_last_matching_recording(
                o,
                self.get_inner(),
                min_recording_id,
                channel_fragment.as_ptr(),
                stream_id,
                session_id,
            )
        })
    }

    /// Lists one recording (`aeron_archive_list_recording`): `consumer` (a closure
    /// `FnMut(AeronArchiveRecordingDescriptor)`) is called before this returns. Returns how many
    /// were found (0 or 1).
    pub fn list_recording<F: AeronArchiveRecordingDescriptorConsumerFuncCallback>(
        &self,
        recording_id: i64,
        mut consumer: F,
    ) -> Result<i32, AeronCError> {
        let mut count = 0;
        let rc = Guarded::run(&mut consumer, |clientd| unsafe {
            bindings::aeron_archive_list_recording(
                &mut count,
                self.get_inner(),
                recording_id,
                Some(recording_descriptor_consumer_trampoline::<F>),
                clientd,
            )
        });
        if rc < 0 {
            return Err(crate::errors::listing_error("list_recording"));
        }
        Ok(count)
    }

    /// Lists up to `record_count` recordings from `from_recording_id` (`aeron_archive_list_recordings`).
    ///
    /// `record_count` must be at least 1: the archive answers a smaller count with nothing, and C
    /// would wait for the end of the listing until the message timeout. It is refused up front
    /// with an `EINVAL` error naming it.
    pub fn list_recordings<F: AeronArchiveRecordingDescriptorConsumerFuncCallback>(
        &self,
        from_recording_id: i64,
        record_count: i32,
        mut consumer: F,
    ) -> Result<i32, AeronCError> {
        check_positive("list_recordings", "record_count", record_count)?;
        let mut count = 0;
        let rc = Guarded::run(&mut consumer, |clientd| unsafe {
            bindings::aeron_archive_list_recordings(
                &mut count,
                self.get_inner(),
                from_recording_id,
                record_count,
                Some(recording_descriptor_consumer_trampoline::<F>),
                clientd,
            )
        });
        if rc < 0 {
            return Err(crate::errors::listing_error("list_recordings"));
        }
        Ok(count)
    }

    /// Lists up to `record_count` recordings from `from_recording_id` whose channel contains
    /// `channel_fragment` on `stream_id` (`aeron_archive_list_recordings_for_uri`).
    ///
    /// `record_count` must be at least 1 (as for [`list_recordings`](Self::list_recordings)).
    pub fn list_recordings_for_uri<F: AeronArchiveRecordingDescriptorConsumerFuncCallback>(
        &self,
        from_recording_id: i64,
        record_count: i32,
        channel_fragment: &CStr,
        stream_id: i32,
        mut consumer: F,
    ) -> Result<i32, AeronCError> {
        check_positive("list_recordings_for_uri", "record_count", record_count)?;
        check_channel("list_recordings_for_uri", "channel_fragment", channel_fragment)?;
        let mut count = 0;
        let rc = Guarded::run(&mut consumer, |clientd| unsafe {
            bindings::aeron_archive_list_recordings_for_uri(
                &mut count,
                self.get_inner(),
                from_recording_id,
                record_count,
                channel_fragment.as_ptr(),
                stream_id,
                Some(recording_descriptor_consumer_trampoline::<F>),
                clientd,
            )
        });
        if rc < 0 {
            return Err(crate::errors::listing_error("list_recordings_for_uri"));
        }
        Ok(count)
    }

    /// Collects every recording from `from_recording_id` (up to `record_count`) into a `Vec`.
    pub fn list_recordings_vec(
        &self,
        from_recording_id: i64,
        record_count: i32,
    ) -> Result<Vec<crate::AeronArchiveRecordingDescriptor>, AeronCError> {
        let mut v = Vec::new();
        self.list_recordings(from_recording_id, record_count, |d| v.push(d))?;
        Ok(v)
    }

    /// Lists the archive's recording subscriptions (`aeron_archive_list_recording_subscriptions`):
    /// from `pseudo_index`, up to `subscription_count`, whose channel contains `channel_fragment`
    /// and, if `apply_stream_id`, on `stream_id`.
    #[allow(clippy::too_many_arguments)]
    pub fn list_recording_subscriptions<F: AeronArchiveRecordingSubscriptionDescriptorConsumerFuncCallback>(
        &self,
        pseudo_index: i32,
        subscription_count: i32,
        channel_fragment: &CStr,
        stream_id: i32,
        apply_stream_id: bool,
        mut consumer: F,
    ) -> Result<i32, AeronCError> {
        check_channel("list_recording_subscriptions", "channel_fragment", channel_fragment)?;
        let mut count = 0;
        let rc = Guarded::run(&mut consumer, |clientd| unsafe {
            bindings::aeron_archive_list_recording_subscriptions(
                &mut count,
                self.get_inner(),
                pseudo_index,
                subscription_count,
                channel_fragment.as_ptr(),
                stream_id,
                apply_stream_id,
                Some(recording_subscription_descriptor_consumer_trampoline::<F>),
                clientd,
            )
        });
        if rc < 0 {
            return Err(crate::errors::listing_error("list_recording_subscriptions"));
        }
        Ok(count)
    }

    /// Asks the archive to replay a recording to `replay_channel`/`replay_stream_id`; returns
    /// the replay session id (`aeron_archive_start_replay`). Subscribe to the channel yourself
    /// (the low 32 bits of the id are the image's session id).
    pub fn start_replay(
        &self,
        recording_id: i64,
        replay_channel: &CStr,
        replay_stream_id: i32,
        params: &AeronArchiveReplayParams,
    ) -> Result<i64, AeronCError> {
        check_channel_parses("start_replay", "replay_channel", replay_channel)?;
        out_i64(|o| unsafe {
            bindings::aeron_archive_start_replay(
                o,
                self.get_inner(),
                recording_id,
                replay_channel.as_ptr(),
                replay_stream_id,
                params.get_inner(),
            )
        })
    }

    /// Subscribes to `replay_channel` and starts a replay into it (`aeron_archive_replay`);
    /// returns the subscription (which keeps the archive alive and is closed on drop).
    pub fn replay(
        &self,
        recording_id: i64,
        replay_channel: &CStr,
        replay_stream_id: i32,
        params: &AeronArchiveReplayParams,
    ) -> Result<AeronSubscription, AeronCError> {
        check_channel_parses("replay", "replay_channel", replay_channel)?;
        let mut p = std::ptr::null_mut();
        check(unsafe {
            bindings::aeron_archive_replay(
                &mut p,
                self.get_inner(),
                recording_id,
                replay_channel.as_ptr(),
                replay_stream_id,
                params.get_inner(),
            )
        })?;
        // SAFETY: C created it for this archive; nothing else closes it.
        Ok(unsafe { AeronSubscription::from_owned_raw(p, &[self.as_dependency()]) })
    }

    /// Truncates a stopped recording at `position`; returns the number of segments deleted
    /// (`aeron_archive_truncate_recording`).
    pub fn truncate_recording(&self, recording_id: i64, position: i64) -> Result<i64, AeronCError> {
        out_i64(|o| unsafe { bindings::aeron_archive_truncate_recording(o, self.get_inner(), recording_id, position) })
    }

    /// Stops a replay session (`aeron_archive_stop_replay`).
    pub fn stop_replay(&self, replay_session_id: i64) -> Result<i32, AeronCError> {
        check(unsafe { bindings::aeron_archive_stop_replay(self.get_inner(), replay_session_id) })
    }

    /// Stops every replay of a recording, or of all recordings with `-1` (`aeron_archive_stop_all_replays`).
    pub fn stop_all_replays(&self, recording_id: i64) -> Result<i32, AeronCError> {
        check(unsafe { bindings::aeron_archive_stop_all_replays(self.get_inner(), recording_id) })
    }

    /// Deletes a stopped recording and its files; returns the number of segments deleted
    /// (`aeron_archive_purge_recording`).
    pub fn purge_recording(&self, recording_id: i64) -> Result<i64, AeronCError> {
        out_i64(|o| unsafe { bindings::aeron_archive_purge_recording(o, self.get_inner(), recording_id) })
    }

    /// Replicates a recording from another archive (reached on `src_control_channel` /
    /// `src_control_stream_id`) into this one; returns the replication id
    /// (`aeron_archive_replicate`).
    pub fn replicate(
        &self,
        src_recording_id: i64,
        src_control_channel: &CStr,
        src_control_stream_id: i32,
        params: &AeronArchiveReplicationParams,
    ) -> Result<i64, AeronCError> {
        params.check_request("replicate", src_control_channel)?;
        out_i64(|o| unsafe {
            bindings::aeron_archive_replicate(
                o,
                self.get_inner(),
                src_recording_id,
                src_control_channel.as_ptr(),
                src_control_stream_id,
                params.get_inner(),
            )
        })
    }

    /// Stops a replication (`aeron_archive_stop_replication`); an unknown id is an error.
    pub fn stop_replication(&self, replication_id: i64) -> Result<i32, AeronCError> {
        check(unsafe { bindings::aeron_archive_stop_replication(self.get_inner(), replication_id) })
    }

    /// Stops a replication; `false` if it was not active (`aeron_archive_try_stop_replication`).
    pub fn try_stop_replication(&self, replication_id: i64) -> Result<bool, AeronCError> {
        out_bool(|o| unsafe { bindings::aeron_archive_try_stop_replication(o, self.get_inner(), replication_id) })
    }

    /// Detaches the segments before `new_start_position` from a recording
    /// (`aeron_archive_detach_segments`); the position must be a segment boundary.
    pub fn detach_segments(&self, recording_id: i64, new_start_position: i64) -> Result<i32, AeronCError> {
        check(unsafe { bindings::aeron_archive_detach_segments(self.get_inner(), recording_id, new_start_position) })
    }

    /// Deletes detached segment files; returns how many (`aeron_archive_delete_detached_segments`).
    pub fn delete_detached_segments(&self, recording_id: i64) -> Result<i64, AeronCError> {
        out_i64(|o| unsafe { bindings::aeron_archive_delete_detached_segments(o, self.get_inner(), recording_id) })
    }

    /// Detaches and deletes the segments before `new_start_position`; returns how many
    /// (`aeron_archive_purge_segments`).
    pub fn purge_segments(&self, recording_id: i64, new_start_position: i64) -> Result<i64, AeronCError> {
        out_i64(|o| unsafe {
            bindings::aeron_archive_purge_segments(o, self.get_inner(), recording_id, new_start_position)
        })
    }

    /// Attaches segment files found before the start of a recording; returns how many
    /// (`aeron_archive_attach_segments`).
    pub fn attach_segments(&self, recording_id: i64) -> Result<i64, AeronCError> {
        out_i64(|o| unsafe { bindings::aeron_archive_attach_segments(o, self.get_inner(), recording_id) })
    }

    /// Moves the segments of `src_recording_id` to the start of `dst_recording_id`; returns how
    /// many (`aeron_archive_migrate_segments`).
    pub fn migrate_segments(&self, src_recording_id: i64, dst_recording_id: i64) -> Result<i64, AeronCError> {
        out_i64(|o| unsafe {
            bindings::aeron_archive_migrate_segments(o, self.get_inner(), src_recording_id, dst_recording_id)
        })
    }

    /// Changes the original channel stored for a recording (`aeron_archive_update_channel`).
    pub fn update_channel(&self, recording_id: i64, new_channel: &CStr) -> Result<i32, AeronCError> {
        check_channel_parses("update_channel", "new_channel", new_channel)?;
        check(unsafe { bindings::aeron_archive_update_channel(self.get_inner(), recording_id, new_channel.as_ptr()) })
    }

    /// The position where the segment file holding `position` starts
    /// (`aeron_archive_segment_file_base_position`).
    pub fn segment_file_base_position(
        start_position: i64,
        position: i64,
        term_buffer_length: i32,
        segment_file_length: i32,
    ) -> i64 {
        unsafe {
            bindings::aeron_archive_segment_file_base_position(
                start_position,
                position,
                term_buffer_length,
                segment_file_length,
            )
        }
    }

    /// Maps an archive error code (from an error response) to the matching client error code
    /// (`aeron_archive_client_map_archive_to_client_error_code`).
    pub fn map_archive_to_client_error_code(error_code: i32) -> i32 {
        unsafe { bindings::aeron_archive_client_map_archive_to_client_error_code(error_code) }
    }

    /// The Aeron client the archive uses (the returned handle keeps the archive alive).
    pub fn aeron(&self) -> Option<Aeron> {
        // SAFETY: the archive's own context is alive with the archive and its client pointer is
        // never written after the connect; the client stays open while the archive lives (a
        // client the context was given is kept by it, one created for the connect by the archive).
        let p = unsafe { (*bindings::aeron_archive_get_archive_context(self.get_inner())).aeron };
        if p.is_null() {
            None
        } else {
            Some(unsafe { Aeron::from_borrowed_kept_alive(p, self.as_dependency()) })
        }
    }
}
