#!/usr/bin/env bash
# HTTP load benchmark of /api/runtime/authorization/check (issue 6), one command:
#   Benchmarks/http-check/run.sh [bench.py options, e.g. --duration 10 --connections 1,16,64 --rounds 3]
# Builds `arbiter` (release) and the reference servers of this folder (their own SwiftPM
# package and .build, release), after installing what is missing (the build's Debian
# packages by scripts/install-deps.sh, as `make run` does, and wrk), then runs bench.py: raw SwiftNIO,
# bare Hummingbird, Arbiter check and check-batch on scenario (b), on 127.0.0.1 only, and
# prints a markdown table. Work files go to /tmp/arbiter-http-check (--out DIR to change).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

"$repo/scripts/install-deps.sh"
if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk" >&2
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq wrk >/dev/null \
        || { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq wrk >/dev/null; }
fi
python3 -c "import requests" 2>/dev/null || python3 -m pip install --quiet requests

build() {  # build DIR ARGS…: quiet unless it fails
    local dir="$1"; shift
    local log; log="$(mktemp)"
    if ! (cd "$dir" && swift build -c release "$@" >"$log" 2>&1); then
        grep -E "error" "$log" >&2 || tail -20 "$log" >&2
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
}
echo "building arbiter (release)" >&2
build "$repo" --product arbiter
echo "building the reference servers (release, $here/.build)" >&2
build "$here"

exec python3 "$here/bench.py" --arbiter "$repo/.build/release/arbiter" "$@"
