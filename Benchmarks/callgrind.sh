#!/usr/bin/env bash
# Regression guard that a busy shared machine cannot disturb: valgrind's instruction count
# (Ir) for a fixed batch of 10,000 fast-mode decisions per scenario and store, counted only
# inside ArbiterBench.runBatch (setup excluded), and the allocator calls (malloc, calloc,
# realloc, posix_memalign) made inside it. Swift's per-process hash seed is fixed so that
# Set/Dictionary layouts, and so the counts, repeat run to run.
#   Benchmarks/callgrind.sh [N] [SCENARIO...]
# Rows: in-memory entities; LMDB (`in` through closures the reader makes from parent edges);
# LMDB with the evaluator's own walk over parent edges; LMDB through stored ancestor closures.
# SCENARIO is rbac, documents, licensing, or documents-10k / documents-1M (scenario (b) on
# the GraphSize graphs, LMDB rows only).
set -euo pipefail
cd "$(dirname "$0")"
n=${1:-10000}
shift || true
scenarios=${*:-rbac documents licensing}
swift build -c release --product arbiter-bench >/dev/null
bin=.build/release/arbiter-bench
export SWIFT_DETERMINISTIC_HASHING=1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# Sums the `calls=` lines whose callee (`cfn=`, name-compressed as "(id) name") is an allocator.
mallocs() {
    awk '/^c?fn=\(/ { match($0, /\([0-9]+\)/); id = substr($0, RSTART, RLENGTH)
                      rest = substr($0, RSTART + RLENGTH); sub(/^ /, "", rest); if (rest != "") name[id] = rest
                      if ($0 ~ /^cfn=/) callee = name[id]; next }
         /^calls=/ { split(substr($0, 7), a, " ")
                     if (callee ~ /^(malloc|calloc|realloc|posix_memalign|aligned_alloc)$/) total += a[1]
                     callee = ""; next }
         END { print total + 0 }' "$1"
}
printf '| scenario | store | decisions | instructions | per decision | mallocs | per decision |\n|---|---|---|---|---|---|---|\n'
for scenario in $scenarios; do
    # Writes the LMDB fixture (and its ancestor closures) outside valgrind.
    ARBITER_ANCESTOR_CLOSURE=1 "$bin" batch "$scenario" lmdb 10 >/dev/null
    rows="memory lmdb lmdb-walk lmdb+closure"
    case $scenario in documents-*) rows="lmdb lmdb-walk lmdb+closure" ;; esac   # the GraphSize graphs: LMDB only
    for row in $rows; do
        store=${row%+closure}
        store=${store%-walk}
        if [ "$row" = lmdb+closure ]; then export ARBITER_ANCESTOR_CLOSURE=1; else export ARBITER_ANCESTOR_CLOSURE=0; fi
        if [ "$row" = lmdb-walk ]; then export ARBITER_WALKED_CLOSURES=0; else export ARBITER_WALKED_CLOSURES=1; fi
        ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null --collect-atstart=no \
            --toggle-collect='*runBatch*' "$bin" batch "$scenario" "$store" "$n" 2>&1 |
            awk '/refs:/ {gsub(",", "", $NF); print $NF}')
        # Call counts ignore --toggle-collect, so count the allocator calls in a second run
        # whose counters are zeroed on entering runBatch (only the final print follows it).
        valgrind --tool=callgrind --callgrind-out-file="$out" --zero-before='*runBatch*' \
            "$bin" batch "$scenario" "$store" "$n" >/dev/null 2>&1
        m=$(mallocs "$out")
        printf '| %s | %s | %d | %s | %d | %d | %s |\n' "$scenario" "$row" "$n" "$ir" $((ir / n)) "$m" \
            "$(awk -v m="$m" -v n="$n" 'BEGIN { printf "%.2f", m / n }')"
    done
done
