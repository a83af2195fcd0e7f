//! A publisher that never blocks: the publication is added asynchronously and polled from the
//! same loop that does the application's other work, and offers that cannot go through now
//! (no subscriber yet, back pressure) are counted and tried again on a later turn, never waited
//! for. A deliberately slow subscriber makes back pressure happen.
//!
//! `cargo run -p rusteron-client --example non_blocking_publisher -- [COUNT] [AERON_DIR]`

mod common;

use common::*;
use rusteron_client::*;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const STREAM_ID: i32 = 1070;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_logging();
    let count: u64 = arg(1, 200_000);
    let driver = Driver::new(arg_str(2), 64 * 1024)?;
    println!("{}", driver.describe());
    let aeron = driver.connect()?;
    let timeout = Duration::from_secs(10);

    let add = aeron.async_add_publication(c"aeron:ipc", STREAM_ID)?;
    let subscription = aeron.add_subscription(
        c"aeron:ipc",
        STREAM_ID,
        no_available_image_handler(),
        no_unavailable_image_handler(),
        timeout,
    )?;

    let mut publication: Option<AeronPublication> = None;
    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    let (mut sent, mut received, mut turns, mut other_work) = (0u64, 0u64, 0u64, 0u64);
    let start = Instant::now();
    while received < count {
        turns += 1;
        if start.elapsed() > Duration::from_secs(60) {
            return Err(format!("timed out: {sent} sent, {received} received").into());
        }
        // 1. The publication, once the driver has made it (poll returns None until then).
        if publication.is_none() {
            publication = add.poll()?;
            if let Some(p) = &publication {
                println!("turn {turns}: publication ready (session {})", p.session_id());
            }
        }
        // 2. One offer per turn; a refusal is counted, not waited on.
        if let Some(p) = &publication {
            if sent < count {
                match p.offer(&sent.to_le_bytes()) {
                    Ok(_) => {
                        sent += 1;
                        *outcomes.entry("accepted".into()).or_default() += 1;
                    }
                    Err(e) if e.is_retryable() => *outcomes.entry(format!("{:?}", e.kind())).or_default() += 1,
                    Err(e) => return Err(e.into()),
                }
            }
        }
        // 3. The slow consumer: at most one message every other turn.
        if turns % 2 == 0 {
            subscription.poll_fn(
                |msg, _header| {
                    assert_eq!(u64::from_le_bytes(msg.try_into().unwrap()), received, "in order");
                    received += 1;
                },
                1,
            )?;
        }
        // 4. Whatever else the application does on this thread.
        other_work += 1;
    }
    println!("{sent} sent and {received} received in order in {:.2?}, over {turns} turns", start.elapsed());
    println!("offer outcomes:");
    for (what, n) in &outcomes {
        println!("  {what:<28} {n}");
    }
    println!("other work done in the same loop: {other_work} turns, none of them waited on Aeron");
    Ok(())
}
