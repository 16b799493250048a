"""Places named by their demonyms (qa.text.places, countryinfo's data; no model)."""

from __future__ import annotations

from qa.text.places import is_place, places_named
from qa.text.tokens import tokenize


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
