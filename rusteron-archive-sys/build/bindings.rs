//! Runs bindgen over `wrapper.h`, keeping only Aeron's own names (and what they pull in).

use crate::cmake_build::Built;
use crate::source::AeronSource;
use std::path::Path;

#[path = "bindgen_options.rs"]
mod options;

pub fn generate(src: &AeronSource, built: &Built, out_dir: &Path) {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    let archive_client = src.archive_c().join("client");
    let includes = [src.client_c(), src.driver_c(), archive_client, src.archive_c(), built.generated_dir.clone()];
    let includes: Vec<&Path> = includes.iter().map(|p| p.as_path()).collect();
    let builder = options::aeron_builder(&Path::new(&manifest).join("wrapper.h"), &includes)
        .parse_callbacks(Box::new(bindgen::CargoCallbacks::new().rerun_on_header_files(false)));

    let bindings = run_bindgen(builder).unwrap_or_else(|e| crate::fail(e));
    bindings
        .write_to_file(out_dir.join("bindings.rs"))
        .unwrap_or_else(|e| crate::fail(format!("cannot write bindings.rs: {e}")));
}

/// Runs bindgen, turning its panic (libclang not loadable) and its diagnostics into one line each.
fn run_bindgen(builder: bindgen::Builder) -> Result<bindgen::Bindings, String> {
    // bindgen panics when clang-sys cannot load libclang; keep the panic's own reason (it lists
    // the places it looked) and keep the default panic message out of the build output.
    let reason = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let seen = reason.clone();
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = match (info.payload().downcast_ref::<&str>(), info.payload().downcast_ref::<String>()) {
            (Some(s), _) => s.to_string(),
            (_, Some(s)) => s.clone(),
            _ => String::new(),
        };
        *seen.lock().unwrap_or_else(|e| e.into_inner()) = text;
    }));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || builder.generate()));
    std::panic::set_hook(previous_hook);
    match result {
        Ok(Ok(b)) => Ok(b),
        Ok(Err(e)) => {
            let text = e.to_string();
            if text.contains("stdbool.h") || text.contains("stddef.h") || text.contains("stdarg.h") {
                Err(format!(
                    "bindgen loaded libclang, but clang's builtin headers are missing ({}): install the resource headers of that libclang version (Debian/Ubuntu: `apt-get install -y libclang-dev`, which brings libclang-common-<N>-dev), or point LIBCLANG_PATH at a complete LLVM installation",
                    text.lines().find(|l| l.contains(".h")).unwrap_or(&text).trim()
                ))
            } else {
                Err(format!("bindgen failed on Aeron's headers: {}", text.trim()))
            }
        }
        Err(_) => {
            let why = reason.lock().unwrap_or_else(|e| e.into_inner()).clone();
            let why = why.lines().next().unwrap_or("").trim().to_string();
            Err(format!(
                "bindgen could not load libclang ({}): install it (Debian/Ubuntu: `apt-get install -y libclang-dev`; Fedora: `dnf install clang-devel`; macOS: Xcode command line tools), or set LIBCLANG_PATH to the folder holding libclang.so",
                if why.is_empty() { "no reason given" } else { &why }
            ))
        }
    }
}

/// Checks, before the long Aeron build, that bindgen can load libclang and that clang finds its
/// builtin headers: parses a three-line header with the same bindgen the real run uses.
pub fn check_libclang(out_dir: &Path) {
    let probe = out_dir.join("rusteron_libclang_probe.h");
    std::fs::write(
        &probe,
        "#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\nbool rusteron_probe(size_t n, uint8_t b);\n",
    )
    .unwrap_or_else(|e| crate::fail(format!("cannot write {}: {e}", probe.display())));
    let builder = bindgen::Builder::default().header(probe.to_string_lossy()).allowlist_function("rusteron_probe");
    if let Err(e) = run_bindgen(builder) {
        crate::fail(e);
    }
}
