"""The vector-store protocol with its FAISS backend: exact top-k by inner product, a search
among allowed ids only, vectors given back by id, and a save/load round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa import search


def unit_vectors(n: int, d: int = 16, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_top_k_is_exact_and_filtered_search_stays_within_the_allowed_ids() -> None:
    vectors = unit_vectors(200)
    store = search.create("faiss", vectors)
    assert (store.dimension, store.size) == (16, 200)
    query = vectors[7:8] + 0.01
    scores, ids = store.search(query, 5)
    expected = np.argsort(-(vectors @ query[0]))[:5]
    assert list(ids) == list(expected) and ids[0] == 7
    assert np.allclose(scores, (vectors @ query[0])[expected], atol=1e-5)
    allowed = np.array([3, 50, 120, 199], dtype=np.int64)
    scores, ids = store.search(query, 6, allowed)
    found = [int(i) for i in ids if i >= 0]
    assert sorted(found) == sorted(allowed.tolist())  # all four, nothing else
    assert list(ids[4:]) == [-1, -1]  # fewer hits than asked: padded with -1


def test_reconstruct_and_save_load_round_trip(tmp_path: Path) -> None:
    vectors = unit_vectors(30)
    store = search.create("faiss", vectors)
    assert np.array_equal(store.reconstruct(10, 5), vectors[10:15])
    assert store.reconstruct(0, 0).shape == (0, 16)
    store.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(search.files("faiss"))
    again = search.load("faiss", tmp_path)
    assert np.array_equal(again.reconstruct(0, 30), vectors)


def test_an_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown search backend 'milvus'"):
        search.files("milvus")
