//! API coverage: every function `aeronc.h` declares must be called somewhere in
//! `rusteron-client/src`, except the few listed in `EXCLUDED` with the reason why.
//!
//! The header is found at `$AERON_SOURCE_DIR`, else in the workspace's `.cache/aeron-<version>`
//! (where the sys crate's build fetched it), else in the `aeron/` submodule.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Functions deliberately not wrapped. Keep this under 15 entries, each with its reason.
const EXCLUDED: &[(&str, &str)] = &[
    // C varargs printf wrapper: Rust formats its own strings; there is nothing safe to expose.
    ("aeron_fprintf", "variadic C printf wrapper"),
    // Their callback type takes a C `va_list`, which stable Rust cannot receive.
    ("aeron_set_fprintf_handler", "handler type takes a va_list"),
    ("aeron_get_fprintf_handler", "handler type takes a va_list"),
    // Declared in aeronc.h 1.54.0 but not defined in libaeron (checked with `nm -D`): linking
    // fails. `AeronContext::set_agent_on_start_function` writes the context fields instead.
    ("aeron_context_set_agent_on_start_function", "declared but not exported by libaeron 1.54.0"),
    ("aeron_context_get_agent_on_start_function", "declared but not exported by libaeron 1.54.0"),
    ("aeron_context_get_agent_on_start_state", "declared but not exported by libaeron 1.54.0"),
    // Only decrements the count while the image is still in the subscription, so releasing an
    // image that already left would leak it; retained images are released with
    // `aeron_image_release`, which always balances the retain.
    ("aeron_subscription_image_release", "unbalanced for departed images; aeron_image_release is used"),
];

fn header_path() -> Option<PathBuf> {
    let rel = Path::new("aeron-client/src/main/c/aeronc.h");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = manifest.parent()?;
    let mut candidates = Vec::new();
    if let Ok(dir) = std::env::var("AERON_SOURCE_DIR") {
        candidates.push(PathBuf::from(dir).join(rel));
    }
    candidates
        .push(workspace.join(".cache").join(format!("aeron-{}", rusteron_client::bindings::AERON_VERSION)).join(rel));
    candidates.push(workspace.join("aeron").join(rel));
    candidates.into_iter().find(|p| p.is_file())
}

/// Removes `/* */` and `//` comments and preprocessor lines.
fn strip_comments(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"/*") {
            i = src[i + 2..].find("*/").map(|j| i + 2 + j + 2).unwrap_or(b.len());
        } else if b[i..].starts_with(b"//") {
            i = src[i..].find('\n').map(|j| i + j).unwrap_or(b.len());
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out.lines().filter(|l| !l.trim_start().starts_with('#')).collect::<Vec<_>>().join("\n")
}

/// Names of the functions declared: `aeron_xxx(`, except function pointer types `(*aeron_xxx)(`.
fn declared_functions(header: &str) -> BTreeSet<String> {
    let text = strip_comments(header);
    let bytes = text.as_bytes();
    let mut names = BTreeSet::new();
    let mut i = 0;
    while let Some(pos) = text[i..].find("aeron_") {
        let start = i + pos;
        i = start + 6;
        if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
            continue;
        }
        // `(*aeron_xxx_t)(...)` is a function pointer type, not a function.
        if text[..start].trim_end().ends_with("(*") {
            continue;
        }
        let end = start
            + text[start..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(text.len() - start);
        let after = text[end..].trim_start();
        if after.starts_with('(') {
            names.insert(text[start..end].to_string());
        }
        i = end;
    }
    names
}

fn source_text() -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = String::new();
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                all.push_str(&std::fs::read_to_string(&p).unwrap());
                all.push('\n');
            }
        }
    }
    all
}

fn mentions(src: &str, name: &str) -> bool {
    let b = src.as_bytes();
    let mut from = 0;
    while let Some(p) = src[from..].find(name) {
        let s = from + p;
        let e = s + name.len();
        let before_ok = s == 0 || !(b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b'_');
        let after_ok = e >= b.len() || !(b[e].is_ascii_alphanumeric() || b[e] == b'_');
        if before_ok && after_ok {
            return true;
        }
        from = e;
    }
    false
}

#[test]
fn every_aeronc_function_is_wrapped() {
    assert!(EXCLUDED.len() < 15, "the exclusion list must stay short");
    let path = header_path().expect(
        "aeronc.h not found: set AERON_SOURCE_DIR, or build once so that .cache/aeron-<version> exists, or init the aeron/ submodule",
    );
    let header = std::fs::read_to_string(&path).unwrap();
    let declared = declared_functions(&header);
    assert!(declared.len() > 150, "parsed only {} functions from {}", declared.len(), path.display());
    let src = source_text();
    let excluded: BTreeSet<&str> = EXCLUDED.iter().map(|(n, _)| *n).collect();
    for name in &excluded {
        assert!(declared.contains(*name), "excluded {name} is not declared in aeronc.h any more");
    }
    let missing: Vec<&String> =
        declared.iter().filter(|n| !excluded.contains(n.as_str()) && !mentions(&src, n)).collect();
    let wrapped = declared.len() - excluded.len() - missing.len();
    println!(
        "aeronc.h coverage: {wrapped} of {} functions wrapped ({} excluded, {} missing)",
        declared.len(),
        excluded.len(),
        missing.len()
    );
    assert!(missing.is_empty(), "{} aeronc.h functions are not wrapped: {missing:?}", missing.len());
}
