//! The embedded media driver (`aeronmd.h` in this process), idle strategies and the inferring
//! polls, against the real C driver.

use rusteron_client::testing::*;
use rusteron_client::*;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(10);

/// Sends `n` numbered messages from `publication` and reads them back in order from
/// `subscription` with the inferring poll; returns what arrived.
fn exchange(publication: &AeronPublication, subscription: &AeronSubscription, n: u64) -> Vec<u64> {
    assert!(wait_until(TIMEOUT, || publication.is_connected()), "publication did not connect");
    let mut sent = 0u64;
    let mut received = Vec::new();
    let deadline = Instant::now() + TIMEOUT;
    while (received.len() as u64) < n {
        assert!(Instant::now() < deadline, "only {} of {n} messages arrived", received.len());
        if sent < n && publication.offer(&sent.to_le_bytes()).is_ok() {
            sent += 1;
        }
        subscription
            .poll_fn(
                |msg, header| {
                    assert_eq!(header.stream_id(), subscription_stream(subscription));
                    received.push(u64::from_le_bytes(msg.try_into().unwrap()));
                },
                100,
            )
            .unwrap();
    }
    received
}

fn subscription_stream(subscription: &AeronSubscription) -> i32 {
    subscription.get_constants().unwrap().stream_id
}

fn pair(aeron: &Aeron, channel: &std::ffi::CStr, stream: i32) -> (AeronPublication, AeronSubscription) {
    let subscription = aeron
        .add_subscription(channel, stream, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .expect("subscription");
    let publication = aeron.add_publication(channel, stream, TIMEOUT).expect("publication");
    (publication, subscription)
}

#[test]
fn embedded_driver_carries_ipc_and_udp() {
    let driver = start_embedded_driver().expect("embedded driver");
    assert!(driver.dir().join("cnc.dat").is_file(), "the driver made its CnC file in {}", driver.dir().display());
    assert_eq!(driver.threading_mode(), Some(AeronThreadingMode::Shared));
    let aeron = driver.connect().expect("client");

    let (publication, subscription) = pair(&aeron, AERON_IPC_CHANNEL, 3001);
    // Aeron's clocks need no client; the heartbeat the driver sees is on the epoch clock.
    let t0 = Aeron::nano_clock();
    assert!(Aeron::nano_clock() >= t0);
    let heartbeat_age_ms = Aeron::epoch_clock()
        - AeronCnc::new(&driver.dir().to_string_lossy().as_ref().into_c_string(), TIMEOUT)
            .unwrap()
            .to_driver_heartbeat();
    assert!((0..10_000).contains(&heartbeat_age_ms), "driver heartbeat {heartbeat_age_ms} ms old");
    assert_eq!(exchange(&publication, &subscription, 500), (0..500).collect::<Vec<_>>());

    let port = find_unused_udp_port(24500).expect("free port");
    let channel = format!("aeron:udp?endpoint=localhost:{port}").into_c_string();
    let (publication, subscription) = pair(&aeron, &channel, 3002);
    assert_eq!(exchange(&publication, &subscription, 500), (0..500).collect::<Vec<_>>());

    // The driver is this process: its counters say it carried the bytes.
    let reader = aeron.counters_reader();
    assert!(reader.get_counter_value(AeronSystemCounterType::BytesSent.id()).unwrap() > 0);
}

#[test]
fn embedded_driver_with_dedicated_threads_and_aeron_defaults() {
    // Aeron's own defaults (16 MiB network terms, 64 MiB IPC terms), on a directory of our own.
    let context = AeronDriverContext::new().unwrap();
    assert_eq!(context.get_term_buffer_length(), 16 * 1024 * 1024);
    assert_eq!(context.get_ipc_term_buffer_length(), 64 * 1024 * 1024);
    assert!(context.get_dir_delete_on_shutdown());
    assert!(!context.get_dir_warn_if_exists());
    let dir = unique_dir("rusteron-emd-defaults");
    context.set_dir(&dir.to_string_lossy().as_ref().into_c_string()).unwrap();
    context.set_threading_mode(AeronThreadingMode::Dedicated).unwrap();
    assert_eq!(context.get_threading_mode(), Some(AeronThreadingMode::Dedicated));
    let driver = EmbeddedMediaDriver::start(context).expect("driver with dedicated threads");
    let aeron = driver.connect().unwrap();
    let (publication, subscription) = pair(&aeron, c"aeron:ipc", 3003);
    assert_eq!(exchange(&publication, &subscription, 100), (0..100).collect::<Vec<_>>());
    drop((publication, subscription, aeron));
    drop(driver);
    assert!(!dir.exists(), "{} was not deleted", dir.display());
}

#[test]
fn drop_stops_the_driver_and_removes_its_directory() {
    let driver = start_embedded_driver().unwrap();
    let dir = driver.dir().to_path_buf();
    let cnc = AeronCnc::new(&dir.to_string_lossy().as_ref().into_c_string(), Duration::from_secs(5)).unwrap();
    let pid = cnc.get_constants().unwrap().pid();
    assert_eq!(pid, std::process::id() as i64, "the driver runs in this process");
    drop(cnc);
    let dir_c = dir.to_string_lossy().as_ref().into_c_string();
    assert!(is_driver_active(&dir_c, Duration::from_secs(5)));
    drop(driver);
    assert!(!dir.exists(), "{} still exists after the driver was dropped", dir.display());
    assert!(!is_driver_active(&dir_c, Duration::from_secs(5)));

    // With dir_delete_on_shutdown off, the directory stays (and we remove it ourselves).
    let context = embedded_driver_context().unwrap();
    context.set_dir_delete_on_shutdown(false).unwrap();
    let driver = EmbeddedMediaDriver::start(context).unwrap();
    let dir = driver.dir().to_path_buf();
    drop(driver);
    assert!(dir.join("cnc.dat").is_file(), "the directory was kept as configured");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn two_embedded_drivers_on_different_directories() {
    let a = start_embedded_driver().unwrap();
    let b = start_embedded_driver().unwrap();
    assert_ne!(a.dir(), b.dir());
    let client_a = a.connect().unwrap();
    let client_b = b.connect().unwrap();
    let (pub_a, sub_a) = pair(&client_a, c"aeron:ipc", 3004);
    let (pub_b, sub_b) = pair(&client_b, c"aeron:ipc", 3004);
    assert_eq!(exchange(&pub_a, &sub_a, 50), (0..50).collect::<Vec<_>>());
    assert_eq!(exchange(&pub_b, &sub_b, 50), (0..50).collect::<Vec<_>>());
    // Same stream id, different drivers: nothing crossed over.
    assert_eq!(sub_a.image_count().unwrap(), 1);
    assert_eq!(sub_b.image_count().unwrap(), 1);

    // A third driver on a directory with an active driver is refused.
    let context = AeronDriverContext::new().unwrap();
    context.set_dir(&a.dir().to_string_lossy().as_ref().into_c_string()).unwrap();
    context.set_dir_delete_on_shutdown(false).unwrap();
    let err = EmbeddedMediaDriver::start(context).expect_err("an active driver owns that directory");
    assert_eq!(err.code, libc::EBUSY, "{err}");
    assert!(err.to_string().contains("another media driver is active"), "{err}");
    // ... and the running one is unharmed.
    assert_eq!(exchange(&pub_a, &sub_a, 10), (0..10).collect::<Vec<_>>());
}

#[test]
fn stepped_driver_works_only_when_stepped() {
    let context = embedded_driver_context().unwrap();
    context.set_threading_mode(AeronThreadingMode::Invoker).unwrap();
    let mut driver = SteppedMediaDriver::start(context).expect("stepped driver");
    let client_context = driver.client_context().unwrap();
    let aeron = Aeron::connect(&client_context).expect("client");

    // Not stepped: the driver never answers the add.
    let add = aeron.async_add_publication(c"aeron:ipc", 3005).unwrap();
    for _ in 0..200 {
        assert!(add.poll().unwrap().is_none(), "the add completed although the driver was not stepped");
    }
    // Stepped: it does.
    let mut publication = None;
    assert!(driver
        .run_until(TIMEOUT, || {
            publication = add.poll().unwrap();
            publication.is_some()
        })
        .unwrap());
    let publication = publication.unwrap();

    // Step it on another thread (it is Send) while this one subscribes and exchanges messages.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stepper = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut cycles = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let n = driver.do_work().unwrap();
                driver.idle(n);
                cycles += 1;
            }
            (driver, cycles)
        })
    };
    let subscription = aeron
        .add_subscription(c"aeron:ipc", 3005, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    assert_eq!(exchange(&publication, &subscription, 100), (0..100).collect::<Vec<_>>());
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (driver, cycles) = stepper.join().unwrap();
    assert!(cycles > 0);
    let dir = driver.dir().to_path_buf();
    drop((publication, subscription, aeron));
    drop(driver);
    assert!(!dir.exists());
}

#[test]
fn bad_settings_are_errors() {
    // A term length that is not a power of two: the driver refuses to initialise.
    let context = embedded_driver_context().unwrap();
    let dir = std::path::PathBuf::from(context.get_dir());
    context.set_term_buffer_length(100_000).unwrap();
    let err = EmbeddedMediaDriver::start(context).expect_err("bad term length");
    assert!(err.to_string().contains("term"), "{err}");
    assert!(!dir.exists(), "the refused driver's directory was left behind");

    // An idle strategy name C would look up with dlsym ("exit" is a libc function).
    let context = embedded_driver_context().unwrap();
    let err = context.set_shared_idle_strategy(c"exit").expect_err("unknown idle strategy");
    assert_eq!(err.code, libc::EINVAL);
    assert!(err.to_string().contains("unknown idle strategy"), "{err}");
    assert_eq!(context.get_shared_idle_strategy(), "backoff", "the previous strategy stays");
    let client = AeronContext::new().unwrap();
    assert_eq!(client.set_idle_strategy(c"abort").unwrap_err().code, libc::EINVAL);

    // INVOKER runs no thread: only a stepped driver can use it.
    let context = embedded_driver_context().unwrap();
    context.set_threading_mode(AeronThreadingMode::Invoker).unwrap();
    let err = EmbeddedMediaDriver::start(context).expect_err("INVOKER needs stepping");
    assert_eq!(err.code, libc::EINVAL);
    assert!(err.to_string().contains("SteppedMediaDriver"), "{err}");

    // A clone of the context could change it under the running driver.
    let context = embedded_driver_context().unwrap();
    let clone = context.clone();
    let err = EmbeddedMediaDriver::start(context).expect_err("a clone exists");
    assert_eq!(err.code, libc::EBUSY);
    drop(clone);

    // A directory C would cut short.
    let context = AeronDriverContext::new().unwrap();
    let long = format!("/tmp/{}", "d".repeat(5000)).into_c_string();
    assert_eq!(context.set_dir(&long).unwrap_err().code, libc::EINVAL);

    // Strings C keeps a pointer to are copied.
    let context = AeronDriverContext::new().unwrap();
    {
        let name = String::from("driver-a").into_c_string();
        context.set_resolver_name(&name).unwrap();
    }
    assert_eq!(context.get_resolver_name(), "driver-a");
}

#[test]
fn idle_strategies_over_aeron_c() {
    for name in AERON_IDLE_STRATEGY_NAMES {
        let mut idle = AeronIdleStrategy::load(&name.into_c_string(), None).unwrap();
        assert_eq!(idle.name(), *name);
        idle.idle(1);
    }
    let mut sleeping = AeronIdleStrategy::sleeping(Duration::from_millis(2)).unwrap();
    let start = Instant::now();
    for _ in 0..5 {
        sleeping.idle(0);
    }
    assert!(start.elapsed() >= Duration::from_millis(10), "slept {:?}", start.elapsed());
    let start = Instant::now();
    for _ in 0..1000 {
        sleeping.idle(1); // work done: no sleep
    }
    assert!(start.elapsed() < Duration::from_millis(500), "idle(1) slept: {:?}", start.elapsed());

    let mut backoff = AeronIdleStrategy::backoff(1, 1, Duration::from_millis(1), Duration::from_millis(4)).unwrap();
    for _ in 0..10 {
        backoff.idle(0);
    }
    assert!(AeronIdleStrategy::backoff(1, 1, Duration::from_secs(2), Duration::from_secs(1)).is_err());
    assert!(AeronIdleStrategy::load(c"backoff", Some(c"not-four-values")).is_err());
    assert!(AeronIdleStrategy::load(c"sleeping", Some(c"soon")).is_err());
    assert!(AeronIdleStrategy::load(c"printf", None).is_err());
    let mut spin = AeronIdleStrategy::busy_spin();
    spin.idle(0);
    AeronIdleStrategy::yielding().idle(0);
    AeronIdleStrategy::noop().idle(0);

    // The client conductor's idle strategy, by name; the client works with it.
    let driver = start_embedded_driver().unwrap();
    let ctx = driver.client_context().unwrap();
    ctx.set_idle_strategy(c"yield").unwrap();
    assert_eq!(ctx.get_idle_strategy(), "yield");
    let aeron = Aeron::connect(&ctx).unwrap();
    let (publication, subscription) = pair(&aeron, c"aeron:ipc", 3006);
    assert_eq!(exchange(&publication, &subscription, 20), (0..20).collect::<Vec<_>>());
}

#[test]
fn error_kinds_say_whether_to_retry() {
    let driver = start_embedded_driver().unwrap();
    let aeron = driver.connect().unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 3007, TIMEOUT).unwrap();
    let err = publication.offer(b"nobody listens").expect_err("no subscriber");
    assert!(err.is_retryable() && !err.is_fatal(), "{err:?}");

    let err = aeron.add_publication(c"aeron:udp?endpoint=", 3007, TIMEOUT).expect_err("invalid channel");
    assert!(!err.is_retryable() && !err.is_fatal(), "{err:?}");
    assert!(AeronCError::from_code(-4).is_fatal(), "publication closed");
}

#[test]
fn controlled_poll_fn_infers_and_can_abort() {
    let driver = start_embedded_driver().unwrap();
    let aeron = driver.connect().unwrap();
    let (publication, subscription) = pair(&aeron, c"aeron:ipc", 3008);
    assert!(wait_until(TIMEOUT, || publication.is_connected()));
    for i in 0..3u8 {
        assert!(wait_until(TIMEOUT, || publication.offer(&[i]).is_ok()));
    }
    // Abort the first fragment once: it is delivered again by the next poll.
    let mut seen = Vec::new();
    let mut aborted = false;
    assert!(wait_until(TIMEOUT, || {
        subscription
            .controlled_poll_fn(
                |msg, _header| {
                    if !aborted {
                        aborted = true;
                        return bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_ABORT;
                    }
                    seen.push(msg[0]);
                    bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_CONTINUE
                },
                10,
            )
            .unwrap();
        seen.len() == 3
    }));
    assert_eq!(seen, vec![0, 1, 2]);
}

#[test]
fn image_controlled_poll_fn_infers_and_can_abort() {
    let driver = start_embedded_driver().unwrap();
    let aeron = driver.connect().unwrap();
    let (publication, subscription) = pair(&aeron, c"aeron:ipc", 3009);
    assert!(wait_until(TIMEOUT, || publication.is_connected()));
    let image = subscription.image_at_index(0).expect("the publication's image");
    for i in 0..3u8 {
        assert!(wait_until(TIMEOUT, || publication.offer(&[i]).is_ok()));
    }
    // Abort the first fragment once, then stop after the second: what the image delivers next
    // starts at the aborted fragment, and BREAK ends the poll after the fragment it returns for.
    let mut seen = Vec::new();
    let mut aborted = false;
    let mut polls = 0;
    assert!(wait_until(TIMEOUT, || {
        polls += 1;
        image
            .controlled_poll_fn(
                |msg, _header| {
                    if !aborted {
                        aborted = true;
                        return bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_ABORT;
                    }
                    seen.push(msg[0]);
                    if seen.len() == 2 {
                        bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_BREAK
                    } else {
                        bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_CONTINUE
                    }
                },
                10,
            )
            .unwrap();
        seen.len() == 3
    }));
    assert_eq!(seen, vec![0, 1, 2]);
    // At least three polls: the abort ends one, the break another.
    assert!(polls >= 3, "{polls} polls");
    // Everything was consumed through the image: it stands where the publication stands.
    assert_eq!(image.position(), publication.position());
}

#[test]
fn out_of_range_sizes_are_refused_at_start() {
    type Setter = fn(&AeronDriverContext) -> Result<i32, AeronCError>;
    // Each is accepted by its setter (C stores it) and refused by aeron_driver_init's checks,
    // with Aeron's message and no directory left behind.
    let refused: &[(&str, Setter)] = &[
        ("to_conductor_buffer_length 1", |c| c.set_to_conductor_buffer_length(1)),
        ("to_clients_buffer_length 3", |c| c.set_to_clients_buffer_length(3)),
        ("counters_buffer_length 0", |c| c.set_counters_buffer_length(0)),
        ("error_buffer_length 0", |c| c.set_error_buffer_length(0)),
        ("loss_report_buffer_length 0", |c| c.set_loss_report_buffer_length(0)),
        ("file_page_size 3", |c| c.set_file_page_size(3)),
        ("mtu_length 1", |c| c.set_mtu_length(1)),
        ("ipc_mtu_length 1 GiB", |c| c.set_ipc_mtu_length(1 << 30)),
        ("ipc_term_buffer_length 0", |c| c.set_ipc_term_buffer_length(0)),
        ("term_buffer_length 2 GiB", |c| c.set_term_buffer_length(2 << 30)),
        ("publication_term_window_length usize::MAX", |c| c.set_publication_term_window_length(usize::MAX)),
    ];
    for (what, set) in refused {
        let context = embedded_driver_context().unwrap();
        let dir = std::path::PathBuf::from(context.get_dir());
        set(&context).unwrap();
        let err = EmbeddedMediaDriver::start(context).expect_err(what);
        assert_eq!(err.code, libc::EINVAL, "{what}: {err}");
        assert!(err.to_string().contains("did not initialise"), "{what}: {err}");
        assert!(!dir.exists(), "{what}: {} left behind", dir.display());
    }
}
