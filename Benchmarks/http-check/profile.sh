#!/usr/bin/env bash
# profile.sh NAME BIN [ENV=VAL...]: perf (dwarf call graphs) of `arbiter serve` under wrk, check at c=16,
# for 5 s, on run.sh's data (token.sh for a fresh token); writes $OUT/perf-NAME.txt (demangled perf
# script) for perf_shares.py, e.g. perf_shares.py $OUT/perf-NAME.txt StreamLogHandler BufferedLogHandler.log
set -e
here="$(cd "$(dirname "$0")" && pwd)"; repo="$(cd "$here/../.." && pwd)"
OUT=${OUT:-/tmp/arbiter-http-check}; name=$1; BIN=$2; shift 2
port=18995
env "$@" $BIN serve --port $port --data-dir $OUT/data --issuer http://arbiter.bench.invalid --policies $repo/Policies --log-level ${LOGLEVEL:-info} > $OUT/prof-$name-server.log 2>&1 &
pid=$!
for i in $(seq 50); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
path=/api/runtime/authorization/check; bodies=$OUT/check-bodies.txt
wrk -t1 -c16 -d2s -s $here/post.lua http://127.0.0.1:$port -- $path $bodies $(cat $OUT/token.txt) > /dev/null
wrk -t2 -c16 -d8s --latency -s $here/post.lua http://127.0.0.1:$port -- $path $bodies $(cat $OUT/token.txt) > $OUT/prof-$name-wrk.txt &
wpid=$!
sleep 1
perf record -F 1000 --call-graph dwarf,16384 -p $pid -o $OUT/perf-$name.data -- sleep 5 2> /dev/null > /dev/null
wait $wpid
kill $pid; wait $pid 2>/dev/null || true
perf script -i $OUT/perf-$name.data --no-inline 2>/dev/null | swift demangle --simplified > $OUT/perf-$name.txt
rm -f $OUT/perf-$name.data
echo "$name: $(grep -E 'Requests/sec' $OUT/prof-$name-wrk.txt) load $(cut -d' ' -f1 /proc/loadavg)"
