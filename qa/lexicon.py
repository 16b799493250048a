"""The lexical side of an index version, worked out once at build time and stored with it:
BM25 (bm25s's own files), the vocabulary and how rare each word is, which words stand
near each other somewhere, and the words of each table row's label.

Loading reads these files; nothing is tokenised or counted again when a version loads.
bm25s builds and saves the BM25 index; a loaded version scores with bm25s's own arithmetic
on its saved arrays (`Bm25Scores`), so that serving imports neither bm25s nor SciPy (a
few hundred milliseconds of every start).
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.chunk import Chunk
from qa.text.tokens import tokenize

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index at DEBUG

NEAR_WORDS = 3
BM25 = "bm25"  # bm25s.BM25.save writes its files into this folder of a version
BM25_FILES = tuple(f"{BM25}/{name}" for name in (
    "params.index.json", "vocab.index.json", "data.csc.index.npy", "indices.csc.index.npy",
    "indptr.csc.index.npy"))
LEXICON = "lexicon.json"  # idf and the label words of each chunk
NEAR = "near.npy"  # sorted keys of the word pairs that stand near each other
FILES = (*BM25_FILES, LEXICON, NEAR)


def idf(words: list[list[str]]) -> dict[str, float]:
    """How rare each word is over the chunks (rarer weighs more)."""
    df: dict[str, int] = {}
    for chunk_words in words:
        for w in set(chunk_words):
            df[w] = df.get(w, 0) + 1
    n = len(words)
    return {w: math.log((n + 1) / (k + 0.5)) for w, k in df.items()}


def _pair_key(a: int, b: int, size: int) -> int:
    return min(a, b) * size + max(a, b)


def _near_keys(words: list[list[str]], ids: dict[str, int]) -> np.ndarray:
    size = len(ids)
    keys: set[int] = set()
    for chunk_words in words:
        for i, a in enumerate(chunk_words):
            for b in chunk_words[i + 1:i + 1 + NEAR_WORDS]:
                keys.add(_pair_key(ids[a], ids[b], size))
    return np.array(sorted(keys), dtype=np.int64)


class Bm25Scores:
    """BM25 scores of a saved bm25s index: its precomputed per-word, per-chunk scores (a
    column-compressed matrix), summed over the query's words as `bm25s.BM25.get_scores`
    sums them (method "lucene", which has no score for absent words)."""

    def __init__(self, vocab: dict[str, int], data: np.ndarray, indices: np.ndarray,
                 indptr: np.ndarray, num_docs: int, dtype: str = "float32") -> None:
        self.vocab_dict = vocab
        self._data, self._indices, self._indptr = data, indices, indptr
        self._num_docs, self._dtype = num_docs, np.dtype(dtype)

    @classmethod
    def load(cls, folder: Path) -> Bm25Scores:
        """The index `bm25s.BM25.save` wrote into `folder` (JSON and `.npy`, no pickle)."""
        params = json.loads((folder / "params.index.json").read_text())
        if params.get("method") not in ("lucene", "robertson", "atire"):
            raise ValueError(f"BM25 method {params.get('method')!r} is not supported")
        vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        arrays = [np.load(folder / f"{name}.csc.index.npy", allow_pickle=False)
                  for name in ("data", "indices", "indptr")]
        return cls(vocab, *arrays, int(params["num_docs"]), params.get("dtype", "float32"))

    def get_scores(self, tokens: list[str]) -> np.ndarray:
        """The score of every chunk for the query's words (unknown words add nothing)."""
        scores = np.zeros(self._num_docs, dtype=self._dtype)
        for t in tokens:
            i = self.vocab_dict.get(t)
            if i is not None:
                lo, hi = self._indptr[i], self._indptr[i + 1]
                np.add.at(scores, self._indices[lo:hi], self._data[lo:hi])
        return scores


@dataclass(frozen=True)
class Lexicon:
    """BM25 over the chunks and the word statistics answering reads."""

    bm25: Any  # bm25s.BM25 when just built, Bm25Scores when loaded: both score alike
    vocabulary: tuple[str, ...]  # every (stemmed) word of the chunks, sorted
    idf: dict[str, float]
    label_words: tuple[frozenset[str], ...]  # per chunk: its row label's words, or none
    near_keys: np.ndarray

    @classmethod
    def build(cls, chunks: list[Chunk] | tuple[Chunk, ...]) -> Lexicon:
        """Tokenise each chunk once and work everything out from its words."""
        import bm25s

        words = [tokenize(c.embed_text()) for c in chunks]
        bm25 = bm25s.BM25()
        # A chunk without words is indexed as one placeholder word (bm25s needs one).
        bm25.index([w or ["_"] for w in words] or [["_"]], show_progress=False)
        labels = tuple(
            frozenset(tokenize(next((v for v in c.cells if v), ""))) if c.kind == "table_row"
            else frozenset() for c in chunks)
        return cls(bm25, tuple(sorted(bm25.vocab_dict)), idf(words), labels,
                   _near_keys(words, bm25.vocab_dict))

    def save(self, folder: Path) -> None:
        """Write the `FILES` into a version folder."""
        folder = Path(folder)
        self.bm25.save(folder / BM25, show_progress=False)
        with open(folder / LEXICON, "w", encoding="utf-8") as f:
            json.dump({"idf": self.idf, "labels": [sorted(w) for w in self.label_words]}, f,
                      ensure_ascii=False)
        np.save(folder / NEAR, self.near_keys, allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> Lexicon:
        """Read what `save` wrote (JSON and `.npy` without pickle)."""
        folder = Path(folder)
        bm25 = Bm25Scores.load(folder / BM25)
        with open(folder / LEXICON, encoding="utf-8") as f:
            data = json.load(f)
        near = np.load(folder / NEAR, allow_pickle=False)
        return cls(bm25, tuple(sorted(bm25.vocab_dict)), data["idf"],
                   tuple(frozenset(w) for w in data["labels"]), near)

    def near(self, a: str, b: str) -> bool:
        """Whether some chunk holds the two (stemmed) words within NEAR_WORDS words of
        each other, in either order: how a name of several words is known to the corpus."""
        ids = self.bm25.vocab_dict
        ia, ib = ids.get(a), ids.get(b)
        if ia is None or ib is None:
            return False
        key = _pair_key(ia, ib, len(ids))
        i = int(np.searchsorted(self.near_keys, key))
        return i < len(self.near_keys) and int(self.near_keys[i]) == key

    def scores(self, tokens: list[str], added: dict[str, float] | None = None) -> np.ndarray:
        """BM25 score of every chunk for the query's words, and for the `added` words
        (query expansion) each times its weight."""
        scores = self.bm25.get_scores(tokens)
        for word, weight in (added or {}).items():
            scores += weight * self.bm25.get_scores([word])
        return scores
