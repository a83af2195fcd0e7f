//! Ownership of C objects: [`ManagedCResource`] runs a C object's close exactly once and keeps
//! what the object depends on alive until then, [`CResource`] says whether a wrapper owns its
//! object or only borrows it.
//!
//! The parts, one file each: `owned` (the two types above), `close` (what a C close returns:
//! done, or pending until C finishes it, and the one-shot notification a close may take),
//! `macros` (the `c_wrapper!` family that declares a wrapper type and its properties) and
//! `in_use` ([`InUse`], which C objects something is using right now).

mod close;
mod in_use;
mod macros;
mod owned;

pub(crate) use close::{Close, CloseOutcome, OneShotNotification, PendingUntil};
pub use in_use::{InUse, InUseMark};
pub use owned::{sole_handle, CResource, ManagedCResource};

use std::any::Any;
use std::sync::Arc;

/// Something a resource keeps alive until it is closed (the client behind a publication, a
/// handler registered with a context, ...). Type-erased so any wrapper can hold any other.
pub type Dependency = Arc<dyn Any + Send + Sync>;

/// The `log` target of what this module reports (a close that failed or did not finish), the
/// same from each of its files.
const LOG_TARGET: &str = module_path!();
