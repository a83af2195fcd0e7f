//! Soundness audit: views handed out by safe calls stay valid whatever is dropped first.
//! Each test reads through a view after its owner was dropped; before the fixes these read freed
//! C memory (seen as wrong values or a crash of the test process).

use rusteron_client::testing::*;
use rusteron_client::*;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

/// `Aeron::context()` used to return a bare borrow of the C context, which dangled once the
/// client and the caller's context were dropped.
#[test]
fn client_context_view_outlives_client_and_context() {
    let md = MediaDriverProcess::start().unwrap();
    let ctx = md.context().unwrap();
    let aeron = Aeron::connect(&ctx).unwrap();
    let view = aeron.context();
    let dir = view.get_dir().to_string();
    assert_eq!(dir, md.dir_str());
    drop(aeron);
    drop(ctx);
    // Churn the allocator so freed memory would be reused.
    let junk: Vec<Vec<u8>> = (0..1000).map(|i| vec![0xAB; 16 + i % 200]).collect();
    assert_eq!(view.get_dir(), dir);
    drop(junk);
}

/// `AeronClientRegisteringResource::of_async_publication` used to borrow the C async object,
/// which C frees when the add completes.
#[test]
fn registering_resource_view_outlives_the_pending_add() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let channel = "aeron:ipc?alias=audit-registering-resource";
    let add = aeron.async_add_publication(&std::ffi::CString::new(channel).unwrap(), 4242).unwrap();
    let view = AeronClientRegisteringResource::of_async_publication(&add).expect("pending");
    let reg = view.registration_id();
    assert_eq!(view.uri(), channel);
    assert_eq!(view.stream_id(), 4242);
    let mut publication = None;
    assert!(wait_until(TIMEOUT, || {
        publication = add.poll().unwrap();
        publication.is_some()
    }));
    drop(add);
    let junk: Vec<Vec<u8>> = (0..1000).map(|i| vec![0xCD; 16 + i % 300]).collect();
    assert_eq!(view.registration_id(), reg);
    assert_eq!(view.uri(), channel);
    assert_eq!(view.stream_id(), 4242);
    drop(junk);
    drop(publication);
}

/// Images given to `for_each_image` used to be bare borrows that `f` could keep past the call;
/// they are now retained and keep the subscription alive, so one kept past the drop of the
/// subscription, publication and client is still readable.
#[test]
fn image_kept_from_for_each_image_outlives_its_subscription() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let sub = aeron
        .add_subscription(c"aeron:ipc", 4343, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 4343, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || sub.image_count().unwrap_or(0) > 0));
    let mut kept = Vec::new();
    sub.for_each_image(|image| kept.push(image));
    assert_eq!(kept.len(), 1);
    let session_id = kept[0].session_id();
    assert_eq!(session_id, publication.session_id());
    drop(publication);
    drop(sub);
    drop(aeron);
    let junk: Vec<Vec<u8>> = (0..1000).map(|i| vec![0xEF; 16 + i % 300]).collect();
    assert_eq!(kept[0].session_id(), session_id);
    drop(junk);
}
