//! Issue 24: a persistent subscription whose publisher restarts (a new recording of the same
//! channel and stream, starting at position 0). The seed's persistent subscription fails there
//! ("live stream joined at position 0 which is earlier than last seen position");
//! `AeronArchivePersistentSubscriptionFollower` moves on to the new recording and says so
//! through its listener. Every message carries a sequence number: each test checks that all of
//! them arrive, in order, none lost and none twice, against a real Java archive.

use crate::common::*;
use rusteron_archive::testing::*;
use rusteron_archive::*;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the listener heard.
#[derive(Default)]
struct Heard {
    moves: Vec<(i64, i64, i32)>,
    live_joined: usize,
    errors: Vec<String>,
}

#[derive(Clone, Default)]
struct Listener(Arc<Mutex<Heard>>);

impl AeronArchivePersistentSubscriptionListener for Listener {
    fn on_live_joined(&mut self) {
        self.0.lock().unwrap().live_joined += 1;
    }
    fn on_error(&mut self, errcode: i32, message: &str) {
        self.0.lock().unwrap().errors.push(format!("{errcode}: {message}"));
    }
}

impl AeronArchivePersistentSubscriptionFollowerListener for Listener {
    fn on_new_recording(&mut self, previous_recording_id: i64, recording: &AeronArchiveRecordingDescriptor) {
        self.0.lock().unwrap().moves.push((previous_recording_id, recording.recording_id, recording.session_id));
    }
}

/// A small xorshift generator; the seed is printed so a failing round can be replayed
/// (`RUSTERON_FOLLOWER_SEED`).
struct Rng(u64);
impl Rng {
    fn seeded() -> Rng {
        let seed = std::env::var("RUSTERON_FOLLOWER_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
        });
        println!("follower restarts: seed {seed} (RUSTERON_FOLLOWER_SEED)");
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// In [lo, hi].
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// One run: publishers publish `segments[i]` messages each, one after the other on the same
/// channel and stream (each a new session, so a new recording from position 0), with sequence
/// numbers running on across them. The follower is built once `first_before_follower` messages
/// of the first publisher were published (so it may start replaying); `burst[i]` publishes a
/// segment at once (the follower then replays it) rather than one message per poll; after a
/// segment, the publisher stays up for `linger_polls[i]` more polls before it is closed.
#[allow(clippy::too_many_arguments)]
fn run(
    process: &EmbeddedArchiveMediaDriverProcess,
    aeron: &Aeron,
    archive: &AeronArchive,
    stream_id: i32,
    segments: &[u64],
    first_before_follower: u64,
    burst: &[bool],
    linger_polls: &[u64],
) {
    let control_port = find_unused_udp_port(45_000 + (stream_id as u16 % 500) * 7).unwrap();
    let publish_channel = format!("aeron:udp?control-mode=dynamic|control=localhost:{control_port}|term-length=65536");
    let live_channel = format!("aeron:udp?control-mode=dynamic|control=localhost:{control_port}");
    let channels = (publish_channel.as_str(), live_channel.as_str(), stream_id);
    run_on(process, aeron, archive, channels, segments, first_before_follower, burst, linger_polls);
}

/// [`run`] on a given channel: `channels` is (the publishers' channel, the live channel, the
/// stream id).
#[allow(clippy::too_many_arguments)]
fn run_on(
    process: &EmbeddedArchiveMediaDriverProcess,
    aeron: &Aeron,
    archive: &AeronArchive,
    channels: (&str, &str, i32),
    segments: &[u64],
    first_before_follower: u64,
    burst: &[bool],
    linger_polls: &[u64],
) {
    let (publish_channel, live_channel, stream_id) = channels;
    // Generous for valgrind (`scripts/memcheck.sh`, 20-50 times slower); a normal run takes seconds.
    let deadline = Instant::now()
        + Duration::from_secs(
            std::env::var("RUSTERON_FOLLOWER_DEADLINE_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(180),
        );
    let _ = env_logger::builder().is_test(true).try_init();
    let total: u64 = segments.iter().sum();
    archive.start_recording(&c(publish_channel), stream_id, SOURCE_LOCATION_LOCAL, false).unwrap();

    let mut publication = Some(aeron.add_exclusive_publication(&c(publish_channel), stream_id, TIMEOUT).unwrap());
    let first = publication.as_ref().unwrap();
    let end = publish_sequence(first, 0, first_before_follower);
    let first_recording = await_recording_position(aeron, archive, first.session_id(), end);

    let heard = Listener::default();
    let listener = Handler::leak(heard.clone());
    let mut follower = AeronArchivePersistentSubscription::builder()
        .aeron(aeron)
        .archive_context(&process.archive_context(aeron).unwrap())
        .recording_id(first_recording)
        .live_channel(live_channel)
        .live_stream_id(stream_id)
        .replay_channel("aeron:udp?endpoint=localhost:0")
        .replay_stream_id(stream_id + 1)
        .start_from_beginning()
        .follower(archive)
        .listener_handler(&listener)
        .check_interval(Duration::from_millis(20))
        .build()
        .expect("follower");
    assert_eq!(follower.recording_id(), first_recording);

    let mut received: Vec<u64> = Vec::with_capacity(total as usize);
    let mut segment = 0usize;
    let mut sent_in_segment = first_before_follower;
    let mut next = first_before_follower;
    let mut lingered = 0u64;
    let mut sessions = vec![first.session_id()];
    let started = Instant::now();
    while received.len() as u64 != total {
        if Instant::now() >= deadline {
            let h = heard.0.lock().unwrap();
            let recordings: Vec<_> = archive
                .list_recordings_vec(0, 100)
                .unwrap_or_default()
                .iter()
                .map(|d| (d.recording_id, d.session_id, d.stream_id, d.stripped_channel().to_owned(), d.stop_position))
                .collect();
            panic!(
                "received {} of {total} (segment {segment}, {sent_in_segment} sent in it, recording {}, position {:?}, \
                 live={}, replaying={}, heard moves {:?}, errors {:?}, recordings {recordings:?})",
                received.len(),
                follower.recording_id(),
                follower.position(),
                follower.is_live(),
                follower.is_replaying(),
                h.moves,
                h.errors
            );
        }
        assert!(!follower.has_failed(), "{:?}", follower.failure_reason());
        match &publication {
            Some(p) if sent_in_segment < segments[segment] => {
                if burst[segment] {
                    let count = segments[segment] - sent_in_segment;
                    publish_sequence(p, next, count);
                    next += count;
                    sent_in_segment += count;
                } else if p.offer(&next.to_le_bytes()).is_ok() {
                    next += 1;
                    sent_in_segment += 1;
                }
            }
            Some(_) if segment + 1 < segments.len() => {
                if lingered < linger_polls[segment] {
                    lingered += 1;
                } else {
                    // The publisher goes away; its successor comes up on the next turn.
                    publication = None;
                    segment += 1;
                    sent_in_segment = 0;
                    lingered = 0;
                }
            }
            Some(_) => {}
            None => {
                let p = aeron.add_exclusive_publication(&c(publish_channel), stream_id, TIMEOUT).unwrap();
                assert!(!sessions.contains(&p.session_id()), "a restarted publisher is a new session");
                sessions.push(p.session_id());
                publication = Some(p);
            }
        }
        follower
            .poll_once(
                |b: &[u8], _h: AeronHeader<'_>| received.push(u64::from_le_bytes(b[..8].try_into().unwrap())),
                10,
            )
            .unwrap();
    }
    let elapsed = started.elapsed();
    // Exactly the sequence: nothing lost, nothing repeated, in order.
    if let Some(i) = received.iter().enumerate().position(|(i, &v)| v != i as u64) {
        panic!(
            "message {i} is {} (around it: {:?})",
            received[i],
            &received[i.saturating_sub(3)..(i + 3).min(received.len())]
        );
    }
    assert_eq!(received.len() as u64, total);

    // One move per restart, each to the next recording of the next publisher's session.
    let moves = heard.0.lock().unwrap().moves.clone();
    assert_eq!(moves.len(), segments.len() - 1, "moves heard: {moves:?}");
    assert_eq!(follower.recordings_followed(), segments.len() as u64);
    let mut previous = first_recording;
    for (i, &(from, to, session)) in moves.iter().enumerate() {
        assert_eq!(from, previous, "move {i} starts from the recording followed before");
        assert!(to > from, "move {i} goes to a newer recording: {moves:?}");
        assert_eq!(session, sessions[i + 1], "move {i} follows the next publisher's session");
        previous = to;
    }
    assert_eq!(follower.recording_id(), previous);
    // The follower keeps following: it joins the last publisher's live stream.
    let live_deadline = Instant::now() + TIMEOUT;
    while !follower.is_live() {
        assert!(Instant::now() < live_deadline, "the follower did not join the last publisher live");
        follower.poll_once(|_b: &[u8], _h: AeronHeader<'_>| panic!("no more messages were sent"), 10).unwrap();
    }
    assert!(heard.0.lock().unwrap().live_joined >= 1);
    println!(
        "follower: {total} messages over {} publishers ({segments:?}), 0 lost, 0 repeated, in {elapsed:?}; moves \
         {moves:?}",
        segments.len()
    );
    follower.close().unwrap();
    drop(publication);
}

#[test]
fn follower_delivers_every_message_across_a_publisher_restart() {
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let (aeron, archive) = process.connect().unwrap();
    run(&process, &aeron, &archive, 9001, &[500, 700], 100, &[false, false], &[0, 0]);
}

#[test]
fn follower_delivers_every_message_across_ipc_publisher_restarts() {
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let (aeron, archive) = process.connect().unwrap();
    let channels = ("aeron:ipc?term-length=65536", "aeron:ipc", 9301);
    run_on(&process, &aeron, &archive, channels, &[300, 1_000, 400], 300, &[false, true, false], &[10, 0, 0]);
}

#[test]
fn follower_survives_restarts_at_random_moments() {
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let (aeron, archive) = process.connect().unwrap();
    let mut rng = Rng::seeded();
    let rounds: u64 = std::env::var("RUSTERON_FOLLOWER_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    for round in 0..rounds {
        let publishers = rng.between(2, 3) as usize;
        let segments: Vec<u64> = (0..publishers).map(|_| rng.between(1, 2_000)).collect();
        let first_before_follower = rng.between(1, segments[0]);
        let burst: Vec<bool> = (0..publishers).map(|_| rng.next() & 1 == 0).collect();
        let linger_polls: Vec<u64> = (0..publishers).map(|_| rng.between(0, 300)).collect();
        println!(
            "round {round}: segments {segments:?}, follower after {first_before_follower}, burst {burst:?}, linger \
             {linger_polls:?}"
        );
        run(
            &process,
            &aeron,
            &archive,
            9100 + round as i32 * 10,
            &segments,
            first_before_follower,
            &burst,
            &linger_polls,
        );
    }
}

#[test]
fn follower_builder_names_bad_input() {
    let deadline = Instant::now() + Duration::from_secs(60);
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let (aeron, archive) = process.connect().unwrap();
    let publication = aeron.add_exclusive_publication(c"aeron:ipc", 9201, TIMEOUT).unwrap();
    archive.start_recording(c"aeron:ipc", 9201, SOURCE_LOCATION_LOCAL, false).unwrap();
    let end = publish_sequence(&publication, 0, 10);
    let recording_id = await_recording_position(&aeron, &archive, publication.session_id(), end);
    let builder = AeronArchivePersistentSubscription::builder()
        .aeron(&aeron)
        .archive_context(&process.archive_context(&aeron).unwrap())
        .recording_id(recording_id)
        .live_channel("aeron:ipc")
        .live_stream_id(9201)
        .replay_channel("aeron:udp?endpoint=localhost:0")
        .replay_stream_id(9202)
        .start_from_beginning();

    let err = builder.clone().recording_id(recording_id + 1000).follower(&archive).build().unwrap_err();
    assert!(err.to_string().contains(&format!("recording_id {} is not in", recording_id + 1000)), "{err}");
    let err = builder.clone().live_stream_id(9999).follower(&archive).build().unwrap_err();
    assert!(err.to_string().contains("live_stream_id 9999 is not the stream"), "{err}");
    let err = builder.clone().follower(&archive).check_interval(Duration::ZERO).build().unwrap_err();
    assert!(err.to_string().contains("check_interval"), "{err}");
    let err = builder.clone().replay_channel("aeron:udp?endpoint=\0").follower(&archive).build().unwrap_err();
    assert!(err.to_string().contains("replay_channel has a NUL byte"), "{err}");

    // The same builder still builds plain persistent subscriptions, any number, each with its
    // own context; they deliver the recording and close explicitly or on drop.
    let mut first = builder.build().expect("first");
    let second = builder.build().expect("second");
    let mut got = Vec::new();
    while got.len() < 10 {
        assert!(Instant::now() < deadline, "got {got:?}");
        assert!(!first.has_failed(), "{:?}", first.failure_reason());
        first
            .poll_once(|b: &[u8], _h: AeronHeader<'_>| got.push(u64::from_le_bytes(b[..8].try_into().unwrap())), 10)
            .unwrap();
    }
    assert_eq!(got, (0..10).collect::<Vec<_>>());
    first.close().expect("close");
    drop(second);
}

/// Started from live, the follower owes nothing of the first recording before it joined: it
/// delivers the first publisher's messages from the moment it joined, then every message of the
/// restarted publisher, from its first.
#[test]
fn follower_started_from_live_follows_a_restart() {
    let deadline = Instant::now() + Duration::from_secs(120);
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let (aeron, archive) = process.connect().unwrap();
    let (channel, stream_id) = ("aeron:ipc?term-length=65536", 9401);
    archive.start_recording(&c(channel), stream_id, SOURCE_LOCATION_LOCAL, false).unwrap();
    let first = aeron.add_exclusive_publication(&c(channel), stream_id, TIMEOUT).unwrap();
    let end = publish_sequence(&first, 0, 200);
    let recording_id = await_recording_position(&aeron, &archive, first.session_id(), end);
    let heard = Listener::default();
    let mut follower = AeronArchivePersistentSubscription::builder()
        .aeron(&aeron)
        .archive_context(&process.archive_context(&aeron).unwrap())
        .recording_id(recording_id)
        .live_channel("aeron:ipc")
        .live_stream_id(stream_id)
        .replay_channel("aeron:udp?endpoint=localhost:0")
        .replay_stream_id(stream_id + 1)
        .start_from_live()
        .follower(&archive)
        .listener(heard.clone())
        .check_interval(Duration::from_millis(20))
        .build()
        .expect("follower");
    assert_eq!(follower.position(), None, "nothing delivered yet");

    let mut received: Vec<u64> = Vec::new();
    macro_rules! poll {
        () => {
            follower
                .poll_once(
                    |b: &[u8], _h: AeronHeader<'_>| received.push(u64::from_le_bytes(b[..8].try_into().unwrap())),
                    10,
                )
                .unwrap()
        };
    }
    while !follower.is_live() {
        assert!(Instant::now() < deadline, "never joined live: {:?}", follower.failure_reason());
        poll!();
    }
    // Joined: everything from here on is owed.
    let mut next = 200u64;
    while next < 500 {
        assert!(Instant::now() < deadline);
        if first.offer(&next.to_le_bytes()).is_ok() {
            next += 1;
        }
        poll!();
    }
    drop(first);
    let second = aeron.add_exclusive_publication(&c(channel), stream_id, TIMEOUT).unwrap();
    publish_sequence(&second, 500, 300);
    while received.last() != Some(&799) {
        assert!(
            Instant::now() < deadline,
            "received {} (last {:?}), moves {:?}, failure {:?}",
            received.len(),
            received.last(),
            heard.0.lock().unwrap().moves,
            follower.failure_reason()
        );
        assert!(!follower.has_failed(), "{:?}", follower.failure_reason());
        poll!();
    }
    let from = received[0];
    assert!(from <= 200, "the first message after joining live is at most the 201st: {from}");
    assert_eq!(received, (from..800).collect::<Vec<_>>(), "a gap-free, repeat-free run to the end");
    assert_eq!(heard.0.lock().unwrap().moves.len(), 1);
    assert_eq!(follower.recordings_followed(), 2);
    assert!(follower.position().is_some());
}
