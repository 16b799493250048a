#!/usr/bin/env python3
"""Score the service in-process exactly as `../shared/eval/score.py` scores it over HTTP:
the scorer's own `score()` runs with its HTTP call replaced by a direct call into one
`QAService`, so every metric is computed by the scorer's code, but a run over thousands
of questions costs no server start-up or HTTP. Use it while developing; report figures
from `score.py` against `qa serve`.

    scripts/answer_eval.py squad_train            # calibration and held-out parts
    scripts/answer_eval.py tatqa_dev --part heldout --limit 200
    scripts/answer_eval.py PATH.jsonl --corpus DIR  # any set over any corpus (split by id)
    scripts/answer_eval.py engine_subject         # a probe set by name (evalsets.PROBES)
    scripts/answer_eval.py support --constant qa.retrieve.SYNONYM_GAIN=0  # a fitted constant
                                                    # set otherwise, for a before/after

Named sets (seed_dev, tatqa_dev, squad_train, the probe sets of evalsets.PROBES) know their
corpus; the index is built once
into --cache (default /tmp/qa-eval-index/<corpus name>) and reused while the corpus and
the chunker are unchanged. Prints one summary line per part (the scorer's summary keys),
and with --rows the rows of wrong answers.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evalsets import EVAL, PROBES, SETS, load, split

ROOT = Path(__file__).resolve().parent.parent
CORPORA = {"seed_dev": ROOT / "corpus", "tatqa_dev": EVAL / "tatqa_dev" / "corpus",
           "squad_train": EVAL / "squad_train" / "corpus"}


def scorer():
    """The shared scorer, imported from its file (it is not a package)."""
    spec = importlib.util.spec_from_file_location("score", EVAL / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def in_process(svc):
    """A stand-in for the scorer's `post(url, path, body)` that calls the service."""
    from qa.api.models import hit_json

    def post(url, path, body, timeout=60):
        t0 = time.perf_counter()
        if path == "/retrieve":
            res = svc.retrieve(body["query"], body.get("k", 5), body.get("doc"))
            data = {"version": res.version, "results": [hit_json(h) for h in res.hits]}
        elif path == "/ask":
            history = [(m["role"], m["content"]) for m in body.get("history", [])]
            data = svc.ask(body["question"], history, body.get("doc")).to_dict()
        else:
            raise ValueError(path)
        return json.loads(json.dumps(data, default=str)), (time.perf_counter() - t0) * 1000

    return post


def service(corpus: Path, cache: Path):
    """A started service over `corpus`, its index built (or updated) in `cache`."""
    from qa.config import get_settings
    from qa.service import QAService

    svc = QAService(get_settings(corpus=corpus, index=cache))
    svc.start(build_if_needed=True)
    return svc


def answerable(name: str, index: Path, every: int = 1):
    """(started service, answerable questions without history (every `every`th), the ids of
    the held-out ones) of set or probe set `name`, its index in `index / INDEX[name]`: what
    the retrieval fits (fit_fusion, fit_synonyms) measure on."""
    from evalsets import INDEX, PROBES

    path, corpus = PROBES[name] if name in PROBES else (SETS[name], CORPORA[name])
    items = [it for it in load(path) if it["answerable"] and not it.get("history")][::every]
    _, held = split(name, load(path))
    return service(corpus, index / INDEX[name]), items, {it["id"] for it in held}


def tally(got: dict[str, list[int]], item: dict, held: bool, *marks: int) -> None:
    """Add one question's marks (pinpoint@1, hit@8, ...) and a 1 for it to `got` under its
    part ("calib" / "heldout"), and under "<part>:paraphrase" too for a paraphrase: how
    the retrieval fits count per part."""
    part = "heldout" if held else "calib"
    for key in [part] + ([f"{part}:paraphrase"] if item["kind"] == "paraphrase" else []):
        acc = got.setdefault(key, [0] * (len(marks) + 1))
        for i, mark in enumerate((*marks, 1)):
            acc[i] += mark


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("set", help="seed_dev, tatqa_dev, squad_train, or a path to a JSONL set")
    ap.add_argument("--corpus", type=Path, help="corpus folder (named sets know theirs)")
    ap.add_argument("--cache", type=Path, help="index folder to build into and reuse")
    ap.add_argument("--part", choices=["calib", "heldout", "both", "all"], default="both",
                    help="which part of a named set (default: calib and heldout apart)")
    ap.add_argument("--kind", action="append", help="only questions of this kind")
    ap.add_argument("--limit", type=int, help="at most this many questions per part")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--rows", action="store_true", help="print the rows of wrong answers")
    ap.add_argument("--json", type=Path, help="write summaries and rows here")
    ap.add_argument("--constant", action="append", default=[], metavar="MODULE.NAME=NUMBER",
                    help="set a module's numeric constant for this run")
    a = ap.parse_args()
    for assignment in a.constant:
        where, value = assignment.split("=", 1)
        module, name = where.rsplit(".", 1)
        held = importlib.import_module(module)
        kind = type(getattr(held, name))  # a count stays an int ("ANSWER_CANDIDATES=12")
        setattr(held, name, kind(float(value)) if kind in (int, float) else float(value))

    named = a.set in SETS
    probe = PROBES.get(a.set)  # a probe set by its name knows its corpus too
    path = SETS[a.set] if named else probe[0] if probe else Path(a.set)
    corpus = a.corpus or CORPORA.get(a.set) or (probe[1] if probe else None)
    if corpus is None:
        ap.error("--corpus is needed for a set that is not named")
    cache = a.cache or Path("/tmp/qa-eval-index") / corpus.resolve().name
    items = load(path)
    if a.kind:
        items = [it for it in items if it["kind"] in a.kind]
    if a.part == "all":
        parts = {"all": items}
    else:  # a probe set is split by id, as evalsets does for any set it does not name
        calib, held = split(a.set if named else path.stem, items)
        parts = {"calib": calib, "heldout": held}
        if a.part in parts:
            parts = {a.part: parts[a.part]}

    score = scorer()
    svc = service(corpus, cache)
    score.post = in_process(svc)
    out = {}
    for name, part in parts.items():
        part = part[: a.limit] if a.limit else part
        summary, rows = score.score("in-process", part, a.k)
        out[name] = {"summary": summary, "rows": rows}
        print(f"{name}: {json.dumps(summary)}")
        if a.rows:
            for r in rows:
                wrong = (r["answerable"] and not r.get("answer_ok")) or (
                    not r["answerable"] and not r["abstained"])
                if wrong:
                    print("   ", json.dumps(r, ensure_ascii=False))
    if a.json:
        a.json.write_text(json.dumps(out, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
