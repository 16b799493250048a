"""A learned question-to-unit similarity on top of the frozen embedding model ("reader-lite").

The embedding model is symmetric: it scores paraphrases, and a question and the sentence
that answers it are not paraphrases ("When did Beyonce start becoming popular?" against
"... rose to fame in the late 1990s as lead singer of Destiny's Child"). This map reads
them asymmetrically, from the vectors the engine already has (the question's, and every
unit's stored one), with no further encoder call:

    score(q, u) = sum_i d_i q_i u_i + (A q) . (B u)

a weighted cosine (diagonal `d`) plus a low-rank interaction (`A`, `B`: rank x dimension)
between what the question asks and what the unit says. It is fitted by
`scripts/fit_reader.py` as a softmax over the units of each question's retrieved chunks
(positive: a unit that holds the gold answer), on the calibration parts only, and its
weights are one `.npz` file of plain arrays (read without pickle) beside this module. The
score is in the softmax's units (a difference of 1 is a factor e in the odds); the ranker
and the support check weigh it as one more named feature.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

WEIGHTS = Path(__file__).with_name("reader.npz")


class ReaderMap:
    """The map: `scores(qvec, vectors)` gives each unit vector's score for the question."""

    def __init__(self, diag: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
        if a.shape != b.shape or a.shape[1] != diag.shape[0]:
            raise ValueError(f"reader weights do not fit: diag {diag.shape}, A {a.shape}, "
                             f"B {b.shape} (rank x dimension each)")
        self.diag = diag.astype(np.float32)
        self.a = a.astype(np.float32)
        self.b = b.astype(np.float32)

    @property
    def dimension(self) -> int:
        """The vector width the map reads."""
        return int(self.diag.shape[0])

    def scores(self, qvec: np.ndarray, vectors: np.ndarray) -> np.ndarray:
        """The score of each row of `vectors` (units, dimension) for the question vector
        `qvec` (dimension,): a product over the units' vectors, microseconds."""
        q = np.asarray(qvec, dtype=np.float32).reshape(-1)
        return vectors @ (self.diag * q) + (vectors @ self.b.T) @ (self.a @ q)

    def save(self, path: Path = WEIGHTS) -> None:
        """Write the weights as plain arrays (no pickle)."""
        np.savez(path, diag=self.diag, a=self.a, b=self.b)


def load(path: Path = WEIGHTS) -> ReaderMap | None:
    """The fitted map in `path`, or None when none is written (the feature is then 0)."""
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as f:
        return ReaderMap(f["diag"], f["a"], f["b"])


@lru_cache(maxsize=1)
def packaged() -> ReaderMap | None:
    """The map written beside this module, loaded once."""
    return load(WEIGHTS)


def learned(qvec: np.ndarray, vectors: np.ndarray) -> tuple[float, ...]:
    """The packaged map's score of each unit vector for the question vector (empty when no
    map is written, or when the index's vectors are not the width it was fitted on)."""
    m = packaged()
    if m is None or vectors.shape[-1] != m.dimension:
        return ()
    return tuple(float(x) for x in m.scores(qvec, vectors))
