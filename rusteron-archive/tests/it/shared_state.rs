//! Issue 26, items 2, 3 and 8: what an archive shares with its context, with copies of its
//! context, and with other archives connected from the same context.
//!
//! - Item 2: `get_and_own_archive_context` handed out a context whose client could be freed
//!   (taken, then the archive, the connect context and the user's `Aeron` dropped, then
//!   `owned.get_aeron().unwrap().client_id()` read freed memory).
//! - Item 3: every `get_and_own_archive_context()` returned a clone of one (`!Send`) C context,
//!   reachable from the `Send + Sync` archive on any thread: two threads set its channel at once
//!   once the archive was gone (heap corruption, 3 runs out of 3).
//! - Item 8: archives connected from one context shared the idle strategy state C loaded into it,
//!   while each locks only itself (helgrind: races in `aeron_idle_strategy_backoff_idle`).
//!
//! The scenarios are written as a hostile user would, in safe code; only the `inspect` helpers
//! read C's structs (to show the C objects are distinct). `scripts/racecheck.sh` runs the
//! threaded scenarios under helgrind, `scripts/memcheck.sh` all of them under memcheck.
#![deny(unsafe_code)]

use crate::common::*;
use rusteron_archive::testing::*;
use rusteron_archive::*;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// Each test's own deadline (valgrind makes everything ~20-50x slower).
const DEADLINE: Duration = Duration::from_secs(240);

/// Runs `body` on a thread and fails the test if it has not finished by [`DEADLINE`].
fn within_deadline(name: &'static str, body: impl FnOnce() + Send + 'static) {
    let (tx, rx) = std::sync::mpsc::channel();
    let t = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            body();
            let _ = tx.send(());
        })
        .unwrap();
    match rx.recv_timeout(DEADLINE) {
        Ok(()) => t.join().unwrap(),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            // The body panicked: report its panic.
            if let Err(p) = t.join() {
                std::panic::resume_unwind(p)
            }
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("{name}: not finished within {DEADLINE:?}"),
    }
}

/// Allocates and frees a spread of blocks, so that freed memory is reused before it is read.
fn churn_heap() {
    let junk: Vec<Vec<u8>> = (0..2000).map(|i| vec![0xAB; 16 + i % 800]).collect();
    drop(junk);
}

/// C's structs, read to show which C objects are distinct.
#[allow(unsafe_code)]
mod inspect {
    use rusteron_archive::bindings;

    /// The idle strategy state pointer of a C archive context.
    pub fn idle_state(ctx: *mut bindings::aeron_archive_context_t) -> usize {
        unsafe { (*ctx).idle_strategy_state as usize }
    }

    /// Whether a C archive context has an idle strategy function.
    pub fn has_idle_func(ctx: *mut bindings::aeron_archive_context_t) -> bool {
        unsafe { (*ctx).idle_strategy_func.is_some() }
    }

    /// The archive's own C context.
    pub fn own_context(archive: &rusteron_archive::AeronArchive) -> *mut bindings::aeron_archive_context_t {
        unsafe { bindings::aeron_archive_get_archive_context(archive.get_inner()) }
    }

    /// The C context a proxy uses.
    pub fn proxy_context(proxy: &rusteron_archive::AeronArchiveProxy) -> *mut bindings::aeron_archive_context_t {
        unsafe { (*proxy.get_inner()).ctx }
    }

    /// The archive context copy a persistent subscription context uses.
    pub fn persistent_archive_context(
        ctx: &rusteron_archive::AeronArchivePersistentSubscriptionContext,
    ) -> *mut bindings::aeron_archive_context_t {
        unsafe { (*ctx.get_inner()).archive_context }
    }
}

/// Item 2, with the user's own client: the owned context keeps it open after the archive, the
/// connect context and the user's last `Aeron` handle are gone, and can connect again.
#[test]
fn owned_context_keeps_a_user_supplied_client_alive() {
    within_deadline("owned_context_user_client", || {
        let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        let aeron = process.connect_aeron().unwrap();
        let client_id = aeron.client_id();
        let ctx = process.archive_context(&aeron).unwrap();
        let archive = AeronArchive::connect(&ctx).unwrap();
        let owned = archive.get_and_own_archive_context();
        drop(archive);
        drop(ctx);
        drop(aeron);
        churn_heap();
        let client = owned.get_aeron().expect("the owned context has the archive's client");
        assert_eq!(client.client_id(), client_id);
        assert!(!client.is_closed());
        // It is a whole context: it connects again, with the same client.
        let again = AeronArchive::connect(&owned).expect("connect with the owned context");
        assert!(again.list_recordings_vec(0, 10).is_ok());
        assert_eq!(again.aeron().unwrap().client_id(), client_id);
        drop(client);
        drop(owned);
        assert!(again.list_recordings_vec(0, 10).is_ok(), "the new archive keeps what it needs");
    });
}

/// Item 2, with a client the connect created (a context without one): the owned context keeps
/// that client too.
#[test]
fn owned_context_keeps_a_client_created_for_the_connect_alive() {
    within_deadline("owned_context_created_client", || {
        let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        let ctx = AeronArchiveContext::new().unwrap();
        ctx.set_aeron_directory_name(&c(process.aeron_dir())).unwrap();
        ctx.set_control_request_channel(&c(process.control_request_channel())).unwrap();
        ctx.set_control_response_channel(&c(process.control_response_channel())).unwrap();
        ctx.set_message_timeout(Duration::from_secs(10)).unwrap();
        let archive = AeronArchive::connect(&ctx).unwrap();
        let client_id = archive.aeron().expect("a client was created").client_id();
        assert!(ctx.get_aeron().is_none(), "the caller's context is left without a client");
        let owned = archive.get_and_own_archive_context();
        drop(archive);
        drop(ctx);
        churn_heap();
        let client = owned.get_aeron().expect("the owned context keeps the created client");
        assert_eq!(client.client_id(), client_id);
        assert!(!client.is_closed());
    });
}

/// Item 3: the getters of the `Send + Sync` archive hand out a new C context per call, never
/// one shared between threads. The scenario: copies taken on two threads, the archive
/// dropped, then both threads set the control request channel at once (and read it back).
#[test]
fn context_getters_hand_out_one_c_context_per_call() {
    within_deadline("context_getters", || {
        let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        let aeron = process.connect_aeron().unwrap();
        let ctx = process.archive_context(&aeron).unwrap();
        let archive = AeronArchive::connect(&ctx).unwrap();

        let a = archive.get_and_own_archive_context();
        let b = archive.get_and_own_archive_context();
        let view = archive.get_archive_context();
        assert_ne!(a.get_inner(), b.get_inner());
        assert_ne!(a.get_inner(), view.get_inner());
        assert_ne!(a.get_inner(), inspect::own_context(&archive));
        assert_eq!(a.get_control_request_channel(), view.get_control_request_channel());
        // The read-only copy says why a setter is refused; the owned one is settable.
        let refused = view.set_message_timeout_ns(1).expect_err("a read-only copy refuses setters");
        assert_eq!(refused.code, libc::EBUSY);
        assert!(refused.to_string().contains("read-only copy"), "{refused}");
        a.set_client_name(c"changed").unwrap();
        assert_eq!(a.get_client_name(), "changed");
        assert_ne!(b.get_client_name(), "changed", "copies are independent");
        assert_ne!(archive.get_archive_context().get_client_name(), "changed", "the archive is unchanged");
        drop(archive);
        // The copies outlive the archive.
        assert_eq!(a.get_control_request_channel(), view.get_control_request_channel());
        drop(a);
        drop(b);
        drop(view);
    });
}

/// Item 3, the scenario: owned contexts taken on two threads from one `Send + Sync`
/// archive, the archive dropped, then both threads set the control request channel at once and
/// read it back (each must see only its own values).
#[test]
fn two_threads_set_the_owned_contexts_they_took() {
    within_deadline("two_threads_set_owned", || {
        let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        let aeron = process.connect_aeron().unwrap();
        let ctx = process.archive_context(&aeron).unwrap();
        let archive = Arc::new(AeronArchive::connect(&ctx).unwrap());
        let start = Arc::new(Barrier::new(3));
        let threads: Vec<_> = (0..2)
            .map(|t| {
                let archive = archive.clone();
                let start = start.clone();
                std::thread::spawn(move || {
                    let owned = archive.get_and_own_archive_context();
                    drop(archive);
                    start.wait();
                    for i in 0..300 {
                        let channel = format!("aeron:udp?endpoint=localhost:{}|alias=t{t}-{i}", 20_000 + i);
                        owned.set_control_request_channel(&c(&channel)).unwrap();
                        assert_eq!(owned.get_control_request_channel(), channel);
                    }
                })
            })
            .collect();
        drop(archive);
        start.wait();
        for t in threads {
            t.join().unwrap();
        }
    });
}

/// Item 3, the other way to write to a shared context: connecting from it (C's connect rewrites
/// the context's channels). Two threads each connect an archive from the context getters of
/// one `Send + Sync` archive, at once, while a third uses that archive.
#[test]
fn connecting_from_context_copies_on_two_threads() {
    within_deadline("connect_from_copies", || {
        let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        let aeron = process.connect_aeron().unwrap();
        let ctx = process.archive_context(&aeron).unwrap();
        let archive = Arc::new(AeronArchive::connect(&ctx).unwrap());
        let start = Arc::new(Barrier::new(3));
        let threads: Vec<_> = (0..3)
            .map(|t| {
                let archive = archive.clone();
                let start = start.clone();
                std::thread::spawn(move || {
                    start.wait();
                    for _ in 0..2 {
                        if t == 2 {
                            assert!(archive.list_recordings_vec(0, 10).is_ok());
                            continue;
                        }
                        let copy =
                            if t == 0 { archive.get_archive_context() } else { archive.get_and_own_archive_context() };
                        let second = AeronArchive::connect(&copy).expect("connect from a copy");
                        assert!(second.list_recordings_vec(0, 10).is_ok());
                        assert_ne!(second.control_session_id(), archive.control_session_id());
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(archive.list_recordings_vec(0, 10).is_ok());
    });
}

/// Item 8: two archives connected from one context, each called in a loop on its own thread.
/// Each archive must have its own idle strategy state (helgrind reported races in
/// `aeron_idle_strategy_backoff_idle` on the shared one); `scripts/racecheck.sh` runs this
/// under helgrind.
#[test]
fn archives_from_one_context_on_two_threads() {
    within_deadline("archives_from_one_context", || {
        let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        let aeron = process.connect_aeron().unwrap();
        let ctx = process.archive_context(&aeron).unwrap();
        let first = AeronArchive::connect(&ctx).unwrap();
        let second = AeronArchive::connect(&ctx).unwrap();

        // A recording to ask about.
        let publication = first.add_recorded_exclusive_publication(c"aeron:ipc", 1001).unwrap();
        let position = publish_sequence(&publication, 0, 10);
        let recording_id = await_recording_position(&aeron, &first, publication.session_id(), position);

        let start = Arc::new(Barrier::new(2));
        let threads: Vec<_> = [first.clone(), second.clone()]
            .into_iter()
            .map(|archive| {
                let start = start.clone();
                std::thread::spawn(move || {
                    start.wait();
                    let until = Instant::now() + Duration::from_secs(2);
                    let mut calls = 0;
                    while calls < 20 || Instant::now() < until {
                        assert!(archive.get_recording_position(recording_id).unwrap() >= position);
                        calls += 1;
                        if calls >= 2000 {
                            break;
                        }
                    }
                    calls
                })
            })
            .collect();
        for t in threads {
            assert!(t.join().unwrap() >= 20);
        }
        drop(publication);
    });
}

/// Item 8, the C objects: each archive connected from one context has an idle strategy state
/// of its own, and the context is left as it was (no idle strategy, so the next connect lends
/// itself a new one).
#[test]
fn archives_from_one_context_have_their_own_idle_state() {
    within_deadline("own_idle_state", || {
        let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        let aeron = process.connect_aeron().unwrap();
        let ctx = process.archive_context(&aeron).unwrap();
        let first = AeronArchive::connect(&ctx).unwrap();
        let second = AeronArchive::connect(&ctx).unwrap();
        let s1 = inspect::idle_state(inspect::own_context(&first));
        let s2 = inspect::idle_state(inspect::own_context(&second));
        assert_ne!(s1, 0, "the archive has C's default idle strategy");
        assert_ne!(s1, s2, "two archives from one context share their idle strategy state");
        assert!(!inspect::has_idle_func(ctx.get_inner()), "the caller's context is left as it was");
        let third = AeronArchive::async_connect(&ctx).unwrap().poll_blocking(TIMEOUT).unwrap();
        let s3 = inspect::idle_state(inspect::own_context(&third));
        assert!(s3 != s1 && s3 != s2 && s3 != 0, "an async connect lends its archive a state too");
        for archive in [&first, &second, &third] {
            assert!(archive.list_recordings_vec(0, 1).is_ok());
        }
        // A context that failed to connect is left as it was too.
        let nowhere = process.archive_context(&aeron).unwrap();
        let port = find_unused_udp_port(41_000).unwrap();
        nowhere.set_control_request_channel(&c(&format!("aeron:udp?endpoint=localhost:{port}"))).unwrap();
        nowhere.set_message_timeout(Duration::from_millis(300)).unwrap();
        assert!(AeronArchive::connect(&nowhere).is_err());
        assert!(!inspect::has_idle_func(nowhere.get_inner()));
    });
}

/// Item 8, the proxy's and the persistent subscription's copies: neither shares an archive's
/// idle strategy state. A handler set with `set_idle_strategy` is shared as it is (its calls
/// are locked).
#[test]
fn proxy_and_persistent_subscription_copies_share_no_idle_state() {
    within_deadline("proxy_and_ps_copies", || {
        let process = EmbeddedArchiveMediaDriverProcess::start().expect("archive");
        let aeron = process.connect_aeron().unwrap();
        let ctx = process.archive_context(&aeron).unwrap();
        let archive = AeronArchive::connect(&ctx).unwrap();
        let archive_state = inspect::idle_state(inspect::own_context(&archive));

        let publication = aeron.add_exclusive_publication(c"aeron:ipc", 1002, TIMEOUT).unwrap();
        let proxy = AeronArchiveProxy::new(&ctx, &publication, 3).unwrap();
        assert_ne!(inspect::idle_state(inspect::proxy_context(&proxy)), archive_state);
        assert!(inspect::has_idle_func(inspect::proxy_context(&proxy)), "the proxy can idle");
        // So do the copies the archive hands out.
        let owned = archive.get_and_own_archive_context();
        assert_ne!(inspect::idle_state(owned.get_inner()), archive_state);
        let proxy_from_copy = AeronArchiveProxy::new(&owned, &publication, 3).unwrap();
        assert_ne!(inspect::idle_state(inspect::proxy_context(&proxy_from_copy)), archive_state);

        let ps_ctx = AeronArchivePersistentSubscriptionContext::new().unwrap();
        ps_ctx.set_archive_context(&ctx).unwrap();
        assert_ne!(inspect::idle_state(inspect::persistent_archive_context(&ps_ctx)), archive_state);
        let ps_ctx_from_copy = AeronArchivePersistentSubscriptionContext::new().unwrap();
        ps_ctx_from_copy.set_archive_context(&archive.get_archive_context()).unwrap();
        assert_ne!(inspect::idle_state(inspect::persistent_archive_context(&ps_ctx_from_copy)), archive_state);

        // A Rust idle strategy is shared by every archive connected afterwards (it is locked),
        // and the caller's context keeps it.
        let with_handler = process.archive_context(&aeron).unwrap();
        with_handler.set_idle_strategy(|_work: i32| std::thread::yield_now()).unwrap();
        let handler_state = inspect::idle_state(with_handler.get_inner());
        let a = AeronArchive::connect(&with_handler).unwrap();
        let b = AeronArchive::connect(&with_handler).unwrap();
        assert_eq!(inspect::idle_state(inspect::own_context(&a)), handler_state);
        assert_eq!(inspect::idle_state(inspect::own_context(&b)), handler_state);
        assert_eq!(inspect::idle_state(with_handler.get_inner()), handler_state);
        assert!(a.list_recordings_vec(0, 1).is_ok() && b.list_recordings_vec(0, 1).is_ok());
    });
}
