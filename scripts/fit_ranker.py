#!/usr/bin/env python3
"""Fit the answer engine's candidate ranker (`RANKER` in qa/answer/weights.py) and print
the figures that justify it.

For every answerable question of the development sets (seed_dev, the TAT-QA span kinds,
squad_train, the engine's probes) the engine's strategies propose their candidates over
the service's own retrieval; a candidate is positive when its text holds the gold answer
as the shared scorer judges it (every answer group, `alt_in`). A multi-part question
("Which divisions does it revive, and which institutions should be strengthened?") is
split as the engine splits it (`standalone_parts`), each part retrieved for as the engine
retrieves, and each part is a training question of its own whose gold answer is the
answer group of the same place (`part_items`: the sets write one group per part, in the
question's order); a question whose parts and groups do not pair one to one is left out.
A part is held out with its question (the split is by question). The ranker is a
conditional logit: one softmax over the candidates of a question, fitted to put the
positives first, with an L2 penalty, on the calibration parts only; each set's questions
weigh so that no set outweighs the others by more than its size up to SET_WEIGHT_CAP.

Printed per set, calibration and held-out part side by side: how often the first-ranked
candidate is right (among questions with any right candidate, and of all), with the
weights before (as in weights.py) and after the fit. Also the yes/no verdict threshold
(`STATED`): verdicts right and wrong on the yes/no probes as it moves.

    scripts/fit_ranker.py retrieve       # evidence of each question (slow: the model)
    scripts/fit_ranker.py dump           # candidates and features -> /tmp/qa-ranker/*.jsonl
    scripts/fit_ranker.py fit [--write]  # fit, print; --write puts the weights in weights.py
    scripts/fit_ranker.py cv             # L2 chosen by cross-validation on the calib parts
    scripts/fit_ranker.py fit --only head_other total_named [--write]
                                         # only these features' weights fitted, the others
                                         # held at weights.py's (a new feature added without
                                         # moving what the ranker has learnt)
    scripts/fit_ranker.py retrieve --sets squad_train --every 3  # a third of squad_train
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import textwrap
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from answer_eval import CORPORA, scorer
from evalsets import SETS, load, split

ROOT = Path(__file__).resolve().parent.parent
PROBES = {"engine_analysis": (ROOT / "tests" / "probes" / "engine_analysis.jsonl", ROOT / "corpus"),
          "engine_report": (ROOT / "tests" / "probes" / "engine_report.jsonl",
                            ROOT / "tests" / "reports"),
          "support": (ROOT / "tests" / "probes" / "support.jsonl", ROOT / "corpus")}
# The TAT-QA kinds the ranker learns from; add "arithmetic" and "count" once a strategy
# computes them (issue 10): they are judged by number, as score.py judges them.
TATQA_KINDS = ("span-text", "span-table", "span-table-text")
OUT = Path("/tmp/qa-ranker")
CACHE = Path("/tmp/engine-idx")  # index folders, one per corpus (as answer_eval --cache)
INDEX = {"seed_dev": "seed", "tatqa_dev": "tatqa", "squad_train": "squad",
         "engine_analysis": "seed", "engine_report": "report", "support": "seed"}
WEIGHTS = ROOT / "qa" / "answer" / "weights.py"
# The penalty on the squared weights (per calibration question): higher keeps weights
# smaller (fits the calibration parts less closely). Chosen by `cv`: 3-fold cross-validation
# on the calibration parts, top-1 right averaged over the sets weighted as the fit weighs
# them, the largest penalty within one standard error (over the folds) of the best: a
# difference smaller than the folds' noise does not buy the closer fit. 0.0003 (0.793
# +- 0.003; 0.0001 0.790, 0.001 0.784, 0.003 0.772).
L2 = 0.0003
HEDGE_CHARS = 380  # the two sentences must fit the answer (the engine's ANSWER_CHARS)
SET_WEIGHT_CAP = 600  # a set counts as at most this many questions (squad_train has 4,000)


def questions(name: str) -> tuple[list[dict], Path]:
    """The answerable questions of a set the ranker learns from (multi-part ones are split
    into their parts by `retrieve`), and its corpus."""
    if name in PROBES:
        path, corpus = PROBES[name]
    else:
        path, corpus = SETS[name], CORPORA[name]
    items = [it for it in load(path) if it["answerable"]]
    if name == "tatqa_dev":
        items = [it for it in items if it["kind"] in TATQA_KINDS]
    return items, corpus


def part_items(item: dict, parts: list[str]) -> list[dict]:
    """The training questions of a multi-part question asked as `parts` (the engine's
    standalone parts): part i with the i-th gold answer group alone, as its own question
    (id "<id>/<i>"). The sets write one answer group per part, in the question's order;
    when the parts and the groups do not pair one to one (the analysis split the question
    otherwise) no pairing is sound, and the question gives none; so does a question of
    another kind that the analysis splits."""
    groups = item["answer"]
    if item["kind"] != "multi-part" or len(parts) < 2 or len(parts) != len(groups):
        return []
    return [{**item, "id": f"{item['id']}/{i}", "question": part, "answer": [group],
             "history": []}
            for i, (part, group) in enumerate(zip(parts, groups), 1)]


def _service(name: str):
    """A started service over the set's corpus (its index built into CACHE if needed)."""
    from qa.config import get_settings
    from qa.service import QAService

    _, corpus = questions(name)
    svc = QAService(get_settings(corpus=corpus, index=CACHE / INDEX[name]))
    svc.start(build_if_needed=True)
    return svc


def retrieve(names: list[str], limit: int | None, every: int = 1) -> None:
    """The evidence of each question as the service retrieves it for /ask (the slow part:
    the model encodes every question) -> OUT/<set>.evidence.jsonl. A multi-part question
    gives one line per part (`part_items`), retrieved for as the engine retrieves for it."""
    from qa.answer.engine import standalone_parts
    from qa.answer.question import analyze
    from qa.conversation import resolve, table_rows

    OUT.mkdir(parents=True, exist_ok=True)
    for name in names:
        items, _ = questions(name)
        _, held = split(name, items)
        held_ids = {it["id"] for it in held}
        svc = _service(name)
        rows = table_rows(svc.retriever.chunks)
        n = 0
        with open(OUT / f"{name}.evidence.jsonl", "w", encoding="utf-8") as f:
            for it in (items[::every][:limit] if limit else items[::every]):
                history = [("user", h) for h in it.get("history", [])]
                found = svc.gather(it["question"], history, it.get("doc"))  # as /ask does
                asked = [(it, found.question, found.evidence)]
                q = analyze(found.question, split=not found.follow_up)
                if q.ask == "multi" or it["kind"] == "multi-part":  # its parts, as the engine
                    parts = standalone_parts(q, partial(resolve, rows=rows))  # asks them
                    asked = [(part, part["question"],
                              svc.evidence(part["question"], it.get("doc"),
                                           retriever=found.retriever)[1])
                             for part in part_items(it, parts)]
                for item, text, evidence in asked:
                    f.write(json.dumps({
                        "item": item, "held": it["id"] in held_ids, "text": text,
                        "hits": [[e.hit.chunk.id, e.hit.score, e.hit.dense, e.hit.lexical,
                                  [round(x, 5) for x in e.unit_scores]]
                                 for e in evidence]}) + "\n")
                    n += 1
        print(f"{name}: {n} questions -> {OUT / (name + '.evidence.jsonl')}", flush=True)
        svc.stop()


def dump(names: list[str]) -> None:
    """Candidates with features and labels for each question, from the retrieved
    evidence (`retrieve`) -> OUT/<set>.jsonl. Fast: no model."""
    from qa.answer.cite import claims_text
    from qa.answer.engine import candidates
    from qa.answer.question import analyze, ground
    from qa.answer.strategies import yesno
    from qa.answer.types import Evidence
    from qa.retrieve import Hit

    score = scorer()
    yesno.STATED = 0.0  # every verdict is dumped; fit() applies the threshold
    for name in names:
        r = _service(name).retriever
        n = 0
        with open(OUT / f"{name}.jsonl", "w", encoding="utf-8") as f, \
                open(OUT / f"{name}.evidence.jsonl", encoding="utf-8") as src:
            for line in src:
                e = json.loads(line)
                it = e["item"]
                q = analyze(e["text"])
                if q.ask == "multi" or not e["hits"]:
                    continue
                evidence = [Evidence(Hit(r.chunk_by_id(cid), s, d, lx), tuple(units))
                            for cid, s, d, lx, units in e["hits"]]
                g = ground(q, evidence)
                rows_out = []
                for c in candidates(g, evidence, r):
                    numbers: dict[str, int] = {}
                    for cl in c.claims:
                        numbers.setdefault(cl.chunk.id, len(numbers) + 1)
                    text = claims_text(c.claims, numbers, c.preface)
                    shown = score.norm(text)
                    if it["kind"] in score.NUMERIC_KINDS:  # judged by number, as score.py does
                        value = None if c.value is None else str(c.value)
                        ok = all(any(score.number_ok(a, text, value) for a in grp)
                                 for grp in it["answer"])
                    else:
                        ok = all(any(score.alt_in(a, shown) for a in grp) for grp in it["answer"])
                    rows_out.append({"s": c.strategy, "y": int(ok), "f": c.features,
                                     "t": shown[:200], "n": len(shown),
                                     "k": len(c.claims), "p": c.preface})
                f.write(json.dumps({"id": it["id"], "kind": it["kind"], "ask": q.ask,
                                    "q": e["text"], "held": e["held"], "c": rows_out}) + "\n")
                n += 1
        print(f"{name}: {n} questions -> {OUT / (name + '.jsonl')}", flush=True)


def _load(name: str) -> list[dict]:
    return [json.loads(line) for line in open(OUT / f"{name}.jsonl", encoding="utf-8")]


def _matrix(data: list[dict], names: list[str]):
    import numpy as np

    index = {k: i for i, k in enumerate(names)}
    out = []
    for q in data:
        X = np.zeros((len(q["c"]), len(names)))
        for r, c in enumerate(q["c"]):
            for k, v in c["f"].items():
                if k in index:
                    X[r, index[k]] = v
        y = np.array([c["y"] for c in q["c"]], dtype=float)
        out.append((X, y))
    return out


def _fit(groups, weights, names: list[str], l2: float = L2, offsets=None):
    import numpy as np
    from scipy.optimize import minimize

    d = len(names)
    offsets = offsets or [0.0] * len(groups)
    usable = [(X, y, w, o) for (X, y), w, o in zip(groups, weights, offsets)
              if y.any() and not y.all()]
    total = sum(w for _, _, w, _ in usable)

    def loss(theta):
        value, grad = l2 * total * theta @ theta, 2 * l2 * total * theta
        for X, y, w, o in usable:
            s = X @ theta + o
            m = s.max()
            e = np.exp(s - m)
            p_all = e / e.sum()
            ep = e * y
            p_pos = ep / ep.sum()
            value += w * (np.log(e.sum()) - np.log(ep.sum()))
            grad += w * ((p_all - p_pos) @ X)
        return value, grad

    res = minimize(loss, np.zeros(d), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return dict(zip(names, res.x))


def _fit_some(groups, weights, names: list[str], free: list[str], base: dict[str, float],
              l2: float = L2) -> dict[str, float]:
    """`_fit` over the `free` features alone, every other feature's weight held at `base`
    (each candidate's score starts from what those weights give it)."""
    import numpy as np

    held = np.array([0.0 if k in free else base.get(k, 0.0) for k in names])
    cols = [names.index(k) for k in free]
    got = _fit([(X[:, cols], y) for X, y in groups], weights, free, l2,
               offsets=[X @ held for X, _ in groups])
    return {**base, **got}


def _top1(data: list[dict], weights: dict[str, float]) -> tuple[float, float, int]:
    """(share right of questions with any right candidate, share right of all, count)."""
    right = possible = 0
    for q in data:
        if not q["c"]:
            continue
        best = max(q["c"], key=lambda c: sum(weights.get(k, 0.0) * v for k, v in c["f"].items()))
        right += best["y"]
        possible += any(c["y"] for c in q["c"])
    n = len(data)
    return (right / possible if possible else 0.0), (right / n if n else 0.0), n


def fit(names: list[str], write: bool, l2: float = L2, only: list[str] | None = None) -> None:
    """Fit on the calibration parts; print the figures per set and part. With `only`, the
    weights of those features alone (`_fit_some`)."""
    from qa.answer.strategies import yesno
    from qa.answer.weights import RANKER

    loaded = {n: _load(n) for n in names if (OUT / f"{n}.jsonl").exists()}
    data = {n: _verdicts({n: qs}, yesno.STATED) for n, qs in loaded.items()}
    calib = [(n, q) for n, qs in data.items() for q in qs if not q["held"]]
    feature_names = sorted({k for _, q in calib for c in q["c"] for k in c["f"]})
    per_set = {n: sum(1 for m, _ in calib if m == n) for n in data}
    weights = [min(1.0, SET_WEIGHT_CAP / per_set[n]) for n, _ in calib]
    groups = _matrix([q for _, q in calib], feature_names)
    if only:
        fitted = _fit_some(groups, weights, feature_names, only, RANKER, l2)
    else:
        fitted = _fit(groups, weights, feature_names, l2)
    fitted = {k: round(v, 3) for k, v in fitted.items() if abs(v) >= 0.0005}

    print("top-1 right: of questions with a right candidate / of all (questions)")
    print(f"{'set':18} {'part':8} {'before':>18} {'fitted':>18}")
    for n, qs in data.items():
        for part, held in (("calib", False), ("heldout", True)):
            sub = [q for q in qs if q["held"] == held]
            b, f = _top1(sub, RANKER), _top1(sub, fitted)
            print(f"{n:18} {part:8} {b[0]:8.3f} {b[1]:6.3f} ({b[2]:4}) {f[0]:8.3f} {f[1]:6.3f}")
            kinds = sorted({q["kind"] for q in sub})
            if len(kinds) > 1:
                for k in kinds:
                    s = [q for q in sub if q["kind"] == k]
                    b, f = _top1(s, RANKER), _top1(s, fitted)
                    print(f"{'':18} {'  ' + k:14.14} {b[0]:6.3f} {b[1]:6.3f} ({b[2]:4}) "
                          f"{f[0]:8.3f} {f[1]:6.3f}")
    block = _weights_block(fitted, per_set, only)
    print(block)
    if write:
        text = WEIGHTS.read_text()
        start = text.index("# --- ranker")
        end = text.index("# --- end ranker")
        WEIGHTS.write_text(text[:start] + block + text[end:])
        print(f"written to {WEIGHTS}")
    stated(loaded, fitted)
    hedge(data, fitted)


def cross_validate(names: list[str], grid: tuple[float, ...] = (0.0001, 0.0003, 0.001, 0.003),
                   folds: int = 3) -> None:
    """Choose L2 on the calibration parts alone: each penalty fitted on all folds but one
    and judged on that one (folds by question id), top-1 right of all questions per set,
    averaged over the folds, and over the sets weighted as the fit weighs them. The
    held-out parts play no part in the choice."""
    import hashlib

    from qa.answer.strategies import yesno

    loaded = {n: _load(n) for n in names if (OUT / f"{n}.jsonl").exists()}
    data = {n: _verdicts({n: qs}, yesno.STATED) for n, qs in loaded.items()}
    calib = [(n, q) for n, qs in data.items() for q in qs if not q["held"]]
    fold = [int(hashlib.sha1(q["id"].encode()).hexdigest(), 16) % folds for _, q in calib]
    feature_names = sorted({k for _, q in calib for c in q["c"] for k in c["f"]})
    print(f"L2 by {folds}-fold cross-validation on the calibration parts: top-1 right of all")
    print(f"{'l2':>8} " + " ".join(f"{n[:14]:>14}" for n in data) + f" {'mean':>7} {'s.e.':>6}")
    mean: dict[float, float] = {}
    error: dict[float, float] = {}
    for l2 in grid:
        right: dict[str, list[float]] = {n: [] for n in data}
        for k in range(folds):
            train = [(n, q) for (n, q), f in zip(calib, fold) if f != k]
            per_set = {n: sum(1 for m, _ in train if m == n) or 1 for n in data}
            weights = [min(1.0, SET_WEIGHT_CAP / per_set[n]) for n, _ in train]
            fitted = _fit(_matrix([q for _, q in train], feature_names), weights,
                          feature_names, l2)
            for n in data:
                test = [q for (m, q), f in zip(calib, fold) if f == k and m == n]
                if test:
                    right[n].append(_top1(test, fitted)[1])
        means = {n: sum(v) / len(v) for n, v in right.items() if v}
        # each set weighs as in the fit (its calibration size, capped): an 18-question probe
        # set's fold noise must not outvote TAT-QA's 600 questions
        size = {n: min(SET_WEIGHT_CAP, sum(1 for m, _ in calib if m == n)) for n in means}
        mean[l2] = sum(means[n] * size[n] for n in means) / sum(size.values())
        per_fold = [sum(right[n][k] * size[n] for n in means) / sum(size.values())
                    for k in range(min(len(right[n]) for n in means))]
        error[l2] = statistics.stdev(per_fold) / math.sqrt(len(per_fold))
        print(f"{l2:8.4f} " + " ".join(f"{means.get(n, 0.0):14.3f}" for n in data)
              + f" {mean[l2]:7.3f} {error[l2]:6.3f}")
    best = max(mean, key=mean.get)
    chosen = max(l2 for l2, m in mean.items() if m >= mean[best] - error[best])
    print(f"chosen: {chosen} (the largest within one standard error, {error[best]:.3f}, of the "
          f"best mean, {mean[best]:.3f})")


def _weights_block(fitted: dict[str, float], per_set: dict[str, int],
                   only: list[str] | None = None) -> str:
    sets = ", ".join(f"{n} {c}" for n, c in per_set.items())
    about = ("Weights of the candidate ranker (`qa.answer.rank`): a candidate's score is the sum "
             "of its features (`qa.answer.features` and the strategies' own) times these "
             "weights; a feature without a weight counts 0. Fitted by `scripts/fit_ranker.py "
             "fit --write` as a conditional logit (one softmax over the candidates of a "
             "question; positive: the candidate holds the gold answer), L2-penalised, on the "
             f"calibration parts ({sets} questions); the script prints top-1 figures per set, "
             "calibration and held-out. Positive weights favour a candidate.")
    if only:
        about += (f" Last: {', '.join(only)} alone (`fit --only`), the others held as they "
                  "were.")
    lines = ["# --- ranker: scripts/fit_ranker.py " + "-" * 54,
             *textwrap.wrap(about, 88, initial_indent="# ", subsequent_indent="# "),
             "RANKER: dict[str, float] = {"]
    from qa.answer.features import FEATURES

    for k, v in sorted(fitted.items(), key=lambda kv: -abs(kv[1])):
        base = k.split("&")[-1].removeprefix("mixed:")
        note = FEATURES.get(k) or FEATURES.get(base)
        line = f"    {k!r}: {v},"
        if note:
            room = 97 - max(len(line), 40)
            note = note if len(note) <= room else note[:room - 1].rsplit(" ", 1)[0] + " …"
            line = f"{line:40}# {note}"
        lines.append(line)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _verdicts(data: dict[str, list[dict]], threshold: float) -> list[dict]:
    """The questions with yes/no candidates below `threshold` left out."""
    out = []
    for qs in data.values():
        for q in qs:
            out.append({**q, "c": [c for c in q["c"] if not c["s"].startswith("yesno")
                                   or c["f"].get("stated", 0.0) >= threshold]})
    return out


def stated(data: dict[str, list[dict]], weights: dict[str, float]) -> None:
    """Yes/no probes: right first answers as the STATED threshold moves (a verdict is
    given only when the sentence holds this share of the question's words)."""
    from qa.answer.strategies import yesno

    yn = {n: [q for q in qs if q["kind"] == "yes-no"] for n, qs in data.items()}
    if not any(yn.values()):
        return
    print(f"\nyes/no probes, first answer right (calibration / held-out) by STATED "
          f"(now {yesno.STATED}):")
    for t in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0):
        qs = _verdicts(yn, t)
        c, h = _top1([q for q in qs if not q["held"]], weights), _top1(
            [q for q in qs if q["held"]], weights)
        print(f"  {t:4.2f}: {c[1]:.3f} of {c[2]}   {h[1]:.3f} of {h[2]}")


def _hedged(q: dict, weights: dict[str, float], t: float) -> tuple[int, int]:
    """(right, characters) of the answer to a dumped question with the second sentence
    added below probability `t` (as `qa.answer.engine.hedge` does)."""
    import math

    scored = sorted(((sum(weights.get(k, 0.0) * v for k, v in c["f"].items()), c)
                     for c in q["c"]), key=lambda sc: -sc[0])
    if not scored:
        return 0, 0
    top = scored[0][0]
    z = sum(math.exp(s - top) for s, _ in scored)
    first = scored[0][1]
    second = next((c for _, c in scored[1:] if _is_sentence(c)), None)
    if (_is_sentence(first) and second is not None and 1 / z < t
            and first["n"] + second["n"] <= HEDGE_CHARS and q["ask"] not in ("list", "summary")):
        return max(first["y"], second["y"]), first["n"] + second["n"] + 1
    return first["y"], first["n"]


def _is_sentence(c: dict) -> bool:
    return c["s"] == "sentence" and c.get("k", 1) == 1 and not c.get("p")


def hedge(data: dict[str, list[dict]], weights: dict[str, float]) -> None:
    """Answers with a second sentence when the first is uncertain: right answers and
    median answer length per set and part as the probability threshold moves."""
    from qa.answer.weights import HEDGE

    print(f"\nsecond sentence below first-candidate probability t (now {HEDGE}): right / "
          "median characters, calibration | held-out")
    for t in (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 1.01):
        cells = []
        for qs in data.values():
            for held in (False, True):
                got = [_hedged(q, weights, t) for q in qs if q["held"] == held]
                if got:
                    right = sum(r for r, _ in got) / len(got)
                    chars = sorted(c for _, c in got)[len(got) // 2]
                    cells.append(f"{right:.3f}/{chars:3d}")
        print(f"  {t:4.2f}: " + "  ".join(cells))
    print("  columns: " + ", ".join(f"{n} calib, heldout" for n in data))


def main() -> int:
    global OUT, CACHE
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["retrieve", "dump", "fit", "cv"])
    ap.add_argument("--sets", nargs="+", default=["seed_dev", "tatqa_dev", "squad_train",
                                                  *PROBES])
    ap.add_argument("--limit", type=int, help="at most this many questions per set")
    ap.add_argument("--every", type=int, default=1, help="every n-th question only")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--l2", type=float, default=L2, help=f"L2 penalty (default {L2})")
    ap.add_argument("--only", nargs="+", help="fit only these features (others held)")
    ap.add_argument("--data", type=Path, default=OUT, help=f"dumps folder (default {OUT})")
    ap.add_argument("--index", type=Path, default=CACHE,
                    help=f"index folders, one per corpus (default {CACHE})")
    a = ap.parse_args()
    OUT, CACHE = a.data, a.index
    sets = [s for n in a.sets for s in (PROBES if n == "probes" else [n])]
    if a.what == "retrieve":
        retrieve(sets, a.limit, a.every)
    elif a.what == "dump":
        dump(sets)
    elif a.what == "cv":
        cross_validate(sets)
    else:
        fit(sets, a.write, a.l2, a.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())

