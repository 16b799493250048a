#!/usr/bin/env python3
"""The shared scorer's figures per part of the one calibration/held-out split.

`score.py --json OUT.json` writes its summary and one row per question; this reads the
rows back and prints, for the calibration and the held-out part (`scripts/evalsets.py`),
the scorer's answer figures computed from those rows the way it computes them. The gap
between the two parts is a result: the numbers were fitted on the calibration part.

    python3 ../shared/eval/score.py SET.jsonl --json /tmp/s.json --serve "..."
    .venv/bin/python scripts/split_scores.py SET.jsonl /tmp/s.json [--name tatqa_dev]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evalsets import load, name_of, split

CONCISE_CHARS = 400  # the scorer's limit for a concise answer


def frac(xs: list[bool]) -> float | None:
    return round(sum(xs) / len(xs), 3) if xs else None


def figures(rows: list[dict]) -> dict:
    """The scorer's answer figures of these rows (see its `score`)."""
    answerable = [r for r in rows if r["answerable"]]
    ranked = [r for r in rows if "rank" in r]
    unanswerable = [r for r in rows if not r["answerable"]]
    out = {
        "questions": len(rows),
        "pinpoint@1": frac([r["rank"] == 1 and r["pinpoint"] for r in ranked]),
        "concise_accuracy": frac([r["answer_ok"] and r["answer_chars"] <= CONCISE_CHARS
                                  for r in answerable]),
        "citation_hit": frac([r["cite_hit"] for r in answerable]),
        "false_abstention": frac([r["abstained"] for r in answerable]),
        "abstention_recall": frac([r["abstained"] for r in unanswerable]),
    }
    kinds: dict[str, list[dict]] = {}
    for r in answerable:
        kinds.setdefault(r["kind"], []).append(r)
    out["concise_by_kind"] = {k: frac([r["answer_ok"] and r["answer_chars"] <= CONCISE_CHARS
                                       for r in v]) for k, v in sorted(kinds.items())}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("set", type=Path, help="the set the scorer was run on")
    ap.add_argument("scores", type=Path, help="the scorer's --json output")
    ap.add_argument("--name", help="the set's name in evalsets (default: guessed from the path)")
    a = ap.parse_args()
    name = a.name or name_of(a.set)
    items = load(a.set)
    calib, _ = split(name, items)
    calib_ids = {it["id"] for it in calib}
    rows = json.loads(a.scores.read_text(encoding="utf-8"))["rows"]
    for part, keep in (("calib", True), ("heldout", False)):
        print(f"{part}: {json.dumps(figures([r for r in rows if (r['id'] in calib_ids) == keep]))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
