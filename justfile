# rusteron: Rust bindings for Aeron and Aeron Archive. `just` lists the recipes.

set shell := ["bash", "-euo", "pipefail", "-c"]

default:
    @just --list

# Install or locate cmake>=3.30, libclang, JDK, mvn, the Aeron 1.54.0 tree and the jars (idempotent)
[group('build')]
[doc('Install or find cmake>=3.30, libclang, JDK, mvn, the Aeron tree and the jars (idempotent)')]
setup:
    bash scripts/setup.sh

# Build the workspace (Aeron C client, archive client and media driver from source, then Rust)
[group('build')]
[doc('Build the workspace (Aeron C from source, then the Rust crates)')]
build: setup
    cargo build --workspace --all-targets

# Record a stream into an embedded Java archive, replay it and check every message
[group('examples')]
[doc('Record a stream into an embedded Java archive, replay it and check every message')]
run: setup
    cargo run --release -p rusteron-archive --example record_and_replay

# Every test: the crates against a real aeronmd, Java archive and Java cluster (default and static
# linking; the `rusteron` tool static as installed), precompile-proof, dependent-check,
# package-check, the aarch64 macOS archive cross-built and checked (`just build-artifacts-macos`
# does both targets), memcheck, racecheck, bench-guard, clippy. Each test binary has a deadline
# (scripts/test-deadline.sh, RUSTERON_TEST_DEADLINE_SECS): a hang fails, naming the binary.
[group('test')]
[doc('Every test: crates, linking modes, package, macOS archive, memcheck, racecheck, guard, clippy')]
test: setup
    cargo fmt --all --check
    just module-cycles
    bash scripts/with-test-deadline.sh cargo test --workspace --exclude rusteron-cli
    bash scripts/with-test-deadline.sh cargo test -p rusteron-cli
    bash scripts/with-test-deadline.sh cargo test -p rusteron-archive-sys --features static
    bash scripts/with-test-deadline.sh cargo test -p rusteron-client --features static
    just linkage
    just precompile-proof
    just dependent-check
    just package-check
    just build-artifacts-macos aarch64-apple-darwin
    just memcheck
    just racecheck
    just bench-guard
    cargo clippy --workspace --all-targets -- -D warnings

# No crate's modules import each other in a circle (scripts/module-cycles.py reads `use crate::`)
[group('test')]
[doc('Check that no module import circle exists in the client, archive and cluster crates')]
module-cycles:
    python3 scripts/module-cycles.py rusteron-client/src rusteron-archive/src rusteron-cluster/src

# Pack Aeron libs, aeronmd, bindings and headers for `precompile`: target/artifacts/rusteron-aeron-<v>-<triple>.tar.gz
[group('release')]
[doc('Pack Aeron libs, aeronmd, bindings and headers for the precompile feature')]
build-artifacts: setup
    bash scripts/build-artifacts.sh

# Prove `static,precompile`: sys and client tests in a clean copy, without cmake, java or libclang
[group('test')]
[doc('Prove static,precompile in a clean copy without cmake, java or libclang')]
precompile-proof: setup
    bash scripts/precompile-proof.sh

# examples/dependent, a crate outside the workspace: cargo run, cargo test and a direct run, for the
# default, static, precompile and static,precompile configurations (CONFIGS="default static" to limit)
[group('test')]
[doc('A crate outside the workspace in every linking configuration (CONFIGS to limit)')]
dependent-check: setup
    bash scripts/dependent-check.sh

# The three .crate files (sys crate with Aeron's C sources, codecs and docs-only bindings) in a
# staging copy: target/package-stage/ws/target/package/
[group('release')]
[doc('The .crate files (sys crate with Aeron sources, patches, codecs) in a staging copy')]
package: setup
    bash scripts/package.sh

# cargo package --workspace, then a scratch crate on the .crate files with a fresh CARGO_HOME:
# cargo vendor, offline build and round trip without java/mvn, release reuses Aeron, DOCS_RS docs
[group('release')]
[doc('Package, then build and run a scratch crate on the .crate files offline')]
package-check: setup
    bash scripts/package-check.sh

# The lifetime/callback/drop-order tests under valgrind memcheck: any use of freed memory fails
[group('test')]
[doc('Lifetime, callback and drop-order tests under valgrind memcheck')]
memcheck: setup
    bash scripts/memcheck.sh

# Threaded archive scenarios (archives from one context, context copies) under helgrind: a race not in scripts/racecheck.supp fails
[group('test')]
[doc('Threaded archive scenarios under helgrind; a race not suppressed fails')]
racecheck: setup
    bash scripts/racecheck.sh

# ROUNDS rounds per call kind (archive connect, async connect polling, replay merge, persistent
# subscription start) and per signal (SIGSTOP, SIGKILL) at a random 0-6 ms into the call, each
# with a fresh aeronmd; prints the slowest return of each.
# The fault matrix's freeze stress at full size (cargo test runs 3 rounds per kind and signal)
[group('test')]
[doc('Driver frozen or killed at a random moment in connect/merge/subscribe, ROUNDS per kind')]
freeze-stress ROUNDS="60": setup
    RUSTERON_FREEZE_ROUNDS={{ROUNDS}} RUSTERON_TEST_DEADLINE_SECS=7200 bash scripts/with-test-deadline.sh \
        cargo test -p rusteron-archive --test it fault_matrix::freeze_stress -- --nocapture

# Show what the test binaries load at run time: libaeron*.so by default, nothing with `static`
[group('build')]
[doc('What the test binaries load at run time, default and static')]
linkage:
    cargo test -q -p rusteron-archive-sys --test build_is_real linkage_matches_the_features -- --nocapture
    cargo test -q -p rusteron-archive-sys --features static --test build_is_real linkage_matches_the_features -- --nocapture

# Client/latency benches (ours, raw C, the published crate; BENCH_RUNS=3 alternating runs, the load
# and other processes' CPU recorded per block), the three-way archive bench, instruction counts.
# Every bench, summary with medians, spread and load in target/bench-results/summary.md
[group('bench')]
[doc('Criterion benches, the three-way archive bench and the summary (quiet machine)')]
bench: setup
    bash scripts/bench.sh

# Our wrapper, raw C and Aeron's Java client alternating run by run against one Java archive: rates,
# CPU per message of client and archive, context switches, the load of each run.
# The archive bench alone, three clients alternating (ARCHIVE_BENCH_RUNS, _MESSAGES, _CLIENTS)
[group('bench')]
[doc('Archive record/replay: ours, raw C and Java client alternating, CPU per message')]
bench-archive: setup
    bash scripts/bench-archive.sh

# Instructions per offer / try_claim / poll, wrapper vs raw C, counted by callgrind (load-independent)
[group('bench')]
[doc('Instructions per offer/claim/poll: ours, raw C, published crate (callgrind)')]
bench-instructions: setup
    bash scripts/bench-instructions.sh

# The archive bench with the Java client only (Aeron's Java AeronArchive client)
[group('bench')]
[doc('The archive bench with the Java client only')]
bench-java: setup
    bash scripts/bench-java.sh

# Format the code
[group('build')]
[doc('Format the code')]
fmt:
    cargo fmt --all

# Lint with clippy, warnings are errors
[group('build')]
[doc('Clippy, warnings are errors')]
clippy: setup
    cargo clippy --workspace --all-targets -- -D warnings

# Build the API documentation
[group('build')]
[doc('Build the API documentation')]
doc: setup
    cargo doc --workspace --no-deps

# Record an archive stream and replay it (same as `just run`; COUNT messages)
[group('examples')]
[doc('Record COUNT messages into an archive and replay them')]
record-and-replay COUNT="100000": setup
    cargo run --release -p rusteron-archive --example record_and_replay -- {{COUNT}}

# A late subscriber replays a recording and merges into the live stream without a gap
[group('examples')]
[doc('A late subscriber replays and merges into the live stream')]
replay-merge: setup
    cargo run --release -p rusteron-archive --example replay_merge

# Replicate a recording between two embedded archives and replay the copy
[group('examples')]
[doc('Replicate a recording between two archives and replay the copy')]
recording-replication: setup
    cargo run --release -p rusteron-archive --example recording_replication

# Show the errors of an archive client: no archive, unknown recording, bad channel, panics
[group('examples')]
[doc('The errors of an archive client: no archive, bad input, panics')]
archive-error-handling: setup
    cargo run --release -p rusteron-archive --example archive_error_handling

# Recording and replay rates of the embedded archive (MESSAGES of SIZE bytes)
[group('examples')]
[doc('Recording and replay rates of the embedded archive')]
recording-throughput MESSAGES="2000000" SIZE="32": setup
    cargo run --release -p rusteron-archive --example recording_throughput -- {{MESSAGES}} {{SIZE}}

# Print an archive's catalog (no CHANNEL: an embedded archive with two recordings)
[group('examples')]
[doc("Print an archive's catalog")]
list-recordings CHANNEL="" AERON_DIR="": setup
    cargo run --release -p rusteron-archive --example list_recordings -- {{CHANNEL}} {{AERON_DIR}}

# In a Debian 12 minbase root made by debootstrap (run as root; 25-45 min a variant, not part of
# `just test`). VARIANT: bare (gcc, git), stocked (+ libbsd-dev, uuid-dev) or both; FRESH_REF=<commit>.
# The README's quick start (cargo install just, just run, just test) on a fresh Debian 12 machine
[group('test')]
[doc("The README's quick start in a bare Debian 12 root (25-60 min, as root)")]
fresh-machine-check VARIANT="bare":
    bash scripts/fresh-machine-check.sh {{VARIANT}}

# Writes target/artifacts/rusteron-aeron-<v>-{aarch64,x86_64}-apple-darwin.tar.gz, then runs
# macos-artifacts-check on them.
# macOS archives cross-built on Linux with zig cc (PyPI's ziglang, in .cache/zig-venv), then checked
[group('release')]
[doc('Cross-build the macOS archives with zig cc, then check them')]
build-artifacts-macos TARGETS="aarch64-apple-darwin x86_64-apple-darwin": setup
    bash scripts/build-artifacts-cross.sh {{TARGETS}}
    bash scripts/check-macos-artifacts.sh {{TARGETS}}

# Mach-O types, install names, rpaths, signatures, symbols against libSystem and the Linux build,
# minimum macOS, a C program linked with zig cc, build.rs's precompile checks for an apple triple,
# the bindings: what can be proved on Linux about the macOS archives
[group('release')]
[doc('What can be proved on Linux about the macOS archives')]
macos-artifacts-check TARGETS="aarch64-apple-darwin x86_64-apple-darwin": setup
    bash scripts/check-macos-artifacts.sh {{TARGETS}}

# cargo check of the safe crates against each macOS archive's bindings.rs (host target, no link)
[group('release')]
[doc("cargo check of the safe crates against each macOS archive's bindings")]
macos-bindings-rust-check TARGETS="aarch64-apple-darwin x86_64-apple-darwin": setup
    bash scripts/check-macos-bindings-rust.sh {{TARGETS}}

# Perf regression guard (part of `just test`): offer/claim/poll instructions, ours vs raw C, callgrind
[group('test')]
[doc('Perf guard: offer/claim/poll instructions, ours vs raw C, within margins')]
bench-guard: setup
    bash scripts/bench-guard.sh

# The published rusteron-client (crates.io) peer bench alone, against a fresh aeronmd (IPC part)
[group('bench')]
[doc('The published rusteron-client peer bench alone (IPC)')]
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
[group('test')]
[doc('Soak: publish while the archive and driver are killed and restarted, then verify')]
soak *ARGS: setup
    cargo run --release -p rusteron-archive --example soak -- {{ARGS}}

# ---------------------------------------------------------------------------------------------
# Client examples (rusteron-client/examples) and the `rusteron` tool. Each starts an embedded
# media driver unless AERON_DIR names the directory of a running one (aeronmd, a Java driver),
# prints what it did and ends by itself.
# ---------------------------------------------------------------------------------------------

# Publisher and subscriber as two processes over UDP, each on its own embedded driver (COUNT messages)
[group('examples')]
[doc('Publisher and subscriber in two processes over UDP')]
basic-pubsub COUNT="10" AERON_DIR="": setup
    cargo build --release -p rusteron-client --example basic_subscriber --example basic_publisher
    cargo run -q --release -p rusteron-client --example basic_subscriber -- {{COUNT}} "" "{{AERON_DIR}}" & sub=$!; \
      cargo run -q --release -p rusteron-client --example basic_publisher -- {{COUNT}} "" "{{AERON_DIR}}"; wait $sub

# Messages larger than the MTU, fragmented and reassembled, every byte checked (COUNT of SIZE bytes)
[group('examples')]
[doc('Messages larger than the MTU, fragmented and reassembled')]
large-messages COUNT="20" SIZE="1048576" AERON_DIR="": setup
    cargo run --release -p rusteron-client --example large_messages -- {{COUNT}} {{SIZE}} "" "{{AERON_DIR}}"

# Exclusive IPC publication throughput, offered on one thread and polled on another (SECONDS, SIZE)
[group('examples')]
[doc('Exclusive IPC publication throughput, two threads')]
ipc-throughput SECONDS="5" SIZE="32" AERON_DIR="": setup
    cargo run --release -p rusteron-client --example exclusive_ipc_throughput -- {{SECONDS}} {{SIZE}} "{{AERON_DIR}}"

# Round-trip latency percentiles of COUNT ping-pongs (CHANNEL: aeron:ipc, or a UDP channel)
[group('examples')]
[doc('Round-trip latency percentiles')]
ping-pong COUNT="100000" SIZE="32" CHANNEL="aeron:ipc" AERON_DIR="": setup
    cargo run --release -p rusteron-client --example ping_pong -- {{COUNT}} {{SIZE}} "{{CHANNEL}}" "{{AERON_DIR}}"

# Send a file over UDP in chunks and compare the copy (no FILE: 8 MiB of generated data)
[group('examples')]
[doc('Send a file over UDP in chunks and compare the copy')]
file-transfer FILE="" AERON_DIR="": setup
    cargo run --release -p rusteron-client --example file_transfer -- "{{FILE}}" "{{AERON_DIR}}"

# One subscription, two UDP destinations (manual control mode); then one is removed
[group('examples')]
[doc('One subscription, two UDP destinations (manual control mode)')]
multi-destination COUNT="100" AERON_DIR="": setup
    cargo run --release -p rusteron-client --example multi_destination -- {{COUNT}} "{{AERON_DIR}}"

# Requests naming their response channel, answered by a server thread; round-trip percentiles
[group('examples')]
[doc('Requests naming their response channel, answered by a server thread')]
request-response COUNT="10000" AERON_DIR="": setup
    cargo run --release -p rusteron-client --example request_response -- {{COUNT}} "{{AERON_DIR}}"

# A publisher loop that never waits on Aeron: async add, refused offers counted, slow consumer
[group('examples')]
[doc('A publisher loop that never waits on Aeron')]
non-blocking-publisher COUNT="200000" AERON_DIR="": setup
    cargo run --release -p rusteron-client --example non_blocking_publisher -- {{COUNT}} "{{AERON_DIR}}"

# A driver's system and stream counters after some UDP traffic
[group('examples')]
[doc("A driver's system and stream counters after some UDP traffic")]
driver-stats MESSAGES="10000" AERON_DIR="": setup
    cargo run --release -p rusteron-client --example driver_stats -- {{MESSAGES}} "{{AERON_DIR}}"

# Every client example above, with its defaults
[group('examples')]
[doc('Every client example with its defaults')]
client-examples: basic-pubsub large-messages ipc-throughput ping-pong file-transfer multi-destination request-response non-blocking-publisher driver-stats

# The `rusteron` tool (rusteron-cli) against an embedded Java archive: every subcommand once
[group('examples')]
[doc('The rusteron tool against an embedded Java archive, each subcommand')]
rusteron-cli: setup
    cargo build --release -p rusteron-cli
    info=$(mktemp -u /tmp/rusteron-cli.XXXXXX); bin="${CARGO_TARGET_DIR:-target}/release/rusteron"; \
      "$bin" embedded-archive --info "$info" --seconds 300 & archive=$!; \
      for i in $(seq 1 1200); do [ -f "$info" ] && break; kill -0 $archive || exit 1; sleep 0.1; done; \
      . "$info"; trap 'rm -f "$info"; wait $archive' EXIT; \
      echo "== rusteron stat"; "$bin" stat --dir "$AERON_DIR"; \
      echo "== rusteron backlog"; "$bin" backlog --dir "$AERON_DIR"; \
      echo "== rusteron streams"; "$bin" streams --dir "$AERON_DIR"; \
      echo "== rusteron errors"; "$bin" errors --dir "$AERON_DIR"; \
      echo "== rusteron loss"; "$bin" loss --dir "$AERON_DIR"; \
      echo "== rusteron recordings"; "$bin" recordings --dir "$AERON_DIR" --control "$CONTROL"; \
      echo "== rusteron replay --recording 0"; "$bin" replay --dir "$AERON_DIR" --control "$CONTROL" --recording 0

# Run the `rusteron` tool with ARGS (`just rusteron stat --watch`); `cargo install --path rusteron-cli` installs it
[group('examples')]
[doc('Run the rusteron tool with ARGS (cargo install --path rusteron-cli installs it)')]
rusteron *ARGS: setup
    cargo run -q --release -p rusteron-cli -- {{ARGS}}

# ---------------------------------------------------------------------------------------------
# Aeron Cluster (rusteron-cluster): a Rust cluster client against a three-member Java cluster.
# ---------------------------------------------------------------------------------------------

# Regenerate rusteron-cluster/src/codecs from Aeron's cluster schema with SbeTool's Rust generator
[group('build')]
[doc('Regenerate the cluster codecs with SbeTool')]
cluster-codecs: setup
    bash scripts/cluster-codecs.sh

# Cluster tests at full size: 100,000 echoes, failover, Java interop, codecs regenerated (required)
[group('test')]
[doc('Cluster tests at full size (100,000 echoes, failover, interop, codecs)')]
cluster-check: setup
    RUSTERON_CLUSTER_MESSAGES=100000 RUSTERON_REQUIRE_CODEGEN=1 cargo test -p rusteron-cluster -- --nocapture

# Start three cluster members and aeronmd, run a client that sends for SECONDS, SIGKILL the leader mid-run
[group('examples')]
[doc('Three cluster members, a client sending, the leader killed mid-run')]
cluster-demo SECONDS="40": setup
    cargo run --release -p rusteron-cluster --example failover_client -- {{SECONDS}}

# Cluster round trip p50/p99/p99.9 and throughput, our client vs Aeron's Java client, same cluster and run
[group('bench')]
[doc('Cluster round trip and throughput, ours vs the Java cluster client')]
bench-cluster WARMUP="2000" COUNT="20000" SIZE="32" MESSAGES="100000" WINDOW="256" ROUNDS="2": setup
    cargo run --release -p rusteron-cluster --example cluster_bench -- {{WARMUP}} {{COUNT}} {{SIZE}} {{MESSAGES}} {{WINDOW}} {{ROUNDS}}
