//! Raw bindings to Aeron's C client (`aeronc.h`), C archive client (`aeron_archive.h`) and the
//! lower-level headers they rest on (URI parsing, counters, CnC, log buffers, protocol frames).
//!
//! Everything here is `unsafe` and mirrors the C declarations exactly as bindgen produced them.
//! No policy lives in this crate: the safe layer is `rusteron-client` / `rusteron-archive`.
//!
//! The Aeron tree is built from source by `build.rs` (see the crate README for where the sources
//! come from and which tools are needed).
#![allow(non_upper_case_globals, non_camel_case_types, non_snake_case, dead_code)]
#![allow(clippy::all)]
#![allow(rustdoc::all)]
#![allow(unnecessary_transmutes)]

include!(concat!(env!("OUT_DIR"), "/bindings.rs"));

/// The Aeron version this crate was built from (read from the tree's `version.txt`).
pub const AERON_VERSION: &str = env!("RUSTERON_AERON_VERSION");

/// Absolute path of the `aeronmd` C media driver binary built alongside the libraries.
///
/// The `testing` helpers of the safe crates start this binary. It is a path on the machine that
/// compiled this crate and is meant for tests, examples and benches of the same build.
pub const AERONMD_PATH: &str = env!("RUSTERON_AERONMD_PATH");

/// Directory holding the Aeron libraries this crate linked against.
pub const AERON_LIB_DIR: &str = env!("RUSTERON_AERON_LIB_DIR");

/// Path of the `versions.env` file that pins every external version used by the build.
pub const VERSIONS_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/versions.env");

/// True when the Aeron libraries were linked statically (`static` feature).
pub const STATIC_LINKED: bool = cfg!(feature = "static");
