#!/usr/bin/env bash
# HTTP load benchmark of /api/runtime/authorization/check (issue 6), one command:
#   Benchmarks/http-check/run.sh [bench.py options, e.g. --duration 10 --connections 1,16,64]
# Builds `arbiter` (release) and the reference servers of this folder (their own SwiftPM
# package and .build, release), installs wrk if missing, then runs bench.py: raw SwiftNIO,
# bare Hummingbird, Arbiter check and check-batch on scenario (b), on 127.0.0.1 only, and
# prints a markdown table. Work files go to /tmp/arbiter-http-check (--out DIR to change).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk" >&2
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq wrk >/dev/null \
        || { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq wrk >/dev/null; }
fi
python3 -c "import requests" 2>/dev/null || python3 -m pip install --quiet requests

echo "building arbiter (release)" >&2
(cd "$repo" && swift build -c release --product arbiter 2>&1 | grep -E "error|Build comp" >&2)
echo "building the reference servers (release, $here/.build)" >&2
(cd "$here" && swift build -c release 2>&1 | grep -E "error|Build comp" >&2)

exec python3 "$here/bench.py" --arbiter "$repo/.build/release/arbiter" "$@"
