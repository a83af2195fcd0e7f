//! Safe layer over Aeron C archive client.
pub use rusteron_client::*;
