#!/usr/bin/env python3
"""What spelling correction (`qa.text.spelling`) changes in the development questions.

Well-spelled questions should barely change (each change is printed, to be read); the
misspelled probes should come out as written without typos. For each set: how many
questions changed, and the changes.

    scripts/spelling_check.py [--index /tmp/qa-support-index] [--show 30]
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evalsets import load
from fit_support import all_sets, index_dir


def changed_words(a: str, b: str) -> list[str]:
    """The words of `a` that `b` replaced, as 'old -> new'."""
    wa, wb = a.split(), b.split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=wa, b=wb).get_opcodes():
        if op != "equal":
            out.append(f"{' '.join(wa[i1:i2])} -> {' '.join(wb[j1:j2])}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=Path("/tmp/qa-support-index"))
    ap.add_argument("--show", type=int, default=30, help="changes to print per set")
    a = ap.parse_args()
    from qa import index as store
    from qa.config import get_settings
    from qa.text.spelling import Speller

    spellers: dict[Path, Speller] = {}
    for name, (path, corpus) in all_sets().items():
        if corpus not in spellers:
            s = get_settings(corpus=corpus, index=index_dir(a.index, corpus))
            chunks = store.load(s.index, s.model).chunks
            spellers[corpus] = Speller(c.embed_text() for c in chunks)
        sp = spellers[corpus]
        items = load(path)
        changes = [(it, sp.correct(it["question"])) for it in items]
        changes = [(it, c) for it, c in changes if c != it["question"]]
        print(f"{name}: {len(changes)} of {len(items)} questions changed")
        for it, c in changes[: a.show]:
            print(f"   {it['id']} [{it['kind']}]: {'; '.join(changed_words(it['question'], c))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
