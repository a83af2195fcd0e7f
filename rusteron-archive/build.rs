// Dynamic linking: give this crate's tests, examples and benches an rpath to the Aeron libraries
// rusteron-archive-sys built, so they also run directly (cargo run/test need no rpath), and pass
// the folder on to crates depending on this one as DEP_RUSTERON_ARCHIVE_LIB_DIR (`links` below),
// so a binary crate can add the same rpath with one line in its build script.
fn main() {
    if let (Ok(dir), Ok(s)) = (std::env::var("DEP_AERON_LIB_DIR"), std::env::var("DEP_AERON_STATIC")) {
        if s != "1" {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
            println!("cargo:LIB_DIR={dir}");
        }
    }
}
