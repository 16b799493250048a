#!/usr/bin/env python3
"""Fit the provisional support check of LLM sentences (`qa/answer/sentence_check.py`):
LEXICAL_WEIGHT and MIN_SUPPORT, on sentence/chunk pairs made from the development corpora.

Pairs (a sentence, the chunk it would cite):
- said: a sentence (or list item, or table-row statement) of the chunk itself;
- part: a clause of a long sentence of the chunk (saying less is still supported);
- wrong: a sentence of the most similar other chunk of the same document (a citation
  that points at the wrong source, the commonest complaint about LLM citations);
- swapped: a sentence of the chunk with one of its rarer words replaced by a word of that
  other chunk that the chunk lacks (a made-up detail).
The first two should stand, the last two fall. A pair passes as the verifier passes a
sentence: its numbers stand in the chunk, and its score reaches the threshold (a wrong
table row often differs only in its figures, which the number check catches).
MIN_SUPPORT is the lowest threshold (for each weight) that lets at most MAX_FALSE of the
wrong and swapped pairs through on the calibration part; the weight chosen keeps the most
said and part pairs. Figures are
printed for the calibration and the held-out part (scripts/evalsets.py: TAT-QA by
document, SQuAD by article, the analysis by chunk id). True paraphrases by an LLM are not
in these pairs: the check is stricter on them than on "said" pairs.

    .venv/bin/python scripts/fit_sentence_check.py --eval ../shared/eval
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from evalsets import held_out_articles, is_held_out

from qa.answer.sentence_check import LEXICAL_WEIGHT, MIN_SUPPORT, word_support
from qa.answer.verify import number_problems, read_markers
from qa.chunk import Chunk, chunk_document
from qa.embed import Embedder
from qa.parse import parse_document
from qa.text.sentences import split_clauses
from qa.text.tokens import tokenize

MAX_FALSE = 0.05  # share of wrong/swapped pairs allowed through on the calibration part
CHUNKS_PER_CORPUS = 250


def chunks_of(corpus: Path, limit: int, rng: random.Random) -> list[Chunk]:
    """A sample of the chunks of a corpus, whole documents at a time."""
    docs = sorted(corpus.rglob("*.md"))
    rng.shuffle(docs)
    out: list[Chunk] = []
    for path in docs:
        doc = parse_document(str(path.relative_to(corpus)), path.read_text(encoding="utf-8"))
        out += [c for c in chunk_document(doc) if len(c.text) > 40]
        if len(out) >= limit:
            break
    return out[:limit]


def statements(c: Chunk) -> list[str]:
    """What a chunk says, one sentence each: its sentences, list items, or for a table
    row a statement per value ("The Regional Impact of Military is ...")."""
    if c.kind == "table_row":
        label = next((v for v in c.cells if v), "")
        return [f"The {h} of {label} is {v}." for h, v in zip(c.header[1:], c.cells[1:])
                if v and h]
    units = c.quotes()
    return [u for u in dict.fromkeys(units[1:] or units[:1]) if len(u) > 20]


def pairs(chunks: list[Chunk], vectors: np.ndarray, rng: random.Random
          ) -> list[tuple[str, str, Chunk]]:
    """(kind, sentence, cited chunk) pairs; see the module docstring."""
    out = []
    sims = vectors @ vectors.T
    for i, c in enumerate(chunks):
        said = statements(c)
        if not said:
            continue
        same_doc = [j for j, o in enumerate(chunks) if o.doc == c.doc and j != i]
        other = chunks[max(same_doc, key=lambda j: sims[i, j])] if same_doc else None
        s = rng.choice(said)
        out.append(("said", s, c))
        parts = [s[a:b] for a, b in split_clauses(s)]
        if parts:
            out.append(("part", max(parts, key=len), c))
        if other is None or not statements(other):
            continue
        out.append(("wrong", rng.choice(statements(other)), c))
        words = [w for w in s.split() if len(w) > 5 and w.isalpha()]
        extra = [w for w in other.text.split() if w.isalpha() and len(w) > 5
                 and not set(tokenize(w)) & set(tokenize(c.text))]
        if words and extra:
            out.append(("swapped", s.replace(rng.choice(words), rng.choice(extra), 1), c))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    args = ap.parse_args(argv)
    rng = random.Random(11)
    embedder = Embedder()
    squad_held = held_out_articles(args.eval / "squad_train" / "corpus")
    corpora = {"analysis": ROOT / "corpus", "tatqa": args.eval / "tatqa_dev" / "corpus",
               "squad": args.eval / "squad_train" / "corpus"}

    rows = []  # (part, kind, words share, similarity)
    for name, corpus in corpora.items():
        chunks = chunks_of(corpus, CHUNKS_PER_CORPUS, rng)
        vectors = embedder.encode([c.embed_text() for c in chunks])
        made = pairs(chunks, vectors, rng)
        sentence_vecs = embedder.encode([s for _, s, _ in made])
        units: dict[str, np.ndarray] = {}
        for (kind, s, c), v in zip(made, sentence_vecs):
            if c.id not in units:
                units[c.id] = embedder.encode(c.units())
            dense = float(np.max(units[c.id] @ v))
            share, _ = word_support(s, c)
            numbers_ok = not number_problems(read_markers(s, 1), [c])
            if name == "tatqa":
                held = is_held_out("tatqa_dev", {"doc": c.doc, "id": c.doc})
            elif name == "squad":
                held = c.doc in squad_held
            else:
                held = is_held_out("seed_dev", {"id": c.id})
            rows.append(("heldout" if held else "calib", kind, share, dense, numbers_ok))
        print(f"{name}: {len(chunks)} chunks, {len(made)} pairs", flush=True)

    def rates(part: str, w: float, t: float) -> dict[str, float]:
        out = {}
        for kind in ("said", "part", "wrong", "swapped"):
            xs = [w * s + (1 - w) * d if ok else -1.0 for p, k, s, d, ok in rows
                  if p == part and k == kind]
            out[kind] = sum(x >= t for x in xs) / len(xs) if xs else float("nan")
        return out

    best = None
    print(f"\nweight  threshold  (calibration: share accepted; wrong+swapped <= {MAX_FALSE})")
    for w in (0.3, 0.4, 0.5, 0.6, 0.7):
        for t in np.arange(0.50, 1.0, 0.01):
            r = rates("calib", w, float(t))
            if (r["wrong"] + r["swapped"]) / 2 <= MAX_FALSE:
                keep = (r["said"] + r["part"]) / 2
                print(f"{w:5.1f}  {t:9.2f}   said {r['said']:.3f} part {r['part']:.3f} "
                      f"wrong {r['wrong']:.3f} swapped {r['swapped']:.3f}")
                if best is None or keep > best[0]:
                    best = (keep, w, round(float(t), 2))
                break
    if best is None:
        print(f"no weight and threshold keep wrong+swapped at or under {MAX_FALSE}")
        return 1
    _, w, t = best
    print(f"\nchosen: LEXICAL_WEIGHT = {w}, MIN_SUPPORT = {t} (in force: {LEXICAL_WEIGHT}, "
          f"{MIN_SUPPORT})")
    for part in ("calib", "heldout"):
        r = rates(part, w, t)
        n = sum(1 for p, *_ in rows if p == part)
        print(f"{part:8s} ({n} pairs): " + ", ".join(f"{k} {v:.3f}" for k, v in r.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
