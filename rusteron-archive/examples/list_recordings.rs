//! Print the catalog of an archive.
//!
//! Run: `just list-recordings CONTROL_CHANNEL [AERON_DIR]`, e.g.
//! `cargo run -p rusteron-archive --example list_recordings -- aeron:udp?endpoint=localhost:8010 /dev/shm/aeron-$USER`.
//! Without arguments it starts an embedded archive, records two small streams and lists them.

use rusteron_archive::testing::{wait_until, EmbeddedArchiveMediaDriverProcess};
use rusteron_archive::*;
use std::time::Duration;

fn print_catalog(archive: &AeronArchive) -> Result<(), AeronCError> {
    println!("{:>6} {:>10} {:>7} {:>12} {:>12} {:>10}  channel", "id", "session", "stream", "start", "stop", "term");
    let count = archive.list_recordings(0, i32::MAX, |d: AeronArchiveRecordingDescriptor| {
        println!(
            "{:>6} {:>10} {:>7} {:>12} {:>12} {:>10}  {}",
            d.recording_id,
            d.session_id,
            d.stream_id,
            d.start_position,
            d.stop_position,
            d.term_buffer_length,
            d.original_channel()
        )
    })?;
    println!("{count} recording(s)");
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // rusteron logs through the `log` crate: warnings and errors by default, more with
    // RUST_LOG (e.g. RUST_LOG=rusteron_client=debug,rusteron_archive=debug).
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let mut args = std::env::args().skip(1);
    if let Some(control_channel) = args.next() {
        let ctx = AeronArchiveContext::new()?;
        if let Some(dir) = args.next() {
            ctx.set_aeron_directory_name(&dir.into_c_string())?;
        }
        ctx.set_control_request_channel(&control_channel.as_str().into_c_string())?;
        ctx.set_control_response_channel(c"aeron:udp?endpoint=localhost:0")?;
        let archive = AeronArchive::connect(&ctx)?;
        println!("archive {} at {control_channel}", archive.get_archive_id());
        print_catalog(&archive)?;
        return Ok(());
    }
    let archive_process = EmbeddedArchiveMediaDriverProcess::start()?;
    let (aeron, archive) = archive_process.connect()?;
    for stream_id in [10, 20] {
        let sub = archive.start_recording(c"aeron:ipc", stream_id, SOURCE_LOCATION_LOCAL, false)?;
        let publication = aeron.add_exclusive_publication(c"aeron:ipc", stream_id, Duration::from_secs(10))?;
        let mut end = 0;
        let mut i = 0;
        while i < 100 * stream_id {
            if let Ok(p) = publication.offer(b"catalog entry") {
                end = p;
                i += 1;
            }
        }
        let id = archive.find_last_matching_recording(0, c"aeron:ipc", stream_id, publication.session_id())?;
        wait_until(Duration::from_secs(10), || archive.get_recording_position(id).unwrap_or(-1) >= end);
        archive.stop_recording_subscription(sub)?;
    }
    println!("embedded archive {} at {}", archive.get_archive_id(), archive_process.control_request_channel());
    print_catalog(&archive)?;
    Ok(())
}
