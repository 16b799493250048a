"""Build times of `qa build` on the TAT-QA corpus, each timed as a whole process.

  1. a full build of a private copy of the corpus into a new index;
  2. `qa build` again with nothing changed (target: at most 10% of 1);
  3. after editing one document (a sentence added, a table figure changed), `qa build`:
     it must embed only that document's new chunks (checked against the chunk ids of the
     versions before and after) and take at most 25% of 1.

2 and 3 are run --repeat times (3 on different documents) and their median is checked.
The load average is printed: the machine is shared, and figures taken under load vary.
Exit 1 if a target is missed.

    .venv/bin/python scripts/bench_build.py
    .venv/bin/python scripts/bench_build.py --corpus DIR --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    TATQA,
    copy_corpus,
    edit_document,
    live_chunks,
    load_average,
    report,
    run_build,
    workdir,
)

NO_CHANGE_SHARE = 0.10
ONE_EDIT_SHARE = 0.25


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=TATQA / "corpus",
                    help="corpus to copy and build (default: the TAT-QA dev corpus)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the no-change and edit builds")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()

    with workdir(args.keep) as tmp:
        corpus = copy_corpus(args.corpus, tmp / "corpus")
        index = tmp / "index"
        docs = sorted(p for p in corpus.rglob("*.md"))
        print(f"corpus: {len(docs)} documents copied from {args.corpus}")
        print(f"load average before: {load_average()}")

        full = run_build(corpus, index)
        if full.code != 0:
            print(full.out)
            return 1
        print(f"full build: {full.seconds:.1f} s ({full.embedded} chunks embedded)  "
              f"[{full.headline}]")

        same = []
        for _ in range(args.repeat):
            b = run_build(corpus, index)
            assert b.code == 0 and "up to date" in b.headline, b.out
            same.append(b.seconds)
            print(f"no-change build: {b.seconds:.2f} s  [{b.headline}]")

        edits, only_that_doc = [], True
        for n in range(args.repeat):
            doc = docs[(n * len(docs)) // args.repeat + len(docs) // (2 * args.repeat)]
            rel = doc.relative_to(corpus).as_posix()
            before = live_chunks(index)
            edit_document(doc, n)
            b = run_build(corpus, index)
            assert b.code == 0, b.out
            after = live_chunks(index)
            new = {cid: d for cid, d in after.items() if cid not in before}
            ok = set(new.values()) <= {rel} and b.embedded == len(new) > 0
            only_that_doc &= ok
            of_doc = sum(d == rel for d in after.values())
            edits.append(b.seconds)
            print(f"one-document edit ({rel}): {b.seconds:.2f} s, {b.embedded} chunks embedded, "
                  f"{b.reused} reused; the document has {of_doc} chunks, {len(new)} of them new"
                  f" -> {'only its new chunks embedded' if ok else 'NOT ONLY ITS NEW CHUNKS'}"
                  f"  [{b.headline}]")
        print(f"load average after: {load_average()}")

        same_share = statistics.median(same) / full.seconds
        edit_share = statistics.median(edits) / full.seconds
        checks = [
            ((f"no-change build, median {statistics.median(same):.2f} s = {same_share:.1%} of "
             f"the full build (target <= {NO_CHANGE_SHARE:.0%})"), same_share <= NO_CHANGE_SHARE),
            ((f"one-document edit, median {statistics.median(edits):.2f} s = {edit_share:.1%} of "
             f"the full build (target <= {ONE_EDIT_SHARE:.0%})"), edit_share <= ONE_EDIT_SHARE),
            ("each edit embedded only the edited document's new chunks", only_that_doc),
        ]
        return report(checks)


if __name__ == "__main__":
    sys.exit(main())
