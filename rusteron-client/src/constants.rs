//! Client-side constants: property and environment names, defaults, counter record states.
//!
//! Values come from `aeronc.h` and the Java client's `CommonContext`, so a Rust client,
//! a C client and a Java client agree on them.

/// Name of the system property (Java) / setting that holds the Aeron directory.
pub const AERON_DIR_PROP_NAME: &str = "aeron.dir";

/// Name of the environment variable the C client reads the Aeron directory from.
pub const AERON_DIR_ENV_VAR: &str = "AERON_DIR";

/// Name of the environment variable the C client reads the driver timeout (ms) from.
pub const AERON_DRIVER_TIMEOUT_ENV_VAR: &str = "AERON_DRIVER_TIMEOUT";

/// How long a client waits for the media driver's heartbeat before giving up, in ms.
pub const DRIVER_TIMEOUT_MS_DEFAULT: u64 = 10_000;

/// Name of the command-and-control file inside the Aeron directory.
pub const AERON_CNC_FILE: &str = "cnc.dat";

/// Name of the loss report file inside the Aeron directory.
pub const AERON_LOSS_REPORT_FILE: &str = "loss-report.dat";

/// A counter record that was never used (`AERON_COUNTER_RECORD_UNUSED`).
pub const AERON_COUNTER_RECORD_UNUSED: i32 = 0;

/// A counter record in use (`AERON_COUNTER_RECORD_ALLOCATED`).
pub const AERON_COUNTER_RECORD_ALLOCATED: i32 = 1;

/// A counter record freed and waiting to be reused (`AERON_COUNTER_RECORD_RECLAIMED`).
pub const AERON_COUNTER_RECORD_RECLAIMED: i32 = -1;

/// The counter id meaning "no counter" (`AERON_NULL_COUNTER_ID`).
pub const AERON_NULL_COUNTER_ID: i32 = -1;

/// Type id of the driver's system counters (`AERON_COUNTER_SYSTEM_COUNTER_TYPE_ID`).
pub const AERON_COUNTER_SYSTEM_COUNTER_TYPE_ID: i32 = 0;

/// Type id of a client's heartbeat counter (`AERON_COUNTER_CLIENT_HEARTBEAT_TIMESTAMP_TYPE_ID`).
pub const AERON_COUNTER_CLIENT_HEARTBEAT_TIMESTAMP_TYPE_ID: i32 = 11;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings;
    use std::ffi::CStr;

    #[test]
    fn constants_match_the_c_headers() {
        let s = |b: &'static [u8]| CStr::from_bytes_with_nul(b).unwrap().to_str().unwrap();
        assert_eq!(AERON_DIR_ENV_VAR, s(bindings::AERON_DIR_ENV_VAR));
        assert_eq!(AERON_DRIVER_TIMEOUT_ENV_VAR, s(bindings::AERON_DRIVER_TIMEOUT_ENV_VAR));
        assert_eq!(AERON_CNC_FILE, s(bindings::AERON_CNC_FILE));
        assert_eq!(AERON_LOSS_REPORT_FILE, s(bindings::AERON_LOSS_REPORT_FILE));
        assert_eq!(AERON_COUNTER_RECORD_UNUSED, bindings::AERON_COUNTER_RECORD_UNUSED as i32);
        assert_eq!(AERON_COUNTER_RECORD_ALLOCATED, bindings::AERON_COUNTER_RECORD_ALLOCATED as i32);
        assert_eq!(AERON_COUNTER_RECORD_RECLAIMED, bindings::AERON_COUNTER_RECORD_RECLAIMED);
        assert_eq!(AERON_NULL_COUNTER_ID, bindings::AERON_NULL_COUNTER_ID);
        assert_eq!(AERON_COUNTER_SYSTEM_COUNTER_TYPE_ID, bindings::AERON_COUNTER_SYSTEM_COUNTER_TYPE_ID as i32);
        assert_eq!(
            AERON_COUNTER_CLIENT_HEARTBEAT_TIMESTAMP_TYPE_ID,
            bindings::AERON_COUNTER_CLIENT_HEARTBEAT_TIMESTAMP_TYPE_ID as i32
        );
    }
}
