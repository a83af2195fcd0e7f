//! [`NoOp`]: one callback object that does nothing, for every callback trait of the crate, and
//! [`Handlers::NONE`], "no handler" for any `Option<&Handler<_>>` parameter.

use crate::callbacks::*;
use crate::cnc::{AeronErrorLogReaderFuncCallback, AeronLossReporterReadEntryFuncCallback};
use crate::counters_reader::AeronCountersReaderForeachCounterFuncCallback;
use crate::error_frame::AeronPublicationErrorValues;
use crate::header::AeronHeader;
use crate::uri::AeronUriParseCallbackCallback;
use crate::views::{AeronCountersReaderRef, AeronImageRef, AeronSubscriptionRef};
use crate::{bindings, Handler, Handlers};
use std::os::raw::c_int;

/// A callback object that does nothing: it implements every callback trait of this crate
/// (a controlled fragment handler continues, a reserved value supplier returns 0, a URI parse
/// callback goes on), so one value fits wherever a handler is taken.
///
/// ```
/// use rusteron_client::*;
/// use std::time::Duration;
///
/// let driver = rusteron_client::testing::start_embedded_driver()?;
/// let aeron = driver.connect()?;
/// // `Handlers::NONE`: no image handlers, without naming a handler type.
/// let subscription =
///     aeron.add_subscription(c"aeron:ipc", 11, Handlers::NONE, Handlers::NONE, Duration::from_secs(5))?;
/// let publication = aeron.add_publication(c"aeron:ipc", 11, Duration::from_secs(5))?;
/// assert!(testing::wait_until(Duration::from_secs(5), || publication.offer(b"x").is_ok()));
/// // `NoOp` as a handler object: consumes the message and does nothing with it.
/// assert!(testing::wait_until(Duration::from_secs(5), || subscription.poll_once(NoOp, 10).unwrap() == 1));
/// # Ok::<(), AeronCError>(())
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NoOp;

impl Handlers {
    /// "No handler", typed as `Option<&Handler<NoOp>>`: fits every parameter that takes an
    /// optional handler (`add_subscription`'s image handlers, a context's setters, `close`,
    /// ...), whatever callback trait it asks for. What `None` means is the parameter's own
    /// rule (a context's error handler goes back to its logging default, for one).
    pub const NONE: Option<&'static Handler<NoOp>> = None;
}

impl AeronErrorHandlerCallback for NoOp {
    #[inline(always)]
    fn handle_aeron_error_handler(&mut self, _errcode: c_int, _message: &str) {}
}

impl AeronFragmentHandlerCallback for NoOp {
    #[inline(always)]
    fn handle_aeron_fragment_handler(&mut self, _buffer: &[u8], _header: AeronHeader<'_>) {}
}

impl AeronControlledFragmentHandlerCallback for NoOp {
    #[inline(always)]
    fn handle_aeron_controlled_fragment_handler(
        &mut self,
        _buffer: &[u8],
        _header: AeronHeader<'_>,
    ) -> AeronControlledFragmentHandlerAction {
        bindings::aeron_controlled_fragment_handler_action_en_AERON_ACTION_CONTINUE
    }
}

impl AeronBlockHandlerCallback for NoOp {
    #[inline(always)]
    fn handle_aeron_block_handler(&mut self, _buffer: &[u8], _session_id: i32, _term_id: i32) {}
}

impl AeronAvailableImageCallback for NoOp {
    #[inline(always)]
    fn handle_aeron_on_available_image(&mut self, _subscription: AeronSubscriptionRef<'_>, _image: AeronImageRef<'_>) {}
}

impl AeronUnavailableImageCallback for NoOp {
    #[inline(always)]
    fn handle_aeron_on_unavailable_image(
        &mut self,
        _subscription: AeronSubscriptionRef<'_>,
        _image: AeronImageRef<'_>,
    ) {
    }
}

impl AeronReservedValueSupplierCallback for NoOp {
    /// 0, the reserved value of an offer without a supplier.
    #[inline(always)]
    fn handle_aeron_reserved_value_supplier(&mut self, _frame: &mut [u8]) -> i64 {
        0
    }
}

impl AeronPublicationErrorFrameHandlerCallback for NoOp {
    #[inline(always)]
    fn handle_aeron_publication_error_frame_handler(&mut self, _error_frame: AeronPublicationErrorValues) {}
}

impl AeronNotificationCallback for NoOp {
    #[inline(always)]
    fn handle_aeron_notification(&mut self) {}
}

impl AeronNewPublicationCallback for NoOp {
    #[inline(always)]
    fn handle_aeron_on_new_publication(&mut self, _channel: &str, _stream_id: i32, _session_id: i32, _id: i64) {}
}

impl AeronNewSubscriptionCallback for NoOp {
    #[inline(always)]
    fn handle_aeron_on_new_subscription(&mut self, _channel: &str, _stream_id: i32, _correlation_id: i64) {}
}

impl AeronAvailableCounterCallback for NoOp {
    #[inline(always)]
    fn handle_aeron_on_available_counter(&mut self, _reader: AeronCountersReaderRef<'_>, _id: i64, _counter_id: i32) {}
}

impl AeronUnavailableCounterCallback for NoOp {
    #[inline(always)]
    fn handle_aeron_on_unavailable_counter(&mut self, _reader: AeronCountersReaderRef<'_>, _id: i64, _counter_id: i32) {
    }
}

impl AeronCloseClientCallback for NoOp {
    #[inline(always)]
    fn handle_aeron_on_close_client(&mut self) {}
}

impl AeronAgentStartFuncCallback for NoOp {
    #[inline(always)]
    fn handle_aeron_agent_on_start_func(&mut self, _role_name: &str) {}
}

impl AeronIdleStrategyFuncCallback for NoOp {
    /// Never idles (a busy spin), like [`NoOpAeronIdleStrategyFunc`].
    #[inline(always)]
    fn handle_aeron_idle_strategy_func(&mut self, _work_count: c_int) {}
}

impl AeronErrorLogReaderFuncCallback for NoOp {
    #[inline(always)]
    fn handle_aeron_error_log_reader_func(&mut self, _count: i32, _first: i64, _last: i64, _error: &str) {}
}

impl AeronLossReporterReadEntryFuncCallback for NoOp {
    #[inline(always)]
    fn handle_aeron_loss_reporter_read_entry_func(
        &mut self,
        _observation_count: i64,
        _total_bytes_lost: i64,
        _first_observation_timestamp: i64,
        _last_observation_timestamp: i64,
        _session_id: i32,
        _stream_id: i32,
        _channel: &str,
        _source: &str,
    ) {
    }
}

impl AeronCountersReaderForeachCounterFuncCallback for NoOp {
    #[inline(always)]
    fn handle_aeron_counters_reader_foreach_counter_func(
        &mut self,
        _value: i64,
        _id: i32,
        _type_id: i32,
        _key: &[u8],
        _label: &str,
    ) {
    }
}

impl AeronUriParseCallbackCallback for NoOp {
    /// 0: go on with the next parameter.
    #[inline(always)]
    fn handle_aeron_uri_parse_callback(&mut self, _key: &str, _value: &str) -> i32 {
        0
    }
}
