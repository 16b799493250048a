#!/usr/bin/env python3
"""Choose the hedge's constants (`HEDGE`, `HEDGE_SUPPORT`, `HEDGE_ROOM` in
qa/answer/weights.py) from the engine's own answers, and print the figures that justify
them.

When the ranker is unsure of its first sentence, the engine gives the next best sentence
beside it (`qa.answer.engine.hedge`). Three numbers decide it: HEDGE, the first
candidate's probability below which it hedges; HEDGE_SUPPORT, the support probability the
second sentence needs (the first already passed the check); HEDGE_ROOM, the fewest
characters left beside the first in which a second sentence too long to fit whole is
given condensed to its clauses that hold the question's words. A second sentence wins an
answer when the first is wrong and costs length; a weaker support bound and a smaller room
give more second sentences.

Over the evidence `scripts/fit_ranker.py retrieve` saved (no model), the engine answers
every answerable question of the sets as /ask would, for each triple of the grids below;
printed per set and part: right answers within 400 characters and the median answer's
length. For each (HEDGE_SUPPORT, HEDGE_ROOM) HEDGE is the largest of its grid at which
squad_train's calibration part keeps its median answer within HEDGE_MEDIAN_CHARS (as the
ranker's fit chose it); of those, the triple with the most right answers over the
calibration parts of all the sets (ties: the stricter support bound, then the larger
room: fewer second sentences) among those that cost no set's calibration part a right
answer against the triple weights.py holds (a second sentence that wins SQuAD answers
must not cost TAT-QA or the analysis theirs). The held-out parts play no part in the
choice.

    scripts/fit_hedge.py [--sets ...] [--data /tmp/qa-ranker] [--index /tmp/engine-idx]
    scripts/fit_hedge.py --write      # the chosen triple into weights.py
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fit_ranker
from answer_eval import scorer
from evalsets import PROBES
from fit_ranker import HEDGE_MEDIAN_CHARS
from misses import _right

HEDGE_GRID = (0.8, 0.85, 0.9, 0.92, 0.94, 0.96, 0.98, 1.01)
# The support probability a second sentence needs; 1.01: only the check's own verdict
# (`support.check(...).ok`, as before HEDGE_SUPPORT), which every lower bound also accepts.
SUPPORT_GRID = (1.01, 0.3, 0.2, 0.1, 0.0)
# HEDGE_ROOM: 400, never condensed (no answer leaves that much beside a first sentence).
ROOM_GRID = (400, 160, 120, 80, 40)


def answers(name: str) -> dict[tuple, list[tuple[bool, int, int]]]:
    """{(HEDGE, HEDGE_SUPPORT, HEDGE_ROOM): [(held, right, characters)] per question} of
    one set: the engine's answer over the saved evidence for every triple of the grids. The
    question's candidates and first answer are worked out once; the support check of a
    second sentence is remembered per question (the same claim is checked under many
    triples)."""
    from qa.answer import arithmetic, engine, support
    from qa.answer.cite import cite
    from qa.answer.question import analyze, ground
    from qa.answer.strategies.sections import section_answer
    from qa.answer.types import Evidence
    from qa.retrieve import Hit

    score = scorer()
    svc = fit_ranker._service(name)
    r = svc.retriever
    check = support.check
    out: dict[tuple, list] = {}
    with open(fit_ranker.OUT / f"{name}.evidence.jsonl", encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            it = e["item"]
            evidence = [Evidence(Hit(r.chunk_by_id(cid), s, d, lx), tuple(units))
                        for cid, s, d, lx, units in e["hits"]]
            scoped = it.get("doc") is not None
            q = analyze(e["text"])
            fixed = _fixed(q, evidence, r, engine, arithmetic, section_answer)
            if fixed is None:
                grounded = ground(q, evidence)
                ranked = engine.candidates(grounded, evidence, r)
                chosen = engine.supported(grounded, ranked, evidence, r, scoped)
            seen: dict[tuple, object] = {}

            def remembered(text, claim, ev, corpus, scoped_, seen=seen):
                key = (claim.text, claim.chunk.id)
                if key not in seen:
                    seen[key] = check(text, claim, ev, corpus, scoped_)
                return seen[key]

            support.check = remembered
            try:
                for triple in triples():
                    engine.HEDGE, engine.HEDGE_SUPPORT, engine.HEDGE_ROOM = triple
                    if fixed == "alone":
                        got = engine.answer(e["text"], lambda _t, ev=evidence: ev, r,
                                            scoped=scoped, alone=not it.get("history"))
                    elif fixed is not None:
                        got = cite([fixed], r.version, e["text"])
                    elif chosen is None:
                        got = None
                    else:
                        first = engine.read_out(chosen)  # as engine.answer_part does
                        got = cite([engine.hedge(grounded, first, ranked, evidence, r, scoped)],
                                   r.version, e["text"])
                    if got is None or not got.grounded:
                        row = (e["held"], False, 0)
                    else:
                        value = None if got.value is None else str(got.value)
                        ok = _right(score, it, got.answer, value)
                        row = (e["held"], ok and len(got.answer) <= engine.MAX_ANSWER_CHARS,
                               len(got.answer))
                    out.setdefault(triple, []).append(row)
            finally:
                support.check = check
    svc.stop()
    return out


def current() -> tuple[float, float, int]:
    """The triple weights.py holds now."""
    from qa.answer import weights

    return weights.HEDGE, weights.HEDGE_SUPPORT, weights.HEDGE_ROOM


def triples() -> list[tuple]:
    """Every triple of the grids, and the one weights.py holds."""
    grid = [(h, s, room) for h in HEDGE_GRID for s in SUPPORT_GRID for room in ROOM_GRID]
    return grid if current() in grid else [*grid, current()]


def _fixed(q, evidence, corpus, engine, arithmetic, section_answer):
    """The answer the hedge has no say in, as `engine.answer_part` gives it first: a
    computed figure, a section; "alone" for a question the engine answers otherwise as a
    whole (several parts, no evidence); None for one answered by ranked candidates."""
    if q.ask == "multi" or not evidence:
        return "alone"
    figure = arithmetic.computed(q.text, evidence, corpus)
    if figure is not None and engine.within_length(figure) is figure:
        return figure
    section = section_answer(q, evidence, corpus)
    return None if section is None else engine.within_length(section)


def summary(rows: list[tuple[bool, bool, int]], held: bool) -> tuple[int, int, float]:
    """(right, questions, median characters of the answers given) of one part."""
    part = [(ok, n) for h, ok, n in rows if h == held]
    given = [n for _, n in part if n]
    return sum(ok for ok, _ in part), len(part), statistics.median(given) if given else 0.0


def choose(got: dict[str, dict]) -> tuple[tuple, dict]:
    """The chosen triple (see the module's docstring) and, per (support, room), the HEDGE
    its median bound allows."""
    allowed = {}
    for s in SUPPORT_GRID:
        for room in ROOM_GRID:
            fits = [h for h in HEDGE_GRID
                    if summary(got["squad_train"][(h, s, room)], False)[2] <= HEDGE_MEDIAN_CHARS]
            if fits:
                allowed[(s, room)] = max(fits)

    def calib_right(triple):
        return sum(summary(rows[triple], False)[0] for rows in got.values())

    def costs_none(triple):
        return all(summary(rows[triple], False)[0] >= summary(rows[current()], False)[0]
                   for rows in got.values())

    best = max(((h, s, room) for (s, room), h in allowed.items() if costs_none((h, s, room))),
               key=lambda t: (calib_right(t), t[1], t[2]), default=current())
    return best, allowed


def block(chosen: tuple, got: dict[str, dict]) -> str:
    """The hedge section of weights.py for the chosen triple, with its figures."""
    h, s, room = chosen
    base = (max(t for t in HEDGE_GRID
                if summary(got["squad_train"][(t, 1.01, 400)], False)[2] <= HEDGE_MEDIAN_CHARS),
            1.01, 400)

    def at(t):
        right, n, med = summary(got["squad_train"][t], False)
        return f"{right / n:.3f} right, median {med:.0f}"

    about = (
        "When the first candidate is a sentence whose probability among all candidates "
        "(softmax of the ranker's scores) is below HEDGE, the answer gives the next best "
        "sentence beside it, each cited: whole when it fits, else condensed to its clauses "
        "that hold the question's words when at least HEDGE_ROOM characters are left; the "
        "second needs the support probability HEDGE_SUPPORT only (the first passed the "
        "check), or the check's own verdict. Trades answer length for right answers: a "
        "higher HEDGE, a lower HEDGE_SUPPORT, a smaller HEDGE_ROOM give more second "
        "sentences. Chosen by `scripts/fit_hedge.py --write` over the engine's answers to "
        "the calibration parts (the softmax is the ranker's: choose again after a refit): "
        "HEDGE the largest that keeps squad_train's median answer within "
        f"{HEDGE_MEDIAN_CHARS} characters, then the triple with the most right answers "
        f"(squad_train calibration at {h}, {s}, {room}: {at(chosen)}; with the second "
        f"sentence whole and checked as the answer is, HEDGE {base[0]}: {at(base)}).")
    lines = ["# --- hedge: scripts/fit_hedge.py " + "-" * 54,
             *textwrap.wrap(about, 88, initial_indent="# ", subsequent_indent="# "),
             f"HEDGE = {h}", f"HEDGE_SUPPORT = {s}", f"HEDGE_ROOM = {room}"]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="+", default=["squad_train", "tatqa_dev", "seed_dev",
                                                  *PROBES])
    ap.add_argument("--data", type=Path, default=fit_ranker.OUT)
    ap.add_argument("--index", type=Path, default=fit_ranker.CACHE)
    ap.add_argument("--write", action="store_true")
    a = ap.parse_args()
    fit_ranker.OUT, fit_ranker.CACHE = a.data, a.index
    if "squad_train" not in a.sets:
        sys.exit("HEDGE is chosen on squad_train's median answer: include squad_train")
    got = {name: answers(name) for name in a.sets}
    chosen, allowed = choose(got)
    print("right (of questions) / median answer characters, calibration | held-out")
    for (s, room), h in sorted(allowed.items(), key=lambda kv: (-kv[0][0], -kv[0][1])):
        cells = []
        for rows in got.values():
            for held in (False, True):
                right, n, med = summary(rows[(h, s, room)], held)
                cells.append(f"{right:4}/{n:<4} {med:3.0f}")
        mark = " <- chosen" if (h, s, room) == chosen else ""
        mark += " (now)" if (h, s, room) == current() else ""
        print(f"  HEDGE {h:4.2f} SUPPORT {s:4.2f} ROOM {room:3}: " + " | ".join(cells) + mark)
    print("  columns: " + ", ".join(f"{n} calib, heldout" for n in got))
    text = block(chosen, got)
    print(text)
    if a.write:
        weights = fit_ranker.WEIGHTS
        weights.write_text(fit_ranker._replace(weights.read_text(), "# --- hedge",
                                               "# --- end hedge", text))
        print(f"HEDGE, HEDGE_SUPPORT, HEDGE_ROOM = {chosen} written to {weights}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
