//! The CnC file of a real `aeronmd`: constants, heartbeat, counters, error log, loss report;
//! and the error log writer.

use rusteron_client::testing::*;
use rusteron_client::*;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

#[test]
fn cnc_shows_a_live_driver() {
    let md = MediaDriverProcess::start().expect("driver");
    let aeron = md.connect().expect("client");
    let cnc = AeronCnc::new(&md.dir_str().into_c_string(), TIMEOUT).expect("cnc");
    assert!(cnc.filename().ends_with("cnc.dat"), "{}", cnc.filename());
    assert!(cnc.filename().starts_with(md.dir_str()));

    let c = cnc.get_constants().expect("constants");
    assert_eq!(c.pid(), md.pid() as i64);
    assert!(c.cnc_version() > 0);
    assert!(c.start_timestamp() > 0);
    assert!(c.client_liveness_timeout() > 0);
    assert!(c.counter_values_buffer_length() > 0);
    assert!(c.error_log_buffer_length() > 0);

    // The connected client heartbeats: the timestamp is recent and moves on.
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let first = cnc.to_driver_heartbeat();
    assert!((now_ms - first).abs() < 10_000, "heartbeat {first} vs now {now_ms}");
    assert!(wait_until(TIMEOUT, || cnc.to_driver_heartbeat() > first), "heartbeat did not advance");

    let reader = cnc.counters_reader();
    assert_eq!(reader.get_counter_label(0).unwrap(), "Bytes sent");
    assert!(reader.max_counter_id() > 0);
    // A counter added by the client is visible through the CnC's reader.
    let counter = aeron.add_counter(3300, &[], "seen through cnc", TIMEOUT).unwrap();
    counter.set_value(77);
    assert_eq!(reader.get_counter_label(counter.counter_id()).unwrap(), "seen through cnc");
    assert_eq!(reader.get_counter_value(counter.counter_id()).unwrap(), 77);
    drop(cnc);
    // The reader holds the mapping.
    assert_eq!(reader.get_counter_value(counter.counter_id()).unwrap(), 77);
}

#[test]
fn error_log_and_loss_report_read_without_crashing() {
    let md = MediaDriverProcess::start().expect("driver");
    let aeron = md.connect().expect("client");
    let cnc = AeronCnc::new(&md.dir_str().into_c_string(), TIMEOUT).expect("cnc");

    let mut seen = 0;
    let n = cnc.error_log_read_once(
        |count, first, last, msg| {
            assert!(count > 0 && first <= last && !msg.is_empty());
            seen += 1;
        },
        0,
    );
    assert_eq!(n, seen);

    // A publication on an unresolvable endpoint is refused by the driver, which logs it.
    let r = aeron.add_publication(&"aeron:udp?endpoint=no.such.host.invalid:40123".into_c_string(), 7, TIMEOUT);
    assert!(r.is_err());
    assert!(wait_until(TIMEOUT, || !cnc.errors(0).is_empty()), "driver error log stayed empty");
    let errors = cnc.errors(0);
    assert!(errors.iter().all(|e| e.observation_count >= 1 && !e.message.is_empty()), "{errors:?}");
    assert_eq!(cnc.error_log_read(&mut AeronErrorLogReaderFuncLogger, 0), errors.len());
    // Nothing after a time in the future.
    assert_eq!(cnc.errors(i64::MAX).len(), 0);

    let mut entries = 0;
    let count = cnc.loss_reporter_read_once(|_, _, _, _, _, _, _: &str, _: &str| entries += 1).expect("loss report");
    assert_eq!(count, entries);
    cnc.loss_reporter_read(&mut AeronLossReporterReadEntryFuncLogger).expect("loss report with logger");
}

#[test]
fn cnc_on_a_directory_without_a_driver_is_an_error() {
    let dir = unique_dir("rusteron-no-driver");
    std::fs::create_dir_all(&dir).unwrap();
    let e = AeronCnc::new(&dir.to_str().unwrap().into_c_string(), Duration::from_millis(200)).unwrap_err();
    assert!(!e.to_string().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn error_logger_records_distinct_errors_and_counts_repeats() {
    let log = AeronErrorLogger::new(64 * 1024).expect("log");
    assert!(!log.exists());
    log.record(1, &"first failure".into_c_string()).unwrap();
    log.record(1, &"first failure".into_c_string()).unwrap();
    log.record(2, &"second failure".into_c_string()).unwrap();
    assert!(log.exists());
    assert_eq!(log.num_observations(), 2);
    let mut got = Vec::new();
    let n = log.read(&mut |count: i32, _f: i64, _l: i64, msg: &str| got.push((count, msg.to_string())), 0);
    assert_eq!(n, 2);
    assert_eq!(got.len(), 2);
    assert!(got.iter().any(|(c, m)| *c == 2 && m.contains("first failure")), "{got:?}");
    assert!(got.iter().any(|(c, m)| *c == 1 && m.contains("second failure")), "{got:?}");
    assert!(AeronErrorLogger::new(8).is_err());
    // Capacities that cannot be allocated are an error, not an abort.
    assert!(AeronErrorLogger::new(usize::MAX).is_err());
    assert!(AeronErrorLogger::new(1 << 62).is_err());
}
