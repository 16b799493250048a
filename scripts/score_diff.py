#!/usr/bin/env python3
"""Question by question, what changed between two of the scorer's `--json` outputs of one
set (e.g. main's run and a branch's, or fp32's and int8w's): every question whose concise
answer, pinpoint@1 or abstention flips, marked right->wrong or wrong->right and with its
part (calibration, held-out: `scripts/evalsets.py`), then the count of answers whose text
changed with the same verdict. Noise is judged against the set's size: one question of N.

    .venv/bin/python scripts/score_diff.py SET.jsonl OLD.json NEW.json [--name tatqa_dev]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evalsets import load, name_of, split
from split_scores import CONCISE_CHARS


def verdicts(row: dict) -> dict[str, bool]:
    """The scorer's per-question verdicts that its figures count (see split_scores)."""
    out = {}
    if "rank" in row:
        out["pinpoint@1"] = row["rank"] == 1 and bool(row["pinpoint"])
    if row["answerable"]:
        out["concise"] = bool(row["answer_ok"]) and row["answer_chars"] <= CONCISE_CHARS
        out["answered"] = not row["abstained"]
    else:
        out["abstained"] = bool(row["abstained"])
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("set", type=Path, help="the set both runs scored")
    ap.add_argument("old", type=Path, help="the scorer's --json output before")
    ap.add_argument("new", type=Path, help="the scorer's --json output after")
    ap.add_argument("--name", help="the set's name in evalsets (default: guessed from the path)")
    ap.add_argument("--width", type=int, default=90, help="characters of an answer shown")
    a = ap.parse_args()
    name = a.name or name_of(a.set)
    items = load(a.set)
    calib_ids = {it["id"] for it in split(name, items)[0]}
    questions = {it["id"]: it.get("question", "") for it in items}
    old = {r["id"]: r for r in json.loads(a.old.read_text(encoding="utf-8"))["rows"]}
    new = {r["id"]: r for r in json.loads(a.new.read_text(encoding="utf-8"))["rows"]}
    ids = [i for i in old if i in new]
    flips: dict[str, list[int]] = {}  # measure -> [right->wrong, wrong->right]
    same_verdict_text = 0
    for qid in ids:
        before, after = verdicts(old[qid]), verdicts(new[qid])
        moved = [m for m in before if before[m] != after.get(m)]
        if not moved:
            same_verdict_text += old[qid].get("answer") != new[qid].get("answer")
            continue
        part = "calib" if qid in calib_ids else "heldout"
        for m in moved:
            down = before[m] and not after[m]
            flips.setdefault(m, [0, 0])[0 if down else 1] += 1
            print(f"{m:<11} {'right->wrong' if down else 'wrong->right'} {part:<8} {qid} "
                  f"[{old[qid]['kind']}] {questions.get(qid, '')[:70]!r}")
        for label, row in (("  before", old[qid]), ("  after ", new[qid])):
            print(f"{label} rank {row.get('rank')}: {str(row.get('answer'))[:a.width]!r}")
    print(f"{name}: {len(ids)} questions in both runs ({len(old)} / {len(new)}); one question "
          f"is {100 / max(1, len(ids)):.2f} pt")
    for m, (down, up) in sorted(flips.items()):
        print(f"  {m}: {down} right->wrong, {up} wrong->right")
    print(f"  answers whose text changed with the same verdicts: {same_verdict_text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
