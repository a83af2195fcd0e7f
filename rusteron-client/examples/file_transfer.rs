//! Sends a file over UDP in chunks and writes it back on the receiving side, then compares the
//! two. Without FILE it sends 8 MiB of generated data.
//!
//! `cargo run -p rusteron-client --example file_transfer -- [FILE] [AERON_DIR]`
//!
//! Each chunk is `offset: u64 | total length: u64 | data` (little endian), at most 64 KiB, so
//! the publication fragments it and a fragment assembler gives it back whole.

mod common;

use common::*;
use rusteron_client::*;
use std::io::Write;
use std::time::{Duration, Instant};

const STREAM_ID: i32 = 1040;
const CHUNK: usize = 64 * 1024;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_logging();
    let (name, data) = match arg_str(1) {
        Some(path) => (path.clone(), std::fs::read(&path)?),
        None => ("(8 MiB generated)".to_string(), (0..8 * 1024 * 1024u32).map(|i| (i ^ (i >> 9)) as u8).collect()),
    };
    let driver = Driver::new(arg_str(2), 16 * 1024 * 1024)?;
    let channel = c"aeron:udp?endpoint=localhost:20125";
    println!("{}; sending {name}, {} bytes, over {}", driver.describe(), data.len(), channel.to_string_lossy());
    let aeron = driver.connect()?;
    let timeout = Duration::from_secs(10);
    let subscription = aeron.add_subscription(
        channel,
        STREAM_ID,
        no_available_image_handler(),
        no_unavailable_image_handler(),
        timeout,
    )?;
    let publication = aeron.add_exclusive_publication(channel, STREAM_ID, timeout)?;
    wait_for("the receiver", timeout, || publication.is_connected())?;

    let out_path = std::env::temp_dir().join(format!("rusteron-file-transfer-{}.bin", std::process::id()));
    let mut out = std::fs::File::create(&out_path)?;
    let written = std::cell::Cell::new(0usize);
    let total = std::cell::Cell::new(usize::MAX);
    let mut write_error = None;
    let mut assembler = AeronFragmentClosureAssembler::new(|msg: &[u8], _header: AeronHeader<'_>| {
        let offset = u64::from_le_bytes(msg[0..8].try_into().unwrap()) as usize;
        total.set(u64::from_le_bytes(msg[8..16].try_into().unwrap()) as usize);
        // Chunks arrive in order on one stream: the offset is where the file ends so far.
        assert_eq!(offset, written.get(), "chunk out of order");
        if let Err(e) = out.write_all(&msg[16..]) {
            write_error = Some(e);
        }
        written.set(written.get() + msg.len() - 16);
    });

    let start = Instant::now();
    let mut offset = 0usize;
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut chunks = 0u64;
    let deadline = Instant::now() + Duration::from_secs(120);
    while written.get() < total.get().min(data.len()) || (data.is_empty() && chunks == 0) {
        if offset < data.len() || (data.is_empty() && chunks == 0) {
            let end = (offset + CHUNK - 16).min(data.len());
            chunk.clear();
            chunk.extend_from_slice(&(offset as u64).to_le_bytes());
            chunk.extend_from_slice(&(data.len() as u64).to_le_bytes());
            chunk.extend_from_slice(&data[offset..end]);
            match publication.offer(&chunk) {
                Ok(_) => {
                    offset = end;
                    chunks += 1;
                }
                Err(e) if e.is_retryable() => {}
                Err(e) => return Err(e.into()),
            }
        }
        subscription.poll_with(&mut assembler, 64)?;
        if Instant::now() > deadline {
            return Err(format!("timed out with {} of {} bytes written", written.get(), data.len()).into());
        }
    }
    drop(assembler);
    if let Some(e) = write_error {
        return Err(e.into());
    }
    out.flush()?;
    let elapsed = start.elapsed();
    let copy = std::fs::read(&out_path)?;
    std::fs::remove_file(&out_path)?;
    println!(
        "{} bytes in {chunks} chunks in {elapsed:.2?} ({:.1} MB/s); the copy is {}",
        copy.len(),
        copy.len() as f64 / elapsed.as_secs_f64() / 1e6,
        if copy == data { "identical" } else { "DIFFERENT" }
    );
    if copy != data {
        return Err("the received file differs".into());
    }
    Ok(())
}
