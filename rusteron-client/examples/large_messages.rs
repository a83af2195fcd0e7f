//! Messages larger than one frame (the MTU): the publication fragments them, a fragment
//! assembler puts them back together; every byte is checked.
//!
//! `cargo run -p rusteron-client --example large_messages -- [COUNT] [SIZE] [CHANNEL] [AERON_DIR]`
//! (SIZE up to 1/8 of the term length: 2 MiB with the 16 MiB terms used here).

mod common;

use common::*;
use rusteron_client::*;
use std::time::{Duration, Instant};

const STREAM_ID: i32 = 1030;

/// Message `i` of `size` bytes: a pattern that differs per message and per byte.
fn fill(i: u64, size: usize, buf: &mut Vec<u8>) {
    buf.clear();
    buf.extend((0..size).map(|b| (b as u64).wrapping_mul(31).wrapping_add(i * 7) as u8));
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_logging();
    let count: u64 = arg(1, 20);
    let size: usize = arg(2, 1024 * 1024);
    let channel = arg_str(3).unwrap_or_else(|| "aeron:udp?endpoint=localhost:20124".to_string()).into_c_string();
    let driver = Driver::new(arg_str(4), 16 * 1024 * 1024)?;
    println!("{}; {count} messages of {size} bytes on {}", driver.describe(), channel.to_string_lossy());
    let aeron = driver.connect()?;
    let timeout = Duration::from_secs(10);
    let subscription = aeron.add_subscription(
        &channel,
        STREAM_ID,
        no_available_image_handler(),
        no_unavailable_image_handler(),
        timeout,
    )?;
    let publication = aeron.add_publication(&channel, STREAM_ID, timeout)?;
    wait_for("the subscription", timeout, || publication.is_connected())?;
    println!(
        "max message length {} bytes, max payload per frame {} bytes",
        publication.max_message_length()?,
        publication.max_payload_length()?
    );

    // The Rust assembler: whole messages reach the closure, fragments are gathered per session.
    let mut expected = Vec::with_capacity(size);
    let next = std::cell::Cell::new(0u64);
    let errors = std::cell::Cell::new(0u64);
    let mut fragments = 0u64;
    let mut assembler = AeronFragmentClosureAssembler::new(|msg: &[u8], _header: AeronHeader<'_>| {
        fill(next.get(), size, &mut expected);
        if msg != expected.as_slice() {
            errors.set(errors.get() + 1);
        }
        next.set(next.get() + 1);
    });

    let start = Instant::now();
    let mut message = Vec::with_capacity(size);
    let mut sent = 0u64;
    let mut filled = None;
    let deadline = Instant::now() + Duration::from_secs(60);
    while next.get() < count {
        if sent < count {
            if filled != Some(sent) {
                fill(sent, size, &mut message);
                filled = Some(sent);
            }
            match publication.offer(&message) {
                Ok(_) => sent += 1,
                Err(e) if e.is_retryable() => {}
                Err(e) => return Err(e.into()),
            }
        }
        fragments += subscription.poll_with(&mut assembler, 64)? as u64;
        if Instant::now() > deadline {
            return Err("timed out".into());
        }
    }
    let elapsed = start.elapsed();
    let (next, errors) = (next.get(), errors.get());
    println!(
        "{next} messages reassembled from {fragments} fragments in {elapsed:.2?} ({:.1} MB/s), {errors} corrupt",
        (next as f64 * size as f64) / elapsed.as_secs_f64() / 1e6
    );
    if errors > 0 || next != count {
        return Err(format!("{errors} corrupt, {next} of {count} received").into());
    }
    Ok(())
}
