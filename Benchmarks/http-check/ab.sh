#!/usr/bin/env bash
# A/B of arbiter binaries or settings on the data run.sh left in /tmp/arbiter-http-check
# (run run.sh once first: it makes the data dir, the bodies and token.txt; the token lasts an hour).
#   Benchmarks/http-check/ab.sh LABEL BIN [ENV=VAL...]
#   e.g. for i in 1 2 3; do ab.sh fast .build/release/arbiter; ab.sh router .build/release/arbiter ARBITER_CHECK_FAST_PATH=0; done
# One server at a time on 127.0.0.1; wrk at each of CONNS (default "1 16 64") for SECS (5) after a 3 s
# warm-up; prints req/s, p50 and the server's CPU time (user+sys from /proc) per request, a figure
# that other sessions' load on the machine skews far less than req/s. CHECKPATH/BODIES select the
# batch route (…/check-batch, batch-bodies.txt); LOGLEVEL sets --log-level (info).
set -euo pipefail
OUT=${OUT:-/tmp/arbiter-http-check}
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
label=$1; bin=$2; shift 2
port=${PORT:-18997}
env "$@" "$bin" serve --port "$port" --data-dir "$OUT/data" --issuer http://arbiter.bench.invalid \
    --policies "$repo/Policies" --log-level "${LOGLEVEL:-info}" > "$OUT/ab-server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
path=${CHECKPATH:-/api/runtime/authorization/check}; bodies=${BODIES:-$OUT/check-bodies.txt}
token=$(cat "$OUT/token.txt")
wrk -t2 -c16 -d3s -s "$here/post.lua" "http://127.0.0.1:$port" -- "$path" "$bodies" "$token" > /dev/null
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
tick=$(getconf CLK_TCK)
line="$label |"
for c in ${CONNS:-1 16 64}; do
    threads=$([ "$c" -gt 1 ] && echo 2 || echo 1)
    before=$(cpu)
    result=$(wrk -t"$threads" -c"$c" -d"${SECS:-5}"s --latency -s "$here/post.lua" "http://127.0.0.1:$port" -- "$path" "$bodies" "$token")
    after=$(cpu)
    requests=$(echo "$result" | awk '/requests in/ {print $1}')
    rps=$(echo "$result" | awk '/Requests\/sec/ {printf "%.0f", $2}')
    p50=$(echo "$result" | awk '$1=="50%" {print $2}')
    per=$(python3 -c "print(f'{($after - $before) / $tick * 1e6 / $requests:.0f}')")
    bad=$(echo "$result" | grep -E "Non-2xx|Socket errors" | tr '\n' ' ' || true)
    line="$line c=$c $rps req/s p50 $p50 cpu ${per} µs/req $bad|"
done
echo "$line load $(cut -d' ' -f1 /proc/loadavg)"
