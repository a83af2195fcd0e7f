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
