"""Words of change and the way they say it went (qa.text.direction): pure, no model."""

from __future__ import annotations

import pytest

from qa.text.direction import BETTER, DOWN, STEADY, UP, WORSE, direction, opposed, same_scale
from qa.text.tokens import stem


@pytest.mark.parametrize("word, way", [
    ("rose", UP), ("risen", UP), ("increased", UP), ("strengthening", UP), ("higher", UP),
    ("fell", DOWN), ("cut", DOWN), ("weakened", DOWN), ("reductions", DOWN), ("fewer", DOWN),
    ("kept", STEADY), ("unchanged", STEADY), ("remained", STEADY),
    ("improved", BETTER), ("worsened", WORSE),
])
def test_a_word_of_change_says_which_way_as_written_or_stemmed(word: str, way: int) -> None:
    assert direction(word) == way
    assert direction(stem(word)) == way


@pytest.mark.parametrize("word", ["fare", "revenue", "contract", "loss", "2024"])
def test_other_words_say_no_change(word: str) -> None:
    # "contract" and "loss" are nouns as often as words of change
    assert direction(word) is None


def test_amount_and_quality_are_two_scales() -> None:
    # reducing a delay improves it: neither confirms nor contradicts the other
    assert not same_scale(direction("reduced"), direction("improved"))
    assert same_scale(direction("improved"), direction("worsened"))
    assert same_scale(direction("rose"), direction("kept"))


@pytest.mark.parametrize("a, b, against", [
    ("destabilize", "stabilize", True), ("unguaranteed", "guaranteed", True),
    ("disallow", "allow", True), ("income", "come", False), ("stabilize", "stabilize", False),
    ("rebound", "bound", False),
])
def test_a_negating_prefix_opposes_a_word(a: str, b: str, against: bool) -> None:
    assert opposed(stem(a), stem(b)) is against
