//! The process-wide list of panics caught in callbacks that C calls from its own threads
//! (`take_callback_panic`) is bounded: it keeps the first `KEPT_CALLBACK_PANICS` messages not
//! yet taken and counts the rest (`dropped_callback_panics`). A binary of its own: the list is
//! process-wide state.

use rusteron_client::{dropped_callback_panics, take_callback_panic, KEPT_CALLBACK_PANICS};
use std::time::{Duration, Instant};

#[test]
fn a_callback_that_keeps_panicking_cannot_grow_the_list() {
    let deadline = Instant::now() + Duration::from_secs(30);
    // The panics below are expected: keep the default hook from printing each one.
    std::panic::set_hook(Box::new(|_| {}));
    while take_callback_panic().is_some() {}
    let dropped_before = dropped_callback_panics();
    let extra = 36;
    // From a thread with no Rust caller waiting, as the conductor calls.
    std::thread::spawn(move || {
        for i in 0..KEPT_CALLBACK_PANICS + extra {
            rusteron_client::__private::guard_detached((), || panic!("panic {i}"));
        }
    })
    .join()
    .unwrap();
    let mut kept = Vec::new();
    while let Some(m) = take_callback_panic() {
        assert!(Instant::now() < deadline, "take_callback_panic did not run dry");
        kept.push(m);
    }
    let expected: Vec<String> = (0..KEPT_CALLBACK_PANICS).map(|i| format!("panic {i}")).collect();
    assert_eq!(kept, expected, "the first ones are kept, oldest first");
    assert_eq!(dropped_callback_panics() - dropped_before, extra as u64);
    // Taking makes room again.
    rusteron_client::__private::guard_detached((), || panic!("after"));
    assert_eq!(take_callback_panic().as_deref(), Some("after"));
    assert_eq!(dropped_callback_panics() - dropped_before, extra as u64);
    let _ = std::panic::take_hook();
}
