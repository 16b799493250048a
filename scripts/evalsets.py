#!/usr/bin/env python3
"""Split each development set into a calibration part and a held-out part, the same way for
every script and every person: the held-out part is never used to choose a weight,
threshold or rule, and its figures are reported beside the calibration part's.

- squad_train: by article (the project is judged on other articles): the three articles
  whose name has the smallest SHA-1 are held out. Questions carry no article, so each
  answerable one is placed by the article holding its answer, and an unanswerable one
  takes the article of the question before it (the set is in article order).
- tatqa_dev: by document (one table per document): a third of the documents, by SHA-1.
- seed_dev and any probe set: by question id, a third, by SHA-1.

    scripts/evalsets.py OUTDIR      writes OUTDIR/<set>.calib.jsonl and <set>.heldout.jsonl

Other scripts import `split(name, items)` and `held_out(...)`.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

# The shared evaluation sets: QA_EVAL_DIR, else ../shared/eval beside the checkout or beside
# one of its parents (a worktree may sit one folder deeper).
EVAL = Path(os.environ.get("QA_EVAL_DIR") or next(
    (p / "shared" / "eval" for p in Path(__file__).resolve().parents
     if (p / "shared" / "eval").is_dir()),
    Path(__file__).resolve().parent.parent.parent / "shared" / "eval"))
SETS = {"seed_dev": EVAL / "seed_dev.jsonl", "tatqa_dev": EVAL / "tatqa_dev" / "set.jsonl",
        "squad_train": EVAL / "squad_train" / "set.jsonl"}
HELD_OUT_ARTICLES = 3
# The project's own probe sets (tests/probes/), each with the corpus it is asked of.
_ROOT = Path(__file__).resolve().parent.parent
PROBES = {"engine_analysis": (_ROOT / "tests" / "probes" / "engine_analysis.jsonl",
                              _ROOT / "corpus"),
          "engine_report": (_ROOT / "tests" / "probes" / "engine_report.jsonl",
                            _ROOT / "tests" / "reports"),
          "support": (_ROOT / "tests" / "probes" / "support.jsonl", _ROOT / "corpus"),
          "engine_lists": (_ROOT / "tests" / "probes" / "engine_lists.jsonl",
                           _ROOT / "tests" / "articles_dev" / "lists"),
          "engine_yesno": (_ROOT / "tests" / "probes" / "engine_yesno.jsonl",
                           _ROOT / "tests" / "articles_dev" / "yesno"),
          # list and summary questions over a second invented article (a lead mine),
          # written before the list strategies were changed on them (lists14)
          "engine_mine": (_ROOT / "tests" / "probes" / "engine_mine.jsonl",
                          _ROOT / "tests" / "articles_dev" / "mine"),
          # conversations over both development articles (two observatories: a pronoun
          # must find the one the conversation is about)
          "engine_followups": (_ROOT / "tests" / "probes" / "engine_followups.jsonl",
                               _ROOT / "tests" / "articles_dev"),
          # Questions about a document's subject, answered by its opening sentence: over
          # the SQuAD articles (their crowd questions rarely ask them) and over both
          # development articles together (two subjects to tell apart).
          "engine_subject": (_ROOT / "tests" / "probes" / "engine_subject.jsonl",
                             EVAL / "squad_train" / "corpus"),
          "engine_subject_dev": (_ROOT / "tests" / "probes" / "engine_subject_dev.jsonl",
                                 _ROOT / "tests" / "articles_dev")}
# Probe sets that no fit reads, whole (not split into parts for calibration): written over a
# document nobody tuned for, they stay an untouched check of what the fits did (eval.sh and
# answer_eval.py answer them; the fit scripts loop over PROBES only).
CHECKS = {"engine_article": (_ROOT / "tests" / "probes" / "engine_article.jsonl",
                             _ROOT / "tests" / "articles")}
# The index folder (under a cache folder) each set is answered from: one per corpus.
INDEX = {"seed_dev": "seed", "tatqa_dev": "tatqa", "squad_train": "squad",
         "engine_analysis": "seed", "engine_report": "report", "support": "seed",
         "engine_article": "article", "engine_lists": "lists", "engine_yesno": "yesno",
         "engine_mine": "mine",
         "engine_followups": "articles_dev",
         "engine_subject": "squad", "engine_subject_dev": "articles_dev"}


def _h(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest(), 16)


def load(path: Path) -> list[dict]:
    """The questions of a JSONL set."""
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def squad_articles(items: list[dict], corpus: Path = EVAL / "squad_train" / "corpus") -> list[str]:
    """The article (file name) of each question of a SQuAD-style set, in order."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.md"))}
    out: list[str] = []
    last = next(iter(texts))
    for it in items:
        ev = [e for e in it.get("evidence", []) if isinstance(e, str)]
        where = [name for name, t in texts.items() if ev and all(e in t for e in ev)]
        if it.get("answerable") and where:
            last = where[0] if last not in where else last
        out.append(last)
    return out


def held_out_articles(corpus: Path = EVAL / "squad_train" / "corpus") -> set[str]:
    """The SQuAD articles held out from calibration."""
    names = sorted((p.name for p in corpus.glob("*.md")), key=_h)
    return set(names[:HELD_OUT_ARTICLES])


def is_held_out(name: str, item: dict, article: str | None = None) -> bool:
    """Whether a question of set `name` is in the held-out part."""
    if name == "squad_train":
        return article in held_out_articles()
    if name == "tatqa_dev":
        return _h(item.get("doc", item["id"])) % 3 == 0
    return _h(str(item["id"])) % 3 == 0


def name_of(path: Path) -> str:
    """The name in SETS of the set at `path` (its folder names it), else the file's stem."""
    return next((n for n in SETS if n in str(path)), path.stem)


def split(name: str, items: list[dict]) -> tuple[list[dict], list[dict]]:
    """(calibration part, held-out part) of the questions of set `name`."""
    articles = squad_articles(items) if name == "squad_train" else [None] * len(items)
    calib, held = [], []
    for it, art in zip(items, articles):
        (held if is_held_out(name, it, art) else calib).append(it)
    return calib, held


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "evalsets")
    out.mkdir(parents=True, exist_ok=True)
    for name, path in SETS.items():
        calib, held = split(name, load(path))
        for part, rows in (("calib", calib), ("heldout", held)):
            with open(out / f"{name}.{part}.jsonl", "w", encoding="utf-8") as f:
                f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        print(f"{name}: {len(calib)} calibration, {len(held)} held out -> {out}/")
    if "squad_train" in SETS:
        print(f"squad_train held-out articles: {', '.join(sorted(held_out_articles()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
