#!/usr/bin/env python3
"""Computed answers on TAT-QA dev, in-process, on the calibration and held-out parts:

1. fits COMPUTED_WINS and COUNT_WINS (qa/answer/arithmetic.py), the scores from which a
   computed answer (a count) is given instead of the first answerer's, on the calibration
   part: for every question (all kinds) it asks both, scores both as
   `../shared/eval/score.py` does, and prints the accuracy by kind along each threshold;
   the held-out part is then reported at the chosen pair;
2. reports the accuracy per operator (difference, change ratio, average, division, sum,
   count) and the ten most common reasons for misses, per part.

TAT-QA's set.jsonl does not give the gold operator, so it is inferred from the gold
answer and the table: the first operation (difference, change ratio, average, division,
sum, in that order) that gives the gold answer, rounded as the scorer rounds, from the
figures of the gold evidence rows (a pair in one row or one column, or a row's figures);
failing those, from any figures of the table. A question whose answer no such operation
gives is "other" (a composite, or figures from the prose). Count questions are "count".

    scripts/arith_eval.py                      # fit on calib, report both parts
    scripts/arith_eval.py --threshold 0.6 --count-threshold 0.5   # report at given ones
    scripts/arith_eval.py --rows               # also print every miss
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from decimal import Decimal
from itertools import combinations, permutations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from answer_eval import CORPORA, scorer, service
from evalsets import SETS, load, split

from qa.answer import answer
from qa.answer.arithmetic import COMPUTED_WINS, COUNT_WINS, Arithmetic, as_answer
from qa.answer.grid import Cell, Grid
from qa.answer.operators import (
    AVERAGE,
    CHANGE_RATIO,
    COUNT,
    DIFFERENCE,
    RATIO,
    SHARE,
    SUM,
    execute,
)
from qa.service import ANSWER_CANDIDATES

DIVISION = "division"  # a ratio or a share
OPERATORS = (DIFFERENCE, CHANGE_RATIO, AVERAGE, DIVISION, SUM, COUNT, "other")


def family(op: str) -> str:
    """The operator as the report counts it (ratios and shares are divisions)."""
    return DIVISION if op in (RATIO, SHARE) else op
THRESHOLDS = [round(0.40 + 0.025 * i, 3) for i in range(21)]


def ask_both(svc, item: dict) -> dict:
    """The engine's answer without computing and the computed candidates for one question, from the
    evidence `QAService.ask` would retrieve."""
    q = item["question"]
    r, evidence = svc.evidence(q, item.get("doc"), ANSWER_CANDIDATES)
    def search(text: str) -> list:
        return evidence if text == q else svc.evidence(text, item.get("doc"),
                                                       ANSWER_CANDIDATES, r)[1]

    # the engine's answer without computed answers: what a computed one must beat
    legacy = answer(q, search, r, scoped=item.get("doc") is not None, compute=False)
    found = Arithmetic().propose(q, evidence, r)
    computed = as_answer(found[0], r.version, q) if found else None
    return {"legacy": legacy, "computed": computed, "score": found[0].score if found else None,
            "evidence": evidence}


def right(score, item: dict, answer) -> bool:
    """Whether an answer is right, judged exactly as score.py judges it."""
    if answer is None:
        return False
    out = json.loads(json.dumps(answer.to_dict(), default=str))
    text = out.get("answer", "")
    if item["kind"] in score.NUMERIC_KINDS:
        return all(any(score.number_ok(a, text, out.get("value")) for a in g)
                   for g in item["answer"])
    return all(any(score.alt_in(a, score.norm(text)) for a in g) for g in item["answer"])


# --- the gold operator --------------------------------------------------------------------


def _gold_rows(item: dict, grid: Grid) -> list:
    """The table rows the gold evidence names (all of a group's strings in one row)."""
    out = []
    for group in item["evidence"]:
        parts = group if isinstance(group, list) else [group]
        for row in grid.rows:
            if all(any(p.strip() == c.strip() for c in row.cells) for p in parts):
                out.append(row)
                break
    return out


def _cells(rows) -> list[Cell]:
    from qa.text.numbers import read_number
    out = []
    for row in rows:
        for j, text in enumerate(row.cells):
            n = read_number(text) if j else None
            if n is not None:
                out.append(Cell(row, j, text, n.value, n.percent))
    return out


def infer(score, item: dict, grid: Grid | None) -> tuple[str, tuple[Cell, ...]]:
    """The gold operator and operands, as far as the table tells (see the docstring)."""
    if item["kind"] == "count":
        return COUNT, ()
    if grid is None:
        return "other", ()
    gold = item["answer"][0][0]

    def ok(v: Decimal | None) -> bool:
        return v is not None and score.number_ok(gold, "", str(v))

    for pool in (_cells(_gold_rows(item, grid)), _cells(grid.rows)):
        if len(pool) > 60:
            pool = pool[:60]
        pairs = [(a, b) for a, b in permutations(pool, 2)
                 if a.chunk.id == b.chunk.id or a.col == b.col]
        for op in (DIFFERENCE, CHANGE_RATIO, AVERAGE, RATIO, SUM):
            if op in (AVERAGE, SUM):
                rows = collections.defaultdict(list)
                for c in pool:
                    rows[c.chunk.id].append(c)
                groups = [tuple(v) for v in rows.values() if len(v) >= 2]
                groups += [tuple(p) for p in combinations(pool, 2)
                           if p[0].chunk.id == p[1].chunk.id or p[0].col == p[1].col]
                for g in groups:
                    res = execute(op, [c.value for c in g])
                    if res and ok(res.value):
                        return op, g
                continue
            for a, b in pairs:
                for o, percent in (((RATIO, False), (RATIO, True), (SHARE, False), (SHARE, True))
                                   if op == RATIO else ((op, False),)):
                    res = execute(o, [a.value, b.value], percent)
                    if res and ok(res.value):
                        return family(op), (a, b)
    return "other", ()


def reason(score, item: dict, gold: tuple[str, tuple[Cell, ...]], computed,
           legacy_used: bool) -> str:
    """Why a computed question was missed."""
    op, cells = gold
    if computed is None:
        return "no reading (operands or operation not found)"
    if legacy_used:
        return f"computed answer below the threshold ({'right' if right(score, item, computed) else 'wrong'} if given)"
    d = computed.derivation
    if op == "other":
        return "gold not derivable from one table line (composite or prose)"
    if op == COUNT:
        return "count: wrong items or threshold"
    if family(d.op) != op:
        return f"wrong operator ({family(d.op)} for {op})"
    g = float(score.to_number(item["answer"][0][0]) or 0)
    v = float(computed.value)
    if g and abs(v + g) < 0.01 * max(1.0, abs(g)):
        return "sign"
    if g and v and any(abs(v / g - f) < 1e-3 for f in (10, 100, 1000, 0.1, 0.01, 0.001)):
        return "scale"
    ours = {(o.chunk.id, o.cell) for o in d.operands}
    theirs = {(c.chunk.id, c.col) for c in cells}
    if ours == theirs:
        return "operand order"
    if {r for r, _ in ours} != {r for r, _ in theirs}:
        return "wrong row"
    return "wrong column"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/qa-eval-index/tatqa"))
    ap.add_argument("--threshold", type=float, help="report at this COMPUTED_WINS (no fit)")
    ap.add_argument("--count-threshold", type=float, help="... and this COUNT_WINS")
    ap.add_argument("--limit", type=int, help="at most this many questions per part")
    ap.add_argument("--rows", action="store_true", help="print every miss")
    ap.add_argument("--json", type=Path, help="write every question's two answers here")
    a = ap.parse_args()

    score = scorer()
    svc = service(CORPORA["tatqa_dev"], a.cache)
    calib, held = split("tatqa_dev", load(SETS["tatqa_dev"]))
    parts = {"calib": calib[: a.limit] if a.limit else calib,
             "heldout": held[: a.limit] if a.limit else held}
    t0 = time.time()
    runs = {name: [(it, ask_both(svc, it)) for it in items] for name, items in parts.items()}
    print(f"asked {sum(len(v) for v in runs.values())} questions in {time.time() - t0:.0f} s")
    judged = {name: [(it, run, right(score, it, run["legacy"]), right(score, it, run["computed"]))
                     for it, run in rs] for name, rs in runs.items()}

    if a.json:
        a.json.write_text(json.dumps({name: [
            {"id": it["id"], "kind": it["kind"], "question": it["question"],
             "gold": it["answer"], "score": run["score"], "legacy_ok": lok, "computed_ok": cok,
             "legacy": run["legacy"].answer,
             "computed": run["computed"].answer if run["computed"] else None,
             "op": run["computed"].derivation.op if run["computed"] else None}
            for it, run, lok, cok in rows] for name, rows in judged.items()}, indent=1))
    if a.threshold is not None:
        pair = (a.threshold, a.count_threshold if a.count_threshold is not None else a.threshold)
    else:
        pair = fit(judged["calib"])
    for name, rows in judged.items():
        _, kinds = accuracy(rows, pair)
        _, legacy_kinds = accuracy(rows, (10.0, 10.0))
        print(f"\n{name} at COMPUTED_WINS {pair[0]}, COUNT_WINS {pair[1]}: {json.dumps(kinds)}")
        print(f"{name} first answerer alone: {json.dumps(legacy_kinds)}")
        report(score, name, rows, svc, pair, a.rows)
    return 0


def used(run: dict, pair: tuple[float, float]) -> bool:
    """Whether the computed answer is given: its score reaches the threshold of its kind
    (counts have their own: an item count is named less fully by construction)."""
    if run["score"] is None:
        return False
    d = run["computed"].derivation
    return run["score"] >= (pair[1] if d is not None and d.op == COUNT else pair[0])


def accuracy(rows, pair: tuple[float, float]) -> tuple[int, dict[str, float]]:
    """Right answers in all and the accuracy by kind when computed answers are given from
    the thresholds `pair` (computed, count)."""
    by_kind = collections.defaultdict(list)
    for it, run, legacy_ok, comp_ok in rows:
        by_kind[it["kind"]].append(comp_ok if used(run, pair) else legacy_ok)
    kinds = {k: round(sum(v) / len(v), 3) for k, v in sorted(by_kind.items())}
    return sum(sum(v) for v in by_kind.values()), kinds


def fit(rows) -> tuple[float, float]:
    """The two thresholds that give the most right answers on the calibration part (the
    middle of the range that does, each, so that neither sits on the edge of a plateau),
    printed with the accuracy by kind along each."""
    totals = {(t, c): accuracy(rows, (t, c))[0] for t in THRESHOLDS for c in THRESHOLDS}
    top = max(totals.values())
    ts = sorted({t for (t, c), n in totals.items() if n == top})
    t = ts[len(ts) // 2]
    cs = sorted(c for (t2, c), n in totals.items() if n == top and t2 == t)
    chosen = (t, cs[len(cs) // 2])
    print("\nfit on the calibration part (right answers in all; accuracy by kind):")
    for t in THRESHOLDS:
        total, kinds = accuracy(rows, (t, chosen[1]))
        print(f"  COMPUTED_WINS {t:.3f}  {total:5d}  {json.dumps(kinds)}")
    for c in THRESHOLDS:
        total, kinds = accuracy(rows, (chosen[0], c))
        print(f"  COUNT_WINS    {c:.3f}  {total:5d}  count {kinds.get('count')}")
    print(f"chosen: COMPUTED_WINS = {chosen[0]}, COUNT_WINS = {chosen[1]} (qa/answer/arithmetic.py "
          f"has {COMPUTED_WINS}, {COUNT_WINS})")
    return chosen


def report(score, name: str, rows, svc, pair: tuple[float, float], show: bool) -> None:
    """Accuracy per (inferred) operator and the ten most common reasons for misses."""
    per_op = collections.defaultdict(lambda: [0, 0])
    reasons: collections.Counter[str] = collections.Counter()
    r = svc.retriever
    for it, run, legacy_ok, comp_ok in rows:
        if it["kind"] not in ("arithmetic", "count"):
            continue
        rows_of_doc = [c for c in r.chunks if c.doc == it["doc"] and c.kind == "table_row"]
        grid = Grid(tuple(r.table_of(rows_of_doc[0]))) if rows_of_doc else None
        gold = infer(score, it, grid)
        use = used(run, pair)
        ok = comp_ok if use else legacy_ok
        per_op[gold[0]][0] += ok
        per_op[gold[0]][1] += 1
        if not ok:
            why = reason(score, it, gold, run["computed"], not use)
            reasons[why] += 1
            if show:
                given = run["computed"].answer if use else run["legacy"].answer
                print(f"   MISS {gold[0]} [{why}] {it['question']} | gold {it['answer'][0][0]} | {given[:200]}")
    print(f"{name} accuracy per operator (inferred from the gold answer and the table):")
    for op in OPERATORS:
        ok, n = per_op.get(op, (0, 0))
        if n:
            print(f"  {op:13s} {ok:4d}/{n:<4d} {ok / n:.3f}")
    print(f"{name} the ten most common reasons for misses:")
    for why, n in reasons.most_common(10):
        print(f"  {n:4d}  {why}")


if __name__ == "__main__":
    sys.exit(main())
