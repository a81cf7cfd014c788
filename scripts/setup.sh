#!/usr/bin/env bash
# Set up everything underwater needs on a fresh Debian machine with Python 3.11:
# uv (from PyPI), then a locked virtual environment in .venv with every extra and the dev tools.
# With "--browser", also Debian's Chromium for the real-browser tests and hledger, which checks the
# journals underwater writes (apt-get, needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never   # use this machine's Python 3.11; never download one

if ! command -v uv >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check uv
fi
uv sync --all-extras --locked --quiet

if [[ "${1:-}" == "--browser" ]]; then
    missing=()
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    command -v hledger >/dev/null 2>&1 || missing+=(hledger)
    if (( ${#missing[@]} )); then
        if [[ $(id -u) -ne 0 ]]; then
            echo "setup: ${missing[*]} missing and installing needs root: sudo apt-get install -y ${missing[*]}" >&2
            exit 1
        fi
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
fi
