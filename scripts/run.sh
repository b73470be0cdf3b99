#!/usr/bin/env bash
# Runs Electrocardio Panorama (on the built-in demo record when no RECORD is given):
# installs what is missing, builds, then runs with the given arguments.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh" app
exec cargo run --release --quiet --manifest-path "$root/Cargo.toml" -- "$@"
