# rusteron: Rust bindings for Aeron and Aeron Archive. `just` lists the recipes.

set shell := ["bash", "-euo", "pipefail", "-c"]

default:
    @just --list

# Install or locate cmake>=3.30, libclang, JDK, mvn, the Aeron 1.54.0 tree and the jars (idempotent)
setup:
    bash scripts/setup.sh

# Build the workspace (Aeron C client, archive client and media driver from source, then Rust)
build: setup
    cargo build --workspace --all-targets

# Record a stream into an embedded Java archive, replay it and check every message
run: setup
    cargo run --release -p rusteron-archive --example record_and_replay

# Every test: sys, client and archive crates against a real aeronmd and a real Java archive,
# in the default (dynamic) and the `static` configuration, then `static,precompile` (precompile-proof),
# then a crate outside the workspace in every linking configuration (dependent-check), then the
# packaged crates used offline from a scratch crate (package-check)
test: setup
    cargo fmt --all --check
    cargo test --workspace
    cargo test -p rusteron-archive-sys --features static
    cargo test -p rusteron-client --features static
    just linkage
    just precompile-proof
    just dependent-check
    just package-check
    just memcheck
    just bench-guard
    cargo clippy --workspace --all-targets -- -D warnings

# Pack Aeron libs, aeronmd, bindings and headers for `precompile`: target/artifacts/rusteron-aeron-<v>-<triple>.tar.gz
build-artifacts: setup
    bash scripts/build-artifacts.sh

# Prove `static,precompile`: sys and client tests in a clean copy, without cmake, java or libclang
precompile-proof: setup
    bash scripts/precompile-proof.sh

# examples/dependent, a crate outside the workspace: cargo run, cargo test and a direct run, for the
# default, static, precompile and static,precompile configurations (CONFIGS="default static" to limit)
dependent-check: setup
    bash scripts/dependent-check.sh

# The three .crate files (sys crate with Aeron's C sources, codecs and docs-only bindings) in a
# staging copy: target/package-stage/ws/target/package/
package: setup
    bash scripts/package.sh

# cargo package --workspace, then a scratch crate on the .crate files with a fresh CARGO_HOME:
# cargo vendor, offline build and round trip without java/mvn, release reuses Aeron, DOCS_RS docs
package-check: setup
    bash scripts/package-check.sh

# The lifetime/callback/drop-order tests under valgrind memcheck: any use of freed memory fails
memcheck: setup
    bash scripts/memcheck.sh

# Show what the test binaries load at run time: libaeron*.so by default, nothing with `static`
linkage:
    cargo test -q -p rusteron-archive-sys --test build_is_real linkage_matches_the_features -- --nocapture
    cargo test -q -p rusteron-archive-sys --features static --test build_is_real linkage_matches_the_features -- --nocapture

# Criterion benches (wrapper vs raw C, archive) and the Java archive baseline; summary table in
# target/bench-results/summary.md (BENCH_RUNS=3 runs of the client/latency benches)
bench: setup
    bash scripts/bench.sh

# Instructions per offer / try_claim / poll, wrapper vs raw C, counted by callgrind (load-independent)
bench-instructions: setup
    bash scripts/bench-instructions.sh

# Java archive baseline only: Aeron's Java AeronArchive client, record and replay throughput
bench-java: setup
    bash scripts/bench-java.sh

# Format the code
fmt:
    cargo fmt --all

# Lint with clippy, warnings are errors
clippy: setup
    cargo clippy --workspace --all-targets -- -D warnings

# Build the API documentation
doc: setup
    cargo doc --workspace --no-deps

# Record an archive stream and replay it (same as `just run`; COUNT messages)
record-and-replay COUNT="100000": setup
    cargo run --release -p rusteron-archive --example record_and_replay -- {{COUNT}}

# A late subscriber replays a recording and merges into the live stream without a gap
replay-merge: setup
    cargo run --release -p rusteron-archive --example replay_merge

# Replicate a recording between two embedded archives and replay the copy
recording-replication: setup
    cargo run --release -p rusteron-archive --example recording_replication

# Show the errors of an archive client: no archive, unknown recording, bad channel, panics
archive-error-handling: setup
    cargo run --release -p rusteron-archive --example archive_error_handling

# Recording and replay rates of the embedded archive (MESSAGES of SIZE bytes)
recording-throughput MESSAGES="2000000" SIZE="32": setup
    cargo run --release -p rusteron-archive --example recording_throughput -- {{MESSAGES}} {{SIZE}}

# Print an archive's catalog (no CHANNEL: an embedded archive with two recordings)
list-recordings CHANNEL="" AERON_DIR="": setup
    cargo run --release -p rusteron-archive --example list_recordings -- {{CHANNEL}} {{AERON_DIR}}

# In a Debian 12 minbase root made by debootstrap (run as root; 25-45 min a variant, not part of
# `just test`). VARIANT: bare (gcc, git), stocked (+ libbsd-dev, uuid-dev) or both; FRESH_REF=<commit>.
# The README's quick start (cargo install just, just run, just test) on a fresh Debian 12 machine
fresh-machine-check VARIANT="bare":
    bash scripts/fresh-machine-check.sh {{VARIANT}}

# Writes target/artifacts/rusteron-aeron-<v>-{aarch64,x86_64}-apple-darwin.tar.gz, then runs
# macos-artifacts-check on them.
# macOS archives cross-built on Linux with zig cc (PyPI's ziglang, in .cache/zig-venv), then checked
build-artifacts-macos TARGETS="aarch64-apple-darwin x86_64-apple-darwin": setup
    bash scripts/build-artifacts-cross.sh {{TARGETS}}
    bash scripts/check-macos-artifacts.sh {{TARGETS}}

# Mach-O types, install names, rpaths, signatures, symbols against libSystem and the Linux build,
# minimum macOS, a C program linked with zig cc, build.rs's precompile checks for an apple triple,
# the bindings: what can be proved on Linux about the macOS archives
macos-artifacts-check TARGETS="aarch64-apple-darwin x86_64-apple-darwin": setup
    bash scripts/check-macos-artifacts.sh {{TARGETS}}

# cargo check of the safe crates against each macOS archive's bindings.rs (host target, no link)
macos-bindings-rust-check TARGETS="aarch64-apple-darwin x86_64-apple-darwin": setup
    bash scripts/check-macos-bindings-rust.sh {{TARGETS}}

# Perf regression guard (part of `just test`): offer/claim/poll instructions, ours vs raw C, callgrind
bench-guard: setup
    bash scripts/bench-guard.sh

# The published rusteron-client (crates.io) peer bench alone, against a fresh aeronmd (IPC part)
bench-peer: setup
    #!/usr/bin/env bash
    set -euo pipefail
    target="${CARGO_TARGET_DIR:-$PWD/target}"
    source scripts/bench-lib.sh
    bench_build client
    trap stop_driver EXIT
    start_driver backoff
    RUSTERON_BENCH_RESULTS="$target/bench-results" RUSTERON_BENCH_TRANSPORTS=ipc peer_cargo bench --bench peer

# Soak (minutes; not part of `just test`): rounds of publishing into one recording while the archive and
# its media driver are SIGKILLed at random points (seeded, seed printed) and restarted on the same
# directories, the recording extended after each restart, then a replay that checks every acknowledged
# message is present once, in order, byte-identical. ARGS: --messages N --restarts R --seed S --size B
# --checksum (record CRC-32) --fresh-dir-per-round (control: a new archive each round)
soak *ARGS: setup
    cargo run --release -p rusteron-archive --example soak -- {{ARGS}}
