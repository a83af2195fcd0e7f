#!/usr/bin/env bash
# Runs the tests that exercise lifetimes, callbacks and drop orders under valgrind's memcheck
# (cargo's target runner), against a real aeronmd and a real Java archive (those run natively:
# children are not traced). Any invalid read/write, use of freed memory or bad free fails the run.
# Leaks are not counted: handlers a cancelled add keeps, and the C client's own caches, are kept
# on purpose. The shared-handler tests of `threads` are left out: their two pollers race on
# purpose, which valgrind's one-thread-at-a-time scheduler starves past the test's deadline. A hang (a C loop that never
# ends, as in issue 25) fails its binary at the deadline instead of hanging the run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
command -v valgrind >/dev/null || die "valgrind not found: run 'just setup' (it installs it)"
runner_var=$(runner_var)
# Each binary runs under scripts/test-deadline.sh (timeout; it names a binary that hangs, libtest
# names the test): RUSTERON_TEST_DEADLINE_SECS, 3600 s here (valgrind is 20-50 times slower, and
# one binary runs every topic listed below).
export RUSTERON_TEST_DEADLINE_SECS=${RUSTERON_TEST_DEADLINE_SECS:-3600}
export "$runner_var"="$(pwd)/scripts/test-deadline.sh valgrind -q --error-exitcode=99 --errors-for-leak-kinds=none"
say "$runner_var=${!runner_var}"
# The sys crate's bounded waits: a failed client start must leave no stale mapping (patch 0006).
cargo test -q -p rusteron-archive-sys --test bounded_waits -- --test-threads=1
# The integration tests are one binary per crate (`tests/it`, a module per topic): the topics run
# here are chosen by libtest's name filters (`module::` prefixes), one test at a time.
cargo test -q -p rusteron-client --test it -- --test-threads=1 \
  callbacks:: drop_orders:: pubsub:: assemblers:: claims_and_offers:: panics:: context_in_use:: \
  counters:: audit:: attacks::
cargo test -q -p rusteron-client --test conductor_panics -- --test-threads=1
RUSTERON_FOLLOWER_ROUNDS=1 cargo test -q -p rusteron-archive --test it -- --test-threads=1 \
  workflow:: callbacks_and_pollers:: replication_and_merge:: persistent_subscription:: audit:: \
  shared_state:: persistent_subscription_handlers:: poller_reset:: persistent_subscription_follower::
# The cluster client: connect, send, failover (leader kill and freeze, whole cluster down) and
# close, against a real three-member Java cluster (the JVMs run natively), reduced sizes.
# The members' session timeout is 30 s here (Aeron: 10 s): the client under valgrind is slow to
# reconnect after a leader kill (16.9 s measured), and the cluster would close its session first.
RUSTERON_CLUSTER_SESSION_TIMEOUT=30s RUSTERON_CLUSTER_MESSAGES=2000 cargo test -q -p rusteron-cluster --test cluster --test failover -- --test-threads=1
say "no memory errors"
