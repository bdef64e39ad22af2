#!/usr/bin/env bash
# Installs what building and testing Arbiter needs on a fresh Debian machine, skipping
# anything already present: the C libraries behind CLMDB and CYAML, pkg-config, openssl
# (the mTLS end-to-end test makes its own test CA with it), chromium and chromium-driver
# (the /docs browser tests run it headless and click the sandbox's Send), and the
# Python packages the end-to-end tests use. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(liblmdb-dev libyaml-dev pkg-config python3 python3-venv openssl chromium chromium-driver)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

if [ "${1:-}" = "--with-python" ]; then
    python3 -m pip install --quiet --disable-pip-version-check -r Tests/e2e/requirements.txt
fi
