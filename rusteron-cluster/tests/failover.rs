//! Failover against a real three-member Java cluster of this binary's own, in one test whose
//! phases run in order (each kills or freezes members): interop with Aeron's Java client (issue
//! test 7), leader SIGKILLed mid-stream (2), leader frozen with SIGSTOP then resumed (3), whole
//! cluster down (4). The kill moment is random (seed printed; RUSTERON_CLUSTER_SEED repeats it).
//!
//! Cluster timeouts: Aeron's defaults (leader heartbeat timeout 10 s, session timeout 10 s,
//! election timeout 1 s); the client's message timeout 10 s, new-leader timeout 20 s (twice the
//! leader heartbeat timeout the cluster reports) except in the last phase (8 s).

mod common;

use common::*;
use rusteron_cluster::testing::*;
use rusteron_cluster::*;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Transitions = Arc<Mutex<Vec<(ClusterState, ClusterState, Instant)>>>;

fn connect(aeron: &Aeron, new_leader_timeout: Option<Duration>) -> (AeronCluster, Transitions) {
    let transitions: Transitions = Arc::default();
    let t = transitions.clone();
    let mut ctx = context(aeron).state_listener(move |old, new| t.lock().unwrap().push((old, new, Instant::now())));
    if let Some(d) = new_leader_timeout {
        ctx = ctx.new_leader_timeout(d);
    }
    (AeronCluster::connect(ctx).expect("connect"), transitions)
}

fn index_of(payload: &[u8]) -> u64 {
    u64::from_le_bytes(payload[..8].try_into().unwrap())
}

/// Messages of the failover phases: at least 8 bytes (they carry their index), up to 256.
fn small_message(seed: u64, i: u64, buf: &mut Vec<u8>) {
    let len = 8 + (mix(seed ^ i) % 249) as usize;
    buf.clear();
    buf.extend_from_slice(&i.to_le_bytes());
    let mut s = mix(seed.wrapping_add(i));
    while buf.len() < len {
        s = mix(s);
        buf.push(s as u8);
    }
}

#[test]
fn the_session_survives_leader_kill_and_freeze_and_closes_when_the_cluster_is_gone() {
    let test_deadline = Instant::now() + Duration::from_secs(600);
    let seed = std::env::var("RUSTERON_CLUSTER_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    eprintln!("failover seed {seed} (RUSTERON_CLUSTER_SEED={seed} repeats it)");
    let _ = endpoints(); // starts the cluster
    let aeron = aeron();
    let (mut client, transitions) = connect(&aeron, None);
    eprintln!("connected: session {} leader {}", client.cluster_session_id(), client.leader_member_id());

    // ---- Issue test 7: Aeron's Java client and ours at once.
    let (count0, _) = query(&mut client, Duration::from_secs(30));
    let java_count = 1000usize;
    let mut java = cluster().as_ref().unwrap().spawn_java_client(java_count, 64, 0x4a415641).unwrap();
    let mut rust_sent = 0u64;
    let mut rust_echoed = 0u64;
    let mut buf = Vec::new();
    let java_deadline = Instant::now() + Duration::from_secs(120);
    let java_status = loop {
        if let Some(status) = java.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < java_deadline, "the Java client did not finish in 120 s");
        if rust_sent == rust_echoed {
            small_message(seed, rust_sent, &mut buf);
            if client.offer(&buf).is_ok() {
                rust_sent += 1;
            }
        }
        client
            .poll_egress_with(&mut |_s: i64, _t: i64, p: &[u8], _h: &AeronHeader<'_>| {
                assert_eq!(index_of(p), rust_echoed, "our echoes in order");
                rust_echoed += 1;
            })
            .unwrap();
        std::thread::sleep(Duration::from_micros(500));
    };
    let mut out = String::new();
    std::io::Read::read_to_string(java.stdout.as_mut().unwrap(), &mut out).unwrap();
    assert!(java_status.success(), "Java client failed: {out}");
    assert!(out.contains(&format!("java-client sent={java_count} echoed={java_count} in-order=true")), "{out}");
    while rust_echoed < rust_sent {
        client
            .poll_egress_with(&mut |_s: i64, _t: i64, p: &[u8], _h: &AeronHeader<'_>| {
                assert_eq!(index_of(p), rust_echoed);
                rust_echoed += 1;
            })
            .unwrap();
        assert!(Instant::now() < test_deadline);
    }
    let (count1, checksum_before_kill) = query(&mut client, Duration::from_secs(30));
    assert_eq!(count1 - count0, java_count as i64 + rust_sent as i64, "the service applied both sessions' messages");
    eprintln!(
        "interop: Java client {java_count} and ours {rust_sent} messages, both echoed in order; service count +{}",
        count1 - count0
    );

    // ---- Issue test 2: leader SIGKILLed mid-stream.
    let total: u64 = message_count(20_000).min(20_000);
    let kill_after = total / 10 + mix(seed) % (total / 3);
    let old_leader = client.leader_member_id();
    let mut next_expected = 0u64; // first index not yet echoed
    let mut sent = 0u64;
    let mut duplicate_echoes = 0u64;
    let mut killed_at: Option<(Instant, u64)> = None;
    let mut reconnected_at: Option<Instant> = None;
    let mut first_echo_after: Option<Instant> = None;
    let mut resend_from = 0u64;
    let window = 64;
    while next_expected < total {
        assert!(Instant::now() < test_deadline, "kill phase: echoed {next_expected} of {total}");
        if killed_at.is_none() && next_expected >= kill_after {
            cluster().as_mut().unwrap().kill(old_leader as usize);
            killed_at = Some((Instant::now(), next_expected));
            eprintln!("killed leader {old_leader} after {next_expected} echoes ({sent} sent)");
        }
        let connected_to_new = client.state() == ClusterState::Connected && client.leader_member_id() != old_leader;
        if killed_at.is_some() && reconnected_at.is_none() && connected_to_new {
            reconnected_at = Some(Instant::now());
            // Resend everything not echoed, from the first one.
            eprintln!(
                "reconnected to leader {}; resending from {next_expected} ({} were sent after it)",
                client.leader_member_id(),
                sent - next_expected
            );
            sent = next_expected;
            resend_from = next_expected;
        }
        let may_send = killed_at.is_none() || reconnected_at.is_some();
        if may_send && sent < total && sent - next_expected < window {
            small_message(seed, sent, &mut buf);
            match client.offer(&buf) {
                Ok(_) => sent += 1,
                Err(e) => assert!(e.is_retryable() || e.kind() == AeronErrorType::PublicationClosed, "offer: {e}"),
            }
        }
        let mut gap = None;
        client
            .poll_egress_with(&mut |_s: i64, _t: i64, p: &[u8], _h: &AeronHeader<'_>| {
                let i = index_of(p);
                let mut expected = Vec::new();
                small_message(seed, i, &mut expected);
                assert_eq!(p, expected.as_slice(), "echo {i} byte-identical");
                if i == next_expected {
                    next_expected += 1;
                    if reconnected_at.is_some() && first_echo_after.is_none() {
                        first_echo_after = Some(Instant::now());
                    }
                } else if i < next_expected {
                    duplicate_echoes += 1;
                } else {
                    gap = Some(i);
                }
            })
            .unwrap();
        assert_eq!(gap, None, "an echo skipped ahead of {next_expected}");
        assert_ne!(client.state(), ClusterState::Closed, "the session closed during the kill phase");
    }
    let (t_kill, echoed_before_kill) = killed_at.unwrap();
    let failover = reconnected_at.unwrap() - t_kill;
    let first_echo = first_echo_after.unwrap() - t_kill;
    let new_leader = client.leader_member_id();
    let (count2, checksum2) = query(&mut client, Duration::from_secs(30));
    let applied = (count2 - count1) as u64;
    assert!(applied >= total, "service applied {applied} of {total}");
    // Echoes of the old leader can still arrive after the kill (they were on their way): the
    // resend starts after the last of them. The service must hold the echoed prefix, then k
    // messages it applied without an echo reaching us, then the resend.
    let k = applied - total;
    let mut h = checksum_before_kill;
    for i in (0..resend_from + k).chain(resend_from..total) {
        small_message(seed, i, &mut buf);
        h = fold_checksum(h, &buf);
    }
    assert_eq!(
        h, checksum2,
        "service state = the {resend_from} echoed before the resend ({echoed_before_kill} before the kill), {k} applied \
         without echo, then the resend of {resend_from}..{total}"
    );
    eprintln!(
        "KILL: leader {old_leader} killed after {echoed_before_kill} echoes ({} more arrived after the kill); new leader \
         {new_leader}; client connected to it {failover:?} after the kill, first echo {first_echo:?}; duplicates \
         applied by the resend: {k}; echo duplicates seen: {duplicate_echoes}; service checksum matches",
        resend_from - echoed_before_kill
    );

    // ---- Issue test 3: leader frozen (SIGSTOP), resumed later.
    cluster().as_mut().unwrap().restart(old_leader as usize).unwrap();
    // Wait until the restarted member's service reports a role (it has joined), keeping the
    // session alive meanwhile.
    let rejoin_deadline = Instant::now() + Duration::from_secs(60);
    while cluster().as_mut().unwrap().role(old_leader as usize).is_none() && Instant::now() < rejoin_deadline {
        let _ = client.send_keep_alive();
        client.poll_egress_with(&mut |_s: i64, _t: i64, _p: &[u8], _h: &AeronHeader<'_>| {}).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    // Freeze at a random moment of a stream of messages (0-2 s into it).
    let freeze_in = Duration::from_millis(mix(seed ^ 0xf00d) % 2000);
    let stream_start = Instant::now();
    let (mut s_sent, mut s_echoed) = (0u64, 0u64);
    while stream_start.elapsed() < freeze_in {
        if s_sent - s_echoed < 16 {
            small_message(seed ^ 0x5717, s_sent, &mut buf);
            if client.offer(&buf).is_ok() {
                s_sent += 1;
            }
        }
        client.poll_egress_with(&mut |_s: i64, _t: i64, _p: &[u8], _h: &AeronHeader<'_>| s_echoed += 1).unwrap();
    }
    let frozen = client.leader_member_id();
    cluster().as_mut().unwrap().freeze(frozen as usize).unwrap();
    let t_freeze = Instant::now();
    let freeze_deadline = t_freeze + Duration::from_secs(90);
    while !(client.state() == ClusterState::Connected && client.leader_member_id() != frozen) {
        assert!(
            Instant::now() < freeze_deadline,
            "no new leader followed within 90 s of the freeze: {:?}",
            client.state()
        );
        assert_ne!(client.state(), ClusterState::Closed);
        client.poll_egress_with(&mut |_s: i64, _t: i64, _p: &[u8], _h: &AeronHeader<'_>| {}).unwrap();
        std::thread::sleep(Duration::from_micros(200));
    }
    let freeze_failover = t_freeze.elapsed();
    let after_freeze = client.leader_member_id();
    cluster().as_mut().unwrap().resume(frozen as usize).unwrap();
    let t_resume = Instant::now();
    let rejoined = loop {
        let role = cluster().as_mut().unwrap().role(frozen as usize);
        if role.as_deref() == Some("FOLLOWER") {
            break t_resume.elapsed();
        }
        if t_resume.elapsed() >= Duration::from_secs(90) {
            let mut c = cluster();
            let c = c.as_mut().unwrap();
            panic!(
                "old leader {frozen} did not rejoin as follower: role {role:?}, running {}; members:\n{}",
                c.is_running(frozen as usize),
                c.log_tails(25)
            );
        }
        let _ = client.send_keep_alive();
        client.poll_egress_with(&mut |_s: i64, _t: i64, _p: &[u8], _h: &AeronHeader<'_>| {}).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    };
    // The session survived: echo a run through the new leader.
    // Echoes of the stream still on their way are read by the query loop; the service applied
    // at least the echoed ones and at most all that were offered.
    let (count3, _) = query(&mut client, Duration::from_secs(30));
    let streamed = (count3 - count2) as u64;
    assert!(s_echoed <= streamed && streamed <= s_sent, "applied {streamed}, offered {s_sent}, echoed {s_echoed}");
    let stats = echo_run(&mut client, seed ^ 0xf4ee2e, 500, 64, Duration::from_secs(60));
    assert_eq!(client.state(), ClusterState::Connected);
    eprintln!(
        "FREEZE: leader {frozen} frozen {freeze_in:?} into a stream ({s_sent} offered, {s_echoed} echoed before the \
         freeze, {streamed} applied); client connected to new leader {after_freeze} {freeze_failover:?} later; old \
         leader resumed and rejoined as FOLLOWER {rejoined:?} after SIGCONT; {} messages echoed afterwards on the same \
         session {}",
        stats.count,
        client.cluster_session_id()
    );

    // ---- Issue test 4, first half: the whole cluster goes down under a connected session.
    drop(client);
    let (mut client, transitions2) = connect(&aeron, Some(Duration::from_secs(8)));
    let t_down = Instant::now();
    for id in 0..3 {
        cluster().as_mut().unwrap().kill(id);
    }
    let mut refused = 0u64;
    while client.state() != ClusterState::Closed {
        assert!(t_down.elapsed() < Duration::from_secs(60), "still {:?} 60 s after the cluster died", client.state());
        if let Err(e) = client.offer(b"anyone?") {
            assert!(e.is_retryable() || e.kind() == AeronErrorType::PublicationClosed, "{e}");
            refused += 1;
        }
        client.poll_egress_with(&mut |_s: i64, _t: i64, _p: &[u8], _h: &AeronHeader<'_>| {}).unwrap();
        std::thread::sleep(Duration::from_millis(1));
    }
    let closed_after = t_down.elapsed();
    let states: Vec<(ClusterState, ClusterState)> = transitions2.lock().unwrap().iter().map(|t| (t.0, t.1)).collect();
    assert_eq!(
        states,
        vec![
            (ClusterState::Connected, ClusterState::AwaitNewLeader),
            (ClusterState::AwaitNewLeader, ClusterState::Closed)
        ]
    );
    assert_eq!(client.offer(b"late").unwrap_err().kind(), AeronErrorType::PublicationClosed);
    let e = client.send_keep_alive().unwrap_err();
    assert_eq!(e.cluster_error_kind(), Some(ClusterErrorKind::SessionClosed), "{e}");
    eprintln!("DOWN: all members killed; session closed {closed_after:?} later (new-leader timeout 8 s); {refused} offers refused meanwhile");
    let first: Vec<(ClusterState, ClusterState)> = transitions.lock().unwrap().iter().map(|t| (t.0, t.1)).collect();
    assert!(first.contains(&(ClusterState::AwaitNewLeaderConnection, ClusterState::Connected)), "{first:?}");
}
