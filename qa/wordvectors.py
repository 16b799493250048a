"""The corpus's words in the embedding model's space, and the query expansion they give.

A reader asks with their own words ("supremacy", "reinforced") where the documents write
others ("dominance", "strengthening"); BM25 matches neither. At build time every content
word the chunks write is encoded alone by the index's encoder and stored with the version
(`WORDS`, `WORD_VECTORS`). At query time a query word the corpus does not write (or writes
rarely) is set beside these vectors: its nearest corpus words above a similarity floor
join the BM25 query, each weighted by its similarity (`expansion`). The only knowledge of
which words stand for which is the model's; a word its tokenizer cuts into meaningless
pieces ("embargo" is em + ##bar + ##go to all-MiniLM-L6-v2) finds nothing above the floor.

A query word's own vector is not encoded at query time either: the model's tokenizer lists
the whole words it knows (WordPiece entries that are not `##` pieces; 21,719 alphabetic ones
for all-MiniLM-L6-v2), and those that are content words are encoded once per model export
(`model_words`, cached beside the ONNX file and copied into each version as
`MODEL_FILES`). A word outside that list is not expanded (see qa/retrieve.py, why).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.text.tokens import STOPWORDS, stem, words

WORDS = "words.json"  # the corpus's content words (and their stems), in the vectors' order
WORD_VECTORS = "word_vectors.npy"  # their unit vectors, float16 (half the bytes, same ranks)
FILES = (WORDS, WORD_VECTORS)
# The model tokenizer's whole content words and their vectors (the same two kinds of file).
MODEL_WORDS = "model_words.json"
MODEL_VECTORS = "model_word_vectors.npy"
MODEL_FILES = (MODEL_WORDS, MODEL_VECTORS)


def is_content(word: str) -> bool:
    """Whether a (lower-cased) word can carry meaning of its own: not a stopword, not a
    single letter, no digit (numbers and codes have no synonyms)."""
    return len(word) > 1 and word not in STOPWORDS and not any(c.isdigit() for c in word)


def content_words(text: str) -> list[str]:
    """The content words of a text, lower-cased, in order (with repeats)."""
    return [w for w in words(text) if is_content(w)]


def corpus_words(texts: Iterable[str]) -> list[str]:
    """Every content word the texts write, once, shortest first (so that a batch of them
    holds words of one length: little padding when they are encoded)."""
    seen: set[str] = set()
    for text in texts:
        seen.update(content_words(text))
    return sorted(seen, key=lambda w: (len(w), w))


@dataclass(frozen=True)
class WordVectors:
    """The corpus's content words, their stems (as BM25 indexes them) and their vectors."""

    words: tuple[str, ...]
    matrix: np.ndarray  # (len(words), dimension) float32, rows of unit length
    stems: tuple[str, ...] = ()  # worked out from the words when not given
    rows: dict[str, int] = field(init=False)  # word -> its row
    stem_rows: dict[str, int] = field(init=False)  # stem -> the row of its shortest word

    def __post_init__(self) -> None:
        if len(self.stems) != len(self.words):
            object.__setattr__(self, "stems", tuple(stem(w) for w in self.words))
        object.__setattr__(self, "rows", {w: i for i, w in enumerate(self.words)})
        stem_rows: dict[str, int] = {}
        for i, s in enumerate(self.stems):
            stem_rows.setdefault(s, i)
        object.__setattr__(self, "stem_rows", stem_rows)

    @classmethod
    def empty(cls, dimension: int) -> WordVectors:
        """A table without words: expansion finds nothing."""
        return cls((), np.zeros((0, dimension), dtype=np.float32))

    def vector(self, word: str) -> np.ndarray | None:
        """The stored vector of a corpus word, or None for a word the corpus does not write."""
        i = self.rows.get(word)
        return None if i is None else self.matrix[i]

    def vector_of_stem(self, stem_: str) -> np.ndarray | None:
        """The stored vector of a corpus word with this stem (its shortest), or None."""
        i = self.stem_rows.get(stem_)
        return None if i is None else self.matrix[i]

    def reused(self, words_: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those of `words_` this table holds (for an incremental
        build: only new words are encoded)."""
        return {w: self.matrix[self.rows[w]] for w in words_ if w in self.rows}

    def nearest(self, vectors: np.ndarray, floor: float, limit: int,
                exclude: frozenset[str] | set[str] = frozenset()
                ) -> list[list[tuple[str, float]]]:
        """For each vector, the stems of its `limit` nearest words with a similarity of at
        least `floor`, best first, each stem once (at its best word's similarity), none of
        the stems in `exclude`."""
        if not len(self.words) or not len(vectors):
            return [[] for _ in range(len(vectors))]
        # einsum, not the BLAS product (`@`) nor the FAISS store: both run two threads that
        # wait on each other on a busy machine (over SQuAD's 10,594 words at load 5: 9-12
        # and 24 ms a word, against 2 ms for einsum's one thread and 1.1 ms for FAISS on one).
        sims = np.einsum("ij,kj->ki", self.matrix, np.asarray(vectors, dtype=np.float32))
        # Enough candidates for `limit` stems when several forms of one stem stand close.
        n = min(len(self.words), 4 * limit + len(exclude))
        out = []
        for row in sims:
            top = np.argpartition(-row, n - 1)[:n]
            found: dict[str, float] = {}
            for i in top[np.argsort(-row[top])]:
                s = float(row[i])
                if s < floor or len(found) == limit:
                    break
                if self.stems[i] not in exclude:
                    found.setdefault(self.stems[i], s)
            out.append(list(found.items()))
        return out

    def save(self, folder: Path, names: tuple[str, str] = FILES) -> None:
        """Write the words and vectors into a folder, as the two files `names` (`FILES` in
        a version); each is written under a temporary name and renamed, so that a reader
        (of the export cache) never sees half a file."""
        folder = Path(folder)
        tmp = [folder / f".tmp-{name}-{os.getpid()}" for name in names]
        with open(tmp[0], "w", encoding="utf-8") as f:
            json.dump({"words": list(self.words), "stems": list(self.stems)}, f,
                      ensure_ascii=False)
        with open(tmp[1], "wb") as f:
            np.save(f, self.matrix.astype(np.float16), allow_pickle=False)
        for t, name in zip(tmp, names):
            os.replace(t, folder / name)

    @classmethod
    def load(cls, folder: Path, names: tuple[str, str] = FILES, widen: bool = True
             ) -> WordVectors:
        """Read what `save` wrote (JSON and `.npy` without pickle); the vectors widen to
        float32 (numpy has no fast float16 product) unless `widen` is False (a table only
        looked up, never multiplied: half the memory)."""
        folder = Path(folder)
        words_file, vectors_file = names
        with open(folder / words_file, encoding="utf-8") as f:
            data = json.load(f)
        listed, stems = (data.get("words"), data.get("stems")) if isinstance(data, dict) \
            else (None, None)
        matrix = np.load(folder / vectors_file, allow_pickle=False)
        if (not isinstance(listed, list) or not isinstance(stems, list)
                or len(stems) != len(listed) or matrix.ndim != 2 or len(matrix) != len(listed)
                or not all(isinstance(w, str) for w in listed + stems)):
            raise ValueError(f"{words_file} and {vectors_file} do not agree")
        return cls(tuple(listed), matrix.astype(np.float32) if widen else matrix, tuple(stems))


def tokenizer_words(tokenizer: Path) -> list[str]:
    """The whole content words a model's tokenizer (its `tokenizer.json`) lists: vocabulary
    entries of letters alone (not `##` pieces, not marks like `[CLS]`), shortest first."""
    with open(tokenizer, encoding="utf-8") as f:
        vocab = (json.load(f).get("model") or {}).get("vocab") or {}
    listed = vocab if isinstance(vocab, dict) else [e[0] for e in vocab if isinstance(e, list)]
    return sorted({w.lower() for w in listed if isinstance(w, str) and w.isascii()
                   and w.isalpha() and is_content(w.lower())}, key=lambda w: (len(w), w))


def model_words(folder: Path) -> WordVectors | None:
    """The model's word table cached in an export folder (`MODEL_FILES`), or None when it
    is missing or cannot be read (the build then encodes it again)."""
    try:
        return WordVectors.load(folder, MODEL_FILES, widen=False)
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def expansion(asked: list[tuple[str, float]], vectors: np.ndarray, table: WordVectors,
              floor: float, gain: float, limit: int, present: set[str]) -> dict[str, float]:
    """The BM25 query words the asked words add, each with its weight.

    `asked`: (word, rarity) for each query word to expand, rarity 1 for a word the corpus
    does not write, less for one it writes; `vectors` their vectors, in order. Each word's
    nearest corpus words above `floor` (at most `limit`) are added with weight
    gain x rarity x similarity, a stem reached from several words at its largest weight;
    stems the query already holds (`present`) are not added."""
    weights: dict[str, float] = {}
    if not asked or gain <= 0:
        return weights
    for (_, rarity), found in zip(asked, table.nearest(vectors, floor, limit, present)):
        for s, sim in found:
            weights[s] = max(weights.get(s, 0.0), gain * rarity * sim)
    return weights
