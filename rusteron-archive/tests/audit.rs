//! Soundness audit (archive): views handed out by safe calls keep what they point into alive,
//! whatever is dropped first. Before the fixes these read freed C memory.

use rusteron_archive::*;
use rusteron_client::testing::MediaDriverProcess;

/// `AeronArchiveContext::get_aeron` used to return a bare borrow of the client, which dangled
/// once the context and the caller's own client were dropped.
#[test]
fn archive_context_client_view_outlives_context_and_client() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let client_id = aeron.client_id();
    let ctx = AeronArchiveContext::new().unwrap();
    ctx.set_aeron(&aeron).unwrap();
    let view = ctx.get_aeron().expect("client set");
    assert_eq!(view.client_id(), client_id);
    drop(aeron);
    drop(ctx);
    let junk: Vec<Vec<u8>> = (0..1000).map(|i| vec![0xAB; 16 + i % 200]).collect();
    assert_eq!(view.client_id(), client_id);
    assert!(!view.is_closed());
    drop(junk);
}

/// `counters_reader_of` used to return a bare borrow of the client's counters reader, which
/// dangled (the CnC file unmapped) once the client was dropped.
#[test]
fn recording_pos_counters_reader_outlives_client() {
    let md = MediaDriverProcess::start().unwrap();
    let aeron = md.connect().unwrap();
    let reader = counters_reader_of(&aeron);
    let max = reader.max_counter_id();
    assert!(max > 0);
    drop(aeron);
    let junk: Vec<Vec<u8>> = (0..1000).map(|i| vec![0xAB; 16 + i % 200]).collect();
    assert_eq!(reader.max_counter_id(), max);
    // Reading a counter touches the mapped CnC file: a crash here if it was unmapped.
    assert_eq!(RecordingPos::find_counter_id_by_recording_id(&reader, 123_456, -1), -1);
    drop(junk);
}
