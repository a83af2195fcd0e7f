//! Publish/subscribe round trips against a real `aeronmd`.

use rusteron_client::testing::*;
use rusteron_client::*;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

fn connected_pair(md: &MediaDriverProcess, channel: &str, stream: i32) -> (Aeron, AeronPublication, AeronSubscription) {
    let aeron = md.connect().expect("client connects");
    let sub = aeron
        .add_subscription(&channel.into_c_string(), stream, no_available_image_handler(), no_unavailable_image_handler(), TIMEOUT)
        .expect("subscription");
    let publication = aeron.add_publication(&channel.into_c_string(), stream, TIMEOUT).expect("publication");
    assert!(wait_until(TIMEOUT, || publication.is_connected() && sub.is_connected()), "pub/sub did not connect");
    (aeron, publication, sub)
}

fn round_trip(channel: &str) {
    let md = MediaDriverProcess::start().expect("driver");
    let (_aeron, publication, sub) = connected_pair(&md, channel, 1001);
    let n = 1000u64;
    let mut sent = 0u64;
    let mut received = Vec::new();
    let deadline = std::time::Instant::now() + TIMEOUT;
    while (received.len() as u64) < n {
        assert!(std::time::Instant::now() < deadline, "only {} of {n} messages arrived", received.len());
        if sent < n {
            match publication.offer(&sent.to_le_bytes()) {
                Ok(pos) => {
                    assert!(pos > 0);
                    sent += 1;
                }
                Err(e) => assert!(e.kind().is_retryable(), "offer failed: {e}"),
            }
        }
        sub.poll_once(|msg: &[u8], _h: AeronHeader<'_>| received.push(u64::from_le_bytes(msg.try_into().unwrap())), 100)
            .unwrap();
    }
    assert_eq!(received, (0..n).collect::<Vec<_>>());
}

#[test]
fn ipc_round_trip() {
    round_trip("aeron:ipc");
}

#[test]
fn udp_round_trip() {
    let port = find_unused_udp_port(20000).unwrap();
    round_trip(&format!("aeron:udp?endpoint=127.0.0.1:{port}"));
}
