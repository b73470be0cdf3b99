#!/usr/bin/env python3
"""Runs the wavelet delineator of Martínez et al. 2004 (ecg-kit's `wavedet`, in its Python port
`wavedet` 0.1.0 on PyPI, whose output matches the MATLAB original) over every QT Database record
that has a `q1c` file, and writes its boundaries as `NAME.q1c`-shaped WFDB files, so that
`ecg-panorama eval-delineation --predictions OUT_DIR` scores the classical method exactly as it
scores the built-in annotator.

MODE `0` (the default) or `1` delineates that lead alone. `multi` delineates every lead and fuses
them by wavedet's multilead rules, which need three leads: on QTDB's two-lead records wavedet
returns the first lead's marks, as `0` does.

Set-up (wavedet needs Python ≥ 3.12; on 3.11 it installs with --ignore-requires-python and runs):
    python3 -m venv venv && venv/bin/pip install "numpy<2.3" "scipy<1.16" wfdb
    venv/bin/pip install --no-deps wavedet
Usage: venv/bin/python benches/wavedet_qtdb.py QTDB_DIR OUT_DIR [0|1|multi]
"""
import glob
import os
import sys

import numpy as np
import wfdb
from wavedet import delineate


def marks_of(d):
    """(sample, symbol) pairs, `(` onset, peak symbol, `)` offset, as q1c writes them."""
    marks = []
    for on, peak, off, symbol in (
        (d.p_on, d.p, d.p_off, "p"),
        (d.qrs_on, d.qrs, d.qrs_off, "N"),
        (d.t_on, d.t, d.t_off, "t"),
    ):
        for a, b, c in zip(on, peak, off):
            if np.isnan(b):
                continue
            if not np.isnan(a):
                marks.append((int(a), "("))
            marks.append((int(b), symbol))
            if not np.isnan(c):
                marks.append((int(c), ")"))
    # A stable sort keeps each wave's onset, peak, offset in order where two marks share a sample.
    marks.sort(key=lambda m: m[0])
    return marks


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    mode = sys.argv[3] if len(sys.argv) > 3 else "0"
    os.makedirs(out, exist_ok=True)
    for path in sorted(glob.glob(os.path.join(src, "*.q1c"))):
        name = os.path.basename(path)[: -len(".q1c")]
        record = wfdb.rdrecord(os.path.join(src, name))
        x = np.nan_to_num(record.p_signal)
        d = delineate(x if mode == "multi" else x[:, int(mode)], fs=record.fs)
        marks = marks_of(d)
        # wfdb writes only alphabetic extensions: write, then rename to q1c.
        wfdb.wrann(
            name,
            "qqc",
            np.array([m[0] for m in marks]),
            symbol=[m[1] for m in marks],
            write_dir=out,
        )
        os.replace(os.path.join(out, name + ".qqc"), os.path.join(out, name + ".q1c"))
        print(f"{name}: {len(marks)} marks", flush=True)


if __name__ == "__main__":
    main()
