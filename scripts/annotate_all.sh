#!/usr/bin/env bash
# Delineate every record of a data folder (default ../shared/data) and list the ones that give
# no beats or fail: WFDB records (*.hea), CinC .mat records (through their .hea) and Tianchi .npy
# files. Usage: scripts/annotate_all.sh [DATA_DIR] [-- extra `annotate` options, e.g. --weights W]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
shift || true
[ "${1:-}" = "--" ] && shift
cargo build --release --quiet
bin=target/release/ecg-panorama
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
total=0
bad=0
while IFS= read -r -d '' file; do
    total=$((total + 1))
    if ! msg=$("$bin" annotate "${file%.hea}" "$@" --format json --out "$out" --force 2>&1) ||
        grep -qi "no beats" <<<"$msg"; then
        bad=$((bad + 1))
        echo "$file: $(tail -n 1 <<<"$msg")"
    fi
done < <(find "$data" \( -name '*.hea' -o -name '*.npy' \) -print0 | sort -z)
echo "$total record(s), $bad without beats or failing"
[ "$bad" -eq 0 ]
