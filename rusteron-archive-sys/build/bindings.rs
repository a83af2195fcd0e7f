//! Runs bindgen over `wrapper.h`, keeping only Aeron's own names (and what they pull in).

use crate::cmake_build::Built;
use crate::source::AeronSource;
use std::path::Path;

pub fn generate(src: &AeronSource, built: &Built, out_dir: &Path) {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    let archive_client = src.archive_c().join("client");
    let builder = bindgen::Builder::default()
        .header(format!("{manifest}/wrapper.h"))
        .clang_arg(format!("-I{}", src.client_c().display()))
        .clang_arg(format!("-I{}", archive_client.display()))
        .clang_arg(format!("-I{}", src.archive_c().display()))
        .clang_arg(format!("-I{}", built.generated_dir.display()))
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
        .parse_callbacks(Box::new(bindgen::CargoCallbacks::new().rerun_on_header_files(false)));

    // bindgen panics when libclang cannot be loaded; turn that into one clear line (and keep
    // the default panic message out of the way).
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || builder.generate()));
    std::panic::set_hook(previous_hook);
    let bindings = match result {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => crate::fail(format!("bindgen failed on Aeron's headers: {e}")),
        Err(_) => crate::fail(
            "bindgen could not load libclang: run `apt-get install -y libclang-dev` (or `just setup`), or set LIBCLANG_PATH",
        ),
    };
    bindings
        .write_to_file(out_dir.join("bindings.rs"))
        .unwrap_or_else(|e| crate::fail(format!("cannot write bindings.rs: {e}")));
}
