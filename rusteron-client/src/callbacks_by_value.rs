//! Context callbacks by value: `set_*_fn(Some(closure))` beside the `set_*(Option<&Handler>)`
//! setters, so a closure or a callback object is registered without `Handler::leak`.

use crate::callbacks::*;
use crate::error::AeronCError;
use crate::{AeronContext, Handler};

macro_rules! by_value {
    ($(#[$doc:meta])* $name:ident => $setter:ident, $tr:ident) => {
        $(#[$doc])*
        ///
        /// By value: `handler` (a closure with typed parameters, or any callback object) is
        /// moved into a new [`Handler`] that the context keeps alive, as
        #[doc = concat!("[`", stringify!($setter), "`](Self::", stringify!($setter), ") does;")]
        /// the handler is returned so its state can be read ([`Handler::with_mut`]). `None`
        /// does what `None` does there.
        pub fn $name<H: $tr + Send + 'static>(&self, handler: Option<H>) -> Result<Option<Handler<H>>, AeronCError> {
            let handler = handler.map(Handler::leak);
            self.$setter(handler.as_ref())?;
            Ok(handler)
        }
    };
}

impl AeronContext {
    by_value!(
        /// [`set_error_handler`](Self::set_error_handler) with the handler by value.
        ///
        /// ```
        /// use rusteron_client::*;
        /// use std::sync::atomic::{AtomicUsize, Ordering};
        /// use std::sync::Arc;
        ///
        /// let driver = testing::start_embedded_driver()?;
        /// let context = driver.client_context()?;
        /// let errors = Arc::new(AtomicUsize::new(0));
        /// let seen = errors.clone();
        /// context.set_error_handler_fn(Some(move |_code: i32, _message: &str| {
        ///     seen.fetch_add(1, Ordering::Relaxed);
        /// }))?;
        /// let aeron = Aeron::connect(&context)?;
        /// assert!(aeron.client_id() >= 0);
        /// # Ok::<(), AeronCError>(())
        /// ```
        set_error_handler_fn => set_error_handler, AeronErrorHandlerCallback
    );
    by_value!(
        /// [`set_publication_error_frame_handler`](Self::set_publication_error_frame_handler)
        /// with the handler by value.
        set_publication_error_frame_handler_fn => set_publication_error_frame_handler,
        AeronPublicationErrorFrameHandlerCallback
    );
    by_value!(
        /// [`set_on_new_publication`](Self::set_on_new_publication) with the handler by value.
        set_on_new_publication_fn => set_on_new_publication, AeronNewPublicationCallback
    );
    by_value!(
        /// [`set_on_new_exclusive_publication`](Self::set_on_new_exclusive_publication) with the
        /// handler by value.
        set_on_new_exclusive_publication_fn => set_on_new_exclusive_publication, AeronNewPublicationCallback
    );
    by_value!(
        /// [`set_on_new_subscription`](Self::set_on_new_subscription) with the handler by value.
        set_on_new_subscription_fn => set_on_new_subscription, AeronNewSubscriptionCallback
    );
    by_value!(
        /// [`set_on_available_counter`](Self::set_on_available_counter) with the handler by value.
        set_on_available_counter_fn => set_on_available_counter, AeronAvailableCounterCallback
    );
    by_value!(
        /// [`set_on_unavailable_counter`](Self::set_on_unavailable_counter) with the handler by
        /// value.
        set_on_unavailable_counter_fn => set_on_unavailable_counter, AeronUnavailableCounterCallback
    );
    by_value!(
        /// [`set_on_close_client`](Self::set_on_close_client) with the handler by value.
        set_on_close_client_fn => set_on_close_client, AeronCloseClientCallback
    );
    by_value!(
        /// [`set_agent_on_start_function`](Self::set_agent_on_start_function) with the handler
        /// by value.
        set_agent_on_start_function_fn => set_agent_on_start_function, AeronAgentStartFuncCallback
    );
}
