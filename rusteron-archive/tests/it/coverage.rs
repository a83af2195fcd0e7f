//! Coverage of `aeron_archive.h`: every function it declares must be called (as
//! `bindings::<name>`) somewhere under `rusteron-archive/src`, except those in `EXCLUDED`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Functions not wrapped, each with its reason (keep under 10).
const EXCLUDED: &[(&str, &str)] = &[
    (
        "aeron_archive_replay_merge_poll",
        "`AeronArchiveReplayMerge::poll_once` does its two steps itself: `do_work` under the archive's lock, \
         then the image poll (and the user's handler) outside it",
    ),
    (
        "aeron_archive_get_and_own_archive_context",
        "`AeronArchive::get_and_own_archive_context` returns a new owned copy (`aeron_archive_context_duplicate`) \
         instead: C's call would hand the caller the context the archive still reads on every request, shared by \
         every thread that asks the `Send + Sync` archive for it (issue 26)",
    ),
];

fn header() -> PathBuf {
    let rel = "aeron-archive/src/main/c/client/aeron_archive.h";
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let mut tried = Vec::new();
    if let Ok(d) = std::env::var("AERON_SOURCE_DIR") {
        tried.push(PathBuf::from(d).join(rel));
    }
    tried.push(workspace.join(format!(".cache/aeron-{}", rusteron_archive::bindings::AERON_VERSION)).join(rel));
    tried.push(workspace.join("aeron").join(rel));
    tried.iter().find(|p| p.is_file()).cloned().unwrap_or_else(|| panic!("aeron_archive.h not found in {tried:?}"))
}

/// The header without comments and preprocessor lines.
fn code_only(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    loop {
        let block = rest.find("/*");
        let line = rest.find("//");
        match (block, line) {
            (Some(b), l) if l.is_none_or(|l| b < l) => {
                out.push_str(&rest[..b]);
                rest = rest[b + 2..].split_once("*/").map(|(_, r)| r).unwrap_or("");
            }
            (_, Some(l)) => {
                out.push_str(&rest[..l]);
                rest = rest[l..].split_once('\n').map(|(_, r)| r).unwrap_or("");
                out.push('\n');
            }
            _ => {
                out.push_str(rest);
                break;
            }
        }
    }
    out.lines().filter(|l| !l.trim_start().starts_with('#')).collect::<Vec<_>>().join("\n")
}

/// `name(` occurrences that declare a function (not `(*name)(` function pointer types).
fn declared(text: &str) -> BTreeSet<String> {
    let code = code_only(text);
    let mut names = BTreeSet::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while let Some(p) = code[i..].find("aeron_") {
        let start = i + p;
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        i = end.max(start + 1);
        if start > 0
            && (bytes[start - 1].is_ascii_alphanumeric()
                || bytes[start - 1] == b'_'
                || bytes[start - 1] == b'*' && code[..start - 1].ends_with('('))
        {
            continue;
        }
        let after = code[end..].trim_start();
        let before = code[..start].trim_end();
        if after.starts_with('(') && !before.ends_with("(*") && !before.ends_with("return") {
            names.insert(code[start..end].to_string());
        }
    }
    names
}

fn sources() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = String::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "rs") {
            // Code only: doc comments name C functions without calling them.
            for line in std::fs::read_to_string(p).unwrap().lines() {
                if !line.trim_start().starts_with("//") {
                    all.push_str(line);
                    all.push('\n');
                }
            }
        }
    }
    all
}

/// `name` appears in code as a whole identifier (a call, or a macro argument naming the call).
fn used(src: &str, name: &str) -> bool {
    src.match_indices(name).any(|(i, _)| {
        let before = src[..i].chars().next_back();
        let after = src[i + name.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

#[test]
fn every_aeron_archive_h_function_is_wrapped() {
    assert!(EXCLUDED.len() < 10);
    let functions = declared(&std::fs::read_to_string(header()).unwrap());
    assert!(functions.len() > 100, "parsed only {} functions", functions.len());
    let src = sources();
    let excluded: BTreeSet<&str> = EXCLUDED.iter().map(|(n, _)| *n).collect();
    let mut missing = Vec::new();
    let mut covered = 0;
    for f in &functions {
        if used(&src, f) {
            covered += 1;
        } else if !excluded.contains(f.as_str()) {
            missing.push(f.clone());
        }
    }
    println!(
        "aeron_archive.h coverage: {covered} of {} functions wrapped, {} excluded",
        functions.len(),
        EXCLUDED.len()
    );
    for (n, why) in EXCLUDED {
        println!("  excluded {n}: {why}");
    }
    assert!(missing.is_empty(), "not wrapped: {missing:#?}");
}
