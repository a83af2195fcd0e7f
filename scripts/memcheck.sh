#!/usr/bin/env bash
# Runs the tests that exercise lifetimes, callbacks and drop orders under valgrind's memcheck
# (cargo's target runner), against a real aeronmd and a real Java archive (those run natively:
# children are not traced). Any invalid read/write, use of freed memory or bad free fails the run.
# Leaks are not counted: handlers a cancelled add keeps, and the C client's own caches, are kept
# on purpose. handler_lock is left out: its two pollers race on purpose, which valgrind's
# one-thread-at-a-time scheduler starves past the test's deadline. A hang (a C loop that never
# ends, as in issue 25) fails its binary at the deadline instead of hanging the run.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v valgrind >/dev/null; then
  echo "memcheck: valgrind not found: run 'just setup' (it installs it)" >&2
  exit 1
fi
triple=$(rustc -vV | sed -n 's/^host: //p')
runner_var="CARGO_TARGET_$(echo "$triple" | tr 'a-z-' 'A-Z_')_RUNNER"
# Each binary runs under scripts/test-deadline.sh (timeout; it names a binary that hangs, libtest
# names the test): RUSTERON_TEST_DEADLINE_SECS, 2400 s here (valgrind is 20-50 times slower).
export RUSTERON_TEST_DEADLINE_SECS=${RUSTERON_TEST_DEADLINE_SECS:-2400}
export "$runner_var"="$(pwd)/scripts/test-deadline.sh valgrind -q --error-exitcode=99 --errors-for-leak-kinds=none"
echo "memcheck: $runner_var=${!runner_var}"
# The sys crate's bounded waits: a failed client start must leave no stale mapping (patch 0006).
cargo test -q -p rusteron-archive-sys --test bounded_waits -- --test-threads=1
cargo test -q -p rusteron-client \
  --test callbacks --test drop_orders --test pubsub --test assemblers --test claims_and_offers \
  --test panics --test context_in_use --test counters --test audit --test attacks -- --test-threads=1
RUSTERON_FOLLOWER_ROUNDS=1 cargo test -q -p rusteron-archive \
  --test workflow --test callbacks_and_pollers --test replication_and_merge --test persistent_subscription \
  --test audit --test shared_state --test persistent_subscription_handlers --test poller_reset \
  --test persistent_subscription_follower -- --test-threads=1
# The cluster client: connect, send, failover (leader kill and freeze, whole cluster down) and
# close, against a real three-member Java cluster (the JVMs run natively), reduced sizes.
RUSTERON_CLUSTER_MESSAGES=2000 cargo test -q -p rusteron-cluster --test cluster --test failover -- --test-threads=1
echo "memcheck: no memory errors"
