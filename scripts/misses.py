#!/usr/bin/env python3
"""Where the answer engine's misses on answerable questions go, per part (calibration,
held-out), from the evidence `scripts/fit_ranker.py retrieve` saved (no model: the engine
answers over that evidence as /ask would):

- right: the answer holds the gold answer within the scorer's 400 characters;
- long: right but longer than 400 characters;
- abstained: the support check accepted no candidate;
- retrieval: no retrieved chunk holds the gold answer;
- no candidate: a retrieved chunk holds it but no candidate's text does (a sentence cut
  to its best clauses, a sentence split across units);
- ranking: a candidate holds it but the engine answered with another.

    scripts/misses.py squad_train [--data /tmp/qa-ranker] [--index /tmp/engine-idx]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fit_ranker
from answer_eval import scorer

KINDS = ("right", "long", "abstained", "retrieval", "no candidate", "ranking")


def _right(score, item: dict, text: str, value: str | None = None) -> bool:
    """Whether the text holds the gold answer, as the scorer judges it."""
    if item["kind"] in score.NUMERIC_KINDS:
        return all(any(score.number_ok(a, text, value) for a in g) for g in item["answer"])
    return all(any(score.alt_in(a, score.norm(text)) for a in g) for g in item["answer"])


def _outcome(score, item: dict, text: str, evidence: list, corpus) -> str:
    """The outcome (`KINDS`) of one question over its saved evidence."""
    from qa.answer.engine import MAX_ANSWER_CHARS, answer, candidates
    from qa.answer.question import analyze, ground

    got = answer(text, lambda _t: evidence, corpus, scoped=item.get("doc") is not None,
                 alone=not item.get("history"))
    if not got.grounded:
        return "abstained"
    if _right(score, item, got.answer, None if got.value is None else str(got.value)):
        return "right" if len(got.answer) <= MAX_ANSWER_CHARS else "long"
    if not any(_right(score, item, ev.hit.chunk.text) for ev in evidence):
        return "retrieval"
    q = analyze(text)
    held = q.ask != "multi" and any(
        _right(score, item, " ".join(cl.text for cl in c.claims))
        for c in candidates(ground(q, evidence), evidence, corpus))
    return "ranking" if held else "no candidate"


def classify(name: str) -> dict[str, Counter]:
    """The count of each outcome (`KINDS`) per part ("calib", "heldout") and kind."""
    from qa.answer.types import Evidence
    from qa.retrieve import Hit

    score = scorer()
    svc = fit_ranker._service(name)
    r = svc.retriever
    out: dict[str, Counter] = {}
    with open(fit_ranker.OUT / f"{name}.evidence.jsonl", encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            evidence = [Evidence(Hit(r.chunk_by_id(cid), s, d, lx), tuple(units))
                        for cid, s, d, lx, units in e["hits"]]
            kind = _outcome(score, e["item"], e["text"], evidence, r)
            part = "heldout" if e["held"] else "calib"
            out.setdefault(f"{part} {e['item']['kind']}", Counter())[kind] += 1
    svc.stop()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="+")
    ap.add_argument("--data", type=Path, default=fit_ranker.OUT)
    ap.add_argument("--index", type=Path, default=fit_ranker.CACHE)
    a = ap.parse_args()
    fit_ranker.OUT, fit_ranker.CACHE = a.data, a.index
    print(f"{'set':14} {'part kind':28} {'n':>5} " + " ".join(f"{k:>12}" for k in KINDS))
    for name in a.sets:
        for key, c in sorted(classify(name).items()):
            n = sum(c.values())
            print(f"{name:14} {key:28} {n:5} "
                  + " ".join(f"{c[k] / n:12.3f}" for k in KINDS), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
