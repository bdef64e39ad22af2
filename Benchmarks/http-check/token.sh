#!/usr/bin/env bash
# A fresh bearer token for ab.sh on the data run.sh left in /tmp/arbiter-http-check (its
# token lasts an hour): a new automation client of tenant `bench` (made while no server has
# the data dir open), then a client-credentials token from a server started for it.
#   Benchmarks/http-check/token.sh [BIN]      # writes $OUT/token.txt
set -euo pipefail
OUT=${OUT:-/tmp/arbiter-http-check}
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin=${1:-$repo/.build/release/arbiter}
port=${PORT:-18996}
scopes="arbiter.api arbiter.runtime.check tenant_context"
made=$("$bin" admin create-client --data-dir "$OUT/data" --tenant bench --name "Load benchmark" --purpose automation --scopes "$scopes")
id=$(echo "$made" | awk -F': ' '$1=="client_id" {print $2}')
secret=$(echo "$made" | awk -F': ' '$1=="client_secret" {print $2}')
"$bin" serve --port "$port" --data-dir "$OUT/data" --issuer http://arbiter.bench.invalid \
    --policies "$repo/Policies" --log-level warning > "$OUT/token-server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
curl -sf -u "$id:$secret" -d grant_type=client_credentials --data-urlencode "scope=$scopes" \
    "http://127.0.0.1:$port/t/bench/connect/token" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"], end="")' > "$OUT/token.txt"
echo "token for $id in $OUT/token.txt"
