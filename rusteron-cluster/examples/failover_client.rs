//! A cluster client that connects, sends, and survives a leader kill (`just cluster-demo`).
//!
//! Usage: failover_client [SECONDS] [ENDPOINTS]
//!
//! With ENDPOINTS (`0=host:port,1=host:port,...`) it talks to a running cluster whose service
//! echoes each message, using the media driver in AERON_DIR (default: Aeron's). Without, it
//! starts a three-member test cluster and an aeronmd itself, and SIGKILLs the leader a quarter of the way
//! through, to show the session moving to the new leader.
//!
//! Each message carries a sequence number. A message counts as applied when its echo arrives;
//! when the session reaches a new leader, everything not yet echoed is sent again (the service
//! must tolerate the duplicates this can cause: see the crate docs).

use rusteron_cluster::testing::{ClusterProcess, MediaDriverProcess};
use rusteron_cluster::*;
use std::time::{Duration, Instant};

fn main() -> Result<(), AeronCError> {
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).try_init();
    let seconds: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(40);
    let endpoints = std::env::args().nth(2).filter(|s| !s.is_empty());
    let mut own: Option<(ClusterProcess, MediaDriverProcess)> = None;
    let aeron = match &endpoints {
        Some(_) => {
            let ctx = AeronContext::new()?;
            if let Ok(dir) = std::env::var("AERON_DIR") {
                ctx.set_dir(&dir.into_c_string())?;
            }
            let aeron = Aeron::new(&ctx)?;
            aeron.start()?;
            aeron
        }
        None => {
            println!("demo: starting three cluster members and aeronmd ...");
            let cluster = ClusterProcess::start(3)?;
            let driver = MediaDriverProcess::start_with_env(&[("AERON_TERM_BUFFER_LENGTH", "1048576")])?;
            let aeron = driver.connect()?;
            own = Some((cluster, driver));
            aeron
        }
    };
    let endpoints = endpoints.unwrap_or_else(|| own.as_ref().unwrap().0.ingress_endpoints());
    let started = Instant::now();
    let context = AeronClusterContext::new(&aeron)
        .ingress_channel("aeron:udp")
        .ingress_endpoints(endpoints.clone())
        .egress_channel("aeron:udp?endpoint=localhost:0")
        .message_timeout(Duration::from_secs(10))
        .state_listener(move |old, new| {
            println!("[{:>6.2}s] state {old:?} -> {new:?}", started.elapsed().as_secs_f64())
        });
    let mut cluster = AeronCluster::connect(context)?;
    println!(
        "connected to {endpoints}: session {}, leader member {}, term {}",
        cluster.cluster_session_id(),
        cluster.leader_member_id(),
        cluster.leadership_term_id()
    );
    let end = Instant::now() + Duration::from_secs(seconds);
    let kill_at = Instant::now() + Duration::from_secs(seconds / 4);
    let mut killed: Option<Instant> = None;
    let (mut sent, mut echoed, mut resent) = (0u64, 0u64, 0u64);
    let mut leader = cluster.leader_member_id();
    let mut last_send = Instant::now();
    let mut last_report = Instant::now();
    while Instant::now() < end && !cluster.is_closed() {
        if let (Some((members, _)), None) = (own.as_mut(), killed) {
            if Instant::now() >= kill_at {
                println!("[{:>6.2}s] demo: SIGKILL leader member {leader}", started.elapsed().as_secs_f64());
                members.kill(leader as usize);
                killed = Some(Instant::now());
            }
        }
        if cluster.state() == ClusterState::Connected && cluster.leader_member_id() != leader {
            leader = cluster.leader_member_id();
            resent += sent - echoed;
            println!(
                "[{:>6.2}s] now on leader {leader}{}; resending from #{echoed} ({} not echoed)",
                started.elapsed().as_secs_f64(),
                killed.map(|k| format!(", {:.1} s after the kill", k.elapsed().as_secs_f64())).unwrap_or_default(),
                sent - echoed
            );
            sent = echoed;
        }
        if cluster.state() == ClusterState::Connected
            && last_send.elapsed() >= Duration::from_millis(1)
            && sent - echoed < 100
        {
            let mut msg = [0u8; 16];
            msg[..8].copy_from_slice(&sent.to_le_bytes());
            if cluster.offer(&msg).is_ok() {
                sent += 1;
                last_send = Instant::now();
            }
        }
        cluster.poll_egress_with(&mut |_s: i64, _t: i64, p: &[u8], _h: &AeronHeader<'_>| {
            if p.len() == 16 && u64::from_le_bytes(p[..8].try_into().unwrap()) == echoed {
                echoed += 1;
            }
        })?;
        if last_report.elapsed() >= Duration::from_secs(5) {
            println!("[{:>6.2}s] echoed {echoed}", started.elapsed().as_secs_f64());
            last_report = Instant::now();
        }
        std::thread::sleep(Duration::from_micros(100));
    }
    println!(
        "done: {echoed} messages echoed in order, {resent} sent again after a change of leader, final state {:?}",
        cluster.state()
    );
    cluster.close();
    Ok(())
}
