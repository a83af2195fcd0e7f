//! Instruction counts of the hot paths, wrapper against raw C, for `valgrind --tool=callgrind`
//! (`scripts/bench-instructions.sh`). Instruction counts do not depend on what else the machine
//! is doing, so they show the wrapper's cost where the timed benches are too noisy to.
//!
//! Each operation is one `#[inline(never)]` function per flavour, called the same number of
//! times with the same data; callgrind's inclusive cost of each function divided by its calls
//! is the cost of one operation, C included. Run directly (without valgrind) it only checks that
//! every loop completes.

#[path = "common/mod.rs"]
mod common;

use common::*;
use rusteron_client::bindings as raw;
use rusteron_client::*;
use std::hint::black_box;
use std::os::raw::c_void;

const BATCH: usize = 1_000;

/// Operations of each kind: 20,000, or `RUSTERON_INSTRUCTIONS_OPS` (a multiple of 1,000; the
/// perf guard of `just test` runs fewer).
fn ops() -> usize {
    std::env::var("RUSTERON_INSTRUCTIONS_OPS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000)
}

#[inline(never)]
fn wrapper_offer(p: &AeronExclusivePublication, msg: &[u8]) -> i64 {
    match p.offer(msg) {
        Ok(pos) => pos,
        Err(e) => e.code as i64,
    }
}

#[inline(never)]
fn raw_offer(p: *mut raw::aeron_exclusive_publication_t, msg: &[u8]) -> i64 {
    unsafe { raw::aeron_exclusive_publication_offer(p, msg.as_ptr(), msg.len(), None, std::ptr::null_mut()) }
}

#[inline(never)]
fn wrapper_try_claim(p: &AeronExclusivePublication, msg: &[u8]) -> i64 {
    match p.try_claim(msg.len()) {
        Ok(mut claim) => {
            claim.data().copy_from_slice(msg);
            let pos = claim.position();
            let _ = claim.commit();
            pos
        }
        Err(e) => e.code as i64,
    }
}

#[inline(never)]
fn raw_try_claim(p: *mut raw::aeron_exclusive_publication_t, msg: &[u8]) -> i64 {
    unsafe {
        let mut claim: raw::aeron_buffer_claim_t = std::mem::zeroed();
        let pos = raw::aeron_exclusive_publication_try_claim(p, msg.len(), &mut claim);
        if pos > 0 {
            std::ptr::copy_nonoverlapping(msg.as_ptr(), claim.data, msg.len());
            raw::aeron_buffer_claim_commit(&mut claim);
        }
        pos
    }
}

#[inline(never)]
fn wrapper_poll(s: &AeronSubscription, count: &mut u64) -> i32 {
    s.poll_once(|m: &[u8], _h: AeronHeader<'_>| *count += m.len() as u64, 10).unwrap_or(-1)
}

unsafe extern "C" fn raw_handler(clientd: *mut c_void, _b: *const u8, len: usize, _h: *mut raw::aeron_header_t) {
    *(clientd as *mut u64) += len as u64;
}

#[inline(never)]
fn raw_poll(s: *mut raw::aeron_subscription_t, count: &mut u64) -> i32 {
    unsafe { raw::aeron_subscription_poll(s, Some(raw_handler), count as *mut u64 as *mut c_void, 10) }
}

// The empty polls have functions of their own so that callgrind counts them apart from the polls
// that read fragments. Their handlers differ from the ones above (they are never called) only so
// that the compiler cannot merge the twin functions into one symbol.
#[inline(never)]
fn wrapper_poll_empty(s: &AeronSubscription, count: &mut u64) -> i32 {
    s.poll_once(|m: &[u8], _h: AeronHeader<'_>| *count += 1 + m.len() as u64, 10).unwrap_or(-1)
}

unsafe extern "C" fn raw_handler_empty(clientd: *mut c_void, _b: *const u8, len: usize, _h: *mut raw::aeron_header_t) {
    *(clientd as *mut u64) += 1 + len as u64;
}

#[inline(never)]
fn raw_poll_empty(s: *mut raw::aeron_subscription_t, count: &mut u64) -> i32 {
    unsafe { raw::aeron_subscription_poll(s, Some(raw_handler_empty), count as *mut u64 as *mut c_void, 10) }
}

fn main() {
    // criterion-style arguments (`--bench`) are ignored.
    let md = driver("backoff");
    let aeron = md.connect().expect("client");
    let rawc = RawClient::connect(md.dir_str());
    let msg = [7u8; MSG_LEN];

    let wsub = aeron
        .add_subscription(
            &"aeron:ipc".into_c_string(),
            9001,
            no_available_image_handler(),
            no_unavailable_image_handler(),
            TIMEOUT,
        )
        .unwrap();
    let wpub = aeron.add_exclusive_publication(&"aeron:ipc".into_c_string(), 9001, TIMEOUT).unwrap();
    let rsub = rawc.add_subscription("aeron:ipc", 9002);
    let rpub = rawc.add_exclusive_publication("aeron:ipc", 9002);
    assert!(testing::wait_until(TIMEOUT, || wpub.is_connected() && wsub.is_connected()));
    raw_wait_connected(rsub);

    // calls[flavour][op]: flavour 0 = wrapper, 1 = raw; op 0 offer, 1 try_claim, 2 poll (with
    // fragments), 3 empty poll.
    let mut calls = [[0u64; 4]; 2];
    let ops = ops();
    let (mut wn, mut rn) = (0u64, 0u64);
    let drain = |calls: &mut [[u64; 4]; 2], wn: &mut u64, rn: &mut u64, expect: usize| {
        let (w0, r0) = (*wn, *rn);
        while ((*wn - w0) as usize) < expect * MSG_LEN {
            black_box(wrapper_poll(&wsub, wn));
            calls[0][2] += 1;
        }
        while ((*rn - r0) as usize) < expect * MSG_LEN {
            black_box(raw_poll(rsub, rn));
            calls[1][2] += 1;
        }
    };
    for _ in 0..ops / BATCH {
        for _ in 0..BATCH {
            calls[0][0] += 1;
            while black_box(wrapper_offer(&wpub, &msg)) < 0 {
                calls[0][0] += 1;
            }
            calls[1][0] += 1;
            while black_box(raw_offer(rpub, &msg)) < 0 {
                calls[1][0] += 1;
            }
        }
        drain(&mut calls, &mut wn, &mut rn, BATCH);
        for _ in 0..BATCH {
            calls[0][1] += 1;
            while black_box(wrapper_try_claim(&wpub, &msg)) < 0 {
                calls[0][1] += 1;
            }
            calls[1][1] += 1;
            while black_box(raw_try_claim(rpub, &msg)) < 0 {
                calls[1][1] += 1;
            }
        }
        drain(&mut calls, &mut wn, &mut rn, BATCH);
    }
    // Empty polls: nothing is left to read.
    for _ in 0..ops {
        black_box(wrapper_poll_empty(&wsub, &mut wn));
        black_box(raw_poll_empty(rsub, &mut rn));
        calls[0][3] += 1;
        calls[1][3] += 1;
    }
    assert_eq!(wn, rn);
    println!("instructions: {} messages each way", wn / MSG_LEN as u64);
    for (f, name) in ["wrapper", "raw"].iter().enumerate() {
        println!(
            "calls {name}_offer {} {name}_try_claim {} {name}_poll {} {name}_poll_empty {}",
            calls[f][0], calls[f][1], calls[f][2], calls[f][3]
        );
    }
}
