//! Test helpers: a real C media driver (`aeronmd`, built by `rusteron-archive-sys`) on a fresh
//! Aeron directory, and free UDP ports.
//!
//! # Which `aeronmd` runs
//!
//! [`MediaDriverProcess`] starts the binary that [`aeronmd_path`] finds at run time:
//!
//! 1. `RUSTERON_AERONMD` ([`AERONMD_ENV`]), when set (and not empty): the path of an `aeronmd`
//!    binary. If that file does not exist, starting fails with an error naming the variable and
//!    the path; there is no silent fallback.
//! 2. Otherwise the `aeronmd` that `rusteron-archive-sys` built alongside the libraries
//!    ([`AERONMD_PATH`](crate::bindings::AERONMD_PATH), an absolute path on the machine that
//!    compiled it). A test binary copied to another machine does not find it there; the error then
//!    names that path and says to set `RUSTERON_AERONMD=/path/to/aeronmd`.
//!
//! These helpers work the same from a crate that depends on `rusteron-client` (or
//! `rusteron-archive`, which re-exports them) as inside this repository.

use crate::bindings;
use crate::error::AeronCError;
use crate::strings::IntoCString;
use crate::{Aeron, AeronContext};
use std::ffi::OsString;
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

mod embedded_driver;
pub use embedded_driver::*;

/// True when nothing is bound to `port` on 127.0.0.1 (UDP).
pub fn is_udp_port_available(port: u16) -> bool {
    UdpSocket::bind(("127.0.0.1", port)).is_ok()
}

/// A UDP port on 127.0.0.1 that nothing is bound to right now. Ports are handed out from a
/// per-process cursor, so parallel tests in one process never get the same one.
pub fn find_unused_udp_port(start_port: u16) -> Option<u16> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    // Spread processes apart so parallel test binaries rarely probe the same ports.
    let base = start_port as u64 + (std::process::id() as u64 % 200) * 50;
    for _ in 0..20_000 {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = base + n % 20_000;
        if port > u16::MAX as u64 {
            continue;
        }
        let port = port as u16;
        if is_udp_port_available(port) {
            return Some(port);
        }
    }
    None
}

/// A fresh directory under the system temp folder, unique to this process and call.
pub fn unique_dir(prefix: &str) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    // /dev/shm keeps the Aeron files in memory, as Aeron does by default on Linux.
    let root = if Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
    root.join(format!("{prefix}-{}-{}-{nanos}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)))
}

/// Waits until `cond` is true or `timeout` passes; returns whether it became true.
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = crate::__private::deadline_after(timeout);
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The environment variable that names the `aeronmd` binary the testing helpers start
/// (`RUSTERON_AERONMD`); see [`aeronmd_path`].
pub const AERONMD_ENV: &str = "RUSTERON_AERONMD";

/// The `aeronmd` binary to start: `RUSTERON_AERONMD` when set, else the build's own
/// ([`AERONMD_PATH`](crate::bindings::AERONMD_PATH)). Read at run time, so a test binary or a
/// dependent crate can point it elsewhere without rebuilding.
///
/// # Errors
/// When `RUSTERON_AERONMD` is set to a path that is not an existing file, or when it is unset and
/// the build's copy does not exist (a binary moved to another machine); the message names the
/// variable and the path(s) looked at.
pub fn aeronmd_path() -> Result<PathBuf, AeronCError> {
    aeronmd_path_from(std::env::var_os(AERONMD_ENV), Path::new(bindings::AERONMD_PATH))
}

/// The lookup of [`aeronmd_path`] with its inputs given: `env_value` is the value of
/// `RUSTERON_AERONMD` (`None` when unset; an empty value counts as unset) and `built` the build's
/// own `aeronmd`. It reads nothing from the environment, so tests can try every case without
/// changing the process environment.
pub fn aeronmd_path_from(env_value: Option<OsString>, built: &Path) -> Result<PathBuf, AeronCError> {
    if let Some(value) = env_value.filter(|v| !v.is_empty()) {
        let p = PathBuf::from(value);
        return if p.is_file() {
            Ok(p)
        } else {
            let what = if p.exists() { "is not a file" } else { "does not exist" };
            Err(AeronCError::with_message(
                -1,
                format!(
                    "{AERONMD_ENV}={} {what}: point {AERONMD_ENV} at an aeronmd binary, or unset it to use the \
                     one this crate was built with ({})",
                    p.display(),
                    built.display()
                ),
            ))
        };
    }
    if built.is_file() {
        return Ok(built.to_path_buf());
    }
    Err(AeronCError::with_message(
        -1,
        format!(
            "aeronmd not found: {AERONMD_ENV} is not set and the aeronmd built with rusteron-archive-sys ({}) does \
             not exist (was this binary built on another machine?); set {AERONMD_ENV}=/path/to/aeronmd",
            built.display()
        ),
    ))
}

/// The C media driver built from the same Aeron sources, running as a child process on its own
/// Aeron directory. Stopped (killed) and its directory removed on drop, including when a test
/// panics; if the test process dies, the kernel kills the driver too (parent-death signal).
pub struct MediaDriverProcess {
    child: Child,
    dir: PathBuf,
}

impl MediaDriverProcess {
    /// Starts `aeronmd` (the one [`aeronmd_path`] finds: `RUSTERON_AERONMD`, else the build's)
    /// with a shared-threading, low-footprint configuration and waits (up to 10 s) until its CnC
    /// file is ready.
    pub fn start() -> Result<Self, AeronCError> {
        Self::start_with_env(&[])
    }

    /// Like [`start`](Self::start), with extra `AERON_*` environment settings for the driver.
    ///
    /// An `AERON_DIR` among them is the directory the driver runs in and [`dir`](Self::dir)
    /// reports. The driver deletes and recreates its directory at start
    /// (`AERON_DIR_DELETE_ON_START`), so a directory where a live driver heartbeats is refused at
    /// once (`EBUSY`), nothing started or touched; on drop the directory the driver ran in is
    /// removed.
    pub fn start_with_env(env: &[(&str, &str)]) -> Result<Self, AeronCError> {
        let aeronmd = aeronmd_path()?;
        let dir = match env.iter().rev().find(|(k, _)| *k == "AERON_DIR") {
            Some((_, d)) => {
                let c = d.into_c_string_for("MediaDriverProcess::start_with_env: AERON_DIR")?;
                if crate::is_driver_active(&c, Duration::from_secs(10)) {
                    return Err(AeronCError::with_message(
                        libc::EBUSY,
                        format!("MediaDriverProcess::start_with_env: AERON_DIR {d} belongs to a media driver that is running; nothing was started or touched"),
                    ));
                }
                PathBuf::from(d)
            }
            None => unique_dir("rusteron-md"),
        };
        let mut cmd = Command::new(&aeronmd);
        cmd.env("AERON_DIR", &dir)
            .env("AERON_THREADING_MODE", "SHARED")
            .env("AERON_DIR_DELETE_ON_START", "1")
            .env("AERON_DIR_DELETE_ON_SHUTDOWN", "1")
            .env("AERON_TERM_BUFFER_LENGTH", "65536")
            .env("AERON_IPC_TERM_BUFFER_LENGTH", "65536")
            .env("AERON_SHARED_IDLE_STRATEGY", "backoff")
            .stdout(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        #[cfg(target_os = "linux")]
        unsafe {
            use std::os::unix::process::CommandExt;
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .map_err(|e| AeronCError::with_message(-1, format!("cannot start {}: {e}", aeronmd.display())))?;
        let mut md = MediaDriverProcess { child, dir };
        let cnc = md.dir.join("cnc.dat");
        let ready = wait_until(Duration::from_secs(10), || {
            std::fs::metadata(&cnc).map(|m| m.len() > 0).unwrap_or(false)
                || md.child.try_wait().ok().flatten().is_some()
        });
        if let Ok(Some(status)) = md.child.try_wait() {
            return Err(AeronCError::with_message(-1, format!("{} exited at start: {status}", aeronmd.display())));
        }
        if !ready {
            return Err(AeronCError::with_message(-1, "aeronmd did not create its CnC file within 10s"));
        }
        Ok(md)
    }

    /// The driver's Aeron directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The Aeron directory as a string (for `AeronContext::set_dir`).
    pub fn dir_str(&self) -> &str {
        self.dir.to_str().unwrap_or("")
    }

    /// A context pointing at this driver.
    pub fn context(&self) -> Result<AeronContext, AeronCError> {
        let ctx = AeronContext::new()?;
        ctx.set_dir(&self.dir_str().into_c_string_for("MediaDriverProcess::context: the driver directory")?)?;
        ctx.set_driver_timeout_ms(10_000)?;
        Ok(ctx)
    }

    /// A started client of this driver.
    pub fn connect(&self) -> Result<Aeron, AeronCError> {
        Aeron::connect(&self.context()?)
    }

    /// The driver's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// True while the driver process runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Kills the driver now (to test what clients see when it dies).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for MediaDriverProcess {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl std::fmt::Debug for MediaDriverProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaDriverProcess").field("pid", &self.child.id()).field("dir", &self.dir).finish()
    }
}
