//! The counters of a media driver: its system counters (bytes sent and received, NAKs, errors,
//! ...) and the per-stream positions, after some traffic of our own.
//!
//! `cargo run -p rusteron-client --example driver_stats -- [MESSAGES] [AERON_DIR]`

mod common;

use common::*;
use rusteron_client::*;
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_logging();
    let messages: u64 = arg(1, 10_000);
    let driver = Driver::new(arg_str(2), 64 * 1024)?;
    println!("{}", driver.describe());
    let aeron = driver.connect()?;
    let timeout = Duration::from_secs(10);
    let port = find_unused_udp_port(20600).ok_or("no free port")?;
    let channel = format!("aeron:udp?endpoint=localhost:{port}").into_c_string();
    let subscription = aeron.add_subscription(
        &channel,
        1080,
        no_available_image_handler(),
        no_unavailable_image_handler(),
        timeout,
    )?;
    let publication = aeron.add_publication(&channel, 1080, timeout)?;
    wait_for("the subscription", timeout, || publication.is_connected())?;
    let (mut sent, mut received) = (0u64, 0u64);
    wait_for("the traffic", Duration::from_secs(30), || {
        if sent < messages && publication.offer(&[7u8; 100]).is_ok() {
            sent += 1;
        }
        let _ = subscription.poll_fn(|_m, _h| received += 1, 100);
        received == messages
    })?;
    println!("{sent} messages of 100 bytes over {}\n", channel.to_string_lossy());

    let reader = aeron.counters_reader();
    println!("system counters:");
    for counter in AeronSystemCounterType::ALL {
        let value = reader.get_counter_value(counter.id())?;
        if value != 0 {
            println!("  {:>3} {:<40} {:>14}", counter.id(), reader.get_counter_label(counter.id())?, value);
        }
    }
    println!("(counters at 0 not shown)\n\nstream counters:");
    reader.foreach_counter_once(|value, id, type_id, _key, label| {
        if type_id != AERON_COUNTER_SYSTEM_COUNTER_TYPE_ID {
            println!("  {id:>3} type {type_id:>3} {label:<70} {value:>12}");
        }
    });
    let bytes_sent = reader.get_counter_value(AeronSystemCounterType::BytesSent.id())?;
    if bytes_sent < (sent * 100) as i64 {
        return Err(format!("bytes sent {bytes_sent} is less than the {} bytes of payload", sent * 100).into());
    }
    Ok(())
}
