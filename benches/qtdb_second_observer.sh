#!/bin/sh
# Score QTDB's second cardiologist (`q2c`) against the first (`q1c`) with the project's own
# scorers, as another method's predictions: how far two cardiologists agree on the beats both
# marked. `sel100` is left out: its q2c repeats q1c's QRS onsets and T ends sample for sample.
# Usage: benches/qtdb_second_observer.sh [QTDB_DIR] [WITHOUT...]   (run from the checkout)
set -eu
qtdb=${1:-../shared/data/qtdb}
[ $# -gt 0 ] && shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/q2c"
echo "# QTDB records with a second cardiologist's marks" > "$work/split.txt"
for path in "$qtdb"/*.q2c; do
    name=$(basename "$path" .q2c)
    case " sel100 $* " in *" $name "*) continue ;; esac
    ln -s "$(cd "$(dirname "$path")" && pwd)/$name.q2c" "$work/q2c/$name.q1c"
    echo "test $name" >> "$work/split.txt"
done
bin=${ECG_PANORAMA:-target/release/ecg-panorama}
"$bin" eval-delineation --records "$qtdb" --split "$work/split.txt" --predictions "$work/q2c"
"$bin" eval-measure --records "$qtdb" --split "$work/split.txt" --predictions "$work/q2c"
