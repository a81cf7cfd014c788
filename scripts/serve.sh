#!/usr/bin/env bash
# Set up everything, then run the main job. Extra arguments go to the command.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export UV_PYTHON_DOWNLOADS=never
exec uv run --locked --all-extras underwater equity --owed 150000 --owed 30000 --value 170000 "$@"
