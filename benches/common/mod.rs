//! Shared pieces of the benches: the media driver configuration, raw (unsafe, no wrapper) setup of
//! clients, publications and subscriptions straight from `rusteron_archive_sys`, latency
//! histograms, and the JSON result files under `<target>/bench-results/`.
#![allow(dead_code)]

use rusteron_client::bindings as raw;
use rusteron_client::testing::{wait_until, MediaDriverProcess};
use std::ffi::{CStr, CString};
use std::path::PathBuf;
use std::ptr;
use std::time::Duration;

#[path = "../harness.rs"]
mod harness;
pub use harness::*;

pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The driver settings shared with `scripts/bench.sh` and the peer bench (`benches/driver.env`).
pub fn driver_env(idle: &str) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = include_str!("../driver.env")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.trim().to_string(), v.trim().to_string())))
        .collect();
    env.push(("AERON_SHARED_IDLE_STRATEGY".to_string(), idle.to_string()));
    env
}

/// The environment variable naming the Aeron directory of a driver that `scripts/bench.sh`
/// started with `driver_env(idle)`, shared by our benches and the peer's in alternating runs.
pub fn shared_driver_var(idle: &str) -> String {
    format!("RUSTERON_BENCH_AERON_DIR_{}", idle.to_uppercase())
}

/// The media driver a bench talks to: its own `aeronmd`, or the one `scripts/bench.sh` shares
/// between our benches and the peer crate's.
pub enum BenchDriver {
    Own(MediaDriverProcess),
    Shared(String),
}

impl BenchDriver {
    pub fn dir_str(&self) -> &str {
        match self {
            BenchDriver::Own(md) => md.dir_str(),
            BenchDriver::Shared(dir) => dir,
        }
    }

    pub fn connect(&self) -> Result<rusteron_client::Aeron, rusteron_client::AeronCError> {
        use rusteron_client::IntoCString;
        match self {
            BenchDriver::Own(md) => md.connect(),
            BenchDriver::Shared(dir) => {
                let ctx = rusteron_client::AeronContext::new()?;
                ctx.set_dir(&dir.as_str().into_c_string())?;
                ctx.set_driver_timeout_ms(10_000)?;
                rusteron_client::Aeron::connect(&ctx)
            }
        }
    }
}

/// The C media driver as every bench runs it: shared threading (one driver thread, 2 cores),
/// 16 MiB terms so throughput is not limited by the publication window, files on /dev/shm.
/// When `scripts/bench.sh` started one for this idle strategy, that one.
pub fn driver(idle: &str) -> BenchDriver {
    if let Ok(dir) = std::env::var(shared_driver_var(idle)) {
        if !dir.is_empty() {
            return BenchDriver::Shared(dir);
        }
    }
    let env = driver_env(idle);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    BenchDriver::Own(MediaDriverProcess::start_with_env(&env).expect("aeronmd starts"))
}

/// Where JSON results go: `$CARGO_TARGET_DIR/bench-results` or `<workspace>/target/bench-results`.
pub fn results_dir() -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")));
    let dir = target.join("bench-results");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Writes `body` (a JSON value) to `<results>/<name>.json` and says where.
pub fn write_result(name: &str, body: &str) {
    let path = results_dir().join(format!("{name}.json"));
    std::fs::write(&path, body).expect("write bench result");
    println!("wrote {}", path.display());
}

/// Raw pointers that a bench hands to its other thread; the C objects allow it (one user at a
/// time), the bench guarantees it.
#[derive(Clone, Copy)]
pub struct SendPtr<T>(pub *mut T);
unsafe impl<T> Send for SendPtr<T> {}
unsafe impl<T> Sync for SendPtr<T> {}

/// A C client created with raw calls only (`aeron_context_init`, `aeron_init`, `aeron_start`).
pub struct RawClient {
    pub ctx: *mut raw::aeron_context_t,
    pub aeron: *mut raw::aeron_t,
}

fn c_err() -> String {
    unsafe { CStr::from_ptr(raw::aeron_errmsg()).to_string_lossy().into_owned() }
}

impl RawClient {
    pub fn connect(dir: &str) -> RawClient {
        unsafe {
            let mut ctx = ptr::null_mut();
            assert!(raw::aeron_context_init(&mut ctx) >= 0, "aeron_context_init: {}", c_err());
            let d = CString::new(dir).unwrap();
            assert!(raw::aeron_context_set_dir(ctx, d.as_ptr()) >= 0);
            let mut aeron = ptr::null_mut();
            assert!(raw::aeron_init(&mut aeron, ctx) >= 0, "aeron_init: {}", c_err());
            assert!(raw::aeron_start(aeron) >= 0, "aeron_start: {}", c_err());
            RawClient { ctx, aeron }
        }
    }

    pub fn add_exclusive_publication(&self, uri: &str, stream: i32) -> *mut raw::aeron_exclusive_publication_t {
        let uri = CString::new(uri).unwrap();
        unsafe {
            let mut a = ptr::null_mut();
            assert!(
                raw::aeron_async_add_exclusive_publication(&mut a, self.aeron, uri.as_ptr(), stream) >= 0,
                "{}",
                c_err()
            );
            let mut p = ptr::null_mut();
            let ok = wait_until(TIMEOUT, || {
                let rc = raw::aeron_async_add_exclusive_publication_poll(&mut p, a);
                assert!(rc >= 0, "add exclusive publication: {}", c_err());
                rc == 1
            });
            assert!(ok && !p.is_null());
            p
        }
    }

    pub fn add_publication(&self, uri: &str, stream: i32) -> *mut raw::aeron_publication_t {
        let uri = CString::new(uri).unwrap();
        unsafe {
            let mut a = ptr::null_mut();
            assert!(raw::aeron_async_add_publication(&mut a, self.aeron, uri.as_ptr(), stream) >= 0, "{}", c_err());
            let mut p = ptr::null_mut();
            let ok = wait_until(TIMEOUT, || {
                let rc = raw::aeron_async_add_publication_poll(&mut p, a);
                assert!(rc >= 0, "add publication: {}", c_err());
                rc == 1
            });
            assert!(ok && !p.is_null());
            p
        }
    }

    pub fn add_subscription(&self, uri: &str, stream: i32) -> *mut raw::aeron_subscription_t {
        let uri = CString::new(uri).unwrap();
        unsafe {
            let mut a = ptr::null_mut();
            let rc = raw::aeron_async_add_subscription(
                &mut a,
                self.aeron,
                uri.as_ptr(),
                stream,
                None,
                ptr::null_mut(),
                None,
                ptr::null_mut(),
            );
            assert!(rc >= 0, "{}", c_err());
            let mut s = ptr::null_mut();
            let ok = wait_until(TIMEOUT, || {
                let rc = raw::aeron_async_add_subscription_poll(&mut s, a);
                assert!(rc >= 0, "add subscription: {}", c_err());
                rc == 1
            });
            assert!(ok && !s.is_null());
            s
        }
    }
}

impl Drop for RawClient {
    fn drop(&mut self) {
        unsafe {
            raw::aeron_close(self.aeron);
            raw::aeron_context_close(self.ctx);
        }
    }
}

/// Waits for a raw subscription to see at least one image.
pub fn raw_wait_connected(sub: *mut raw::aeron_subscription_t) {
    assert!(
        wait_until(TIMEOUT, || unsafe { raw::aeron_subscription_is_connected(sub) }),
        "raw subscription never connected"
    );
}

/// A free UDP port on loopback.
pub fn udp_channel() -> String {
    let port = rusteron_client::find_unused_udp_port(21000).expect("free udp port");
    format!("aeron:udp?endpoint=127.0.0.1:{port}")
}

/// What a process has used so far, read from `/proc/<pid>`: CPU time, context switches, ticks.
///
/// `cpu_ns` sums `se.sum_exec_runtime` (the first field of `/proc/<pid>/task/<tid>/schedstat`,
/// nanoseconds) over the process's threads: `getrusage` is only for the caller itself and
/// `/proc/<pid>/stat` counts in clock ticks (10 ms), too coarse for runs of 50-200 ms. The same
/// reading serves every process (our bench clients, the Java client, the archive), so all are
/// measured alike. `utime`/`stime` are `/proc/<pid>/stat`'s process totals in ticks (dead threads
/// included), summed over many runs as a cross-check and for the user/system split.
#[derive(Clone, Debug, Default)]
pub struct ProcSample {
    pub cpu_ns: u64,
    pub voluntary_cs: u64,
    pub involuntary_cs: u64,
    pub utime_ticks: u64,
    pub stime_ticks: u64,
    /// Per thread id: run time (ns), to see threads that ended between two samples.
    pub threads: Vec<(u32, u64)>,
}

impl ProcSample {
    pub fn read(pid: u32) -> ProcSample {
        let mut s = ProcSample::default();
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
            for t in tasks.flatten() {
                let Ok(tid) = t.file_name().to_string_lossy().parse::<u32>() else { continue };
                let Ok(sched) = std::fs::read_to_string(t.path().join("schedstat")) else { continue };
                let ns = sched.split_whitespace().next().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
                s.cpu_ns += ns;
                s.threads.push((tid, ns));
                if let Ok(status) = std::fs::read_to_string(t.path().join("status")) {
                    for line in status.lines() {
                        let num = || line.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
                        if line.starts_with("voluntary_ctxt_switches:") {
                            s.voluntary_cs += num();
                        } else if line.starts_with("nonvoluntary_ctxt_switches:") {
                            s.involuntary_cs += num();
                        }
                    }
                }
            }
        }
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // Fields after the command name (which may hold spaces) in parentheses: utime is the
            // 14th field of the line, the 12th after ')'.
            if let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) {
                let f: Vec<&str> = rest.split_whitespace().collect();
                s.utime_ticks = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0);
                s.stime_ticks = f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
            }
        }
        s
    }

    /// What the process used from `self` to `later`: CPU ns (threads that appeared count from
    /// zero), context switches, ticks, and how many threads ended in between (their last run time
    /// is lost: the CPU figure is then a lower bound).
    pub fn until(&self, later: &ProcSample) -> ProcDelta {
        let mut cpu_ns = 0u64;
        for (tid, ns) in &later.threads {
            let before = self.threads.iter().find(|(t, _)| t == tid).map(|(_, b)| *b).unwrap_or(0);
            cpu_ns += ns.saturating_sub(before);
        }
        let ended = self.threads.iter().filter(|(t, _)| !later.threads.iter().any(|(l, _)| l == t)).count();
        ProcDelta {
            cpu_ns,
            cs: (later.voluntary_cs + later.involuntary_cs).saturating_sub(self.voluntary_cs + self.involuntary_cs),
            involuntary_cs: later.involuntary_cs.saturating_sub(self.involuntary_cs),
            utime_ticks: later.utime_ticks.saturating_sub(self.utime_ticks),
            stime_ticks: later.stime_ticks.saturating_sub(self.stime_ticks),
            threads_ended: ended,
        }
    }
}

/// The difference of two [`ProcSample`]s of one process.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcDelta {
    pub cpu_ns: u64,
    /// Voluntary + involuntary context switches, all threads.
    pub cs: u64,
    pub involuntary_cs: u64,
    pub utime_ticks: u64,
    pub stime_ticks: u64,
    pub threads_ended: usize,
}

/// The machine's load: `/proc/loadavg`'s 1-minute average and its count of runnable tasks.
#[derive(Clone, Copy, Debug, Default)]
pub struct Load {
    pub avg1: f64,
    pub running: u32,
}

impl Load {
    pub fn now() -> Load {
        let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        let f: Vec<&str> = text.split_whitespace().collect();
        Load {
            avg1: f.first().and_then(|v| v.parse().ok()).unwrap_or(0.0),
            running: f.get(3).and_then(|v| v.split('/').next()).and_then(|v| v.parse().ok()).unwrap_or(0),
        }
    }
}

/// Cores this process may run on.
pub fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// The median of `xs` (NaN for none).
pub fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// `[a,b,c]` with `digits` decimals, for the JSON result files.
pub fn json_list(xs: &[f64], digits: usize) -> String {
    format!("[{}]", xs.iter().map(|x| format!("{x:.digits$}")).collect::<Vec<_>>().join(","))
}

/// Busy CPU time of the whole machine so far (all CPUs; idle, iowait and steal excluded), from
/// `/proc/stat`'s `cpu` line, in nanoseconds (the kernel counts in clock ticks, 10 ms).
pub fn machine_busy_ns() -> u64 {
    let text = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let f: Vec<u64> =
        text.lines().next().unwrap_or("").split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
    if f.len() < 8 {
        return 0;
    }
    let busy = f[..8].iter().sum::<u64>() - f[3] - f[4] - f[7];
    let tick = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    busy * (1_000_000_000 / tick)
}
