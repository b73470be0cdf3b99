"""NeuroKit2's DWT delineation of LUDB lead II, written as WFDB annotation files.

The external anchor for `ecg-panorama eval-delineation`: for each test record of a split it
runs, on lead II,

    cleaned = nk.ecg_clean(signal, sampling_rate=fs)
    _, info = nk.ecg_peaks(cleaned, sampling_rate=fs)
    _, waves = nk.ecg_delineate(cleaned, info, sampling_rate=fs, method="dwt")

(fs = 500 Hz for LUDB), times those three calls per record, and writes the P waves
(ECG_P_Onsets/Peaks/Offsets), QRS complexes (ECG_R_Onsets, the R peaks of ecg_peaks,
ECG_R_Offsets) and T waves (ECG_T_Onsets/Peaks/Offsets) as `(` onset, peak `p`/`N`/`t`,
`)` offset annotations to OUT/NAME.ii, the layout of LUDB's own files. NaN boundaries are
skipped; an onset or offset whose peak is missing is kept, with the peak placed on it. It then
prints the median time per record. `--lead all` runs each of the 12 leads on its own instead
(OUT/NAME.i … OUT/NAME.v6; the time per record is then the sum over the leads). A lead on which
NeuroKit2 raises gets an empty file (all its reference boundaries count as missed) and is left
out of the timings. Score the files with

    cargo run --release -- eval-delineation --records ../shared/data/ludb/data \
        --split models/ludb-split.txt --lead ii --predictions OUT

Set-up (NeuroKit2 is not part of the test requirements):

    .venv/bin/python -m pip install neurokit2==0.2.13

Run:

    .venv/bin/python benches/neurokit2_ludb.py --records ../shared/data/ludb/data \
        --split models/ludb-split.txt --out OUT
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np
import wfdb

try:
    import neurokit2 as nk
except ImportError:
    sys.exit("neurokit2 is missing: .venv/bin/python -m pip install neurokit2==0.2.13")

LUDB_LEADS = ["i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6"]
# The scorer takes `(` as the onset of the peak right after it and `)` as the offset of the
# peak right before it; these are the rules `boundaries` below mirrors.
PEAK_SYMBOLS = {"p", "N", "t"}


def test_records(split_path):
    names = []
    with open(split_path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if len(line) == 2 and line[0] == "test":
                names.append(line[1])
    return names


def delineate(signal, fs):
    """NeuroKit2's pipeline; returns (R peaks, waves dict, seconds spent in NeuroKit2)."""
    start = time.perf_counter()
    cleaned = nk.ecg_clean(signal, sampling_rate=fs)
    _, info = nk.ecg_peaks(cleaned, sampling_rate=fs)
    _, waves = nk.ecg_delineate(cleaned, info, sampling_rate=fs, method="dwt")
    return np.asarray(info["ECG_R_Peaks"]), waves, time.perf_counter() - start


def sample_or_none(values, k):
    """The k-th value of a NeuroKit2 list as an int, or None when absent or NaN."""
    if values is None or k >= len(values):
        return None
    v = values[k]
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    v = float(v)
    return None if np.isnan(v) else int(round(v))


def wave_units(rpeaks, waves):
    """Annotation units, each a list of (sample, symbol) kept contiguous in the file.

    A whole wave is one `(` peak `)` triple. When its onset or offset is missing, or its onset
    lies after its offset, each present boundary becomes its own unit (`(` peak or peak `)` at
    the same sample) so that no boundary is lost or paired with the wrong peak.
    """
    columns = {
        "p": ("ECG_P_Onsets", "ECG_P_Peaks", "ECG_P_Offsets"),
        "N": ("ECG_R_Onsets", None, "ECG_R_Offsets"),
        "t": ("ECG_T_Onsets", "ECG_T_Peaks", "ECG_T_Offsets"),
    }
    units = []
    for k in range(len(rpeaks)):
        for symbol, (on_key, peak_key, off_key) in columns.items():
            on = sample_or_none(waves.get(on_key), k)
            off = sample_or_none(waves.get(off_key), k)
            peak = (
                int(rpeaks[k]) if peak_key is None else sample_or_none(waves.get(peak_key), k)
            )
            if on is not None and off is not None and on <= off:
                # The peak is not scored: keep it inside its wave so the triple stays ordered.
                peak = on if peak is None else min(max(peak, on), off)
                units.append([(on, "("), (peak, symbol), (off, ")")])
                continue
            if on is not None:
                units.append([(on, "("), (on, symbol)])
            if off is not None:
                units.append([(off, symbol), (off, ")")])
    return units


def flatten(units):
    """Units in time order, splitting triples that would interleave with a neighbour."""
    while True:
        units.sort(key=lambda u: (u[0][0], u[-1][0]))
        flat = [a for u in units for a in u]
        samples = [s for s, _ in flat]
        if all(a <= b for a, b in zip(samples, samples[1:])):
            return flat
        # Split the first triple that overlaps the unit after it (or before it) into pairs.
        for i in range(len(units) - 1):
            if units[i][-1][0] > units[i + 1][0][0]:
                bad = i if len(units[i]) == 3 else i + 1
                (on, _), (_, symbol), (off, _) = units[bad]
                units[bad : bad + 1] = [[(on, "("), (on, symbol)], [(off, symbol), (off, ")")]]
                break


def boundaries(flat):
    """Boundaries as the scorer extracts them: (kind, onset?, sample)."""
    out = []
    for k, (sample, symbol) in enumerate(flat):
        if symbol == "(" and k + 1 < len(flat) and flat[k + 1][1] in PEAK_SYMBOLS:
            out.append((flat[k + 1][1], True, sample))
        elif symbol == ")" and k > 0 and flat[k - 1][1] in PEAK_SYMBOLS:
            out.append((flat[k - 1][1], False, sample))
    return sorted(out)


def intended(units):
    out = []
    for u in units:
        symbol = u[1][1] if len(u) == 3 else next(s for _, s in u if s in PEAK_SYMBOLS)
        for sample, s in u:
            if s == "(":
                out.append((symbol, True, sample))
            elif s == ")":
                out.append((symbol, False, sample))
    return sorted(out)


def write(out_dir, name, lead, flat):
    path = os.path.join(out_dir, f"{name}.{lead}")
    if not flat:
        # wrann refuses an empty list; a lone end-of-file word is an empty annotation file.
        with open(path, "wb") as f:
            f.write(b"\x00\x00")
        return
    # wrann accepts only letters in an extension (not LUDB's "v1"): write, then rename.
    wfdb.wrann(
        name,
        "nktmp",
        sample=np.array([s for s, _ in flat], dtype=np.int64),
        symbol=[s for _, s in flat],
        write_dir=out_dir,
    )
    os.replace(os.path.join(out_dir, f"{name}.nktmp"), path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", required=True, help="LUDB data folder")
    parser.add_argument("--split", required=True, help="split file; its test records are run")
    parser.add_argument("--out", required=True, help="folder for NAME.ii prediction files")
    parser.add_argument(
        "--lead",
        default="ii",
        choices=["all"] + LUDB_LEADS,
        help="lead to delineate (default ii); all: each of the 12 leads on its own, timed together",
    )
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    leads = LUDB_LEADS if args.lead == "all" else [args.lead]

    names = test_records(args.split)
    if not names:
        sys.exit(f"{args.split}: no test record")
    times_ms, failed = [], []
    warmed = False
    for name in names:
        record = wfdb.rdrecord(os.path.join(args.records, name))
        fs = record.fs
        seconds = 0.0
        for lead in leads:
            if lead not in record.sig_name:
                sys.exit(f"{args.records}/{name}.hea: no lead {lead}")
            signal = record.p_signal[:, record.sig_name.index(lead)]
            if not warmed:
                # The first call imports NeuroKit2's submodules; keep that out of the timings.
                delineate(signal, fs)
                warmed = True
            try:
                rpeaks, waves, spent = delineate(signal, fs)
            except Exception as e:  # NeuroKit2 gives up on some signals: scored as no waves
                print(f"{name}.{lead}: NeuroKit2 failed ({type(e).__name__}: {e})", file=sys.stderr)
                failed.append(f"{name}.{lead}")
                write(args.out, name, lead, [])
                continue
            seconds += spent
            units = wave_units(rpeaks, waves)
            want = intended(units)
            flat = flatten(units)
            assert boundaries(flat) == want, f"{name}.{lead}: boundaries lost in the layout"
            write(args.out, name, lead, flat)
        times_ms.append(seconds * 1e3)

    what = f"lead {leads[0]}" if len(leads) == 1 else f"{len(leads)} leads"
    print(
        f"neurokit2 {nk.__version__}, {what}, {len(names)} records"
        f" ({len(failed)} failed{': ' + ', '.join(failed) if failed else ''}):"
        f" median {statistics.median(times_ms):.1f} ms per record"
        f" (min {min(times_ms):.1f}, max {max(times_ms):.1f};"
        " ecg_clean + ecg_peaks + ecg_delineate dwt)"
    )


if __name__ == "__main__":
    main()
