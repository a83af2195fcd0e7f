#!/usr/bin/env bash
# Cargo target runner that gives every test binary a deadline, so a hung test fails the run
# instead of hanging it (CI would wait for its own limit). Usage, as a runner:
#   CARGO_TARGET_<TRIPLE>_RUNNER="/abs/scripts/test-deadline.sh [wrapper args...]"
# (scripts/with-test-deadline.sh sets it; memcheck.sh puts valgrind after it). The binary runs
# under `timeout` (RUSTERON_TEST_DEADLINE_SECS, default 900 s; SIGTERM, SIGKILL 15 s later).
# On expiry this names the binary (with its crate: each crate's integration tests are one binary,
# `it-<hash>`, see CONTRIBUTING.md); libtest itself names each test still running after 60 s
# ("test X has been running for over 60 seconds"), which is the hung one. The aeronmd and Java
# archive children of the testing helpers die with the test process (PR_SET_PDEATHSIG).
set -uo pipefail
limit=${RUSTERON_TEST_DEADLINE_SECS:-900}
bin=""
for a in "$@"; do
  case "$a" in */deps/*) bin=$a ;; esac
done
[ -n "$bin" ] || bin=${1:-?}
timeout -k 15 "$limit" "$@"
rc=$?
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
  echo "test deadline: ${CARGO_PKG_NAME:+$CARGO_PKG_NAME/}$(basename "$bin") did not finish within ${limit}s (RUSTERON_TEST_DEADLINE_SECS) and was stopped: a hang; the test libtest reported as running for over 60 seconds above is the one" >&2
fi
exit "$rc"
