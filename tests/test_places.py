"""Places named by their demonyms (qa.text.places, countryinfo's data; no model)."""

from __future__ import annotations

from qa.text.places import places_named
from qa.text.tokens import tokenize


def test_a_demonym_names_its_country() -> None:
    named = places_named(tokenize("a Dutch-born astronomer and a Finnish engineer"))
    assert tuple(tokenize("Netherlands")) in named
    assert tuple(tokenize("Finland")) in named


def test_a_text_without_demonyms_names_no_place() -> None:
    assert places_named(tokenize("The road climbs 900 metres in hairpin bends.")) == ()
