#!/usr/bin/env bash
# Set up everything, then run the whole suite: ruff (lint + format), mypy --strict on src/,
# and pytest (unit, property, CLI, API and real-browser tests; warnings are errors).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
export UV_PYTHON_DOWNLOADS=never
uv run --locked --all-extras ruff check src tests benchmarks
uv run --locked --all-extras ruff format --check src tests benchmarks
uv run --locked --all-extras mypy
uv run --locked --all-extras pytest "$@"
