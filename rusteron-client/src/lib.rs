//! Safe Rust over Aeron's C client (`aeronc.h`).
//!
//! Every C object is a cloneable wrapper that shares one C object and closes it once, when the
//! last clone drops (`ManagedCResource`); objects that depend on others (a publication on its
//! client, a client on its context) hold a clone of them, so no drop order is undefined
//! behaviour. Callbacks are traits with logging defaults; closures work for polls; a panic in a
//! callback never unwinds into C. Errors carry Aeron's own message.
#![warn(missing_docs)]

/// The raw bindings (`rusteron-archive-sys`).
pub use rusteron_archive_sys as bindings;

pub mod resource;
mod error;
mod handler;
mod strings;
mod callbacks;
mod context;
mod aeron;
mod async_add;
mod publication;
mod exclusive_publication;
mod subscription;
mod image;
mod header;
mod counter;
mod fragment_assembler;
mod destination;
mod misc;
mod counters_reader;
mod cnc;
mod uri;
mod channel_uri;
mod protocol;
mod log_buffer;
mod constants;
mod system_counters;
mod collections;
pub mod testing;

pub use aeron::*;
pub use async_add::*;
pub use callbacks::*;
pub use context::*;
pub use counter::*;
pub use error::*;
pub use fragment_assembler::*;
pub use destination::*;
pub use misc::*;
pub use counters_reader::*;
pub use cnc::*;
pub use uri::*;
pub use channel_uri::*;
pub use protocol::*;
pub use log_buffer::*;
pub use constants::*;
pub use system_counters::*;
pub use collections::*;
pub use testing::{find_unused_udp_port, is_udp_port_available};
pub use exclusive_publication::*;
pub use handler::{take_callback_panic, Handler, Handlers};
pub use header::*;
pub use image::*;
pub use publication::*;
pub use resource::{CResource, ManagedCResource};
pub use strings::*;
pub use subscription::*;

/// Building blocks for crates layered on this one (`rusteron-archive`): the panic boundary used
/// by every callback trampoline. Not a stable API for applications.
#[doc(hidden)]
pub mod __private {
    pub use crate::error::check;
    pub use crate::handler::{guard_detached, guard_nested, resume_nested_panic, Guarded};
}
