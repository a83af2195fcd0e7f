#!/usr/bin/env bash
# Runs a command (`cargo test ...`) with scripts/test-deadline.sh as cargo's target runner for the
# host, so each test binary it runs has a deadline. An existing runner is kept, after ours.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
triple=$(rustc -vV | sed -n 's/^host: //p')
var="CARGO_TARGET_$(echo "$triple" | tr 'a-z-' 'A-Z_')_RUNNER"
export "$var"="$root/scripts/test-deadline.sh${!var:+ ${!var}}"
exec "$@"
