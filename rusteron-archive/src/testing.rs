//! Test helpers: a real Java Aeron Archive (`io.aeron.archive.ArchivingMediaDriver`, which
//! embeds a Java media driver) on its own temporary directories and free UDP ports, plus the
//! client crate's helpers (`MediaDriverProcess`, `wait_until`, `find_unused_udp_port`, ...).
//!
//! # What the archive needs at run time, and where it is found
//!
//! [`EmbeddedArchiveMediaDriverProcess`] runs `java` with the `io.aeron:aeron-all` jar. Both are
//! looked up when it starts, so the helpers work from a crate that depends on `rusteron-archive`:
//!
//! - **the jar** ([`find_aeron_all_jar`]): `RUSTERON_AERON_ALL_JAR` ([`AERON_ALL_JAR_ENV`]) when
//!   set (an error naming it if that file does not exist); else `aeron-all-<version>.jar` in
//!   `$RUSTERON_CACHE_DIR/jars`, in this repository's `.cache/jars`, then in the local Maven
//!   repository (`~/.m2/repository/io/aeron/aeron-all/<version>/`). `<version>` is
//!   `AERON_ALL_VERSION` of `rusteron-archive-sys`'s `versions.env`. When none exists the error
//!   gives the command that fetches it into `~/.m2`:
//!   `mvn -q dependency:get -Dtransitive=false -Dartifact=io.aeron:aeron-all:<version>`.
//! - **`java`** ([`find_java`], Java 17 or newer): `$JAVA_HOME/bin/java`, else `java` on the
//!   `PATH`. When neither exists the error says to install a runtime (Debian/Ubuntu:
//!   `openjdk-17-jre-headless`) or to set `JAVA_HOME`.
//!
//! Inside the rusteron repository `just setup` installs Java and fetches the jar.
//! The C media driver that [`MediaDriverProcess`] starts is found the same way, through
//! `RUSTERON_AERONMD` (see [`aeronmd_path`]).

pub use rusteron_client::testing::*;

use crate::{Aeron, AeronArchive, AeronArchiveContext, AeronCError, AeronContext, IntoCString};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long [`EmbeddedArchiveMediaDriverProcess::start`] (and
/// [`restart`](EmbeddedArchiveMediaDriverProcess::restart)) waits for the archive to answer.
pub const ARCHIVE_START_TIMEOUT: Duration = Duration::from_secs(60);

/// The Java archive's setting that checksums every recorded fragment
/// (`aeron.archive.record.checksum`, the class name of an `io.aeron.archive.checksum.Checksum`),
/// for [`EmbeddedArchiveMediaDriverProcess::start_with`]. With it, the archive stores a CRC-32 of
/// each recorded frame's payload in the frame's session id field.
///
/// What it changes in a recovery after a crash (measured in `tests/it/fault_matrix.rs`, aeron-all
/// 1.51): the archive checks only the last frame of an active recording, and only when that frame
/// straddles a 4 KiB page boundary; the frame counts as recorded when its CRC matches *or* every
/// page after the boundary holds a non-zero byte, and otherwise the archive refuses to start
/// ("potentially incomplete last fragment straddling page boundary ... Run `ArchiveTool
/// verify`"). So the checksum spares a complete frame whose tail is genuinely zeros (refused
/// without it), but a torn frame whose missing pages hold stale non-zero bytes is counted as
/// recorded either way. Frames that never straddle a page (e.g. 64-byte frames) are never
/// checked. Trust only positions the recording counter (or `get_recording_position`) reported
/// before the crash, and replay up to them.
pub const RECORD_CHECKSUM_PROP: &str = "aeron.archive.record.checksum";
/// The Java archive's setting that checks the checksum of every replayed fragment
/// (`aeron.archive.replay.checksum`). A replay that meets a frame whose CRC does not match
/// delivers nothing from the block of frames it read with it (measured: a replay from 0 of 40
/// frames of 6 KiB, the last one torn, delivered none): bound replays by an acknowledged
/// position.
pub const REPLAY_CHECKSUM_PROP: &str = "aeron.archive.replay.checksum";
/// The CRC-32 checksum class of the Java archive, a value for [`RECORD_CHECKSUM_PROP`] and
/// [`REPLAY_CHECKSUM_PROP`].
pub const CRC32_CHECKSUM: &str = "io.aeron.archive.checksum.Crc32";
/// The name of the Java archive's mark file (in its archive directory): a live-looking one makes
/// a new archive on the same directory refuse to start. See
/// [`EmbeddedArchiveMediaDriverProcess::restart`].
pub const ARCHIVE_MARK_FILE: &str = "archive-mark.dat";

/// The environment variable that names the `aeron-all` jar the archive runs from
/// (`RUSTERON_AERON_ALL_JAR`); see [`find_aeron_all_jar`].
pub const AERON_ALL_JAR_ENV: &str = "RUSTERON_AERON_ALL_JAR";

/// What `just setup` does, for messages: only an option inside the rusteron repository.
const IN_REPO_HINT: &str = "inside the rusteron repository, `just setup` does this for you";

fn error(msg: impl Into<String>) -> AeronCError {
    AeronCError::with_message(-1, msg.into())
}

/// A non-empty value of `name` from `env`.
fn lookup(env: &impl Fn(&str) -> Option<OsString>, name: &str) -> Option<OsString> {
    env(name).filter(|v| !v.is_empty())
}

/// The `AERON_ALL_VERSION` pinned in `versions.env`.
pub fn aeron_all_version() -> Option<String> {
    aeron_all_version_in(Path::new(crate::bindings::VERSIONS_FILE))
}

/// The `AERON_ALL_VERSION` line of a `versions.env` file.
fn aeron_all_version_in(versions_file: &Path) -> Option<String> {
    let text = std::fs::read_to_string(versions_file).ok()?;
    text.lines().filter_map(|l| l.trim().strip_prefix("AERON_ALL_VERSION=")).map(|v| v.trim().to_string()).next()
}

/// The Maven command that downloads `io.aeron:aeron-all:<version>` into `~/.m2`.
pub fn aeron_all_fetch_command(version: &str) -> String {
    format!("mvn -q dependency:get -Dtransitive=false -Dartifact=io.aeron:aeron-all:{version}")
}

/// Where the `aeron-all` jar is: `RUSTERON_AERON_ALL_JAR`, else `$RUSTERON_CACHE_DIR/jars/`, else
/// `<workspace>/.cache/jars/`, else the local Maven repository (see the [module docs](self)).
///
/// # Errors
/// When `RUSTERON_AERON_ALL_JAR` names a missing file, or no candidate exists; the message says
/// how to fetch the jar and how to point `RUSTERON_AERON_ALL_JAR` at it.
pub fn find_aeron_all_jar() -> Result<PathBuf, AeronCError> {
    find_aeron_all_jar_from(|name| std::env::var_os(name), Path::new(crate::bindings::VERSIONS_FILE))
}

/// The lookup of [`find_aeron_all_jar`] with its inputs given: `env` answers for
/// `RUSTERON_AERON_ALL_JAR`, `RUSTERON_CACHE_DIR` and `HOME` (an empty value counts as unset),
/// `versions_file` is the `versions.env` that pins the version (its folder's parent is taken as
/// the workspace holding `.cache/jars`). Reads no environment variable itself, so tests can try
/// every case without changing the process environment.
pub fn find_aeron_all_jar_from(
    env: impl Fn(&str) -> Option<OsString>,
    versions_file: &Path,
) -> Result<PathBuf, AeronCError> {
    if let Some(value) = lookup(&env, AERON_ALL_JAR_ENV) {
        let p = PathBuf::from(value);
        if p.is_file() {
            return Ok(p);
        }
        let what = if p.exists() { "is not a file" } else { "does not exist" };
        return Err(error(format!(
            "{AERON_ALL_JAR_ENV}={} {what}: point it at the io.aeron:aeron-all jar, or unset it to look in the \
             usual places",
            p.display()
        )));
    }
    let version = aeron_all_version_in(versions_file).ok_or_else(|| {
        error(format!(
            "cannot read AERON_ALL_VERSION from {}: set {AERON_ALL_JAR_ENV}=/path/to/aeron-all-<version>.jar",
            versions_file.display()
        ))
    })?;
    let name = format!("aeron-all-{version}.jar");
    let mut tried = Vec::new();
    if let Some(cache) = lookup(&env, "RUSTERON_CACHE_DIR") {
        tried.push(PathBuf::from(cache).join("jars").join(&name));
    }
    if let Some(workspace) = versions_file.parent().and_then(|p| p.parent()) {
        tried.push(workspace.join(".cache/jars").join(&name));
    }
    if let Some(home) = lookup(&env, "HOME") {
        tried.push(PathBuf::from(home).join(".m2/repository/io/aeron/aeron-all").join(&version).join(&name));
    }
    if let Some(found) = tried.iter().find(|p| p.is_file()) {
        return Ok(found.clone());
    }
    Err(error(format!(
        "the Aeron archive jar {name} was not found (looked in: {}); fetch it into ~/.m2 with `{}`, or set \
         {AERON_ALL_JAR_ENV}=/path/to/{name}; {IN_REPO_HINT}",
        tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
        aeron_all_fetch_command(&version)
    )))
}

/// The `java` executable: `$JAVA_HOME/bin/java`, else `java` on the `PATH`.
///
/// # Errors
/// When neither exists; the message names `JAVA_HOME` and the package to install.
pub fn find_java() -> Result<PathBuf, AeronCError> {
    find_java_from(|name| std::env::var_os(name))
}

/// The lookup of [`find_java`] with its inputs given: `env` answers for `JAVA_HOME` and `PATH`
/// (an empty value counts as unset). Reads no environment variable itself.
pub fn find_java_from(env: impl Fn(&str) -> Option<OsString>) -> Result<PathBuf, AeronCError> {
    let java_home = lookup(&env, "JAVA_HOME").map(PathBuf::from);
    if let Some(home) = &java_home {
        let p = home.join("bin/java");
        if p.is_file() {
            return Ok(p);
        }
    }
    if let Some(path) = lookup(&env, "PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join("java");
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    let home_note = match &java_home {
        Some(home) => format!("JAVA_HOME={} has no bin/java", home.display()),
        None => "JAVA_HOME is not set".to_string(),
    };
    Err(error(format!(
        "`java` was not found ({home_note}, and there is no `java` on PATH): install a Java 17+ runtime (Debian/Ubuntu: \
         `apt-get install openjdk-17-jre-headless`) and put it on PATH or set JAVA_HOME to its folder; {IN_REPO_HINT}"
    )))
}

/// Spawns children from the one process-lifetime thread of
/// [`spawn_from_process_thread`](rusteron_client::testing::spawn_from_process_thread): the
/// parent-death signal fires when the spawning thread exits, and a JVM here is shared between
/// tests whose threads end.
fn spawn(cmd: Command) -> std::io::Result<Child> {
    rusteron_client::testing::spawn_from_process_thread(cmd)
}

/// A Java Aeron Archive with its embedded Java media driver, running as a child process on its
/// own directories (Aeron directory under `/dev/shm`) and free UDP ports, with a unique archive
/// id. Killed, and its directories removed, on drop (also when a test panics); if the test
/// process dies, the kernel kills the JVM too (parent-death signal). Dropped while a test
/// panics, it logs the JVM's last output lines at `error` level (through the `log` crate, target
/// `rusteron_archive::testing`) before removing them.
pub struct EmbeddedArchiveMediaDriverProcess {
    child: Child,
    java: PathBuf,
    jar: PathBuf,
    /// The Java system properties it runs with (defaults, then the caller's overrides).
    props: Vec<(String, String)>,
    /// How many JVMs were started on these directories (1 after `start`).
    starts: u32,
    root: PathBuf,
    aeron_dir: String,
    archive_dir: String,
    control_request_channel: String,
    control_response_channel: String,
    recording_events_channel: String,
    replication_channel: String,
    archive_id: i64,
    log: PathBuf,
    /// True when `aeron.archive.dir` was given and did not exist before the start: the helper
    /// created it, so drop removes it.
    removes_archive_dir: bool,
}

impl std::fmt::Debug for EmbeddedArchiveMediaDriverProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedArchiveMediaDriverProcess")
            .field("pid", &self.child.id())
            .field("aeron_dir", &self.aeron_dir)
            .field("control_request_channel", &self.control_request_channel)
            .field("archive_id", &self.archive_id)
            .finish()
    }
}

fn unique_archive_id() -> i64 {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
    (((std::process::id() as u64) << 24) ^ (nanos & 0xff_ffff) ^ (N.fetch_add(1, Ordering::Relaxed) << 40)) as i64
        & i64::MAX
}

fn free_port() -> Result<u16, AeronCError> {
    find_unused_udp_port(20_000).ok_or_else(|| AeronCError::with_message(-1, "no free UDP port"))
}

/// Starts the archive JVM with `props`, its output appended to `log`.
fn spawn_jvm(java: &Path, jar: &Path, props: &[(String, String)], log: &Path) -> Result<Child, AeronCError> {
    let log_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| AeronCError::with_message(-1, format!("cannot create log: {e}")))?;
    let log_err = log_file.try_clone().map_err(|e| AeronCError::with_message(-1, format!("cannot create log: {e}")))?;
    let mut cmd = Command::new(java);
    cmd.arg("--add-opens")
        .arg("java.base/jdk.internal.misc=ALL-UNNAMED")
        .arg("--add-opens")
        .arg("java.base/sun.nio.ch=ALL-UNNAMED")
        // Agrona's Crc32 (RECORD_CHECKSUM_PROP = CRC32_CHECKSUM) calls into java.util.zip.CRC32.
        .arg("--add-opens")
        .arg("java.base/java.util.zip=ALL-UNNAMED")
        .arg("-XX:+UseSerialGC")
        .arg("-Xms128m")
        .arg("-Xmx512m");
    for (k, v) in props {
        cmd.arg(format!("-D{k}={v}"));
    }
    cmd.arg("-cp").arg(jar).arg("io.aeron.archive.ArchivingMediaDriver");
    cmd.stdin(Stdio::null()).stdout(Stdio::from(log_file)).stderr(Stdio::from(log_err));
    #[cfg(target_os = "linux")]
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    spawn(cmd).map_err(|e| error(format!("cannot start {}: {e}", java.display())))
}

impl EmbeddedArchiveMediaDriverProcess {
    /// Starts an archive with small, fast settings (1 MiB terms, 16 MiB segments, shared
    /// threading) and waits until it answers a connect, up to [`ARCHIVE_START_TIMEOUT`].
    pub fn start() -> Result<Self, AeronCError> {
        Self::start_with(&[])
    }

    /// Like [`start`](Self::start) with extra Java system properties (`("aeron.x", "v")`),
    /// which override the defaults; e.g. `(RECORD_CHECKSUM_PROP, CRC32_CHECKSUM)` for a recovery
    /// test. [`settings`](Self::settings) lists what the archive runs with, and every accessor
    /// ([`aeron_dir`](Self::aeron_dir), [`archive_dir`](Self::archive_dir), the channels,
    /// [`archive_id`](Self::archive_id)) reports the overridden value, which the helper also
    /// waits on.
    ///
    /// # Files
    /// The JVM's media driver deletes and recreates its Aeron directory at start
    /// (`aeron.dir.delete.on.start`), so an `aeron.dir` where a live media driver heartbeats is
    /// refused at once (`EBUSY`), nothing started or touched. On drop the helper removes its own
    /// root folder and the Aeron directory its driver ran in; an overridden `aeron.archive.dir`
    /// that existed before the start is the caller's and is kept (one the helper created is
    /// removed).
    ///
    /// [`builder`](Self::builder) sets the same properties by name, and
    /// [`start_on`](Self::start_on) takes the directories and channels as arguments.
    pub fn start_with(extra_props: &[(&str, &str)]) -> Result<Self, AeronCError> {
        Self::start_configured(extra_props, None)
    }

    /// [`start_with`](Self::start_with), with the control response channel clients get from
    /// [`archive_context`](Self::archive_context) (`None`: `aeron:udp?endpoint=localhost:0`).
    fn start_configured(
        extra_props: &[(&str, &str)],
        control_response_channel: Option<String>,
    ) -> Result<Self, AeronCError> {
        let java = find_java()?;
        let jar = find_aeron_all_jar()?;
        let root = unique_dir("rusteron-archive");
        let aeron_dir = root.join("aeron").to_string_lossy().into_owned();
        let archive_dir = root.join("archive").to_string_lossy().into_owned();
        std::fs::create_dir_all(&root)
            .map_err(|e| AeronCError::with_message(-1, format!("cannot create {}: {e}", root.display())))?;
        let control_port = free_port()?;
        let events_port = free_port()?;
        let control_request_channel = format!("aeron:udp?endpoint=localhost:{control_port}");
        let recording_events_channel = format!("aeron:udp?control-mode=dynamic|control=localhost:{events_port}");
        let replication_channel = "aeron:udp?endpoint=localhost:0".to_string();
        let archive_id = unique_archive_id();

        let mut props: Vec<(String, String)> = vec![
            ("aeron.dir".into(), aeron_dir.clone()),
            ("aeron.archive.dir".into(), archive_dir.clone()),
            ("aeron.archive.control.channel".into(), control_request_channel.clone()),
            ("aeron.archive.replication.channel".into(), replication_channel.clone()),
            ("aeron.archive.recording.events.enabled".into(), "true".into()),
            ("aeron.archive.recording.events.channel".into(), recording_events_channel.clone()),
            ("aeron.archive.id".into(), archive_id.to_string()),
            ("aeron.dir.delete.on.start".into(), "true".into()),
            ("aeron.dir.delete.on.shutdown".into(), "true".into()),
            ("aeron.threading.mode".into(), "SHARED".into()),
            ("aeron.archive.threading.mode".into(), "SHARED".into()),
            ("aeron.shared.idle.strategy".into(), "backoff".into()),
            ("aeron.archive.idle.strategy".into(), "backoff".into()),
            ("aeron.term.buffer.length".into(), (1024 * 1024).to_string()),
            ("aeron.ipc.term.buffer.length".into(), (1024 * 1024).to_string()),
            ("aeron.archive.segment.file.length".into(), (16 * 1024 * 1024).to_string()),
            ("aeron.spies.simulate.connection".into(), "true".into()),
            ("aeron.print.configuration".into(), "false".into()),
            ("aeron.driver.timeout".into(), "20000".into()),
            ("aeron.client.liveness.timeout".into(), "20000000000".into()),
            ("aeron.publication.unblock.timeout".into(), "30000000000".into()),
        ];
        for (k, v) in extra_props {
            props.retain(|(pk, _)| pk != k);
            props.push((k.to_string(), v.to_string()));
        }
        // What the JVM runs with is what the accessors report and what the helper waits on.
        let setting = |name: &str| props.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        let aeron_dir = setting("aeron.dir");
        let archive_dir = setting("aeron.archive.dir");
        let control_request_channel = setting("aeron.archive.control.channel");
        let recording_events_channel = setting("aeron.archive.recording.events.channel");
        let replication_channel = setting("aeron.archive.replication.channel");
        let archive_id = setting("aeron.archive.id").parse::<i64>().map_err(|e| {
            let _ = std::fs::remove_dir_all(&root);
            error(format!(
                "start_with: aeron.archive.id must be a 64-bit integer, not {:?}: {e}",
                setting("aeron.archive.id")
            ))
        })?;
        // The JVM's driver deletes its Aeron directory at start (aeron.dir.delete.on.start):
        // never point it at a directory a live driver (of any process) heartbeats in.
        let aeron_dir_c = aeron_dir.as_str().into_c_string_for("start_with: aeron.dir")?;
        if rusteron_client::is_driver_active(&aeron_dir_c, Duration::from_secs(10)) {
            let _ = std::fs::remove_dir_all(&root);
            return Err(AeronCError::with_message(
                libc::EBUSY,
                format!("start_with: aeron.dir {aeron_dir} belongs to a media driver that is running; nothing was started or touched"),
            ));
        }

        // An archive directory the helper creates is the helper's to remove on drop; one that
        // exists already is the caller's and is kept.
        let removes_archive_dir = !Path::new(&archive_dir).starts_with(&root) && !Path::new(&archive_dir).exists();
        let log = root.join("archive.log");
        let child = spawn_jvm(&java, &jar, &props, &log)?;
        let mut process = EmbeddedArchiveMediaDriverProcess {
            child,
            java,
            jar,
            props,
            starts: 1,
            root,
            aeron_dir,
            archive_dir,
            control_request_channel,
            control_response_channel: control_response_channel
                .unwrap_or_else(|| "aeron:udp?endpoint=localhost:0".to_string()),
            recording_events_channel,
            replication_channel,
            archive_id,
            log,
            removes_archive_dir,
        };
        register_started(process.child.id(), process.owned_dirs());
        process.wait_until_ready(ARCHIVE_START_TIMEOUT)?;
        Ok(process)
    }

    fn exited_error(&mut self, what: &str) -> Option<AeronCError> {
        if let Ok(Some(status)) = self.try_reap() {
            return Some(AeronCError::with_message(
                -1,
                format!("{what}: the archive JVM exited ({status}); log:\n{}", self.log_tail()),
            ));
        }
        None
    }

    /// The last lines the JVM printed.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    fn wait_until_ready(&mut self, timeout: Duration) -> Result<(), AeronCError> {
        let deadline = rusteron_client::__private::deadline_after(timeout);
        let cnc = Path::new(&self.aeron_dir).join("cnc.dat");
        // The media driver first: its CnC file.
        while !std::fs::metadata(&cnc).map(|m| m.len() > 0).unwrap_or(false) {
            if let Some(e) = self.exited_error("archive start") {
                return Err(e);
            }
            if Instant::now() >= deadline {
                return Err(AeronCError::with_message(
                    -1,
                    format!("the archive's media driver did not start within {timeout:?}; log:\n{}", self.log_tail()),
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // Then the archive: a connect that succeeds.
        let mut last = None;
        while Instant::now() < deadline {
            if let Some(e) = self.exited_error("archive start") {
                return Err(e);
            }
            match self.connect_with_timeout(Duration::from_secs(5)) {
                Ok(_) => return Ok(()),
                Err(e) => last = Some(e),
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(AeronCError::with_message(
            -1,
            format!("the archive did not answer within {timeout:?}: {:?}; log:\n{}", last, self.log_tail()),
        ))
    }

    /// The Aeron directory of the embedded media driver.
    pub fn aeron_dir(&self) -> &str {
        &self.aeron_dir
    }
    /// The archive's directory (recordings and catalog).
    pub fn archive_dir(&self) -> &str {
        &self.archive_dir
    }
    /// The archive's control request channel (`aeron:udp?endpoint=localhost:<port>`).
    pub fn control_request_channel(&self) -> &str {
        &self.control_request_channel
    }
    /// A control response channel for clients (`aeron:udp?endpoint=localhost:0`).
    pub fn control_response_channel(&self) -> &str {
        &self.control_response_channel
    }
    /// The archive's recording events channel.
    pub fn recording_events_channel(&self) -> &str {
        &self.recording_events_channel
    }
    /// The archive's replication channel.
    pub fn replication_channel(&self) -> &str {
        &self.replication_channel
    }
    /// The unique archive id it was started with.
    pub fn archive_id(&self) -> i64 {
        self.archive_id
    }
    /// The JVM's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
    /// True while the JVM runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.try_reap(), Ok(None))
    }

    /// `try_wait` of the JVM, under the lock of the list of started JVMs (which forgets it once
    /// reaped).
    fn try_reap(&mut self) -> std::io::Result<Option<std::process::ExitStatus>> {
        let mut started = started_jvms();
        let status = self.child.try_wait();
        if matches!(status, Ok(Some(_))) {
            started.retain(|p| p.pid != self.child.id());
        }
        status
    }

    /// The directories drop removes: its root folder, the Aeron directory when outside it, and an
    /// archive directory the helper created.
    fn owned_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = vec![self.root.clone()];
        if !Path::new(&self.aeron_dir).starts_with(&self.root) {
            dirs.push(PathBuf::from(&self.aeron_dir));
        }
        if self.removes_archive_dir {
            dirs.push(PathBuf::from(&self.archive_dir));
        }
        dirs
    }

    /// A client context on the embedded media driver's directory.
    pub fn aeron_context(&self) -> Result<AeronContext, AeronCError> {
        let ctx = AeronContext::new()?;
        ctx.set_dir(&self.aeron_dir.as_str().into_c_string_for("the archive's Aeron directory")?)?;
        ctx.set_driver_timeout_ms(20_000)?;
        Ok(ctx)
    }

    /// A started Aeron client on the embedded media driver.
    pub fn connect_aeron(&self) -> Result<Aeron, AeronCError> {
        Aeron::connect(&self.aeron_context()?)
    }

    /// An archive context for this archive, using `aeron`, with a 10 s message timeout.
    pub fn archive_context(&self, aeron: &Aeron) -> Result<AeronArchiveContext, AeronCError> {
        let ctx = AeronArchiveContext::new()?;
        ctx.set_aeron(aeron)?;
        ctx.set_control_request_channel(
            &self.control_request_channel.as_str().into_c_string_for("control request channel")?,
        )?;
        ctx.set_control_response_channel(
            &self.control_response_channel.as_str().into_c_string_for("control response channel")?,
        )?;
        ctx.set_recording_events_channel(
            &self.recording_events_channel.as_str().into_c_string_for("recording events channel")?,
        )?;
        ctx.set_message_timeout(Duration::from_secs(10))?;
        Ok(ctx)
    }

    /// A started Aeron client and an archive client connected to this archive.
    pub fn connect(&self) -> Result<(Aeron, AeronArchive), AeronCError> {
        self.connect_with_timeout(Duration::from_secs(10))
    }

    fn connect_with_timeout(&self, timeout: Duration) -> Result<(Aeron, AeronArchive), AeronCError> {
        let aeron = self.connect_aeron()?;
        let ctx = self.archive_context(&aeron)?;
        ctx.set_message_timeout(timeout)?;
        let archive = AeronArchive::connect(&ctx)?;
        Ok((aeron, archive))
    }

    /// Kills the JVM now with `SIGKILL` (no shutdown hook runs: what clients see when the archive
    /// crashes) and reaps it; the directories stay, so [`restart`](Self::restart) can bring the
    /// archive back on them. A no-op when it is not running.
    pub fn kill(&mut self) {
        // Reaped under the lock of the list of started JVMs, so `kill_all_java_processes` never
        // signals a process id that has been reaped (and could be reused).
        let mut started = started_jvms();
        let _ = self.child.kill();
        let _ = self.child.wait();
        started.retain(|p| p.pid != self.child.id());
    }

    /// Kills the archive if it still runs ([`kill`](Self::kill), `SIGKILL`), then starts a new
    /// JVM with the same settings on the same directories (archive directory with its catalog
    /// and segment files, Aeron directory, control channel and port, archive id), and waits until
    /// it answers a connect, up to [`ARCHIVE_START_TIMEOUT`]; a JVM that exits during the wait
    /// is reported at once with its log.
    ///
    /// What makes this fast: the Java archive refuses to start while its mark file
    /// ([`ARCHIVE_MARK_FILE`], in the archive directory) looks alive, i.e. was updated within
    /// `Archive.Configuration.LIVENESS_TIMEOUT_MS` (10 s in aeron-all 1.51, not settable); a
    /// killed JVM leaves it looking alive for those 10 s. The old JVM has been reaped here, so
    /// nothing can write that file any more: it is removed before the new JVM starts, which
    /// then starts at once. The dead embedded media driver's Aeron directory is removed too (a
    /// client would otherwise map its stale CnC file and wait out a driver timeout). The
    /// archive recovers the catalog itself (a recording that was active when it was killed gets
    /// its stop position from the recorded segment files).
    ///
    /// Clients of the old JVM were clients of its embedded media driver, which died with it:
    /// connect new ones ([`connect`](Self::connect)).
    pub fn restart(&mut self) -> Result<(), AeronCError> {
        self.kill();
        let mark = Path::new(&self.archive_dir).join(ARCHIVE_MARK_FILE);
        match std::fs::remove_file(&mark) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(error(format!("cannot remove the stale mark file {}: {e}", mark.display()))),
        }
        // The dead driver's CnC file would look like a driver that is about to time out: a client
        // mapping it waits out its whole driver timeout. The new driver recreates the directory.
        let _ = std::fs::remove_dir_all(&self.aeron_dir);
        self.child = spawn_jvm(&self.java, &self.jar, &self.props, &self.log)?;
        register_started(self.child.id(), self.owned_dirs());
        self.starts += 1;
        log::debug!("archive restarted on {} (start #{}, pid {})", self.archive_dir, self.starts, self.child.id());
        self.wait_until_ready(ARCHIVE_START_TIMEOUT)
    }

    /// How many JVMs were started on these directories: 1 after [`start`](Self::start), one
    /// more for each [`restart`](Self::restart).
    pub fn starts(&self) -> u32 {
        self.starts
    }

    /// Every Java system property the archive runs with (the defaults of
    /// [`start`](Self::start), overridden and extended by those given to
    /// [`start_with`](Self::start_with)), in the order they are passed.
    pub fn settings(&self) -> &[(String, String)] {
        &self.props
    }

    /// The value of one Java system property the archive runs with (see
    /// [`settings`](Self::settings)), e.g. [`RECORD_CHECKSUM_PROP`],
    /// `aeron.archive.segment.file.length` or `aeron.term.buffer.length`.
    pub fn setting(&self, name: &str) -> Option<&str> {
        self.props.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

impl Drop for EmbeddedArchiveMediaDriverProcess {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            log::error!("archive log tail ({}), dropped while panicking:\n{}", self.log.display(), self.log_tail());
        }
        // The Aeron directory its driver ran in, when start_with put it outside the root (an
        // overridden archive directory is the caller's and stays).
        if !Path::new(&self.aeron_dir).starts_with(&self.root) {
            let _ = std::fs::remove_dir_all(&self.aeron_dir);
        }
        if self.removes_archive_dir {
            let _ = std::fs::remove_dir_all(&self.archive_dir);
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// An archive JVM this process started and has not reaped yet, and the directories its helper
/// removes on drop.
struct StartedJvm {
    pid: u32,
    dirs: Vec<PathBuf>,
}

/// Every archive JVM started by the helpers of this process and not reaped yet. Reaping happens
/// only under this lock, so a process id in it is still this process's (possibly exited, never
/// reused) child.
static STARTED_JVMS: Mutex<Vec<StartedJvm>> = Mutex::new(Vec::new());

fn started_jvms() -> std::sync::MutexGuard<'static, Vec<StartedJvm>> {
    STARTED_JVMS.lock().unwrap_or_else(|e| e.into_inner())
}

fn register_started(pid: u32, dirs: Vec<PathBuf>) {
    let mut started = started_jvms();
    started.retain(|p| p.pid != pid);
    started.push(StartedJvm { pid, dirs });
}

/// Blocks until child `pid` has exited, without reaping it (its owner reaps it).
fn wait_exited_not_reaped(pid: u32) {
    loop {
        // SAFETY: a zeroed siginfo_t is a valid out-parameter; WNOWAIT leaves the child reapable.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, libc::WEXITED | libc::WNOWAIT) };
        if rc == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return;
        }
    }
}

impl EmbeddedArchiveMediaDriverProcess {
    /// Named settings for an archive: its Aeron directory, archive directory, control request
    /// and response channels, recording events and replication channels, archive id and any
    /// Java system property; unset ones get the defaults of [`start`](Self::start) (fresh
    /// directories, free ports). [`EmbeddedArchiveBuilder::start`] starts it.
    ///
    /// ```
    /// use rusteron_archive::testing::{find_unused_udp_port, unique_dir, EmbeddedArchiveMediaDriverProcess};
    ///
    /// let port = find_unused_udp_port(24_000).expect("a free UDP port");
    /// let aeron_dir = unique_dir("my-test-aeron");
    /// let archive = EmbeddedArchiveMediaDriverProcess::builder()
    ///     .aeron_dir(&aeron_dir)
    ///     .control_request_channel(&format!("aeron:udp?endpoint=localhost:{port}"))
    ///     .archive_id(77)
    ///     .start()?;
    /// assert_eq!(archive.aeron_dir(), aeron_dir.to_str().unwrap());
    /// let (_aeron, client) = archive.connect()?;
    /// assert_eq!(client.get_archive_id(), 77);
    /// # Ok::<(), rusteron_archive::AeronCError>(())
    /// ```
    pub fn builder() -> EmbeddedArchiveBuilder {
        EmbeddedArchiveBuilder::default()
    }

    /// Starts an archive on the given Aeron directory, archive directory and channels (the
    /// published rusteron's five-argument `start`), otherwise as [`start`](Self::start). Same as
    /// [`builder`](Self::builder) with these five set; see [`start_with`](Self::start_with) for
    /// what happens to the directories.
    ///
    /// # Errors
    /// A channel Aeron cannot parse, or a directory that is empty, is refused before anything
    /// starts, naming the argument; an Aeron directory a running media driver uses is refused
    /// (`EBUSY`); the start errors of [`start`](Self::start).
    pub fn start_on(
        aeron_dir: &str,
        archive_dir: &str,
        control_request_channel: &str,
        control_response_channel: &str,
        recording_events_channel: &str,
    ) -> Result<Self, AeronCError> {
        Self::builder()
            .aeron_dir(aeron_dir)
            .archive_dir(archive_dir)
            .control_request_channel(control_request_channel)
            .control_response_channel(control_response_channel)
            .recording_events_channel(recording_events_channel)
            .start()
    }

    /// Kills (`SIGKILL`) every archive JVM the helpers of this process started and that has
    /// not been reaped yet, waits until each has exited, removes the directories their helpers
    /// would remove on drop, and returns how many it killed. For the end of a test program whose
    /// helpers may not be dropped (leaked, kept in a `static`, or before `std::process::exit`).
    ///
    /// Unlike the published rusteron's function of the same name, it never touches another
    /// Java process of the machine or of the user: only this process's own children. A JVM left
    /// by an earlier run needs no cleaning either: the helpers start theirs with a parent-death
    /// signal, so each dies with the process that started it. The helpers it killed stay valid:
    /// dropping them reaps the JVMs; [`restart`](Self::restart) starts a new JVM, on empty
    /// directories when they were the helper's own.
    pub fn kill_all_java_processes() -> std::io::Result<usize> {
        let started = started_jvms();
        let mut killed = 0;
        for jvm in started.iter() {
            // SAFETY: plain syscalls. The pid is an unreaped child (see STARTED_JVMS), so it names
            // the JVM, alive or a zombie, never a reused id.
            if unsafe { libc::kill(jvm.pid as libc::pid_t, libc::SIGKILL) } == 0 {
                killed += 1;
            }
            wait_exited_not_reaped(jvm.pid);
            for dir in &jvm.dirs {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
        log::debug!("killed {killed} archive JVM(s) started by this process");
        Ok(killed)
    }

    /// The process ids of the archive JVMs the helpers of this process started and that have
    /// not been reaped yet (running, or exited and waiting for their helper to be dropped).
    pub fn started_java_processes() -> Vec<u32> {
        started_jvms().iter().map(|p| p.pid).collect()
    }
}

/// Named settings for an [`EmbeddedArchiveMediaDriverProcess`], from
/// [`EmbeddedArchiveMediaDriverProcess::builder`]. Each setter names one Java system property of
/// the archive (or, for [`control_response_channel`](Self::control_response_channel), what the
/// helper's clients use); what is not set keeps the default of
/// [`EmbeddedArchiveMediaDriverProcess::start`]. Nothing is checked until
/// [`start`](Self::start), which refuses bad values before a JVM starts, naming the setter.
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until `start()`"]
pub struct EmbeddedArchiveBuilder {
    props: Vec<(String, String)>,
    control_response_channel: Option<String>,
    /// Values refused by the setters, reported by `start`.
    problems: Vec<String>,
}

impl EmbeddedArchiveBuilder {
    fn set(mut self, name: &str, value: impl Into<String>) -> Self {
        self.props.retain(|(k, _)| k != name);
        self.props.push((name.to_string(), value.into()));
        self
    }

    fn dir(mut self, setter: &str, name: &str, dir: &Path) -> Self {
        match dir.to_str() {
            Some("") => {
                self.problems.push(format!("{setter}: the directory is empty"));
                self
            }
            Some(d) => self.set(name, d),
            None => {
                self.problems.push(format!("{setter}: {} is not UTF-8", dir.display()));
                self
            }
        }
    }

    /// The embedded media driver's Aeron directory (`aeron.dir`; default: a fresh one under
    /// `/dev/shm`). Its driver deletes and recreates it at start; one a running media driver
    /// uses is refused.
    pub fn aeron_dir(self, dir: impl AsRef<Path>) -> Self {
        self.dir("aeron_dir", "aeron.dir", dir.as_ref())
    }

    /// The archive's directory of recordings and catalog (`aeron.archive.dir`; default: a fresh
    /// one). One that exists is used as it is and kept on drop; one the helper creates is
    /// removed on drop.
    pub fn archive_dir(self, dir: impl AsRef<Path>) -> Self {
        self.dir("archive_dir", "aeron.archive.dir", dir.as_ref())
    }

    /// The archive's control request channel (`aeron.archive.control.channel`; default:
    /// `aeron:udp?endpoint=localhost:<free port>`).
    pub fn control_request_channel(self, channel: &str) -> Self {
        self.set("aeron.archive.control.channel", channel)
    }

    /// The control response channel of the helper's clients
    /// ([`archive_context`](EmbeddedArchiveMediaDriverProcess::archive_context),
    /// [`connect`](EmbeddedArchiveMediaDriverProcess::connect); default:
    /// `aeron:udp?endpoint=localhost:0`). The archive itself has no such setting.
    pub fn control_response_channel(mut self, channel: &str) -> Self {
        self.control_response_channel = Some(channel.to_string());
        self
    }

    /// The archive's recording events channel (`aeron.archive.recording.events.channel`;
    /// default: `aeron:udp?control-mode=dynamic|control=localhost:<free port>`).
    pub fn recording_events_channel(self, channel: &str) -> Self {
        self.set("aeron.archive.recording.events.channel", channel)
    }

    /// The archive's replication channel (`aeron.archive.replication.channel`; default:
    /// `aeron:udp?endpoint=localhost:0`).
    pub fn replication_channel(self, channel: &str) -> Self {
        self.set("aeron.archive.replication.channel", channel)
    }

    /// The archive id (`aeron.archive.id`; default: a unique one).
    pub fn archive_id(self, id: i64) -> Self {
        self.set("aeron.archive.id", id.to_string())
    }

    /// Any Java system property of the archive or its media driver (`-D<name>=<value>`), e.g.
    /// `("aeron.term.buffer.length", "65536")` or [`RECORD_CHECKSUM_PROP`]; a later value of the
    /// same name wins.
    pub fn property(self, name: &str, value: &str) -> Self {
        self.set(name, value)
    }

    /// Starts the archive and waits until it answers a connect (see
    /// [`EmbeddedArchiveMediaDriverProcess::start_with`]).
    ///
    /// # Errors
    /// Before anything starts: a directory that is empty or not UTF-8, a channel Aeron's parser
    /// refuses (naming the setter and Aeron's message), an archive id that is not a number; an
    /// Aeron directory a running media driver uses (`EBUSY`); then the start errors of
    /// [`EmbeddedArchiveMediaDriverProcess::start`].
    pub fn start(self) -> Result<EmbeddedArchiveMediaDriverProcess, AeronCError> {
        if let Some(problem) = self.problems.first() {
            return Err(AeronCError::with_message(libc::EINVAL, format!("EmbeddedArchiveBuilder::{problem}")));
        }
        let channels = [
            ("control_request_channel", self.props.iter().find(|(k, _)| k == "aeron.archive.control.channel")),
            (
                "recording_events_channel",
                self.props.iter().find(|(k, _)| k == "aeron.archive.recording.events.channel"),
            ),
            ("replication_channel", self.props.iter().find(|(k, _)| k == "aeron.archive.replication.channel")),
        ];
        for (setter, prop) in channels {
            if let Some((_, channel)) = prop {
                check_channel(setter, channel)?;
            }
        }
        if let Some(channel) = &self.control_response_channel {
            check_channel("control_response_channel", channel)?;
        }
        let props: Vec<(&str, &str)> = self.props.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        EmbeddedArchiveMediaDriverProcess::start_configured(&props, self.control_response_channel)
    }

    /// The same as [`start`](Self::start), by the name builders end with.
    pub fn build(self) -> Result<EmbeddedArchiveMediaDriverProcess, AeronCError> {
        self.start()
    }
}

fn check_channel(setter: &str, channel: &str) -> Result<(), AeronCError> {
    crate::AeronUri::parse(channel).map(|_| ()).map_err(|e| {
        AeronCError::with_message(
            libc::EINVAL,
            format!("EmbeddedArchiveBuilder::{setter}: {channel:?} is not a channel Aeron can parse: {e}"),
        )
    })
}
