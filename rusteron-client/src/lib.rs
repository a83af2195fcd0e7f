//! Safe layer over Aeron C client.
pub use rusteron_archive_sys as bindings;
