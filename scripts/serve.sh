#!/usr/bin/env bash
# Set up everything, then run the main job: the web app on http://127.0.0.1:8000
# (extra arguments go to "underwater serve", e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export UV_PYTHON_DOWNLOADS=never
exec uv run --locked --all-extras underwater serve "$@"
