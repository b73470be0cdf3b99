#!/usr/bin/env python3
"""Writes models/ludb-split.txt: the project's LUDB train/test split by record.

Records are grouped by rhythm class (sinus, atrial fibrillation/flutter, paced, other) and,
within each group in record-number order, every fifth record goes to test, so the rare
rhythms are in both parts. Only records present in the shared data are listed.
Usage: scripts/make_ludb_split.py [LUDB_DIR]
"""
import csv
import os
import sys

ludb = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../shared/data/ludb")
present = set(open(os.path.join(ludb, "data/RECORDS")).read().split()) if os.path.exists(os.path.join(ludb, "data/RECORDS")) else set(open(os.path.join(ludb, "RECORDS")).read().split())
present = {p.split("/")[-1] for p in present}
rows = list(csv.DictReader(open(os.path.join(ludb, "ludb.csv"), newline="")))


def group(row):
    rhythm = row["Rhythms"].lower()
    if row["Cardiac pacing"].strip() or "pacemaker" in row["Electric axis of the heart"].lower():
        return "paced"
    if "fibrillation" in rhythm or "flutter" in rhythm:
        return "af"
    if "sinus rhythm" in rhythm:
        return "sinus"
    return "other"


groups = {}
for row in rows:
    rid = row["ID"].strip()
    if rid in present:
        groups.setdefault(group(row), []).append(int(rid))
test = set()
for g, ids in sorted(groups.items()):
    ids.sort()
    test.update(ids[2::5])
out = os.path.join(os.path.dirname(__file__), "../models/ludb-split.txt")
with open(out, "w") as f:
    f.write("# LUDB split by record (scripts/make_ludb_split.py): one record per line, 'train N' or 'test N'.\n")
    f.write("# Every fifth record of each rhythm group (sinus, af/flutter, paced, other) is a test record.\n")
    for rid in sorted(int(r) for r in present):
        f.write(f"{'test' if rid in test else 'train'} {rid}\n")
print({g: len(v) for g, v in groups.items()}, "test:", len(test), "train:", len(present) - len(test))
