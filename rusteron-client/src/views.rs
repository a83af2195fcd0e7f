//! Views of C objects that the client conductor lends to a callback for the duration of one call:
//! the subscription and image of an image callback, the counters reader of a counter callback.
//!
//! C owns these objects and may free them as soon as the callback returns (an image that goes
//! away is deleted right after `on_unavailable_image`). So a callback does not get an
//! [`AeronImage`](crate::AeronImage) or an [`AeronSubscription`](crate::AeronSubscription), which
//! could be cloned or moved into the handler's state and used later, but a view whose lifetime
//! ends with the call: keeping it does not compile. Everything a view returns is either plain data
//! or borrowed from the view. To keep an image, note its session id and look it up later, from
//! the thread that polls the subscription, with
//! [`AeronSubscription::image_by_session_id`](crate::AeronSubscription::image_by_session_id)
//! (a lookup from the conductor thread would race with that thread's poll over the image list).
//!
//! ```compile_fail
//! use rusteron_client::*;
//! struct Keeper(Option<AeronImageRef<'static>>);
//! impl AeronAvailableImageCallback for Keeper {
//!     fn handle_aeron_on_available_image(&mut self, _s: AeronSubscriptionRef<'_>, image: AeronImageRef<'_>) {
//!         self.0 = Some(image); // error: the image does not live long enough
//!     }
//! }
//! ```

use crate::bindings;
use crate::error::{check, AeronCError};
use crate::strings::c_str_to_str;
use crate::{AeronCountersReader, AeronImageConstants};
use std::marker::PhantomData;

/// The image handed to an [`AeronAvailableImageCallback`](crate::AeronAvailableImageCallback) or
/// [`AeronUnavailableImageCallback`](crate::AeronUnavailableImageCallback), valid for that call
/// only.
///
/// Threads: neither `Send` nor `Sync` (it lives on the conductor's stack frame).
#[derive(Clone, Copy)]
pub struct AeronImageRef<'a> {
    ptr: *mut bindings::aeron_image_t,
    _call: PhantomData<&'a bindings::aeron_image_t>,
}

impl<'a> AeronImageRef<'a> {
    /// Views an image that C lends for `'a`.
    ///
    /// # Safety
    /// `ptr` must point to a valid image for all of `'a`.
    #[inline]
    pub unsafe fn from_raw(ptr: *mut bindings::aeron_image_t) -> Self {
        AeronImageRef { ptr, _call: PhantomData }
    }

    /// The C image (valid during the callback only).
    #[inline]
    pub fn get_inner(&self) -> *mut bindings::aeron_image_t {
        self.ptr
    }

    fn constants(&self) -> Result<bindings::aeron_image_constants_t, AeronCError> {
        // SAFETY: zeroed is a valid value of this plain C struct; C fills it in.
        let mut c: bindings::aeron_image_constants_t = unsafe { std::mem::zeroed() };
        check(unsafe { bindings::aeron_image_constants(self.ptr, &mut c) })?;
        Ok(c)
    }

    /// The image's constants, with `source_identity` copied out (an [`AeronImageConstants`]
    /// whose pointers still point into the lent image would dangle after the call, so they are
    /// cleared: use [`source_identity`](Self::source_identity) for the text).
    pub fn get_constants(&self) -> Result<AeronImageConstants, AeronCError> {
        let mut c = self.constants()?;
        c.source_identity = std::ptr::null();
        c.subscription = std::ptr::null_mut();
        // SAFETY: its two pointer fields were just cleared; the getters treat null as empty.
        Ok(unsafe { AeronImageConstants::from_value(c) })
    }

    /// The publisher's session id.
    pub fn session_id(&self) -> i32 {
        self.constants().map(|c| c.session_id).unwrap_or(-1)
    }

    /// The correlation id the driver gave this image.
    pub fn correlation_id(&self) -> i64 {
        self.constants().map(|c| c.correlation_id).unwrap_or(-1)
    }

    /// The stream position at which this subscriber joined.
    pub fn join_position(&self) -> i64 {
        self.constants().map(|c| c.join_position).unwrap_or(-1)
    }

    /// Where the publication is, as the driver describes it (address and port, or `aeron:ipc`).
    pub fn source_identity(&self) -> &'a str {
        // SAFETY: the string lives in the image, which is valid for 'a.
        self.constants().map(|c| unsafe { c_str_to_str(c.source_identity) }).unwrap_or("")
    }

    /// How far the subscriber has consumed this image.
    pub fn position(&self) -> i64 {
        unsafe { bindings::aeron_image_position(self.ptr) }
    }

    /// True once the publisher has ended the stream and it has been consumed up to that end.
    pub fn is_end_of_stream(&self) -> bool {
        unsafe { bindings::aeron_image_is_end_of_stream(self.ptr) }
    }

    /// The position at which the stream ends (`i64::MAX` while it goes on).
    pub fn end_of_stream_position(&self) -> i64 {
        unsafe { bindings::aeron_image_end_of_stream_position(self.ptr) }
    }

    /// True once the image is closed (always so in an unavailable-image callback).
    pub fn is_closed(&self) -> bool {
        unsafe { bindings::aeron_image_is_closed(self.ptr) }
    }
}

impl std::fmt::Debug for AeronImageRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronImageRef")
            .field("session_id", &self.session_id())
            .field("source_identity", &self.source_identity())
            .field("position", &self.position())
            .finish()
    }
}

/// The subscription handed to an image callback, valid for that call only. (The image
/// callbacks may run before the subscription's async add has returned it to you, so this is a
/// view, not an [`AeronSubscription`](crate::AeronSubscription).)
///
/// Threads: neither `Send` nor `Sync`.
#[derive(Clone, Copy)]
pub struct AeronSubscriptionRef<'a> {
    ptr: *mut bindings::aeron_subscription_t,
    _call: PhantomData<&'a bindings::aeron_subscription_t>,
}

impl<'a> AeronSubscriptionRef<'a> {
    /// Views a subscription that C lends for `'a`.
    ///
    /// # Safety
    /// `ptr` must point to a valid subscription for all of `'a`.
    #[inline]
    pub unsafe fn from_raw(ptr: *mut bindings::aeron_subscription_t) -> Self {
        AeronSubscriptionRef { ptr, _call: PhantomData }
    }

    /// The C subscription (valid during the callback only).
    #[inline]
    pub fn get_inner(&self) -> *mut bindings::aeron_subscription_t {
        self.ptr
    }

    fn constants(&self) -> Result<bindings::aeron_subscription_constants_t, AeronCError> {
        // SAFETY: zeroed is a valid value of this plain C struct; C fills it in.
        let mut c: bindings::aeron_subscription_constants_t = unsafe { std::mem::zeroed() };
        check(unsafe { bindings::aeron_subscription_constants(self.ptr, &mut c) })?;
        Ok(c)
    }

    /// The channel URI.
    pub fn channel(&self) -> &'a str {
        // SAFETY: the string lives in the subscription, which is valid for 'a.
        self.constants().map(|c| unsafe { c_str_to_str(c.channel) }).unwrap_or("")
    }

    /// The stream id.
    pub fn stream_id(&self) -> i32 {
        self.constants().map(|c| c.stream_id).unwrap_or(-1)
    }

    /// The registration id (the id [`AeronSubscription`](crate::AeronSubscription)'s constants carry, so a handler can tell
    /// which of your subscriptions this is).
    pub fn registration_id(&self) -> i64 {
        self.constants().map(|c| c.registration_id).unwrap_or(-1)
    }

    /// True when at least one image is connected.
    pub fn is_connected(&self) -> bool {
        unsafe { bindings::aeron_subscription_is_connected(self.ptr) }
    }

    /// True once the subscription is closed.
    pub fn is_closed(&self) -> bool {
        unsafe { bindings::aeron_subscription_is_closed(self.ptr) }
    }

    /// The number of images.
    pub fn image_count(&self) -> Result<i32, AeronCError> {
        check(unsafe { bindings::aeron_subscription_image_count(self.ptr) })
    }
}

impl std::fmt::Debug for AeronSubscriptionRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronSubscriptionRef")
            .field("channel", &self.channel())
            .field("stream_id", &self.stream_id())
            .finish()
    }
}

/// The counters reader handed to a counter callback, valid for that call only. It reads the
/// same counters as [`Aeron::counters_reader`](crate::Aeron::counters_reader), which gives a
/// reader you may keep.
///
/// Threads: neither `Send` nor `Sync`.
pub struct AeronCountersReaderRef<'a> {
    // A borrowed wrapper that never leaves this view: every method below returns plain data or a
    // borrow of `self`, so nothing outlives the call.
    reader: AeronCountersReader,
    _call: PhantomData<&'a bindings::aeron_counters_reader_t>,
}

impl<'a> AeronCountersReaderRef<'a> {
    /// Views a counters reader that C lends for `'a`.
    ///
    /// # Safety
    /// `ptr` must point to a valid counters reader for all of `'a`.
    #[inline]
    pub unsafe fn from_raw(ptr: *mut bindings::aeron_counters_reader_t) -> Self {
        AeronCountersReaderRef { reader: AeronCountersReader::from_borrowed(ptr), _call: PhantomData }
    }

    /// The C counters reader (valid during the callback only).
    #[inline]
    pub fn get_inner(&self) -> *mut bindings::aeron_counters_reader_t {
        self.reader.get_inner()
    }

    /// The largest counter id.
    pub fn max_counter_id(&self) -> i32 {
        self.reader.max_counter_id()
    }

    /// A counter's current value.
    pub fn get_counter_value(&self, counter_id: i32) -> Result<i64, AeronCError> {
        self.reader.get_counter_value(counter_id)
    }

    /// A counter's label, copied.
    pub fn get_counter_label(&self, counter_id: i32) -> Result<String, AeronCError> {
        self.reader.get_counter_label(counter_id)
    }

    /// A copy of a counter's key area (see [`AeronCountersReader::get_counter_key`]).
    pub fn get_counter_key(&self, counter_id: i32) -> Result<[u8; crate::AERON_COUNTER_MAX_KEY_LENGTH], AeronCError> {
        self.reader.get_counter_key(counter_id)
    }

    /// A counter's type id.
    pub fn get_counter_type_id(&self, counter_id: i32) -> Result<i32, AeronCError> {
        self.reader.get_counter_type_id(counter_id)
    }

    /// A counter's registration id.
    pub fn get_counter_registration_id(&self, counter_id: i32) -> Result<i64, AeronCError> {
        self.reader.get_counter_registration_id(counter_id)
    }

    /// The id of the client that owns a counter.
    pub fn get_counter_owner_id(&self, counter_id: i32) -> Result<i64, AeronCError> {
        self.reader.get_counter_owner_id(counter_id)
    }

    /// The id of what a counter refers to.
    pub fn get_counter_reference_id(&self, counter_id: i32) -> Result<i64, AeronCError> {
        self.reader.get_counter_reference_id(counter_id)
    }

    /// A counter's record state.
    pub fn get_counter_state(&self, counter_id: i32) -> Result<i32, AeronCError> {
        self.reader.get_counter_state(counter_id)
    }

    /// The id of the allocated counter with this type id and registration id, if any.
    pub fn find_by_type_id_and_registration_id(&self, type_id: i32, registration_id: i64) -> Option<i32> {
        self.reader.find_by_type_id_and_registration_id(type_id, registration_id)
    }

    /// Calls `f(value, id, type_id, key, label)` for every allocated counter.
    pub fn foreach_counter_once<F: FnMut(i64, i32, i32, &[u8], &str)>(&self, f: F) {
        self.reader.foreach_counter_once(f)
    }
}

impl std::fmt::Debug for AeronCountersReaderRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronCountersReaderRef").field("max_counter_id", &self.max_counter_id()).finish()
    }
}
