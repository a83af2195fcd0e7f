//! Fault matrix: what clients see when a real Java archive or a real `aeronmd` dies (SIGKILL)
//! under them, when no archive is there at all, and when UDP loses packets during a replay
//! merge. Every wait is bounded, and every test body runs on its own thread with a hard limit
//! ([`bounded`]), so a hang fails the test instead of hanging `cargo test`.

use crate::common::*;
use rusteron_archive::testing::*;
use rusteron_archive::*;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The archive clients' message timeout in these tests.
const MESSAGE_TIMEOUT: Duration = Duration::from_secs(2);
/// What a failing call may take beyond its timeout.
const SLACK: Duration = Duration::from_secs(1);
/// The hard limit of one test body.
const BODY_LIMIT: Duration = Duration::from_secs(150);

/// Runs `body` on its own thread and fails if it does not finish within `limit` (a hang in C
/// then fails the test; the stuck thread is left behind). Panics of `body` are passed on.
fn bounded(name: &str, limit: Duration, body: impl FnOnce() + Send + 'static) {
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
            let _ = tx.send(());
            if let Err(p) = r {
                std::panic::resume_unwind(p);
            }
        })
        .unwrap();
    match rx.recv_timeout(limit) {
        Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(p) = handle.join() {
                std::panic::resume_unwind(p);
            }
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("{name} did not finish within {limit:?}: a hang"),
    }
}

/// Asserts that `f` returns an error within `bound`; returns the error and the time taken.
fn fails_within<T: std::fmt::Debug>(
    what: &str,
    bound: Duration,
    f: impl FnOnce() -> Result<T, AeronCError>,
) -> (AeronCError, Duration) {
    let t0 = Instant::now();
    let r = f();
    let took = t0.elapsed();
    let e = match r {
        Ok(v) => panic!("{what}: succeeded ({v:?}) after {took:?}, expected an error"),
        Err(e) => e,
    };
    assert!(took < bound, "{what}: the error took {took:?} (bound {bound:?}): {e}");
    println!("{what}: error after {took:?}: {e}");
    (e, took)
}

/// The 64-byte message number `i`: its number, then bytes derived from it.
fn message(i: u64) -> [u8; 64] {
    let mut m = [0u8; 64];
    m[..8].copy_from_slice(&i.to_le_bytes());
    for (k, b) in m[8..].iter_mut().enumerate() {
        *b = (i.wrapping_mul(31).wrapping_add(k as u64 * 7) & 0xff) as u8;
    }
    m
}

/// An archive context on `aeron` for `process` with [`MESSAGE_TIMEOUT`].
fn archive_context(process: &EmbeddedArchiveMediaDriverProcess, aeron: &Aeron) -> AeronArchiveContext {
    let ctx = process.archive_context(aeron).unwrap();
    ctx.set_message_timeout(MESSAGE_TIMEOUT).unwrap();
    ctx
}

/// Replays `recording_id` from 0 for `length` bytes and returns the first `expected` messages
/// (each checked to be intact, byte for byte).
fn replay_messages(archive: &AeronArchive, recording_id: i64, length: i64, expected: usize) -> Vec<u64> {
    let params = AeronArchiveReplayParams::new_default().unwrap().with_position(0).with_length(length);
    let sub = archive.replay(recording_id, &c(&replay_channel()), 7102, &params).expect("replay");
    let mut got = Vec::new();
    let mut bad = Vec::new();
    let deadline = Instant::now() + TIMEOUT;
    while got.len() < expected {
        assert!(Instant::now() < deadline, "replay stalled at {} of {expected} messages", got.len());
        let n = sub
            .poll_once(
                |buf: &[u8], _h: AeronHeader<'_>| {
                    let i = u64::from_le_bytes(buf[..8].try_into().unwrap());
                    if buf != message(i) {
                        bad.push(i);
                    }
                    got.push(i);
                },
                256,
            )
            .unwrap();
        if n == 0 {
            std::thread::yield_now();
        }
    }
    assert!(bad.is_empty(), "corrupt messages in the replay: {:?}", &bad[..bad.len().min(10)]);
    got
}

/// 1. The archive is SIGKILLed while it records: archive calls fail within the message timeout
///    (plus slack), everything drops, and an archive restarted on the same directories (with
///    record checksums on) still has the recording, whose acknowledged prefix replays byte for
///    byte.
#[test]
fn archive_killed_mid_recording_keeps_the_acknowledged_prefix() {
    bounded("archive_killed_mid_recording", BODY_LIMIT, || {
        let mut process =
            EmbeddedArchiveMediaDriverProcess::start_with(&[(RECORD_CHECKSUM_PROP, CRC32_CHECKSUM)]).expect("archive");
        assert_eq!(process.setting(RECORD_CHECKSUM_PROP), Some(CRC32_CHECKSUM));
        let aeron = process.connect_aeron().unwrap();
        let archive = AeronArchive::connect(&archive_context(&process, &aeron)).unwrap();

        let channel = "aeron:ipc?term-length=65536";
        let stream_id = 7101;
        archive.start_recording(&c(channel), stream_id, SOURCE_LOCATION_LOCAL, false).unwrap();
        let publication = aeron.add_exclusive_publication(&c(channel), stream_id, TIMEOUT).unwrap();
        // ends[i]: the stream position just after message i (padding frames at term ends make
        // positions irregular).
        let mut ends = Vec::new();
        for i in 0..5_000u64 {
            ends.push(offer_exclusive(&publication, &message(i)));
        }
        let end = *ends.last().unwrap();
        let recording_id = await_recording_position(&aeron, &archive, publication.session_id(), end);
        // Acknowledged: what the archive said it has recorded.
        let acknowledged = archive.get_recording_position(recording_id).unwrap();
        assert_eq!(acknowledged, end);
        // More, not waited for: the kill lands while these are being recorded.
        let more_until = Instant::now() + Duration::from_millis(300);
        while Instant::now() < more_until {
            if let Ok(p) = publication.offer(&message(ends.len() as u64)) {
                ends.push(p);
            }
        }
        let sent = ends.len();
        let count_to = |position: i64| ends.iter().take_while(|&&e| e <= position).count();

        process.kill();
        let t_kill = Instant::now();
        assert!(!process.is_running());
        let (e, _) = fails_within("get_recording_position after the kill", MESSAGE_TIMEOUT + SLACK, || {
            archive.get_recording_position(recording_id)
        });
        assert!(!e.to_string().is_empty());
        fails_within("list_recordings after the kill", MESSAGE_TIMEOUT + SLACK, || archive.list_recordings_vec(0, 10));
        let t0 = Instant::now();
        drop(publication);
        drop(archive);
        drop(aeron);
        println!("dropped the clients of the dead archive in {:?}", t0.elapsed());
        assert!(t0.elapsed() < Duration::from_secs(5), "drops took {:?}", t0.elapsed());

        let t0 = Instant::now();
        process.restart().expect("restart on the same directories");
        println!("archive restarted in {:?} ({:?} after the kill)", t0.elapsed(), t_kill.elapsed());
        assert_eq!(process.starts(), 2);
        let aeron = process.connect_aeron().unwrap();
        let archive = AeronArchive::connect(&archive_context(&process, &aeron)).unwrap();
        let recordings = archive.list_recordings_vec(0, 10).unwrap();
        let d = recordings.iter().find(|d| d.recording_id == recording_id).expect("the recording is in the catalog");
        println!(
            "recovered recording {recording_id}: start {} stop {} (acknowledged {acknowledged}, {sent} messages sent \
             up to {})",
            d.start_position,
            d.stop_position,
            ends[sent - 1]
        );
        assert_eq!(d.start_position, 0);
        assert!(d.stop_position >= acknowledged, "stop {} < acknowledged {acknowledged}", d.stop_position);
        assert!(d.stop_position <= ends[sent - 1], "stop {} beyond what was sent", d.stop_position);
        assert_eq!(archive.get_stop_position(recording_id).unwrap(), d.stop_position);

        // The acknowledged prefix, byte for byte, then everything recovered: a prefix of what was sent.
        let n = count_to(acknowledged);
        let got = replay_messages(&archive, recording_id, acknowledged, n);
        assert_eq!(got, (0..n as u64).collect::<Vec<_>>());
        let n = count_to(d.stop_position);
        let got = replay_messages(&archive, recording_id, d.stop_position, n);
        assert_eq!(got, (0..n as u64).collect::<Vec<_>>());
    });
}

/// 2. The archive is SIGKILLed during a replay to a subscriber on its own `aeronmd`: the replay
///    image goes away within the subscriber driver's image liveness timeout (plus slack), and
///    archive calls fail within the message timeout (plus slack).
#[test]
fn archive_killed_mid_replay_ends_the_replay() {
    bounded("archive_killed_mid_replay", BODY_LIMIT, || {
        let image_liveness = Duration::from_secs(2);
        let mut process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        let md = MediaDriverProcess::start_with_env(&[("AERON_IMAGE_LIVENESS_TIMEOUT", "2s")]).expect("aeronmd");
        // Publisher and recording on the archive's own driver; the recording stays live.
        let (aeron, archive) = process.connect().unwrap();
        let channel = "aeron:ipc?term-length=65536";
        let stream_id = 7201;
        archive.start_recording(&c(channel), stream_id, SOURCE_LOCATION_LOCAL, false).unwrap();
        let publication = aeron.add_exclusive_publication(&c(channel), stream_id, TIMEOUT).unwrap();
        let mut end = 0;
        for i in 0..2_000u64 {
            end = offer_exclusive(&publication, &message(i));
        }
        let recording_id = await_recording_position(&aeron, &archive, publication.session_id(), end);

        // The subscriber and its archive client on the other driver, over UDP.
        let sub_aeron = md.connect().unwrap();
        let sub_archive = AeronArchive::connect(&archive_context(&process, &sub_aeron)).unwrap();
        // Replays what is recorded, then follows the live recording: it would never end.
        let params = AeronArchiveReplayParams::new_default().unwrap().with_position(0);
        let replay = sub_archive.replay(recording_id, &c(&replay_channel()), 7202, &params).expect("replay");
        let mut received = 0u64;
        let poll = |received: &mut u64| {
            replay
                .poll_once(
                    |buf: &[u8], _h: AeronHeader<'_>| {
                        assert_eq!(u64::from_le_bytes(buf[..8].try_into().unwrap()), *received);
                        *received += 1;
                    },
                    256,
                )
                .unwrap()
        };
        assert!(wait_until(TIMEOUT, || {
            poll(&mut received);
            received >= 1_000
        }));

        process.kill();
        let t_kill = Instant::now();
        let gone = wait_until(image_liveness + Duration::from_secs(4), || {
            poll(&mut received);
            replay.image_count().unwrap_or(0) == 0
        });
        let took = t_kill.elapsed();
        assert!(gone, "the replay image is still there {took:?} after the archive died");
        println!("replay image gone {took:?} after the kill ({received} messages received)");
        assert!(!replay.is_connected());
        // Nothing more arrives, and polling the ended replay is fine.
        assert_eq!(poll(&mut received), 0);

        fails_within("stop_replay after the kill", MESSAGE_TIMEOUT + SLACK, || {
            sub_archive.stop_all_replays(recording_id)
        });
        fails_within("get_recording_position after the kill", MESSAGE_TIMEOUT + SLACK, || {
            sub_archive.get_recording_position(recording_id)
        });
        let t0 = Instant::now();
        drop(replay);
        drop(sub_archive);
        drop(sub_aeron);
        drop(publication);
        drop(archive);
        drop(aeron);
        assert!(t0.elapsed() < Duration::from_secs(5), "drops took {:?}", t0.elapsed());
    });
}

/// 3. `aeronmd` is SIGKILLed while a client publishes: within the client's driver timeout (plus
///    the driver's heartbeat period and slack) the client's error handler hears of it, the client
///    closes, offers fail with a closed/not-connected error, blocking adds fail at once, and
///    everything drops without hanging.
#[test]
fn media_driver_killed_while_publishing() {
    bounded("media_driver_killed_while_publishing", BODY_LIMIT, || {
        let driver_timeout = Duration::from_secs(3);
        let mut md = MediaDriverProcess::start().expect("aeronmd");
        let ctx = md.context().unwrap();
        ctx.set_driver_timeout(driver_timeout).unwrap();
        let errors = Arc::new(Mutex::new(Vec::<(i32, String)>::new()));
        let e2 = errors.clone();
        let handler = Handlers::leak(move |code: i32, msg: &str| e2.lock().unwrap().push((code, msg.to_string())));
        ctx.set_error_handler(Some(&handler)).unwrap();
        let aeron = Aeron::connect(&ctx).unwrap();
        let channel = c"aeron:ipc?term-length=65536";
        let sub = aeron
            .add_subscription(channel, 7301, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
            .unwrap();
        let publication = aeron.add_publication(channel, 7301, TIMEOUT).unwrap();
        assert!(wait_until(TIMEOUT, || publication.is_connected()));
        let mut sent = 0u64;
        let mut received = 0u64;
        let drain =
            |received: &mut u64| sub.poll_once(|_b: &[u8], _h: AeronHeader<'_>| *received += 1, 256).unwrap_or(0);
        while sent < 1_000 {
            if publication.offer(&message(sent)).is_ok() {
                sent += 1;
            }
            drain(&mut received);
        }

        md.kill();
        let t_kill = Instant::now();
        // Keep publishing (and consuming) until an offer fails for good.
        let bound = driver_timeout + Duration::from_secs(1) + Duration::from_secs(3);
        let mut last = None;
        let ended = wait_until(bound, || {
            drain(&mut received);
            match publication.offer(&message(sent)) {
                Ok(_) => {
                    sent += 1;
                    false
                }
                Err(e) if e.kind().is_retryable() => false,
                Err(e) => {
                    last = Some(e);
                    true
                }
            }
        });
        let took = t_kill.elapsed();
        assert!(ended, "offers still not failing {took:?} after the driver died");
        let e = last.unwrap();
        println!("offer failed {took:?} after the kill: {e} ({sent} sent, {received} received)");
        assert!(
            matches!(e.kind(), AeronErrorType::PublicationClosed | AeronErrorType::NullOrNotConnected),
            "offer error: {e}"
        );
        assert!(wait_until(SLACK, || aeron.is_closed()), "the client did not close");
        assert!(wait_until(SLACK, || !errors.lock().unwrap().is_empty()), "the error handler was not called");
        let seen = errors.lock().unwrap().clone();
        println!("error handler: {seen:?}");
        assert!(
            seen.iter()
                .any(|(code, msg)| *code == AeronErrorType::ClientErrorDriverTimeout.code()
                    || msg.contains("MediaDriver")),
            "{seen:?}"
        );
        // A blocking add on the closed client fails at once, not at its timeout.
        fails_within("add_publication on the closed client", SLACK, || aeron.add_publication(channel, 7302, TIMEOUT));

        let t0 = Instant::now();
        drop(publication);
        drop(sub);
        drop(aeron);
        drop(ctx);
        println!("dropped everything in {:?}", t0.elapsed());
        assert!(t0.elapsed() < Duration::from_secs(5), "drops took {:?}", t0.elapsed());
    });
}

/// 4. No archive at the control channel: the connect ends with a timed-out error within the
///    message timeout plus one second, and says so (it is not an "invalid channel").
#[test]
fn archive_absent_at_connect_times_out() {
    bounded("archive_absent_at_connect", BODY_LIMIT, || {
        let md = MediaDriverProcess::start().expect("aeronmd");
        let aeron = md.connect().unwrap();
        let ctx = AeronArchiveContext::new().unwrap();
        ctx.set_aeron(&aeron).unwrap();
        let port = find_unused_udp_port(42_000).unwrap();
        ctx.set_control_request_channel(&c(&format!("aeron:udp?endpoint=localhost:{port}"))).unwrap();
        ctx.set_control_response_channel(c"aeron:udp?endpoint=localhost:0").unwrap();
        ctx.set_message_timeout(MESSAGE_TIMEOUT).unwrap();
        let (e, took) =
            fails_within("connect without an archive", MESSAGE_TIMEOUT + SLACK, || AeronArchive::connect(&ctx));
        assert!(took >= MESSAGE_TIMEOUT - Duration::from_millis(100), "gave up early: {took:?}");
        let text = e.to_string();
        assert_eq!(e.kind(), AeronErrorType::TimedOut, "{text}");
        assert!(text.contains("archive connect timeout") && text.contains("timed out"), "{text}");
        assert!(!text.contains("invalid channel"), "{text}");

        let connect = AeronArchive::async_connect(&ctx).unwrap();
        let (e, _) = fails_within("async connect without an archive", MESSAGE_TIMEOUT + SLACK, || {
            connect.poll_blocking(TIMEOUT)
        });
        assert_eq!(e.kind(), AeronErrorType::TimedOut, "{e}");
    });
}

/// Task B: the media driver dies, then an archive connect is attempted on a client of it. C's
/// connect used to spin forever (its session-id step has no deadline); now both the blocking and
/// the async connect fail within the message timeout plus one second, and once the client has
/// timed the driver out, at once.
#[test]
fn archive_connect_on_a_dead_media_driver_fails_within_the_message_timeout() {
    bounded("archive_connect_on_a_dead_media_driver", BODY_LIMIT, || {
        let mut md = MediaDriverProcess::start().expect("aeronmd");
        let ctx = md.context().unwrap();
        let driver_timeout = Duration::from_secs(4);
        ctx.set_driver_timeout(driver_timeout).unwrap();
        let aeron = Aeron::connect(&ctx).unwrap();
        let archive_ctx = AeronArchiveContext::new().unwrap();
        archive_ctx.set_aeron(&aeron).unwrap();
        let port = find_unused_udp_port(42_000).unwrap();
        archive_ctx.set_control_request_channel(&c(&format!("aeron:udp?endpoint=localhost:{port}"))).unwrap();
        archive_ctx.set_control_response_channel(c"aeron:udp?endpoint=localhost:0").unwrap();
        archive_ctx.set_message_timeout(MESSAGE_TIMEOUT).unwrap();

        md.kill();
        // The scenario of the report: the connect starts ~700 ms after the driver died, long
        // before the client notices (its driver timeout is 4 s).
        std::thread::sleep(Duration::from_millis(700));
        assert!(!aeron.is_closed());
        let (e, _) = fails_within("connect after the driver died", MESSAGE_TIMEOUT + SLACK, || {
            AeronArchive::connect(&archive_ctx)
        });
        assert_eq!(e.kind(), AeronErrorType::TimedOut, "{e}");
        assert!(e.to_string().contains("media driver did not answer"), "{e}");

        let (e, _) = fails_within("async connect after the driver died", MESSAGE_TIMEOUT + SLACK, || {
            AeronArchiveAsyncConnect::new(&archive_ctx).and_then(|connect| connect.poll_blocking(TIMEOUT))
        });
        assert!(matches!(e.kind(), AeronErrorType::TimedOut | AeronErrorType::ClientErrorDriverTimeout), "{e}");

        // Once the client has timed the driver out, the connect fails at once.
        assert!(wait_until(driver_timeout + Duration::from_secs(3), || aeron.is_closed()), "the client did not close");
        let (e, _) = fails_within("connect on the closed client", SLACK, || AeronArchive::connect(&archive_ctx));
        assert_eq!(e.kind(), AeronErrorType::ClientErrorDriverTimeout, "{e}");
        let (e, _) = fails_within("async connect on the closed client", SLACK, || {
            AeronArchiveAsyncConnect::new(&archive_ctx).and_then(|connect| connect.poll_blocking(TIMEOUT))
        });
        assert_eq!(e.kind(), AeronErrorType::ClientErrorDriverTimeout, "{e}");
    });
}

/// 5. A replay merge whose subscriber runs on its own `aeronmd` that drops incoming data frames
///    at random (Aeron's `loss` interceptor): every message still arrives once, in order, and the
///    subscriber's driver did send NAKs (so loss really happened).
#[test]
fn replay_merge_survives_udp_loss() {
    bounded("replay_merge_survives_udp_loss", BODY_LIMIT, || {
        let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        // recv-msg-mask 0x2: only DATA frames (type 1) are dropped, 5% of them, reproducibly.
        let md = MediaDriverProcess::start_with_env(&[
            ("AERON_UDP_CHANNEL_INCOMING_INTERCEPTORS", "loss"),
            ("AERON_UDP_CHANNEL_TRANSPORT_BINDINGS_LOSS_ARGS", "rate=0.05|seed=7|recv-msg-mask=0x2"),
        ])
        .expect("lossy aeronmd");
        let (aeron, archive) = process.connect().unwrap();
        let control_port = find_unused_udp_port(42_000).unwrap();
        let live_port = find_unused_udp_port(42_000).unwrap();
        let replay_port = find_unused_udp_port(42_000).unwrap();
        let stream_id = 7501;
        let publication_channel =
            format!("aeron:udp?control-mode=dynamic|control=localhost:{control_port}|term-length=65536");
        let live_destination = format!("aeron:udp?endpoint=localhost:{live_port}|control=localhost:{control_port}");
        let replay_destination = format!("aeron:udp?endpoint=localhost:{replay_port}");

        let publication = aeron.add_exclusive_publication(&c(&publication_channel), stream_id, TIMEOUT).unwrap();
        let sub_id =
            archive.start_recording(&c(&publication_channel), stream_id, SOURCE_LOCATION_LOCAL, false).unwrap();
        let initial = 3_000u64;
        let mut end = 0;
        for i in 0..initial {
            end = offer_exclusive(&publication, &message(i));
        }
        let recording_id = await_recording_position(&aeron, &archive, publication.session_id(), end);

        // The subscriber side: its own client and archive client, on the lossy driver.
        let sub_aeron = md.connect().unwrap();
        let sub_archive = AeronArchive::connect(&archive_context(&process, &sub_aeron)).unwrap();
        let subscription = add_subscription(&sub_aeron, "aeron:udp?control-mode=manual", stream_id);
        let merge = AeronArchiveReplayMerge::new(
            &subscription,
            &sub_archive,
            &c(&format!("aeron:udp?session-id={}", publication.session_id())),
            &c(&replay_destination),
            &c(&live_destination),
            recording_id,
            0,
            AeronArchiveReplayMerge::epoch_clock_ms(),
            REPLAY_MERGE_PROGRESS_TIMEOUT_DEFAULT_MS,
        )
        .expect("replay merge");

        let total = 20_000u64;
        let mut sent = initial;
        let mut received = Vec::with_capacity(total as usize);
        let mut corrupt = 0u64;
        let deadline = Instant::now() + Duration::from_secs(90);
        while (received.len() as u64) < total || !merge.is_merged() {
            assert!(
                Instant::now() < deadline,
                "merge stuck: merged={} live_added={} received={} sent={sent}",
                merge.is_merged(),
                merge.is_live_added(),
                received.len()
            );
            assert!(!merge.has_failed(), "merge failed after {} messages", received.len());
            if sent < total && publication.offer(&message(sent)).is_ok() {
                sent += 1;
            }
            let n = merge
                .poll_once(
                    |buf: &[u8], _h: AeronHeader<'_>| {
                        let i = u64::from_le_bytes(buf[..8].try_into().unwrap());
                        if buf != message(i) {
                            corrupt += 1;
                        }
                        received.push(i);
                    },
                    64,
                )
                .unwrap();
            if n == 0 {
                std::thread::yield_now();
            }
        }
        assert_eq!(corrupt, 0);
        assert_eq!(received.len() as u64, total, "no message twice");
        assert!(received.iter().enumerate().all(|(k, &i)| k as u64 == i), "every message once, in order");
        let naks =
            counters_reader_of(&sub_aeron).get_counter_value(AeronSystemCounterType::NakMessagesSent.id()).unwrap();
        println!("replay merge under 5% loss: {total} messages in order, {naks} NAKs sent by the subscriber's driver");
        assert!(naks > 0, "no NAKs: the loss interceptor dropped nothing");
        drop(merge);
        drop(subscription);
        archive.stop_recording_subscription(sub_id).unwrap();
    });
}

/// The merge progress timeout of the replay merge cases.
const MERGE_PROGRESS_TIMEOUT: Duration = Duration::from_secs(2);

/// A recorded UDP stream on `process`'s driver and a replay merge of it from position 0 on a
/// client of `sub_aeron` (the subscriber's own driver), mid-replay: it has received some
/// messages and is still catching up. Returns the merge, its subscription, the publisher's
/// pieces (kept alive) and the number of messages received.
struct MergeSetup {
    merge: AeronArchiveReplayMerge,
    _subscription: AeronSubscription,
    received: u64,
    _sub_archive: AeronArchive,
    _publication: AeronExclusivePublication,
    _archive: AeronArchive,
    _aeron: Aeron,
}

fn merge_mid_replay(process: &EmbeddedArchiveMediaDriverProcess, sub_aeron: &Aeron, stream_id: i32) -> MergeSetup {
    merge_mid_replay_with(process, sub_aeron, stream_id, MERGE_PROGRESS_TIMEOUT)
}

fn merge_mid_replay_with(
    process: &EmbeddedArchiveMediaDriverProcess,
    sub_aeron: &Aeron,
    stream_id: i32,
    progress_timeout: Duration,
) -> MergeSetup {
    let (aeron, archive) = process.connect().unwrap();
    let control_port = find_unused_udp_port(42_000).unwrap();
    let live_port = find_unused_udp_port(42_000).unwrap();
    let replay_port = find_unused_udp_port(42_000).unwrap();
    let publication_channel =
        format!("aeron:udp?control-mode=dynamic|control=localhost:{control_port}|term-length=65536");
    let publication = aeron.add_exclusive_publication(&c(&publication_channel), stream_id, TIMEOUT).unwrap();
    archive.start_recording(&c(&publication_channel), stream_id, SOURCE_LOCATION_LOCAL, false).unwrap();
    let mut end = 0;
    for i in 0..50_000u64 {
        end = offer_exclusive(&publication, &message(i));
    }
    let recording_id = await_recording_position(&aeron, &archive, publication.session_id(), end);
    let sub_archive = AeronArchive::connect(&archive_context(process, sub_aeron)).unwrap();
    let subscription = add_subscription(sub_aeron, "aeron:udp?control-mode=manual", stream_id);
    let merge = AeronArchiveReplayMerge::new(
        &subscription,
        &sub_archive,
        &c(&format!("aeron:udp?session-id={}", publication.session_id())),
        &c(&format!("aeron:udp?endpoint=localhost:{replay_port}")),
        &c(&format!("aeron:udp?endpoint=localhost:{live_port}|control=localhost:{control_port}")),
        recording_id,
        0,
        AeronArchiveReplayMerge::epoch_clock_ms(),
        progress_timeout.as_millis() as i64,
    )
    .expect("replay merge");
    let mut received = 0u64;
    assert!(wait_until(TIMEOUT, || {
        merge
            .poll_once(
                |buf: &[u8], _h: AeronHeader<'_>| {
                    assert_eq!(u64::from_le_bytes(buf[..8].try_into().unwrap()), received);
                    received += 1;
                },
                4,
            )
            .expect("merge poll before the fault");
        received >= 1_000
    }));
    assert!(!merge.is_merged() && !merge.has_failed(), "the merge is still replaying");
    MergeSetup {
        merge,
        _subscription: subscription,
        received,
        _sub_archive: sub_archive,
        _publication: publication,
        _archive: archive,
        _aeron: aeron,
    }
}

/// Polls `merge` until a poll fails; returns the error and how long after `since` it came.
fn poll_merge_until_failed(
    merge: &AeronArchiveReplayMerge,
    bound: Duration,
    since: Instant,
) -> (AeronCError, Duration) {
    let mut failure = None;
    let failed = wait_until(bound, || match merge.poll_once(|_b: &[u8], _h: AeronHeader<'_>| {}, 16) {
        Ok(_) => false,
        Err(e) => {
            failure = Some(e);
            true
        }
    });
    let took = since.elapsed();
    assert!(failed, "the merge still has not failed {took:?} after the fault");
    assert!(merge.has_failed());
    (failure.unwrap(), took)
}

/// 6. The archive is SIGKILLed while a replay merge replays: the merge's poll fails within its
///    merge progress timeout (plus slack), `has_failed` says so, further polls keep failing at
///    once, and the merge drops without hanging.
#[test]
fn replay_merge_fails_within_its_progress_timeout_when_the_archive_dies() {
    bounded("replay_merge_archive_killed", BODY_LIMIT, || {
        let mut process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        let md = MediaDriverProcess::start().expect("aeronmd");
        let sub_aeron = md.connect().unwrap();
        let setup = merge_mid_replay(&process, &sub_aeron, 7601);
        process.kill();
        let t_kill = Instant::now();
        let (e, took) =
            poll_merge_until_failed(&setup.merge, MERGE_PROGRESS_TIMEOUT + SLACK + Duration::from_secs(1), t_kill);
        println!(
            "replay merge (archive killed after {} messages): poll failed {took:?} after the kill: {e}",
            setup.received
        );
        assert!(took < MERGE_PROGRESS_TIMEOUT + SLACK, "{took:?}");
        let (e2, _) = fails_within("a poll of the failed merge", SLACK, || {
            setup.merge.poll_once(|_b: &[u8], _h: AeronHeader<'_>| {}, 16)
        });
        println!("  then: {e2}");
        let t0 = Instant::now();
        drop(setup);
        drop(sub_aeron);
        println!("  dropped in {:?}", t0.elapsed());
        assert!(t0.elapsed() < Duration::from_secs(5), "drops took {:?}", t0.elapsed());
    });
}

/// 7. The subscriber's own `aeronmd` is SIGKILLed while a replay merge replays: the poll fails
///    within the merge progress timeout (plus slack), and the merge, its subscription and the
///    client drop without hanging, both before the client noticed the driver's death (its
///    driver timeout is longer than the progress timeout) and after.
#[test]
fn replay_merge_fails_within_its_progress_timeout_when_its_media_driver_dies() {
    bounded("replay_merge_driver_killed", BODY_LIMIT, || {
        let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        let mut md = MediaDriverProcess::start().expect("aeronmd");
        let driver_timeout = Duration::from_secs(4);
        let ctx = md.context().unwrap();
        ctx.set_driver_timeout(driver_timeout).unwrap();
        let sub_aeron = Aeron::connect(&ctx).unwrap();
        let setup = merge_mid_replay(&process, &sub_aeron, 7701);
        md.kill();
        let t_kill = Instant::now();
        let (e, took) =
            poll_merge_until_failed(&setup.merge, MERGE_PROGRESS_TIMEOUT + SLACK + Duration::from_secs(1), t_kill);
        println!(
            "replay merge (its driver killed after {} messages): poll failed {took:?} after the kill: {e}",
            setup.received
        );
        assert!(took < MERGE_PROGRESS_TIMEOUT + SLACK, "{took:?}");
        // Dropped while the client still believes in its driver: the close must not wait for
        // an answer that cannot come.
        assert!(!sub_aeron.is_closed(), "the client noticed already: the case is not covered");
        let t0 = Instant::now();
        drop(setup);
        println!("  merge dropped {:?} after the kill, in {:?}", t_kill.elapsed(), t0.elapsed());
        assert!(t0.elapsed() < driver_timeout + SLACK, "the drop took {:?}", t0.elapsed());
        assert!(wait_until(driver_timeout + Duration::from_secs(3), || sub_aeron.is_closed()));
        let t0 = Instant::now();
        drop(sub_aeron);
        drop(ctx);
        assert!(t0.elapsed() < Duration::from_secs(5), "drops took {:?}", t0.elapsed());
    });
}

/// 7b. Like 7, with a merge progress timeout of an hour: the merge fails once its client has
///     timed the driver out (within the driver timeout plus the client's keepalive interval and
///     slack), with `ClientErrorDriverTimeout`, instead of an hour later.
#[test]
fn replay_merge_with_a_long_progress_timeout_fails_when_its_client_closes() {
    bounded("replay_merge_long_timeout_driver_killed", BODY_LIMIT, || {
        let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        let mut md = MediaDriverProcess::start().expect("aeronmd");
        let driver_timeout = Duration::from_secs(3);
        let ctx = md.context().unwrap();
        ctx.set_driver_timeout(driver_timeout).unwrap();
        let sub_aeron = Aeron::connect(&ctx).unwrap();
        let setup = merge_mid_replay_with(&process, &sub_aeron, 7751, Duration::from_secs(3600));
        md.kill();
        let t_kill = Instant::now();
        let bound = driver_timeout + Duration::from_secs(1) + SLACK;
        let (e, took) = poll_merge_until_failed(&setup.merge, bound + Duration::from_secs(2), t_kill);
        println!(
            "replay merge with a 1 h progress timeout (its driver killed): poll failed {took:?} after the kill: {e}"
        );
        assert!(took < bound, "{took:?}");
        assert_eq!(e.kind(), AeronErrorType::ClientErrorDriverTimeout, "{e}");
        assert!(sub_aeron.is_closed());
        let t0 = Instant::now();
        drop(setup);
        drop(sub_aeron);
        drop(ctx);
        assert!(t0.elapsed() < Duration::from_secs(5), "drops took {:?}", t0.elapsed());
    });
}

/// Errors a persistent subscription's listener heard, with when.
type Heard = Arc<Mutex<Vec<(Instant, i32, String)>>>;

struct PsListener(Heard);
impl AeronArchivePersistentSubscriptionListener for PsListener {
    fn on_error(&mut self, errcode: i32, message: &str) {
        self.0.lock().unwrap().push((Instant::now(), errcode, message.to_string()));
    }
}

/// A persistent subscription, on a client of `sub_aeron`, of a recorded live UDP stream on
/// `process`'s driver, replaying from the start; polled until it has some messages.
fn persistent_subscription_mid_replay(
    process: &EmbeddedArchiveMediaDriverProcess,
    sub_aeron: &Aeron,
    stream_id: i32,
    heard: &Heard,
) -> (AeronArchivePersistentSubscription, u64, AeronExclusivePublication, AeronArchive, Aeron) {
    let (aeron, archive) = process.connect().unwrap();
    let control_port = find_unused_udp_port(43_000).unwrap();
    let live = format!("aeron:udp?control-mode=dynamic|control=localhost:{control_port}|term-length=65536");
    let publication = aeron.add_exclusive_publication(&c(&live), stream_id, TIMEOUT).unwrap();
    archive.start_recording(&c(&live), stream_id, SOURCE_LOCATION_LOCAL, false).unwrap();
    let mut end = 0;
    for i in 0..50_000u64 {
        end = offer_exclusive(&publication, &message(i));
    }
    let recording_id = await_recording_position(&aeron, &archive, publication.session_id(), end);
    let ctx = AeronArchivePersistentSubscriptionContext::new().unwrap();
    ctx.set_aeron(sub_aeron).unwrap();
    ctx.set_archive_context(&archive_context(process, sub_aeron)).unwrap();
    ctx.set_recording_id(recording_id).unwrap();
    ctx.set_live_channel(&c(&format!("aeron:udp?control-mode=dynamic|control=localhost:{control_port}"))).unwrap();
    ctx.set_live_stream_id(stream_id).unwrap();
    ctx.set_replay_channel(c"aeron:udp?endpoint=localhost:0").unwrap();
    ctx.set_replay_stream_id(stream_id + 1).unwrap();
    ctx.set_start_position(AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START).unwrap();
    ctx.set_listener(&Handler::leak(PsListener(heard.clone()))).unwrap();
    let mut ps = AeronArchivePersistentSubscription::create(&ctx).expect("create");
    let mut received = 0u64;
    assert!(wait_until(TIMEOUT, || {
        ps.poll_once(
            |buf: &[u8], _h: AeronHeader<'_>| {
                assert_eq!(u64::from_le_bytes(buf[..8].try_into().unwrap()), received);
                received += 1;
            },
            4,
        )
        .expect("persistent subscription poll before the fault");
        received >= 1_000
    }));
    assert!(ps.is_replaying(), "still replaying");
    (ps, received, publication, archive, aeron)
}

/// 8. The archive (and with it the live stream's driver) is SIGKILLed while a persistent
///    subscription replays: it does not fail (it retries, waiting for the archive to come back),
///    but its listener hears of it (a connect timeout) within the subscriber driver's image
///    liveness timeout plus twice the message timeout (plus slack), polls keep returning at
///    once; when the archive is restarted on the same directories the subscription reconnects
///    by itself and delivers the rest of the recording, continuing the sequence exactly; it
///    drops without hanging.
#[test]
fn persistent_subscription_reports_a_dead_archive_within_the_message_timeout() {
    bounded("persistent_subscription_archive_killed", BODY_LIMIT, || {
        let image_liveness = Duration::from_secs(2);
        let mut process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        let md = MediaDriverProcess::start_with_env(&[("AERON_IMAGE_LIVENESS_TIMEOUT", "2s")]).expect("aeronmd");
        let sub_aeron = md.connect().unwrap();
        let heard: Heard = Arc::default();
        let (mut ps, received, publication, archive, aeron) =
            persistent_subscription_mid_replay(&process, &sub_aeron, 7801, &heard);
        heard.lock().unwrap().clear();
        // Every message from here on is checked to continue the sequence: none lost, none twice.
        let next = std::cell::Cell::new(received);
        let out_of_sequence = std::cell::RefCell::new(Vec::new());
        let consume = |ps: &mut AeronArchivePersistentSubscription| {
            ps.poll_once(
                |buf: &[u8], _h: AeronHeader<'_>| {
                    let i = u64::from_le_bytes(buf[..8].try_into().unwrap());
                    if i != next.get() || buf != message(i) {
                        out_of_sequence.borrow_mut().push((next.get(), i));
                    }
                    next.set(i + 1);
                },
                16,
            )
        };
        process.kill();
        let t_kill = Instant::now();
        // The replay image (and the archive's control response image) go away after the
        // subscriber driver's image liveness timeout; the subscription's archive client notices
        // then and reconnects, and that connect times out after the message timeout: the first
        // report (measured: 5.5 s with these settings). Allowed: twice the message timeout.
        let bound = image_liveness + 2 * MESSAGE_TIMEOUT + SLACK;
        let reported = wait_until(bound + Duration::from_secs(10), || {
            consume(&mut ps).expect("poll after the kill");
            !heard.lock().unwrap().is_empty() || ps.has_failed()
        });
        let took = t_kill.elapsed();
        let first = heard.lock().unwrap().first().cloned();
        println!(
            "persistent subscription (archive killed after {received} messages): reported={reported} after {took:?}: \
             first error {:?}, failed={:?}, replaying={}",
            first.as_ref().map(|(at, code, msg)| (at.duration_since(t_kill), code, msg)),
            ps.failure_reason(),
            ps.is_replaying()
        );
        assert!(reported, "nothing reported {took:?} after the archive died");
        let at = first.map(|(at, ..)| at.duration_since(t_kill)).unwrap_or(took);
        assert!(at < bound, "first report {at:?} after the kill");
        // Polls keep returning while it waits for the archive (each one bounded).
        let t0 = Instant::now();
        let mut polls = 0;
        while t0.elapsed() < Duration::from_millis(500) {
            consume(&mut ps).expect("poll while the archive is gone");
            polls += 1;
        }
        println!("  {polls} polls in 500 ms while the archive is gone; errors heard: {}", heard.lock().unwrap().len());
        // The archive comes back on the same directories: the subscription reconnects by itself
        // and replays the rest of the (recovered) recording, continuing where it stopped.
        let t0 = Instant::now();
        process.restart().expect("restart");
        let caught_up = wait_until(Duration::from_secs(30), || {
            consume(&mut ps).expect("poll after the restart");
            next.get() >= 50_000
        });
        let (next, out_of_sequence) = (next.get(), out_of_sequence.into_inner());
        println!(
            "  after the restart ({:?}): {} messages in all, {} out of sequence, replaying={} failed={:?}",
            t0.elapsed(),
            next,
            out_of_sequence.len(),
            ps.is_replaying(),
            ps.failure_reason()
        );
        assert!(caught_up, "the subscription did not resume after the restart: {next} of 50000");
        assert!(out_of_sequence.is_empty(), "{:?}", &out_of_sequence[..out_of_sequence.len().min(10)]);
        let t0 = Instant::now();
        drop(ps);
        drop(publication);
        drop(archive);
        drop(aeron);
        drop(sub_aeron);
        assert!(t0.elapsed() < Duration::from_secs(5), "drops took {:?}", t0.elapsed());
    });
}

/// 9. The persistent subscription's own `aeronmd` is SIGKILLed while it replays: once its client
///    times the driver out, the subscription fails for good (`has_failed`, with a reason) within
///    the driver timeout plus the message timeout (plus slack); polls return at once, and it
///    drops without hanging.
#[test]
fn persistent_subscription_fails_when_its_media_driver_dies() {
    bounded("persistent_subscription_driver_killed", BODY_LIMIT, || {
        let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        let mut md = MediaDriverProcess::start().expect("aeronmd");
        let driver_timeout = Duration::from_secs(3);
        let ctx = md.context().unwrap();
        ctx.set_driver_timeout(driver_timeout).unwrap();
        let sub_aeron = Aeron::connect(&ctx).unwrap();
        let heard: Heard = Arc::default();
        let (mut ps, received, publication, archive, aeron) =
            persistent_subscription_mid_replay(&process, &sub_aeron, 7901, &heard);
        md.kill();
        let t_kill = Instant::now();
        let bound = driver_timeout + MESSAGE_TIMEOUT + SLACK;
        let failed = wait_until(bound + Duration::from_secs(2), || {
            let _ = ps.poll_once(|_b: &[u8], _h: AeronHeader<'_>| {}, 16);
            ps.has_failed()
        });
        let took = t_kill.elapsed();
        println!(
            "persistent subscription (its driver killed after {received} messages): failed={failed} after {took:?}: \
             {:?}; client closed: {}; errors heard: {:?}",
            ps.failure_reason(),
            sub_aeron.is_closed(),
            heard
                .lock()
                .unwrap()
                .iter()
                .map(|(at, c, m)| (at.duration_since(t_kill), *c, m.clone()))
                .collect::<Vec<_>>()
        );
        assert!(failed, "not failed {took:?} after its driver died");
        assert!(took < bound, "{took:?}");
        let t0 = Instant::now();
        let _ = ps.poll_once(|_b: &[u8], _h: AeronHeader<'_>| {}, 16);
        assert!(t0.elapsed() < SLACK, "a poll of the failed subscription took {:?}", t0.elapsed());
        let t0 = Instant::now();
        drop(ps);
        drop(sub_aeron);
        drop(ctx);
        drop(publication);
        drop(archive);
        drop(aeron);
        assert!(t0.elapsed() < Duration::from_secs(5), "drops took {:?}", t0.elapsed());
    });
}

/// The payload of the large messages of the torn frame case: a 6048-byte frame, longer than a
/// 4 KiB page, so the last frame always straddles a page boundary (the only case the Java
/// archive's recovery checks).
const LARGE: usize = 6016;
const LARGE_FRAME: i64 = 32 + LARGE as i64;
const PAGE: i64 = 4096;

/// Large message `i`: its number, then non-zero bytes derived from it; with `zero_from`, the
/// bytes from that payload offset on are zeros (a genuine message that looks like a torn one).
fn large_message(i: u64, zero_from: Option<usize>) -> Vec<u8> {
    let mut m = vec![0u8; LARGE];
    m[..8].copy_from_slice(&i.to_le_bytes());
    for (k, b) in m[8..].iter_mut().enumerate() {
        *b = 1 + ((i as usize * 7 + k) % 250) as u8;
    }
    if let Some(z) = zero_from {
        m[z..].fill(0);
    }
    m
}

/// How a crash leaves the last frame on disk.
#[derive(Clone, Copy, Debug, PartialEq)]
enum LastFrame {
    /// Torn: the pages after its first page boundary never reached the file (zeros).
    TornZeros,
    /// Torn: those pages hold stale bytes (not the frame's).
    TornStale,
    /// Complete, but its payload after the page boundary is genuinely all zeros.
    CompleteZeroTail,
}

/// What the archive made of the last frame after a restart.
#[derive(Debug, PartialEq)]
enum Recovered {
    /// It refused to start ("potentially incomplete last fragment straddling page boundary").
    Refused,
    /// It started and counted the frame as recorded; `intact` says whether the replayed
    /// message is the one sent, `replayed` how many of the recording's messages came back.
    Counted { intact: bool, replayed: usize },
    /// It started and cut the frame off.
    Dropped,
}

/// Records `count` large messages (the last one shaped by `case`), SIGKILLs the archive once
/// the recording counter reported all of them, shapes the last frame on disk as `case` says,
/// restarts the archive on the same directories and reports what it recovered. A refusal is
/// repaired (the last frame cut off) and the archive started again, so the next case can run.
fn torn_frame_case(process: &mut EmbeddedArchiveMediaDriverProcess, case: LastFrame, stream_id: i32) -> Recovered {
    let aeron = process.connect_aeron().unwrap();
    let archive = AeronArchive::connect(&archive_context(process, &aeron)).unwrap();
    let channel = "aeron:ipc?term-length=1m|mtu=8192";
    archive.start_recording(&c(channel), stream_id, SOURCE_LOCATION_LOCAL, false).unwrap();
    let publication = aeron.add_exclusive_publication(&c(channel), stream_id, TIMEOUT).unwrap();
    let count = 40u64;
    let last_start = (count as i64 - 1) * LARGE_FRAME;
    // The first page boundary inside the last frame, as a payload offset.
    let boundary = (last_start / PAGE + 1) * PAGE;
    let zero_from = (boundary - last_start - 32) as usize;
    let mut end = 0;
    for i in 0..count {
        let shaped = (i == count - 1 && case == LastFrame::CompleteZeroTail).then_some(zero_from);
        end = offer_exclusive(&publication, &large_message(i, shaped));
    }
    assert_eq!(end, count as i64 * LARGE_FRAME);
    let recording_id = await_recording_position(&aeron, &archive, publication.session_id(), end);
    process.kill();
    drop(publication);
    drop(archive);
    drop(aeron);

    let segment = std::path::Path::new(process.archive_dir()).join(format!("{recording_id}-0.rec"));
    let mut bytes = std::fs::read(&segment).expect("segment file");
    let torn = boundary as usize..end as usize;
    match case {
        LastFrame::TornZeros => bytes[torn].fill(0),
        LastFrame::TornStale => bytes[torn].fill(0xA5),
        LastFrame::CompleteZeroTail => {}
    }
    std::fs::write(&segment, &bytes).unwrap();

    if let Err(e) = process.restart() {
        let text = e.to_string();
        assert!(text.contains("straddling page boundary"), "the restart failed otherwise: {text}");
        // The repair `ArchiveTool verify` would make: the last frame cut off.
        bytes[last_start as usize..end as usize].fill(0);
        std::fs::write(&segment, &bytes).unwrap();
        process.restart().expect("restart after the repair");
        return Recovered::Refused;
    }
    let (_aeron, archive) = process.connect().unwrap();
    let stop = archive.get_stop_position(recording_id).unwrap();
    if stop < end {
        assert_eq!(stop, last_start, "only the last frame may go");
        return Recovered::Dropped;
    }
    assert_eq!(stop, end);
    let params = AeronArchiveReplayParams::new_default().unwrap().with_position(0).with_length(end);
    let sub = archive.replay(recording_id, &c(&replay_channel()), stream_id + 1, &params).expect("replay");
    let mut replayed = Vec::new();
    let mut ended_at = None;
    wait_until(Duration::from_secs(10), || {
        let n = sub.poll_once(|buf: &[u8], _h: AeronHeader<'_>| replayed.push(buf.to_vec()), 64).unwrap_or(0);
        if n == 0 && !replayed.is_empty() && sub.image_count().unwrap_or(0) == 0 {
            ended_at.get_or_insert(replayed.len());
        }
        replayed.len() == count as usize || ended_at.is_some()
    });
    let intact = replayed.len() == count as usize
        && replayed.last().map(|m| m.as_slice())
            == Some(large_message(count - 1, (case == LastFrame::CompleteZeroTail).then_some(zero_from)).as_slice());
    Recovered::Counted { intact, replayed: replayed.len() }
}

/// 10. A crash that tears the last recorded frame, with and without the record checksum: the
///     Java archive's recovery checks only a last frame that straddles a page boundary; it is
///     valid when its checksum matches (record checksum on) or when every page after the
///     boundary holds some non-zero byte. What each shape of last frame becomes, measured.
#[test]
fn torn_last_frame_with_and_without_the_record_checksum() {
    bounded("torn_last_frame", BODY_LIMIT, || {
        let cases = [LastFrame::TornZeros, LastFrame::TornStale, LastFrame::CompleteZeroTail];
        let mut results = Vec::new();
        for checksum in [false, true] {
            let mut props = vec![];
            if checksum {
                props.push((RECORD_CHECKSUM_PROP, CRC32_CHECKSUM));
                props.push((REPLAY_CHECKSUM_PROP, CRC32_CHECKSUM));
            }
            let mut process = EmbeddedArchiveMediaDriverProcess::start_with(&props).expect("archive");
            for (k, case) in cases.iter().enumerate() {
                let t0 = Instant::now();
                let r = torn_frame_case(&mut process, *case, 7950 + 10 * k as i32 + if checksum { 100 } else { 0 });
                println!(
                    "record checksum {}: last frame {case:?} -> {r:?} ({:?})",
                    if checksum { "CRC-32" } else { "off" },
                    t0.elapsed()
                );
                results.push((checksum, *case, r));
            }
        }
        let of = |checksum: bool, case: LastFrame| &results.iter().find(|r| r.0 == checksum && r.1 == case).unwrap().2;
        // A torn frame whose missing pages read as zeros: refused either way.
        assert_eq!(of(false, LastFrame::TornZeros), &Recovered::Refused);
        assert_eq!(of(true, LastFrame::TornZeros), &Recovered::Refused);
        // A torn frame over stale bytes: counted as recorded either way (the checksum is not
        // what decides when the pages hold data); its replay is not the message sent.
        assert!(matches!(of(false, LastFrame::TornStale), Recovered::Counted { intact: false, .. }));
        assert!(matches!(of(true, LastFrame::TornStale), Recovered::Counted { intact: false, .. }));
        // A complete frame whose tail is zeros: refused without the checksum (a false alarm),
        // kept with it.
        assert_eq!(of(false, LastFrame::CompleteZeroTail), &Recovered::Refused);
        assert!(matches!(of(true, LastFrame::CompleteZeroTail), Recovered::Counted { intact: true, .. }));
    });
}

// ---------------------------------------------------------------------------------------------
// Freeze stress (issue 25): the subscriber's own `aeronmd` is stopped (SIGSTOP: a VM stall, a
// debugger, swap) or killed (SIGKILL) at a random moment 0-6 ms into a call, each round with a
// fresh driver. Every call must return (with its result or an error) within the message
// timeout plus the client's driver timeout plus a margin, and everything it made must drop
// within that bound too. Aeron's C used to loop forever in these windows; the sys crate's
// patches bound those loops. `cargo test` runs FREEZE_ROUNDS_DEFAULT rounds per call kind and
// signal; `just freeze-stress` runs 60 (RUSTERON_FREEZE_ROUNDS).

/// The stressed clients' message timeout and driver timeout.
const FREEZE_MESSAGE_TIMEOUT: Duration = Duration::from_secs(1);
const FREEZE_DRIVER_TIMEOUT: Duration = Duration::from_secs(1);
/// What a round may take beyond both timeouts (a loaded machine, the client's keepalive check).
const FREEZE_MARGIN: Duration = Duration::from_secs(3);
/// Rounds per call kind and signal under `cargo test`.
const FREEZE_ROUNDS_DEFAULT: usize = 3;

fn freeze_bound() -> Duration {
    FREEZE_MESSAGE_TIMEOUT + FREEZE_DRIVER_TIMEOUT + FREEZE_MARGIN
}

fn freeze_rounds() -> usize {
    std::env::var("RUSTERON_FREEZE_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(FREEZE_ROUNDS_DEFAULT)
}

/// A small xorshift generator; the seed is printed so a failing round can be replayed
/// (`RUSTERON_FREEZE_SEED`).
struct Rng(u64);
impl Rng {
    fn seeded(what: &str) -> Rng {
        let seed = std::env::var("RUSTERON_FREEZE_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
        });
        println!("{what}: seed {seed} (RUSTERON_FREEZE_SEED)");
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A freeze point in [0, 6 ms).
    fn freeze_point(&mut self) -> Duration {
        Duration::from_micros(self.next() % 6_000)
    }
}

#[derive(Clone, Copy, Debug)]
enum Fault {
    Stop,
    Kill,
}

impl Fault {
    fn signal(self) -> i32 {
        match self {
            Fault::Stop => libc::SIGSTOP,
            Fault::Kill => libc::SIGKILL,
        }
    }
}

/// Sends `fault`'s signal to `pid` `after` from now, on its own thread.
fn fault_after(pid: u32, fault: Fault, after: Duration) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        std::thread::sleep(after);
        unsafe { libc::kill(pid as i32, fault.signal()) };
    })
}

/// A fresh `aeronmd` and a client of it with [`FREEZE_DRIVER_TIMEOUT`]. On a loaded machine a
/// fresh driver can take longer than that timeout to initialise its CnC file, which fails the
/// client's start ("CnC file is created but not initialised"): the start is retried until
/// [`TIMEOUT`].
fn freeze_driver() -> (MediaDriverProcess, Aeron) {
    let md = MediaDriverProcess::start().expect("aeronmd");
    let ctx = md.context().unwrap();
    ctx.set_driver_timeout(FREEZE_DRIVER_TIMEOUT).unwrap();
    let deadline = Instant::now() + TIMEOUT;
    loop {
        match Aeron::connect(&ctx) {
            Ok(aeron) => return (md, aeron),
            Err(e) => assert!(Instant::now() < deadline, "no client of a fresh aeronmd within {TIMEOUT:?}: {e}"),
        }
    }
}

fn freeze_archive_context(process: &EmbeddedArchiveMediaDriverProcess, aeron: &Aeron) -> AeronArchiveContext {
    let ctx = process.archive_context(aeron).unwrap();
    ctx.set_message_timeout(FREEZE_MESSAGE_TIMEOUT).unwrap();
    ctx
}

/// The slowest round of one call kind and signal.
#[derive(Default)]
struct Slowest {
    took: Duration,
    freeze_at: Duration,
    outcome: String,
}

/// Runs `rounds` rounds of `round` for each fault, each with a fresh driver and a random freeze
/// point; `round` makes the call, returns what it ended with, and drops everything it made. A
/// round that exceeds the bound fails the test; the slowest round of each fault is printed.
fn freeze_stress(
    kind: &str,
    process: &EmbeddedArchiveMediaDriverProcess,
    mut round: impl FnMut(&EmbeddedArchiveMediaDriverProcess, &Aeron, &dyn Fn()) -> String,
) {
    let rounds = freeze_rounds();
    let mut rng = Rng::seeded(kind);
    let bound = freeze_bound();
    for fault in [Fault::Stop, Fault::Kill] {
        let mut slowest = Slowest::default();
        let mut errors = 0;
        for i in 0..rounds {
            let (md, aeron) = freeze_driver();
            let freeze_at = rng.freeze_point();
            let pid = md.pid();
            let faulter = std::cell::RefCell::new(None);
            // The call starts the fault thread when it begins.
            let arm = || *faulter.borrow_mut() = Some(fault_after(pid, fault, freeze_at));
            let t0 = Instant::now();
            let outcome = round(process, &aeron, &arm);
            drop(aeron);
            let took = t0.elapsed();
            if let Some(h) = faulter.borrow_mut().take() {
                h.join().unwrap();
            }
            drop(md);
            if outcome.starts_with("error") {
                errors += 1;
            }
            assert!(
                took < bound,
                "{kind}, {fault:?} at {freeze_at:?}, round {i}: returned and dropped after {took:?} (bound {bound:?}): {outcome}"
            );
            if took >= slowest.took {
                slowest = Slowest { took, freeze_at, outcome };
            }
        }
        println!(
            "freeze stress {kind} {fault:?}: {rounds} rounds ({errors} ended in an error), slowest return {:?} \
             (fault at {:?}; bound {bound:?}): {}",
            slowest.took, slowest.freeze_at, slowest.outcome
        );
    }
}

fn outcome<T>(r: &Result<T, AeronCError>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => format!("error {:?}: {}", e.kind(), e.to_string().lines().next().unwrap_or("")),
    }
}

fn freeze_body_limit() -> Duration {
    Duration::from_secs(120) + (freeze_bound() + Duration::from_secs(5)) * (2 * freeze_rounds() as u32)
}

/// 10a. `AeronArchive::connect` with the driver stopped or killed 0-6 ms into the call.
#[test]
fn freeze_stress_archive_connect() {
    bounded("freeze_stress_archive_connect", freeze_body_limit(), || {
        let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        freeze_stress("AeronArchive::connect", &process, |process, aeron, arm| {
            let ctx = freeze_archive_context(process, aeron);
            arm();
            let r = AeronArchive::connect(&ctx);
            outcome(&r)
        });
    });
}

/// 10b. `AeronArchiveAsyncConnect` polling, the driver stopped or killed 0-6 ms into it.
#[test]
fn freeze_stress_async_connect_polling() {
    bounded("freeze_stress_async_connect_polling", freeze_body_limit(), || {
        let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        freeze_stress("AeronArchiveAsyncConnect::poll", &process, |process, aeron, arm| {
            let ctx = freeze_archive_context(process, aeron);
            let connect = match AeronArchiveAsyncConnect::new(&ctx) {
                Ok(c) => c,
                Err(e) => return format!("error before polling (no fault yet): {e}"),
            };
            arm();
            let limit = Instant::now() + freeze_bound();
            let r = loop {
                match connect.poll() {
                    Ok(Some(a)) => break Ok(a),
                    Ok(None) => {}
                    Err(e) => break Err(e),
                }
                assert!(Instant::now() < limit, "the async connect is still pending after {:?}", freeze_bound());
                std::thread::sleep(Duration::from_micros(100));
            };
            outcome(&r)
        });
    });
}

/// A recording of 50 000 messages of a live UDP stream on `process`'s driver; returns the
/// publication (kept alive: the live stream), its channel's control port and the recording id.
fn recorded_live_stream(
    process: &EmbeddedArchiveMediaDriverProcess,
    stream_id: i32,
) -> (AeronExclusivePublication, u16, i64, AeronArchive, Aeron) {
    let (aeron, archive) = process.connect().unwrap();
    let control_port = find_unused_udp_port(44_000).unwrap();
    let channel = format!("aeron:udp?control-mode=dynamic|control=localhost:{control_port}|term-length=65536");
    let publication = aeron.add_exclusive_publication(&c(&channel), stream_id, TIMEOUT).unwrap();
    archive.start_recording(&c(&channel), stream_id, SOURCE_LOCATION_LOCAL, false).unwrap();
    let mut end = 0;
    for i in 0..50_000u64 {
        end = offer_exclusive(&publication, &message(i));
    }
    let recording_id = await_recording_position(&aeron, &archive, publication.session_id(), end);
    (publication, control_port, recording_id, archive, aeron)
}

/// 10c. A replay merge (`AeronArchiveReplayMerge::new`, then polls until it fails or merges),
/// the driver stopped or killed 0-6 ms after the merge starts.
#[test]
fn freeze_stress_replay_merge() {
    bounded("freeze_stress_replay_merge", freeze_body_limit(), || {
        let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        let stream_id = 8101;
        let (publication, control_port, recording_id, _archive, _aeron) = recorded_live_stream(&process, stream_id);
        freeze_stress("AeronArchiveReplayMerge", &process, |process, aeron, arm| {
            let sub_archive = match AeronArchive::connect(&freeze_archive_context(process, aeron)) {
                Ok(a) => a,
                Err(e) => return format!("error at connect (no fault yet): {e}"),
            };
            let subscription = add_subscription(aeron, "aeron:udp?control-mode=manual", stream_id);
            let replay_port = find_unused_udp_port(44_100).unwrap();
            arm();
            let merge = AeronArchiveReplayMerge::new(
                &subscription,
                &sub_archive,
                &c(&format!("aeron:udp?session-id={}", publication.session_id())),
                &c(&format!("aeron:udp?endpoint=localhost:{replay_port}")),
                &c(&format!("aeron:udp?endpoint=localhost:0|control=localhost:{control_port}")),
                recording_id,
                0,
                AeronArchiveReplayMerge::epoch_clock_ms(),
                60_000,
            );
            let merge = match merge {
                Ok(m) => m,
                Err(e) => return outcome::<()>(&Err(e)),
            };
            let limit = Instant::now() + freeze_bound();
            let r = loop {
                match merge.poll_once(|_b: &[u8], _h: AeronHeader<'_>| {}, 64) {
                    Ok(_) if merge.is_merged() => break Ok(()),
                    Ok(_) => {}
                    Err(e) => break Err(e),
                }
                assert!(Instant::now() < limit, "the merge neither failed nor merged within {:?}", freeze_bound());
            };
            drop(merge);
            outcome(&r)
        });
    });
}

/// 10d. A persistent subscription's start (`create`, then polls until it fails or goes live),
/// the driver stopped or killed 0-6 ms after the start.
#[test]
fn freeze_stress_persistent_subscription_start() {
    bounded("freeze_stress_persistent_subscription_start", freeze_body_limit(), || {
        let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        let stream_id = 8201;
        let (_publication, control_port, recording_id, _archive, _aeron) = recorded_live_stream(&process, stream_id);
        freeze_stress("AeronArchivePersistentSubscription", &process, |process, aeron, arm| {
            let ctx = AeronArchivePersistentSubscriptionContext::new().unwrap();
            ctx.set_aeron(aeron).unwrap();
            ctx.set_archive_context(&freeze_archive_context(process, aeron)).unwrap();
            ctx.set_recording_id(recording_id).unwrap();
            ctx.set_live_channel(&c(&format!("aeron:udp?control-mode=dynamic|control=localhost:{control_port}")))
                .unwrap();
            ctx.set_live_stream_id(stream_id).unwrap();
            ctx.set_replay_channel(c"aeron:udp?endpoint=localhost:0").unwrap();
            ctx.set_replay_stream_id(stream_id + 1).unwrap();
            ctx.set_start_position(AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START).unwrap();
            arm();
            let mut ps = match AeronArchivePersistentSubscription::create(&ctx) {
                Ok(ps) => ps,
                Err(e) => return outcome::<()>(&Err(e)),
            };
            let limit = Instant::now() + freeze_bound();
            let r = loop {
                let polled = ps.poll_once(|_b: &[u8], _h: AeronHeader<'_>| {}, 64);
                if let Err(e) = polled {
                    break Err(e);
                }
                if ps.has_failed() {
                    let (code, reason) = ps.failure_reason().unwrap_or((-1, String::new()));
                    break Err(AeronCError::with_message(code, reason));
                }
                if ps.is_live() {
                    break Ok(());
                }
                assert!(Instant::now() < limit, "the persistent subscription neither failed nor went live");
                std::thread::sleep(Duration::from_micros(100));
            };
            drop(ps);
            outcome(&r)
        });
    });
}
