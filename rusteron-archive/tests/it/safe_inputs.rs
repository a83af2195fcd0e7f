//! Archive calls that used to wrap a timeout, wait out the message timeout on an argument the
//! archive never answers, report an archive error code as an errno, call a connect timeout an
//! "invalid channel", send requests C cuts short, or give C's own client (whose default error
//! handler ends the process) to an archive. Against the real Java archive.

use crate::common::*;
use rusteron_archive::testing::*;
use rusteron_archive::*;
use std::ffi::CString;
use std::time::{Duration, Instant};

fn assert_invalid(e: &AeronCError, expected: &[&str]) {
    assert_eq!(e.code, libc::EINVAL, "{e}");
    let m = e.message().unwrap_or("");
    for text in expected {
        assert!(m.contains(text), "{text:?} not in {m:?}");
    }
}

/// A channel URI of `len` bytes.
fn channel_of_length(len: usize) -> CString {
    let prefix = "aeron:ipc?alias=";
    CString::new(format!("{prefix}{}", "a".repeat(len - prefix.len()))).unwrap()
}

fn no_descriptor(_d: AeronArchiveRecordingDescriptor) {}

#[test]
fn duration_max_message_timeout_connects_to_a_running_archive() {
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let aeron = process.connect_aeron().unwrap();

    // C adds the message timeout to its clock as int64: u64::MAX ns put the deadline in the past
    // and the connect failed at once with "connect timeout".
    let ctx = process.archive_context(&aeron).unwrap();
    ctx.set_message_timeout(Duration::MAX).unwrap();
    assert_eq!(ctx.get_message_timeout_ns(), C_DURATION_MAX_NANOS);
    let archive = AeronArchive::connect(&ctx).expect("connect with Duration::MAX");
    assert_eq!(archive.get_archive_id(), process.archive_id());
    assert_eq!(archive.list_recordings_vec(0, 10).unwrap().len(), 0);

    let ctx = process.archive_context(&aeron).unwrap();
    ctx.set_message_timeout_ns(u64::MAX).unwrap();
    assert_eq!(ctx.get_message_timeout_ns(), C_DURATION_MAX_NANOS);
    let connect = AeronArchive::async_connect(&ctx).unwrap();
    let second = connect.poll_blocking(TIMEOUT).expect("async connect with u64::MAX ns");
    assert_ne!(second.control_session_id(), archive.control_session_id());
}

#[test]
fn a_connect_timeout_is_a_timeout_not_an_invalid_channel() {
    let driver = MediaDriverProcess::start().expect("aeronmd");
    let aeron = driver.connect().unwrap();
    let ctx = AeronArchiveContext::new().unwrap();
    ctx.set_aeron(&aeron).unwrap();
    let port = find_unused_udp_port(41_000).unwrap();
    ctx.set_control_request_channel(&c(&format!("aeron:udp?endpoint=localhost:{port}"))).unwrap();
    ctx.set_control_response_channel(c"aeron:udp?endpoint=localhost:0").unwrap();
    ctx.set_message_timeout(Duration::from_millis(500)).unwrap();

    let t0 = Instant::now();
    let e = AeronArchive::connect(&ctx).expect_err("no archive");
    let took = t0.elapsed();
    assert!(took >= Duration::from_millis(400) && took < Duration::from_secs(5), "{took:?}");
    let text = e.to_string();
    println!("connect without an archive: {text}");
    assert_eq!(e.kind(), AeronErrorType::TimedOut, "{text}");
    assert!(text.starts_with("timed out (110): archive connect timeout: no answer from an archive"), "{text}");
    // C adds its defaults to the channel (term-length, mtu, ...): the endpoint is what we set.
    assert!(text.contains(&format!("endpoint=localhost:{port}")) && text.contains("500ms"), "{text}");
    assert!(!text.contains("invalid channel") && !text.contains("not connected"), "{text}");

    let connect = AeronArchive::async_connect(&ctx).unwrap();
    let e = connect.poll_blocking(TIMEOUT).expect_err("no archive");
    assert_eq!(e.kind(), AeronErrorType::TimedOut, "{e}");
    assert!(e.to_string().starts_with("timed out (110): archive connect timeout"), "{e}");
}

#[test]
fn listing_counts_below_one_are_refused_up_front() {
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let (_aeron, archive) = process.connect().unwrap();
    // The archive answers these with nothing: C waited out the whole message timeout (10 s).
    for count in [-5, 0, i32::MIN] {
        let t0 = Instant::now();
        let e = archive.list_recordings(0, count, no_descriptor).expect_err("count below 1");
        assert!(t0.elapsed() < Duration::from_secs(1), "refused up front");
        assert_invalid(&e, &["list_recordings", "record_count", &format!("got {count}")]);
        if count == -5 {
            println!("list_recordings(0, -5): {e}");
        }
        let e = archive.list_recordings_for_uri(0, count, c"aeron:ipc", 1, no_descriptor).unwrap_err();
        assert_invalid(&e, &["list_recordings_for_uri", "record_count"]);
        assert_invalid(&archive.list_recordings_vec(0, count).unwrap_err(), &["record_count"]);
    }
    // Nothing was sent: the session has no listing left hanging.
    assert_eq!(archive.list_recordings(0, 10, no_descriptor).unwrap(), 0);
}

#[test]
fn channels_the_archive_would_not_answer_are_refused_up_front() {
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let (aeron, archive) = process.connect().unwrap();
    let publication = aeron.add_exclusive_publication(c"aeron:ipc", 81, TIMEOUT).unwrap();
    archive.start_recording(c"aeron:ipc", 81, SOURCE_LOCATION_LOCAL, true).unwrap();
    let end = publish_sequence(&publication, 0, 10);
    let recording_id = await_recording_position(&aeron, &archive, publication.session_id(), end);
    let params = AeronArchiveReplayParams::new_default().unwrap();
    // The Java archive drops these requests without an answer: C waited out the 10 s timeout.
    let t0 = Instant::now();
    let e = archive.start_replay(recording_id, c"aeron:carrier-pigeon", 82, &params).unwrap_err();
    assert_invalid(&e, &["start_replay", "replay_channel", "not a channel URI Aeron can parse"]);
    let e = archive.update_channel(recording_id, c"not a uri").unwrap_err();
    assert_invalid(&e, &["update_channel", "new_channel", "invalid URI scheme"]);
    let mut replication = AeronArchiveReplicationParams::new().unwrap();
    replication.set_replication_channel(Some(c"not a uri"));
    let e = archive.replicate(recording_id, c"aeron:udp?endpoint=localhost:1", 10, &replication).unwrap_err();
    assert_invalid(&e, &["replicate", "replication_channel"]);
    let e = archive.replicate(recording_id, c"no scheme", 10, &AeronArchiveReplicationParams::new().unwrap());
    assert_invalid(&e.unwrap_err(), &["src_control_channel"]);
    assert!(t0.elapsed() < Duration::from_secs(2), "refused up front, {:?}", t0.elapsed());
    // SAFETY: no other archive call runs while the proxy is used.
    let proxy = unsafe { archive.proxy() };
    assert!(!proxy.replay(aeron.next_correlation_id(), recording_id, c"aeron:carrier-pigeon", 82, &params));
    drop(proxy);

    // Channels that parse (a spy prefix included) go through.
    archive.update_channel(recording_id, c"aeron-spy:aeron:ipc?alias=renamed").expect("a spy channel parses");
    let replay = archive.replay(recording_id, c"aeron:ipc", 83, &params).unwrap();
    assert_eq!(collect_u64(&replay, 10), (0..10).collect::<Vec<_>>());
}

#[test]
fn an_archive_error_in_a_listing_is_an_archive_error_not_an_errno() {
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let (aeron, archive) = process.connect().unwrap();
    // Leave a listing the archive never finishes on this session (the raw proxy does not check
    // its arguments), so the next listing is refused with ACTIVE_LISTING (archive error code 1).
    // SAFETY: no other archive call runs while the proxy is used.
    let proxy = unsafe { archive.proxy() };
    assert!(proxy.list_recordings(aeron.next_correlation_id(), 0, -5));
    drop(proxy);

    let e = archive.list_recordings(0, 10, no_descriptor).expect_err("a listing is active");
    let text = e.to_string();
    println!("listing while a listing is active: {text}");
    assert_eq!(e.code, -201, "{text}");
    assert_eq!(e.archive_error_kind(), Some(ArchiveErrorKind::ActiveListing));
    assert!(
        text.starts_with("an active listing is already running (-201): list_recordings: the archive answered"),
        "{text}"
    );
    assert!(text.contains("archive error code 1") && text.contains("active listing"), "{text}");
    assert!(!text.contains("Operation not permitted"), "not an errno: {text}");

    let e = archive.list_recording(0, no_descriptor).unwrap_err();
    assert_eq!(e.archive_error_kind(), Some(ArchiveErrorKind::ActiveListing), "{e}");
    let e = archive.list_recordings_for_uri(0, 10, c"ipc", 1, no_descriptor).unwrap_err();
    assert_eq!(e.archive_error_kind(), Some(ArchiveErrorKind::ActiveListing), "{e}");
    assert!(!e.to_string().contains("Operation not permitted"), "{e}");

    // Other archive errors are named after Aeron's own code, not "unknown error".
    let e = archive.get_recording_position(12_345).unwrap_err();
    assert!(e.to_string().starts_with("unknown recording (-205): "), "{e}");
}

#[test]
fn channels_over_the_uri_limit_are_refused_and_the_archive_keeps_working() {
    let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let (aeron, archive) = process.connect().unwrap();
    let huge = channel_of_length(300 * 1024);
    let params = AeronArchiveReplayParams::new_default().unwrap();

    assert_invalid(
        &archive.start_recording(&huge, 1, SOURCE_LOCATION_LOCAL, false).unwrap_err(),
        &["start_recording", "recording_channel", "307200 bytes", "4095", "AERON_URI_MAX_LENGTH"],
    );
    assert_invalid(&archive.add_recorded_publication(&huge, 1).unwrap_err(), &["add_recorded_publication"]);
    assert_invalid(&archive.add_recorded_exclusive_publication(&huge, 1).unwrap_err(), &["channel"]);
    assert_invalid(&archive.extend_recording(0, &huge, 1, SOURCE_LOCATION_LOCAL, false).unwrap_err(), &["extend"]);
    assert_invalid(&archive.stop_recording_channel_and_stream(&huge, 1).unwrap_err(), &["channel"]);
    assert_invalid(&archive.try_stop_recording_channel_and_stream(&huge, 1).unwrap_err(), &["channel"]);
    assert_invalid(&archive.find_last_matching_recording(0, &huge, 1, 0).unwrap_err(), &["channel_fragment"]);
    assert_invalid(&archive.list_recordings_for_uri(0, 1, &huge, 1, no_descriptor).unwrap_err(), &["fragment"]);
    let e = archive
        .list_recording_subscriptions(0, 1, &huge, 1, false, |_d: AeronArchiveRecordingSubscriptionDescriptor| {})
        .unwrap_err();
    assert_invalid(&e, &["list_recording_subscriptions"]);
    assert_invalid(&archive.start_replay(0, &huge, 1, &params).unwrap_err(), &["replay_channel"]);
    assert_invalid(&archive.replay(0, &huge, 1, &params).unwrap_err(), &["replay_channel"]);
    assert_invalid(&archive.update_channel(0, &huge).unwrap_err(), &["new_channel"]);
    let ctx = AeronArchiveContext::new().unwrap();
    assert_invalid(&ctx.set_control_request_channel(&huge).unwrap_err(), &["control_request_channel"]);
    assert_invalid(&ctx.set_control_response_channel(&huge).unwrap_err(), &["control_response_channel"]);
    assert_invalid(&ctx.set_recording_events_channel(&huge).unwrap_err(), &["recording_events_channel"]);
    let long_dir = CString::new("/".repeat(AERON_DIR_MAX_LENGTH + 1)).unwrap();
    assert_invalid(&ctx.set_aeron_directory_name(&long_dir).unwrap_err(), &["aeron_directory_name", "4096 bytes"]);
    // SAFETY: no other archive call runs while the proxy is used.
    let proxy = unsafe { archive.proxy() };
    assert!(!proxy.start_recording(&huge, 1, true, false, aeron.next_correlation_id()), "not sent");
    drop(proxy);

    // Channels each within the limit, but a replicate request too long for the C client's 8 KiB
    // request buffer (C would send it cut short, and wait out the timeout for an answer).
    let mut replication = AeronArchiveReplicationParams::new().unwrap();
    let three_k = channel_of_length(3_000);
    replication.set_live_destination(Some(&three_k)).set_replication_channel(Some(&three_k));
    let e = archive.replicate(0, &three_k, 1, &replication).unwrap_err();
    assert_invalid(&e, &["replicate", "ARCHIVE_PROXY_REQUEST_BUFFER_LENGTH", "8192", "live_destination 3000 bytes"]);
    assert_invalid(&archive.replicate(0, &huge, 1, &replication).unwrap_err(), &["src_control_channel"]);
    // Unset strings are empty (C's request encoder reads each with strlen).
    replication.set_live_destination(None).set_replication_channel(None);
    assert_eq!(replication.live_destination(), "");

    // The archive still answers.
    let sub_id = archive.start_recording(c"aeron:ipc", 61, SOURCE_LOCATION_LOCAL, false).unwrap();
    archive.stop_recording_subscription(sub_id).unwrap();
    assert_eq!(archive.list_recordings(0, 10, no_descriptor).unwrap(), 0);
}

#[test]
fn clients_created_for_an_archive_log_errors_instead_of_ending_the_process() {
    let mut process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
    let default = AeronContext::default_error_handler().map(|f| f as usize);

    // An archive context without a client: one is created for the archive (C created its own,
    // with C's default error handler).
    let ctx = AeronArchiveContext::new().unwrap();
    ctx.set_aeron_directory_name(&c(process.aeron_dir())).unwrap();
    ctx.set_control_request_channel(&c(process.control_request_channel())).unwrap();
    ctx.set_control_response_channel(&c(process.control_response_channel())).unwrap();
    ctx.set_message_timeout(TIMEOUT).unwrap();
    let archive = AeronArchive::connect(&ctx).expect("connect without a client");
    assert!(ctx.get_aeron().is_none(), "the caller's context stays without a client");
    let client = archive.aeron().expect("the archive's client");
    assert_eq!(client.context().get_error_handler().map(|f| f as usize), default);
    assert!(!archive.get_archive_context().get_owns_aeron_client(), "the wrapper closes it");

    // The same for a persistent subscription without a client.
    let aeron = process.connect_aeron().unwrap();
    let ps_ctx = AeronArchivePersistentSubscriptionContext::new().unwrap();
    ps_ctx.set_aeron_directory_name(&c(process.aeron_dir())).unwrap();
    ps_ctx.set_archive_context(&process.archive_context(&aeron).unwrap()).unwrap();
    ps_ctx.set_recording_id(0).unwrap();
    ps_ctx.set_live_channel(c"aeron:ipc").unwrap();
    ps_ctx.set_live_stream_id(71).unwrap();
    ps_ctx.set_replay_channel(c"aeron:udp?endpoint=localhost:0").unwrap();
    ps_ctx.set_replay_stream_id(72).unwrap();
    let ps = AeronArchivePersistentSubscription::create(&ps_ctx).expect("create");
    // SAFETY: reads the C context's client pointer and that client's context (both alive while
    // the subscription is).
    let ps_handler = unsafe {
        let ps_client = (*ps.context().get_inner()).aeron;
        assert!(!ps_client.is_null());
        bindings::aeron_context_get_error_handler(bindings::aeron_context(ps_client))
    };
    assert_eq!(ps_handler.map(|f| f as usize), default);
    drop(ps);
    drop(aeron);

    // The media driver (inside the archive's JVM) goes away: the archive's client times it out
    // and reports it to its error handler, which logs. C's default handler exited the process.
    process.kill();
    assert!(wait_until(Duration::from_secs(40), || client.is_closed()), "the client did not see the driver go");
    assert!(archive.list_recordings(0, 1, no_descriptor).is_err());
}
