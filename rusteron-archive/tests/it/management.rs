//! Against one real Java archive, run in order: recording signals, truncate / purge / delete
//! (detach + delete segments), errors for unknown recordings and subscriptions, extend, async
//! connect, and dropping the archive and its Aeron client in every order.

use crate::common::*;
use rusteron_archive::testing::*;
use rusteron_archive::*;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn record(aeron: &Aeron, archive: &AeronArchive, stream_id: i32, count: u64) -> (i64, i64, i64) {
    let channel = "aeron:ipc?term-length=65536";
    let sub_id = archive.start_recording(&c(channel), stream_id, SOURCE_LOCATION_LOCAL, false).unwrap();
    let publication = aeron.add_exclusive_publication(&c(channel), stream_id, TIMEOUT).unwrap();
    let end = publish_sequence(&publication, 0, count);
    let recording_id = await_recording_position(aeron, archive, publication.session_id(), end);
    archive.stop_recording_subscription(sub_id).unwrap();
    assert!(wait_until(TIMEOUT, || archive.get_stop_position(recording_id).unwrap_or(-1) == end));
    (recording_id, sub_id, end)
}

#[test]
fn signals_management_errors_and_drop_orders() {
    let archive_process = EmbeddedArchiveMediaDriverProcess::start().expect("archive starts");
    let aeron = archive_process.connect_aeron().unwrap();

    // --- Recording signals, in order -----------------------------------------------------
    let signals: Arc<Mutex<Vec<AeronArchiveRecordingSignal>>> = Arc::default();
    let sink = signals.clone();
    let handler = Handlers::leak(move |s: AeronArchiveRecordingSignal| sink.lock().unwrap().push(s));
    let ctx = archive_process.archive_context(&aeron).unwrap();
    ctx.set_recording_signal_consumer(Some(&handler)).unwrap();
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let esink = errors.clone();
    let error_handler =
        Handlers::leak(move |code: i32, msg: &str| esink.lock().unwrap().push(format!("{code}: {msg}")));
    ctx.set_error_handler(Some(&error_handler)).unwrap();
    let archive = AeronArchive::connect(&ctx).expect("connect with signal consumer");

    let (recording_id, sub_id, end) = record(&aeron, &archive, 3001, 2_000);
    // START and STOP arrive on the control stream; poll until both were dispatched.
    assert!(
        wait_until(TIMEOUT, || {
            archive.poll_for_recording_signals().unwrap();
            let s = signals.lock().unwrap();
            s.iter().any(|s| s.signal() == AeronArchiveRecordingSignalCode::Stop)
        }),
        "no STOP signal; got {:?}",
        signals.lock().unwrap()
    );
    {
        let s = signals.lock().unwrap();
        let kinds: Vec<_> = s.iter().filter(|s| s.recording_id == recording_id).map(|s| s.signal()).collect();
        assert_eq!(kinds, vec![AeronArchiveRecordingSignalCode::Start, AeronArchiveRecordingSignalCode::Stop], "{s:?}");
        assert_eq!(s[0].subscription_id, sub_id);
        assert_eq!(s[0].position, 0);
        assert_eq!(s[1].position, end);
    }

    // --- Errors ----------------------------------------------------------------------------
    let unknown = 987_654;
    let e = archive.get_start_position(unknown).expect_err("unknown recording id");
    println!("unknown recording: {e}");
    assert!(e.message().unwrap_or("").contains("unknown recording"), "{e}");
    assert_eq!(e.archive_error_kind(), Some(ArchiveErrorKind::UnknownRecording), "{e}");
    let e = archive.truncate_recording(unknown, 0).expect_err("truncate unknown");
    assert!(e.message().unwrap_or("").contains("unknown recording"), "{e}");
    let e = archive.stop_recording_subscription(424_242).expect_err("stopping a recording that does not exist");
    println!("stop unknown subscription: {e}");
    assert!(!e.message().unwrap_or("").is_empty());
    assert!(!archive.try_stop_recording_subscription(424_242).unwrap());
    assert!(!archive.try_stop_recording_channel_and_stream(c"aeron:ipc", 4_444).unwrap());
    assert!(!archive.try_stop_recording_by_identity(recording_id).unwrap(), "already stopped");
    let e = archive
        .replay(unknown, &c(&replay_channel()), 1, &AeronArchiveReplayParams::new_default().unwrap())
        .expect_err("replay unknown");
    println!("replay unknown: {e}");
    let mut n = 0;
    assert_eq!(archive.list_recording(unknown, |_d: AeronArchiveRecordingDescriptor| n += 1).unwrap(), 0);
    assert_eq!(n, 0);
    // The archive client is still usable after errors.
    assert_eq!(archive.get_stop_position(recording_id).unwrap(), end);

    // A panic in a list consumer is resumed on the Rust side and the archive stays usable.
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        archive.list_recordings(0, 10, |_d: AeronArchiveRecordingDescriptor| panic!("consumer panic")).ok();
    }));
    assert!(r.is_err());
    assert_eq!(archive.get_stop_position(recording_id).unwrap(), end);

    // --- Extend ---------------------------------------------------------------------------
    let ext_sub =
        archive.extend_recording(recording_id, c"aeron:ipc?term-length=65536", 3001, SOURCE_LOCATION_LOCAL, false);
    // Extending needs a publication that continues the recorded stream; the request itself is accepted.
    if let Ok(id) = ext_sub {
        assert!(archive.try_stop_recording_subscription(id).unwrap());
    }

    // --- Truncate, purge, delete segments --------------------------------------------------
    let (rec2, _, end2) = record(&aeron, &archive, 3002, 1_000);
    let half = end2 / 2 / 64 * 64;
    archive.truncate_recording(rec2, half).expect("truncate");
    assert_eq!(archive.get_stop_position(rec2).unwrap(), half);
    let (rec3, _, _) = record(&aeron, &archive, 3003, 100);
    let deleted = archive.purge_recording(rec3).expect("purge");
    println!("purged recording {rec3}: {deleted} segment(s) deleted");
    let mut found = 0;
    archive.list_recording(rec3, |_d: AeronArchiveRecordingDescriptor| found += 1).unwrap();
    assert_eq!(found, 0, "a purged recording is gone from the catalog");
    assert!(archive.get_start_position(rec3).is_err());
    // Segment operations at the start of a recording (no whole segment to detach: 0 results).
    assert_eq!(archive.delete_detached_segments(rec2).unwrap(), 0);
    assert_eq!(archive.attach_segments(rec2).unwrap(), 0);
    assert!(archive.detach_segments(rec2, 12_345).is_err(), "not a segment boundary");
    assert_eq!(AeronArchive::segment_file_base_position(0, half, 65536, 16 * 1024 * 1024), 0);

    // Purge signals a DELETE.
    assert!(wait_until(TIMEOUT, || {
        archive.poll_for_recording_signals().unwrap();
        signals
            .lock()
            .unwrap()
            .iter()
            .any(|s| s.recording_id == rec3 && s.signal() == AeronArchiveRecordingSignalCode::Delete)
    }));

    // --- Async connect -----------------------------------------------------------------------
    let async_connect = AeronArchive::async_connect(&archive_process.archive_context(&aeron).unwrap()).unwrap();
    let second = async_connect.poll_blocking(TIMEOUT).expect("async connect");
    assert_ne!(second.control_session_id(), archive.control_session_id());
    assert!(async_connect.poll().is_err(), "a completed connect cannot be polled again");
    assert_eq!(second.get_stop_position(rec2).unwrap(), half);
    drop(second);
    // A connect dropped before it completes is cancelled cleanly.
    drop(AeronArchive::async_connect(&archive_process.archive_context(&aeron).unwrap()).unwrap());

    // --- A context without an Aeron client: the archive creates and owns one ---------------
    let own_ctx = AeronArchiveContext::new().unwrap();
    own_ctx.set_aeron_directory_name(&c(archive_process.aeron_dir())).unwrap();
    own_ctx.set_control_request_channel(&c(archive_process.control_request_channel())).unwrap();
    own_ctx.set_control_response_channel(&c(archive_process.control_response_channel())).unwrap();
    let a1 = AeronArchive::connect(&own_ctx).expect("connect with own client");
    let a2 = AeronArchive::connect(&own_ctx).expect("second connect with the same context");
    drop(a1);
    assert_eq!(a2.get_stop_position(rec2).unwrap(), half, "the second archive has its own client");
    drop(a2);

    // --- Drop orders ------------------------------------------------------------------------
    for order in 0..6 {
        let aeron2 = archive_process.connect_aeron().unwrap();
        let ctx2 = archive_process.archive_context(&aeron2).unwrap();
        let archive2 = AeronArchive::connect(&ctx2).unwrap();
        let replay = archive2
            .replay(rec2, &c(&replay_channel()), 50 + order, &AeronArchiveReplayParams::new_default().unwrap())
            .unwrap();
        let got = collect_u64(&replay, 10);
        assert_eq!(got, (0..10).collect::<Vec<_>>());
        match order {
            0 => {
                drop(aeron2);
                drop(ctx2);
                drop(archive2);
                drop(replay);
            }
            1 => {
                drop(archive2);
                drop(aeron2);
                drop(replay);
                drop(ctx2);
            }
            2 => {
                drop(replay);
                drop(ctx2);
                drop(archive2);
                drop(aeron2);
            }
            3 => {
                drop(ctx2);
                drop(replay);
                drop(aeron2);
                drop(archive2);
            }
            4 => {
                // The replay subscription outlives everything else and still works.
                drop(archive2);
                drop(ctx2);
                drop(aeron2);
                let _ = replay.poll_once(|_b: &[u8], _h: AeronHeader<'_>| {}, 10).unwrap();
                drop(replay);
            }
            _ => {
                let moved = std::thread::spawn(move || {
                    let _ = archive2.get_archive_id();
                    drop(archive2);
                });
                drop(aeron2);
                drop(ctx2);
                drop(replay);
                moved.join().unwrap();
            }
        }
    }
    // The archive's own control subscription and context are borrowed safely.
    // SAFETY: no archive call runs while `sub` is used (it is only checked below, after the
    // archive was dropped).
    let sub = unsafe { archive.get_control_response_subscription() };
    let own = archive.get_archive_context();
    assert!(own.get_control_request_channel().contains("aeron:udp"));
    drop(archive);
    drop(ctx);
    assert!(sub.is_connected() || !sub.is_connected());
    drop(sub);
    drop(own);
    drop(handler);
    drop(error_handler);
    println!("errors seen by the error handler: {:?}", errors.lock().unwrap());
}

#[test]
fn connecting_when_no_archive_is_running_fails_within_the_timeout() {
    let driver = MediaDriverProcess::start().expect("aeronmd");
    let aeron = driver.connect().unwrap();
    let ctx = AeronArchiveContext::new().unwrap();
    ctx.set_aeron(&aeron).unwrap();
    let port = find_unused_udp_port(40_000).unwrap();
    ctx.set_control_request_channel(&c(&format!("aeron:udp?endpoint=localhost:{port}"))).unwrap();
    ctx.set_control_response_channel(c"aeron:udp?endpoint=localhost:0").unwrap();
    ctx.set_message_timeout(Duration::from_millis(1_000)).unwrap();
    let t0 = Instant::now();
    let e = AeronArchive::connect(&ctx).expect_err("no archive");
    let took = t0.elapsed();
    println!("connect without archive failed after {took:?}: {e}");
    assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(5), "{took:?}");
    assert!(e.message().unwrap_or("").contains("timeout"), "{e}");
}
