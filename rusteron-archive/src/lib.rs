//! Safe Rust over Aeron's C archive client (`aeron_archive.h`): record streams into an Aeron
//! Archive, list its catalog, replay recordings (bounded, from a position, merged into live),
//! manage segments and replicate between archives.
//!
//! Everything of `rusteron-client` is re-exported, so `rusteron_archive::Aeron`,
//! `rusteron_archive::AeronSubscription`, ... are the client's types.
//!
//! # Lifetimes
//! An [`AeronArchive`] keeps a clone of the [`AeronArchiveContext`] it was connected from,
//! which keeps the [`Aeron`] client and every handler registered on it alive. Subscriptions and
//! publications returned by the archive keep the archive alive. Any drop order is sound.
//!
//! # Threads
//! The C archive client serialises requests with a mutex, so [`AeronArchive`] is `Send + Sync`.
//! Contexts are `Send` only. Callbacks registered on a context run on whichever thread is inside
//! an archive call; a panic in them is caught at the C boundary
//! ([`take_archive_callback_panic`]).
//!
//! # Example
//! ```no_run
//! use rusteron_archive::*;
//! use rusteron_archive::testing::EmbeddedArchiveMediaDriverProcess;
//!
//! let archive_process = EmbeddedArchiveMediaDriverProcess::start()?;
//! let (aeron, archive) = archive_process.connect()?;
//! let channel = c"aeron:ipc";
//! let sub_id = archive.start_recording(channel, 1001, SOURCE_LOCATION_LOCAL, true)?;
//! // ... publish on aeron:ipc stream 1001 ...
//! archive.stop_recording_subscription(sub_id)?;
//! archive.list_recordings(0, 100, |d: AeronArchiveRecordingDescriptor| {
//!     println!("recording {} {}..{}", d.recording_id, d.start_position, d.stop_position)
//! })?;
//! # drop(aeron);
//! # Ok::<(), AeronCError>(())
//! ```
#![warn(missing_docs)]

pub use rusteron_client::*;

mod archive;
mod async_connect;
mod callbacks;
mod context;
mod credentials;
mod descriptors;
mod persistent_subscription;
mod pollers;
mod proxy;
mod recording_pos;
mod recording_signal;
mod replay_merge;
mod replay_params;
mod replication_params;
pub mod testing;
mod util;

pub use archive::*;
pub use async_connect::*;
pub use callbacks::*;
pub use context::*;
pub use credentials::AeronArchiveEncodedCredentials;
pub use descriptors::*;
pub use persistent_subscription::*;
pub use pollers::*;
pub use proxy::*;
pub use recording_pos::*;
pub use recording_signal::*;
pub use replay_merge::*;
pub use replay_params::*;
pub use replication_params::*;
pub use util::take_archive_callback_panic;
