"""Words of change and the way they say it went (qa.text.direction): pure, no model."""

from __future__ import annotations

import pytest

from qa.text.direction import DOWN, STEADY, UP, direction
from qa.text.tokens import stem


@pytest.mark.parametrize("word, way", [
    ("rose", UP), ("risen", UP), ("increased", UP), ("strengthening", UP), ("higher", UP),
    ("fell", DOWN), ("cut", DOWN), ("weakened", DOWN), ("reductions", DOWN), ("fewer", DOWN),
    ("kept", STEADY), ("unchanged", STEADY), ("remained", STEADY),
])
def test_a_word_of_change_says_which_way_as_written_or_stemmed(word: str, way: int) -> None:
    assert direction(word) == way
    assert direction(stem(word)) == way


@pytest.mark.parametrize("word", ["fare", "revenue", "improved", "contract", "loss", "2024"])
def test_other_words_say_no_change(word: str) -> None:
    # "improved" is quality, not amount; "contract" and "loss" are nouns as often
    assert direction(word) is None
