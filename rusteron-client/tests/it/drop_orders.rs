//! Every drop order of context, client, publication, subscription, handler and assembler is
//! sound: dependents keep what they point into alive.

use rusteron_client::testing::*;
use rusteron_client::*;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

/// Each variant only owns its object so that dropping the item drops it.
#[allow(dead_code)]
enum Item {
    Context(AeronContext),
    Client(Aeron),
    Publication(AeronPublication),
    Subscription(AeronSubscription),
    Handler(Handler<fn(AeronSubscriptionRef<'_>, AeronImageRef<'_>)>),
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    fn go(prefix: &mut Vec<usize>, rest: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if rest.is_empty() {
            out.push(prefix.clone());
            return;
        }
        for i in 0..rest.len() {
            let x = rest.remove(i);
            prefix.push(x);
            go(prefix, rest, out);
            prefix.pop();
            rest.insert(i, x);
        }
    }
    let mut out = Vec::new();
    go(&mut Vec::new(), &mut (0..n).collect(), &mut out);
    out
}

#[test]
fn every_drop_order_is_sound() {
    let md = MediaDriverProcess::start().unwrap();
    let orders = permutations(5);
    assert_eq!(orders.len(), 120);
    // All 120 orders of context, client, publication, subscription and image handler; a fragment
    // assembler (with its own delegate handler) is dropped first in odd rounds and last in even
    // ones. Every 4th round also runs traffic through it before the drops.
    fn quiet(_s: AeronSubscriptionRef<'_>, _i: AeronImageRef<'_>) {}
    for (n, order) in orders.iter().enumerate() {
        let ctx = md.context().unwrap();
        let err_handler = Handlers::leak(AeronErrorHandlerLogger);
        ctx.set_error_handler(Some(&err_handler)).unwrap();
        drop(err_handler);
        let aeron = Aeron::connect(&ctx).unwrap();
        let stream = 100 + (n % 50) as i32;
        let on_image = Handlers::leak(quiet as fn(AeronSubscriptionRef<'_>, AeronImageRef<'_>));
        let sub = aeron
            .add_subscription(c"aeron:ipc", stream, Some(&on_image), no_unavailable_image_handler(), TIMEOUT)
            .unwrap();
        let publication = aeron.add_publication(c"aeron:ipc", stream, TIMEOUT).unwrap();
        let assembler = AeronFragmentAssembler::with_handler(|_m: &[u8], _h: AeronHeader<'_>| {}).unwrap();
        if n % 4 == 0 {
            assert!(wait_until(TIMEOUT, || publication.is_connected()));
            while publication.offer(b"x").is_err() {}
            assert!(wait_until(TIMEOUT, || assembler.poll(&sub, 10).unwrap() > 0));
        }
        let mut items: Vec<Option<Item>> = vec![
            Some(Item::Context(ctx)),
            Some(Item::Client(aeron)),
            Some(Item::Publication(publication)),
            Some(Item::Subscription(sub)),
            Some(Item::Handler(on_image)),
        ];
        let mut assembler = Some(assembler);
        if n % 2 == 1 {
            drop(assembler.take());
        }
        for &i in order {
            match items[i].take().unwrap() {
                Item::Handler(mut h) => h.release(),
                other => drop(other),
            }
        }
        drop(assembler);
    }
}

#[test]
fn objects_outlive_dropped_client_handle() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let sub = aeron
        .add_subscription(c"aeron:ipc", 7, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 7, TIMEOUT).unwrap();
    let image_pub = publication.clone();
    drop(aeron);
    // The client is still open: the publication and subscription hold it.
    assert!(wait_until(TIMEOUT, || image_pub.is_connected()));
    while publication.offer(b"late").is_err() {}
    let img = {
        assert!(wait_until(TIMEOUT, || sub.image_count().unwrap() == 1));
        sub.image_at_index(0).unwrap()
    };
    drop(sub);
    drop(publication);
    // The retained image keeps the subscription (and client) alive.
    let mut got = 0;
    assert!(wait_until(TIMEOUT, || {
        img.poll_once(|_m: &[u8], _h: AeronHeader<'_>| got += 1, 10).unwrap();
        got > 0
    }));
    drop(image_pub);
    drop(img);
}

/// A conductor callback that drops the last handle on the client (here: a publication kept in
/// the handler's state, dropped when a counter goes away) runs on the conductor thread, which
/// cannot close its own client (`aeron_close` joins the conductor). The close then runs on a
/// thread of its own, and the context and its handlers are released after it.
#[test]
fn last_client_handle_dropped_inside_a_conductor_callback() {
    use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
    use std::sync::{Arc, Mutex};
    struct DropsPublication {
        slot: Arc<Mutex<Option<AeronPublication>>>,
        trigger: Arc<AtomicI64>,
        dropped_inside: Arc<AtomicBool>,
        freed: Arc<AtomicBool>,
    }
    impl Drop for DropsPublication {
        fn drop(&mut self) {
            self.freed.store(true, Ordering::SeqCst);
        }
    }
    impl AeronUnavailableCounterCallback for DropsPublication {
        fn handle_aeron_on_unavailable_counter(
            &mut self,
            _r: AeronCountersReaderRef<'_>,
            registration_id: i64,
            _id: i32,
        ) {
            if registration_id == self.trigger.load(Ordering::SeqCst) {
                let last = self.slot.lock().unwrap().take();
                self.dropped_inside.store(last.is_some(), Ordering::SeqCst);
                drop(last);
            }
        }
    }

    let md = MediaDriverProcess::start().unwrap();
    let ctx = md.context().unwrap();
    let slot = Arc::new(Mutex::new(None));
    let trigger = Arc::new(AtomicI64::new(i64::MIN));
    let dropped_inside = Arc::new(AtomicBool::new(false));
    let freed = Arc::new(AtomicBool::new(false));
    let closed = Arc::new(AtomicBool::new(false));
    let handler = Handlers::leak(DropsPublication {
        slot: slot.clone(),
        trigger: trigger.clone(),
        dropped_inside: dropped_inside.clone(),
        freed: freed.clone(),
    });
    let c = closed.clone();
    let on_close = Handlers::leak(move || c.store(true, Ordering::SeqCst));
    ctx.set_on_unavailable_counter(Some(&handler)).unwrap();
    ctx.set_on_close_client(Some(&on_close)).unwrap();
    drop(handler);
    drop(on_close);
    let aeron = Aeron::connect(&ctx).unwrap();
    drop(ctx);
    *slot.lock().unwrap() = Some(aeron.add_publication(c"aeron:ipc", 42, TIMEOUT).unwrap());
    let counter = aeron.add_counter(1002, b"", "dropped inside", TIMEOUT).unwrap();
    trigger.store(counter.registration_id(), Ordering::SeqCst);
    // From here only the publication in the handler's slot (and the counter, closed next) hold
    // the client.
    drop(aeron);
    drop(counter);
    drop(slot);
    assert!(wait_until(TIMEOUT, || dropped_inside.load(Ordering::SeqCst)), "handler dropped the last handle");
    assert!(wait_until(TIMEOUT, || closed.load(Ordering::SeqCst)), "client closed");
    assert!(wait_until(TIMEOUT, || freed.load(Ordering::SeqCst)), "handler released after the close");
}
