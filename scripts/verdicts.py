#!/usr/bin/env python3
"""How the answers to yes/no questions fare, per part (calibration, held-out), from the
rows `scripts/answer_eval.py --json` wrote: the scorer counts a "Yes." it expects but not
one it does not, so a false verdict ("Did the fare rise?" -> "Yes. The fare was kept ...")
goes unseen there.

    scripts/answer_eval.py tests/probes/verdicts_report.jsonl --corpus tests/reports \\
        --json /tmp/v.json
    scripts/verdicts.py tests/probes/verdicts_report.jsonl /tmp/v.json

A question's expected verdict is its `verdict` field ("yes", "no", "" for none: the text
does not state what is asked, or states otherwise), else " yes " / " no " among its gold
answers; questions of neither kind are skipped. Prints, per part: verdicts given right of
those expected, and verdicts given where none (or the other) was expected.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def expected(item: dict) -> str | None:
    """The verdict a question expects ("yes", "no", ""), or None for no yes/no question."""
    if "verdict" in item:
        return item["verdict"]
    golds = {a.strip().lower() for group in item.get("answer", []) for a in group}
    if not item.get("kind", "").startswith("yes"):
        return None
    return "yes" if "yes" in golds else "no" if "no" in golds else ""


def given(answer: str) -> str:
    """The verdict an answer opens with ("yes", "no", "" for none)."""
    first = answer.strip().split(" ", 1)[0].lower()
    return first.rstrip(".,") if first.rstrip(".,") in ("yes", "no") else ""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("probes", type=Path, help="the set's JSONL")
    ap.add_argument("rows", type=Path, help="answer_eval.py --json output for it")
    args = ap.parse_args()
    rows = [json.loads(line) for line in args.probes.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    items = {str(it["id"]): it for it in rows}
    run = json.loads(args.rows.read_text(encoding="utf-8"))
    for part in ("calib", "heldout"):
        right = asked = false = unasked = 0
        wrong: list[str] = []
        for row in run.get(part, {}).get("rows", []):
            want = expected(items.get(str(row["id"]), {}))
            if want is None:
                continue
            got = given(row.get("answer") or "")
            if want:
                asked += 1
                right += got == want
            else:
                unasked += 1
            if got and got != want:
                false += 1
            if got != want:
                wrong.append(f"{row['id']}: want {want or '-'}, got {got or '-'}")
        print(f"{part}: right verdicts {right}/{asked}, false verdicts {false} "
              f"(of {asked + unasked} yes/no questions; {unasked} expect none)")
        for w in wrong:
            print("   ", w)
    return 0


if __name__ == "__main__":
    sys.exit(main())
