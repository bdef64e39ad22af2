#!/usr/bin/env bash
# Regression guard that a busy shared machine cannot disturb: valgrind's instruction count
# (Ir) for a fixed batch of 10,000 fast-mode decisions per scenario and store, counted only
# inside ArbiterBench.runBatch (setup excluded). Swift's per-process hash seed is fixed so
# that Set/Dictionary layouts, and so the counts, repeat run to run.
#   Benchmarks/callgrind.sh [N]
set -euo pipefail
cd "$(dirname "$0")"
n=${1:-10000}
swift build -c release --product arbiter-bench >/dev/null
bin=.build/release/arbiter-bench
export SWIFT_DETERMINISTIC_HASHING=1
printf '| scenario | store | decisions | instructions | per decision |\n|---|---|---|---|---|\n'
for scenario in rbac documents licensing; do
    "$bin" batch "$scenario" lmdb 10 >/dev/null   # writes the LMDB fixture outside valgrind
    for store in memory lmdb; do
        ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null --collect-atstart=no \
            --toggle-collect='*runBatch*' "$bin" batch "$scenario" "$store" "$n" 2>&1 |
            awk '/refs:/ {gsub(",", "", $NF); print $NF}')
        printf '| %s | %s | %d | %s | %d |\n' "$scenario" "$store" "$n" "$ir" $((ir / n))
    done
done
