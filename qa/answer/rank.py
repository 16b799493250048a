"""The ranker: one comparable score for candidates of every strategy, a weighted sum of
their named features with the weights fitted by scripts/fit_ranker.py."""

from __future__ import annotations

from collections.abc import Mapping

from qa.answer.weights import RANKER


def score(features: Mapping[str, float], weights: Mapping[str, float] = RANKER) -> float:
    """The candidate's score (higher is better): features times fitted weights (a feature
    without a weight adds nothing, and is skipped: the sum is the same, term for term)."""
    # a list summed, not a generator: the same terms in the same order, read faster
    return sum([weights[k] * v for k, v in features.items() if k in weights])
