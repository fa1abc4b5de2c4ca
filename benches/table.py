#!/usr/bin/env python3
"""Prints the conductor-vs-tokio markdown table from criterion's results.

usage: table.py CRITERION_DIR MEM_LOG START_EPOCH_SECONDS

Results whose estimates.json is older than START_EPOCH_SECONDS are left out (0 keeps all).
The ratio is conductor / tokio: below 1 means conductor is faster (or smaller).
"""

import json
import os
import re
import sys

# (group, target ratio from docs/DESIGN-BRIEF.md)
GROUPS = [
    ("spawn_many_local", "0.6"),
    ("spawn_many_remote", "0.7"),
    ("yield_many", "0.8"),
    ("ping_pong", "0.8"),
    ("chained_spawn", "0.7"),
    ("spawn_blocking", "0.4"),
    ("request_reply", "0.3"),
]
RUNTIMES = ("conductor", "tokio")


def fmt_ns(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def load(crit_dir, group, runtime, start):
    """Median ns per iteration and elements per iteration (or None), or None if missing/stale."""
    new = os.path.join(crit_dir, group, runtime, "new")
    estimates = os.path.join(new, "estimates.json")
    if not os.path.exists(estimates) or os.path.getmtime(estimates) < start:
        return None
    with open(estimates) as f:
        median = json.load(f)["median"]["point_estimate"]
    elements = None
    try:
        with open(os.path.join(new, "benchmark.json")) as f:
            throughput = json.load(f).get("throughput") or {}
        elements = throughput.get("Elements")
    except (OSError, ValueError):
        pass
    return median, elements


def cell(result):
    if result is None:
        return "–"
    median, elements = result
    text = fmt_ns(median)
    if elements:
        text += f" ({fmt_ns(median / elements)}/op)"
    return text


def main():
    crit_dir, mem_log, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
    print("| benchmark | conductor median | tokio median | ratio | target |")
    print("|---|---|---|---|---|")
    for group, target in GROUPS:
        c, t = (load(crit_dir, group, r, start) for r in RUNTIMES)
        if c is None and t is None:
            continue
        ratio = f"{c[0] / t[0]:.2f}" if c and t else "–"
        print(f"| {group} | {cell(c)} | {cell(t)} | {ratio} | {target} |")

    mem = {}
    if os.path.exists(mem_log) and os.path.getmtime(mem_log) >= start:
        with open(mem_log) as f:
            for line in f:
                m = re.match(r"mem_per_task/(\w+): .* (\d+) bytes per task", line)
                if m:
                    mem[m.group(1)] = int(m.group(2))
    if mem:
        c, t = mem.get("conductor"), mem.get("tokio")
        ratio = f"{c / t:.2f}" if c is not None and t else "–"
        cells = [f"{v} B/task" if v is not None else "–" for v in (c, t)]
        print(f"| mem_per_task (idle) | {cells[0]} | {cells[1]} | {ratio} | < 140 B |")


if __name__ == "__main__":
    main()
