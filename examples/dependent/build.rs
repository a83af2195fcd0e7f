// The one line a binary crate adds so its binaries also run when started directly (cargo run and
// cargo test need nothing): an rpath to the Aeron shared libraries rusteron built. With the
// `static` feature the variable is not set and nothing is added.
fn main() {
    if let Ok(dir) = std::env::var("DEP_RUSTERON_ARCHIVE_LIB_DIR") { println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}"); }
}
