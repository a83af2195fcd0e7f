//! Issue 26 (client half): safe code written as an attacker would (`forbid(unsafe_code)`,
//! clones reached through `thread_local!`, callbacks that re-enter what called them, panicking
//! `Drop`s, files that lie) against a real media driver (the `Drop` that panics on the conductor
//! thread is in `tests/conductor_panics.rs`: it reads the process-wide panic list). Each test must end without a signal and
//! without an invalid read or write under valgrind (`just memcheck` runs this file).
#![forbid(unsafe_code)]

use rusteron_client::testing::*;
use rusteron_client::*;
use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(20);

fn ipc(md: &MediaDriverProcess, stream: i32) -> (Aeron, AeronExclusivePublication, AeronSubscription) {
    let aeron = md.connect().unwrap();
    let sub = aeron
        .add_subscription(c"aeron:ipc", stream, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    let publication = aeron.add_exclusive_publication(c"aeron:ipc", stream, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected() && sub.is_connected()));
    (aeron, publication, sub)
}

fn offer(publication: &AeronExclusivePublication, msg: &[u8]) {
    assert!(wait_until(TIMEOUT, || publication.offer(msg).is_ok()), "offer of {} bytes never accepted", msg.len());
}

// -------------------------------------------------------------------------------------------
// Item 4: a corrupted cnc.dat (and loss report), made from a real driver's files.

fn le_i32(b: &[u8], at: usize) -> i32 {
    i32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn put_i32(b: &mut [u8], at: usize, v: i32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// Offsets in a cnc.dat: (counters metadata buffer, error log buffer, error log length).
fn cnc_offsets(cnc: &[u8]) -> (usize, usize, usize) {
    let lengths: Vec<usize> = (0..5).map(|i| le_i32(cnc, 4 + 4 * i) as usize).collect();
    let metadata = 128 + lengths[0] + lengths[1];
    let error_log = metadata + lengths[2] + lengths[3];
    (metadata, error_log, lengths[4])
}

#[test]
fn corrupted_cnc_file_and_loss_report_are_read_without_crashing() {
    let md = MediaDriverProcess::start().unwrap();
    let _aeron = md.connect().unwrap();
    let real = std::fs::read(md.dir().join("cnc.dat")).unwrap();
    let (metadata, error_log, error_log_length) = cnc_offsets(&real);
    assert!(error_log + error_log_length <= real.len());

    // 1. The first error-log record claims 0x7fff0000 bytes; counter 0's label claims as much.
    let dir = unique_dir("attacks-cnc");
    std::fs::create_dir_all(&dir).unwrap();
    let mut bad = real.clone();
    put_i32(&mut bad, error_log, 0x7fff_0000);
    bad[error_log + 4..error_log + 24].fill(1);
    put_i32(&mut bad, metadata + 128, 0x7fff_0000);
    std::fs::write(dir.join("cnc.dat"), &bad).unwrap();
    // A loss report whose first entry's channel length runs past the file.
    let mut loss = vec![0u8; 4096];
    loss[0..8].copy_from_slice(&3i64.to_le_bytes());
    put_i32(&mut loss, 40, 0x7fff_0000);
    std::fs::write(dir.join("loss-report.dat"), &loss).unwrap();

    let cnc = AeronCnc::new(&dir.to_str().unwrap().into_c_string(), TIMEOUT).expect("the header itself is sound");
    assert_eq!(cnc.errors(0), Vec::new(), "the bad record stops the walk");
    let mut entries = 0;
    assert_eq!(cnc.loss_reporter_read_once(|_, _, _, _, _, _, _, _| entries += 1).unwrap(), 0);
    assert_eq!(entries, 0);
    let mut labels = Vec::new();
    cnc.counters_reader().foreach_counter_once(|_, id, _, key: &[u8], label: &str| {
        assert_eq!(key.len(), AERON_COUNTER_MAX_KEY_LENGTH);
        assert!(label.len() <= AERON_COUNTER_MAX_LABEL_LENGTH);
        labels.push((id, label.len()));
    });
    assert!(labels.contains(&(0, AERON_COUNTER_MAX_LABEL_LENGTH)), "counter 0's label is clamped: {labels:?}");
    let label0 = cnc.counters_reader().get_counter_label(0).unwrap();
    assert!(label0.len() <= AERON_COUNTER_MAX_LABEL_LENGTH);
    drop(cnc);

    // 2. A well-formed record followed by one whose length runs past the log: the first is read.
    let mut bad = real.clone();
    let text = b"a recorded error";
    put_i32(&mut bad, error_log, (24 + text.len()) as i32);
    put_i32(&mut bad, error_log + 4, 2);
    bad[error_log + 8..error_log + 16].copy_from_slice(&5i64.to_le_bytes());
    bad[error_log + 16..error_log + 24].copy_from_slice(&4i64.to_le_bytes());
    bad[error_log + 24..error_log + 24 + text.len()].copy_from_slice(text);
    let next = error_log + (24 + text.len()).next_multiple_of(8);
    put_i32(&mut bad, next, (error_log_length - (next - error_log) + 8) as i32);
    std::fs::write(dir.join("cnc.dat"), &bad).unwrap();
    let cnc = AeronCnc::new(&dir.to_str().unwrap().into_c_string(), TIMEOUT).unwrap();
    let errors = cnc.errors(0);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].message, "a recorded error");
    assert_eq!((errors[0].observation_count, errors[0].first_observation_timestamp), (2, 4));
    drop(cnc);

    // 3. A header whose counters metadata describes more counters than the values buffer
    // holds: refused with an error naming the file.
    let mut bad = real.clone();
    let values_length = le_i32(&real, 16);
    put_i32(&mut bad, 16, values_length / 8);
    std::fs::write(dir.join("cnc.dat"), &bad).unwrap();
    let e = AeronCnc::new(&dir.to_str().unwrap().into_c_string(), TIMEOUT).unwrap_err();
    assert!(e.to_string().contains("cnc.dat") && e.to_string().contains("values buffer"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

// -------------------------------------------------------------------------------------------
// Item 7: no shared slice into counter memory the driver rewrites.

#[test]
fn counter_key_is_a_copy_the_driver_cannot_change() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let reader = aeron.counters_reader();
    // Copies of the keys of the first unused records (never-used records follow the last one
    // allocated): the next counter added takes one of them.
    let first_unused = (0..=reader.max_counter_id()).find(|&id| reader.get_counter_state(id) == Ok(0)).unwrap();
    let before: Vec<(i32, [u8; AERON_COUNTER_MAX_KEY_LENGTH])> = (first_unused..first_unused + 64)
        .filter(|&id| reader.get_counter_state(id) == Ok(0))
        .map(|id| (id, reader.get_counter_key(id).unwrap()))
        .collect();
    assert!(!before.is_empty());
    let counter = aeron.add_counter(4242, &[66, 66, 66, 66], "rewritten key", TIMEOUT).unwrap();
    let free = counter.counter_id();
    let (_, old_key) = before.iter().find(|(id, _)| *id == free).expect("the driver used a record that was unused");
    // The driver wrote the new key where the old one was; our copy did not change.
    assert_eq!(&reader.get_counter_key(free).unwrap()[..4], &[66, 66, 66, 66]);
    assert_eq!(&old_key[..4], &[0, 0, 0, 0]);
    let mut seen = None;
    reader.foreach_counter_once(|_, id, _, key: &[u8], label: &str| {
        if id == free {
            seen = Some((key[..4].to_vec(), label.to_string()));
        }
    });
    assert_eq!(seen, Some((vec![66, 66, 66, 66], "rewritten key".to_string())));
}

// -------------------------------------------------------------------------------------------
// Item 9: `AeronImage::reject` on an image kept after it left its subscription.

#[test]
fn reject_of_an_image_kept_after_it_left_its_subscription() {
    let md = MediaDriverProcess::start().unwrap();
    let (_aeron, publication, sub) = ipc(&md, 901);
    offer(&publication, b"hello");
    let image = sub.image_at_index(0).expect("one image");
    assert!(wait_until(TIMEOUT, || sub.poll_once(|_m: &[u8], _h: AeronHeader<'_>| {}, 10).unwrap() > 0));
    assert_eq!(image.reject(c"while connected"), Ok(0));
    drop(publication);
    assert!(
        wait_until(TIMEOUT, || {
            sub.poll_once(|_m: &[u8], _h: AeronHeader<'_>| {}, 10).unwrap();
            image.is_closed() && sub.image_count() == Ok(0)
        }),
        "the image never left the subscription"
    );
    // The client conductor detaches a lingering image from its subscription (C sets
    // `image->subscription` to NULL) at a moment of its own, within the resource linger
    // duration (3 s by default) after the subscription stopped using it. Reject at many moments
    // across that window and after it: each must return, none may touch a NULL subscription.
    let window = std::time::Instant::now() + Duration::from_millis(4500);
    let mut rejects = 0u64;
    while std::time::Instant::now() < window {
        sub.poll_once(|_m: &[u8], _h: AeronHeader<'_>| {}, 10).unwrap();
        match image.reject(c"late") {
            Ok(_) => {}
            Err(e) => assert!(!e.to_string().is_empty()),
        }
        rejects += 1;
        std::thread::sleep(Duration::from_millis(rand_ms(rejects)));
    }
    assert!(rejects > 10, "{rejects}");
    // The image is still readable through the retained handle.
    assert!(image.is_closed());
    assert!(image.position() > 0);
}

/// A small pseudo-random pause (1..=60 ms) so the rejects land at varied moments.
fn rand_ms(i: u64) -> u64 {
    let x = (i ^ std::process::id() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    1 + (x >> 58)
}

// -------------------------------------------------------------------------------------------
// Item 1: an assembler, a subscription or an image polled again from inside its own handler.

thread_local! {
    static ASSEMBLER: RefCell<Option<AeronFragmentAssembler>> = const { RefCell::new(None) };
    static IMAGE_ASSEMBLER: RefCell<Option<AeronImageFragmentAssembler>> = const { RefCell::new(None) };
    static SUBSCRIPTION: RefCell<Option<AeronSubscription>> = const { RefCell::new(None) };
    static OTHER_SUBSCRIPTION: RefCell<Option<AeronSubscription>> = const { RefCell::new(None) };
    static IMAGE: RefCell<Option<AeronImage>> = const { RefCell::new(None) };
}

const EBUSY: i32 = 16;

/// A message of `len` bytes, all `fill`.
fn message(fill: u8, len: usize) -> Vec<u8> {
    vec![fill; len]
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()
}

#[test]
fn fragment_assembler_polled_from_its_own_delegate_is_refused() {
    let md = MediaDriverProcess::start().unwrap();
    let (aeron, publication, sub) = ipc(&md, 101);
    // A second subscription on the same stream hears the same session (same session id).
    let other = aeron
        .add_subscription(c"aeron:ipc", 101, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    assert!(wait_until(TIMEOUT, || other.is_connected()));
    let delivered: Arc<std::sync::Mutex<Vec<(u8, usize)>>> = Arc::default();
    let inner_errors = Arc::new(AtomicUsize::new(0));
    let forward_refusals = Arc::new(AtomicUsize::new(0));
    let (d, e, f) = (delivered.clone(), inner_errors.clone(), forward_refusals.clone());
    let assembler = AeronFragmentAssembler::with_handler(move |msg: &[u8], _h: AeronHeader<'_>| {
        let first = msg[0];
        // Re-enter the assembler that is delivering `msg`, through clones a `Send` handler can
        // reach: a poll of the same assembler must be refused, not reallocate `msg`'s buffer.
        let r = ASSEMBLER
            .with(|a| SUBSCRIPTION.with(|s| a.borrow().as_ref().unwrap().poll(s.borrow().as_ref().unwrap(), 100)));
        let err = r.expect_err("a re-entrant assembler poll must be refused");
        assert_eq!(err.code, EBUSY, "{err}");
        assert!(err.to_string().contains("AeronFragmentAssembler::poll"), "{err}");
        e.fetch_add(1, Ordering::SeqCst);
        // The same assembler as the handler of another subscription's poll (same session).
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            ASSEMBLER.with(|a| {
                let mut clone = a.borrow().as_ref().unwrap().clone();
                OTHER_SUBSCRIPTION.with(|s| s.borrow().as_ref().unwrap().poll_with(&mut clone, 100))
            })
        }));
        if let Err(p) = caught {
            assert!(panic_text(p.as_ref()).contains("used as a fragment handler"), "{}", panic_text(p.as_ref()));
            f.fetch_add(1, Ordering::SeqCst);
        }
        // `msg` is still the message being delivered, whole and unchanged.
        assert!(msg.iter().all(|&b| b == first), "the delegate's message changed under it");
        d.lock().unwrap().push((first, msg.len()));
    })
    .unwrap();
    ASSEMBLER.with(|a| *a.borrow_mut() = Some(assembler.clone()));
    SUBSCRIPTION.with(|s| *s.borrow_mut() = Some(sub.clone()));
    OTHER_SUBSCRIPTION.with(|s| *s.borrow_mut() = Some(other.clone()));
    // Fragmented messages (IPC MTU payload is below 1,408 bytes).
    for fill in 1..=4u8 {
        offer(&publication, &message(fill, 5000));
    }
    assert!(
        wait_until(TIMEOUT, || {
            assembler.poll(&sub, 100).unwrap();
            delivered.lock().unwrap().len() >= 4
        }),
        "delivered: {:?}",
        delivered.lock().unwrap()
    );
    assert_eq!(*delivered.lock().unwrap(), vec![(1, 5000), (2, 5000), (3, 5000), (4, 5000)]);
    assert_eq!(inner_errors.load(Ordering::SeqCst), 4);
    assert!(forward_refusals.load(Ordering::SeqCst) >= 1, "the forwarding handler must refuse too");
    ASSEMBLER.with(|a| a.borrow_mut().take());
    SUBSCRIPTION.with(|s| s.borrow_mut().take());
    OTHER_SUBSCRIPTION.with(|s| s.borrow_mut().take());
}

#[test]
fn image_fragment_assembler_polled_from_its_own_delegate_is_refused() {
    let md = MediaDriverProcess::start().unwrap();
    let (_aeron, publication, sub) = ipc(&md, 102);
    let image = sub.image_at_index(0).expect("an image");
    let delivered = Arc::new(AtomicUsize::new(0));
    let d = delivered.clone();
    let assembler = AeronImageFragmentAssembler::with_handler(move |msg: &[u8], _h: AeronHeader<'_>| {
        let first = msg[0];
        let r = IMAGE_ASSEMBLER
            .with(|a| IMAGE.with(|i| a.borrow().as_ref().unwrap().poll(i.borrow().as_ref().unwrap(), 100)));
        assert_eq!(r.expect_err("refused").code, EBUSY);
        // The image itself, polled from inside: refused too.
        let r = IMAGE.with(|i| i.borrow().as_ref().unwrap().poll_once(|_m: &[u8], _h: AeronHeader<'_>| {}, 10));
        assert_eq!(r.expect_err("refused").code, EBUSY);
        assert!(msg.iter().all(|&b| b == first));
        d.fetch_add(1, Ordering::SeqCst);
    })
    .unwrap();
    IMAGE_ASSEMBLER.with(|a| *a.borrow_mut() = Some(assembler.clone()));
    IMAGE.with(|i| *i.borrow_mut() = Some(image.clone()));
    for fill in 1..=3u8 {
        offer(&publication, &message(fill, 4000));
    }
    assert!(wait_until(TIMEOUT, || {
        assembler.poll(&image, 100).unwrap();
        delivered.load(Ordering::SeqCst) >= 3
    }));
    IMAGE_ASSEMBLER.with(|a| a.borrow_mut().take());
    IMAGE.with(|i| i.borrow_mut().take());
}

#[test]
fn subscription_and_image_used_from_inside_their_own_poll_are_refused() {
    let md = MediaDriverProcess::start().unwrap();
    let (aeron, publication, sub) = ipc(&md, 103);
    let image = sub.image_at_index(0).expect("an image");
    SUBSCRIPTION.with(|s| *s.borrow_mut() = Some(sub.clone()));
    IMAGE.with(|i| *i.borrow_mut() = Some(image.clone()));
    // An unrelated subscription may be polled from inside a handler.
    let unrelated = aeron
        .add_subscription(c"aeron:ipc", 104, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    for i in 0..4u8 {
        offer(&publication, &[i; 64]);
    }
    let checks = Arc::new(AtomicUsize::new(0));
    let c = checks.clone();
    let mut handler = move |msg: &[u8], _h: AeronHeader<'_>| {
        let copy = msg.to_vec();
        SUBSCRIPTION.with(|s| {
            let s = s.borrow();
            let s = s.as_ref().unwrap();
            let busy = |r: Result<i32, AeronCError>| assert_eq!(r.expect_err("refused").code, EBUSY);
            busy(s.poll_once(|_m: &[u8], _h: AeronHeader<'_>| {}, 10));
            busy(s.controlled_poll_once(
                |_m: &[u8], _h: AeronHeader<'_>| -> AeronControlledFragmentHandlerAction {
                    unreachable!("never polled")
                },
                10,
            ));
            assert_eq!(s.block_poll_once(|_b: &[u8], _s: i32, _t: i32| {}, 4096).expect_err("refused").code, EBUSY);
            busy(s.image_count());
            assert!(s.is_connected());
            assert!(s.image_at_index(0).is_none());
            assert!(s.image_by_session_id(publication_session(&copy)).is_none());
            let mut seen = 0;
            s.for_each_image(|_i| seen += 1);
            assert_eq!(seen, 0);
        });
        IMAGE.with(|i| {
            let r = i.borrow().as_ref().unwrap().poll_once(|_m: &[u8], _h: AeronHeader<'_>| {}, 10);
            assert_eq!(r.expect_err("an image of the subscription being polled").code, EBUSY);
        });
        assert!(unrelated.poll_once(|_m: &[u8], _h: AeronHeader<'_>| {}, 10).is_ok());
        assert_eq!(msg, &copy[..]);
        c.fetch_add(1, Ordering::SeqCst);
    };
    assert!(wait_until(TIMEOUT, || {
        sub.poll_with(&mut handler, 10).unwrap();
        checks.load(Ordering::SeqCst) >= 2
    }));
    // And the other way round: the subscription polled from inside a poll of its image.
    for i in 0..4u8 {
        offer(&publication, &[i; 64]);
    }
    let inner = Arc::new(AtomicUsize::new(0));
    let n = inner.clone();
    assert!(wait_until(TIMEOUT, || {
        image
            .poll_once(
                |_m: &[u8], _h: AeronHeader<'_>| {
                    SUBSCRIPTION.with(|s| {
                        let r = s.borrow().as_ref().unwrap().poll_once(|_m: &[u8], _h: AeronHeader<'_>| {}, 10);
                        assert_eq!(r.expect_err("the subscription of the image being polled").code, EBUSY);
                    });
                    IMAGE.with(|i| {
                        let r = i.borrow().as_ref().unwrap().poll_once(|_m: &[u8], _h: AeronHeader<'_>| {}, 10);
                        assert_eq!(r.expect_err("the image being polled").code, EBUSY);
                    });
                    n.fetch_add(1, Ordering::SeqCst);
                },
                10,
            )
            .unwrap();
        inner.load(Ordering::SeqCst) >= 2
    }));
    // After the polls, everything works again.
    assert!(sub.image_count().unwrap() >= 1);
    offer(&publication, &[9; 8]);
    assert!(wait_until(TIMEOUT, || sub.poll_once(|_m: &[u8], _h: AeronHeader<'_>| {}, 10).unwrap() > 0));
    SUBSCRIPTION.with(|s| s.borrow_mut().take());
    IMAGE.with(|i| i.borrow_mut().take());
}

/// Any session id (the lookup is refused before it is used).
fn publication_session(_msg: &[u8]) -> i32 {
    0
}

// -------------------------------------------------------------------------------------------
// offer_block: every frame of a block is validated.

/// One DATA frame of `length` bytes (header included) at `term_offset` for `publication`'s
/// current term, payload filled with `fill`.
fn data_frame(publication: &AeronExclusivePublication, term_offset: i32, length: usize, fill: u8) -> Vec<u8> {
    let c = publication.get_constants().unwrap();
    let position = publication.position();
    let term_id = c.initial_term_id + (position >> c.position_bits_to_shift) as i32;
    let mut frame = vec![0u8; length.next_multiple_of(32)];
    frame[0..4].copy_from_slice(&(length as i32).to_le_bytes());
    frame[5] = 0xC0; // begin and end of message
    frame[6..8].copy_from_slice(&1u16.to_le_bytes()); // DATA
    frame[8..12].copy_from_slice(&term_offset.to_le_bytes());
    frame[12..16].copy_from_slice(&c.session_id.to_le_bytes());
    frame[16..20].copy_from_slice(&c.stream_id.to_le_bytes());
    frame[20..24].copy_from_slice(&term_id.to_le_bytes());
    frame[32..length].fill(fill);
    frame
}

fn current_term_offset(publication: &AeronExclusivePublication) -> i32 {
    let c = publication.get_constants().unwrap();
    (publication.position() & (c.term_buffer_length as i64 - 1)) as i32
}

fn refused(publication: &AeronExclusivePublication, block: &[u8], needles: &[&str]) {
    let e = publication.offer_block(block).expect_err("a malformed block must be refused");
    let m = e.to_string();
    assert!(needles.iter().all(|n| m.contains(n)), "{m} (expected {needles:?})");
}

#[test]
fn offer_block_validates_every_frame() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let port = find_unused_udp_port(23_500).unwrap();
    let channel = format!("aeron:udp?endpoint=127.0.0.1:{port}").into_c_string();
    let sub = aeron
        .add_subscription(&channel, 77, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    let publication = aeron.add_exclusive_publication(&channel, 77, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected()));
    let max_payload = publication.max_payload_length().unwrap();

    // A well-formed DATA frame longer than the MTU: the sender would never send it.
    let t = current_term_offset(&publication);
    refused(&publication, &data_frame(&publication, t, max_payload + 32 + 672, 1), &["offset 0", "MTU"]);

    // A good first frame followed by bad ones: each bad field is named, with the frame's offset.
    let first = data_frame(&publication, t, 64, 1);
    let second = |edit: &dyn Fn(&mut Vec<u8>)| {
        let mut f = data_frame(&publication, t + 64, 64, 2);
        edit(&mut f);
        [first.clone(), f].concat()
    };
    refused(
        &publication,
        &second(&|f| f[12..16].copy_from_slice(&12345i32.to_le_bytes())),
        &["offset 64", "session id"],
    );
    refused(&publication, &second(&|f| f[16..20].copy_from_slice(&999i32.to_le_bytes())), &["offset 64", "stream id"]);
    refused(&publication, &second(&|f| f[20..24].copy_from_slice(&(-5i32).to_le_bytes())), &["offset 64", "term id"]);
    refused(
        &publication,
        &second(&|f| f[8..12].copy_from_slice(&(t + 4096).to_le_bytes())),
        &["offset 64", "term offset"],
    );
    refused(&publication, &second(&|f| f[6..8].copy_from_slice(&5u16.to_le_bytes())), &["offset 64", "type"]);
    refused(&publication, &second(&|f| f[0..4].copy_from_slice(&4000i32.to_le_bytes())), &["offset 64", "runs past"]);
    let mut long_second = data_frame(&publication, t + 64, max_payload + 32 + 64, 2);
    long_second[0..4].copy_from_slice(&((max_payload + 32 + 64) as i32).to_le_bytes());
    refused(&publication, &[first.clone(), long_second].concat(), &["offset 64", "MTU"]);
    // Nothing was appended by the refused blocks.
    assert_eq!(current_term_offset(&publication), t);

    // A well-formed block of two frames is appended and both messages arrive.
    let block = [first, data_frame(&publication, t + 64, 64, 2)].concat();
    assert!(publication.offer_block(&block).is_ok());
    let mut got = Vec::new();
    assert!(wait_until(TIMEOUT, || {
        sub.poll_once(|m: &[u8], _h: AeronHeader<'_>| got.push(m[0]), 10).unwrap();
        got.len() >= 2
    }));
    assert_eq!(got, vec![1, 2]);
}

// -------------------------------------------------------------------------------------------
// Suspicious spot: of_async_publication / of_async_subscription racing another thread's poll.

#[test]
fn registering_resource_snapshot_races_another_threads_poll() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    for round in 0..20 {
        let channel = format!("aeron:ipc?alias=attack-race-{round}");
        let c_channel = std::ffi::CString::new(channel.clone()).unwrap();
        let add = aeron.async_add_publication(&c_channel, 600 + round).unwrap();
        let poller = add.clone();
        // Another thread completes the add (C frees the object) while this one copies it.
        let t = std::thread::spawn(move || {
            let deadline = std::time::Instant::now() + TIMEOUT;
            while std::time::Instant::now() < deadline {
                if let Some(p) = poller.poll().unwrap() {
                    return Some(p.channel().to_string());
                }
                std::hint::spin_loop();
            }
            None
        });
        // Copy while the add is pending; bounded by the poller thread (which gives up at its own
        // deadline) so a starved poller (valgrind runs one thread at a time) cannot leave this
        // loop spinning on a pending add forever. The yield lets the poller run under valgrind.
        let mut copies = 0;
        while let Some(view) = AeronClientRegisteringResource::of_async_publication(&add) {
            assert_eq!(view.uri(), channel);
            assert_eq!(view.stream_id(), 600 + round);
            copies += 1;
            if t.is_finished() {
                break;
            }
            std::thread::yield_now();
        }
        assert_eq!(t.join().unwrap().as_deref(), Some(channel.as_str()), "round {round} ({copies} copies)");

        let sub_add = aeron
            .async_add_subscription(
                &c_channel,
                700 + round,
                no_available_image_handler(),
                no_unavailable_image_handler(),
            )
            .unwrap();
        let poller = sub_add.clone();
        let t = std::thread::spawn(move || {
            let deadline = std::time::Instant::now() + TIMEOUT;
            while std::time::Instant::now() < deadline {
                if poller.poll().unwrap().is_some() {
                    return true;
                }
                std::hint::spin_loop();
            }
            false
        });
        while let Some(view) = AeronClientRegisteringResource::of_async_subscription(&sub_add) {
            assert_eq!(view.uri(), channel);
            if t.is_finished() {
                break;
            }
            std::thread::yield_now();
        }
        assert!(t.join().unwrap(), "round {round}: the subscription add never completed");
    }
}
