#!/usr/bin/env bash
# Set up everything underwater needs on a fresh Debian machine with Python 3.11:
# uv (from PyPI), then a locked virtual environment in .venv with every extra and the dev tools.
# With "--browser", also Debian's Chromium for the real-browser tests (apt-get, needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never   # use this machine's Python 3.11; never download one

if ! command -v uv >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check uv
fi
uv sync --all-extras --locked --quiet

if [[ "${1:-}" == "--browser" ]] && ! command -v chromium >/dev/null 2>&1; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "setup: Chromium is missing and installing it needs root: sudo apt-get install -y chromium" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
