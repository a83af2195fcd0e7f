//! Request/response: a server thread answers each request on a response channel the request
//! names; the client sends COUNT requests one at a time and prints the round-trip percentiles.
//!
//! `cargo run -p rusteron-client --example request_response -- [COUNT] [AERON_DIR]`
//!
//! A request is `correlation id: i64 | response stream id: i32 | response channel (UTF-8)`; the
//! response is `correlation id: i64 | the request's channel length: u32`.

mod common;

use common::*;
use rusteron_client::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const REQUEST_STREAM: i32 = 1060;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_logging();
    let count: usize = arg(1, 10_000);
    let driver = Driver::new(arg_str(2), 64 * 1024)?;
    println!("{}", driver.describe());
    let aeron = driver.connect()?;
    let timeout = Duration::from_secs(10);
    let request_port = find_unused_udp_port(20400).ok_or("no free port")?;
    let request_channel = format!("aeron:udp?endpoint=localhost:{request_port}").into_c_string();
    let running = Arc::new(AtomicBool::new(true));

    let server = {
        let (aeron, request_channel, running) = (aeron.clone(), request_channel.clone(), running.clone());
        std::thread::spawn(move || -> Result<u64, AeronCError> {
            let requests = aeron.add_subscription(
                &request_channel,
                REQUEST_STREAM,
                no_available_image_handler(),
                no_unavailable_image_handler(),
                timeout,
            )?;
            // One publication per response channel and stream, made on first use.
            let mut responders: HashMap<(String, i32), AeronPublication> = HashMap::new();
            let mut answered = 0u64;
            let mut failure = None;
            let mut idle = AeronIdleStrategy::yielding();
            while running.load(Ordering::Relaxed) {
                let n = requests.poll_fn(
                    |msg, _header| {
                        let correlation = &msg[0..8];
                        let stream = i32::from_le_bytes(msg[8..12].try_into().unwrap());
                        let channel = String::from_utf8_lossy(&msg[12..]).into_owned();
                        let key = (channel, stream);
                        if !responders.contains_key(&key) {
                            match aeron.add_publication(&key.0.as_str().into_c_string(), stream, timeout) {
                                Ok(p) => {
                                    let _ = rusteron_client::testing::wait_until(timeout, || p.is_connected());
                                    responders.insert(key.clone(), p);
                                }
                                Err(e) => {
                                    failure = Some(e);
                                    return;
                                }
                            }
                        }
                        let mut response = [0u8; 12];
                        response[0..8].copy_from_slice(correlation);
                        response[8..12].copy_from_slice(&(key.0.len() as u32).to_le_bytes());
                        let publication = &responders[&key];
                        while let Err(e) = publication.offer(&response) {
                            if !e.is_retryable() {
                                failure = Some(e);
                                return;
                            }
                        }
                        answered += 1;
                    },
                    10,
                )?;
                if let Some(e) = failure.take() {
                    return Err(e);
                }
                idle.idle(n);
            }
            Ok(answered)
        })
    };

    let response_port = find_unused_udp_port(20500).ok_or("no free port")?;
    let response_channel = format!("aeron:udp?endpoint=localhost:{response_port}");
    let response_stream = 1061;
    let responses = aeron.add_subscription(
        &response_channel.as_str().into_c_string(),
        response_stream,
        no_available_image_handler(),
        no_unavailable_image_handler(),
        timeout,
    )?;
    let requests = aeron.add_publication(&request_channel, REQUEST_STREAM, timeout)?;
    wait_for("the server", timeout, || requests.is_connected())?;

    let mut request = Vec::new();
    let mut rtts = Vec::with_capacity(count);
    for correlation in 0..count as i64 {
        request.clear();
        request.extend_from_slice(&correlation.to_le_bytes());
        request.extend_from_slice(&response_stream.to_le_bytes());
        request.extend_from_slice(response_channel.as_bytes());
        let start = Instant::now();
        while let Err(e) = requests.offer(&request) {
            if !e.is_retryable() {
                return Err(e.into());
            }
        }
        let mut answered = false;
        let deadline = start + timeout;
        let mut idle = AeronIdleStrategy::yielding();
        while !answered {
            let n = responses.poll_fn(
                |msg, _header| {
                    let id = i64::from_le_bytes(msg[0..8].try_into().unwrap());
                    let echoed_len = u32::from_le_bytes(msg[8..12].try_into().unwrap()) as usize;
                    answered |= id == correlation && echoed_len == response_channel.len();
                },
                10,
            )?;
            idle.idle(n);
            if Instant::now() > deadline {
                return Err(format!("no response to request {correlation} within {timeout:?}").into());
            }
        }
        rtts.push(start.elapsed().as_nanos() as u64);
    }
    running.store(false, Ordering::Relaxed);
    let answered = server.join().map_err(|_| "server panicked")??;
    rtts.sort_unstable();
    println!("{count} requests, {answered} answered; round trip:");
    for p in [50.0, 90.0, 99.0] {
        println!("  p{p:<4} {:>9.2} us", percentile(&rtts, p) as f64 / 1000.0);
    }
    println!("  max   {:>9.2} us", *rtts.last().unwrap_or(&0) as f64 / 1000.0);
    Ok(())
}
