//! The in-process media driver under the published rusteron's names: `launch`-style
//! constructors and the driver directory as a string.
//!
//! The published project ships the driver as the `rusteron-media-driver` crate; here it is part
//! of this crate ([`EmbeddedMediaDriver`], built and linked with it), and this module gathers
//! it under that crate's names: `rusteron_media_driver::testing::EmbeddedDriver::launch()`
//! becomes `rusteron_client::media_driver::testing::EmbeddedDriver::launch()` (or
//! [`media_driver::launch()`](launch)).
//!
//! ```
//! use rusteron_client::media_driver::{self, EmbeddedDriver};
//! use rusteron_client::*;
//! use std::time::Duration;
//!
//! let driver: EmbeddedDriver = media_driver::launch_with(|context| {
//!     context.set_term_buffer_sparse_file(true)?;
//!     Ok(())
//! })?;
//! let context = AeronContext::new()?;
//! context.set_dir(&driver.dir_str().into_c_string())?; // the directory as a &str
//! let aeron = Aeron::connect(&context)?;
//! let publication = aeron.add_publication(c"aeron:ipc", 41, Duration::from_secs(5))?;
//! assert!(publication.offer(b"nobody listens").unwrap_err().is_retryable());
//! let dir = driver.dir().to_path_buf();
//! drop((publication, aeron, context));
//! drop(driver); // stops the driver and deletes its directory
//! assert!(!dir.exists());
//! # Ok::<(), AeronCError>(())
//! ```

use crate::error::AeronCError;
pub use crate::{AeronDriverContext, AeronThreadingMode, EmbeddedMediaDriver, SteppedMediaDriver};

/// The published rusteron's name of [`EmbeddedMediaDriver`].
pub type EmbeddedDriver = EmbeddedMediaDriver;

/// Starts an in-process driver on a fresh directory with the settings of
/// [`testing::embedded_driver_context`](crate::testing::embedded_driver_context): a new
/// directory in `/dev/shm` (the temporary directory where there is none), deleted when the
/// driver is dropped; one shared thread with the `backoff` idle strategy; 4 MiB terms
/// ([`TESTING_TERM_LENGTH`](crate::testing::TESTING_TERM_LENGTH); Aeron's own defaults are
/// 16 MiB network and 64 MiB IPC terms). Same as [`EmbeddedMediaDriver::launch`].
pub fn launch() -> Result<EmbeddedMediaDriver, AeronCError> {
    EmbeddedMediaDriver::launch()
}

/// [`launch`] with `configure` applied to the driver context first (larger terms, another
/// threading mode, ...); an error it returns is returned without starting anything. Same as
/// [`EmbeddedMediaDriver::launch_with`].
pub fn launch_with(
    configure: impl FnOnce(&AeronDriverContext) -> Result<(), AeronCError>,
) -> Result<EmbeddedMediaDriver, AeronCError> {
    EmbeddedMediaDriver::launch_with(configure)
}

impl EmbeddedMediaDriver {
    /// Starts a driver as [`media_driver::launch`](launch) describes.
    pub fn launch() -> Result<Self, AeronCError> {
        Self::launch_with(|_| Ok(()))
    }

    /// Starts a driver as [`media_driver::launch_with`](launch_with) describes.
    pub fn launch_with(
        configure: impl FnOnce(&AeronDriverContext) -> Result<(), AeronCError>,
    ) -> Result<Self, AeronCError> {
        let context = crate::testing::embedded_driver_context()?;
        configure(&context)?;
        Self::start(context)
    }

    /// The driver's Aeron directory as a string (what a client context's `set_dir` or
    /// `AERON_DIR` takes).
    pub fn dir_str(&self) -> &str {
        // The path was made from the context's directory, a `String`, so it is valid UTF-8.
        self.dir().to_str().unwrap_or_default()
    }
}

/// The published `rusteron_media_driver::testing` names.
pub mod testing {
    pub use super::EmbeddedDriver;
    pub use crate::testing::{find_unused_udp_port, is_udp_port_available};
}
