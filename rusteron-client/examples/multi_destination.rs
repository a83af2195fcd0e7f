//! A multi-destination subscription (`control-mode=manual`): one subscription receives from two
//! UDP endpoints added as destinations; a publication sends to each. Then one destination is
//! removed and only the other's messages keep arriving.
//!
//! `cargo run -p rusteron-client --example multi_destination -- [COUNT] [AERON_DIR]`

mod common;

use common::*;
use rusteron_client::*;
use std::collections::BTreeMap;
use std::time::Duration;

const STREAM_ID: i32 = 1050;

/// Sends `count` messages on each publication and polls until `expected` arrived; returns the
/// count per session.
fn exchange(
    subscription: &AeronSubscription,
    publications: &[&AeronPublication],
    count: u64,
    expected: u64,
) -> Result<BTreeMap<i32, u64>, AeronCError> {
    let mut per_session: BTreeMap<i32, u64> = BTreeMap::new();
    let mut sent = vec![0u64; publications.len()];
    wait_for("the messages", Duration::from_secs(10), || {
        for (p, n) in publications.iter().zip(sent.iter_mut()) {
            if *n < count && p.offer(format!("message {n}").as_bytes()).is_ok() {
                *n += 1;
            }
        }
        let _ = subscription.poll_fn(|_msg, header| *per_session.entry(header.session_id()).or_default() += 1, 10);
        per_session.values().sum::<u64>() == expected
    })?;
    Ok(per_session)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_logging();
    let count: u64 = arg(1, 100);
    let driver = Driver::new(arg_str(2), 64 * 1024)?;
    println!("{}", driver.describe());
    let aeron = driver.connect()?;
    let timeout = Duration::from_secs(10);
    let ports =
        [find_unused_udp_port(20200).ok_or("no free port")?, find_unused_udp_port(20300).ok_or("no free port")?];
    let endpoints: Vec<String> = ports.iter().map(|p| format!("aeron:udp?endpoint=localhost:{p}")).collect();

    let subscription = aeron.add_subscription(
        c"aeron:udp?control-mode=manual",
        STREAM_ID,
        no_available_image_handler(),
        no_unavailable_image_handler(),
        timeout,
    )?;
    for endpoint in &endpoints {
        subscription.add_destination(&aeron, &endpoint.as_str().into_c_string(), timeout)?;
        println!("destination added: {endpoint}");
    }
    let publications = endpoints
        .iter()
        .map(|e| aeron.add_publication(&e.as_str().into_c_string(), STREAM_ID, timeout))
        .collect::<Result<Vec<_>, _>>()?;
    wait_for("both publications", timeout, || publications.iter().all(|p| p.is_connected()))?;

    let per_session = exchange(&subscription, &publications.iter().collect::<Vec<_>>(), count, 2 * count)?;
    println!("one subscription, {} images:", subscription.image_count()?);
    for (session, n) in &per_session {
        println!("  session {session}: {n} messages");
    }

    subscription.remove_destination(&aeron, &endpoints[0].as_str().into_c_string(), timeout)?;
    println!("destination removed: {}", endpoints[0]);
    let kept = &publications[1];
    let per_session = exchange(&subscription, &[kept], count, count)?;
    println!("after the removal: {:?} (only session {} of {})", per_session, kept.session_id(), endpoints[1]);
    if per_session.len() != 1 || !per_session.contains_key(&kept.session_id()) {
        return Err("messages from the removed destination arrived".into());
    }
    Ok(())
}
