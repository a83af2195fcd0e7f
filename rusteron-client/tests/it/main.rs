//! The integration tests of `rusteron-client`, one module per topic, in one test binary (one
//! link of Aeron instead of one per file). Each module's `//!` header says what it covers.
//!
//! Tests that need a process of their own stay separate binaries beside this folder:
//! `alloc_free.rs` (a counting `#[global_allocator]`), `logging.rs` (the process-wide logger) and
//! `conductor_panics.rs` (the process-wide list of panics stopped on the conductor thread).
//! Libtest runs the tests of this binary on parallel threads: a test here must not change
//! process-wide state (environment variables, the logger, the panic hook, the conductor-panic
//! list). `testing_env` checks environment overrides in a child process of this binary instead.
//!
//! Run one topic with `cargo test -p rusteron-client --test it <module>::`.

mod adopters;
mod assemblers;
mod attacks;
mod audit;
mod callbacks;
mod claims_and_offers;
mod cnc;
mod context_in_use;
mod counters;
mod coverage;
mod driver_dirs;
mod drop_orders;
mod embedded_driver;
mod panics;
mod public_items;
mod pubsub;
mod safe_inputs;
mod testing_env;
mod threads;
mod uri;
