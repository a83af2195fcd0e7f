//! The cluster client against a real three-member Java cluster (one per test binary, shared by
//! these tests): echo of many messages, try_claim and offer_parts, controlled polls, snapshot
//! admin request, authentication, bad input, a panicking listener. Each test has its own session
//! and its own deadline.

mod common;

use common::*;
use rusteron_cluster::testing::*;
use rusteron_cluster::*;
use std::time::{Duration, Instant};

fn connect() -> (Aeron, AeronCluster) {
    let aeron = aeron();
    let cluster = AeronCluster::connect(context(&aeron)).expect("connect to the shared cluster");
    (aeron, cluster)
}

/// Issue test 1: messages of 1 B to 64 KiB (fragmented ones included), each echoed once, in
/// order, byte-identical. `cargo test` sends 10,000 (RUSTERON_CLUSTER_MESSAGES overrides;
/// `just cluster-check` sends 100,000).
#[test]
fn every_message_is_echoed_once_in_order_byte_identical() {
    let (_aeron, mut cluster) = connect();
    let count = message_count(10_000);
    let start = Instant::now();
    let stats = echo_run(&mut cluster, 0x5eed, count, 256, Duration::from_secs(600));
    let elapsed = start.elapsed();
    eprintln!(
        "echoed {} messages ({} fragmented, {:.1} MB) in {elapsed:?}: {:.0} msg/s",
        stats.count,
        stats.fragmented,
        stats.bytes as f64 / 1e6,
        stats.count as f64 / elapsed.as_secs_f64()
    );
    assert!(stats.fragmented > 0, "the run must include fragmented messages");
    assert_eq!(cluster.state(), ClusterState::Connected);
    cluster.close();
    assert!(cluster.is_closed());
    assert_eq!(cluster.offer(b"after close").unwrap_err().kind(), AeronErrorType::PublicationClosed);
}

#[test]
fn try_claim_and_offer_parts_send_the_payload_behind_the_session_header() {
    let (_aeron, mut cluster) = connect();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match cluster.try_claim(11) {
            Ok(mut claim) => {
                claim.data().copy_from_slice(b"try-claimed");
                claim.commit().unwrap();
                break;
            }
            Err(e) => assert!(e.is_retryable(), "{e}"),
        }
        assert!(Instant::now() < deadline);
    }
    while let Err(e) = cluster.offer_parts(&[b"gathered ", b"from ", b"three"]) {
        assert!(e.is_retryable(), "{e}");
        assert!(Instant::now() < deadline);
    }
    let mut got: Vec<Vec<u8>> = Vec::new();
    assert!(poll_until(&mut cluster, Duration::from_secs(20), |c| {
        c.poll_egress_with(&mut |_s: i64, _t: i64, p: &[u8], _h: &AeronHeader<'_>| got.push(p.to_vec())).unwrap();
        got.len() >= 2
    })
    .unwrap());
    assert_eq!(got, vec![b"try-claimed".to_vec(), b"gathered from three".to_vec()]);
    // Too many parts, and a claim larger than a frame: refused, naming why.
    let parts = [b"x".as_slice(); MAX_OFFER_PARTS + 1];
    let e = cluster.offer_parts(&parts).unwrap_err();
    assert_eq!(e.cluster_error_kind(), Some(ClusterErrorKind::InvalidArgument), "{e}");
    let e = cluster.try_claim(100_000).unwrap_err();
    assert_eq!(e.cluster_error_kind(), Some(ClusterErrorKind::MessageTooLong), "{e}");
}

/// A controlled listener that aborts a message gets it again; session id and timestamps are
/// the session's.
#[test]
fn controlled_poll_redelivers_an_aborted_message() {
    let (_aeron, mut cluster) = connect();
    let big = vec![7u8; 5000]; // fragmented
    let deadline = Instant::now() + Duration::from_secs(30);
    for m in [b"first".to_vec(), big.clone()] {
        while let Err(e) = cluster.offer(&m) {
            assert!(e.is_retryable(), "{e}");
            assert!(Instant::now() < deadline);
        }
    }
    let session = cluster.cluster_session_id();
    let mut seen: Vec<(usize, bool)> = Vec::new();
    let mut aborted = 0;
    assert!(poll_until(&mut cluster, Duration::from_secs(20), |c| {
        c.controlled_poll_egress_with(&mut |s: i64, ts: i64, p: &[u8], _h: &AeronHeader<'_>| {
            assert_eq!(s, session);
            assert!(ts > 0);
            if aborted < 2 {
                aborted += 1;
                seen.push((p.len(), false));
                return bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_ABORT;
            }
            seen.push((p.len(), true));
            bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_CONTINUE
        })
        .unwrap();
        seen.iter().filter(|s| s.1).count() >= 2
    })
    .unwrap());
    let accepted: Vec<usize> = seen.iter().filter(|s| s.1).map(|s| s.0).collect();
    assert_eq!(accepted, vec![5, 5000], "aborted messages come again, reassembled: {seen:?}");
    // No controlled listener on the context: an error that says so.
    let e = cluster.controlled_poll_egress().unwrap_err();
    assert!(e.to_string().contains("controlled egress listener"), "{e}");
}

#[test]
fn snapshot_admin_request_is_answered_ok() {
    let (_aeron, mut cluster) = connect();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cluster.send_admin_request_to_take_a_snapshot(4242).unwrap() {
        assert!(Instant::now() < deadline);
        cluster.poll_egress().unwrap();
    }
    struct L(Option<(i64, AdminRequestType, AdminResponseCode, String)>);
    impl EgressListener for L {
        fn on_message(&mut self, _: i64, _: i64, _: &[u8], _: &AeronHeader<'_>) {}
        fn on_admin_response(&mut self, r: &AdminResponse<'_>) {
            self.0 = Some((r.correlation_id, r.request_type, r.response_code, r.message.to_string()));
        }
    }
    let mut l = L(None);
    assert!(poll_until(&mut cluster, Duration::from_secs(30), |c| {
        c.poll_egress_with(&mut l).unwrap();
        l.0.is_some()
    })
    .unwrap());
    let (id, kind, code, message) = l.0.unwrap();
    assert_eq!((id, kind, code), (4242, AdminRequestType::SNAPSHOT, AdminResponseCode::OK), "{message}");
    // Keep-alives are accepted as well.
    assert!(cluster.send_keep_alive().unwrap());
}

/// Issue test 5: the fixture's authenticator challenges AUTH_USER; the right answer connects,
/// a wrong answer and an unknown credential are rejected with errors that say so.
#[test]
fn authentication_with_a_challenge_accepts_the_good_credential_and_rejects_bad_ones() {
    let aeron = aeron();
    let good = StaticCredentials { credentials: AUTH_USER.to_vec(), challenge_answer: AUTH_ANSWER.to_vec() };
    struct Recording(StaticCredentials, std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>);
    impl ClusterCredentialsSupplier for Recording {
        fn encoded_credentials(&mut self) -> Vec<u8> {
            self.0.encoded_credentials()
        }
        fn on_challenge(&mut self, challenge: &[u8]) -> Vec<u8> {
            self.1.lock().unwrap().push(challenge.to_vec());
            self.0.on_challenge(challenge)
        }
    }
    let challenges = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut cluster =
        AeronCluster::connect(context(&aeron).credentials_supplier(Recording(good, challenges.clone()))).unwrap();
    assert_eq!(challenges.lock().unwrap().as_slice(), &[AUTH_CHALLENGE.to_vec()]);
    assert_eq!(cluster.state(), ClusterState::Connected);
    cluster.close();

    let wrong_answer = StaticCredentials { credentials: AUTH_USER.to_vec(), challenge_answer: b"guess".to_vec() };
    let e = AeronCluster::connect(context(&aeron).credentials_supplier(wrong_answer)).unwrap_err();
    assert_eq!(e.cluster_error_kind(), Some(ClusterErrorKind::AuthenticationRejected), "{e}");
    assert!(e.to_string().contains("authentication rejected"), "{e}");

    let unknown = StaticCredentials { credentials: b"mallory".to_vec(), challenge_answer: vec![] };
    let start = Instant::now();
    let e = AeronCluster::connect(context(&aeron).credentials_supplier(unknown)).unwrap_err();
    assert_eq!(e.cluster_error_kind(), Some(ClusterErrorKind::AuthenticationRejected), "{e}");
    assert!(start.elapsed() < Duration::from_secs(10));
}

/// Issue test 6: bad input gets an error naming it, no panic, nothing sent.
#[test]
fn bad_input_is_refused_with_errors_naming_it() {
    let aeron = aeron();
    let cases: Vec<(AeronClusterContext, &str)> = vec![
        (context(&aeron).ingress_endpoints(""), "ingress endpoints are empty"),
        (context(&aeron).ingress_endpoints("0=localhost:20002,1localhost:20102"), "has no '='"),
        (context(&aeron).ingress_endpoints("0=localhost:20002,0=localhost:20102"), "repeats a member id"),
        (context(&aeron).ingress_endpoints("zero=localhost:20002"), "member id that is not a number"),
        (context(&aeron).ingress_endpoints("0=localhost"), "has no port"),
        (context(&aeron).ingress_stream_id(-5), "ingress stream id must not be negative (got -5)"),
        (context(&aeron).egress_stream_id(-1), "egress stream id must not be negative (got -1)"),
        (context(&aeron).ingress_channel(""), "ingress channel must be set"),
        (context(&aeron).egress_channel("udp://nope"), "egress channel \"udp://nope\" is not an Aeron channel"),
        (context(&aeron).ingress_channel("aeron:ipc"), "must not be set with an IPC ingress"),
        (context(&aeron).message_timeout(Duration::ZERO), "message timeout must be greater than zero"),
    ];
    for (ctx, says) in cases {
        let e = AeronCluster::connect(ctx).unwrap_err();
        assert_eq!(e.cluster_error_kind(), Some(ClusterErrorKind::InvalidArgument), "{e}");
        assert!(e.to_string().contains(says), "expected {says:?} in: {e}");
    }

    // An over-long message: refused, and nothing of it reaches the service.
    let mut cluster = AeronCluster::connect(context(&aeron)).unwrap();
    let max = cluster.max_payload_length();
    assert!(max >= 65536, "max payload {max}");
    let too_long = vec![1u8; max + 1];
    let e = cluster.offer(&too_long).unwrap_err();
    assert_eq!(e.cluster_error_kind(), Some(ClusterErrorKind::MessageTooLong), "{e}");
    assert!(e.to_string().contains(&format!("{} bytes", max + 1)), "{e}");
    let e = cluster.offer_parts(&[&too_long[..10], &too_long[10..]]).unwrap_err();
    assert_eq!(e.cluster_error_kind(), Some(ClusterErrorKind::MessageTooLong), "{e}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while let Err(e) = cluster.offer(b"marker") {
        assert!(e.is_retryable(), "{e}");
        assert!(Instant::now() < deadline);
    }
    let mut got = Vec::new();
    assert!(poll_until(&mut cluster, Duration::from_secs(20), |c| {
        c.poll_egress_with(&mut |_s: i64, _t: i64, p: &[u8], _h: &AeronHeader<'_>| got.push(p.to_vec())).unwrap();
        !got.is_empty()
    })
    .unwrap());
    assert_eq!(got, vec![b"marker".to_vec()], "only the marker was sent");
}

/// Issue test 4, second half: no cluster at the endpoints: the connect fails within its message
/// timeout with an error that names the step and the endpoints.
#[test]
fn connect_to_no_cluster_times_out_naming_what_happened() {
    let aeron = aeron();
    let p1 = find_unused_udp_port(41_000).unwrap();
    let p2 = find_unused_udp_port(41_000).unwrap();
    let endpoints = format!("0=localhost:{p1},1=localhost:{p2}");
    let ctx = AeronClusterContext::new(&aeron)
        .ingress_channel("aeron:udp")
        .ingress_endpoints(endpoints.clone())
        .egress_channel("aeron:udp?endpoint=localhost:0")
        .message_timeout(Duration::from_secs(2));
    let start = Instant::now();
    let e = AeronCluster::connect(ctx).unwrap_err();
    let took = start.elapsed();
    assert_eq!(e.cluster_error_kind(), Some(ClusterErrorKind::TimedOut), "{e}");
    let text = e.to_string();
    for part in ["cluster connect timeout", "AwaitPublicationConnected", &endpoints, "not connected"] {
        assert!(text.contains(part), "expected {part:?} in: {text}");
    }
    assert!(took >= Duration::from_secs(2) && took < Duration::from_secs(4), "took {took:?}");
}

/// The async connect goes through its steps and is polled to completion.
#[test]
fn async_connect_reports_its_steps() {
    let aeron = aeron();
    let mut connect = AeronClusterAsyncConnect::new(context(&aeron)).unwrap();
    let mut steps = vec![connect.step()];
    let deadline = Instant::now() + Duration::from_secs(20);
    let cluster = loop {
        if let Some(c) = connect.poll().unwrap() {
            break c;
        }
        if steps.last() != Some(&connect.step()) {
            steps.push(connect.step());
        }
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_micros(200));
    };
    assert_eq!(connect.step(), ClusterConnectStep::Done);
    assert!(connect.poll().is_err(), "polling a finished connect is an error");
    use ClusterConnectStep::*;
    for s in [CreateEgressSubscription, AwaitPublicationConnected, PollResponse] {
        assert!(steps.contains(&s), "{steps:?}");
    }
    assert!(cluster.leader_member_id() >= 0);
}

/// A panicking listener: the panic reaches the caller of poll_egress (not C), the message it
/// panicked on is delivered again by the next poll, and the session goes on.
#[test]
fn a_panicking_listener_resumes_in_the_caller_and_the_session_goes_on() {
    let (_aeron, mut cluster) = connect();
    let deadline = Instant::now() + Duration::from_secs(20);
    for m in [b"boom".as_slice(), b"after"] {
        while let Err(e) = cluster.offer(m) {
            assert!(e.is_retryable(), "{e}");
            assert!(Instant::now() < deadline);
        }
    }
    let mut got: Vec<Vec<u8>> = Vec::new();
    let mut panicked = false;
    while got.len() < 2 && Instant::now() < deadline {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            cluster.poll_egress_with(&mut |_s: i64, _t: i64, p: &[u8], _h: &AeronHeader<'_>| {
                if p == b"boom" && !panicked {
                    panicked = true;
                    panic!("listener panic");
                }
                got.push(p.to_vec());
            })
        }));
        if let Err(p) = r {
            assert_eq!(p.downcast_ref::<&str>(), Some(&"listener panic"));
        }
    }
    assert!(panicked);
    assert_eq!(got, vec![b"boom".to_vec(), b"after".to_vec()], "the message the listener panicked on comes again");
    assert_eq!(cluster.state(), ClusterState::Connected);
}

/// A session moves to another thread with handoff (and not while a clone of its subscription
/// exists).
#[test]
fn handoff_moves_a_session_to_another_thread() {
    let (_aeron, cluster) = connect();
    let parcel = cluster.handoff().expect("sole handle");
    let echoed = std::thread::spawn(move || {
        let mut cluster = parcel.into_inner();
        let deadline = Instant::now() + Duration::from_secs(20);
        while let Err(e) = cluster.offer(b"from another thread") {
            assert!(e.is_retryable() && Instant::now() < deadline, "offer from another thread: {e}");
        }
        let mut got = None;
        poll_until(&mut cluster, Duration::from_secs(20), |c| {
            c.poll_egress_with(&mut |_s: i64, _t: i64, p: &[u8], _h: &AeronHeader<'_>| got = Some(p.to_vec())).unwrap();
            got.is_some()
        })
        .unwrap();
        got
    })
    .join()
    .unwrap();
    assert_eq!(echoed.as_deref(), Some(b"from another thread".as_slice()));
}

/// Connecting through a follower only: it answers REDIRECT with the members' endpoints, and the
/// connect follows it to the leader.
#[test]
fn a_connect_through_a_follower_is_redirected_to_the_leader() {
    let aeron = aeron();
    let (leader, follower_endpoint) = {
        let mut guard = cluster();
        let c = guard.as_mut().unwrap();
        let leader = c.wait_for_leader(Duration::from_secs(30)).unwrap();
        let follower = (0..c.member_count()).find(|m| *m != leader).unwrap();
        (leader, format!("{follower}=localhost:{}", c.ingress_port(follower)))
    };
    let ctx = context(&aeron).ingress_endpoints(follower_endpoint.clone());
    let mut connect = AeronClusterAsyncConnect::new(ctx).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut polled_response_twice = 0;
    let mut last = connect.step();
    let cluster = loop {
        if let Some(c) = connect.poll().unwrap() {
            break c;
        }
        let step = connect.step();
        if last == ClusterConnectStep::PollResponse && step == ClusterConnectStep::AwaitPublicationConnected {
            polled_response_twice += 1; // the redirect sent it back to connect to the leader
        }
        last = step;
        assert!(Instant::now() < deadline, "connect via {follower_endpoint} stuck in {step:?}");
        std::thread::sleep(Duration::from_micros(200));
    };
    assert_eq!(cluster.leader_member_id() as usize, leader);
    assert_eq!(polled_response_twice, 1, "one redirect");
}
