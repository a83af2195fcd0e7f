//! The committed codecs (src/codecs) are exactly what `scripts/cluster-codecs.sh` generates
//! from Aeron's cluster schema with SbeTool's Rust generator. Needs java, the SbeTool jar and
//! the Aeron tree (`just setup`); where one is missing the test says so and checks nothing else
//! (set RUSTERON_REQUIRE_CODEGEN=1 to make that a failure, as `just cluster-check` does).

use std::path::{Path, PathBuf};
use std::process::Command;

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn committed_codecs_match_a_fresh_generation() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let script = crate_dir.join("../scripts/cluster-codecs.sh");
    let out = std::env::temp_dir().join(format!("rusteron-cluster-codecs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let run = Command::new("bash").arg(&script).arg(&out).output().expect("run bash");
    if !run.status.success() {
        let why = String::from_utf8_lossy(&run.stderr);
        if std::env::var_os("RUSTERON_REQUIRE_CODEGEN").is_some() {
            panic!("regeneration failed: {why}");
        }
        eprintln!("SKIPPED the comparison: cannot regenerate here: {why}");
        return;
    }
    let committed = files(&crate_dir.join("src/codecs"));
    let fresh = files(&out);
    let _ = std::fs::remove_dir_all(&out);
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&committed), names(&fresh), "the set of generated files differs: run `just cluster-codecs`");
    for ((name, a), (_, b)) in committed.iter().zip(&fresh) {
        assert!(a == b, "src/codecs/{name} differs from a fresh generation: run `just cluster-codecs`");
    }
    assert_eq!(committed.len(), 68);
}
