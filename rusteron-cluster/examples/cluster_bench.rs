//! `just bench-cluster`: ingress-to-egress round trip (p50/p99/p99.9/max) and sustained
//! throughput of our client and of Aeron's Java cluster client, against the same three-member
//! Java cluster in the same run, both on the same C media driver (aeronmd). Rounds alternate
//! Rust, Java, Rust, Java, ...
//!
//! Usage: cluster_bench [WARMUP COUNT SIZE MESSAGES WINDOW ROUNDS]
//! (defaults 2000 20000 32 100000 256 2). Writes the table to target/bench-results/cluster.md too.

use rusteron_cluster::testing::*;
use rusteron_cluster::*;
use std::time::{Duration, Instant};

struct Result {
    client: &'static str,
    p50: u64,
    p99: u64,
    p999: u64,
    max: u64,
    throughput: u64,
}

fn rust_round(ctx: AeronClusterContext, settings: &ClusterBenchSettings) -> std::result::Result<Result, AeronCError> {
    let ClusterBenchSettings { warmup, count, size, messages, window } = *settings;
    let mut cluster = AeronCluster::connect(ctx)?;
    let mut msg = vec![0u8; size.max(8)];
    let mut echoed = 0u64;
    let mut rtt = Vec::with_capacity(count);
    let deadline = Instant::now() + Duration::from_secs(600);
    for i in 0..warmup + count {
        let target = echoed + 1;
        msg[..8].copy_from_slice(&(i as u64).to_le_bytes());
        let start = Instant::now();
        while cluster.offer(&msg).is_err() {
            cluster.poll_egress_with(&mut |_s: i64, _t: i64, _p: &[u8], _h: &AeronHeader<'_>| echoed += 1)?;
            assert!(Instant::now() < deadline, "bench stuck");
        }
        while echoed < target {
            cluster.poll_egress_with(&mut |_s: i64, _t: i64, _p: &[u8], _h: &AeronHeader<'_>| echoed += 1)?;
            assert!(Instant::now() < deadline, "bench stuck");
        }
        if i >= warmup {
            rtt.push(start.elapsed().as_nanos() as u64);
        }
    }
    rtt.sort_unstable();
    let base = echoed;
    let mut sent = 0u64;
    let start = Instant::now();
    while echoed - base < messages as u64 {
        if sent < messages as u64 && sent - (echoed - base) < window as u64 {
            msg[..8].copy_from_slice(&sent.to_le_bytes());
            if cluster.offer(&msg).is_ok() {
                sent += 1;
            }
        }
        cluster.poll_egress_with(&mut |_s: i64, _t: i64, _p: &[u8], _h: &AeronHeader<'_>| echoed += 1)?;
        assert!(Instant::now() < deadline, "bench stuck");
    }
    let seconds = start.elapsed().as_secs_f64();
    cluster.close();
    Ok(Result {
        client: "rust (rusteron-cluster)",
        p50: rtt[count / 2],
        p99: rtt[count * 99 / 100],
        p999: rtt[count * 999 / 1000],
        max: rtt[count - 1],
        throughput: (messages as f64 / seconds) as u64,
    })
}

fn parse_java(line: &str) -> Result {
    let field = |name: &str| -> u64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Result {
        client: "java (io.aeron.cluster.client.AeronCluster 1.51.0)",
        p50: field("rtt_p50_ns"),
        p99: field("rtt_p99_ns"),
        p999: field("rtt_p999_ns"),
        max: field("rtt_max_ns"),
        throughput: field("throughput_msgs_per_s"),
    }
}

fn main() -> std::result::Result<(), AeronCError> {
    let _ = env_logger::try_init();
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().expect("numeric arguments")).collect();
    let arg = |i: usize, d: usize| args.get(i).copied().unwrap_or(d);
    let (warmup, count, size, messages, window, rounds) =
        (arg(0, 2000), arg(1, 20_000), arg(2, 32), arg(3, 100_000), arg(4, 256), arg(5, 2));
    println!("starting a three-member cluster and aeronmd ...");
    let cluster = ClusterProcess::start(3)?;
    let driver = MediaDriverProcess::start_with_env(&[("AERON_TERM_BUFFER_LENGTH", "1048576")])?;
    let aeron = driver.connect()?;
    let settings = ClusterBenchSettings { warmup, count, size, messages, window };
    let mut results = Vec::new();
    for round in 0..rounds {
        let ctx = cluster.context(&aeron).ingress_channel("aeron:udp?term-length=1m");
        let r = rust_round(ctx, &settings)?;
        println!("round {round} rust: p50 {} ns, p99 {} ns, throughput {} msg/s", r.p50, r.p99, r.throughput);
        results.push(r);
        let line = cluster.run_java_bench(driver.dir_str(), &settings, Duration::from_secs(900))?;
        let j = parse_java(&line);
        println!("round {round} java: p50 {} ns, p99 {} ns, throughput {} msg/s", j.p50, j.p99, j.throughput);
        results.push(j);
    }
    let mut table = format!(
        "Three-member Java cluster (aeron-all 1.51.0, SHARED threading, backoff idle) on localhost, clients on one \
         aeronmd (C, 1.54.0); {count} round trips of {size} B after {warmup} warm-up, then {messages} messages with \
         at most {window} unanswered. {} cores.\n\n| round | client | RTT p50 (µs) | p99 (µs) | p99.9 (µs) | max (µs) \
         | throughput (msg/s) |\n|---|---|---|---|---|---|---|\n",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
    for (i, r) in results.iter().enumerate() {
        table.push_str(&format!(
            "| {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {} |\n",
            i / 2,
            r.client,
            r.p50 as f64 / 1e3,
            r.p99 as f64 / 1e3,
            r.p999 as f64 / 1e3,
            r.max as f64 / 1e3,
            r.throughput
        ));
    }
    println!("\n{table}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-results");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("cluster.md"), &table);
    Ok(())
}
