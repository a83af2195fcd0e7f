//! The hot path allocates nothing after warm-up: offer, try_claim + commit, poll_once with a
//! closure, and the closure assembler, counted by a global allocator in this test binary.

use rusteron_client::testing::*;
use rusteron_client::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Duration;

struct CountingAlloc;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // Only the test thread, and only inside the measured section, is counted (the client
        // conductor thread allocates on its own schedule).
        let _ = COUNTING.try_with(|c| {
            if c.get() {
                ALLOCS.with(|a| a.set(a.get() + 1));
            }
        });
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = COUNTING.try_with(|c| {
            if c.get() {
                ALLOCS.with(|a| a.set(a.get() + 1));
            }
        });
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

fn measured<R>(f: impl FnOnce() -> R) -> (R, u64) {
    ALLOCS.with(|a| a.set(0));
    COUNTING.with(|c| c.set(true));
    let r = f();
    COUNTING.with(|c| c.set(false));
    (r, ALLOCS.with(|a| a.get()))
}

const TIMEOUT: Duration = Duration::from_secs(10);

#[test]
fn hot_path_allocates_nothing_after_warm_up() {
    let md = MediaDriverProcess::start_with_env(&[("AERON_IPC_TERM_BUFFER_LENGTH", "1048576")]).unwrap();
    let aeron = md.connect().unwrap();
    let sub = aeron
        .add_subscription(c"aeron:ipc", 1, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .unwrap();
    let publication = aeron.add_publication(c"aeron:ipc", 1, TIMEOUT).unwrap();
    let exclusive = aeron.add_exclusive_publication(c"aeron:ipc", 1, TIMEOUT).unwrap();
    assert!(wait_until(TIMEOUT, || publication.is_connected()
        && exclusive.is_connected()
        && sub.image_count().unwrap() == 2));

    let mut sum = 0u64;
    let mut count = 0u64;
    let big = vec![5u8; 20_000]; // fragmented: exercises the closure assembler's buffers
    let mut assembler = AeronFragmentClosureAssembler::with_capacity(
        |m: &[u8], _h: AeronHeader<'_>| {
            sum += m.len() as u64;
        },
        64,
    );
    let run =
        |rounds: usize, sub: &AeronSubscription, count: &mut u64, assembler: &mut AeronFragmentClosureAssembler<_>| {
            for i in 0..rounds {
                let msg = (i as u64).to_le_bytes();
                while publication.offer(&msg).is_err() {
                    sub.poll_once(|_m: &[u8], _h: AeronHeader<'_>| *count += 1, 100).unwrap();
                }
                loop {
                    match exclusive.try_claim(8) {
                        Ok(mut claim) => {
                            claim.data().copy_from_slice(&msg);
                            claim.commit().unwrap();
                            break;
                        }
                        Err(_) => {
                            sub.poll_once(|_m: &[u8], _h: AeronHeader<'_>| *count += 1, 100).unwrap();
                        }
                    }
                }
                while publication.offer(&big).is_err() {
                    sub.poll_with(assembler, 100).unwrap();
                }
                sub.poll_once(|_m: &[u8], _h: AeronHeader<'_>| *count += 1, 2).unwrap();
                sub.poll_with(assembler, 100).unwrap();
            }
        };
    // Warm-up: the assembler's buffer grows to the largest message.
    run(200, &sub, &mut count, &mut assembler);
    let ((), allocs) = measured(|| run(2000, &sub, &mut count, &mut assembler));
    assert_eq!(allocs, 0, "hot path allocated {allocs} times");
    drop(assembler);
    assert!(count > 0);
    assert!(sum > 0);
}
