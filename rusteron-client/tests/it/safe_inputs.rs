//! No safe call ends the process, cuts a string short or wraps a timeout: oversized inputs that C
//! would hand to its error handler (whose C default calls `exit`), strings with a NUL byte, error
//! handlers set to `None`, `Duration::MAX` timeouts. Everything runs against a real `aeronmd`.

use rusteron_client::testing::{wait_until, MediaDriverProcess};
use rusteron_client::*;
use std::ffi::CString;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

fn udp_channel(start: u16) -> CString {
    let port = find_unused_udp_port(start).expect("free port");
    CString::new(format!("aeron:udp?endpoint=127.0.0.1:{port}")).unwrap()
}

/// A channel URI of `len` bytes: `aeron:ipc?alias=aaa...`.
fn ipc_channel_of_length(len: usize) -> CString {
    let prefix = "aeron:ipc?alias=";
    CString::new(format!("{prefix}{}", "a".repeat(len - prefix.len()))).unwrap()
}

fn assert_invalid(e: &AeronCError, expected: &[&str]) {
    assert_eq!(e.code, libc::EINVAL, "{e}");
    let m = e.message().unwrap_or("");
    for text in expected {
        assert!(m.contains(text), "{text:?} not in {m:?}");
    }
    assert!(e.to_string().starts_with("invalid argument (22): "), "{e}");
}

/// Checks the client still works: a publication and a subscription on IPC exchange a message.
fn assert_client_works(aeron: &Aeron, stream_id: i32) {
    let sub = aeron
        .add_subscription(
            c"aeron:ipc",
            stream_id,
            no_available_image_handler(),
            no_unavailable_image_handler(),
            TIMEOUT,
        )
        .unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", stream_id, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.offer(b"still alive").is_ok()));
    let mut got = Vec::new();
    assert!(wait_until(TIMEOUT, || {
        sub.poll_once(|m: &[u8], _h: AeronHeader<'_>| got.push(m.to_vec()), 10).unwrap();
        !got.is_empty()
    }));
    assert_eq!(got[0], b"still alive");
}

#[test]
fn a_1_mib_reject_reason_is_an_error_and_the_process_survives() {
    let md = MediaDriverProcess::start().unwrap();
    // The context's error handlers are the defaults: before, C's default error handler printed
    // and called exit() when the oversized command did not fit the driver's buffer.
    let aeron = md.connect().unwrap();
    let channel = udp_channel(24_100);
    let sub = aeron
        .add_subscription(&channel, 21, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    let publication = aeron.add_publication(&channel, 21, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected() && sub.image_count().unwrap_or(0) > 0));
    let image = sub.image_at_index(0).expect("network image");

    let reason = CString::new(vec![b'r'; 1 << 20]).unwrap();
    let e = image.reject(&reason).expect_err("a 1 MiB reason is refused");
    assert_invalid(&e, &["AeronImage::reject", "reason", "1048576 bytes", "1023", "AERON_ERROR_MAX_TEXT_LENGTH"]);
    // One byte over the driver's limit is refused too, the limit itself is not.
    let e = image.reject(&CString::new(vec![b'r'; AERON_REJECT_REASON_MAX_LENGTH + 1]).unwrap()).unwrap_err();
    assert_invalid(&e, &["1024 bytes"]);
    assert_client_works(&aeron, 22);
    image.reject(&CString::new(vec![b'r'; AERON_REJECT_REASON_MAX_LENGTH]).unwrap()).expect("a 1023-byte reason");
}

#[test]
fn a_300_kib_channel_uri_is_an_error_and_the_process_survives() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let huge = ipc_channel_of_length(300 * 1024);

    let e = aeron.add_publication(&huge, 31, TIMEOUT).expect_err("a 300 KiB URI is refused");
    assert_invalid(&e, &["add_publication", "uri", "307200 bytes", "4095", "AERON_URI_MAX_LENGTH"]);
    let e = aeron.add_exclusive_publication(&huge, 31, TIMEOUT).unwrap_err();
    assert_invalid(&e, &["add_exclusive_publication", "307200 bytes"]);
    let e = aeron
        .add_subscription(&huge, 31, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap_err();
    assert_invalid(&e, &["add_subscription", "307200 bytes"]);
    assert_invalid(&aeron.async_add_publication(&huge, 31).unwrap_err(), &["add_publication"]);
    assert_invalid(&AeronUri::parse(huge.to_str().unwrap()).unwrap_err(), &["AeronUri::parse", "307200 bytes"]);

    // Destinations of a multi-destination publication take channels too.
    let mdc = aeron.add_publication(c"aeron:udp?control-mode=manual", 32, TIMEOUT).unwrap();
    assert_invalid(&mdc.add_destination(&aeron, &huge, TIMEOUT).unwrap_err(), &["add_destination", "307200 bytes"]);
    assert_invalid(&mdc.remove_destination(&aeron, &huge, TIMEOUT).unwrap_err(), &["remove_destination"]);

    // One byte over the limit is refused; a URI of exactly the limit goes to the driver.
    let e = aeron.add_publication(&ipc_channel_of_length(AERON_URI_MAX_LENGTH + 1), 33, TIMEOUT).unwrap_err();
    assert_invalid(&e, &["4096 bytes"]);
    let at_limit = ipc_channel_of_length(AERON_URI_MAX_LENGTH);
    let publication = aeron.add_publication(&at_limit, 33, TIMEOUT).expect("a 4095-byte URI");
    assert_eq!(publication.channel().len(), AERON_URI_MAX_LENGTH);
    assert_client_works(&aeron, 34);
}

#[test]
fn counter_keys_and_labels_over_the_record_size_or_with_a_nul_are_refused() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let key = [7u8; AERON_COUNTER_MAX_KEY_LENGTH];
    let label = "l".repeat(AERON_COUNTER_MAX_LABEL_LENGTH);

    let e = aeron.add_counter(1101, &[0u8; AERON_COUNTER_MAX_KEY_LENGTH + 1], "ok", TIMEOUT).unwrap_err();
    assert_invalid(&e, &["add_counter", "key", "113 bytes", "112", "AERON_COUNTER_MAX_KEY_LENGTH"]);
    let e = aeron.add_counter(1101, b"k", &format!("{label}l"), TIMEOUT).unwrap_err();
    assert_invalid(&e, &["add_counter", "label", "381 bytes", "380", "AERON_COUNTER_MAX_LABEL_LENGTH"]);
    let e = aeron.add_counter(1101, b"k", "requests\0served", TIMEOUT).unwrap_err();
    assert_invalid(&e, &["label", "NUL byte at offset 8"]);
    let e = aeron.add_static_counter(1101, b"k", "a\0b", 77, TIMEOUT).unwrap_err();
    assert_invalid(&e, &["label", "NUL byte at offset 1"]);
    assert!(AeronAsyncAddCounter::new(&aeron, 1101, b"k", "x\0").is_err(), "the async constructor checks too");

    // At the limits the driver keeps every byte.
    let counter = aeron.add_counter(1101, &key, &label, TIMEOUT).expect("key and label at their limits");
    let reader = aeron.counters_reader();
    assert_eq!(reader.get_counter_label(counter.counter_id()).unwrap(), label);
}

#[test]
fn strings_with_a_nul_byte_are_errors_not_truncations_or_panics() {
    // C's parser would have read "aeron:ipc" and returned Ok.
    let e = AeronUri::parse("aeron:ipc\0?x=y").expect_err("a NUL inside the URI");
    assert_invalid(&e, &["uri", "NUL byte at offset 9"]);
    assert!(AeronUri::parse("aeron:ipc?x=y").is_ok());

    assert!(ChannelUri::parse("aeron:ipc\0?x=y").is_err());
    let mut uri = ChannelUri::ipc();
    uri.put("alias", "a\0b");
    let e = uri.to_c_string().expect_err("a NUL in a value");
    assert_invalid(&e, &["channel URI", "NUL byte at offset"]);

    // The fallible conversion names the argument; the panicking one is documented as such.
    let e = "dir\0name".into_c_string_for("the directory").unwrap_err();
    assert_invalid(&e, &["the directory", "offset 3"]);
    assert_eq!("plain".into_c_string_for("x").unwrap().to_str().unwrap(), "plain");
    assert!(std::panic::catch_unwind(|| "a\0b".into_c_string()).is_err());

    // Text C takes with its length is checked as well.
    let mut count = 0;
    let e = AeronUri::parse_params("a=1\0|b=2", &mut |_k: &str, _v: &str| {
        count += 1;
        0
    })
    .unwrap_err();
    assert_invalid(&e, &["params", "offset 3"]);
}

#[test]
fn directories_longer_than_c_stores_are_refused() {
    let ctx = AeronContext::new().unwrap();
    let long = CString::new(format!("/tmp/{}", "d".repeat(AERON_DIR_MAX_LENGTH))).unwrap();
    let e = ctx.set_dir(&long).expect_err("C would cut it");
    assert_invalid(&e, &["AeronContext::set_dir", "4100 bytes", "4095"]);
    let e = AeronCnc::new(&long, Duration::from_millis(10)).unwrap_err();
    assert_invalid(&e, &["AeronCnc::new", "aeron_dir"]);
    ctx.set_dir(c"/dev/shm/somewhere").unwrap();
    assert_eq!(ctx.get_dir(), "/dev/shm/somewhere");
}

#[test]
fn error_handler_none_restores_the_logging_default_and_errors_do_not_end_the_process() {
    let mut md = MediaDriverProcess::start().unwrap();
    let default = AeronContext::default_error_handler().map(|f| f as usize);
    assert!(default.is_some());

    // A new context has the logging default.
    let plain = md.context().unwrap();
    assert_eq!(plain.get_error_handler().map(|f| f as usize), default);
    plain.set_driver_timeout(Duration::from_secs(2)).unwrap();

    // `None` after a handler: the default again (C would have stored NULL and called it).
    let reset = md.context().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let handler = Handlers::leak(move |code: i32, msg: &str| s2.lock().unwrap().push((code, msg.to_string())));
    reset.set_error_handler(Some(&handler)).unwrap();
    assert_ne!(reset.get_error_handler().map(|f| f as usize), default);
    reset.set_error_handler(no_error_handler_handler()).unwrap();
    assert_eq!(reset.get_error_handler().map(|f| f as usize), default);
    assert!(reset.get_error_handler_clientd().is_null());
    reset.set_driver_timeout(Duration::from_secs(2)).unwrap();

    // A released handler counts as `None`.
    let released = md.context().unwrap();
    let mut gone = Handlers::leak(AeronErrorHandlerLogger);
    gone.release();
    released.set_error_handler(Some(&gone)).unwrap();
    assert_eq!(released.get_error_handler().map(|f| f as usize), default);
    released.set_driver_timeout(Duration::from_secs(2)).unwrap();

    let clients: Vec<Aeron> = [&plain, &reset, &released].iter().map(|c| Aeron::connect(c).unwrap()).collect();
    // Provoke an error on every conductor: the driver goes away, each client times it out and
    // reports it to its error handler (C's default exited, a NULL handler crashed).
    md.kill();
    assert!(
        wait_until(Duration::from_secs(20), || clients.iter().all(|a| a.is_closed())),
        "the clients did not see the driver go"
    );
    assert!(seen.lock().unwrap().is_empty(), "the replaced handler is not called");
    for a in &clients {
        assert!(a.add_publication(c"aeron:ipc", 1, Duration::from_millis(100)).is_err());
    }
}

#[test]
fn error_frame_handler_none_ignores_error_frames() {
    let md = MediaDriverProcess::start().unwrap();
    // Client A: error frame handler set to None (C stored NULL and its conductor called it).
    let ctx_a = md.context().unwrap();
    ctx_a.set_publication_error_frame_handler(no_publication_error_frame_handler_handler()).unwrap();
    assert!(ctx_a.get_publication_error_frame_handler().is_some());
    let a = Aeron::connect(&ctx_a).unwrap();
    // Client B publishes on the same channel and stream (the same network publication), and
    // records the error frames it is told about.
    let ctx_b = md.context().unwrap();
    let frames = Arc::new(Mutex::new(0usize));
    let f2 = frames.clone();
    let handler = Handlers::leak(move |_v: AeronPublicationErrorValues| *f2.lock().unwrap() += 1);
    ctx_b.set_publication_error_frame_handler(Some(&handler)).unwrap();
    let b = Aeron::connect(&ctx_b).unwrap();

    let channel = udp_channel(24_300);
    let sub = b
        .add_subscription(&channel, 41, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    let pub_a = a.add_publication(&channel, 41, TIMEOUT).unwrap();
    let pub_b = b.add_publication(&channel, 41, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || pub_a.is_connected() && pub_b.is_connected() && sub.image_count().unwrap_or(0) > 0));
    sub.image_at_index(0).unwrap().reject(c"go away").unwrap();
    assert!(wait_until(TIMEOUT, || *frames.lock().unwrap() > 0), "no error frame reached client B");
    // Client A's conductor handles the broadcasts in order: once it has answered a later
    // request, it has passed the error frame (with the no-op handler) and is still running.
    a.add_counter(1101, b"", "after the error frame", TIMEOUT).expect("client A's conductor still runs");
    assert!(!a.is_closed());
}

#[test]
fn duration_max_timeouts_mean_as_long_as_possible() {
    let md = MediaDriverProcess::start().unwrap();
    let ctx = md.context().unwrap();
    // C adds the driver timeout to the clock (and multiplies it into ns): u64::MAX used to wrap
    // into a deadline in the past.
    ctx.set_driver_timeout_ms(u64::MAX).unwrap();
    assert_eq!(ctx.get_driver_timeout_ms(), C_DURATION_MAX.as_millis() as u64);
    ctx.set_driver_timeout(Duration::MAX).unwrap();
    assert_eq!(ctx.get_driver_timeout_ms(), C_DURATION_MAX.as_millis() as u64);
    ctx.set_resource_linger_duration(Duration::MAX).unwrap();
    assert_eq!(ctx.get_resource_linger_duration_ns(), C_DURATION_MAX_NANOS);
    ctx.set_keepalive_interval_ns(u64::MAX).unwrap();
    assert_eq!(ctx.get_keepalive_interval_ns(), C_DURATION_MAX_NANOS);
    ctx.set_keepalive_interval(Duration::from_millis(500)).unwrap();
    ctx.set_idle_sleep_duration(Duration::from_millis(1)).unwrap();
    assert_eq!(ctx.get_idle_sleep_duration_ns(), 1_000_000);
    let aeron = Aeron::connect(&ctx).expect("connect with the longest driver timeout");
    assert_client_works(&aeron, 51);
    assert!(aeron.add_publication(c"aeron:ipc", 52, Duration::MAX).is_ok());
    let cnc = AeronCnc::new(&md.dir_str().into_c_string_for("dir").unwrap(), Duration::MAX).unwrap();
    assert_eq!(cnc.get_constants().unwrap().pid(), md.pid() as i64);
}

/// An add the driver refuses reports the driver's error ("invalid channel", `DriverError`), not
/// an offer result: the C client negates the driver's code, which then reads as -1, the
/// "not connected" of an offer. A failed offer still reads as an offer result.
#[test]
fn a_driver_refusal_is_not_read_as_an_offer_result() {
    let md = MediaDriverProcess::start().expect("driver");
    let aeron = md.connect().expect("client");
    // The client's parser accepts a UDP channel without an endpoint; the driver refuses it with
    // AERON_ERROR_CODE_INVALID_CHANNEL (1), which the C client reports as -1.
    let channel = c"aeron:udp";
    let e = aeron.add_publication(channel, 7001, TIMEOUT).expect_err("the driver refuses the channel");
    assert!(matches!(e.kind(), AeronErrorType::DriverError(_)), "{e:?}");
    assert!(!e.kind().is_retryable(), "{e:?}");
    assert_eq!((e.code, e.kind()), (-1, AeronErrorType::DriverError(1)), "{e:?}");
    let shown = e.to_string();
    assert!(!shown.contains("not connected"), "{shown}");
    assert!(shown.starts_with("invalid channel (-1)"), "{shown}");

    // An offer on a publication nobody listens to is still "not connected".
    let publication = aeron.add_exclusive_publication(c"aeron:ipc", 7002, TIMEOUT).unwrap();
    let e = publication.offer(b"nobody listens").expect_err("not connected");
    assert_eq!(e.kind(), AeronErrorType::NullOrNotConnected);
}
