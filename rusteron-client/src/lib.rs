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
pub mod testing;

pub use aeron::*;
pub use async_add::*;
pub use callbacks::*;
pub use context::*;
pub use counter::*;
pub use error::*;
pub use exclusive_publication::*;
pub use handler::{take_callback_panic, Handler, Handlers};
pub use header::*;
pub use image::*;
pub use publication::*;
pub use resource::{CResource, ManagedCResource};
pub use strings::*;
pub use subscription::*;
