#!/usr/bin/env bash
# Runs a command (`cargo test ...`) with scripts/test-deadline.sh as cargo's target runner for the
# host, so each test binary it runs has a deadline. An existing runner is kept, after ours.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
var=$(runner_var)
export "$var"="$root/scripts/test-deadline.sh${!var:+ ${!var}}"
exec "$@"
