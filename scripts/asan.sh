#!/usr/bin/env bash
# Runs the hardening suites under AddressSanitizer (heap/stack overflows, use after free,
# leaks through LeakSanitizer). Needs a nightly toolchain (`-Zsanitizer=address`); builds into
# target/asan so the normal build is untouched. Only std's prebuilt parts are uninstrumented.
# Usage: scripts/asan.sh [test-name ...]   (default: the hard_* suites and time_sleep)
set -euo pipefail
cd "$(dirname "$0")/.."

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
    tests=(hard_stress hard_panic hard_fault hard_lifecycle hard_shutdown time_sleep)
fi
args=()
for t in "${tests[@]}"; do
    args+=(--test "$t")
done
target=$(rustc -vV | sed -n 's/^host: //p')

RUSTFLAGS="-Zsanitizer=address" CARGO_TARGET_DIR=target/asan ASAN_OPTIONS=detect_leaks=1 \
    cargo +nightly test -p conductor --target "$target" "${args[@]}"
