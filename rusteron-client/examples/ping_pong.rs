//! Round-trip latency: a ping thread sends a timestamp, a pong thread echoes it on another
//! stream; prints the percentiles of COUNT round trips (after a warm-up).
//!
//! `cargo run --release -p rusteron-client --example ping_pong -- [COUNT] [SIZE] [CHANNEL] [AERON_DIR]`
//! (CHANNEL defaults to `aeron:ipc`; try `aeron:udp?endpoint=localhost:20123`).

mod common;

use common::*;
use rusteron_client::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PING_STREAM: i32 = 1020;
const PONG_STREAM: i32 = 1021;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_logging();
    let count: usize = arg(1, 100_000);
    let size: usize = arg::<usize>(2, 32).max(8);
    let channel = arg_str(3).unwrap_or_else(|| "aeron:ipc".to_string()).into_c_string();
    let driver = Driver::new(arg_str(4), 1024 * 1024)?;
    println!("{}; {count} round trips of {size} bytes on {}", driver.describe(), channel.to_string_lossy());
    let aeron = driver.connect()?;
    let timeout = Duration::from_secs(10);
    let running = Arc::new(AtomicBool::new(true));

    // Pong: created on its own thread (Aeron is Send + Sync), echoes every ping.
    let pong = {
        let (aeron, channel, running) = (aeron.clone(), channel.clone(), running.clone());
        std::thread::spawn(move || -> Result<u64, AeronCError> {
            let pings = aeron.add_subscription(
                &channel,
                PING_STREAM,
                no_available_image_handler(),
                no_unavailable_image_handler(),
                timeout,
            )?;
            let pongs = aeron.add_exclusive_publication(&channel, PONG_STREAM, timeout)?;
            let mut echoed = 0u64;
            while running.load(Ordering::Relaxed) {
                pings.poll_fn(
                    |msg, _header| {
                        while let Err(e) = pongs.offer(msg) {
                            if !e.is_retryable() || !running.load(Ordering::Relaxed) {
                                return;
                            }
                        }
                        echoed += 1;
                    },
                    16,
                )?;
            }
            Ok(echoed)
        })
    };

    let pongs = aeron.add_subscription(
        &channel,
        PONG_STREAM,
        no_available_image_handler(),
        no_unavailable_image_handler(),
        timeout,
    )?;
    let pings = aeron.add_exclusive_publication(&channel, PING_STREAM, timeout)?;
    wait_for("the pong side", timeout, || pings.is_connected() && pongs.is_connected())?;

    let warm_up = (count / 10).max(1000);
    let mut message = vec![0u8; size];
    let mut rtts = Vec::with_capacity(count);
    let epoch = Instant::now();
    for i in 0..warm_up + count {
        let sent_ns = epoch.elapsed().as_nanos() as u64;
        message[..8].copy_from_slice(&sent_ns.to_le_bytes());
        while let Err(e) = pings.offer(&message) {
            if !e.is_retryable() {
                return Err(e.into());
            }
        }
        let mut got = false;
        let deadline = Instant::now() + timeout;
        while !got {
            pongs.poll_fn(
                |msg, _header| {
                    let echoed = u64::from_le_bytes(msg[..8].try_into().unwrap());
                    if echoed == sent_ns {
                        got = true;
                    }
                },
                1,
            )?;
            if Instant::now() > deadline {
                return Err(format!("no pong for ping {i} within {timeout:?}").into());
            }
        }
        if i >= warm_up {
            rtts.push(epoch.elapsed().as_nanos() as u64 - sent_ns);
        }
    }
    running.store(false, Ordering::Relaxed);
    let echoed = pong.join().map_err(|_| "pong panicked")??;
    rtts.sort_unstable();
    let us = |ns: u64| ns as f64 / 1000.0;
    println!("{} round trips measured ({warm_up} warm-up), {echoed} echoed", rtts.len());
    for p in [50.0, 90.0, 99.0, 99.9, 99.99] {
        println!("  p{p:<6} {:>9.2} us", us(percentile(&rtts, p)));
    }
    println!("  max     {:>9.2} us", us(*rtts.last().unwrap_or(&0)));
    Ok(())
}
