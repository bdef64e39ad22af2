#!/usr/bin/env bash
# Throughput of `arbiter policy eval` (issue: 100,000 requests against 1,000 rules in under
# one second of CPU, JSON reading and writing included). Builds release, generates the
# inputs once, runs three times and prints user+system CPU seconds of each run.
#   Benchmarks/policy-eval/run.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-/tmp/arbiter-policy-eval-bench}
swift build -c release --product arbiter >/dev/null
[ -f "$out/requests.jsonl" ] || python3 Benchmarks/policy-eval/generate.py "$out"
bin=.build/release/arbiter
echo "rules: $(grep -c '  - id:' "$out/policies/bench.yaml")  requests: $(wc -l < "$out/requests.jsonl")"
for run in 1 2 3; do
    /usr/bin/time -f "run $run: %U s user + %S s system, %M KiB max RSS, %e s wall" \
        "$bin" policy eval --policies "$out/policies" --entities "$out/entities.json" \
        --requests "$out/requests.jsonl" > "$out/decisions.jsonl"
done
echo "allow: $(grep -c '"allow"' "$out/decisions.jsonl")  deny: $(grep -c '"deny"' "$out/decisions.jsonl")"
