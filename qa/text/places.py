"""Places by the adjectives that name them: a text that writes "a Swedish-born engineer" or
"the Dutch firm" names Sweden or the Netherlands as surely as one that writes the country.

The demonyms are countryinfo's (one per country and territory, from its packaged data:
"Dutch" -> Netherlands, "Austrian" -> Austria, "Scottish" -> Scotland), read once; only
one-word demonyms are kept (the tokenizer reads a text word by word). The same data tells
a place's name from a person's: a country's name, its other one-word spellings and its
capital are places ("Sweden", "Sverige", "Stockholm"), and so is a name WordNet knows
only as a place's ("England", which countryinfo has not). Nothing here is written for a
particular text.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from qa.text.tokens import tokenize
from qa.text.wordnet import only_a_place


@lru_cache(maxsize=1)
def demonyms() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Each one-word demonym's stem -> the stemmed words of the places it names ("dutch"
    -> (("netherland",),); "american" -> the United States and the Northern Mariana
    Islands)."""
    from countryinfo import CountryInfo

    out: dict[str, list[tuple[str, ...]]] = {}
    for info in CountryInfo.all().values():
        adjective, name = info.get("demonym") or "", info.get("name") or ""
        key, place = tokenize(adjective), tuple(tokenize(name))
        if len(key) == 1 and place and key[0] not in place:
            out.setdefault(key[0], []).append(place)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def place_words() -> frozenset[str]:
    """The stems of the one-word names countryinfo gives places by: each country's name, its
    other spellings and its capital, and each demonym ("sweden", "stockholm", "dutch")."""
    from countryinfo import CountryInfo

    out: set[str] = set(demonyms())
    for info in CountryInfo.all().values():
        spellings = info.get("altSpellings") or []
        for name in (info.get("name"), info.get("capital"),
                     *(spellings if isinstance(spellings, list) else [])):
            words = tokenize(name) if isinstance(name, str) else []
            if len(words) == 1:
                out.add(words[0])
    return frozenset(out)


@lru_cache(maxsize=1 << 12)
def is_place(name: str) -> bool:
    """Whether a name is, word for word, a place countryinfo knows ("Sweden", "Dutch"), or
    one WordNet knows only as a place ("England", "Bergen": `wordnet.only_a_place`; not
    "Victoria" or "Washington", people's names as well): no person's name then (False for
    a name without words)."""
    words = tokenize(name)
    return bool(words) and (all(w in place_words() for w in words) or only_a_place(name))


def places_named(tokens: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    """The places (each its stemmed words) that the demonyms among a text's stemmed words
    name, in the order they are written."""
    table = demonyms()
    out: list[tuple[str, ...]] = []
    for t in tokens:
        for place in table.get(t, ()):
            if place not in out:
                out.append(place)
    return tuple(out)
