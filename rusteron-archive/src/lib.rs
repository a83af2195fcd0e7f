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
//! Contexts, pollers, proxies and replay merges are single-threaded (neither `Send` nor `Sync`;
//! contexts move with `handoff()`). Callbacks registered on a context run on whichever thread is
//! inside an archive call; a panic in them is caught at the C boundary
//! ([`take_archive_callback_panic`]). A context that C reads while it runs (the archive's own, or
//! a persistent subscription's once the subscription is created) refuses every setter with `EBUSY`.
//! [`AeronArchiveReplayMerge`] takes the archive's lock around each of its steps; still, do not
//! call the archive from other threads while a merge of it is polled (see its docs).
//!
//! # Logging
//! Nothing is printed: the logging defaults of the callbacks, and the testing helpers, write
//! through the [`log`] crate under targets starting with `rusteron_archive` (the client part
//! under `rusteron_client`). Install any `log` backend to see them.
//!
//! # Example
//! Record a stream into a real (embedded Java) archive, then replay it. This runs as a doctest.
//! ```
//! use rusteron_archive::testing::EmbeddedArchiveMediaDriverProcess;
//! use rusteron_archive::testing::wait_until;
//! use rusteron_archive::*;
//! use std::time::Duration;
//!
//! let timeout = Duration::from_secs(10);
//! let archive_process = EmbeddedArchiveMediaDriverProcess::start()?;
//! let (aeron, archive) = archive_process.connect()?;
//!
//! // 1-2. Record aeron:ipc stream 1001.
//! let sub_id = archive.start_recording(c"aeron:ipc", 1001, SOURCE_LOCATION_LOCAL, true)?;
//! // 3. Publish ten messages.
//! let publication = aeron.add_exclusive_publication(c"aeron:ipc", 1001, timeout)?;
//! for i in 0..10u64 {
//!     assert!(wait_until(timeout, || publication.offer(&i.to_le_bytes()).is_ok()));
//! }
//! // Wait until the archive has recorded all of it, then 4. stop.
//! let recording_id = {
//!     let mut id = -1;
//!     assert!(wait_until(timeout, || {
//!         id = archive
//!             .find_last_matching_recording(0, c"aeron:ipc", 1001, publication.session_id())
//!             .unwrap_or(-1);
//!         id >= 0 && archive.get_recording_position(id).unwrap_or(-1) == publication.position()
//!     }));
//!     id
//! };
//! archive.stop_recording_subscription(sub_id)?;
//!
//! // 5. The catalog knows the recording.
//! let mut found = Vec::new();
//! archive.list_recording(recording_id, |d: AeronArchiveRecordingDescriptor| found.push(d.stop_position))?;
//! assert_eq!(found, vec![publication.position()]);
//!
//! // 6-7. Replay it into a subscription and read every message back.
//! let params = AeronArchiveReplayParams::new_default()?;
//! let replay = archive.replay(recording_id, c"aeron:ipc", 2001, &params)?;
//! let mut received = Vec::new();
//! assert!(wait_until(timeout, || {
//!     replay
//!         .poll_once(|msg: &[u8], _h: AeronHeader<'_>| received.push(u64::from_le_bytes(msg.try_into().unwrap())), 10)
//!         .unwrap();
//!     received.len() == 10
//! }));
//! assert_eq!(received, (0..10).collect::<Vec<_>>());
//! # Ok::<(), AeronCError>(())
//! ```
#![warn(missing_docs)]

// The README's example runs as a doctest too.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme_doctest {}

pub use rusteron_client::*;

mod archive;
mod async_connect;
mod callbacks;
mod context;
mod credentials;
mod descriptors;
mod errors;
mod follower;
mod no_op;
mod persistent_subscription;
mod persistent_subscription_builder;
mod pollers;
mod proxy;
mod recording_pos;
mod recording_position;
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
pub use errors::*;
pub use follower::{
    AeronArchivePersistentSubscriptionFollower, AeronArchivePersistentSubscriptionFollowerBuilder,
    AeronArchivePersistentSubscriptionFollowerListener,
};
pub use persistent_subscription::*;
pub use persistent_subscription_builder::AeronArchivePersistentSubscriptionBuilder;
pub use pollers::*;
pub use proxy::*;
pub use recording_pos::*;
pub use recording_position::*;
pub use recording_signal::*;
pub use replay_merge::*;
pub use replay_params::*;
pub use replication_params::*;
pub use util::{take_archive_callback_panic, ARCHIVE_REQUEST_MAX_LENGTH};
