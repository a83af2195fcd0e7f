//! The published `rusteron-client`'s instruction counts for `scripts/bench-instructions.sh`: the
//! same operations, data and call pattern as `benches/instructions.rs` (ours and raw C), one
//! `#[inline(never)]` function per operation, run under `valgrind --tool=callgrind`. It prints
//! the call counts; the script divides each function's inclusive instructions by them.
//! Needs `AERON_DIR` naming a running media driver (the script starts one).

use peer::*;

/// The refusal as Aeron's negative code (what ours and raw C hand on).
#[inline(always)]
fn code(e: &AeronOfferError) -> i64 {
    match e {
        AeronOfferError::NotConnected => -1,
        AeronOfferError::BackPressured => -2,
        AeronOfferError::AdminAction => -3,
        AeronOfferError::Closed => -4,
        AeronOfferError::MaxPositionExceeded => -5,
        _ => -6,
    }
}
use std::hint::black_box;
use std::time::{Duration, Instant};

const MSG_LEN: usize = 32;
const BATCH: usize = 1_000;
const TIMEOUT: Duration = Duration::from_secs(10);

#[inline(never)]
fn peer_offer(p: &AeronExclusivePublication, msg: &[u8]) -> i64 {
    match p.offer(msg) {
        Ok(pos) => pos,
        Err(e) => code(&e),
    }
}

#[inline(never)]
fn peer_try_claim(p: &AeronExclusivePublication, msg: &[u8]) -> i64 {
    match p.try_claim_owned(msg.len()) {
        Ok(mut claim) => {
            claim.data().copy_from_slice(msg);
            let pos = claim.position();
            let _ = claim.commit();
            pos
        }
        Err(e) => code(&e),
    }
}

#[inline(never)]
fn peer_poll(s: &AeronSubscription, count: &mut u64) -> i32 {
    s.poll_fn(|m: &[u8], _h: AeronHeader| *count += m.len() as u64, 10).unwrap_or(-1)
}

#[inline(never)]
fn peer_poll_empty(s: &AeronSubscription, count: &mut u64) -> i32 {
    s.poll_fn(|m: &[u8], _h: AeronHeader| *count += 1 + m.len() as u64, 10).unwrap_or(-1)
}

fn main() {
    let dir = std::env::var("AERON_DIR").expect("AERON_DIR: a running media driver");
    let ctx = AeronContext::new().expect("context");
    ctx.set_dir(&dir.into_c_string()).expect("set_dir");
    let aeron = Aeron::new(&ctx).expect("client");
    aeron.start().expect("start");
    let s = aeron
        .async_add_subscription(&"aeron:ipc".into_c_string(), 9003, Handlers::NONE, Handlers::NONE)
        .expect("add subscription")
        .poll_blocking(TIMEOUT)
        .expect("subscription");
    let p = aeron
        .async_add_exclusive_publication(&"aeron:ipc".into_c_string(), 9003)
        .expect("add publication")
        .poll_blocking(TIMEOUT)
        .expect("publication");
    let start = Instant::now();
    while !(p.is_connected() && s.is_connected()) {
        assert!(start.elapsed() < TIMEOUT, "never connected");
        std::thread::sleep(Duration::from_millis(1));
    }
    let msg = [7u8; MSG_LEN];
    let mut calls = [0u64; 4];
    let ops: usize = std::env::var("RUSTERON_INSTRUCTIONS_OPS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let mut n = 0u64;
    let drain = |calls: &mut [u64; 4], n: &mut u64, expect: usize| {
        let n0 = *n;
        while ((*n - n0) as usize) < expect * MSG_LEN {
            black_box(peer_poll(&s, n));
            calls[2] += 1;
        }
    };
    for _ in 0..ops / BATCH {
        for _ in 0..BATCH {
            calls[0] += 1;
            while black_box(peer_offer(&p, &msg)) < 0 {
                calls[0] += 1;
            }
        }
        drain(&mut calls, &mut n, BATCH);
        for _ in 0..BATCH {
            calls[1] += 1;
            while black_box(peer_try_claim(&p, &msg)) < 0 {
                calls[1] += 1;
            }
        }
        drain(&mut calls, &mut n, BATCH);
    }
    for _ in 0..ops {
        black_box(peer_poll_empty(&s, &mut n));
        calls[3] += 1;
    }
    println!("instructions: {} messages (peer)", n / MSG_LEN as u64);
    println!(
        "calls peer_offer {} peer_try_claim {} peer_poll {} peer_poll_empty {}",
        calls[0], calls[1], calls[2], calls[3]
    );
}
