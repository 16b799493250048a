"""The FAISS vector store: an exact inner-product index (`IndexFlatIP`) in one file."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

VECTORS = "vectors.faiss"


class FaissStore:
    """Unit vectors in a FAISS `IndexFlatIP`; filtered searches use an id selector."""

    backend = "faiss"
    index_type = "IndexFlatIP"
    files = (VECTORS,)

    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @classmethod
    def create(cls, vectors: np.ndarray) -> FaissStore:
        """A store holding `vectors`."""
        index = faiss.IndexFlatIP(vectors.shape[1])
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    @classmethod
    def load(cls, folder: Path) -> FaissStore:
        """The store saved in `folder` (FAISS's own format, no pickle)."""
        return cls(faiss.read_index(str(Path(folder) / VECTORS)))

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def search(self, query: np.ndarray, n: int,
               allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        params = None
        if allowed is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))
        scores, ids = self._index.search(query, n, params=params)
        return scores[0], ids[0]

    def reconstruct(self, start: int, count: int) -> np.ndarray:
        if count == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._index.reconstruct_n(start, count)

    def save(self, folder: Path) -> None:
        faiss.write_index(self._index, str(Path(folder) / VECTORS))
