#!/usr/bin/env python3
"""Writes models/qtdb-split.txt: the project's QT Database train/test split by record.

QTDB's records were drawn from seven PhysioNet databases, and the record name tells which
(Laguna et al. 1997; PhysioNet's QTDB page). Within each source, in name order, the records
are shuffled with a fixed seed and a quarter of them (at least one) go to test, so every source
is on both sides. Only records present in the shared data are listed.
Usage: scripts/make_qtdb_split.py [QTDB_DIR]
"""
import os
import random
import re
import sys

SEED = 13
# (group, pattern on the name without "sel"), checked in order.
SOURCES = [
    ("MIT-BIH Arrhythmia", r"[12]\d\d"),
    ("MIT-BIH ST Change", r"3\d\d"),
    ("MIT-BIH Supraventricular Arrhythmia", r"8\d\d"),
    ("MIT-BIH Long-Term ECG", r"14\d\d\d|15\d\d\d"),
    ("MIT-BIH Normal Sinus Rhythm", r"1[67]\d\d\d"),
    ("Sudden Death (BIH)", r"[3-5]\d"),
    ("European ST-T", r"e0\d\d\d"),
]
NAMES = {
    "MIT-BIH Arrhythmia": "sel1xx, sel2xx",
    "MIT-BIH ST Change": "sel3xx",
    "MIT-BIH Supraventricular Arrhythmia": "sel8xx",
    "MIT-BIH Long-Term ECG": "sel14xxx",
    "MIT-BIH Normal Sinus Rhythm": "sel16xxx, sel17xxx",
    "Sudden Death (BIH)": "sel30 … sel52",
    "European ST-T": "sele0xxx",
}


def source(name):
    for group, pattern in SOURCES:
        if re.fullmatch("sel" + pattern, name):
            return group
    raise SystemExit(f"{name}: no QTDB source matches this record name")


qtdb = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../shared/data/qtdb")
present = sorted(f[:-4] for f in os.listdir(qtdb) if f.endswith(".hea") and os.path.exists(os.path.join(qtdb, f[:-4] + ".q1c")))
groups = {}
for name in present:
    groups.setdefault(source(name), []).append(name)
rng = random.Random(SEED)
test = set()
for group, _ in SOURCES:
    names = sorted(groups.get(group, []))
    rng.shuffle(names)
    test.update(names[: max(1, round(len(names) / 4))] if names else [])
out = os.path.join(os.path.dirname(__file__), "../models/qtdb-split.txt")
with open(out, "w") as f:
    f.write("# QTDB split by record (scripts/make_qtdb_split.py, seed %d): one record per line, 'train NAME' or 'test NAME'.\n" % SEED)
    f.write("# Records are grouped by the database they come from; in each group a quarter (at least one),\n")
    f.write("# drawn by a seeded shuffle, is a test record. Groups (record names, train + test):\n")
    for group, _ in SOURCES:
        names = groups.get(group, [])
        t = sum(n in test for n in names)
        f.write(f"#   {group} ({NAMES[group]}): {len(names) - t} + {t}\n")
    for name in present:
        f.write(f"{'test' if name in test else 'train'} {name}\n")
print({g: len(v) for g, v in groups.items()}, "test:", len(test), "train:", len(present) - len(test))
