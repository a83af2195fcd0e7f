//! Safe Rust over Aeron's C client (`aeronc.h`).
//!
//! Every C object is a cloneable wrapper that shares one C object and closes it once, when the
//! last clone drops (`ManagedCResource`); objects that depend on others (a publication on its
//! client, a client on its context) hold a clone of them, so no drop order is undefined
//! behaviour. Callbacks are traits with logging defaults; closures work for polls; a panic in a
//! callback never unwinds into C. Errors carry Aeron's own message.
//!
//! The crate never prints: what it reports on its own (a panic stopped at the C boundary, a
//! close C has not finished, the logging defaults of the callback traits) goes through the
//! [`log`] crate under targets starting with `rusteron_client`. Install any `log` backend (for
//! example `env_logger` with `RUST_LOG=rusteron_client=debug`) to see it.
#![warn(missing_docs)]

/// The raw bindings (`rusteron-archive-sys`).
pub use rusteron_archive_sys as bindings;

mod aeron;
mod async_add;
mod callbacks;
mod callbacks_by_value;
mod channel_uri;
mod closing;
mod cnc;
mod collections;
mod constants;
mod context;
mod counter;
mod counters_reader;
mod destination;
mod driver;
mod duration;
mod error;
mod error_frame;
mod exclusive_publication;
mod fragment_assembler;
mod free_functions;
mod handler;
mod handoff;
mod header;
mod idle_strategy;
mod image;
mod limits;
mod log_buffer;
pub mod media_driver;
#[cfg(feature = "prometheus")]
pub mod metrics;
mod no_op;
mod offer_error;
mod per_poll_assembler;
mod poll_fn;
mod protocol;
mod publication;
mod reentry;
pub mod resource;
mod strings;
mod subscription;
mod system_counters;
pub mod testing;
mod uri;
mod uri_builder;
mod views;

pub use aeron::*;
pub use async_add::*;
pub use callbacks::*;
pub use channel_uri::*;
pub use cnc::*;
pub use collections::*;
pub use constants::*;
pub use context::*;
pub use counter::*;
pub use counters_reader::*;
pub use destination::*;
pub use driver::*;
pub use duration::*;
pub use error::*;
pub use error_frame::*;
pub use exclusive_publication::*;
pub use fragment_assembler::*;
pub use free_functions::*;
pub use handler::{take_callback_panic, Handler, Handlers};
pub use handoff::{Handoff, HandoffError, SingleThreaded};
pub use header::*;
pub use idle_strategy::*;
pub use image::*;
pub use limits::{AERON_DIR_MAX_LENGTH, AERON_REJECT_REASON_MAX_LENGTH};
pub use log_buffer::*;
pub use no_op::NoOp;
pub use offer_error::AeronOfferError;
pub use per_poll_assembler::{AeronFragmentReassembler, Reassembling, ReassemblingControlled};
pub use protocol::*;
pub use publication::*;
pub use resource::{CResource, ManagedCResource};
pub use strings::*;
pub use subscription::*;
pub use system_counters::*;
pub use testing::{find_unused_udp_port, is_udp_port_available};
pub use uri::*;
pub use uri_builder::ChannelUriBuilder;
pub use views::*;

/// Building blocks for crates layered on this one (`rusteron-archive`): the panic boundary used
/// by every callback trampoline. Not a stable API for applications.
#[doc(hidden)]
pub mod __private {
    pub use crate::error::check;
    pub use crate::handler::{guard_detached, guard_handler, guard_nested, resume_nested_panic, Guarded};
    pub use crate::limits::{check_channel, check_dir, check_length, check_no_nul};
    pub use crate::reentry::while_polling_subscription;

    /// `now + timeout`, saturating: a timeout too large for the clock (`Duration::MAX`) means
    /// "a century", not a panic.
    pub fn deadline_after(timeout: std::time::Duration) -> std::time::Instant {
        let now = std::time::Instant::now();
        now.checked_add(timeout)
            .or_else(|| now.checked_add(std::time::Duration::from_secs(100 * 365 * 24 * 3600)))
            .unwrap_or(now)
    }
}
