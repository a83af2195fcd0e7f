//! Test helpers: a real Aeron Cluster of N Java members on localhost ([`ClusterProcess`]), the
//! Java test service's protocol (its state query, its checksum), a Java cluster client for
//! interop runs, and the client crate's helpers (`MediaDriverProcess`, `wait_until`, ...).
//!
//! # What runs
//! Each member is one JVM (`java -cp aeron-all.jar:<fixture classes> RusteronClusterFixture
//! node`): a `ClusteredMediaDriver` (Java media driver, archive, consensus module) and a
//! `ClusteredServiceContainer` running the fixture's counting echo service, all with SHARED
//! threading and backoff idle strategies, `-Xmx256m`. The fixture's Java source is part of this
//! crate ([`FIXTURE_SOURCE`]) and is compiled with `javac` against the jar the first time a
//! process needs it, into `target/rusteron-cluster-fixture-<hash>/` of this workspace (or the
//! temporary folder), never committed.
//!
//! The service echoes every session message to its sender, counts it, and folds it into a
//! running checksum ([`fold_checksum`]); a message equal to [`QUERY`] is answered with
//! [`ANSWER_PREFIX`], the count and the checksum instead ([`parse_answer`]). Its authenticator
//! connects empty credentials at once; the credential [`AUTH_USER`] is challenged with
//! [`AUTH_CHALLENGE`] and accepted when answered with [`AUTH_ANSWER`]; anything else is rejected.
//! Admin requests (snapshots) are allowed for every session.
//!
//! # Where java, javac and the jar come from
//! `java`/`javac`: `$JAVA_HOME/bin`, else the `PATH`. The `io.aeron:aeron-all` jar:
//! `RUSTERON_AERON_ALL_JAR`, else `aeron-all-<version>.jar` (the `AERON_ALL_VERSION` of
//! `rusteron-archive-sys`'s `versions.env`) in `$RUSTERON_CACHE_DIR/jars`, this repository's
//! `.cache/jars`, then `~/.m2`. Inside the repository `just setup` provides all three.
//!
//! # Timeouts the members run with
//! Aeron's defaults unless overridden ([`ClusterProcess::start_with`]): leader heartbeat timeout
//! 10 s (so a killed leader is replaced about 10-12 s later), session timeout 10 s, election
//! timeout 1 s. Generous enough that three JVMs sharing two loaded cores do not elect by accident.
//! Inside each member, the media driver's client liveness timeout and the clients' driver timeout
//! are 60 s (Aeron: 10 s), so that a member frozen for a while can rejoin when resumed.

pub use rusteron_client::testing::*;

use crate::{Aeron, AeronCError, AeronClusterContext};
use std::ffi::OsString;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The fixture's Java source (service, authenticator, node and client mains).
pub const FIXTURE_SOURCE: &str = include_str!("../java/RusteronClusterFixture.java");
/// The fixture's main class.
pub const FIXTURE_CLASS: &str = "RusteronClusterFixture";
/// A session message equal to this asks the service for its state (it is not counted).
pub const QUERY: &[u8] = b"rusteron-cluster-query:v1";
/// The service's answer to [`QUERY`] starts with this, then count and checksum (i64 LE each).
pub const ANSWER_PREFIX: &[u8] = b"rusteron-cluster-state:v1";
/// The checksum of no messages.
pub const CHECKSUM_START: u64 = 0xcbf29ce484222325;
/// The credential the fixture's authenticator challenges (then accepts with [`AUTH_ANSWER`]).
pub const AUTH_USER: &[u8] = b"rusteron:user";
/// The challenge it sends.
pub const AUTH_CHALLENGE: &[u8] = b"rusteron:challenge";
/// The answer it accepts.
pub const AUTH_ANSWER: &[u8] = b"rusteron:answer";
/// How long [`ClusterProcess::start`] waits for the members to elect a leader.
pub const CLUSTER_START_TIMEOUT: Duration = Duration::from_secs(60);
/// The environment variable that names the `aeron-all` jar.
pub const AERON_ALL_JAR_ENV: &str = "RUSTERON_AERON_ALL_JAR";

const FNV_PRIME: u64 = 0x100000001b3;

/// The service's running checksum after `message`: FNV-1a 64 over the length (4 bytes LE) and
/// the bytes, continuing from `h` (the same function as the Java service's).
pub fn fold_checksum(mut h: u64, message: &[u8]) -> u64 {
    for b in (message.len() as u32).to_le_bytes().iter().chain(message) {
        h ^= *b as u64;
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// `(count, checksum)` from the service's answer to [`QUERY`], or `None` for another message.
pub fn parse_answer(payload: &[u8]) -> Option<(i64, u64)> {
    let rest = payload.strip_prefix(ANSWER_PREFIX)?;
    if rest.len() != 16 {
        return None;
    }
    Some((i64::from_le_bytes(rest[..8].try_into().ok()?), u64::from_le_bytes(rest[8..].try_into().ok()?)))
}

fn error(msg: impl Into<String>) -> AeronCError {
    AeronCError::with_message(-1, msg.into())
}

fn lookup(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// A JDK tool (`java`, `javac`): `$JAVA_HOME/bin/<tool>`, else on the `PATH`.
pub fn find_jdk_tool(tool: &str) -> Result<PathBuf, AeronCError> {
    if let Some(home) = lookup("JAVA_HOME") {
        let p = PathBuf::from(home).join("bin").join(tool);
        if p.is_file() {
            return Ok(p);
        }
    }
    if let Some(path) = lookup("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(tool);
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    Err(error(format!(
        "`{tool}` was not found ($JAVA_HOME/bin or PATH): install a JDK 17+ (Debian/Ubuntu: `apt-get install \
         openjdk-17-jdk-headless`) or set JAVA_HOME; inside the rusteron repository `just setup` does this"
    )))
}

/// The `aeron-all` jar the cluster runs from (see the [module docs](self)).
pub fn find_aeron_all_jar() -> Result<PathBuf, AeronCError> {
    if let Some(v) = lookup(AERON_ALL_JAR_ENV) {
        let p = PathBuf::from(v);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(error(format!("{AERON_ALL_JAR_ENV}={} is not a file", p.display())))
        };
    }
    let versions = Path::new(crate::bindings::VERSIONS_FILE);
    let text = std::fs::read_to_string(versions)
        .map_err(|e| error(format!("cannot read {}: {e}; set {AERON_ALL_JAR_ENV}", versions.display())))?;
    let version = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("AERON_ALL_VERSION="))
        .map(|v| v.trim().to_string())
        .ok_or_else(|| error(format!("no AERON_ALL_VERSION in {}", versions.display())))?;
    let name = format!("aeron-all-{version}.jar");
    let mut tried = Vec::new();
    if let Some(cache) = lookup("RUSTERON_CACHE_DIR") {
        tried.push(PathBuf::from(cache).join("jars").join(&name));
    }
    if let Some(ws) = workspace_dir() {
        tried.push(ws.join(".cache/jars").join(&name));
    }
    if let Some(home) = lookup("HOME") {
        tried.push(PathBuf::from(home).join(".m2/repository/io/aeron/aeron-all").join(&version).join(&name));
    }
    tried.iter().find(|p| p.is_file()).cloned().ok_or_else(|| {
        error(format!(
            "the Aeron jar {name} was not found (looked in: {}); fetch it with `mvn -q dependency:get \
             -Dtransitive=false -Dartifact=io.aeron:aeron-all:{version}` or set {AERON_ALL_JAR_ENV}",
            tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        ))
    })
}

/// The workspace holding `rusteron-archive-sys` (where `.cache` and `target` are), if known.
fn workspace_dir() -> Option<PathBuf> {
    Path::new(crate::bindings::VERSIONS_FILE).parent()?.parent().map(Path::to_path_buf)
}

/// Compiles the fixture (once per process) and returns its classes folder.
pub fn fixture_classes() -> Result<PathBuf, AeronCError> {
    static CLASSES: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    CLASSES.get_or_init(|| compile_fixture().map_err(|e| e.to_string())).clone().map_err(error)
}

fn compile_fixture() -> Result<PathBuf, AeronCError> {
    let jar = find_aeron_all_jar()?;
    let hash =
        fold_checksum(fold_checksum(CHECKSUM_START, FIXTURE_SOURCE.as_bytes()), jar.to_string_lossy().as_bytes());
    let name = format!("rusteron-cluster-fixture-{hash:016x}");
    let parent = workspace_dir()
        .map(|w| w.join("target"))
        .filter(|t| std::fs::create_dir_all(t).is_ok())
        .unwrap_or_else(std::env::temp_dir);
    let out = parent.join(&name);
    if out.join(format!("{FIXTURE_CLASS}.class")).is_file() {
        return Ok(out);
    }
    let javac = find_jdk_tool("javac")?;
    let work = parent.join(format!("{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join("classes"))
        .map_err(|e| error(format!("cannot create {}: {e}", work.display())))?;
    let src = work.join(format!("{FIXTURE_CLASS}.java"));
    std::fs::write(&src, FIXTURE_SOURCE).map_err(|e| error(format!("cannot write {}: {e}", src.display())))?;
    let output = Command::new(&javac)
        .arg("-nowarn")
        .arg("-d")
        .arg(work.join("classes"))
        .arg("-cp")
        .arg(&jar)
        .arg(&src)
        .output()
        .map_err(|e| error(format!("cannot run {}: {e}", javac.display())))?;
    if !output.status.success() {
        return Err(error(format!(
            "javac failed on the cluster fixture: {}",
            String::from_utf8_lossy(&output.stderr).lines().take(20).collect::<Vec<_>>().join("\n")
        )));
    }
    // Another process may have finished first; either copy is the same.
    if std::fs::rename(work.join("classes"), &out).is_err() && !out.join(format!("{FIXTURE_CLASS}.class")).is_file() {
        return Err(error(format!("cannot move the compiled fixture to {}", out.display())));
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(out)
}

/// Spawns children from the one process-lifetime thread of
/// [`spawn_from_process_thread`](rusteron_client::testing::spawn_from_process_thread): the
/// parent-death signal fires when the spawning thread exits, and a JVM here is shared between
/// tests whose threads end.
fn spawn(cmd: Command) -> std::io::Result<Child> {
    rusteron_client::testing::spawn_from_process_thread(cmd)
}

/// A JVM command line with the fixture on the class path and the `--add-opens` Aeron needs.
fn java_command(java: &Path, jar: &Path, classes: &Path, heap: &str) -> Command {
    let mut cmd = Command::new(java);
    cmd.arg("--add-opens")
        .arg("java.base/jdk.internal.misc=ALL-UNNAMED")
        .arg("--add-opens")
        .arg("java.base/sun.nio.ch=ALL-UNNAMED")
        .arg("--add-opens")
        .arg("java.base/java.util.zip=ALL-UNNAMED")
        .arg("-XX:+UseSerialGC")
        .arg("-Xms64m")
        .arg(format!("-Xmx{heap}"))
        .arg("-cp")
        .arg(format!("{}:{}", jar.display(), classes.display()));
    #[cfg(target_os = "linux")]
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    cmd
}

struct Member {
    child: Option<Child>,
    frozen: bool,
    log: PathBuf,
}

/// The ports of member `id`: `port_base + 100 * id + offset`, offsets 1 (archive control),
/// 2 (client ingress), 3 (members), 4 (log), 5 (catch-up): Aeron's sample `ClusterConfig` layout.
pub const PORTS_PER_MEMBER: u16 = 100;
/// The offset of a member's ingress port.
pub const INGRESS_PORT_OFFSET: u16 = 2;

/// A real Aeron Cluster: N members, each a JVM child process on its own directories (under
/// `/dev/shm` when it exists) and ports, all on localhost. Dropping it kills every member and
/// removes the directories; when the test process dies the kernel kills the members (parent-death
/// signal). It only ever signals its own children. Dropped while a test panics, it logs the
/// members' last output lines at `error` level.
pub struct ClusterProcess {
    members: Vec<Member>,
    root: PathBuf,
    port_base: u16,
    java: PathBuf,
    jar: PathBuf,
    classes: PathBuf,
    props: Vec<(String, String)>,
}

impl std::fmt::Debug for ClusterProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterProcess")
            .field("members", &self.members.len())
            .field("root", &self.root)
            .field("port_base", &self.port_base)
            .finish()
    }
}

fn free_port_base(members: usize) -> Result<u16, AeronCError> {
    let span = members as u32 * PORTS_PER_MEMBER as u32;
    let slots = (60_000 - 20_000) / span;
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let start = (std::process::id().wrapping_mul(7919) ^ nanos) % slots;
    for attempt in 0..slots {
        let base = 20_000 + ((start + attempt * 37) % slots) * span;
        let ok = (0..members as u32)
            .all(|m| (1..=5).all(|o| is_udp_port_available((base + m * PORTS_PER_MEMBER as u32 + o) as u16)));
        if ok {
            return Ok(base as u16);
        }
    }
    Err(error("no free block of UDP ports for the cluster members"))
}

impl ClusterProcess {
    /// Starts `members` members with the default settings and waits for a leader (up to
    /// [`CLUSTER_START_TIMEOUT`]).
    pub fn start(members: usize) -> Result<Self, AeronCError> {
        Self::start_with(members, &[])
    }

    /// Like [`start`](Self::start) with extra Java system properties for every member
    /// (`("aeron.cluster.leader.heartbeat.timeout", "5s")`), which override the defaults.
    pub fn start_with(members: usize, extra_props: &[(&str, &str)]) -> Result<Self, AeronCError> {
        if members == 0 || members > 9 {
            return Err(error(format!("a test cluster has 1 to 9 members (asked for {members})")));
        }
        let java = find_jdk_tool("java")?;
        let jar = find_aeron_all_jar()?;
        let classes = fixture_classes()?;
        let root = unique_dir("rusteron-cluster");
        std::fs::create_dir_all(&root).map_err(|e| error(format!("cannot create {}: {e}", root.display())))?;
        let port_base = free_port_base(members)?;
        let mut props: Vec<(String, String)> = vec![
            ("rusteron.cluster.members".into(), members.to_string()),
            ("rusteron.cluster.port.base".into(), port_base.to_string()),
            ("rusteron.cluster.dir".into(), root.to_string_lossy().into_owned()),
            ("aeron.cluster.log.channel".into(), "aeron:udp?term-length=4m".into()),
            ("aeron.archive.segment.file.length".into(), "16m".into()),
            ("aeron.term.buffer.sparse.file".into(), "true".into()),
            // A member frozen (SIGSTOP) for longer than the driver's client liveness timeout
            // (10 s) would, on SIGCONT, have its own driver time out its consensus module and
            // service clients, so it could never rejoin: give the member-internal clients a
            // minute (the publication unblock timeout must stay above it).
            ("aeron.client.liveness.timeout".into(), "60s".into()),
            ("aeron.publication.unblock.timeout".into(), "75s".into()),
            ("aeron.driver.timeout".into(), "60000".into()),
            ("aeron.cluster.authenticator.supplier".into(), format!("{FIXTURE_CLASS}$FixtureAuthenticatorSupplier")),
            ("aeron.cluster.authorisation.service.supplier".into(), format!("{FIXTURE_CLASS}$AllowAllSupplier")),
        ];
        for (k, v) in extra_props {
            props.retain(|(pk, _)| pk != k);
            props.push((k.to_string(), v.to_string()));
        }
        let mut cluster = ClusterProcess {
            members: (0..members)
                .map(|i| Member { child: None, frozen: false, log: root.join(format!("member-{i}.log")) })
                .collect(),
            root,
            port_base,
            java,
            jar,
            classes,
            props,
        };
        for id in 0..members {
            cluster.spawn_member(id)?;
        }
        cluster.wait_for_leader(CLUSTER_START_TIMEOUT)?;
        Ok(cluster)
    }

    fn spawn_member(&mut self, id: usize) -> Result<(), AeronCError> {
        let member = &mut self.members[id];
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&member.log)
            .map_err(|e| error(format!("cannot open {}: {e}", member.log.display())))?;
        // Role lines before this marker belong to an earlier run of the member.
        let _ = writeln!(log, "rusteron: start");
        let err = log.try_clone().map_err(|e| error(format!("log: {e}")))?;
        let mut cmd = java_command(&self.java, &self.jar, &self.classes, "256m");
        for (k, v) in &self.props {
            cmd.arg(format!("-D{k}={v}"));
        }
        cmd.arg(format!("-Drusteron.cluster.member.id={id}"))
            .arg(format!("-Drusteron.cluster.aeron.dir={}", self.root.join(format!("aeron-{id}")).display()))
            .arg(FIXTURE_CLASS)
            .arg("node")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err));
        let child = spawn(cmd).map_err(|e| error(format!("cannot start {}: {e}", self.java.display())))?;
        log::info!(target: "rusteron_cluster::testing", "member {id} started, pid {}", child.id());
        member.child = Some(child);
        member.frozen = false;
        Ok(())
    }

    /// How many members.
    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    /// The members' ingress endpoints, `0=localhost:port,1=...`.
    pub fn ingress_endpoints(&self) -> String {
        (0..self.members.len()).map(|i| format!("{i}=localhost:{}", self.ingress_port(i))).collect::<Vec<_>>().join(",")
    }

    /// Member `id`'s ingress port.
    pub fn ingress_port(&self, id: usize) -> u16 {
        self.port_base + PORTS_PER_MEMBER * id as u16 + INGRESS_PORT_OFFSET
    }

    /// A client context for this cluster: UDP ingress to every member's endpoint, UDP egress on a
    /// port the driver picks.
    pub fn context(&self, aeron: &Aeron) -> AeronClusterContext {
        AeronClusterContext::new(aeron)
            .ingress_channel("aeron:udp")
            .ingress_endpoints(self.ingress_endpoints())
            .egress_channel("aeron:udp?endpoint=localhost:0")
    }

    /// Member `id`'s cluster directory (for `ClusterTool`).
    pub fn cluster_dir(&self, id: usize) -> PathBuf {
        self.root.join(format!("aeron-cluster-{id}")).join("cluster")
    }

    /// The process id of member `id`, when it runs.
    pub fn pid(&self, id: usize) -> Option<u32> {
        self.members[id].child.as_ref().map(Child::id)
    }

    /// True while member `id`'s JVM runs (frozen counts as running).
    pub fn is_running(&mut self, id: usize) -> bool {
        match self.members[id].child.as_mut() {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// The last role member `id`'s service reported in its current run (`LEADER`, `FOLLOWER`,
    /// `CANDIDATE`), if any.
    pub fn role(&self, id: usize) -> Option<String> {
        let file = std::fs::File::open(&self.members[id].log).ok()?;
        let mut role = None;
        for line in std::io::BufReader::new(file).lines().map_while(Result::ok) {
            if line == "rusteron: start" {
                role = None;
            } else if let Some(r) = line.strip_prefix("role ") {
                role = Some(r.trim().to_string());
            }
        }
        role
    }

    /// The leader: the one running, unfrozen member whose service last reported `LEADER`
    /// (`None` while there is none, or more than one claims it).
    pub fn leader(&mut self) -> Option<usize> {
        let mut found = None;
        for id in 0..self.members.len() {
            if self.members[id].frozen || !self.is_running(id) {
                continue;
            }
            if self.role(id).as_deref() == Some("LEADER") {
                if found.is_some() {
                    return None;
                }
                found = Some(id);
            }
        }
        found
    }

    /// Waits until there is a leader; returns it.
    ///
    /// # Errors
    /// When none is elected within `timeout`, with the members' last log lines.
    pub fn wait_for_leader(&mut self, timeout: Duration) -> Result<usize, AeronCError> {
        self.wait_for_leader_other_than(None, timeout)
    }

    /// Waits for a leader other than `old` (after killing or freezing `old`).
    pub fn wait_for_leader_other_than(&mut self, old: Option<usize>, timeout: Duration) -> Result<usize, AeronCError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(l) = self.leader() {
                if Some(l) != old {
                    return Ok(l);
                }
            }
            if Instant::now() >= deadline {
                return Err(error(format!(
                    "no cluster leader{} within {timeout:?}; members' last lines:\n{}",
                    old.map(|o| format!(" other than member {o}")).unwrap_or_default(),
                    self.log_tails(8)
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The last `lines` lines of every member's log.
    pub fn log_tails(&self, lines: usize) -> String {
        let mut out = String::new();
        for (id, m) in self.members.iter().enumerate() {
            let text = std::fs::read_to_string(&m.log).unwrap_or_default();
            let all: Vec<&str> = text.lines().collect();
            out.push_str(&format!("--- member {id} ({})\n", m.log.display()));
            for l in &all[all.len().saturating_sub(lines)..] {
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    }

    /// SIGKILLs member `id` and waits for it to exit.
    pub fn kill(&mut self, id: usize) {
        if let Some(mut c) = self.members[id].child.take() {
            let _ = c.kill();
            let _ = c.wait();
            log::info!(target: "rusteron_cluster::testing", "member {id} killed");
        }
        self.members[id].frozen = false;
    }

    /// SIGSTOPs member `id` (a long pause, or a partition: it neither sends nor answers).
    pub fn freeze(&mut self, id: usize) -> Result<(), AeronCError> {
        self.signal(id, libc::SIGSTOP)?;
        self.members[id].frozen = true;
        Ok(())
    }

    /// SIGCONTs a frozen member `id`.
    pub fn resume(&mut self, id: usize) -> Result<(), AeronCError> {
        self.signal(id, libc::SIGCONT)?;
        self.members[id].frozen = false;
        Ok(())
    }

    fn signal(&mut self, id: usize, signal: i32) -> Result<(), AeronCError> {
        if !self.is_running(id) {
            return Err(error(format!("member {id} is not running")));
        }
        let pid = self.pid(id).ok_or_else(|| error(format!("member {id} is not running")))?;
        // SAFETY: kill(2) on our own child, which has not been reaped (try_wait said running).
        if unsafe { libc::kill(pid as libc::pid_t, signal) } != 0 {
            return Err(error(format!("kill({pid}, {signal}): {}", std::io::Error::last_os_error())));
        }
        Ok(())
    }

    /// Starts member `id` again on its directories (after [`kill`](Self::kill)); it rejoins as
    /// a follower. Does not wait.
    pub fn restart(&mut self, id: usize) -> Result<(), AeronCError> {
        self.kill(id);
        self.spawn_member(id)
    }

    /// Runs Aeron's Java cluster client (the fixture's `client` main, on its own embedded Java
    /// media driver) against this cluster: it sends `count` messages of `size` bytes tagged with
    /// `tag`, waits for every echo and prints `java-client sent=N echoed=N in-order=true`.
    /// Returns the child; its stdout is piped.
    pub fn spawn_java_client(&self, count: usize, size: usize, tag: u32) -> Result<Child, AeronCError> {
        let mut cmd = java_command(&self.java, &self.jar, &self.classes, "256m");
        let dir = unique_dir("rusteron-cluster-java-client");
        cmd.arg(format!("-Daeron.dir={}", dir.display()))
            .arg(FIXTURE_CLASS)
            .arg("client")
            .arg(self.ingress_endpoints())
            .arg(count.to_string())
            .arg(size.to_string())
            .arg(tag.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        spawn(cmd).map_err(|e| error(format!("cannot start the Java client: {e}")))
    }
}

/// What one round of the cluster benchmark does: `warmup` then `count` round trips of `size`
/// bytes, one at a time, then `messages` messages with at most `window` unanswered.
#[derive(Debug, Clone, Copy)]
pub struct ClusterBenchSettings {
    /// Round trips not measured.
    pub warmup: usize,
    /// Round trips measured.
    pub count: usize,
    /// Message size in bytes (at least 8).
    pub size: usize,
    /// Messages of the throughput part.
    pub messages: usize,
    /// Most unanswered messages in the throughput part.
    pub window: usize,
}

impl ClusterProcess {
    /// Runs the Java side of the cluster benchmark (the fixture's `bench` main: Aeron's Java
    /// client on the media driver in `aeron_dir`) and returns its result line
    /// (`bench-result client=java rtt_p50_ns=...`).
    pub fn run_java_bench(
        &self,
        aeron_dir: &str,
        settings: &ClusterBenchSettings,
        timeout: Duration,
    ) -> Result<String, AeronCError> {
        let ClusterBenchSettings { warmup, count, size, messages, window } = *settings;
        let mut cmd = java_command(&self.java, &self.jar, &self.classes, "256m");
        cmd.arg(FIXTURE_CLASS)
            .arg("bench")
            .arg(self.ingress_endpoints())
            .arg(aeron_dir)
            .args([warmup, count, size, messages, window].map(|v| v.to_string()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = spawn(cmd).map_err(|e| error(format!("cannot start the Java bench: {e}")))?;
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = child.try_wait().map_err(|e| error(format!("java bench: {e}")))? {
                let mut out = String::new();
                let mut err = String::new();
                if let Some(o) = child.stdout.as_mut() {
                    let _ = std::io::Read::read_to_string(o, &mut out);
                }
                if let Some(e) = child.stderr.as_mut() {
                    let _ = std::io::Read::read_to_string(e, &mut err);
                }
                return match out.lines().find(|l| l.starts_with("bench-result")) {
                    Some(line) if status.success() => Ok(line.to_string()),
                    _ => Err(error(format!("the Java bench failed ({status}): {out}{err}"))),
                };
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(error(format!("the Java bench did not finish within {timeout:?}")));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for ClusterProcess {
    fn drop(&mut self) {
        if std::thread::panicking() {
            log::error!(target: "rusteron_cluster::testing", "cluster members' last output:\n{}", self.log_tails(30));
        }
        for id in 0..self.members.len() {
            self.kill(id);
        }
        if std::env::var_os("RUSTERON_KEEP_CLUSTER_DIRS").is_none() {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

/// Calls `cond` (which polls `cluster` as it needs) until it holds or `timeout` passes; returns
/// whether it held. Between calls that found nothing it sleeps 100 µs.
pub fn poll_until(
    cluster: &mut crate::AeronCluster,
    timeout: Duration,
    mut cond: impl FnMut(&mut crate::AeronCluster) -> bool,
) -> Result<bool, AeronCError> {
    let deadline = rusteron_client::__private::deadline_after(timeout);
    loop {
        if cond(cluster) {
            return Ok(true);
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_micros(100));
    }
}
