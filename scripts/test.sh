#!/usr/bin/env bash
# Runs every test: installs what is missing, then cargo test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export ECG_PANORAMA_PYTHON="$PWD/.venv/bin/python"
exec cargo test "$@"
