//! `AeronArchiveReplayMerge`: replay a recording, then merge into the live stream it records
//! (`aeron_archive_replay_merge_t`).

use crate::bindings;
use crate::callbacks::fragment_trampoline;
use crate::util::{check, Guarded};
use crate::{AeronArchive, AeronCError, AeronFragmentHandlerCallback, AeronImage, AeronSubscription, ManagedCResource};
use std::ffi::CStr;

/// Default time without progress after which a merge fails (ms).
pub const REPLAY_MERGE_PROGRESS_TIMEOUT_DEFAULT_MS: i64 = 5_000;

rusteron_client::c_wrapper!(
    /// Replays a recording into a multi-destination subscription, then adds the live
    /// destination and drops the replay once they meet, so the subscriber moves from the
    /// recorded past to the live stream without a gap.
    ///
    /// The subscription must be made with `control-mode=manual` on its channel. The merge keeps
    /// the subscription and the archive alive; it is closed (`aeron_archive_replay_merge_close`)
    /// on the last drop.
    ///
    /// Threads: `Send`, not `Sync`: drive it (`poll`, `do_work`) from one thread.
    AeronArchiveReplayMerge => bindings::aeron_archive_replay_merge_t
);
unsafe impl Send for AeronArchiveReplayMerge {}

impl AeronArchiveReplayMerge {
    /// Starts a merge (`aeron_archive_replay_merge_init`): replays `recording_id` from
    /// `start_position` over `replay_channel` into `replay_destination` of `subscription`, and
    /// joins `live_destination` once the replay is close to the live position.
    /// `epoch_clock_ms` is the current time in milliseconds since the epoch.
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
            Some(Box::new(|p| unsafe { bindings::aeron_archive_replay_merge_close(p) })),
        )?;
        m.add_dependency(crate::util::keep(subscription.clone()));
        m.add_dependency(archive.as_dependency());
        Ok(Self::from_managed(m))
    }

    /// The current time in ms since the epoch, for [`new`](Self::new).
    pub fn epoch_clock_ms() -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
    }

    /// Advances the merge state machine; returns the work done (`aeron_archive_replay_merge_do_work`).
    pub fn do_work(&self) -> Result<i32, AeronCError> {
        let mut work = 0;
        check(unsafe { bindings::aeron_archive_replay_merge_do_work(&mut work, self.get_inner()) })?;
        Ok(work)
    }

    /// Does work, then polls the image (replay or live) for up to `fragment_limit` fragments
    /// (`aeron_archive_replay_merge_poll`). `handler` is a closure `FnMut(&[u8], AeronHeader)`.
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
        let rc = Guarded::run(handler, |clientd| unsafe {
            bindings::aeron_archive_replay_merge_poll(
                self.get_inner(),
                Some(fragment_trampoline::<F>),
                clientd,
                fragment_limit,
            )
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

    /// True if the merge failed (no progress in time, or an archive error).
    pub fn has_failed(&self) -> bool {
        unsafe { bindings::aeron_archive_replay_merge_has_failed(self.get_inner()) }
    }

    /// True once the live destination was added.
    pub fn is_live_added(&self) -> bool {
        unsafe { bindings::aeron_archive_replay_merge_is_live_added(self.get_inner()) }
    }
}
