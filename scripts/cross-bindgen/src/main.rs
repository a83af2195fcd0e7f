//! `rusteron-cross-bindgen --out FILE --header wrapper.h [--include DIR]... [--clang-arg ARG]...`
//!
//! Writes the bindings of `wrapper.h` with the options of rusteron-archive-sys's build script
//! (`build/bindgen_options.rs`), plus the given clang arguments: for a macOS archive made on Linux,
//! `--target=<clang triple>`, the libclang resource folder and zig's Darwin libc headers.

#[path = "../../../rusteron-archive-sys/build/bindgen_options.rs"]
mod bindgen_options;

use std::path::PathBuf;

fn main() {
    let mut out = None;
    let mut header = None;
    let mut includes: Vec<PathBuf> = Vec::new();
    let mut clang_args: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_else(|| usage(&format!("{flag} needs a value")));
        match flag.as_str() {
            "--out" => out = Some(PathBuf::from(value)),
            "--header" => header = Some(PathBuf::from(value)),
            "--include" => includes.push(PathBuf::from(value)),
            "--clang-arg" => clang_args.push(value),
            _ => usage(&format!("unknown argument {flag}")),
        }
    }
    let out = out.unwrap_or_else(|| usage("--out is required"));
    let header = header.unwrap_or_else(|| usage("--header is required"));
    let dirs: Vec<&std::path::Path> = includes.iter().map(|p| p.as_path()).collect();
    let builder = bindgen_options::aeron_builder(&header, &dirs).rust_target(current_rust()).clang_args(clang_args);
    let bindings = builder.generate().unwrap_or_else(|e| {
        eprintln!("rusteron-cross-bindgen: bindgen failed: {e}");
        std::process::exit(1)
    });
    bindings.write_to_file(&out).unwrap_or_else(|e| {
        eprintln!("rusteron-cross-bindgen: cannot write {}: {e}", out.display());
        std::process::exit(1)
    });
}

/// The Rust version bindgen generates for. In a build script bindgen asks `$RUSTC --version`;
/// outside one it would take the newest Rust it knows, which changes the output (edition, `unsafe
/// extern`). Ask the same rustc, so the bindings match what the sys crate's build script writes.
fn current_rust() -> bindgen::RustTarget {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = std::process::Command::new(&rustc).arg("--version").output().ok();
    let text = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    // "rustc 1.91.0 (f8297e351 2025-10-28)"
    let number = text.split_whitespace().nth(1).and_then(|v| v.split(['-', '+']).next()).unwrap_or("");
    number.parse().unwrap_or_else(|_| {
        eprintln!(
            "rusteron-cross-bindgen: cannot read the Rust version from `{} --version` ({text:?})",
            rustc.to_string_lossy()
        );
        std::process::exit(1)
    })
}

fn usage(why: &str) -> ! {
    eprintln!("rusteron-cross-bindgen: {why}");
    eprintln!("usage: rusteron-cross-bindgen --out FILE --header wrapper.h [--include DIR]... [--clang-arg ARG]...");
    std::process::exit(2)
}
