#!/usr/bin/env python3
"""Print the figures behind `FAMILY` in qa/answer/strategies/sections.py: how many summary,
list and plain fact questions of each development set a section answers (the question
names a retrieved chunk's heading) as the word-family prefix moves, and how many of those
the section answers right, beside the engine's answer without the section reading.

A shorter prefix joins more words into one family (more questions read as about a
section); the figures show where that starts to route questions a section does not
answer. Calibration parts only, as every fitted number of the engine.

    scripts/fit_sections.py                    # the probes over the analysis and the report
    scripts/fit_sections.py --sets squad_train --limit 1500
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from answer_eval import CORPORA, scorer, service
from evalsets import PROBES, SETS, load, split

PREFIXES = (4, 5, 6, 7, 8, 99)  # 99: the same stem only


def right(sc, item: dict, text: str) -> bool:
    """Whether the answer text holds every answer group, as the scorer judges."""
    return all(any(sc.alt_in(a, sc.norm(text)) for a in g) for g in item["answer"])


def ok(sc, item: dict, text: str) -> bool:
    """Right and concise, as the scorer's concise accuracy counts it."""
    return right(sc, item, text) and len(text) <= sc.CONCISE_CHARS


def searcher(svc, item: dict, evidence: dict):
    """The engine's search for one question: its evidence as retrieved, and the service's
    retrieval for the parts of a question that asks several things."""
    def search(text: str):
        if text == item["question"]:
            return evidence[item["id"]]
        return svc.evidence(text, item.get("doc"), 8, svc.retriever)[1]
    return search


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="*", default=list(PROBES))
    ap.add_argument("--limit", type=int, help="at most this many questions per set")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/qa-sections-index"))
    a = ap.parse_args()

    from qa.answer import engine
    from qa.answer.question import analyze
    from qa.answer.strategies import sections

    sc = scorer()
    for name in a.sets:
        path, corpus = PROBES[name] if name in PROBES else (SETS[name], CORPORA[name])
        calib, _ = split(name if name in SETS else path.stem, load(path))
        items = [it for it in calib if it["answerable"] and not it.get("history")
                 and analyze(it["question"]).ask in sections.ASKS][: a.limit]
        # one index folder per corpus (the three corpora are all folders named corpus)
        svc = service(corpus, a.cache / "-".join(corpus.resolve().parts[-2:]))
        r = svc.retriever
        evidence = {it["id"]: svc.evidence(it["question"], it.get("doc"), 8, r)[1]
                    for it in items}
        # the engine without the section reading, once per question
        engine.section_answer = lambda q, ev, corpus: None
        plain = {it["id"]: ok(sc, it, engine.answer(it["question"], searcher(svc, it, evidence),
                                                     r, scoped=bool(it.get("doc"))).answer)
                 for it in items}
        engine.section_answer = sections.section_answer
        print(f"{name}: {len(items)} summary, list and fact questions (calibration), "
              f"{sum(plain.values())} right without the section reading")
        for n in PREFIXES:
            sections.FAMILY = n
            routed = good = was = 0
            for it in items:
                c = sections.section_answer(analyze(it["question"]), evidence[it["id"]], r)
                if c is None:
                    continue
                routed += 1
                text = " ".join(cl.text for cl in c.claims)
                good += ok(sc, it, text)
                was += plain[it["id"]]
            print(f"  FAMILY {n:2d}: {routed:3d} answered by a section, {good:3d} of them right "
                  f"(without the section reading {was:3d}); net {good - was:+d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
