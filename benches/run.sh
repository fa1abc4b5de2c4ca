#!/usr/bin/env bash
# Runs the whole conductor-vs-tokio benchmark suite and prints a markdown table.
#
#   benches/run.sh              # full suite: a few minutes on 2 cores
#   benches/run.sh --quick      # criterion's quick mode: a rough table in about a minute
#   benches/run.sh 'ping_pong|mem'   # one criterion filter (a regex) selects benchmarks by id
#   benches/run.sh --table      # print the table from the last run, run nothing
#
# Arguments go to every bench binary (criterion flags and name filters). Medians come from
# criterion's target/criterion/<group>/<runtime>/new/estimates.json; results older than this run
# are left out of the table.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir=$(cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
mem_log="$target_dir/criterion/mem_per_task.log"

if [[ "${1:-}" == "--table" ]]; then
    exec python3 benches/table.py "$target_dir/criterion" "$mem_log" 0
fi

start=$(date +%s)
criterion_benches=(spawn yield_many ping_pong chained_spawn spawn_blocking request_reply)
bench_args=()
for b in "${criterion_benches[@]}"; do
    bench_args+=(--bench "$b")
done

cargo bench -p conductor-benches "${bench_args[@]}" -- "$@"

mkdir -p "$(dirname "$mem_log")"
cargo bench -p conductor-benches --bench mem_per_task -- "$@" | tee "$mem_log"

echo
python3 benches/table.py "$target_dir/criterion" "$mem_log" "$start"
