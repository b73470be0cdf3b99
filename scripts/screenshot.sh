#!/usr/bin/env bash
# Screenshot of the real window under Xvfb: the panorama view on a real record, saved by the
# app itself (--screenshot saves the first complete frame and closes) to docs/screenshot.png.
#
# Usage: scripts/screenshot.sh [RECORD] [VIEW] [OUT] [VIEWPOINT]
#   RECORD  default ../shared/data/ludb/data/1
#   VIEW    panorama (default), grid, annotate or heart-vector (docs/heart-vector.png: LUDB 119)
#   OUT     default docs/screenshot.png
#   VIEWPOINT  a lead name or θ,φ to look from (default: the app's own)
# Needs xvfb and xauth (scripts/setup.sh test installs them) and the run-time libraries.
set -euo pipefail
cd "$(dirname "$0")/.."

record=${1:-../shared/data/ludb/data/1}
view=${2:-panorama}
out=${3:-docs/screenshot.png}
viewpoint=()
if [ -n "${4:-}" ]; then viewpoint=(--view "$4"); fi
mkdir -p "$(dirname "$out")"

cargo build --release --quiet
# Recent files and recovery files of this run stay out of the user's data folder.
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
# A private runtime folder keeps the window system libraries from warning about a missing one.
export XDG_RUNTIME_DIR=$data
# The app closes itself after saving; the timeout only guards against a broken display.
ECG_PANORAMA_DATA_DIR=$data timeout 300 xvfb-run -a -s "-screen 0 1600x1000x24" \
  target/release/ecg-panorama "$record" --show "$view" "${viewpoint[@]}" --screenshot "$out"
echo "wrote $out"
