//! Shared pieces of the cluster tests: one cluster and one media driver per test binary (killed
//! and removed at exit), and a deterministic message workload checked byte for byte.
#![allow(dead_code)]

use rusteron_cluster::testing::*;
use rusteron_cluster::*;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

struct Shared {
    cluster: Mutex<Option<ClusterProcess>>,
    driver: Mutex<Option<MediaDriverProcess>>,
    endpoints: String,
    driver_dir: String,
}

static SHARED: OnceLock<Shared> = OnceLock::new();

extern "C" fn cleanup_at_exit() {
    if let Some(s) = SHARED.get() {
        drop(s.cluster.lock().unwrap_or_else(|e| e.into_inner()).take());
        drop(s.driver.lock().unwrap_or_else(|e| e.into_inner()).take());
    }
}

fn shared() -> &'static Shared {
    SHARED.get_or_init(|| {
        let _ = env_logger::builder().is_test(true).try_init();
        // RUSTERON_CLUSTER_SESSION_TIMEOUT (e.g. `30s`, set by scripts/memcheck.sh): the members'
        // session timeout. Under valgrind our client runs 20-50 times slower and reconnects to a
        // new leader up to ~17 s after a kill; with Aeron's 10 s default the new leader may close
        // the session first (seen once in a memcheck run). Unset: Aeron's default.
        let timeout = std::env::var("RUSTERON_CLUSTER_SESSION_TIMEOUT").ok().filter(|v| !v.is_empty());
        let props: Vec<(&str, &str)> =
            timeout.as_deref().map(|t| vec![("aeron.cluster.session.timeout", t)]).unwrap_or_default();
        let cluster = ClusterProcess::start_with(3, &props).expect("start the test cluster");
        // aeronmd dies with the thread that spawned it (parent-death signal): start it from a
        // thread that lives as long as the process, not from the first test's thread.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(MediaDriverProcess::start());
            loop {
                std::thread::park();
            }
        });
        let driver = rx.recv().unwrap().expect("start aeronmd");
        // SAFETY: registering a plain extern "C" function.
        unsafe { libc::atexit(cleanup_at_exit) };
        Shared {
            endpoints: cluster.ingress_endpoints(),
            driver_dir: driver.dir_str().to_string(),
            cluster: Mutex::new(Some(cluster)),
            driver: Mutex::new(Some(driver)),
        }
    })
}

/// The binary's cluster (started on first use), for the tests that signal members.
pub fn cluster() -> MutexGuard<'static, Option<ClusterProcess>> {
    shared().cluster.lock().unwrap_or_else(|e| e.into_inner())
}

/// The shared cluster's ingress endpoints.
pub fn endpoints() -> &'static str {
    &shared().endpoints
}

/// A started Aeron client on the binary's media driver.
pub fn aeron() -> Aeron {
    let ctx = AeronContext::new().unwrap();
    ctx.set_dir(&shared().driver_dir.as_str().into_c_string()).unwrap();
    let aeron = Aeron::new(&ctx).unwrap();
    aeron.start().unwrap();
    aeron
}

/// A context for the shared cluster.
pub fn context(aeron: &Aeron) -> AeronClusterContext {
    AeronClusterContext::new(aeron)
        // The test driver's default term is small; 1 MiB terms carry 64 KiB messages (the
        // maximum message is an eighth of a term).
        .ingress_channel("aeron:udp?term-length=1m")
        .ingress_endpoints(endpoints())
        .egress_channel("aeron:udp?endpoint=localhost:0")
        .message_timeout(Duration::from_secs(10))
}

/// A number from a counter (splitmix64).
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e3779b97f4a7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d049bb133111eb);
    x ^ (x >> 31)
}

/// The length of message `i` of a run: 1 B for the first, 64 KiB for the second, then mostly
/// small, some over the MTU (fragmented), a few up to 64 KiB.
pub fn message_len(seed: u64, i: u64) -> usize {
    match i {
        0 => 1,
        1 => 65536,
        _ => {
            let r = mix(seed ^ i.wrapping_mul(31));
            match r % 100 {
                0 => 16_384 + (r >> 8) as usize % (65_536 - 16_384 + 1),
                1..=9 => 1_024 + (r >> 8) as usize % (16_384 - 1_024),
                _ => 1 + (r >> 8) as usize % 1_024,
            }
        }
    }
}

/// Fills `buf` with message `i`: its index in the first 8 bytes (when it has 8), then bytes
/// derived from the seed and the index.
pub fn fill_message(seed: u64, i: u64, buf: &mut Vec<u8>) {
    let len = message_len(seed, i);
    buf.clear();
    let mut state = mix(seed.wrapping_add(i));
    while buf.len() < len {
        state = mix(state);
        buf.extend_from_slice(&state.to_le_bytes());
    }
    buf.truncate(len);
    if len >= 8 {
        buf[..8].copy_from_slice(&i.to_le_bytes());
    }
}

/// Sends `count` messages through `cluster` keeping at most `window` unanswered, and checks that
/// each echo comes once, in order, byte-identical. Fails after `timeout`.
pub fn echo_run(cluster: &mut AeronCluster, seed: u64, count: u64, window: u64, timeout: Duration) -> EchoStats {
    let deadline = std::time::Instant::now() + timeout;
    let mut sent = 0u64;
    let mut echoed = 0u64;
    let mut bytes = 0u64;
    let mut fragmented = 0u64;
    let mut out = Vec::new();
    let mut expected = Vec::new();
    let mut bad: Option<String> = None;
    let max_unfragmented = cluster.max_payload_length().min(1376 - 32);
    while echoed < count {
        assert!(std::time::Instant::now() < deadline, "echo run timed out: sent {sent}, echoed {echoed} of {count}");
        if sent < count && sent - echoed < window {
            fill_message(seed, sent, &mut out);
            match cluster.offer(&out) {
                Ok(_) => {
                    bytes += out.len() as u64;
                    if out.len() > max_unfragmented {
                        fragmented += 1;
                    }
                    sent += 1;
                }
                Err(e) => assert!(e.is_retryable(), "offer {sent}: {e}"),
            }
        }
        let mut on = |_s: i64, _t: i64, payload: &[u8], _h: &AeronHeader<'_>| {
            fill_message(seed, echoed, &mut expected);
            if bad.is_none() && payload != expected.as_slice() {
                bad = Some(format!(
                    "echo {echoed}: {} bytes, expected {} bytes{}",
                    payload.len(),
                    expected.len(),
                    if payload.len() >= 8 {
                        format!(" (its index field says {})", u64::from_le_bytes(payload[..8].try_into().unwrap()))
                    } else {
                        String::new()
                    }
                ));
            }
            echoed += 1;
        };
        let work = cluster.poll_egress_with(&mut on).unwrap();
        if let Some(b) = &bad {
            panic!("{b}");
        }
        if work == 0 && (sent == count || sent - echoed >= window) {
            std::thread::yield_now();
        }
    }
    EchoStats { count, bytes, fragmented }
}

/// What an echo run sent.
#[derive(Debug)]
pub struct EchoStats {
    pub count: u64,
    pub bytes: u64,
    pub fragmented: u64,
}

/// How many messages the echo test sends: `RUSTERON_CLUSTER_MESSAGES`, else `default`.
pub fn message_count(default: u64) -> u64 {
    std::env::var("RUSTERON_CLUSTER_MESSAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Asks the service for `(count, checksum)`; other egress messages are ignored.
pub fn query(cluster: &mut AeronCluster, timeout: Duration) -> (i64, u64) {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        match cluster.offer(QUERY) {
            Ok(_) => break,
            Err(e) => assert!(e.is_retryable(), "query: {e}"),
        }
        cluster.poll_egress_with(&mut |_s: i64, _t: i64, _p: &[u8], _h: &AeronHeader<'_>| {}).unwrap();
        assert!(std::time::Instant::now() < deadline, "query not sent in {timeout:?}");
    }
    let mut answer = None;
    while answer.is_none() {
        cluster
            .poll_egress_with(&mut |_s: i64, _t: i64, p: &[u8], _h: &AeronHeader<'_>| {
                if let Some(a) = parse_answer(p) {
                    answer = Some(a);
                }
            })
            .unwrap();
        assert!(std::time::Instant::now() < deadline, "no answer to the query in {timeout:?}");
        std::thread::yield_now();
    }
    answer.unwrap()
}
