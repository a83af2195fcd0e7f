//! `AeronPublicationErrorValues`: what an error frame from a receiver said about a publication,
//! the argument of the publication error frame handler.

use crate::bindings;
use crate::error::AeronCError;
use crate::resource::ManagedCResource;
use crate::strings::c_bytes_to_str;

crate::c_wrapper!(
    /// The contents of an error frame a receiver sent about a publication
    /// (`aeron_publication_error_values_t`).
    ///
    /// Handed to an
    /// [`AeronPublicationErrorFrameHandlerCallback`](crate::AeronPublicationErrorFrameHandlerCallback)
    /// borrowed for the call; keep it longer with [`copy`](Self::copy)
    /// (`aeron_publication_error_values_copy`), which is freed with
    /// `aeron_publication_error_values_delete` when the last clone drops.
    ///
    /// Threads: `Send + Sync` (read-only data).
    AeronPublicationErrorValues => bindings::aeron_publication_error_values_t
);
unsafe impl Send for AeronPublicationErrorValues {}
unsafe impl Sync for AeronPublicationErrorValues {}

/// Reads one field of the packed error values struct.
macro_rules! error_value_field {
    ($(#[$doc:meta])* $name:ident: $t:ty) => {
        $(#[$doc])*
        pub fn $name(&self) -> $t {
            // SAFETY: the struct is packed; read the field unaligned through a raw pointer.
            unsafe { std::ptr::addr_of!((*self.get_inner()).$name).read_unaligned() }
        }
    };
}

impl AeronPublicationErrorValues {
    /// An owned copy that stays valid after the callback (`aeron_publication_error_values_copy`).
    pub fn copy(&self) -> Result<Self, AeronCError> {
        let src = self.get_inner();
        let m = ManagedCResource::new(
            |dst| unsafe { bindings::aeron_publication_error_values_copy(dst, src) },
            Some(Box::new(|p| {
                unsafe { bindings::aeron_publication_error_values_delete(p) };
                0
            })),
        )?;
        Ok(unsafe { Self::from_managed(m) })
    }

    error_value_field!(
        /// Registration id of the publication that got the error.
        registration_id: i64);
    error_value_field!(
        /// Registration id of the destination (multi-destination cast), or the null value.
        destination_registration_id: i64);
    error_value_field!(
        /// Session id of the publication.
        session_id: i32);
    error_value_field!(
        /// Stream id of the publication.
        stream_id: i32);
    error_value_field!(
        /// Id of the receiver that sent the error.
        receiver_id: i64);
    error_value_field!(
        /// Group tag of the receiver, or the null value.
        group_tag: i64);
    error_value_field!(
        /// Address family of `source_address` (IPv4 or IPv6).
        address_type: i16);
    error_value_field!(
        /// UDP port the error frame came from.
        source_port: u16);
    error_value_field!(
        /// Address the error frame came from (4 or 16 significant bytes).
        source_address: [u8; 16]);
    error_value_field!(
        /// The error code the receiver reported.
        error_code: i32);
    error_value_field!(
        /// Length of the error message in bytes.
        error_message_length: i32);

    /// The error message the receiver reported.
    pub fn error_message(&self) -> &str {
        let len = self.error_message_length().max(0) as usize;
        // SAFETY: C allocates `error_message_length` bytes of message after the fixed fields.
        unsafe {
            let p = std::ptr::addr_of!((*self.get_inner()).error_message) as *const std::os::raw::c_char;
            c_bytes_to_str(p, len)
        }
    }
}
