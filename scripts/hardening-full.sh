#!/usr/bin/env bash
# The hardening suites at full size (CONDUCTOR_FULL=1: 1 000 000 tasks, 10 000 tasks x 100
# wake rounds from 8 threads, 1 000 runtimes, 1 000 TCP connections, ...), in release mode,
# then the valgrind pass and a soak run. Local use; CI runs the reduced sizes (.ci/run).
# Usage: scripts/hardening-full.sh [soak-seconds]   (default 300)
set -euo pipefail
cd "$(dirname "$0")/.."
soak_secs=${1:-300}

step() {
    echo
    echo "=== [$(date +%H:%M:%S)] $* ==="
}

for suite in hard_stress hard_panic hard_fault hard_lifecycle hard_shutdown; do
    step "$suite (full size, release)"
    start=$(date +%s)
    CONDUCTOR_FULL=1 cargo test --release -p conductor --test "$suite" -- -q
    echo "$suite: $(( $(date +%s) - start )) s"
done

step "valgrind (reduced size)"
scripts/valgrind.sh

step "soak, ${soak_secs} s"
cargo run --release -p conductor --example soak -- "$soak_secs"

step "all hardening checks passed"
