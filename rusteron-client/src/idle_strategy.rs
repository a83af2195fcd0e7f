//! Idle strategies: what a polling loop does when a duty cycle found no work, over Aeron's own C
//! idle strategies (`aeron_idle_strategy_*` in `aeron_agent.h`).

use crate::bindings;
use crate::error::AeronCError;
use std::ffi::{c_void, CStr};
use std::os::raw::c_int;
use std::time::Duration;

/// The names Aeron's C idle strategy table knows (`aeron_idle_strategy_load`), with the strategy
/// each one means. Other names are looked up with `dlsym` as a symbol of the process, which would
/// let a typo name any function or data: [`check_idle_strategy_name`] refuses them.
pub const AERON_IDLE_STRATEGY_NAMES: &[&str] = &[
    "sleeping",
    "sleep-ns",
    "yield",
    "spin",
    "noop",
    "backoff",
    "aeron_idle_strategy_sleeping",
    "aeron_idle_strategy_yielding",
    "aeron_idle_strategy_busy_spinning",
    "aeron_idle_strategy_noop",
    "aeron_idle_strategy_backoff",
];

/// Refuses an idle strategy name that is not one of [`AERON_IDLE_STRATEGY_NAMES`], with an
/// `EINVAL` error naming the call, the value and the accepted names. Aeron's loader would look
/// any other name up as a process symbol and call whatever it found as an idle strategy.
pub fn check_idle_strategy_name(call: &str, name: &CStr) -> Result<(), AeronCError> {
    let text = name.to_bytes();
    if AERON_IDLE_STRATEGY_NAMES.iter().any(|n| n.as_bytes() == text) {
        return Ok(());
    }
    Err(AeronCError::with_message(
        libc::EINVAL,
        format!(
            "{call}: unknown idle strategy {:?}; Aeron's idle strategies are {}",
            String::from_utf8_lossy(text),
            AERON_IDLE_STRATEGY_NAMES.join(", ")
        ),
    ))
}

/// An idle strategy for a polling loop: call [`idle`](Self::idle) with the work count of each
/// duty cycle; it returns at once after work and waits (spins, yields, sleeps or backs off) when
/// there was none. The same C functions the client conductor and the media driver use.
///
/// Threads: `Send` (it owns its state), not `Sync`; `idle` takes `&mut self` because the back-off
/// strategy keeps its progress in its state.
///
/// ```
/// use rusteron_client::AeronIdleStrategy;
/// use std::time::Duration;
///
/// let mut idle = AeronIdleStrategy::backoff(10, 20, Duration::from_micros(1), Duration::from_millis(1))?;
/// for work_count in [3, 0, 0, 1] {
///     idle.idle(work_count);
/// }
/// assert_eq!(AeronIdleStrategy::load(c"yield", None)?.name(), "yield");
/// assert!(AeronIdleStrategy::load(c"exit", None).is_err());
/// # Ok::<(), rusteron_client::AeronCError>(())
/// ```
pub struct AeronIdleStrategy {
    func: unsafe extern "C" fn(*mut c_void, c_int),
    state: *mut c_void,
    name: String,
}

// SAFETY: the state is owned by this value alone (allocated by C for it, freed on drop) and only
// touched through `&mut self`; the C functions keep no thread-local state.
unsafe impl Send for AeronIdleStrategy {}

impl AeronIdleStrategy {
    fn stateless(func: unsafe extern "C" fn(*mut c_void, c_int), name: &str) -> Self {
        AeronIdleStrategy { func, state: std::ptr::null_mut(), name: name.to_owned() }
    }

    /// Spins without yielding the CPU (`aeron_idle_strategy_busy_spinning_idle`): lowest latency,
    /// one core at 100%.
    pub fn busy_spin() -> Self {
        Self::stateless(bindings::aeron_idle_strategy_busy_spinning_idle, "spin")
    }

    /// Yields the thread when idle (`aeron_idle_strategy_yielding_idle`).
    pub fn yielding() -> Self {
        Self::stateless(bindings::aeron_idle_strategy_yielding_idle, "yield")
    }

    /// Does nothing (`aeron_idle_strategy_noop_idle`): the loop spins at full speed.
    pub fn noop() -> Self {
        Self::stateless(bindings::aeron_idle_strategy_noop_idle, "noop")
    }

    /// Sleeps `period` when idle (`aeron_idle_strategy_sleeping_idle`; nanosecond resolution,
    /// saturating at [`C_DURATION_MAX`](crate::C_DURATION_MAX)).
    pub fn sleeping(period: Duration) -> Result<Self, AeronCError> {
        let args = format!("{}ns", crate::duration_to_c_nanos(period));
        let args = std::ffi::CString::new(args).expect("digits have no NUL");
        Self::load(c"sleeping", Some(&args))
    }

    /// Spins `max_spins` times, then yields `max_yields` times, then sleeps from `min_park` up to
    /// `max_park`, doubling each time (`aeron_idle_strategy_backoff_idle`); work resets it. Aeron's
    /// defaults are 10 spins, 20 yields, 1 us and 1 ms ([`backoff_default`](Self::backoff_default)).
    pub fn backoff(
        max_spins: u64,
        max_yields: u64,
        min_park: Duration,
        max_park: Duration,
    ) -> Result<Self, AeronCError> {
        if min_park > max_park {
            return Err(AeronCError::with_message(
                libc::EINVAL,
                format!("AeronIdleStrategy::backoff: min_park {min_park:?} is longer than max_park {max_park:?}"),
            ));
        }
        let mut state: *mut c_void = std::ptr::null_mut();
        crate::error::check(unsafe {
            bindings::aeron_idle_strategy_backoff_state_init(
                &mut state,
                max_spins,
                max_yields,
                crate::duration_to_c_nanos(min_park),
                crate::duration_to_c_nanos(max_park),
            )
        })?;
        Ok(AeronIdleStrategy { func: bindings::aeron_idle_strategy_backoff_idle, state, name: "backoff".to_owned() })
    }

    /// The back-off strategy with Aeron's defaults.
    pub fn backoff_default() -> Result<Self, AeronCError> {
        Self::load(c"backoff", None)
    }

    /// The strategy Aeron's configuration calls `name` (one of [`AERON_IDLE_STRATEGY_NAMES`]),
    /// with Aeron's textual init arguments: `sleeping`'s period (`"1ms"`), `backoff`'s
    /// `spins-yields-minpark-maxpark` (`"10-20-1us-1ms"`). An unknown name or malformed
    /// arguments give an `EINVAL` error.
    pub fn load(name: &CStr, init_args: Option<&CStr>) -> Result<Self, AeronCError> {
        check_idle_strategy_name("AeronIdleStrategy::load", name)?;
        let mut state: *mut c_void = std::ptr::null_mut();
        let func = unsafe {
            bindings::aeron_idle_strategy_load(
                name.as_ptr(),
                &mut state,
                std::ptr::null(),
                init_args.map_or(std::ptr::null(), |a| a.as_ptr()),
            )
        };
        match func {
            Some(func) => Ok(AeronIdleStrategy { func, state, name: name.to_string_lossy().into_owned() }),
            None => {
                let err = AeronCError::last();
                if !state.is_null() {
                    unsafe { bindings::aeron_free(state) };
                }
                Err(err)
            }
        }
    }

    /// Idles according to the strategy after a duty cycle that did `work_count` units of work
    /// (returns at once when `work_count > 0`, after resetting a back-off).
    #[inline]
    pub fn idle(&mut self, work_count: i32) {
        unsafe { (self.func)(self.state, work_count) }
    }

    /// The name this strategy was made with (`spin`, `yield`, `noop`, `sleeping`, `backoff`, or
    /// the name given to [`load`](Self::load)).
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for AeronIdleStrategy {
    fn drop(&mut self) {
        if !self.state.is_null() {
            // SAFETY: allocated by aeron_alloc in the C init function, owned by this value only.
            unsafe { bindings::aeron_free(self.state) };
        }
    }
}

impl std::fmt::Debug for AeronIdleStrategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronIdleStrategy").field("name", &self.name).finish()
    }
}
