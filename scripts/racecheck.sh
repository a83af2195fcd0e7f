#!/usr/bin/env bash
# Runs the threaded scenarios of issue 26 (items 3 and 8) under valgrind's helgrind, against a
# real Java archive (which runs natively: children are not traced), and fails on any reported
# data race that scripts/racecheck.supp does not explain:
#   - two archives connected from one context, each called in a loop on its own thread (they
#     shared C's idle strategy state: races in aeron_idle_strategy_backoff_idle);
#   - copies of an archive's context taken on two threads and set at once (they were one C
#     context: races in aeron_archive_context_set_control_request_channel);
#   - archives connected on two threads from those copies while a third thread uses the archive
#     (C's connect rewrote the shared context: races in aeron_archive_context_conclude).
# The suppressions cover only what helgrind cannot judge (Rust's futex-based std sync, Aeron's
# lock-free client core, fragments read from mapped term buffers); each says why. Run with the
# default (dynamic) linking: the suppressions tell Aeron's libraries from the test binary by file.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
command -v valgrind >/dev/null || die "valgrind not found: run 'just setup' (it installs it)"
runner_var=$(runner_var)
export "$runner_var"="valgrind -q --tool=helgrind --suppressions=$PWD/scripts/racecheck.supp --error-exitcode=99"
say "$runner_var=${!runner_var}"
start=$(date +%s)
cargo test -q -p rusteron-archive --test it -- --exact --test-threads=1 \
  shared_state::archives_from_one_context_on_two_threads \
  shared_state::two_threads_set_the_owned_contexts_they_took \
  shared_state::connecting_from_context_copies_on_two_threads
say "no data race reported ($(( $(date +%s) - start )) s)"
