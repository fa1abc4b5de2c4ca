#!/usr/bin/env bash
# The loom suite with CI's settings (.ci/run step 4): release mode, debug assertions on (the
# runtime's debug_asserts are part of what the models check), a preemption bound of 2, and a
# target directory of its own (the cfg rebuilds every crate). See docs/loom.md.
#
#   loom-tests/run.sh                          # every model (about 6 minutes on 2 cores)
#   loom-tests/run.sh --test join_waker        # one file
#   loom-tests/run.sh --test idle_park -- push # models whose name contains "push"
#   loom-tests/run.sh -- --nocapture           # also print each model's execution count
#
# LOOM_MAX_PREEMPTIONS, LOOM_MAX_BRANCHES and CARGO_TARGET_DIR may be overridden.
set -euo pipefail
cd "$(dirname "$0")/.."

export RUSTFLAGS="--cfg conductor_loom -C debug-assertions"
export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-2}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/loom}"

exec cargo test -p loom-tests --release "$@"
