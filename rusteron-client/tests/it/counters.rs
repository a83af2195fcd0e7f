//! Counters against a real `aeronmd`: add, set, increment, read back through the counters
//! reader, find by foreach and by type id, remove; system counter ids and labels.

use rusteron_client::testing::*;
use rusteron_client::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);
const TYPE_ID: i32 = 1101;

#[test]
fn counter_value_label_key_and_ids_read_back_through_the_reader() {
    let md = MediaDriverProcess::start().expect("driver");
    let aeron = md.connect().expect("client");
    let key = 42u64.to_le_bytes();
    let counter = aeron.add_counter(TYPE_ID, &key, "rusteron test counter", TIMEOUT).expect("counter added");
    assert!(!counter.is_closed());

    let constants = counter.get_constants().expect("constants");
    let id = constants.counter_id();
    assert!(id >= 0);
    assert_eq!(counter.counter_id(), id);
    assert_eq!(counter.registration_id(), constants.registration_id());
    assert_eq!(constants.registration_id(), constants.correlation_id(), "non-static counter");

    counter.set_value(10);
    assert_eq!(counter.get_value(), 10);
    assert_eq!(counter.increment(), 10);
    assert_eq!(counter.get_and_add(5), 11);
    assert!(counter.compare_and_set(16, 20));
    assert!(!counter.compare_and_set(16, 30));
    assert!(counter.propose_max(25));
    assert!(!counter.propose_max(3));
    assert_eq!(counter.get_value(), 25);
    assert_eq!(unsafe { *counter.addr() }, 25);

    let reader = aeron.counters_reader();
    assert!(reader.max_counter_id() > id);
    assert_eq!(reader.get_counter_value(id).unwrap(), 25);
    assert_eq!(reader.get_counter_label(id).unwrap(), "rusteron test counter");
    assert_eq!(reader.get_counter_type_id(id).unwrap(), TYPE_ID);
    assert_eq!(&reader.get_counter_key(id).unwrap()[..8], &key);
    assert_eq!(reader.get_counter_registration_id(id).unwrap(), constants.registration_id());
    assert_eq!(reader.get_counter_owner_id(id).unwrap(), aeron.client_id());
    assert_eq!(reader.get_counter_state(id).unwrap(), AERON_COUNTER_RECORD_ALLOCATED);
    let _ = reader.get_counter_reference_id(id).unwrap();
    let _ = reader.get_free_for_reuse_deadline_ms(id).unwrap();
    assert_eq!(reader.find_by_type_id_and_registration_id(TYPE_ID, constants.registration_id()), Some(id));
    assert_eq!(reader.find_by_type_id_and_registration_id(TYPE_ID, -12345), None);

    let meta = reader.get_counter_metadata_descriptor(id).unwrap();
    assert_eq!(meta.label(), "rusteron test counter");
    assert_eq!(meta.type_id(), TYPE_ID);
    assert_eq!(meta.state(), AERON_COUNTER_RECORD_ALLOCATED);
    assert_eq!(&meta.key()[..8], &key);
    let value = reader.get_counter_value_descriptor(id).unwrap();
    assert_eq!(value.counter_value(), 25);
    assert_eq!(value.registration_id(), constants.registration_id());
    assert_eq!(value.owner_id(), aeron.client_id());

    let buffers = reader.get_buffers().unwrap();
    assert!(buffers.values_length() >= (id as usize + 1) * 128);
    assert!(buffers.metadata_length() >= (id as usize + 1) * 512);

    let mut seen = None;
    reader.foreach_counter_once(|v, cid, type_id, k: &[u8], label: &str| {
        if cid == id {
            seen = Some((v, type_id, k.to_vec(), label.to_string()));
        }
    });
    let (v, t, k, l) = seen.expect("foreach saw the counter");
    assert_eq!((v, t, l.as_str()), (25, TYPE_ID, "rusteron test counter"));
    assert_eq!(&k[..8], &key);

    // Bad ids are errors, not crashes.
    for bad in [-1, reader.max_counter_id() + 1, i32::MAX] {
        assert!(reader.get_counter_value(bad).is_err());
        assert!(reader.get_counter_label(bad).is_err());
        assert!(reader.get_counter_key(bad).is_err());
        assert!(reader.get_counter_state(bad).is_err());
        let e = reader.addr(bad).unwrap_err();
        assert!(e.message().unwrap().contains("out of range"), "{e}");
    }
}

#[test]
fn closed_counter_is_freed_in_the_driver() {
    let md = MediaDriverProcess::start().expect("driver");
    let aeron = md.connect().expect("client");
    let counter = aeron.add_counter(TYPE_ID, &[], "to be closed", TIMEOUT).unwrap();
    let reg = counter.registration_id();
    let id = counter.counter_id();
    let reader = aeron.counters_reader();
    assert_eq!(reader.find_by_type_id_and_registration_id(TYPE_ID, reg), Some(id));

    // With another clone alive, close refuses and the counter stays.
    let other = counter.clone();
    assert!(counter.close().is_err());
    assert_eq!(reader.get_counter_state(id).unwrap(), AERON_COUNTER_RECORD_ALLOCATED);

    let notified = Arc::new(AtomicBool::new(false));
    let n = notified.clone();
    other.close_with_notification(move || n.store(true, Ordering::SeqCst)).expect("close");
    assert!(wait_until(TIMEOUT, || notified.load(Ordering::SeqCst)), "close notification");
    assert!(
        wait_until(TIMEOUT, || reader.find_by_type_id_and_registration_id(TYPE_ID, reg).is_none()),
        "driver still lists the counter"
    );
    assert!(wait_until(TIMEOUT, || reader.get_counter_state(id).unwrap() != AERON_COUNTER_RECORD_ALLOCATED));
}

#[test]
fn dropped_counter_is_freed_and_seen_by_other_clients() {
    let md = MediaDriverProcess::start().expect("driver");
    let aeron = md.connect().expect("client");
    let reader = aeron.counters_reader();

    let c = aeron.add_counter(TYPE_ID, &[1, 2, 3], "dropped", TIMEOUT).unwrap();
    let reg = c.registration_id();
    drop(c);
    assert!(wait_until(TIMEOUT, || reader.find_by_type_id_and_registration_id(TYPE_ID, reg).is_none()));

    // A counter of another client: this client sees it come and go.
    let other_client = md.connect().expect("second client");
    let c = other_client.add_counter(TYPE_ID, &[], "removed", TIMEOUT).unwrap();
    let reg = c.registration_id();
    let id = c.counter_id();
    assert_eq!(reader.find_by_type_id_and_registration_id(TYPE_ID, reg), Some(id));
    drop(c);
    assert!(wait_until(TIMEOUT, || reader.find_by_type_id_and_registration_id(TYPE_ID, reg).is_none()));
}

#[test]
fn static_counter_is_found_again_by_registration_id() {
    let md = MediaDriverProcess::start().expect("driver");
    let aeron = md.connect().expect("client");
    let reg = 778_899;
    let a = aeron.add_static_counter(TYPE_ID + 1, &[9], "static", reg, TIMEOUT).unwrap();
    let b = aeron.add_static_counter(TYPE_ID + 1, &[9], "static", reg, TIMEOUT).unwrap();
    assert_eq!(a.counter_id(), b.counter_id());
    assert_eq!(a.registration_id(), reg);
    a.set_value(7);
    assert_eq!(b.get_value(), 7);
    let reader = aeron.counters_reader();
    assert_eq!(reader.find_by_type_id_and_registration_id(TYPE_ID + 1, reg), Some(a.counter_id()));
}

#[test]
fn oversized_key_or_label_is_an_error() {
    let md = MediaDriverProcess::start().expect("driver");
    let aeron = md.connect().expect("client");
    let e = aeron.add_counter(TYPE_ID, &[0u8; 200], "k", TIMEOUT).unwrap_err();
    assert!(e.message().unwrap().contains("key"), "{e}");
    let e = aeron.add_counter(TYPE_ID, &[], &"x".repeat(400), TIMEOUT).unwrap_err();
    assert!(e.message().unwrap().contains("label"), "{e}");
}

#[test]
fn system_counter_ids_and_labels_match_the_driver() {
    let md = MediaDriverProcess::start().expect("driver");
    let aeron = md.connect().expect("client");
    let reader = aeron.counters_reader();
    assert_eq!(reader.get_counter_label(0).unwrap(), "Bytes sent");
    assert_eq!(AeronSystemCounterType::BytesSent.id(), 0);
    let mut checked = 0;
    for t in AeronSystemCounterType::ALL {
        let id = t.id();
        assert_eq!(reader.get_counter_type_id(id).unwrap(), AERON_COUNTER_SYSTEM_COUNTER_TYPE_ID, "{t:?}");
        let label = reader.get_counter_label(id).unwrap();
        assert!(t.matches_label(&label), "{t:?}: driver label {label:?}, ours {:?}", t.label());
        // The system counter's key is its id.
        assert_eq!(&reader.get_counter_key(id).unwrap()[..4], &id.to_le_bytes(), "{t:?}");
        assert_eq!(AeronSystemCounterType::from_id(id), Some(t));
        assert_eq!(AeronSystemCounterType::try_from(id).unwrap(), t);
        assert_eq!(i32::from(t), id);
        checked += 1;
    }
    assert_eq!(checked, AeronSystemCounterType::ALL.len());
    assert!(AeronSystemCounterType::try_from(10_000).is_err());
    // The counter after the last system counter is not a system counter.
    let next = AeronSystemCounterType::ALL.len() as i32;
    assert!(
        reader.get_counter_type_id(next).unwrap() != AERON_COUNTER_SYSTEM_COUNTER_TYPE_ID
            || reader.get_counter_state(next).unwrap() != AERON_COUNTER_RECORD_ALLOCATED
    );
}

#[test]
fn foreach_handler_panic_is_resumed_after_c_returns() {
    let md = MediaDriverProcess::start().expect("driver");
    let aeron = md.connect().expect("client");
    let reader = aeron.counters_reader();
    let mut calls = 0;
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        reader.foreach_counter_once(|_, _, _, _: &[u8], _: &str| {
            calls += 1;
            panic!("boom in foreach");
        })
    }));
    assert!(r.is_err());
    assert_eq!(calls, 1, "no more calls after the panic");
    // The logger default works too.
    let mut logger = AeronCountersReaderForeachCounterFuncLogger;
    reader.foreach_counter(&mut logger);
}

#[test]
fn counters_reader_outlives_the_client_handle() {
    let md = MediaDriverProcess::start().expect("driver");
    let reader = {
        let aeron = md.connect().expect("client");
        aeron.counters_reader()
    };
    // The reader holds the client: still valid here.
    assert_eq!(reader.get_counter_label(0).unwrap(), "Bytes sent");
}
