//! Messages larger than the MTU, reassembled by each kind of fragment assembler, byte-exact.

use rusteron_client::testing::*;
use rusteron_client::*;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(10);
const BIG: usize = 64 * 1024;

fn big_driver() -> MediaDriverProcess {
    MediaDriverProcess::start_with_env(&[
        ("AERON_IPC_TERM_BUFFER_LENGTH", "1048576"),
        ("AERON_TERM_BUFFER_LENGTH", "1048576"),
    ])
    .expect("driver")
}

fn pattern(seed: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i as u32).wrapping_mul(31).wrapping_add(seed as u32) as u8).collect()
}

fn setup(md: &MediaDriverProcess, channel: &str) -> (Aeron, AeronPublication, AeronSubscription) {
    let aeron = md.connect().unwrap();
    let sub = aeron
        .add_subscription(
            &channel.into_c_string(),
            7,
            no_available_image_handler(),
            no_unavailable_image_handler(),
            TIMEOUT,
        )
        .unwrap();
    let publication = aeron.add_publication(&channel.into_c_string(), 7, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected() && sub.is_connected()));
    (aeron, publication, sub)
}

fn offer_all(publication: &AeronPublication, msg: &[u8]) {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        match publication.offer(msg) {
            Ok(_) => return,
            Err(e) if e.kind().is_retryable() => assert!(Instant::now() < deadline, "offer kept failing: {e}"),
            Err(e) => panic!("offer failed: {e}"),
        }
    }
}

#[test]
fn c_fragment_assembler_reassembles_64k_ipc_and_udp() {
    let md = big_driver();
    let port = find_unused_udp_port(21000).unwrap();
    for channel in ["aeron:ipc".to_string(), format!("aeron:udp?endpoint=127.0.0.1:{port}")] {
        let (_aeron, publication, sub) = setup(&md, &channel);
        assert!(publication.max_payload_length().unwrap() < BIG, "message must be larger than one frame");
        let received: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let r = received.clone();
        let assembler = AeronFragmentAssembler::with_handler(move |msg: &[u8], _h: AeronHeader<'_>| {
            r.lock().unwrap().push(msg.to_vec());
        })
        .unwrap();
        let msgs: Vec<Vec<u8>> = (0..3u8).map(|i| pattern(i, BIG + i as usize)).collect();
        for m in &msgs {
            offer_all(&publication, m);
        }
        assert!(
            wait_until(TIMEOUT, || {
                sub.poll_with_assembler(&assembler, 100).unwrap();
                received.lock().unwrap().len() == msgs.len()
            }),
            "{channel}: not all messages reassembled"
        );
        assert_eq!(*received.lock().unwrap(), msgs, "{channel}: reassembled bytes differ");
    }
}

#[test]
fn controlled_and_image_assemblers_reassemble() {
    let md = big_driver();
    let (_aeron, publication, sub) = setup(&md, "aeron:ipc");

    // Controlled assembler over the subscription.
    let got: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let g = got.clone();
    let controlled = AeronControlledFragmentAssembler::with_handler(move |msg: &[u8], _h: AeronHeader<'_>| {
        g.lock().unwrap().push(msg.to_vec());
        bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_CONTINUE
    })
    .unwrap();
    let m1 = pattern(9, BIG);
    offer_all(&publication, &m1);
    assert!(wait_until(TIMEOUT, || {
        sub.controlled_poll_with_assembler(&controlled, 100).unwrap();
        !got.lock().unwrap().is_empty()
    }));
    assert_eq!(got.lock().unwrap()[0], m1);

    // Image assembler over the image of the publication's session.
    let image = sub.image_by_session_id(publication.session_id()).expect("image");
    let got2: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let g2 = got2.clone();
    let image_asm = AeronImageFragmentAssembler::with_handler(move |msg: &[u8], _h: AeronHeader<'_>| {
        g2.lock().unwrap().push(msg.to_vec());
    })
    .unwrap();
    let m2 = pattern(3, BIG + 100);
    offer_all(&publication, &m2);
    assert!(wait_until(TIMEOUT, || {
        image_asm.poll(&image, 100).unwrap();
        !got2.lock().unwrap().is_empty()
    }));
    assert_eq!(got2.lock().unwrap()[0], m2);

    // Image controlled assembler.
    let got3: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let g3 = got3.clone();
    let image_ctl = AeronImageControlledFragmentAssembler::with_handler(move |msg: &[u8], _h: AeronHeader<'_>| {
        g3.lock().unwrap().push(msg.to_vec());
        bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_COMMIT
    })
    .unwrap();
    let m3 = pattern(5, BIG * 2);
    offer_all(&publication, &m3);
    assert!(wait_until(TIMEOUT, || {
        image_ctl.poll(&image, 100).unwrap();
        !got3.lock().unwrap().is_empty()
    }));
    assert_eq!(got3.lock().unwrap()[0], m3);

    // Assemblers used as callback objects of the ordinary polls.
    let got4: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let g4 = got4.clone();
    let mut as_callback = AeronFragmentAssembler::with_handler(move |msg: &[u8], _h: AeronHeader<'_>| {
        g4.lock().unwrap().push(msg.to_vec());
    })
    .unwrap();
    let m4 = pattern(11, BIG + 7);
    offer_all(&publication, &m4);
    assert!(wait_until(TIMEOUT, || {
        sub.poll_with(&mut as_callback, 100).unwrap();
        !got4.lock().unwrap().is_empty()
    }));
    assert_eq!(got4.lock().unwrap()[0], m4);
}

#[test]
fn closure_assembler_reassembles_and_passes_small_messages() {
    let md = big_driver();
    let (_aeron, publication, sub) = setup(&md, "aeron:ipc");
    let received = std::rc::Rc::new(std::cell::RefCell::new(Vec::<Vec<u8>>::new()));
    let msgs = vec![pattern(1, 10), pattern(2, BIG), pattern(3, 1), pattern(4, BIG + BIG / 2 + 5)];
    for m in &msgs {
        offer_all(&publication, m);
    }
    let r = received.clone();
    let session = publication.session_id();
    let mut assembler = AeronFragmentClosureAssembler::new(move |msg: &[u8], h: AeronHeader<'_>| {
        assert_eq!(h.session_id(), session);
        r.borrow_mut().push(msg.to_vec());
    });
    assert!(wait_until(TIMEOUT, || {
        assembler.poll(&sub, 100).unwrap();
        received.borrow().len() >= msgs.len()
    }));
    assert_eq!(*received.borrow(), msgs);
    assert!(assembler.delete_session_buffer(session));
}

/// A C assembler's delegate must not delete the session buffer that holds the message it is
/// being given (C goes on using it after the delegate returns): refused there, fine after.
#[test]
fn session_buffer_cannot_be_deleted_from_the_delegate() {
    let md = big_driver();
    let (_aeron, publication, sub) = setup(&md, "aeron:ipc");
    // The assembler is not `Send`, and a delegate must be: the delegate reaches its own
    // assembler through a thread-local of the polling thread.
    thread_local! {
        static ASSEMBLER: std::cell::RefCell<Option<AeronFragmentAssembler>> = const { std::cell::RefCell::new(None) };
    }
    let outcomes: Arc<Mutex<Vec<Result<bool, AeronCError>>>> = Arc::new(Mutex::new(Vec::new()));
    let o = outcomes.clone();
    let session = publication.session_id();
    let delegate = Handlers::leak(move |msg: &[u8], _h: AeronHeader<'_>| {
        assert_eq!(msg.len(), BIG);
        ASSEMBLER.with(|a| {
            if let Some(asm) = a.borrow().as_ref() {
                o.lock().unwrap().push(asm.delete_session_buffer(session));
            }
        });
    });
    let built = AeronFragmentAssembler::new(&delegate).unwrap();
    ASSEMBLER.with(|a| *a.borrow_mut() = Some(built.clone()));
    offer_all(&publication, &pattern(9, BIG));
    assert!(wait_until(TIMEOUT, || {
        built.poll(&sub, 100).unwrap();
        !outcomes.lock().unwrap().is_empty()
    }));
    let e = outcomes.lock().unwrap()[0].as_ref().expect_err("refused inside the delegate").clone();
    assert!(e.message().unwrap_or("").contains("inside an assembler's delegate"), "{e}");
    assert!(built.delete_session_buffer(session).unwrap(), "deleted after the poll");
    ASSEMBLER.with(|a| a.borrow_mut().take());
}
