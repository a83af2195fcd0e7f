//! A builder for a persistent subscription and its context: set what you need by value, and
//! `build()` checks it all at once, naming every missing or bad input.

use crate::persistent_subscription::{archive_context_dependencies, ArchiveContextCopy};
use crate::{
    Aeron, AeronArchiveContext, AeronArchivePersistentSubscription, AeronArchivePersistentSubscriptionContext,
    AeronArchivePersistentSubscriptionListener, AeronCError, Handler, AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_LIVE,
    AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START,
};
use rusteron_client::resource::Dependency;
use std::ffi::CString;
use std::sync::Arc;

type ApplyListener = Arc<dyn Fn(&AeronArchivePersistentSubscriptionContext) -> Result<i32, AeronCError> + Send + Sync>;

/// The archive connection settings a builder copied (see
/// [`AeronArchivePersistentSubscriptionBuilder::archive_context`]), and what the copy needs
/// kept alive.
struct ArchiveTemplate {
    copy: ArchiveContextCopy,
    kept: Vec<Dependency>,
}

/// Builds an [`AeronArchivePersistentSubscription`] (or only its
/// [`AeronArchivePersistentSubscriptionContext`]).
///
/// Setters take values and never fail; [`build`](Self::build) checks everything and returns one
/// error naming every missing or bad input (`EINVAL`). Required: the archive context, the
/// recording id, the live channel and stream id, the replay channel and stream id. Optional: the
/// Aeron client (without one, the subscription creates its own on
/// [`aeron_directory_name`](Self::aeron_directory_name), or the default directory), the start
/// (from live by default, as in C) and a listener.
///
/// A builder can build any number of subscriptions (each gets its own context): it is `Clone`
/// and `Send`.
///
/// ```
/// use rusteron_archive::testing::EmbeddedArchiveMediaDriverProcess;
/// use rusteron_archive::*;
///
/// // Every missing input is named at once.
/// let err = AeronArchivePersistentSubscription::builder().live_stream_id(10).build().unwrap_err();
/// assert!(err.to_string().contains("recording_id"), "{err}");
/// assert!(err.to_string().contains("live_channel"), "{err}");
/// assert!(err.to_string().contains("archive_context"), "{err}");
///
/// // A recording to follow, in a real (embedded Java) archive.
/// let process = EmbeddedArchiveMediaDriverProcess::start()?;
/// let (aeron, archive) = process.connect()?;
/// archive.start_recording(c"aeron:ipc", 1001, SOURCE_LOCATION_LOCAL, true)?;
/// let publication = aeron.add_exclusive_publication(c"aeron:ipc", 1001, std::time::Duration::from_secs(10))?;
/// let mut recording_id = -1;
/// assert!(rusteron_archive::testing::wait_until(std::time::Duration::from_secs(10), || {
///     recording_id = archive
///         .find_last_matching_recording(0, c"aeron:ipc", 1001, publication.session_id())
///         .unwrap_or(-1);
///     recording_id >= 0
/// }));
///
/// let ps = AeronArchivePersistentSubscription::builder()
///     .aeron(&aeron)
///     .archive_context(&process.archive_context(&aeron)?)
///     .recording_id(recording_id)
///     .live_channel("aeron:ipc")
///     .live_stream_id(1001)
///     .replay_channel("aeron:udp?endpoint=localhost:0")
///     .replay_stream_id(1002)
///     .start_from_beginning()
///     .build()?;
/// assert!(!ps.has_failed());
/// ps.close()?;
/// # Ok::<(), AeronCError>(())
/// ```
#[derive(Clone, Default)]
pub struct AeronArchivePersistentSubscriptionBuilder {
    aeron: Option<Aeron>,
    aeron_directory_name: Option<CString>,
    archive: Option<Arc<ArchiveTemplate>>,
    pub(crate) recording_id: Option<i64>,
    pub(crate) live_channel: Option<CString>,
    pub(crate) live_stream_id: Option<i32>,
    replay_channel: Option<CString>,
    replay_stream_id: Option<i32>,
    pub(crate) start_position: Option<i64>,
    pub(crate) listener: Option<ApplyListener>,
    /// Bad inputs seen by the setters, reported by `build`.
    problems: Vec<String>,
}

impl std::fmt::Debug for AeronArchivePersistentSubscriptionBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronArchivePersistentSubscriptionBuilder")
            .field("aeron", &self.aeron.is_some())
            .field("aeron_directory_name", &self.aeron_directory_name)
            .field("archive_context", &self.archive.is_some())
            .field("recording_id", &self.recording_id)
            .field("live_channel", &self.live_channel)
            .field("live_stream_id", &self.live_stream_id)
            .field("replay_channel", &self.replay_channel)
            .field("replay_stream_id", &self.replay_stream_id)
            .field("start_position", &self.start_position)
            .field("listener", &self.listener.is_some())
            .field("problems", &self.problems)
            .finish()
    }
}

fn text(name: &str, value: &str, problems: &mut Vec<String>) -> Option<CString> {
    match CString::new(value) {
        Ok(c) => Some(c),
        Err(e) => {
            problems.push(format!("{name} has a NUL byte at {} ({value:?})", e.nul_position()));
            None
        }
    }
}

impl AeronArchivePersistentSubscriptionBuilder {
    /// An empty builder (same as [`AeronArchivePersistentSubscription::builder`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// The Aeron client the subscription uses (kept alive by it).
    pub fn aeron(mut self, aeron: &Aeron) -> Self {
        self.aeron = Some(aeron.clone());
        self
    }

    /// The Aeron directory of the client the subscription creates when no
    /// [`aeron`](Self::aeron) is given.
    pub fn aeron_directory_name(mut self, dir: &str) -> Self {
        self.aeron_directory_name = text("aeron_directory_name", dir, &mut self.problems);
        self
    }

    /// The archive connection settings, copied now, on this thread (as
    /// [`set_archive_context`](AeronArchivePersistentSubscriptionContext::set_archive_context)
    /// does): later changes to `archive_context` do not reach the subscriptions built, and each
    /// subscription gets its own copy of this one.
    pub fn archive_context(mut self, archive_context: &AeronArchiveContext) -> Self {
        match ArchiveContextCopy::new(archive_context) {
            Ok(copy) => {
                self.archive =
                    Some(Arc::new(ArchiveTemplate { copy, kept: archive_context_dependencies(archive_context) }))
            }
            Err(e) => self.problems.push(format!("archive_context could not be copied: {e}")),
        }
        self
    }

    /// The recording to start from (required).
    pub fn recording_id(mut self, recording_id: i64) -> Self {
        self.recording_id = Some(recording_id);
        self
    }

    /// The live channel (required).
    pub fn live_channel(mut self, channel: &str) -> Self {
        self.live_channel = text("live_channel", channel, &mut self.problems);
        self
    }

    /// The live stream id (required; the recording's stream).
    pub fn live_stream_id(mut self, stream_id: i32) -> Self {
        self.live_stream_id = Some(stream_id);
        self
    }

    /// The channel replays are sent to (required), e.g. `aeron:udp?endpoint=localhost:0`.
    pub fn replay_channel(mut self, channel: &str) -> Self {
        self.replay_channel = text("replay_channel", channel, &mut self.problems);
        self
    }

    /// The replay stream id (required).
    pub fn replay_stream_id(mut self, stream_id: i32) -> Self {
        self.replay_stream_id = Some(stream_id);
        self
    }

    /// Start at `position` of the recording, or at
    /// [`AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START`] /
    /// [`AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_LIVE`].
    pub fn start_position(mut self, position: i64) -> Self {
        self.start_position = Some(position);
        self
    }

    /// Start from the beginning of the recording.
    pub fn start_from_beginning(self) -> Self {
        self.start_position(AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START)
    }

    /// Start from the live stream (the default).
    pub fn start_from_live(self) -> Self {
        self.start_position(AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_LIVE)
    }

    /// The listener, by value: it is moved behind a [`Handler`] that every subscription built
    /// shares (calls take its lock).
    pub fn listener<L: AeronArchivePersistentSubscriptionListener + Send + 'static>(self, listener: L) -> Self {
        self.listener_handler(&Handler::leak(listener))
    }

    /// The listener, as a [`Handler`] you keep (to read what it gathered).
    pub fn listener_handler<L: AeronArchivePersistentSubscriptionListener + Send + 'static>(
        mut self,
        listener: &Handler<L>,
    ) -> Self {
        if listener.is_released() {
            self.problems.push("listener: the handler was released; pass a live handler".into());
            return self;
        }
        let listener = listener.clone();
        self.listener = Some(Arc::new(move |ctx| ctx.set_listener(&listener)));
        self
    }

    /// Everything missing or bad, or `Ok`.
    fn check(&self) -> Result<(), AeronCError> {
        let mut problems = self.problems.clone();
        if self.archive.is_none() && !problems.iter().any(|p| p.starts_with("archive_context")) {
            problems.push("archive_context not set (the archive's control channels)".into());
        }
        match self.recording_id {
            None => problems.push("recording_id not set".into()),
            Some(id) if id < 0 => problems.push(format!("recording_id must be >= 0, got {id}")),
            Some(_) => {}
        }
        if self.live_channel.is_none() && !problems.iter().any(|p| p.starts_with("live_channel")) {
            problems.push("live_channel not set".into());
        }
        if self.live_stream_id.is_none() {
            problems.push("live_stream_id not set".into());
        }
        if self.replay_channel.is_none() && !problems.iter().any(|p| p.starts_with("replay_channel")) {
            problems.push("replay_channel not set".into());
        }
        if self.replay_stream_id.is_none() {
            problems.push("replay_stream_id not set".into());
        }
        if let Some(p) = self.start_position {
            if p < AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_LIVE {
                problems.push(format!(
                    "start_position {p} is neither a position (>= 0) nor FROM_START ({}) nor FROM_LIVE ({})",
                    AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START, AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_LIVE
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(crate::util::invalid(format!("AeronArchivePersistentSubscriptionBuilder: {}", problems.join("; "))))
        }
    }

    /// A new context with every setting applied (channel lengths are checked here).
    pub fn build_context(&self) -> Result<AeronArchivePersistentSubscriptionContext, AeronCError> {
        self.check()?;
        let ctx = AeronArchivePersistentSubscriptionContext::new()?;
        if let Some(aeron) = &self.aeron {
            ctx.set_aeron(aeron)?;
        }
        if let Some(dir) = &self.aeron_directory_name {
            ctx.set_aeron_directory_name(dir)?;
        }
        // `check` made sure these are set.
        let archive = self.archive.as_ref().expect("checked");
        ctx.set_archive_context_copy(archive.copy.duplicate()?, archive.kept.clone())?;
        ctx.set_recording_id(self.recording_id.expect("checked"))?;
        ctx.set_live_channel(self.live_channel.as_ref().expect("checked"))?;
        ctx.set_live_stream_id(self.live_stream_id.expect("checked"))?;
        ctx.set_replay_channel(self.replay_channel.as_ref().expect("checked"))?;
        ctx.set_replay_stream_id(self.replay_stream_id.expect("checked"))?;
        if let Some(p) = self.start_position {
            ctx.set_start_position(p)?;
        }
        if let Some(apply) = &self.listener {
            apply(&ctx)?;
        }
        Ok(ctx)
    }

    /// Builds the context and creates the subscription
    /// ([`AeronArchivePersistentSubscription::create`]).
    pub fn build(&self) -> Result<AeronArchivePersistentSubscription, AeronCError> {
        AeronArchivePersistentSubscription::create(&self.build_context()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync_clone<T: Send + Sync + Clone>() {}

    #[test]
    fn builder_is_send_sync_and_clone() {
        assert_send_sync_clone::<AeronArchivePersistentSubscriptionBuilder>();
    }

    #[test]
    fn bad_inputs_are_named() {
        let err = AeronArchivePersistentSubscriptionBuilder::new()
            .recording_id(-3)
            .live_channel("aeron:ipc\0x")
            .live_stream_id(1)
            .replay_stream_id(2)
            .start_position(-7)
            .build_context()
            .unwrap_err()
            .to_string();
        for part in ["recording_id must be >= 0, got -3", "live_channel has a NUL byte at 9", "replay_channel not set"]
        {
            assert!(err.contains(part), "{part:?} not in {err}");
        }
        assert!(err.contains("start_position -7"), "{err}");
        assert!(err.contains("archive_context not set"), "{err}");
        assert!(!err.contains("live_stream_id"), "{err}");
    }
}
