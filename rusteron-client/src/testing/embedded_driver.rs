//! Testing helpers over the embedded media driver ([`EmbeddedMediaDriver`]): the driver runs in
//! the test process, on a fresh directory, with small terms. Use
//! [`MediaDriverProcess`](crate::testing::MediaDriverProcess) instead for tests that kill a
//! driver.

use crate::error::AeronCError;
use crate::strings::IntoCString;
use crate::{AeronDriverContext, AeronThreadingMode, EmbeddedMediaDriver};

/// The term length (network and IPC) of [`embedded_driver_context`]: 4 MiB.
pub const TESTING_TERM_LENGTH: usize = 4 * 1024 * 1024;

/// A driver context for tests: a fresh directory ([`unique_dir`](crate::testing::unique_dir)),
/// removed when the driver that ran on it is dropped, the `SHARED` threading mode with the
/// `backoff` idle strategy, and 4 MiB terms (network and IPC; Aeron's defaults are 16 MiB and
/// 64 MiB), [`TESTING_TERM_LENGTH`].
///
/// Why 4 MiB: with one shared thread that parks between duty cycles, a publisher's limit moves
/// forward about once per duty cycle, by up to half a term, so the term length bounds how fast
/// one stream can go. Measured here (one 32-byte stream over IPC, exclusive publication, busy
/// polling thread, 2 cores): 64 KiB terms 38 K msg/s, 1 MiB 0.92 M, 4 MiB 1.95 M, 8 MiB 4.6 M,
/// 16 MiB 8.7 M. 4 MiB keeps ordinary programs moving at millions of messages a second while a
/// test that makes dozens of publications stays within a few hundred MiB of `/dev/shm`. Set
/// larger terms on the context for throughput work.
pub fn embedded_driver_context() -> Result<AeronDriverContext, AeronCError> {
    let context = AeronDriverContext::new()?;
    let dir = super::unique_dir("rusteron-emd");
    context.set_dir(&dir.to_string_lossy().as_ref().into_c_string_for("embedded_driver_context: the directory")?)?;
    context.set_dir_delete_on_start(true)?;
    context.set_dir_delete_on_shutdown(true)?;
    context.set_threading_mode(AeronThreadingMode::Shared)?;
    context.set_shared_idle_strategy(c"backoff")?;
    context.set_term_buffer_length(TESTING_TERM_LENGTH)?;
    context.set_ipc_term_buffer_length(TESTING_TERM_LENGTH)?;
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
