#!/usr/bin/env python3
"""Prints the hours table of fuzz/README.md from fuzz/runs.tsv (one line per run, written by
scripts/fuzz-hours) and the earlier rounds below, which predate runs.tsv and are reconstructed
from the commit messages that reported them.

    fuzz/hours.py
"""
import collections
import csv
import os

# Minutes per target before runs.tsv, from the commits that reported them: 1ba7ea8 (2026-11-24:
# callback, jwt, responses, sign_in, srp_challenge, verify_token, 4 min each), 206aee2
# (2026-12-01: srp_challenge 10 min, srp_arithmetic 20 min), 010f8e4 (2026-12-01: verify_token,
# verify_jwks, rsa_arithmetic, 2 x 60 s each). cookie (7411592) reported no time.
EARLIER = {
    "callback": (1, 4),
    "jwt": (1, 4),
    "responses": (1, 4),
    "sign_in": (1, 4),
    "srp_challenge": (2, 14),
    "verify_token": (3, 6),
    "srp_arithmetic": (1, 20),
    "verify_jwks": (2, 2),
    "rsa_arithmetic": (2, 2),
    "cookie": (0, 0),
}

# Runs of runs.tsv before this date belong to earlier rounds (counted with EARLIER).
ROUND = "2026-12-07T06:53"

here = os.path.dirname(os.path.abspath(__file__))
runs = collections.defaultdict(lambda: [0, 0, 0, 0, 0, []])
with open(os.path.join(here, "runs.tsv")) as f:
    for row in csv.DictReader(f, delimiter="\t"):
        if row["date"] < ROUND:
            runs_before, minutes_before = EARLIER.get(row["target"], (0, 0))
            EARLIER[row["target"]] = (runs_before + 1, minutes_before + int(row["seconds"]) / 60)
            continue
        r = runs[row["target"]]
        r[0] += 1
        r[1] += int(row["seconds"])
        r[2] += int(row["cpu"])
        r[3] += int(row["execs"])
        r[4] += int(row["new_entries"])
        r[5].append(row["result"])

targets = sorted(set(EARLIER) | set(runs), key=lambda t: (t.startswith("emulator_"), t))
print("| target | earlier runs, min | this round: runs | wall min | CPU min | executions | crashes | cumulative runs | cumulative wall min |")
print("|---|---|---|---|---|---|---|---|---|")
total = collections.Counter()
for t in targets:
    er, em = EARLIER.get(t, (0, 0))
    n, wall, cpu, execs, _, results = runs.get(t, [0, 0, 0, 0, 0, []])
    crashes = sum(1 for r in results if r != "ok")
    print(f"| {t} | {er} / {em:.0f} | {n} | {wall / 60:.0f} | {cpu / 60:.0f} | {execs:,} | {crashes} | {er + n} | {em + wall / 60:.0f} |")
    group = "emulator" if t.startswith("emulator_") else "core"
    total[group + "_wall"] += em * 60 + wall
    total[group + "_round"] += wall
    total[group + "_cpu"] += cpu
for group in ("core", "emulator"):
    print(f"\n{group}: this round {total[group + '_round'] / 3600:.2f} h wall ({total[group + '_cpu'] / 3600:.2f} h CPU), "
          f"cumulative {total[group + '_wall'] / 3600:.2f} h wall", end="")
print(f"\n\nall targets: cumulative {(total['core_wall'] + total['emulator_wall']) / 3600:.2f} h wall")
