// Give this crate's tests, examples and benches an rpath to the Aeron libraries that
// rusteron-archive-sys built (dynamic linking), so they run without LD_LIBRARY_PATH.
fn main() {
    if let (Ok(dir), Ok(s)) = (std::env::var("DEP_AERON_LIB_DIR"), std::env::var("DEP_AERON_STATIC")) {
        if s != "1" {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
        }
    }
}
