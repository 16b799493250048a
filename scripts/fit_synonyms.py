#!/usr/bin/env python3
"""Fit the query expansion's constants in qa/retrieve.py (`SYNONYM_GAIN`, `SYNONYM_FLOOR`,
`RARITY_POWER`): how much a query word the corpus does not write (or writes rarely) adds
of its nearest corpus words in the model's space to the BM25 query, and print the figures
that justify them.

Each answerable question of the development sets (seed_dev, tatqa_dev scoped by doc,
squad_train, the probe sets) is encoded once with the words its expansion would encode;
then for each setting on the grid its BM25 candidates are found again with that
expansion and fused with its (unchanged) dense candidates, and the first hits are scored
as the shared scorer scores /retrieve: pinpoint@1 (the first hit holds the evidence and is
short) and hit@8 (the evidence among the chunks the answer engine reads). Printed per set,
calibration and held-out part apart, and for the probes' paraphrase kind; then what the
expansion adds to a few operation words, and how many questions have a word to expand.

The setting chosen is, among those whose calibration pinpoint@1 and hit@8 fall on no set
by more than one question (and whose cost is affordable, `AFFORDABLE`), the one with the
most calibration paraphrases right (pinpoint@1 plus hit@8), then the most calibration
pinpoint@1 over all sets, then the smallest gain; the held-out figures are printed beside,
never used.

    scripts/fit_synonyms.py [--index /tmp/syn7-idx] [--every-squad 2] [--sets ...]
    scripts/fit_synonyms.py --cost [--sets seed_dev squad_train]   what it costs a query
    scripts/fit_synonyms.py --unlisted ...   words the model's word table lacks encoded too

A query word the corpus does not write takes its vector from the model's word table (no
encoding); `--unlisted` also encodes, with the question, the words that table lacks (what
`ENCODE_UNLISTED` would do at query time), to measure what skipping them loses.

`--cost` times, on each set's index and its questions with one or two words the corpus does
not write, the query encoded alone and with those words in its batch (what the expansion
cost before the model's word table); the expansion's own work from the table (look-up,
nearest words, the added BM25 words); and `Retriever.unknown` with `expansion` on questions
whose words the corpus all writes (all it costs them).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from answer_eval import CORPORA, answerable, scorer, service, tally
from evalsets import INDEX, PROBES, SETS, load

from qa.text.tokens import stem
from qa.wordvectors import content_words

GAINS = (0.0, 0.25, 0.5, 1.0)
FLOORS = (0.5, 0.55, 0.6, 0.65, 0.7)
POWERS = (float("inf"), 4.0)
# A finite RARITY_POWER expands the words the corpus writes too: a scan of the corpus's
# words for each of them at query time (1.2 ms each over SQuAD's 10,594 words), which would
# slow every query by milliseconds (the bound: a fraction of one). It stays on the grid to
# measure what neighbour lists worked out at build time would buy; it is not chosen.
AFFORDABLE = (float("inf"),)
DEPTH = 8  # the answer engine's evidence (qa.service.ANSWER_CANDIDATES)
OPERATIONS = ("average", "compared", "difference", "change", "total", "percentage",
              "increase", "ratio", "largest", "how many")  # printed, never decided on


def settings() -> list[tuple[float, float, float]]:
    """(gain, floor, power) of the grid; gain 0 once (the expansion off)."""
    return [(0.0, FLOORS[0], POWERS[0])] + [
        s for s in itertools.product(GAINS[1:], FLOORS, POWERS)]


def gathered(name: str, index: Path, every: int, unlisted: bool = False):
    """(retriever, [(item, held, dense, word vectors, judge)]): `judge(chunk position)` says
    (holds the evidence, and is short enough for pinpoint), cached."""
    from qa.api.models import hit_json
    from qa.retrieve import Hit

    score = scorer()
    svc, items, held_ids = answerable(name, index, every)
    r = svc.retriever
    out = []
    for it in items:
        q = it["question"]
        vectors = r.encoder.encode([q, *r.unknown(q, gain=1.0, unlisted=unlisted)], 16)
        dense, _ = r.scores(q, vectors[:1], it.get("doc"), lexical={})
        cache: dict[int, tuple[bool, bool]] = {}

        def judge(i: int, it=it, cache=cache) -> tuple[bool, bool]:
            if i not in cache:
                text = hit_json(Hit(r.chunks[i], 0.0, 0.0, 0.0))["text"]
                good = score.contains_any(text, it["evidence"])
                cache[i] = (good, good and len(text) <= score.pinpoint_limit(it["evidence"]))
            return cache[i]

        out.append((it, it["id"] in held_ids, dense, vectors[1:], judge))
    return r, out


def measure(r, rows, setting) -> tuple[dict[str, list[int]], int]:
    """Per part (and paraphrase part): [pinpoint@1, hit@DEPTH, questions]; and how many
    questions the expansion added a word to."""
    gain, floor, power = setting
    positions = {c.id: i for i, c in enumerate(r.chunks)}
    got: dict[str, list[int]] = {}
    expanded = 0
    for it, held, dense, words, judge in rows:
        q = it["question"]
        added = r.expansion(q, words, gain, floor, power)
        expanded += bool(added)
        lexical = r.lexical(q, it.get("doc"), None, added)
        hits = r.fuse(q, dense, lexical, DEPTH)
        pos = [positions[h.chunk.id] for h in hits]
        p1 = int(bool(pos) and judge(pos[0])[1])
        h8 = int(any(judge(i)[0] for i in pos))
        tally(got, it, held, p1, h8)
    return got, expanded


def chosen(tables) -> tuple[float, float, float]:
    """The setting the module docstring describes (calibration parts only)."""
    off = settings()[0]

    def keeps(s) -> bool:
        return all(t[s][0]["calib"][0] >= t[off][0]["calib"][0] - 1
                   and t[s][0]["calib"][1] >= t[off][0]["calib"][1] - 1
                   for t in tables.values())

    def paraphrases(s) -> int:
        return sum(sum(t[s][0]["calib:paraphrase"][:2]) for t in tables.values()
                   if "calib:paraphrase" in t[s][0])

    def pinpoint(s) -> int:
        return sum(t[s][0]["calib"][0] for t in tables.values())

    passing = [s for s in settings() if keeps(s) and s[2] in AFFORDABLE]
    return max(passing, key=lambda s: (paraphrases(s), pinpoint(s), -s[0]))


def operations(r) -> None:
    """What the expansion would add to operation words, alone, at the lowest floor."""
    unknown = [w for w in OPERATIONS if r.unknown(w, gain=1.0)]
    if not unknown:
        return
    vectors = r.encoder.encode(unknown, 16)
    for w, v in zip(unknown, vectors):
        added = r.expansion(w, v[None, :], 1.0, FLOORS[0], POWERS[0])
        print(f"  operation word {w!r} (not in the corpus) adds at floor {FLOORS[0]}: "
              f"{ {k: round(x, 2) for k, x in added.items()} }")


def cost(name: str, index: Path, rounds: int = 5) -> None:
    """Print the expansion's costs on set `name` (medians in ms; see the docstring)."""
    import statistics

    path, corpus = PROBES[name] if name in PROBES else (SETS[name], CORPORA[name])
    svc = service(corpus, index / INDEX[name])
    r, enc = svc.retriever, svc.retriever.encoder
    questions = [it["question"] for it in load(path) if not it.get("history")][:300]
    vocab = r.stored.lexicon.bm25.vocab_dict

    def unwritten(q: str) -> list[str]:
        return list(dict.fromkeys(w for w in content_words(q) if stem(w) not in vocab))

    some = [q for q in questions if 1 <= len(unwritten(q)) <= 2][:60]
    known = [q for q in questions if not unwritten(q)][:60]
    listed = sum(r.word_vector(w) is not None for q in some for w in unwritten(q))

    def timed(fn, qs) -> float:
        out = []
        for _ in range(rounds):
            for q in qs:
                t0 = time.perf_counter()
                fn(q)
                out.append((time.perf_counter() - t0) * 1000)
        return statistics.median(out)

    alone = timed(lambda q: enc.encode([q], 16), some)
    batch = timed(lambda q: enc.encode([q, *unwritten(q)], 16), some)
    work = timed(lambda q: r.lexical(q, added=r.expansion(q, None, 1.0, 0.55)), some)
    plain = timed(lambda q: r.lexical(q), some)
    check = timed(lambda q: (r.unknown(q, gain=1.0), r.expansion(q, None, 1.0, 0.55)), known)
    print(f"{name}: {len(r.stored.words.words)} corpus words; {len(some)} questions with 1-2 "
          f"words the corpus does not write ({listed} of their words in the model's word "
          f"table): the query encoded alone {alone:.2f} ms, with those words in its batch "
          f"(before the table) {batch:.2f} ms; BM25 with the expansion from the table "
          f"{work:.3f} ms (without {plain:.3f} ms); {len(known)} questions whose words the "
          f"corpus writes: unknown() + expansion() {check:.3f} ms "
          f"(load {os.getloadavg()[0]:.1f})", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="+", default=["seed_dev", "tatqa_dev", "squad_train",
                                                  *PROBES])
    ap.add_argument("--every-squad", type=int, default=1, help="every n-th squad question")
    ap.add_argument("--index", type=Path, default=Path("/tmp/syn7-idx"))
    ap.add_argument("--cost", action="store_true", help="time the expansion instead")
    ap.add_argument("--unlisted", action="store_true",
                    help="encode the words the model's word table lacks too")
    a = ap.parse_args()
    if a.cost:
        for name in a.sets:
            cost(name, a.index)
        return 0
    grid = settings()
    print("pinpoint@1 / hit@8 (questions expanded) per setting gain/floor/power:")
    tables = {}
    for name in a.sets:
        t0 = time.perf_counter()
        r, rows = gathered(name, a.index, a.every_squad if name == "squad_train" else 1,
                           a.unlisted)
        table = tables[name] = {s: measure(r, rows, s) for s in grid}
        print(f"== {name} ({len(r.stored.words.words)} corpus words, "
              f"{time.perf_counter() - t0:.0f} s)", flush=True)
        operations(r)
        keys = sorted(table[grid[0]][0])
        for s in grid:
            cells = "  ".join(
                f"{k} {table[s][0][k][0] / table[s][0][k][2]:.3f}/"
                f"{table[s][0][k][1] / table[s][0][k][2]:.3f} ({table[s][0][k][2]})"
                for k in keys)
            print(f"  {s[0]:4}/{s[1]:4}/{s[2]:3}  [{table[s][1]:4}]  {cells}", flush=True)
    best = chosen(tables)
    print(f"chosen SYNONYM_GAIN, SYNONYM_FLOOR, RARITY_POWER: {best}")
    for name, table in tables.items():
        for part in ("calib", "heldout", "calib:paraphrase", "heldout:paraphrase"):
            if part in table[best][0]:
                b, o = table[best][0][part], table[grid[0]][0][part]
                print(f"  {name:16} {part:18} pinpoint@1 {o[0]}->{b[0]}  hit@8 {o[1]}->{b[1]}"
                      f"  of {o[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
