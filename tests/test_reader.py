"""The learned reader (`qa.answer.reader`): the map's score, its weights file (plain arrays,
read without pickle, in the shape the code expects), and the ranker's feature it gives.
The map tests use stand-in matrices (small, chosen so the expected scores are exact); the
file test reads the packaged weights when they are written."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from helpers import Chunks, ev, passage

from qa.answer.features import generic, mark_tops
from qa.answer.question import analyze, ground
from qa.answer.reader import WEIGHTS, ReaderMap, load
from qa.answer.types import Candidate, Claim


def stand_in() -> ReaderMap:
    """A map over 3-wide vectors: the cosine's diagonal doubled, and one low-rank term that
    pairs the question's first coordinate with the unit's third."""
    return ReaderMap(np.full(3, 2.0), np.array([[1.0, 0.0, 0.0]]),
                     np.array([[0.0, 0.0, 3.0]]))


def test_the_map_adds_a_question_to_unit_term_the_cosine_lacks() -> None:
    q = np.array([1.0, 0.0, 0.0])
    units = np.array([[1.0, 0.0, 0.0],   # the paraphrase: cosine 1
                      [0.0, 0.0, 1.0],   # what answers it: cosine 0, the pair term 3
                      [0.0, 1.0, 0.0]])  # neither
    assert stand_in().scores(q, units).tolist() == pytest.approx([2.0, 3.0, 0.0])


def test_the_map_is_asymmetric() -> None:
    q, u = np.array([0.0, 0.0, 1.0]), np.array([[1.0, 0.0, 0.0]])
    m = stand_in()
    assert m.scores(q, u)[0] == 0.0  # the unit's first coordinate meets no question term
    assert m.scores(u[0], q[None, :])[0] == 3.0


def test_weights_of_another_shape_are_refused() -> None:
    with pytest.raises(ValueError, match="do not fit"):
        ReaderMap(np.ones(3), np.ones((2, 3)), np.ones((2, 4)))


def test_saved_weights_load_back_without_pickle(tmp_path) -> None:
    path = tmp_path / "reader.npz"
    stand_in().save(path)
    with np.load(path, allow_pickle=False) as f:  # plain arrays only
        assert sorted(f.files) == ["a", "b", "diag"]
    got = load(path)
    assert got is not None and got.dimension == 3
    q = np.array([0.5, 0.2, 0.1])
    assert got.scores(q, np.eye(3)).tolist() == pytest.approx(stand_in().scores(q, np.eye(3)))
    assert load(tmp_path / "absent.npz") is None  # no map written: the feature is off


@pytest.mark.skipif(not WEIGHTS.exists(), reason="no reader weights written")
def test_the_packaged_weights_fit_the_packaged_model() -> None:
    with np.load(WEIGHTS, allow_pickle=False) as f:
        diag, a, b = f["diag"], f["a"], f["b"]
    assert diag.shape == (384,)  # all-MiniLM-L6-v2's width
    assert a.shape == b.shape and a.shape[1] == 384 and 1 <= a.shape[0] <= 64
    assert WEIGHTS.stat().st_size < 400_000
    assert np.isfinite(diag).all() and np.isfinite(a).all() and np.isfinite(b).all()


TOWER = passage("t1", "The Halden Tower stands on the north quay. It was finished in 1911 by "
                "the harbour board. Visitors climb it in summer.")
OTHER = passage("o1", "The harbour board also built a lighthouse on the south quay in 1890.")


def test_the_feature_is_the_claims_unit_score_against_the_best_retrieved() -> None:
    # stand-in learned scores, one per unit of each chunk (the whole first, then sentences)
    tower = replace(ev(TOWER, 1.0), unit_learned=tuple(
        {0: 1.0, 2: 5.0}.get(i, 0.5) for i in range(len(TOWER.units()))))
    other = replace(ev(OTHER, 0.8), unit_learned=(2.0,))
    evidence = [tower, other]
    q = ground(analyze("When was the Halden Tower finished?"), evidence)
    corpus = Chunks([TOWER, OTHER])
    texts = [TOWER.units()[2], TOWER.units()[1], OTHER.text]
    fs = [generic(q, Candidate("sentence", (Claim(t, c, 1.0),), 0.0), evidence, corpus)
          for t, c in zip(texts, [TOWER, TOWER, OTHER])]
    assert [f["learned"] for f in fs] == [0.0, -4.5, -3.0]  # the best retrieved unit: 5.0
    mark_tops(fs)
    assert "top:learned" not in fs[0]  # its place says it (see `RANKED`)
    assert [f["rank:learned"] for f in fs] == [1.0, 1 / 3, 0.5]


def test_without_learned_scores_the_feature_is_zero() -> None:
    evidence = [ev(TOWER, 1.0)]
    q = ground(analyze("When was the Halden Tower finished?"), evidence)
    f = generic(q, Candidate("sentence", (Claim(TOWER.units()[2], TOWER, 1.0),), 0.0),
                evidence, Chunks([TOWER]))
    assert f["learned"] == 0.0
