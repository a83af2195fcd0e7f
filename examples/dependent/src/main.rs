//! Starts the C media driver that rusteron built, publishes one message over IPC and receives it.
//! Prints what it received and which linking it was built with; exits non-zero on any failure.
use rusteron_archive::testing::{wait_until, MediaDriverProcess};
use rusteron_archive::*;
use std::time::Duration;

fn main() -> Result<(), AeronCError> {
    let timeout = Duration::from_secs(10);
    let driver = MediaDriverProcess::start()?;
    let aeron = driver.connect()?;
    let channel = AERON_IPC_STREAM.into_c_string();
    let subscription =
        aeron.add_subscription(&channel, 4242, no_available_image_handler(), no_unavailable_image_handler(), timeout)?;
    let publication = aeron.add_publication(&channel, 4242, timeout)?;
    let message = format!("hello from a dependent crate, pid {}", std::process::id());
    if !wait_until(timeout, || publication.offer(message.as_bytes()).is_ok()) {
        return Err(AeronCError::with_message(-1, "the publication never accepted the message"));
    }
    let mut received = Vec::new();
    let got = wait_until(timeout, || {
        subscription.poll_once(|msg: &[u8], _header: AeronHeader<'_>| received.push(msg.to_vec()), 10).is_ok()
            && !received.is_empty()
    });
    if !got || received[0] != message.as_bytes() {
        return Err(AeronCError::with_message(-1, format!("expected {message:?}, received {received:?}")));
    }
    let linking = if cfg!(feature = "static") { "static" } else { "dynamic" };
    let precompiled = if cfg!(feature = "precompile") { ", precompiled Aeron" } else { "" };
    println!("dependent ok ({linking}{precompiled}): received {:?}", String::from_utf8_lossy(&received[0]));
    Ok(())
}

#[cfg(test)]
mod tests {
    /// `cargo test` of the dependent runs the same round trip.
    #[test]
    fn round_trip_through_the_built_driver() {
        super::main().expect("round trip");
    }
}
