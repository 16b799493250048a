#!/usr/bin/env python3
"""Fit `UNMATCHED_GAIN` in qa/retrieve.py: how much more the dense side weighs in fusion
for a query that BM25's best chunks hold little of (`Retriever.lexical_cover`), and print
the figures that justify it.

Each answerable question of the development sets (seed_dev, tatqa_dev scoped by doc,
squad_train, the probe sets) is encoded once and both retrievers' candidates are kept;
then for each gain on a grid the fused ranking is worked out again (no model) and
scored as the shared scorer scores /retrieve: pinpoint@1 (the first hit holds the
evidence and is short) and hit@8 (the evidence among the chunks the answer engine reads,
`ANSWER_CANDIDATES`). Printed per set, calibration and held-out part apart, and for the
probes' paraphrase kind. The gain chosen is the largest on the grid whose calibration
pinpoint@1 and hit@8 fall on no set (beyond one question) while the calibration
paraphrases gain.

    scripts/fit_fusion.py [--every-squad 2] [--index /tmp/engine-idx]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from answer_eval import answerable, scorer, tally
from evalsets import PROBES

GRID = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
DEPTH = 8  # the answer engine's evidence (qa.service.ANSWER_CANDIDATES)


def gathered(name: str, index: Path, every: int):
    """(retriever, [(item, held, query, dense, lexical, right chunk positions)])."""
    from qa.api.models import hit_json
    from qa.retrieve import Hit

    score = scorer()
    svc, items, held_ids = answerable(name, index, every)
    r = svc.retriever
    vecs = r.encoder.encode([it["question"] for it in items])
    out = []
    for it, v in zip(items, vecs):
        dense, lexical = r.scores(it["question"], v[None, :], it.get("doc"))
        pool = dense.keys() | lexical.keys()
        right = set()
        for i in pool:
            text = hit_json(Hit(r.chunks[i], 0.0, 0.0, 0.0))["text"]
            if score.contains_any(text, it["evidence"]):
                short = len(text) <= score.pinpoint_limit(it["evidence"])
                right.add((r.chunks[i].id, short))
        out.append((it, it["id"] in held_ids, it["question"], dense, lexical, right))
    return r, out


def measure(r, rows, gain: float) -> dict[str, tuple[int, int, int]]:
    """Per part (and paraphrase part): (pinpoint@1, hit@DEPTH, questions)."""
    got: dict[str, list[int]] = {}
    for it, held, query, dense, lexical, right in rows:
        hits = r.fuse(query, dense, lexical, DEPTH, gain)
        ids = [h.chunk.id for h in hits]
        good = {i for i, _ in right}
        short = {i for i, s in right if s}
        p1 = int(bool(ids) and ids[0] in short)
        h8 = int(any(i in good for i in ids))
        tally(got, it, held, p1, h8)
    return {k: tuple(v) for k, v in got.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="+", default=["seed_dev", "tatqa_dev", "squad_train",
                                                  *PROBES])
    ap.add_argument("--every-squad", type=int, default=1, help="every n-th squad question")
    ap.add_argument("--index", type=Path, default=Path("/tmp/engine-idx"))
    a = ap.parse_args()
    print(f"pinpoint@1 / hit@{DEPTH} (questions) per gain: {', '.join(map(str, GRID))}")
    tables = {}
    for name in a.sets:
        r, rows = gathered(name, a.index, a.every_squad if name == "squad_train" else 1)
        table = tables[name] = {g: measure(r, rows, g) for g in GRID}
        for key in sorted(table[GRID[0]]):
            n = table[GRID[0]][key][2]
            cells = " ".join(f"{table[g][key][0] / n:.3f}/{table[g][key][1] / n:.3f}"
                             for g in GRID)
            print(f"{name:16} {key:18} ({n:4}) {cells}", flush=True)
    print(f"chosen UNMATCHED_GAIN: {chosen(tables)}")
    return 0


def chosen(tables: dict[str, dict[float, dict[str, tuple[int, int, int]]]]) -> float:
    """The largest gain whose calibration pinpoint@1 and hit@DEPTH fall on no set by more
    than one question while the calibration paraphrases gain (0 when none does)."""
    def keeps(g: float) -> bool:
        for table in tables.values():
            base, got = table[GRID[0]]["calib"], table[g]["calib"]
            if got[0] < base[0] - 1 or got[1] < base[1] - 1:
                return False
        return True

    def paraphrases(g: float) -> int:
        return sum(t[g]["calib:paraphrase"][0] + t[g]["calib:paraphrase"][1]
                   for t in tables.values() if "calib:paraphrase" in t[g])

    passing = [g for g in GRID[1:] if keeps(g) and paraphrases(g) > paraphrases(GRID[0])]
    return max(passing, default=0.0)


if __name__ == "__main__":
    sys.exit(main())
