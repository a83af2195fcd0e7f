//! Receives COUNT messages on a UDP channel; pair it with `basic_publisher` in another process.
//!
//! `cargo run -p rusteron-client --example basic_subscriber -- [COUNT] [CHANNEL] [AERON_DIR]`.
//! Ends when COUNT messages have arrived, or after 30 s without one.

mod common;

use common::*;
use rusteron_client::*;
use std::time::{Duration, Instant};

const STREAM_ID: i32 = 1001;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_logging();
    let count: u64 = arg(1, 10);
    let channel = arg_str(2).unwrap_or_else(|| "aeron:udp?endpoint=localhost:20121".to_string());
    let driver = Driver::new(arg_str(3), 64 * 1024)?;
    println!("subscriber: {}", driver.describe());
    let aeron = driver.connect()?;
    // Image callbacks run on the client conductor's thread; the subscription keeps them alive.
    let on_available = Handler::leak(|_s: AeronSubscriptionRef<'_>, image: AeronImageRef<'_>| {
        println!("subscriber: image from {} (session {})", image.source_identity(), image.session_id())
    });
    let on_unavailable = Handler::leak(|_s: AeronSubscriptionRef<'_>, image: AeronImageRef<'_>| {
        println!("subscriber: image of session {} gone", image.session_id())
    });
    let subscription = aeron.add_subscription(
        &channel.as_str().into_c_string(),
        STREAM_ID,
        Some(&on_available),
        Some(&on_unavailable),
        Duration::from_secs(10),
    )?;
    println!("subscriber: {channel} stream {STREAM_ID}, waiting for {count} messages");

    let mut idle = AeronIdleStrategy::backoff_default()?;
    let mut received = 0u64;
    let mut bytes = 0usize;
    let mut last = Instant::now();
    let mut first: Option<Instant> = None;
    while received < count {
        let n = subscription.poll_fn(
            |msg, header| {
                received += 1;
                bytes += msg.len();
                println!(
                    "subscriber: {:?} (session {}, position {})",
                    String::from_utf8_lossy(msg),
                    header.session_id(),
                    header.position()
                );
            },
            10,
        )?;
        if n > 0 {
            last = Instant::now();
            first.get_or_insert(last);
        } else if last.elapsed() > Duration::from_secs(30) {
            return Err(format!("no message for 30 s; {received} of {count} arrived").into());
        }
        idle.idle(n);
    }
    let took = first.map(|f| f.elapsed()).unwrap_or_default();
    println!("subscriber: {received} messages, {bytes} bytes, first to last in {took:.1?}");
    Ok(())
}
