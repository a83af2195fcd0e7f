//! The integration tests of `rusteron-archive`, one module per topic, in one test binary (one
//! link of Aeron instead of one per file), against real media drivers and real Java archives.
//! Each module's `//!` header says what it covers; `common` holds the helpers they share.
//!
//! Libtest runs the tests of this binary on parallel threads: a test here must not change
//! process-wide state (environment variables, the logger, the panic hook, the conductor-panic
//! list); such a test goes in a binary of its own beside this folder. `testing_env` checks
//! environment overrides in a child process of this binary instead.
//!
//! Run one topic with `cargo test -p rusteron-archive --test it <module>::`.

mod common;

mod audit;
mod callbacks_and_pollers;
mod coverage;
mod fault_matrix;
mod helper_overrides;
mod management;
mod persistent_subscription;
mod persistent_subscription_follower;
mod persistent_subscription_handlers;
mod poller_reset;
mod public_api;
mod queries;
mod recording_position;
mod replication_and_merge;
mod replication_options;
mod safe_inputs;
mod segments_and_extend;
mod shared_state;
mod testing_env;
mod volume;
mod workflow;
