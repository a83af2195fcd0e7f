//! The crate reports through the `log` crate: the logging defaults of the callback traits and the
//! panic stopped at the C boundary produce records at the documented levels, under targets that
//! start with `rusteron_client`. A small capturing logger stands in for a real backend.

use log::{Level, LevelFilter, Log, Metadata, Record};
use rusteron_client::*;
use std::sync::{Mutex, Once};
use std::thread::ThreadId;

struct Captured {
    thread: ThreadId,
    level: Level,
    target: String,
    message: String,
}

static RECORDS: Mutex<Vec<Captured>> = Mutex::new(Vec::new());

struct CaptureLogger;

impl Log for CaptureLogger {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &Record<'_>) {
        RECORDS.lock().unwrap_or_else(|e| e.into_inner()).push(Captured {
            thread: std::thread::current().id(),
            level: record.level(),
            target: record.target().to_string(),
            message: record.args().to_string(),
        });
    }
    fn flush(&self) {}
}

fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        log::set_logger(&CaptureLogger).expect("no other logger in this test binary");
        log::set_max_level(LevelFilter::Trace);
    });
}

/// Runs `f` and returns what it logged on this thread (tests run in parallel threads).
fn logged(f: impl FnOnce()) -> Vec<(Level, String, String)> {
    install();
    let me = std::thread::current().id();
    let take = || {
        let mut all = RECORDS.lock().unwrap_or_else(|e| e.into_inner());
        let (mine, rest): (Vec<_>, Vec<_>) = all.drain(..).partition(|c| c.thread == me);
        *all = rest;
        mine
    };
    take();
    f();
    take().into_iter().map(|c| (c.level, c.target, c.message)).collect()
}

fn assert_one(records: &[(Level, String, String)], level: Level, text: &str) {
    assert!(
        records.iter().any(|(l, t, m)| *l == level && t.starts_with("rusteron_client") && m.contains(text)),
        "no {level} record from rusteron_client containing {text:?} in {records:?}"
    );
}

#[test]
fn error_handler_logger_logs_at_error() {
    let records = logged(|| AeronErrorHandlerLogger.handle_aeron_error_handler(42, "the driver went away"));
    assert_one(&records, Level::Error, "aeron error 42: the driver went away");
}

#[test]
fn notification_loggers_log_at_debug_and_hot_paths_at_trace() {
    let records = logged(|| {
        AeronNewSubscriptionLogger.handle_aeron_on_new_subscription("aeron:ipc", 7, 99);
        AeronCloseClientLogger.handle_aeron_on_close_client();
        AeronIdleStrategyFuncLogger.handle_aeron_idle_strategy_func(0);
        let mut frame = [0u8; 64];
        assert_eq!(AeronReservedValueSupplierLogger.handle_aeron_reserved_value_supplier(&mut frame), 0);
    });
    assert_one(&records, Level::Debug, "new subscription: aeron:ipc stream 7 correlation 99");
    assert_one(&records, Level::Debug, "aeron client closing");
    assert_one(&records, Level::Trace, "idle: work count 0");
    assert_one(&records, Level::Trace, "frame of 64 bytes");
}

#[test]
fn uri_parse_logger_logs_each_parameter() {
    let records = logged(|| {
        AeronUri::parse_params("endpoint=localhost:20121|mtu=1408", &mut AeronUriParseCallbackLogger).unwrap();
    });
    assert_one(&records, Level::Trace, "uri param endpoint=localhost:20121");
    assert_one(&records, Level::Trace, "uri param mtu=1408");
}

#[test]
fn error_log_and_loss_loggers() {
    let records = logged(|| {
        AeronErrorLogReaderFuncLogger.handle_aeron_error_log_reader_func(3, 10, 20, "a driver error");
        AeronLossReporterReadEntryFuncLogger.handle_aeron_loss_reporter_read_entry_func(
            1,
            4096,
            10,
            20,
            5,
            6,
            "aeron:udp",
            "127.0.0.1:1",
        );
        AeronCountersReaderForeachCounterFuncLogger.handle_aeron_counters_reader_foreach_counter_func(
            17,
            3,
            0,
            &[],
            "a counter",
        );
    });
    assert_one(&records, Level::Error, "3 observations (10..20): a driver error");
    assert_one(&records, Level::Warn, "loss: 4096 bytes in 1 observations");
    assert_one(&records, Level::Debug, "counter 3 (type 0) = 17: a counter");
}

#[test]
fn panic_stopped_at_the_c_boundary_is_logged_at_error() {
    let records = logged(|| {
        rusteron_client::__private::guard_detached((), || panic!("boom in a conductor callback"));
    });
    assert_one(&records, Level::Error, "boom in a conductor callback");
    // The panic is also kept for take_callback_panic (drain ours; other tests may add theirs).
    let mut seen = false;
    while let Some(p) = take_callback_panic() {
        seen |= p.contains("boom in a conductor callback");
    }
    assert!(seen);
}

#[test]
fn the_default_error_handler_logs_at_error_and_returns() {
    // What a new AeronContext (and `set_error_handler(None)`) installs; C's default printed to
    // stderr and called exit().
    let handler = AeronContext::default_error_handler().expect("a default handler");
    let records = logged(|| unsafe {
        handler(std::ptr::null_mut(), 1004, c"failed to send command to the driver".as_ptr());
        handler(std::ptr::null_mut(), libc::EINVAL, c"bad".as_ptr());
    });
    assert_one(&records, Level::Error, "aeron client error 1004");
    assert_one(&records, Level::Error, "failed to send command to the driver");
    assert_one(&records, Level::Error, "aeron client error 22 (invalid argument): bad");
    assert!(records.iter().all(|(_, target, _)| target == "rusteron_client::context"), "{records:?}");
}
