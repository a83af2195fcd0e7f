//! Images handed to image callbacks are owned: a callback may keep them, and they stay valid
//! after the callback, after their subscription is gone and after every other handle is dropped.
//! Against a real aeronmd.

use rusteron_client::testing::*;
use rusteron_client::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

#[test]
fn images_kept_from_image_callbacks_stay_usable() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let available: Arc<Mutex<Vec<AeronImage>>> = Arc::default();
    let unavailable: Arc<Mutex<Vec<AeronImage>>> = Arc::default();
    let (a, u) = (available.clone(), unavailable.clone());
    let on_available = Handlers::leak(move |_s: AeronSubscription, image: AeronImage| a.lock().unwrap().push(image));
    let on_unavailable = Handlers::leak(move |_s: AeronSubscription, image: AeronImage| u.lock().unwrap().push(image));
    let sub = aeron
        .add_subscription(&"aeron:ipc".into_c_string(), 4001, Some(&on_available), Some(&on_unavailable), TIMEOUT)
        .unwrap();
    let publication = aeron.add_exclusive_publication(&"aeron:ipc".into_c_string(), 4001, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || available.lock().unwrap().len() == 1));
    let session_id = publication.session_id();

    // The kept image is a working image: poll it directly.
    assert!(wait_until(TIMEOUT, || publication.offer(b"kept").is_ok()));
    let kept = available.lock().unwrap()[0].clone();
    assert_eq!(kept.session_id(), session_id);
    let mut got = Vec::new();
    assert!(wait_until(TIMEOUT, || {
        kept.poll_once(|m: &[u8], _h: AeronHeader<'_>| got.push(m.to_vec()), 10).unwrap();
        !got.is_empty()
    }));
    assert_eq!(got, vec![b"kept".to_vec()]);

    // The publication goes away: the unavailable callback keeps that image too.
    drop(publication);
    assert!(wait_until(TIMEOUT, || unavailable.lock().unwrap().len() == 1));

    // Drop everything else: the subscription, the handlers, our client handle.
    drop(sub);
    drop(on_available);
    drop(on_unavailable);
    drop(aeron);

    // The kept images still answer (they hold a reference count and the client).
    let gone = unavailable.lock().unwrap()[0].clone();
    assert_eq!(gone.session_id(), session_id);
    assert!(kept.position() >= 0);
    let _ = gone.is_closed();
    let _ = kept.is_end_of_stream();

    // Releasing the last of them lets the client close.
    available.lock().unwrap().clear();
    unavailable.lock().unwrap().clear();
    drop(kept);
    drop(gone);
}

#[test]
fn callbacks_cannot_be_swapped_under_a_running_client() {
    let md = MediaDriverProcess::start().unwrap();
    let ctx = md.context().unwrap();
    let first = Handlers::leak(|_code: i32, _msg: &str| {});
    // Before a client exists, setting (and replacing) a callback is fine.
    ctx.set_error_handler(Some(&first)).unwrap();
    ctx.set_error_handler(Some(&first)).unwrap();
    let aeron = Aeron::connect(&ctx).unwrap();
    // The conductor now reads the context: a setter refuses with a clear error, through the
    // caller's handle and through the client's own view of the context alike.
    let second = Handlers::leak(|_code: i32, _msg: &str| {});
    let e = ctx.set_error_handler(Some(&second)).expect_err("context in use");
    assert!(e.message().unwrap_or("").contains("a client runs on this context"), "{e}");
    assert!(aeron.context().set_error_handler(Some(&second)).is_err());
    // Once the client is gone, the context may be configured again.
    drop(aeron);
    ctx.set_error_handler(Some(&second)).unwrap();
}
