#!/usr/bin/env bash
# Runs every test: installs what is missing, fails on unformatted code or any clippy warning,
# then runs the tests. Everything builds in the release profile, so this reuses what
# ./scripts/run.sh built (and the numeric tests run at full speed).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export ECG_PANORAMA_PYTHON="$PWD/.venv/bin/python"
cargo fmt --check
cargo clippy --release --all-targets --quiet -- -D warnings
exec cargo test --release "$@"
