//! What the client examples share: a media driver (an embedded one by default, an external one
//! when an Aeron directory is given) and argument parsing.
#![allow(dead_code)]

use rusteron_client::testing::embedded_driver_context;
use rusteron_client::*;
use std::time::Duration;

/// The driver an example talks to.
pub enum Driver {
    /// A driver inside this process, on a fresh directory, removed at the end.
    Embedded(EmbeddedMediaDriver),
    /// A driver someone else runs (`aeronmd`, a Java driver) on this Aeron directory.
    External(String),
}

impl Driver {
    /// An external driver on `dir` when given (and not empty), else an embedded one with small
    /// terms (`term_length` bytes).
    pub fn new(dir: Option<String>, term_length: usize) -> Result<Self, AeronCError> {
        match dir.filter(|d| !d.is_empty()) {
            Some(dir) => {
                if !is_driver_active(&dir.as_str().into_c_string(), Duration::from_secs(5)) {
                    return Err(AeronCError::with_message(
                        libc::ENOENT,
                        format!("no active media driver in {dir} (start aeronmd with AERON_DIR={dir}, or give no directory)"),
                    ));
                }
                Ok(Driver::External(dir))
            }
            None => {
                let context = embedded_driver_context()?;
                context.set_term_buffer_length(term_length)?;
                context.set_ipc_term_buffer_length(term_length)?;
                Ok(Driver::Embedded(EmbeddedMediaDriver::start(context)?))
            }
        }
    }

    /// The driver's Aeron directory.
    pub fn dir(&self) -> String {
        match self {
            Driver::Embedded(d) => d.dir().to_string_lossy().into_owned(),
            Driver::External(dir) => dir.clone(),
        }
    }

    /// A started client of this driver.
    pub fn connect(&self) -> Result<Aeron, AeronCError> {
        let ctx = AeronContext::new()?;
        ctx.set_dir(&self.dir().into_c_string())?;
        Aeron::connect(&ctx)
    }

    /// "embedded driver in <dir>" or "external driver in <dir>".
    pub fn describe(&self) -> String {
        match self {
            Driver::Embedded(_) => format!("embedded media driver in {}", self.dir()),
            Driver::External(dir) => format!("external media driver in {dir}"),
        }
    }
}

/// Warnings and errors of the crates on stderr by default; more with RUST_LOG.
pub fn init_logging() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
}

/// The `i`th positional argument parsed as `T`, or `default`.
pub fn arg<T: std::str::FromStr>(i: usize, default: T) -> T {
    std::env::args().nth(i).filter(|a| !a.is_empty()).and_then(|a| a.parse().ok()).unwrap_or(default)
}

/// The `i`th positional argument as a string, if given and not empty.
pub fn arg_str(i: usize) -> Option<String> {
    std::env::args().nth(i).filter(|a| !a.is_empty())
}

/// Percentile `p` (0..=100) of sorted values.
pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Waits until `cond` holds or `timeout` passes.
pub fn wait_for(what: &str, timeout: Duration, cond: impl FnMut() -> bool) -> Result<(), AeronCError> {
    if rusteron_client::testing::wait_until(timeout, cond) {
        Ok(())
    } else {
        Err(AeronCError::with_message(libc::ETIMEDOUT, format!("timed out after {timeout:?} waiting for {what}")))
    }
}
