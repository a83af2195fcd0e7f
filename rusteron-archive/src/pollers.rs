//! Pollers of the archive's control response stream: control responses, recording
//! descriptors and recording subscription descriptors.

use crate::bindings;
use crate::callbacks::*;
use crate::util::check;
use crate::{AeronArchive, AeronArchiveContext, AeronCError, AeronSubscription, Handler, ManagedCResource};

rusteron_client::c_wrapper!(
    /// Reads control responses (codes, errors, recording signals, challenges) from a control
    /// response subscription (`aeron_archive_control_response_poller_t`). After each
    /// [`poll`](Self::poll), the getters describe the last response seen.
    ///
    /// Threads: neither `Send` nor `Sync`: it polls a subscription, which is single-threaded.
    /// Create it on the thread that polls (from a subscription added there or moved there with
    /// [`AeronSubscription::handoff`]).
    ///
    /// ```compile_fail,E0277
    /// fn poll_elsewhere(p: rusteron_archive::AeronArchiveControlResponsePoller) {
    ///     std::thread::spawn(move || drop(p));
    /// }
    /// ```
    AeronArchiveControlResponsePoller => bindings::aeron_archive_control_response_poller_t
);

/// A poller's `guarded`: its C poll runs marked as polling the poller and its subscription, so
/// a consumer (or any handler) cannot poll either again from inside the poll (an `EBUSY` error
/// instead): a nested poll of the same subscription lets the client conductor free the image
/// list the outer poll walks.
macro_rules! guarded_poll {
    ($t:ty) => {
        impl $t {
            fn guarded<R>(&self, what: &str, f: impl FnOnce() -> R) -> Result<R, AeronCError> {
                // SAFETY: a live poller (this wrapper) whose `subscription` field C set at create.
                let subscription = unsafe { (*self.get_inner()).subscription };
                rusteron_client::__private::while_polling_subscription(subscription, self.get_inner() as usize, what, f)
            }
        }
    };
}
guarded_poll!(AeronArchiveControlResponsePoller);

macro_rules! field {
    ($(#[$doc:meta])* $name:ident: $t:ty) => {
        $(#[$doc])*
        pub fn $name(&self) -> $t {
            unsafe { (*self.get_inner()).$name }
        }
    };
}

impl AeronArchiveControlResponsePoller {
    /// A poller of `subscription`, reading up to `fragment_limit` fragments per poll
    /// (`aeron_archive_control_response_poller_create`). Keeps the subscription alive.
    pub fn new(subscription: &AeronSubscription, fragment_limit: i32) -> Result<Self, AeronCError> {
        let m = ManagedCResource::new(
            |p| unsafe {
                bindings::aeron_archive_control_response_poller_create(p, subscription.get_inner(), fragment_limit)
            },
            Some(Box::new(|p| unsafe { bindings::aeron_archive_control_response_poller_close(p) })),
        )?;
        m.add_dependency(subscription.as_dependency());
        Ok(unsafe { Self::from_managed(m) })
    }

    /// Polls for the next response (`aeron_archive_control_response_poller_poll`); returns the
    /// fragments read.
    pub fn poll(&self) -> Result<i32, AeronCError> {
        check(self.guarded("AeronArchiveControlResponsePoller::poll", || unsafe {
            bindings::aeron_archive_control_response_poller_poll(self.get_inner())
        })?)
    }

    field!(/// True once a whole response was read by the last poll.
        is_poll_complete: bool);
    field!(/// Control session id of the last response.
        control_session_id: i64);
    field!(/// Correlation id of the last response.
        correlation_id: i64);
    field!(/// Relevant id (a recording id, subscription id, ...) of the last response.
        relevant_id: i64);
    field!(/// Recording id of the last recording signal.
        recording_id: i64);
    field!(/// Subscription id of the last recording signal.
        subscription_id: i64);
    field!(/// Position of the last recording signal.
        position: i64);
    field!(/// Code of the last recording signal.
        recording_signal_code: i32);
    field!(/// Archive protocol version of the last response.
        version: i32);
    field!(/// Response code of the last control response (0 ok, 1 error, ...).
        code_value: i32);
    field!(/// True if the last control response was OK.
        is_code_ok: bool);
    field!(/// True if the last control response was an error.
        is_code_error: bool);
    field!(/// True if the last message was a control response.
        is_control_response: bool);
    field!(/// True if the last message was an authentication challenge.
        was_challenged: bool);
    field!(/// True if the last message was a recording signal.
        is_recording_signal: bool);

    /// Error message of the last error response (`""` otherwise). Copied: the next `poll`
    /// (through `&self`) reuses the C buffer.
    pub fn error_message(&self) -> String {
        unsafe { crate::c_str_to_str((*self.get_inner()).error_message) }.to_owned()
    }
}

impl AeronArchive {
    /// The archive's own control response poller (borrowed; keeps the archive alive).
    ///
    /// # Safety
    /// The archive polls it during its calls: use it only while no archive call runs.
    pub unsafe fn control_response_poller(&self) -> AeronArchiveControlResponsePoller {
        let m = ManagedCResource::from_raw(bindings::aeron_archive_control_response_poller(self.get_inner()), None);
        m.add_dependency(self.as_dependency());
        unsafe { AeronArchiveControlResponsePoller::from_managed(m) }
    }
}

/// Declares one descriptor poller: a C poller that reads the answer to one list request and
/// hands each descriptor to a consumer [`Handler`]. The two C pollers (recording descriptors,
/// recording subscription descriptors) differ only in names.
macro_rules! descriptor_poller {
    (
        $(#[$doc:meta])* $name:ident => $ctype:ident,
        create $create:ident, close $close:ident, reset $reset:ident, poll $poll:ident,
        consumer $cb:ident via $tramp:ident,
        count $count:ident, remaining $remaining:ident
    ) => {
        rusteron_client::c_wrapper!(
            $(#[$doc])*
            ///
            /// Threads: neither `Send` nor `Sync`: it polls a subscription, which is single-threaded.
            /// Create it on the thread that polls (from a subscription added there or moved there with
            /// [`AeronSubscription::handoff`]).
            ///
            #[doc = concat!("```compile_fail,E0277\nfn poll_elsewhere(p: rusteron_archive::", stringify!($name), ") {\n    std::thread::spawn(move || drop(p));\n}\n```")]
            $name => bindings::$ctype
        );
        guarded_poll!($name);

        impl $name {
            #[doc = concat!("A poller (`", stringify!($create), "`); keeps the context and subscription alive.")]
            pub fn new(
                ctx: &AeronArchiveContext,
                subscription: &AeronSubscription,
                control_session_id: i64,
                fragment_limit: i32,
            ) -> Result<Self, AeronCError> {
                let m = ManagedCResource::new(
                    |p| unsafe {
                        bindings::$create(p, ctx.get_inner(), subscription.get_inner(), control_session_id, fragment_limit)
                    },
                    Some(Box::new(|p| unsafe { bindings::$close(p) })),
                )?;
                m.add_dependency(ctx.as_dependency());
                m.add_dependency(subscription.as_dependency());
                Ok(unsafe { Self::from_managed(m) })
            }

            #[doc = concat!("Prepares for a list request (`", stringify!($reset), "`); the poller keeps `consumer` alive.")]
            pub fn reset<H: $cb + Send + 'static>(&self, correlation_id: i64, $count: i32, consumer: &Handler<H>) {
                unsafe { bindings::$reset(self.get_inner(), correlation_id, $count, Some($tramp::<H>), consumer.as_raw()) };
                // This may release the last reference to the consumer being replaced while it
                // runs (a consumer that resets its own poller): the trampoline (`guard_handler`)
                // holds its own reference for the whole call, so the old consumer is freed only
                // after it returned, and its `Drop` runs behind the panic guard.
                self.keep_alive_as("consumer", crate::util::keep(consumer.clone()));
            }

            #[doc = concat!("Polls for descriptors (`", stringify!($poll), "`). An error answer of the archive")]
            /// carries its code as every archive error does (`-201` for an active listing, see
            /// [`AeronArchiveErrorExt`](crate::AeronArchiveErrorExt)).
            pub fn poll(&self) -> Result<i32, AeronCError> {
                let what = concat!(stringify!($name), "::poll");
                let rc = self.guarded(what, || unsafe { bindings::$poll(self.get_inner()) })?;
                if rc < 0 {
                    return Err(crate::errors::listing_error(what));
                }
                Ok(rc)
            }

            /// True once the whole answer was dispatched.
            pub fn is_dispatch_complete(&self) -> bool {
                unsafe { (*self.get_inner()).is_dispatch_complete }
            }

            /// How many descriptors may still come.
            pub fn $remaining(&self) -> i32 {
                unsafe { (*self.get_inner()).$remaining }
            }
        }
    };
}

descriptor_poller!(
    /// Reads recording descriptors for one list request from a control response subscription
    /// (`aeron_archive_recording_descriptor_poller_t`). [`reset`](Self::reset) it for a request
    /// (with its correlation id and consumer), then [`poll`](Self::poll) until
    /// [`is_dispatch_complete`](Self::is_dispatch_complete).
    AeronArchiveRecordingDescriptorPoller => aeron_archive_recording_descriptor_poller_t,
    create aeron_archive_recording_descriptor_poller_create,
    close aeron_archive_recording_descriptor_poller_close,
    reset aeron_archive_recording_descriptor_poller_reset,
    poll aeron_archive_recording_descriptor_poller_poll,
    consumer AeronArchiveRecordingDescriptorConsumerFuncCallback via recording_descriptor_consumer_handler_trampoline,
    count record_count, remaining remaining_record_count
);

descriptor_poller!(
    /// Reads recording subscription descriptors for one list request from a control response
    /// subscription (`aeron_archive_recording_subscription_descriptor_poller_t`).
    /// [`reset`](Self::reset) it for a request (with its correlation id and consumer), then
    /// [`poll`](Self::poll) until [`is_dispatch_complete`](Self::is_dispatch_complete).
    AeronArchiveRecordingSubscriptionDescriptorPoller => aeron_archive_recording_subscription_descriptor_poller_t,
    create aeron_archive_recording_subscription_descriptor_poller_create,
    close aeron_archive_recording_subscription_descriptor_poller_close,
    reset aeron_archive_recording_subscription_descriptor_poller_reset,
    poll aeron_archive_recording_subscription_descriptor_poller_poll,
    consumer AeronArchiveRecordingSubscriptionDescriptorConsumerFuncCallback
        via recording_subscription_descriptor_consumer_handler_trampoline,
    count subscription_count, remaining remaining_subscription_count
);
