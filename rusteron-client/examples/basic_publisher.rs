//! Publishes COUNT messages on a UDP channel; pair it with `basic_subscriber` in another process.
//!
//! `cargo run -p rusteron-client --example basic_publisher -- [COUNT] [CHANNEL] [AERON_DIR]`
//! (`just basic-pubsub` runs both). Without AERON_DIR it starts an embedded media driver, so the
//! two processes talk driver to driver over UDP, as two machines would.

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
    println!("publisher: {}", driver.describe());
    let aeron = driver.connect()?;
    let publication = aeron.add_publication(&channel.as_str().into_c_string(), STREAM_ID, Duration::from_secs(10))?;
    println!("publisher: {channel} stream {STREAM_ID}, waiting for a subscriber");
    wait_for("a subscriber", Duration::from_secs(30), || publication.is_connected())?;

    let start = Instant::now();
    let mut retries = 0u64;
    for i in 0..count {
        let message = format!("Hello World! {i}");
        loop {
            match publication.offer(message.as_bytes()) {
                Ok(_) => break,
                Err(e) if e.is_retryable() => {
                    retries += 1;
                    std::thread::yield_now();
                }
                Err(e) => return Err(e.into()),
            }
        }
        println!("publisher: sent {message:?}");
    }
    println!(
        "publisher: {count} messages sent in {:.1?} ({retries} offers retried for back pressure or admin action)",
        start.elapsed()
    );
    // Keep this driver up until the subscriber has gone (it leaves once it has everything), so a
    // lost packet can still be sent again; the driver notices after its connection timeout (5 s).
    wait_for("the subscriber to finish", Duration::from_secs(30), || !publication.is_connected())?;
    println!("publisher: the subscriber has gone, done");
    Ok(())
}
