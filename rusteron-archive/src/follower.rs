//! Following a recorded stream across publisher restarts.
//!
//! A persistent subscription follows one recording. When its publisher restarts, the archive
//! records the new publication (a new session) as a new recording, starting at its own initial
//! position (usually 0); the persistent subscription of the old recording then either fails
//! ("live stream joined at position 0 which is earlier than last seen position") or, worse,
//! could take the new session's image as its live stream at a position that happens to match.
//! [`AeronArchivePersistentSubscriptionFollower`] wraps one persistent subscription at a time:
//! its live channel only takes the followed recording's session, and once that recording has
//! stopped and everything in it was delivered, it moves to the next recording of the same
//! channel and stream, from its start, and tells the listener.

use crate::{
    AeronArchive, AeronArchivePersistentSubscription, AeronArchivePersistentSubscriptionBuilder,
    AeronArchivePersistentSubscriptionListener, AeronArchiveRecordingDescriptor, AeronCError,
    AeronControlledFragmentHandlerAction, AeronControlledFragmentHandlerCallback, AeronFragmentHandlerCallback,
    AeronHeader, Handler, AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_LIVE,
    AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START,
};
use std::ffi::CString;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The events of a follower: those of its persistent subscriptions, and the move to a newer
/// recording. Called on the polling thread, from inside `poll_once`.
pub trait AeronArchivePersistentSubscriptionFollowerListener: AeronArchivePersistentSubscriptionListener {
    /// The follower moved on from `previous_recording_id` (stopped, every message of it
    /// delivered) to `recording`, the next recording of the same channel and stream (a
    /// restarted publisher), which it delivers from its start. The default logs it at `info`.
    fn on_new_recording(&mut self, previous_recording_id: i64, recording: &AeronArchiveRecordingDescriptor) {
        log::info!(
            "persistent subscription follower: recording {previous_recording_id} ended, following recording {} \
             (session {})",
            recording.recording_id,
            recording.session_id
        );
    }
}

/// No reaction beyond the defaults (moves logged at `info`, errors at `warn`), like the other
/// listeners of [`NoOp`](crate::NoOp).
impl AeronArchivePersistentSubscriptionFollowerListener for crate::NoOp {}

/// What the follower itself reports (the persistent subscription's own events go to the same
/// listener directly, through its context).
enum Event<'a> {
    NewRecording(i64, &'a AeronArchiveRecordingDescriptor),
    Error(i32, &'a str),
}

type Events = Arc<dyn Fn(Event<'_>) + Send + Sync>;

fn log_events() -> Events {
    Arc::new(|event| match event {
        Event::NewRecording(previous, recording) => log::info!(
            "persistent subscription follower: recording {previous} ended, following recording {} (session {})",
            recording.recording_id,
            recording.session_id
        ),
        Event::Error(code, message) => log::warn!("persistent subscription follower error {code}: {message}"),
    })
}

/// No position is owed yet (started from live with nothing delivered): the recording may be
/// left as soon as it has stopped.
const NOTHING_OWED: i64 = i64::MAX;

/// How many recordings one look-up for the next recording lists at most.
const SCAN_COUNT: i32 = 64;

/// Builds an [`AeronArchivePersistentSubscriptionFollower`] from a persistent subscription
/// builder (the first recording, channels, start) and an archive client used to look up
/// recordings.
#[derive(Clone)]
pub struct AeronArchivePersistentSubscriptionFollowerBuilder {
    template: AeronArchivePersistentSubscriptionBuilder,
    archive: AeronArchive,
    events: Option<Events>,
    check_interval: Duration,
}

impl std::fmt::Debug for AeronArchivePersistentSubscriptionFollowerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronArchivePersistentSubscriptionFollowerBuilder")
            .field("template", &self.template)
            .field("listener", &self.events.is_some())
            .field("check_interval", &self.check_interval)
            .finish()
    }
}

impl AeronArchivePersistentSubscriptionFollowerBuilder {
    /// The listener, by value (see [`listener_handler`](Self::listener_handler)).
    pub fn listener<L: AeronArchivePersistentSubscriptionFollowerListener + Send + 'static>(self, listener: L) -> Self {
        self.listener_handler(&Handler::leak(listener))
    }

    /// The listener, as a [`Handler`] you keep: it hears the events of every persistent
    /// subscription the follower makes, and
    /// [`on_new_recording`](AeronArchivePersistentSubscriptionFollowerListener::on_new_recording).
    /// Replaces a listener set on the persistent subscription builder.
    pub fn listener_handler<L: AeronArchivePersistentSubscriptionFollowerListener + Send + 'static>(
        mut self,
        listener: &Handler<L>,
    ) -> Self {
        self.template = self.template.listener_handler(listener);
        let handler = listener.clone();
        self.events = Some(Arc::new(move |event| {
            // `None` when this thread is already inside the listener: the event is logged.
            let heard = handler.with_mut(|l| match event {
                Event::NewRecording(previous, recording) => l.on_new_recording(previous, recording),
                Event::Error(code, message) => l.on_error(code, message),
            });
            if heard.is_none() {
                log::warn!(
                    "persistent subscription follower: the listener was busy (re-entered); an event was dropped"
                );
            }
        }));
        self
    }

    /// How often, while the persistent subscription is not live, the follower asks the archive
    /// whether its recording has ended and a newer one exists (100 ms by default). Nothing is
    /// asked while it is live. Must be more than zero.
    pub fn check_interval(mut self, interval: Duration) -> Self {
        self.check_interval = interval;
        self
    }

    /// Looks up the first recording (one archive request, blocking up to the archive's message
    /// timeout) and creates its persistent subscription. Errors name what was wrong: the
    /// persistent subscription builder's inputs, a recording the archive does not know, a
    /// stream id that is not the recording's, a zero check interval.
    pub fn build(self) -> Result<AeronArchivePersistentSubscriptionFollower, AeronCError> {
        if self.check_interval.is_zero() {
            return Err(crate::util::invalid(
                "AeronArchivePersistentSubscriptionFollowerBuilder: check_interval must be more than zero",
            ));
        }
        // Every input of the persistent subscription is checked before the archive is asked.
        self.template.build_context()?;
        let recording_id = self.template.recording_id.expect("checked by build_context");
        let recording = describe(&self.archive, recording_id)?.ok_or_else(|| {
            crate::util::invalid(format!(
                "AeronArchivePersistentSubscriptionFollowerBuilder: recording_id {recording_id} is not in the \
                 archive's catalog"
            ))
        })?;
        let stream_id = self.template.live_stream_id.expect("checked by build_context");
        if recording.stream_id != stream_id {
            return Err(crate::util::invalid(format!(
                "AeronArchivePersistentSubscriptionFollowerBuilder: live_stream_id {stream_id} is not the stream of \
                 recording {recording_id} ({})",
                recording.stream_id
            )));
        }
        let live_channel = self.template.live_channel.clone().expect("checked by build_context");
        let live_channel = live_channel.to_str().map(str::to_owned).map_err(|_| {
            crate::util::invalid("AeronArchivePersistentSubscriptionFollowerBuilder: live_channel is not UTF-8")
        })?;
        let start = self.template.start_position.unwrap_or(AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_LIVE);
        let delivered = match start {
            AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START => recording.start_position,
            AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_LIVE => NOTHING_OWED,
            p => p,
        };
        let subscription = subscribe(&self.template, &live_channel, &recording, start)?;
        Ok(AeronArchivePersistentSubscriptionFollower {
            template: self.template,
            archive: self.archive,
            events: self.events.unwrap_or_else(log_events),
            check_interval: self.check_interval,
            live_channel,
            subscription,
            recording,
            delivered,
            next_check: Instant::now(),
            failure: None,
            recordings_followed: 1,
            scan_from: 0,
        })
    }
}

/// The recording's descriptor, `None` when the archive does not know it.
fn describe(archive: &AeronArchive, recording_id: i64) -> Result<Option<AeronArchiveRecordingDescriptor>, AeronCError> {
    let mut found = None;
    archive.list_recording(recording_id, |d: AeronArchiveRecordingDescriptor| found = Some(d))?;
    Ok(found)
}

/// `channel` taking only `session_id`'s image: the live stream of that recording and no other
/// publisher's. A channel that names a session already is kept as it is.
fn with_session(channel: &str, session_id: i32) -> String {
    if channel.contains("session-id=") {
        channel.to_owned()
    } else if channel.contains('?') {
        format!("{channel}|session-id={session_id}")
    } else {
        format!("{channel}?session-id={session_id}")
    }
}

fn subscribe(
    template: &AeronArchivePersistentSubscriptionBuilder,
    live_channel: &str,
    recording: &AeronArchiveRecordingDescriptor,
    start: i64,
) -> Result<AeronArchivePersistentSubscription, AeronCError> {
    template
        .clone()
        .recording_id(recording.recording_id)
        .live_channel(&with_session(live_channel, recording.session_id))
        .start_position(start)
        .build()
}

/// A persistent subscription that follows its channel and stream across publisher restarts:
/// when the recording it follows has stopped and every message of it was delivered, it moves to
/// the next recording of the same channel and stream (in recording id order, so a quick
/// succession of restarts skips none), delivers it from its start, and tells the listener
/// ([`on_new_recording`](AeronArchivePersistentSubscriptionFollowerListener::on_new_recording)).
/// Nothing is lost or delivered twice across the move: the old recording ends where its
/// publisher stopped, and the new one starts where the new publisher started.
///
/// "The same channel and stream": the same stream id and the same original channel (the channel
/// given to `start_recording`, which every session that recording subscription records shares).
/// A recording made by another `start_recording` call with a different channel string is not
/// followed.
///
/// How: the live channel of each persistent subscription is narrowed to the followed
/// recording's session (`session-id=`), so a restarted publisher's image is never taken as the
/// old recording's live stream. While the persistent subscription is live nothing else
/// happens (each poll adds one `is_live` call and one position read per message). While it is
/// not live, every [`check_interval`](AeronArchivePersistentSubscriptionFollowerBuilder::check_interval)
/// the follower asks the archive (through the [`AeronArchive`] given to the builder; blocking
/// calls, bounded by its message timeout) for the recording's stop position, and once that is
/// reached, for the next recording. Creating the next persistent subscription happens inside
/// that poll too.
///
/// Failure: if the persistent subscription fails before its recording was delivered to its
/// end, the follower fails with its reason ([`has_failed`](Self::has_failed),
/// [`failure_reason`](Self::failure_reason)). A failure after the end is not one: the follower
/// waits for the next recording. Errors of the look-ups go to the listener's `on_error` and are
/// retried at the next check.
///
/// Publishers must start a new session when they restart (Aeron's default: each publication
/// gets its own session id). A live channel that names a `session-id` already is used as it is;
/// a publisher restarting with that same session id is then seen by the old persistent
/// subscription as its own live stream going back to position 0, which makes it fail: the
/// follower moves on if the old recording had already stopped by then, and fails otherwise.
///
/// Started from live ([`start_from_live`](AeronArchivePersistentSubscriptionBuilder::start_from_live)),
/// it owes nothing of the first recording until it joined live; later recordings are always
/// delivered from their start.
///
/// Threads: `Send`, not `Sync`, like the persistent subscription.
///
/// ```no_run
/// use rusteron_archive::*;
/// # fn example(aeron: &Aeron, archive: &AeronArchive, archive_context: &AeronArchiveContext, recording_id: i64)
/// #     -> Result<(), AeronCError> {
/// struct Moves(u32);
/// impl AeronArchivePersistentSubscriptionListener for Moves {}
/// impl AeronArchivePersistentSubscriptionFollowerListener for Moves {
///     fn on_new_recording(&mut self, _previous: i64, _recording: &AeronArchiveRecordingDescriptor) {
///         self.0 += 1;
///     }
/// }
/// let mut follower = AeronArchivePersistentSubscription::builder()
///     .aeron(aeron)
///     .archive_context(archive_context)
///     .recording_id(recording_id)
///     .live_channel("aeron:udp?control-mode=dynamic|control=localhost:40456")
///     .live_stream_id(1001)
///     .replay_channel("aeron:udp?endpoint=localhost:0")
///     .replay_stream_id(1002)
///     .start_from_beginning()
///     .follower(archive)
///     .listener(Moves(0))
///     .build()?;
/// loop {
///     follower.poll_once(|msg: &[u8], _h: AeronHeader<'_>| println!("{} bytes", msg.len()), 10)?;
/// #   break;
/// }
/// # Ok(())
/// # }
/// ```
///
/// The tests (`tests/it/persistent_subscription_follower.rs`) restart a publisher against a real
/// Java archive, at a fixed and at a random moment, and count every message.
pub struct AeronArchivePersistentSubscriptionFollower {
    template: AeronArchivePersistentSubscriptionBuilder,
    archive: AeronArchive,
    events: Events,
    check_interval: Duration,
    /// The live channel as given (without the session narrowing).
    live_channel: String,
    subscription: AeronArchivePersistentSubscription,
    recording: AeronArchiveRecordingDescriptor,
    /// The position up to which the followed recording was delivered.
    delivered: i64,
    next_check: Instant,
    failure: Option<(i32, String)>,
    recordings_followed: u64,
    /// Where the look-up for the next recording starts (past recordings seen not to match).
    scan_from: i64,
}

impl std::fmt::Debug for AeronArchivePersistentSubscriptionFollower {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronArchivePersistentSubscriptionFollower")
            .field("recording_id", &self.recording.recording_id)
            .field("session_id", &self.recording.session_id)
            .field("delivered", &self.delivered)
            .field("failure", &self.failure)
            .finish()
    }
}

/// Wraps the caller's handler to remember the position of the last message delivered.
struct Tracking<'a, F> {
    handler: &'a mut F,
    position: &'a mut Option<i64>,
}

impl<F: AeronFragmentHandlerCallback> AeronFragmentHandlerCallback for Tracking<'_, F> {
    #[inline]
    fn handle_aeron_fragment_handler(&mut self, buffer: &[u8], header: AeronHeader<'_>) {
        let position = header.position();
        self.handler.handle_aeron_fragment_handler(buffer, header);
        *self.position = Some(position);
    }
}

impl<F: AeronControlledFragmentHandlerCallback> AeronControlledFragmentHandlerCallback for Tracking<'_, F> {
    #[inline]
    fn handle_aeron_controlled_fragment_handler(
        &mut self,
        buffer: &[u8],
        header: AeronHeader<'_>,
    ) -> AeronControlledFragmentHandlerAction {
        let position = header.position();
        let action = self.handler.handle_aeron_controlled_fragment_handler(buffer, header);
        // An aborted message is delivered again by the next poll.
        if action != crate::bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_ABORT {
            *self.position = Some(position);
        }
        action
    }
}

impl AeronArchivePersistentSubscriptionBuilder {
    /// A builder for a follower of this persistent subscription's channel and stream across
    /// publisher restarts ([`AeronArchivePersistentSubscriptionFollower`]); `archive` answers
    /// its look-ups of recordings.
    pub fn follower(self, archive: &AeronArchive) -> AeronArchivePersistentSubscriptionFollowerBuilder {
        AeronArchivePersistentSubscriptionFollowerBuilder {
            template: self,
            archive: archive.clone(),
            events: None,
            check_interval: Duration::from_millis(100),
        }
    }
}

impl AeronArchivePersistentSubscriptionFollower {
    /// Delivers up to `fragment_limit` messages of the followed recording (see
    /// [`AeronArchivePersistentSubscription::poll_once`]), and moves to the next recording when
    /// this one has ended. Returns the persistent subscription's work count.
    pub fn poll_once<F: AeronFragmentHandlerCallback>(
        &mut self,
        mut handler: F,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        let mut position = None;
        let tracking = Tracking { handler: &mut handler, position: &mut position };
        let rc = self.subscription.poll_once(tracking, fragment_limit);
        self.after_poll(position);
        rc
    }

    /// Like [`poll_once`](Self::poll_once) with a controlled handler.
    pub fn controlled_poll_once<F: AeronControlledFragmentHandlerCallback>(
        &mut self,
        mut handler: F,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        let mut position = None;
        let tracking = Tracking { handler: &mut handler, position: &mut position };
        let rc = self.subscription.controlled_poll_once(tracking, fragment_limit);
        self.after_poll(position);
        rc
    }

    #[inline]
    fn after_poll(&mut self, position: Option<i64>) {
        if let Some(p) = position {
            self.delivered = p;
        }
        if self.failure.is_some() || self.subscription.is_live() {
            return;
        }
        let now = Instant::now();
        if now < self.next_check {
            return;
        }
        self.next_check = now + self.check_interval;
        self.check();
    }

    /// Off the live stream: has the recording ended, all of it delivered, and is there a next?
    fn check(&mut self) {
        let recording_id = self.recording.recording_id;
        let failed = self.subscription.failure_reason();
        let stop = match self.archive.get_stop_position(recording_id) {
            Ok(stop) => stop,
            Err(e) => {
                match failed {
                    Some(f) => self.fail(f, &format!("and its stop position could not be read: {e}")),
                    None => (self.events)(Event::Error(
                        e.code,
                        &format!("persistent subscription follower: stop position of recording {recording_id}: {e}"),
                    )),
                }
                return;
            }
        };
        let ended = stop >= 0 && (self.delivered == NOTHING_OWED || self.delivered >= stop);
        log::debug!(
            "persistent subscription follower: recording {recording_id} stop {stop}, delivered {}, ended {ended}, \
             failed {failed:?}",
            self.delivered
        );
        if !ended {
            if let Some(f) = failed {
                let why = if stop < 0 {
                    "while the recording was still active".to_owned()
                } else {
                    format!("with the recording stopped at {stop} but delivered only to {}", self.delivered)
                };
                self.fail(f, &why);
            }
            return;
        }
        // The archive matches a fragment of the original channel (the one given to
        // start_recording, the same for every session that recording subscription records);
        // only an identical channel is taken, in recording id order. `scan_from` skips the
        // recordings already seen not to match.
        let mut next = None;
        let mut last_seen = None;
        let original = self.recording.original_channel().to_owned();
        let fragment = CString::new(original.as_str()).unwrap_or_default();
        let listed = self.archive.list_recordings_for_uri(
            self.scan_from.max(recording_id + 1),
            SCAN_COUNT,
            &fragment,
            self.recording.stream_id,
            |d: AeronArchiveRecordingDescriptor| {
                last_seen = Some(d.recording_id);
                if next.is_none() && d.recording_id > recording_id && d.original_channel() == original {
                    next = Some(d)
                }
            },
        );
        if let Err(e) = listed {
            (self.events)(Event::Error(
                e.code,
                &format!("persistent subscription follower: looking for the recording after {recording_id}: {e}"),
            ));
            return;
        }
        log::debug!(
            "persistent subscription follower: after recording {recording_id} on {original:?} stream {}: next {:?}",
            self.recording.stream_id,
            next.as_ref().map(|d| d.recording_id)
        );
        if next.is_none() {
            if let Some(seen) = last_seen {
                self.scan_from = seen + 1;
            }
        }
        let Some(next) = next else { return };
        match subscribe(&self.template, &self.live_channel, &next, AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START) {
            Ok(subscription) => {
                let previous = std::mem::replace(&mut self.subscription, subscription);
                if let Err(e) = previous.close() {
                    log::warn!("persistent subscription follower: closing the subscription of {recording_id}: {e}");
                }
                self.delivered = next.start_position;
                self.recording = next;
                self.recordings_followed += 1;
                (self.events)(Event::NewRecording(recording_id, &self.recording));
            }
            Err(e) => (self.events)(Event::Error(
                e.code,
                &format!(
                    "persistent subscription follower: subscribing to recording {} after {recording_id}: {e}",
                    next.recording_id
                ),
            )),
        }
    }

    fn fail(&mut self, (code, message): (i32, String), why: &str) {
        let message =
            format!("recording {}: the persistent subscription failed {why}: {message}", self.recording.recording_id);
        log::warn!("persistent subscription follower: {message}");
        self.failure = Some((code, message));
    }

    /// The persistent subscription of the followed recording.
    pub fn subscription(&self) -> &AeronArchivePersistentSubscription {
        &self.subscription
    }

    /// The recording followed now.
    pub fn recording_id(&self) -> i64 {
        self.recording.recording_id
    }

    /// The descriptor of the recording followed now, as listed when the follower moved to it
    /// (positions may have changed since).
    pub fn recording(&self) -> &AeronArchiveRecordingDescriptor {
        &self.recording
    }

    /// How many recordings were followed so far (1 until the first move).
    pub fn recordings_followed(&self) -> u64 {
        self.recordings_followed
    }

    /// The position, in the followed recording, up to which messages were delivered; `None`
    /// when started from live and nothing was delivered yet.
    pub fn position(&self) -> Option<i64> {
        (self.delivered != NOTHING_OWED).then_some(self.delivered)
    }

    /// True while the persistent subscription consumes the live stream.
    pub fn is_live(&self) -> bool {
        self.subscription.is_live()
    }

    /// True while the persistent subscription replays from the archive.
    pub fn is_replaying(&self) -> bool {
        self.subscription.is_replaying()
    }

    /// True once the follower failed for good (its persistent subscription failed before the
    /// end of its recording).
    pub fn has_failed(&self) -> bool {
        self.failure.is_some()
    }

    /// The failure code and message, if the follower failed.
    pub fn failure_reason(&self) -> Option<(i32, String)> {
        self.failure.clone()
    }

    /// Closes the current persistent subscription now (see
    /// [`AeronArchivePersistentSubscription::close`]); dropping the follower does the same.
    pub fn close(self) -> Result<(), AeronCError> {
        self.subscription.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_live_channel_is_narrowed_to_the_session() {
        assert_eq!(with_session("aeron:ipc", 7), "aeron:ipc?session-id=7");
        assert_eq!(with_session("aeron:udp?endpoint=localhost:1", -3), "aeron:udp?endpoint=localhost:1|session-id=-3");
        assert_eq!(with_session("aeron:ipc?session-id=5", 7), "aeron:ipc?session-id=5");
    }

    fn assert_send<T: Send>() {}

    #[test]
    fn no_op_is_a_follower_listener() {
        fn takes<L: AeronArchivePersistentSubscriptionFollowerListener + Send + 'static>(_: L) {}
        takes(crate::NoOp);
    }

    #[test]
    fn follower_is_send() {
        assert_send::<AeronArchivePersistentSubscriptionFollower>();
        assert_send::<AeronArchivePersistentSubscriptionFollowerBuilder>();
    }
}
