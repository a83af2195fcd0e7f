//! `Duration`s handed to C.
//!
//! Aeron's C code adds timeouts to the current time as signed 64-bit nanoseconds or milliseconds
//! (`deadline_ns = aeron_nano_clock() + message_timeout_ns`, `now_ms > last_ms + timeout_ms`, and
//! it turns the driver timeout from ms into ns by multiplying it by 1,000,000). A value close to
//! `i64::MAX` (or a `u64` above it) wraps around, and the deadline lands in the past: the call
//! fails at once instead of waiting forever. Every `Duration` (and every raw timeout setter) of
//! the wrappers goes through these helpers, which saturate at [`C_DURATION_MAX`]: half of the
//! `i64` nanosecond range, about 146 years. Both Aeron clocks (monotonic nanoseconds since boot,
//! epoch milliseconds) plus that stay far below `i64::MAX`, so `Duration::MAX` means "as long as
//! possible" everywhere.

use std::time::Duration;

/// The longest duration handed to C, in nanoseconds: `i64::MAX / 2` (about 146 years).
pub const C_DURATION_MAX_NANOS: u64 = i64::MAX as u64 / 2;

/// The longest duration handed to C: [`C_DURATION_MAX_NANOS`] nanoseconds (about 146 years).
/// Longer ones (`Duration::MAX` included) are cut to it.
pub const C_DURATION_MAX: Duration =
    Duration::new(C_DURATION_MAX_NANOS / 1_000_000_000, (C_DURATION_MAX_NANOS % 1_000_000_000) as u32);

/// `d` in nanoseconds for C, at most [`C_DURATION_MAX_NANOS`].
#[inline]
pub fn duration_to_c_nanos(d: Duration) -> u64 {
    d.as_nanos().min(C_DURATION_MAX_NANOS as u128) as u64
}

/// `d` in microseconds for C, at most [`C_DURATION_MAX`] in microseconds.
#[inline]
pub fn duration_to_c_micros(d: Duration) -> u64 {
    d.as_micros().min(C_DURATION_MAX.as_micros()) as u64
}

/// `d` in milliseconds for C, at most [`C_DURATION_MAX`] in milliseconds (so C may still turn it
/// into nanoseconds).
#[inline]
pub fn duration_to_c_millis(d: Duration) -> u64 {
    d.as_millis().min(C_DURATION_MAX.as_millis()) as u64
}

/// A raw nanosecond timeout for C, at most [`C_DURATION_MAX_NANOS`] (what the `*_ns` setters
/// store).
#[inline]
pub fn saturate_c_nanos(ns: u64) -> u64 {
    ns.min(C_DURATION_MAX_NANOS)
}

/// A raw millisecond timeout for C, at most [`C_DURATION_MAX`] in milliseconds (what the `*_ms`
/// setters store).
#[inline]
pub fn saturate_c_millis(ms: u64) -> u64 {
    ms.min(duration_to_c_millis(C_DURATION_MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_durations_convert_exactly() {
        let d = Duration::new(3, 123_456_789);
        assert_eq!(duration_to_c_nanos(d), 3_123_456_789);
        assert_eq!(duration_to_c_micros(d), 3_123_456);
        assert_eq!(duration_to_c_millis(d), 3_123);
        assert_eq!(duration_to_c_nanos(Duration::ZERO), 0);
        assert_eq!(saturate_c_nanos(5), 5);
        assert_eq!(saturate_c_millis(5), 5);
    }

    #[test]
    fn long_durations_saturate_at_the_cap() {
        for d in [Duration::MAX, Duration::from_secs(u64::MAX / 4), C_DURATION_MAX + Duration::from_nanos(1)] {
            assert_eq!(duration_to_c_nanos(d), C_DURATION_MAX_NANOS);
            assert_eq!(duration_to_c_micros(d), C_DURATION_MAX_NANOS / 1_000);
            assert_eq!(duration_to_c_millis(d), C_DURATION_MAX_NANOS / 1_000_000);
        }
        assert_eq!(duration_to_c_nanos(C_DURATION_MAX), C_DURATION_MAX_NANOS);
        assert_eq!(saturate_c_nanos(u64::MAX), C_DURATION_MAX_NANOS);
        assert_eq!(saturate_c_millis(u64::MAX), C_DURATION_MAX_NANOS / 1_000_000);
        // About 146 years.
        assert_eq!(C_DURATION_MAX.as_secs() / (365 * 24 * 3600), 146);
    }

    #[test]
    fn now_plus_the_cap_does_not_wrap_in_c() {
        // What C computes: a deadline from its clocks plus the timeout, as int64.
        let now_ns = crate::nano_clock();
        let now_ms = crate::epoch_clock();
        assert!(now_ns.checked_add(duration_to_c_nanos(Duration::MAX) as i64).is_some());
        assert!(now_ms.checked_add(duration_to_c_millis(Duration::MAX) as i64).is_some());
        // The driver timeout is turned into ns (`driver_timeout_ms * 1000000`) by the conductor.
        assert!((duration_to_c_millis(Duration::MAX) as i64).checked_mul(1_000_000).is_some());
        assert!(now_ns.checked_add((duration_to_c_millis(Duration::MAX) * 1_000_000) as i64).is_some());
        // And `now - timeout` (the driver heartbeat check) stays in range too.
        assert!(now_ms.checked_sub(duration_to_c_millis(Duration::MAX) as i64).is_some());
    }
}
