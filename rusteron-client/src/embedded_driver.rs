//! Testing helpers over the embedded media driver ([`EmbeddedMediaDriver`]): the driver runs in
//! the test process, on a fresh directory, with small terms. Use
//! [`MediaDriverProcess`](crate::testing::MediaDriverProcess) instead for tests that kill a
//! driver.

use crate::error::AeronCError;
use crate::strings::IntoCString;
use crate::{AeronDriverContext, AeronThreadingMode, EmbeddedMediaDriver};

/// A driver context for tests: a fresh directory ([`unique_dir`](crate::testing::unique_dir)),
/// deleted on start and on shutdown, the `SHARED` threading mode with the `backoff` idle
/// strategy, and 64 KiB terms (network and IPC), the low footprint `MediaDriverProcess` uses.
pub fn embedded_driver_context() -> Result<AeronDriverContext, AeronCError> {
    let context = AeronDriverContext::new()?;
    let dir = crate::testing::unique_dir("rusteron-emd");
    context.set_dir(&dir.to_string_lossy().as_ref().into_c_string_for("embedded_driver_context: the directory")?)?;
    context.set_dir_delete_on_start(true)?;
    context.set_dir_delete_on_shutdown(true)?;
    context.set_threading_mode(AeronThreadingMode::Shared)?;
    context.set_shared_idle_strategy(c"backoff")?;
    context.set_term_buffer_length(64 * 1024)?;
    context.set_ipc_term_buffer_length(64 * 1024)?;
    Ok(context)
}

/// Starts an [`EmbeddedMediaDriver`] on [`embedded_driver_context`]. Dropping it stops the
/// driver and deletes its directory.
///
/// ```
/// let driver = rusteron_client::testing::start_embedded_driver()?;
/// let aeron = driver.connect()?;
/// assert!(aeron.client_id() >= 0);
/// # Ok::<(), rusteron_client::AeronCError>(())
/// ```
pub fn start_embedded_driver() -> Result<EmbeddedMediaDriver, AeronCError> {
    EmbeddedMediaDriver::start(embedded_driver_context()?)
}
