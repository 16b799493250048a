#!/usr/bin/env python3
"""The yes/no verdict's constants (`qa.answer.strategies.yesno`: STATED, the share of the
question's words the cited text must state; NEGATION_REACH, how many words after a negation
it denies; CONTRADICTED, the share of its other words a text saying the opposite of one
must state for a "No"; USE_ANTONYMS, whether a word WordNet opposes to the question's says
its opposite; and `qa.text.contrary`'s SENSES, whether all words of two opposed senses are,
PARTS, the parts of speech whose antonyms are read, and INDIRECT, how much of WordNet's
indirect antonymy of adjectives is),
chosen on the calibration parts of the yes/no questions: each grid point answers them
through the engine in process (as `answer_eval.py`), and is scored by right verdicts
minus false ones (a verdict where none or the other was due: a wrong "Yes" misleads a
reader more than a sentence given without one helps him). Held-out parts are printed
beside, never chosen on.

    scripts/fit_verdicts.py --cache /tmp/NAME/fit   # the grid; the best calibration point last
    scripts/fit_verdicts.py --cache /tmp/NAME/fit --vary USE_ANTONYMS SENSES   # those only

Sets: engine_yesno (over tests/articles_dev/yesno), verdicts_analysis, verdicts_report
and the yes-no questions of engine_analysis; a question's expected verdict is read as
`scripts/verdicts.py` reads it.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from answer_eval import in_process, scorer, service
from evalsets import INDEX, PROBES, load, split
from verdicts import expected, given

ROOT = Path(__file__).resolve().parent.parent
SETS = {"engine_yesno": PROBES["engine_yesno"],
        "verdicts_analysis": (ROOT / "tests" / "probes" / "verdicts_analysis.jsonl",
                              ROOT / "corpus"),
        "verdicts_report": (ROOT / "tests" / "probes" / "verdicts_report.jsonl",
                            ROOT / "tests" / "reports"),
        "engine_analysis": PROBES["engine_analysis"]}
INDEXES = {"verdicts_analysis": "seed", "verdicts_report": "report"}
GRID = {"STATED": (0.6, 0.65, 0.7, 0.75, 0.8, 0.9), "NEGATION_REACH": (2, 6),
        "CONTRADICTED": (0.7, 0.8, 0.9, 1.0), "USE_ANTONYMS": (False, True),
        "SENSES": (False, True), "PARTS": (("a", "r"), ("a", "r", "v", "n")), "INDIRECT": (0, 1, 2)}
# The module each constant lives in (`qa.answer.strategies.yesno` unless named here).
IN_CONTRARY = ("SENSES", "PARTS", "INDIRECT")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=Path("/tmp/qa-fit-verdicts"))
    ap.add_argument("--vary", nargs="+", choices=sorted(GRID), default=sorted(GRID),
                    help="the constants to vary (the others keep their values in the code)")
    a = ap.parse_args()
    from qa.answer.strategies import yesno
    from qa.text import contrary

    def module(name):
        return contrary if name in IN_CONTRARY else yesno

    grid = {k: (v if k in a.vary else (getattr(module(k), k),)) for k, v in GRID.items()}

    score = scorer()
    runs = []
    for name, (path, corpus) in SETS.items():
        items = [it for it in load(path) if expected(it) is not None]
        calib, held = split(name, items)
        svc = service(corpus, a.cache / INDEXES.get(name, INDEX.get(name, name)))
        runs.append((name, svc, calib, held))
    results = []
    for values in itertools.product(*grid.values()):
        point = dict(zip(grid, values))
        for k, v in point.items():
            setattr(module(k), k, v)
        contrary.reload()
        tally = {"calib": [0, 0, 0, 0], "heldout": [0, 0, 0, 0]}  # right, due, false, n
        for name, svc, calib, held in runs:
            score.post = in_process(svc)
            for part, qs in (("calib", calib), ("heldout", held)):
                _, rows = score.score("in-process", qs, 5)
                by_id = {str(it["id"]): it for it in qs}
                for r in rows:
                    want, got = expected(by_id[str(r["id"])]), given(r.get("answer") or "")
                    t = tally[part]
                    t[0] += bool(want) and got == want
                    t[1] += bool(want)
                    t[2] += bool(got) and got != want
                    t[3] += 1
        c, h = tally["calib"], tally["heldout"]
        results.append((c[0] - c[2], point))
        print(f"{point}: calibration right {c[0]}/{c[1]} false {c[2]} (of {c[3]}) | "
              f"held out right {h[0]}/{h[1]} false {h[2]} (of {h[3]})", flush=True)
    best = max(results, key=lambda r: r[0])  # the first of a tie: each grid's narrower end
    print(f"best on calibration (right - false = {best[0]}): {best[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
