//! The bindgen options for `wrapper.h`, in one place: `bindings.rs` uses them in the build script,
//! and `scripts/cross-bindgen` (the bindings of the macOS archives made on Linux) includes this
//! file with `#[path]`, so both produce bindings with the same allowlists and derives.

use std::path::Path;

/// A builder for `wrapper.h` with the given `-I` folders (in order) and every option except the
/// target and the cargo callbacks, which the caller adds.
pub fn aeron_builder(wrapper_h: &Path, include_dirs: &[&Path]) -> bindgen::Builder {
    let mut builder = bindgen::Builder::default().header(wrapper_h.to_string_lossy());
    for dir in include_dirs {
        builder = builder.clang_arg(format!("-I{}", dir.display()));
    }
    builder
        .clang_arg("-D_GNU_SOURCE")
        .allowlist_function("aeron_.*")
        .allowlist_type("aeron_.*")
        .allowlist_var("AERON_.*|aeron_.*")
        .derive_default(true)
        .derive_debug(true)
        .derive_copy(true)
        .generate_comments(true)
        .layout_tests(false)
        .merge_extern_blocks(true)
}
