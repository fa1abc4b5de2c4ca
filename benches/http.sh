#!/usr/bin/env bash
# HTTP benchmark: the same hyper HTTP/1.1 hello-world server (src/bin/http_server.rs) on
# conductor and on tokio, 2 workers each, loaded in turn by `wrk` on loopback.
#
#   benches/http.sh                 # wrk -t2 -c64 -d10s against each runtime, once
#   ROUNDS=3 benches/http.sh        # alternate conductor/tokio three times
#   WRK_ARGS="-t2 -c256 -d5s" WORKERS=4 benches/http.sh
#
# Installs wrk with apt-get when it is missing. Prints one markdown row per run: requests/s
# and wrk's latency percentiles, then the ratio of conductor's requests/s to tokio's.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-1}
WORKERS=${WORKERS:-2}
WRK_ARGS=${WRK_ARGS:-"-t2 -c64 -d10s"}

if ! command -v wrk >/dev/null; then
    echo "wrk not found: installing it with apt-get" >&2
    sudo_cmd=()
    if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null; then
        sudo_cmd=(sudo)
    fi
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq wrk
fi

cargo build --release -p conductor-benches --bin http_server
target_dir=$(cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
server="$target_dir/release/http_server"
work=$(mktemp -d)
server_pid=
cleanup() {
    if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# run_one RUNTIME: starts the server on an ephemeral loopback port, loads it, stops it, and
# leaves wrk's report in $work/RUNTIME.N.txt.
run_one() {
    local runtime=$1 n=$2 log="$work/$1.server.log" addr=
    "$server" "$runtime" 127.0.0.1:0 "$WORKERS" >"$log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        addr=$(sed -n 's/.* listening on //p' "$log")
        [[ -n "$addr" ]] && break
        sleep 0.1
    done
    [[ -n "$addr" ]] || { echo "$runtime server did not start:" >&2; cat "$log" >&2; exit 1; }
    # shellcheck disable=SC2086 # WRK_ARGS is a list of flags
    wrk $WRK_ARGS --latency "http://$addr/" >"$work/$runtime.$n.txt"
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=
}

for n in $(seq "$ROUNDS"); do
    run_one conductor "$n"
    run_one tokio "$n"
done

python3 - "$work" "$ROUNDS" "$WORKERS" "$WRK_ARGS" <<'PY'
import re, sys
work, rounds, workers, wrk_args = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

def parse(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    pct = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", text, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", text)
    return rps, pct, errors.group(0) if errors else ""

print(f"\nwrk {wrk_args} --latency, {workers} workers per runtime, {rounds} round(s)\n")
print("| round | runtime | requests/s | p50 | p75 | p90 | p99 | errors |")
print("|---|---|---|---|---|---|---|---|")
totals = {"conductor": 0.0, "tokio": 0.0}
for n in range(1, rounds + 1):
    for rt in ("conductor", "tokio"):
        rps, pct, err = parse(f"{work}/{rt}.{n}.txt")
        totals[rt] += rps
        print(f"| {n} | {rt} | {rps:,.0f} | {pct.get('50','?')} | {pct.get('75','?')} "
              f"| {pct.get('90','?')} | {pct.get('99','?')} | {err or '-'} |")
ratio = totals["conductor"] / totals["tokio"]
print(f"\nconductor / tokio requests/s (mean over rounds): {ratio:.2f}x")
PY
