//! Throughput of an exclusive IPC publication: one thread offers as fast as it can, another
//! polls; prints messages/s and MB/s each second and a summary.
//!
//! `cargo run --release -p rusteron-client --example exclusive_ipc_throughput -- [SECONDS] [SIZE] [AERON_DIR]`

mod common;

use common::*;
use rusteron_client::*;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const STREAM_ID: i32 = 1010;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_logging();
    let seconds: u64 = arg(1, 5);
    let size: usize = arg(2, 32);
    let driver = Driver::new(arg_str(3), 16 * 1024 * 1024)?;
    println!("{}; {size}-byte messages for {seconds} s on aeron:ipc", driver.describe());
    let aeron = driver.connect()?;
    let timeout = Duration::from_secs(10);
    let subscription = aeron.add_subscription(
        c"aeron:ipc",
        STREAM_ID,
        no_available_image_handler(),
        no_unavailable_image_handler(),
        timeout,
    )?;
    let publication = aeron.add_exclusive_publication(c"aeron:ipc", STREAM_ID, timeout)?;
    wait_for("the subscription", timeout, || publication.is_connected())?;

    let running = Arc::new(AtomicBool::new(true));
    let received = Arc::new(AtomicU64::new(0));
    // Set by the sender when it stops: how many messages the poller must still see.
    let total = Arc::new(AtomicU64::new(u64::MAX));
    // The subscription is single-threaded: hand it to the polling thread.
    let parcel = subscription.handoff().map_err(|e| e.to_string())?;
    let poller = {
        let (running, received, total) = (running.clone(), received.clone(), total.clone());
        std::thread::spawn(move || -> Result<(u64, u64), AeronCError> {
            let subscription = parcel.into_inner();
            let mut idle = AeronIdleStrategy::busy_spin();
            let (mut count, mut bytes) = (0u64, 0u64);
            let mut drain_deadline = None;
            while count < total.load(Ordering::Acquire) {
                let n = subscription.poll_fn(
                    |msg, _header| {
                        count += 1;
                        bytes += msg.len() as u64;
                    },
                    256,
                )?;
                if !running.load(Ordering::Relaxed) {
                    let deadline = *drain_deadline.get_or_insert_with(|| Instant::now() + Duration::from_secs(10));
                    if Instant::now() > deadline {
                        break;
                    }
                }
                received.store(count, Ordering::Relaxed);
                idle.idle(n);
            }
            Ok((count, bytes))
        })
    };

    let message = vec![0xA5u8; size];
    let (mut sent, mut back_pressured) = (0u64, 0u64);
    let start = Instant::now();
    let mut report = start + Duration::from_secs(1);
    let mut last = (0u64, start);
    while start.elapsed() < Duration::from_secs(seconds) {
        for _ in 0..1000 {
            match publication.offer(&message) {
                Ok(_) => sent += 1,
                Err(e) if e.is_retryable() => back_pressured += 1,
                Err(e) => return Err(e.into()),
            }
        }
        let now = Instant::now();
        if now >= report {
            let got = received.load(Ordering::Relaxed);
            let rate = (got - last.0) as f64 / (now - last.1).as_secs_f64();
            println!("{:>10.0} msgs/s {:>8.1} MB/s", rate, rate * size as f64 / 1e6);
            last = (got, now);
            report += Duration::from_secs(1);
        }
    }
    let elapsed = start.elapsed();
    total.store(sent, Ordering::Release);
    running.store(false, Ordering::Relaxed);
    let (count, bytes) = poller.join().map_err(|_| "poller panicked")??;
    println!(
        "sent {sent}, received {count} ({bytes} bytes) in {elapsed:.2?}: {:.0} msgs/s, {:.1} MB/s; {back_pressured} offers back-pressured",
        count as f64 / elapsed.as_secs_f64(),
        bytes as f64 / elapsed.as_secs_f64() / 1e6
    );
    if count != sent {
        return Err(format!("{sent} sent but {count} received").into());
    }
    Ok(())
}
