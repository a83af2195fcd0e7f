//! `AeronArchiveReplayMerge`: replay a recording, then merge into the live stream it records
//! (`aeron_archive_replay_merge_t`).

use crate::bindings;
use crate::callbacks::fragment_trampoline;
use crate::util::{check, Guarded};
use crate::{AeronArchive, AeronCError, AeronFragmentHandlerCallback, AeronImage, AeronSubscription, ManagedCResource};
use std::ffi::CStr;
use std::sync::Arc;

/// Default time without progress after which a merge fails (ms).
pub const REPLAY_MERGE_PROGRESS_TIMEOUT_DEFAULT_MS: i64 = 5_000;

/// Replays a recording into a multi-destination subscription, then adds the live
/// destination and drops the replay once they meet, so the subscriber moves from the
/// recorded past to the live stream without a gap.
///
/// The subscription must be made with `control-mode=manual` on its channel. The merge keeps
/// the subscription and the archive alive; it is closed (`aeron_archive_replay_merge_close`)
/// on the last drop. Clones share one merge.
///
/// Threads: neither `Send` nor `Sync`: drive it (`poll`, `do_work`) from one thread, the one
/// that polls its subscription. Create it on that thread (from a subscription added there or
/// moved there with [`AeronSubscription::handoff`]; the [`AeronArchive`] is `Send + Sync`).
///
/// ```compile_fail,E0277
/// fn merge_elsewhere(m: rusteron_archive::AeronArchiveReplayMerge) {
///     std::thread::spawn(move || drop(m));
/// }
/// ```
///
/// The C merge sends requests on the archive's proxy and reads the archive's control
/// responses directly, without the lock the archive takes around its own calls. So this wrapper
/// takes the C archive's (recursive) lock around every step of the merge state machine
/// (`do_work`, the work part of `poll_once`, and the close); archive calls on other threads wait
/// for that step, and the other way round. The fragment handler runs outside the lock. Do not
/// use [`AeronArchive::proxy`], [`AeronArchive::control_response_poller`] or
/// [`AeronArchive::get_control_response_subscription`] while a merge of that archive is polled.
///
/// Dead archive or media driver: until it has merged, a merge that makes no progress fails
/// after its merge progress timeout, and at the latest once its client has timed the media
/// driver out (`ClientErrorDriverTimeout`, even with a long progress timeout): the poll (or
/// `do_work`) returns the error and [`has_failed`](Self::has_failed) is true; every later poll
/// fails at once (C's would return 0 forever). Once merged it is a plain live subscription with no deadline of its own: watch its
/// [`image`](Self::image). Dropping it never waits for a dead driver beyond the archive
/// context's message timeout: C's close (`aeron_archive_replay_merge_close`) waits for the
/// removal of the replay destination, and the sys crate's patch
/// `0003-replay-merge-bound-the-destination-wait-on-close` ends that wait once the client is
/// closed or the message timeout passes (unpatched, it looped forever).
#[derive(Clone)]
pub struct AeronArchiveReplayMerge {
    inner: Arc<MergeInner>,
    _single_threaded: std::marker::PhantomData<*const ()>,
}
// Not `Send`: a marker, since the fields alone would let it move (the C merge and the
// subscription it polls are single-threaded).

struct MergeInner {
    // Field order is drop order: the merge closes (under the archive's lock) first, then the
    // archive and subscription it used are released.
    managed: ManagedCResource<bindings::aeron_archive_replay_merge_t>,
    archive: AeronArchive,
    /// The error code of the step that failed the merge (0 while it has not failed).
    failure: std::sync::atomic::AtomicI32,
}

impl std::fmt::Debug for AeronArchiveReplayMerge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AeronArchiveReplayMerge({:p})", self.get_inner())
    }
}

/// Runs `f` holding the C archive's lock (the recursive mutex its own calls take), so that `f`
/// can use the archive's proxy and control response poller without racing archive calls on
/// other threads.
///
/// # Safety
/// `archive` must point to a live C archive.
unsafe fn with_archive_lock<R>(archive: *mut bindings::aeron_archive_t, f: impl FnOnce() -> R) -> R {
    struct Unlock(*mut bindings::aeron_archive_t);
    impl Drop for Unlock {
        fn drop(&mut self) {
            unsafe { bindings::aeron_mutex_unlock(std::ptr::addr_of_mut!((*self.0).lock)) };
        }
    }
    bindings::aeron_mutex_lock(std::ptr::addr_of_mut!((*archive).lock));
    let _unlock = Unlock(archive);
    f()
}

impl AeronArchiveReplayMerge {
    /// Starts a merge (`aeron_archive_replay_merge_init`): replays `recording_id` from
    /// `start_position` over `replay_channel` into `replay_destination` of `subscription`, and
    /// joins `live_destination` once the replay is close to the live position.
    /// `epoch_clock_ms` is the current time in milliseconds since the epoch;
    /// `merge_progress_timeout_ms` is at most [`C_DURATION_MAX`](crate::C_DURATION_MAX) in
    /// milliseconds (larger values are cut to it: C adds it to the clock). Each channel is at
    /// most [`AERON_URI_MAX_LENGTH`](crate::AERON_URI_MAX_LENGTH) bytes.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        subscription: &AeronSubscription,
        archive: &AeronArchive,
        replay_channel: &CStr,
        replay_destination: &CStr,
        live_destination: &CStr,
        recording_id: i64,
        start_position: i64,
        epoch_clock_ms: i64,
        merge_progress_timeout_ms: i64,
    ) -> Result<Self, AeronCError> {
        use crate::util::check_channel;
        crate::util::check_channel_parses("AeronArchiveReplayMerge::new", "replay_channel", replay_channel)?;
        check_channel("AeronArchiveReplayMerge::new", "replay_destination", replay_destination)?;
        check_channel("AeronArchiveReplayMerge::new", "live_destination", live_destination)?;
        let merge_progress_timeout_ms =
            merge_progress_timeout_ms.min(crate::duration_to_c_millis(crate::C_DURATION_MAX) as i64);
        let archive_raw = archive.get_inner() as usize;
        let m = ManagedCResource::new(
            |p| unsafe {
                bindings::aeron_archive_replay_merge_init(
                    p,
                    subscription.get_inner(),
                    archive.get_inner(),
                    replay_channel.as_ptr(),
                    replay_destination.as_ptr(),
                    live_destination.as_ptr(),
                    recording_id,
                    start_position,
                    epoch_clock_ms as _,
                    merge_progress_timeout_ms,
                )
            },
            // SAFETY: the archive is kept alive (`MergeInner::archive`) until after this close.
            Some(Box::new(move |p| unsafe {
                let archive = archive_raw as *mut bindings::aeron_archive_t;
                with_archive_lock(archive, || bindings::aeron_archive_replay_merge_close(p))
            })),
        )?;
        m.add_dependency(subscription.as_dependency());
        Ok(Self {
            inner: Arc::new(MergeInner { managed: m, archive: archive.clone(), failure: Default::default() }),
            _single_threaded: std::marker::PhantomData,
        })
    }

    /// The C replay merge. Valid while any clone of this wrapper lives.
    pub fn get_inner(&self) -> *mut bindings::aeron_archive_replay_merge_t {
        self.inner.managed.get()
    }

    /// A type-erased handle keeping this merge alive.
    fn as_dependency(&self) -> rusteron_client::resource::Dependency {
        std::sync::Arc::new(self.inner.clone())
    }

    /// One step of the merge state machine, under the archive's lock. A merge that has failed
    /// fails every later step too (C's returns 0 and does nothing, so a loop waiting for
    /// `is_merged` would wait forever).
    fn locked_do_work(&self, work_count: *mut i32) -> Result<i32, AeronCError> {
        let code = self.inner.failure.load(std::sync::atomic::Ordering::Relaxed);
        if code != 0 {
            return Err(AeronCError::with_message(
                code,
                "the replay merge has failed (an earlier poll or do_work returned why): start a new one",
            ));
        }
        // A closed client (its media driver timed out) can make no more progress; C would only
        // notice at the merge progress timeout, which may be long.
        let client = unsafe { (*(*self.inner.archive.get_inner()).ctx).aeron };
        if !client.is_null() && unsafe { bindings::aeron_is_closed(client) } && !self.is_merged() {
            let code = crate::AeronErrorType::ClientErrorDriverTimeout.code();
            self.inner.failure.store(code, std::sync::atomic::Ordering::Relaxed);
            return Err(AeronCError::with_message(
                code,
                "replay merge: the client is closed (its media driver timed out): the merge cannot progress",
            ));
        }
        let rc = self.locked_do_work_raw(work_count);
        if rc < 0 || unsafe { bindings::aeron_archive_replay_merge_has_failed(self.get_inner()) } {
            let e = if rc < 0 {
                AeronCError::last()
            } else {
                AeronCError::with_message(libc::ETIMEDOUT, "the replay merge has failed")
            };
            let code = if e.code == 0 { -1 } else { e.code };
            self.inner.failure.store(code, std::sync::atomic::Ordering::Relaxed);
            return Err(e);
        }
        Ok(rc)
    }

    fn locked_do_work_raw(&self, work_count: *mut i32) -> i32 {
        // SAFETY: the archive outlives `self`.
        unsafe {
            with_archive_lock(self.inner.archive.get_inner(), || {
                bindings::aeron_archive_replay_merge_do_work(work_count, self.get_inner())
            })
        }
    }

    /// The current time in ms since the epoch, for [`new`](Self::new) (`aeron_epoch_clock`, the
    /// clock the merge itself reads).
    pub fn epoch_clock_ms() -> i64 {
        crate::epoch_clock()
    }

    /// Advances the merge state machine; returns the work done (`aeron_archive_replay_merge_do_work`).
    pub fn do_work(&self) -> Result<i32, AeronCError> {
        let mut work = 0;
        self.locked_do_work(&mut work)?;
        Ok(work)
    }

    /// Does work, then polls the image (replay or live) for up to `fragment_limit` fragments
    /// (what `aeron_archive_replay_merge_poll` does, with the work done under the archive's lock).
    /// `handler` is a closure `FnMut(&[u8], AeronHeader)`.
    pub fn poll_once<F: AeronFragmentHandlerCallback>(
        &self,
        mut handler: F,
        fragment_limit: i32,
    ) -> Result<i32, AeronCError> {
        self.poll_with(&mut handler, fragment_limit)
    }

    /// Like [`poll_once`](Self::poll_once) with a handler borrowed mutably.
    pub fn poll_with<F: AeronFragmentHandlerCallback + ?Sized>(
        &self,
        handler: &mut F,
        fragment_limit: i32,
    ) -> Result<i32, AeronCError> {
        // `aeron_archive_replay_merge_poll` is `do_work` then a poll of the merge's image; the work
        // uses the archive's proxy and poller, so it runs under the archive's lock, the handler
        // does not (it may call the archive).
        self.locked_do_work(std::ptr::null_mut())?;
        let image = unsafe { bindings::aeron_archive_replay_merge_image(self.get_inner()) };
        if image.is_null() {
            return Ok(0);
        }
        let fragment_limit = usize::try_from(fragment_limit).unwrap_or(0);
        let rc = Guarded::run(handler, |clientd| unsafe {
            bindings::aeron_image_poll(image, Some(fragment_trampoline::<F>), clientd, fragment_limit)
        });
        check(rc)
    }

    /// The image being consumed, once the replay has started. The handle keeps this replay merge
    /// (and so the image it retained) alive.
    pub fn image(&self) -> Option<AeronImage> {
        let p = unsafe { bindings::aeron_archive_replay_merge_image(self.get_inner()) };
        if p.is_null() {
            None
        } else {
            // SAFETY: C retained the image when it found it, and the replay merge keeps its
            // subscription (and client) alive; the view keeps the replay merge alive.
            Some(unsafe { AeronImage::from_borrowed_kept_alive(p, self.as_dependency()) })
        }
    }

    /// True once the replay was dropped and only the live stream remains.
    pub fn is_merged(&self) -> bool {
        unsafe { bindings::aeron_archive_replay_merge_is_merged(self.get_inner()) }
    }

    /// True if the merge failed (no progress in time, an archive error, or its client closed
    /// because the media driver timed out).
    pub fn has_failed(&self) -> bool {
        self.inner.failure.load(std::sync::atomic::Ordering::Relaxed) != 0
            || unsafe { bindings::aeron_archive_replay_merge_has_failed(self.get_inner()) }
    }

    /// True once the live destination was added.
    pub fn is_live_added(&self) -> bool {
        unsafe { bindings::aeron_archive_replay_merge_is_live_added(self.get_inner()) }
    }
}
