"""Dense vector stores behind one small protocol, so the retriever never names a backend.

A store holds an index version's unit vectors (L2-normalised, so inner product is
cosine), searches them for a query's top n, optionally among allowed vector ids only, and
gives vectors back by id. FAISS is the one backend today; a distributed engine (Milvus,
...) is another class with the same methods, registered in `BACKENDS`. The manifest
records which backend wrote a version, and loading refuses one it does not know.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np


class VectorStore(Protocol):
    """The unit vectors of one index version, searchable by inner product."""

    backend: str  # the name it is registered under in BACKENDS
    files: tuple[str, ...]  # what `save` writes into a version folder

    @property
    def dimension(self) -> int:
        """Length of a vector."""

    @property
    def size(self) -> int:
        """How many vectors it holds (their ids are 0..size-1)."""

    def search(self, query: np.ndarray, n: int,
               allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Scores and ids of the `n` vectors nearest `query` (shape (1, dimension)), best
        first, among `allowed` ids only when given; both of shape (n,), ids -1 past the
        last hit."""

    def reconstruct(self, start: int, count: int) -> np.ndarray:
        """Vectors `start` .. `start + count - 1`, shape (count, dimension)."""

    def save(self, folder: Path) -> None:
        """Write the store's `files` into `folder`."""


def backends() -> dict[str, type]:
    """The registered stores by name (imported on first use)."""
    from qa.search.faiss_store import FaissStore

    return {FaissStore.backend: FaissStore}


def create(backend: str, vectors: np.ndarray) -> VectorStore:
    """A new store of `backend` holding `vectors` (ids are row numbers)."""
    return _backend(backend).create(vectors)


def load(backend: str, folder: Path) -> VectorStore:
    """The store `backend` wrote into `folder`."""
    return _backend(backend).load(folder)


def files(backend: str) -> tuple[str, ...]:
    """The files a store of `backend` keeps in a version folder."""
    return _backend(backend).files


def _backend(name: str) -> type:
    found = backends().get(name)
    if found is None:
        raise ValueError(f"unknown search backend {name!r} (known: {', '.join(backends())})")
    return found
